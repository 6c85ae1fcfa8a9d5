"""DutyGraph: who must do what under a cascade of implementation plans.

    >>> import kg
    >>> kg.build(["corpus"], "out")            # parse, resolve, link, write out/graph.ttl and out/store
    >>> g = kg.Graph.open("out")
    >>> g.tasks_of("区司法局", role="lead")

Heavy modules are imported lazily, so that ``import kg`` stays cheap.
"""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["Graph", "build", "KgError", "__version__"]


def __getattr__(name):  # lazy re-exports
    if name == "Graph":
        from kg.query.api import Graph

        return Graph
    if name == "build":  # the kg.build package, callable as kg.build(paths, out)
        import kg.build

        return kg.build
    if name == "KgError":
        from kg.errors import KgError

        return KgError
    raise AttributeError(name)

"""DutyGraph: who must do what under a cascade of implementation plans.

    >>> import kg
    >>> kg.build(["corpus"], "out")            # parse, resolve, link, write out/graph.ttl and out/store
    >>> g = kg.Graph.open("out")
    >>> g.tasks_of("区司法局", role="lead")

The stages are packages, in the order data flows: kg.read → kg.parse → kg.resolve → kg.link →
kg.rdf → kg.build, then kg.query, kg.export, kg.viz; kg.cli is the ``kg`` command over them.
Heavy libraries (pyoxigraph, rdflib, jieba …) load when first used, and ``kg.build`` and
``kg.Graph`` when first named (PEP 562), so ``import kg`` stays cheap, as does a module of one stage
(``import kg.build.loader`` in the store-loading child does not load the library: 0.2 s).
"""
from __future__ import annotations

import importlib

from kg.errors import KgError
from kg.version import __version__

__all__ = ["Graph", "build", "KgError", "__version__"]
# the API's names loaded on first use: name -> (module, attribute; None for the module itself)
LAZY = {"build": ("kg.build", None), "Graph": ("kg.query.api", "Graph")}


def __getattr__(name: str):
    if name not in LAZY:
        raise AttributeError(f"module 'kg' has no attribute {name!r}")
    module, attr = LAZY[name]
    found = importlib.import_module(module)
    return found if attr is None else getattr(found, attr)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(LAZY))

"""DutyGraph: who must do what under a cascade of implementation plans.

    >>> import kg
    >>> kg.build(["corpus"], "out")            # parse, resolve, link, write out/graph.ttl and out/store
    >>> g = kg.Graph.open("out")
    >>> g.tasks_of("区司法局", role="lead")

The stages are packages, in the order data flows: kg.read → kg.parse → kg.resolve → kg.link →
kg.rdf → kg.build, then kg.query, kg.export, kg.viz; kg.cli is the ``kg`` command over them.
Heavy libraries (pyoxigraph, rdflib, jieba …) load when first used, so ``import kg`` stays cheap.
"""
from __future__ import annotations

from kg import build
from kg.errors import KgError
from kg.query.api import Graph
from kg.version import __version__

__all__ = ["Graph", "build", "KgError", "__version__"]

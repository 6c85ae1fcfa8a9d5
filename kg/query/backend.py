"""Where a Graph's questions run: a local pyoxigraph store (LocalBackend) or a SPARQL 1.1 server
(RemoteBackend, through kg.query.endpoint), both answering ``select(text, bindings)`` with rows
of plain Python values; and the prefix prologue a raw query gets."""
from __future__ import annotations

import re
from typing import Any

from kg.errors import KgError
from kg.query.queries import Term, inject_values
from kg.query.results import from_oxigraph, sort_solutions, split_order
from kg.query.store import SERVICE_REFUSED, calls_service
from kg.vocab import PREFIXES

_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?\s*:", re.I)


def prefix_prologue(text: str) -> str:
    """One line declaring the project's prefixes (kg.vocab.PREFIXES) that ``text`` does not."""
    declared = {m.group(1) or "" for m in _DECLARED.finditer(text)}
    missing = [f"PREFIX {k}: <{v}>" for k, v in PREFIXES.items() if k not in declared]
    return " ".join(missing) + "\n" if missing else ""


def one_line(e: Exception) -> str:
    return " ".join(str(e).split())


class LocalBackend:
    """A pyoxigraph store.

    Parameters are bound as RDF terms in one of two ways that give the same answers (tested):
    ``"values"`` (default) puts a one-row VALUES block of escaped N-Triples terms at the start of
    the WHERE group, exactly as for a remote endpoint; ``"substitutions"`` passes them through
    pyoxigraph's ``substitutions=``. VALUES is the default because pyoxigraph plans joins around
    it, while a substituted variable under a UNION is joined last: tasks-of on a national-scale
    store takes 0.5 ms one way and 18 s the other (bench/bench_query.py).
    """

    def __init__(self, store, binding: str = "values", allow_service: bool = False):
        import pyoxigraph as ox

        if binding not in ("values", "substitutions"):
            raise ValueError(f"binding {binding!r}: use values or substitutions")
        self.store = store
        self.binding = binding
        self.allow_service = allow_service  # let a query call other endpoints (SERVICE <url>)
        self._ox = ox

    def select(self, text: str, bindings: dict[str, Term]) -> list[dict[str, Any]]:
        ox = self._ox
        subs = None
        if self.binding == "values":
            text = inject_values(text, bindings)
        else:
            subs = {ox.Variable(k): t.oxigraph() for k, t in bindings.items()} or None
        # A final ORDER BY of projected variables is done here rather than by pyoxigraph, which
        # reads each string back from its store at every comparison: sorting 154k organisations
        # by name takes it 15 s at 3,200 plans, Python 0.3 s. Same order (sort_solutions), or
        # the query is run again as written when the order could differ.
        split = split_order(text)
        res = self._run(split[0] if split else text, subs)
        if isinstance(res, ox.QueryBoolean):
            return [{"result": bool(res)}]
        if isinstance(res, ox.QueryTriples):
            if split:
                res = self._run(text, subs)
            conv = from_oxigraph
            return [{"subject": conv(t.subject), "predicate": conv(t.predicate), "object": conv(t.object)}
                    for t in res]
        names = [v.value for v in res.variables]
        rows = [[sol[n] for n in names] for sol in res]
        if split:
            ordered = sort_solutions(names, rows, split[1])
            if ordered is None:
                res = self._run(text, subs)
                ordered = [[sol[n] for n in names] for sol in res]
            rows = ordered
        conv = from_oxigraph
        return [{n: conv(v) for n, v in zip(names, r)} for r in rows]

    def _run(self, text: str, subs):
        if not self.allow_service and calls_service(text):
            raise KgError(SERVICE_REFUSED, 2)
        try:
            return self.store.query(text, use_default_graph_as_union=True, substitutions=subs)
        except SyntaxError as e:
            raise KgError(f"SPARQL syntax error: {one_line(e)}") from None
        except (RuntimeError, OSError) as e:
            raise KgError(f"the query failed: {one_line(e)}") from None


class RemoteBackend:
    """A SPARQL 1.1 server; parameters go in through a VALUES block (see kg.query.endpoint)."""

    def __init__(self, endpoint):
        self.endpoint = endpoint

    def select(self, text: str, bindings: dict[str, Term]) -> list[dict[str, Any]]:
        return self.endpoint.select(text, bindings)

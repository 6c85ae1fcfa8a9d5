"""Text of the graph: Turtle in graph.ttl's layout (explicit prefixes, each graph's triples
sorted), chunk by chunk, and the triples of quads in that order."""
from __future__ import annotations

from typing import Iterable

from kg.vocab import PREFIXES

# Turtle prefixes (order fixed; rdfs/owl unused in data but harmless).
TTL_PREFIXES = {k: PREFIXES[k] for k in ("dg", "dgr", "eli", "org", "skos", "prov", "dcterms", "schema",
                                          "rdf", "xsd")}


def _line(t) -> str:
    return f"{t.subject} {t.predicate} {t.object}"


def sorted_triples(quads: Iterable) -> list:
    """The triples of ``quads`` in graph.ttl's order: graph by graph (in order of first appearance),
    each graph's distinct triples sorted as N-Triples lines. Same order as ``sorted_blocks``."""
    by_graph: dict[str, dict[str, object]] = {}
    for q in quads:
        by_graph.setdefault(str(q.graph_name), {}).setdefault(_line(q.triple), q.triple)
    return [ts[k] for ts in by_graph.values() for k in sorted(ts)]


TTL_HEAD = "".join(f"@prefix {k}: <{v}> .\n" for k, v in TTL_PREFIXES.items()).encode()


def turtle_chunk(lines: list[str]) -> bytes:
    """Turtle of one graph's triples (sorted N-Triples strings), without the @prefix header.

    graph.ttl is TTL_HEAD followed by the chunks of every graph in iter_blocks order, so an
    incremental build can copy the chunks of unchanged graphs from the previous graph.ttl.
    """
    import pyoxigraph as ox

    # lenient: the lines are kg.rdf.builder's own, ASCII IRIs and escaped literals (as the store loads them)
    nt = (" .\n".join(lines) + " .\n").encode("utf-8")
    body = ox.serialize(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES, lenient=True), format=ox.RdfFormat.TURTLE,
                        prefixes=TTL_PREFIXES)
    i = 0
    while body.startswith(b"@prefix ", i):
        i = body.index(b"\n", i) + 1
    body = body[i:]
    return body if body.endswith(b"\n") else body + b"\n"



def turtle(quads: Iterable) -> bytes:
    """Deterministic Turtle in graph.ttl's layout: graph by graph (in order of first appearance),
    each graph's distinct triples sorted, explicit prefixes."""
    by_graph: dict[str, set[str]] = {}
    for q in quads:
        by_graph.setdefault(str(q.graph_name), set()).add(_line(q.triple))
    return TTL_HEAD + b"".join(turtle_chunk(sorted(lines)) for lines in by_graph.values())


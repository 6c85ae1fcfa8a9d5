"""Export a built graph (DIR/store) to other formats.

    export(directory, fmt, out=None) -> bytes | None

Formats (``FORMATS``): ttl (Turtle), nt (N-Triples, UTF-8), jsonld (JSON-LD with a @context,
one nested @graph per named graph), trig (TriG, one named graph per document, plus the corpus
graph), graphml (networkx: nodes are IRIs with label/type attributes, edges are object
properties, for Gephi and Cytoscape), csv (the responsibility table, one row per unit, UTF-8 with a
BOM so that Excel in a Chinese locale reads it; English column names and values unless
``lang='zh'``; cells that a spreadsheet would run as a formula are prefixed with ') and xlsx (the
督办台账 of kg.export.ledger, Chinese by default, with the one-row-per-unit table as its last sheet; needs
``out``). RDF and CSV output is deterministic (sorted). Files are written atomically (temp file +
rename).
"""
from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Optional

from kg.atomic import write_atomic  # noqa: F401  (re-exported: kg.export.formats.write_atomic)
from kg.errors import KgError
from kg.export.ledger import to_xlsx as ledger_xlsx
from kg.export.stamp import restamp_zip  # noqa: F401  (re-exported: kg.export.formats.restamp_zip)
from kg.i18n import language
from kg.query.api import Graph
from kg.query.store import open_store
from kg.query.table import COLUMNS, csv_safe, responsibility_rows, unit_table
from kg.rdf import TTL_PREFIXES, graph_iri, sorted_triples, turtle
from kg.vocab import DCT, DG, RDF, SDO, SKOS, XSD

FORMATS = ("ttl", "nt", "jsonld", "trig", "graphml", "csv", "xlsx")
RDF_TYPE = RDF + "type"
XSD_STRING = XSD + "string"




def _sorted_quads(store) -> list:
    return sorted(store.quads(), key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))


def _by_graph(store) -> list:
    """Quads grouped by named graph: documents by IRI, dgr:graph/corpus last (as graph.ttl)."""
    corpus = graph_iri("corpus")
    return sorted(store.quads(), key=lambda q: (q.graph_name.value == corpus, q.graph_name.value))


def _compact(iri: str, prefixes: dict[str, str]) -> str:
    best = ""
    for k, v in prefixes.items():
        if iri.startswith(v) and len(v) > len(prefixes.get(best, "")):
            best = k
    return f"{best}:{iri[len(prefixes[best]):]}" if best else iri


# ---------------------------------------------------------------------------- RDF formats

def to_turtle(store) -> bytes:
    """The build's own graph.ttl when the store comes from a build directory, else the same order."""
    if store.path is not None and (Path(store.path) / "graph.ttl").is_file():
        return (Path(store.path) / "graph.ttl").read_bytes()
    return turtle(_by_graph(store))


def to_ntriples(store) -> bytes:
    import pyoxigraph as ox

    return ox.serialize(sorted_triples(_by_graph(store)), format=ox.RdfFormat.N_TRIPLES)


def to_trig(store) -> bytes:
    import pyoxigraph as ox

    return ox.serialize(_sorted_quads(store), format=ox.RdfFormat.TRIG, prefixes=TTL_PREFIXES)


def _jsonld_value(o, prefixes):
    import pyoxigraph as ox

    if isinstance(o, ox.NamedNode):
        return {"@id": _compact(o.value, prefixes)}
    if isinstance(o, ox.BlankNode):
        return {"@id": "_:" + o.value}
    if o.language:
        return {"@value": o.value, "@language": o.language}
    if o.datatype.value == XSD_STRING:
        return o.value
    return {"@value": o.value, "@type": _compact(o.datatype.value, prefixes)}


def to_jsonld(store) -> bytes:
    """JSON-LD 1.1: a @context with the vocabulary's prefixes and one @graph object per named graph."""
    prefixes = dict(TTL_PREFIXES)
    graphs: dict[str, dict[str, dict]] = {}
    for q in _sorted_quads(store):
        g = graphs.setdefault(str(q.graph_name.value) if hasattr(q.graph_name, "value") else "", {})
        s = q.subject.value if not str(q.subject).startswith("_:") else str(q.subject)
        node = g.setdefault(s, {"@id": _compact(s, prefixes) if not s.startswith("_:") else s})
        if q.predicate.value == RDF_TYPE:
            node.setdefault("@type", []).append(_compact(q.object.value, prefixes))
        else:
            node.setdefault(_compact(q.predicate.value, prefixes), []).append(_jsonld_value(q.object, prefixes))
    out = []
    for gname, nodes in graphs.items():
        if gname:
            out.append({"@id": _compact(gname, prefixes), "@graph": list(nodes.values())})
        else:
            out.extend(nodes.values())
    doc = {"@context": prefixes, "@graph": out}
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


# ---------------------------------------------------------------------------- GraphML

LABEL_PROPS = (SKOS + "prefLabel", DCT + "title", DG + "asWritten", DG + "rawText", SDO + "description",
               DG + "fileName")


def to_graphml(store) -> bytes:
    """Nodes: every IRI linked by an object property (attributes label, type, iri); edges: those links."""
    import networkx as nx
    import pyoxigraph as ox

    triples = sorted_triples(_by_graph(store))
    labels: dict[str, dict[str, str]] = {}
    types: dict[str, list[str]] = {}
    edges = []
    for t in triples:
        s, p, o = t.subject, t.predicate.value, t.object
        if not isinstance(s, ox.NamedNode):
            continue
        if p == RDF_TYPE:
            types.setdefault(s.value, []).append(_compact(o.value, TTL_PREFIXES))
        elif isinstance(o, ox.NamedNode):
            edges.append((s.value, o.value, _compact(p, TTL_PREFIXES)))
        elif p in LABEL_PROPS and isinstance(o, ox.Literal):
            labels.setdefault(s.value, {}).setdefault(p, o.value)
    g = nx.MultiDiGraph()
    nodes = sorted({e[0] for e in edges} | {e[1] for e in edges})
    for n in nodes:
        lab = next((labels.get(n, {})[p] for p in LABEL_PROPS if p in labels.get(n, {})), None)
        compact = _compact(n, TTL_PREFIXES)
        g.add_node(n, label=(lab[:80] if lab else compact), type=" ".join(types.get(n, [])), iri=n)
    for s, o, p in edges:
        g.add_edge(s, o, label=p)
    buf = io.BytesIO()
    nx.write_graphml(g, buf, encoding="utf-8", prettyprint=True)
    return buf.getvalue()


# ---------------------------------------------------------------------------- the table

BOM = "\ufeff"


def to_csv(store, lang: Optional[str] = None, doc: Optional[str] = None, **_) -> bytes:
    """The responsibility table as CSV (see the module docstring)."""
    heads, rows = unit_table(responsibility_rows(store, doc=doc), language(lang))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(heads)
    for r in rows:
        w.writerow([csv_safe(r[c]) for c in COLUMNS])
    return (BOM + buf.getvalue()).encode("utf-8")


def to_xlsx(store, on=None, lang: Optional[str] = None, doc: Optional[str] = None, **_) -> bytes:
    """The 督办台账 workbook (kg.export.ledger.to_xlsx)."""
    return ledger_xlsx(store, on=on, lang=lang, doc=doc)


WRITERS = {"ttl": to_turtle, "nt": to_ntriples, "jsonld": to_jsonld, "trig": to_trig,
           "graphml": to_graphml, "csv": to_csv, "xlsx": to_xlsx}


TABLES = ("csv", "xlsx")  # the formats that take on= / lang= / doc=


def render(store, fmt: str, on=None, lang: Optional[str] = None, doc: Optional[str] = None) -> bytes:
    """The bytes of ``fmt``; the tables (csv, xlsx) take ``on`` (the ledger's status date, default
    today), ``lang`` (en | zh; CSV English by default, xlsx Chinese) and ``doc`` (a document IRI)."""
    fmt = (fmt or "").lower().lstrip(".")
    if fmt not in WRITERS:
        raise KgError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}", 2)
    if fmt in TABLES:
        return WRITERS[fmt](store, on=on, lang=lang, doc=doc)
    return WRITERS[fmt](store)


def export(directory: str | Path, fmt: str, out: Optional[str | Path] = None, on=None,
           lang: Optional[str] = None, doc: Optional[str] = None) -> Optional[Path]:
    """Export the graph built in ``directory``; to ``out`` (atomically) or, without it, to stdout.
    ``doc`` (csv, xlsx) names one document any way kg.query.names allows."""
    fmt = (fmt or "").lower().lstrip(".")
    if fmt not in WRITERS:
        raise KgError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}", 2)
    if fmt == "xlsx" and out is None:
        raise KgError("xlsx is a binary format: give --out FILE.xlsx", 2)
    store = open_store(directory)
    if doc is not None:
        doc = Graph.from_store(store).resolve_doc(doc)
    data = render(store, fmt, on=on, lang=lang, doc=doc)
    if out is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return None
    return write_atomic(out, data)

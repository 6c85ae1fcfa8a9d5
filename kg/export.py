"""Export a built graph (DIR/store) to other formats.

    export(directory, fmt, out=None) -> bytes | None

Formats (``FORMATS``): ttl (Turtle), nt (N-Triples, UTF-8), jsonld (JSON-LD with a @context,
one nested @graph per named graph), trig (TriG, one named graph per document, plus the corpus
graph), graphml (networkx: nodes are IRIs with label/type attributes, edges are object
properties, for Gephi and Cytoscape), csv (the responsibility table, UTF-8, no BOM), xlsx (the
table, one sheet per document, two header rows: Chinese and English; needs ``out``).
RDF and CSV output is deterministic (sorted). Files are written atomically (temp file + rename).
"""
from __future__ import annotations

import csv
import datetime
import io
import json
import re
import sys
from pathlib import Path
from typing import Optional

from kg.atomic import write_atomic  # noqa: F401  (re-exported: kg.export.write_atomic)
from kg.errors import KgError

FORMATS = ("ttl", "nt", "jsonld", "trig", "graphml", "csv", "xlsx")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"




def _sorted_quads(store) -> list:
    return sorted(store.quads(), key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))


def _by_graph(store) -> list:
    """Quads grouped by named graph: documents by IRI, dgr:graph/corpus last (as graph.ttl)."""
    from kg.graph import graph_iri

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
    from kg.graph import turtle

    return turtle(_by_graph(store))


def to_ntriples(store) -> bytes:
    import pyoxigraph as ox

    from kg.graph import sorted_triples

    return ox.serialize(sorted_triples(_by_graph(store)), format=ox.RdfFormat.N_TRIPLES)


def to_trig(store) -> bytes:
    import pyoxigraph as ox

    from kg.graph import TTL_PREFIXES

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
    from kg.graph import TTL_PREFIXES

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

LABEL_PROPS = ("http://www.w3.org/2004/02/skos/core#prefLabel", "http://purl.org/dc/terms/title",
               "https://w3id.org/dutygraph/ontology#asWritten", "https://w3id.org/dutygraph/ontology#rawText",
               "https://schema.org/description", "https://w3id.org/dutygraph/ontology#fileName")


def to_graphml(store) -> bytes:
    """Nodes: every IRI linked by an object property (attributes label, type, iri); edges: those links."""
    import networkx as nx
    import pyoxigraph as ox

    from kg.graph import TTL_PREFIXES, sorted_triples

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

def to_csv(store) -> bytes:
    from kg.table import COLUMNS, responsibility_rows

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(COLUMNS), lineterminator="\n")
    w.writeheader()
    w.writerows(responsibility_rows(store))
    return buf.getvalue().encode("utf-8")


def _sheet_name(name: str, used: set[str]) -> str:
    base = "".join("_" if c in '[]:*?/\\' else c for c in Path(name).stem)[:31] or "document"
    n, k = base, 2
    while n.lower() in used:
        suffix = f"~{k}"
        n, k = base[: 31 - len(suffix)] + suffix, k + 1
    used.add(n.lower())
    return n


def to_xlsx(store) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from kg.table import COLUMNS, HEADERS_ZH, responsibility_rows

    rows = responsibility_rows(store)
    by_doc: dict[str, list[dict]] = {}
    for r in rows:
        by_doc.setdefault(r["document"], []).append(r)
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    if not by_doc:
        by_doc = {"documents": []}
    for doc, drows in by_doc.items():
        ws = wb.create_sheet(_sheet_name(doc, used))
        ws.append(list(HEADERS_ZH))
        ws.append(list(COLUMNS))
        for cell in list(ws[1]) + list(ws[2]):
            cell.font = Font(bold=True)
        for r in drows:
            ws.append([r[c] for c in COLUMNS])
        ws.freeze_panes = "A3"
        for col, width in zip("ABCDEFGHIJ", (28, 10, 14, 24, 8, 40, 10, 24, 30, 20)):
            ws.column_dimensions[col].width = width
    # same input, same bytes: fixed document dates, and zip entries re-stamped with one date
    fixed = datetime.datetime(2000, 1, 1)
    wb.properties.created = wb.properties.modified = fixed
    buf = io.BytesIO()
    wb.save(buf)
    return _restamp_zip(buf.getvalue(), fixed)


def _restamp_zip(data: bytes, when) -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp, body)
            dst.writestr(entry, body)
    return out.getvalue()


WRITERS = {"ttl": to_turtle, "nt": to_ntriples, "jsonld": to_jsonld, "trig": to_trig,
           "graphml": to_graphml, "csv": to_csv, "xlsx": to_xlsx}


def render(store, fmt: str) -> bytes:
    fmt = (fmt or "").lower().lstrip(".")
    if fmt not in WRITERS:
        raise KgError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}", 2)
    return WRITERS[fmt](store)


def export(directory: str | Path, fmt: str, out: Optional[str | Path] = None) -> Optional[Path]:
    """Export the graph built in ``directory``; to ``out`` (atomically) or, without it, to stdout."""
    from kg.store import Store

    fmt = (fmt or "").lower().lstrip(".")
    if fmt not in WRITERS:
        raise KgError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}", 2)
    if fmt == "xlsx" and out is None:
        raise KgError("xlsx is a binary format: give --out FILE.xlsx", 2)
    data = render(Store.open(directory), fmt)
    if out is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return None
    return write_atomic(out, data)

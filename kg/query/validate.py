"""Validate a built graph against ontology/shapes.ttl with pyshacl (no inference).

``validate(directory) -> list[Violation]``; ``validate_quads(quads)`` for records not yet written.
``format_violation(v)`` gives one readable line: focus node label, path, message.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

from kg.errors import KgError
from kg.query.store import open_store
from kg.rdf import sorted_triples
from kg.resources import shipped_dir
from kg.vocab import PREFIXES, SH

SHAPES = shipped_dir("ontology") / "shapes.ttl"


@dataclass
class Violation:
    focus: str  # IRI of the focus node
    label: str  # readable name of the focus node
    path: str  # the property path, prefixed where possible
    message: str
    severity: str = "Violation"
    value: Optional[str] = None


def _shapes_graph():
    import rdflib

    if not SHAPES.exists():
        raise KgError(f"{SHAPES}: the SHACL shapes file is missing; reinstall DutyGraph")
    return rdflib.Graph().parse(str(SHAPES), format="turtle")


def _data_graph(nt: bytes):
    import rdflib

    g = rdflib.Graph()
    g.parse(data=nt, format="nt")
    for k, v in PREFIXES.items():
        g.bind(k, v, replace=True)
    return g


def _label(g, node) -> str:
    import rdflib

    if not isinstance(node, rdflib.URIRef):
        return str(node)
    dg, dct, skos = (rdflib.Namespace(PREFIXES[k]) for k in ("dg", "dcterms", "skos"))
    doc = g.value(node, dg.inDocument)
    if doc is not None:
        fname = g.value(doc, dg.fileName) or doc.split("/")[-1]
        num = g.value(node, rdflib.URIRef(PREFIXES["eli"] + "number"))
        title = g.value(node, dct.title) or ""
        return f"{fname} task {num or '(unnumbered)'} {title}".strip()
    for p in (skos.prefLabel, dct.title, dg.fileName, dg.asWritten, dg.rawText):
        v = g.value(node, p)
        if v is not None:
            return f"{v} <{node}>"
    return f"<{node}>"


def _path(g, shapes, path) -> str:
    import rdflib

    if path is None:
        return ""
    if isinstance(path, rdflib.BNode):  # a sequence path
        try:
            items = list(rdflib.collection.Collection(shapes, path))
            return "/".join(g.namespace_manager.normalizeUri(p) for p in items)
        except Exception:  # noqa: BLE001 - any other path kind: show it raw
            return str(path)
    return g.namespace_manager.normalizeUri(path)


def validate_nt(nt: bytes) -> list[Violation]:
    """Validate N-Triples data (the union of the named graphs)."""
    import rdflib
    from pyshacl import validate as shacl

    data = _data_graph(nt)
    shapes = _shapes_graph()
    conforms, results, _ = shacl(data, shacl_graph=shapes, inference="none", advanced=False,
                                 allow_warnings=True)
    if conforms:
        return []
    shn = rdflib.Namespace(SH)
    out = []
    for r in results.subjects(rdflib.RDF.type, shn.ValidationResult):
        focus = results.value(r, shn.focusNode)
        path = results.value(r, shn.resultPath)
        msg = results.value(r, shn.resultMessage)
        sev = results.value(r, shn.resultSeverity)
        val = results.value(r, shn.value)
        # sequence paths live in the results graph (copied from the shapes graph)
        out.append(Violation(focus=str(focus), label=_label(data, focus), path=_path(data, results, path),
                             message=str(msg or ""), severity=str(sev).rsplit("#", 1)[-1] if sev else "Violation",
                             value=None if val is None else str(val)))
    out.sort(key=lambda v: (v.label, v.path, v.message))
    return out


def validate_quads(quads: Iterable) -> list[Violation]:
    import pyoxigraph as ox

    return validate_nt(ox.serialize(sorted_triples(quads), format=ox.RdfFormat.N_TRIPLES))


def validate(directory: str | Path) -> list[Violation]:
    """Validate the build in ``directory`` (its store)."""
    import pyoxigraph as ox

    st = open_store(directory)
    return validate_nt(ox.serialize(sorted_triples(st.quads()), format=ox.RdfFormat.N_TRIPLES))


def format_violation(v: Violation) -> str:
    where = f" [{v.path}]" if v.path else ""
    val = f" (value: {v.value})" if v.value else ""
    return f"{v.severity}: {v.label}{where}: {v.message}{val}"

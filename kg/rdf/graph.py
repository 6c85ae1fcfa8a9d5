"""Records → RDF quads (the vocabulary of ontology/dutygraph.ttl), and the build directory.

``iter_blocks(corpus)`` gives every triple, graph by graph: one named graph per document
(dgr:graph/{doc}), one for each document's links (dgr:graph/links/{doc}: parent targets, alignments, evidence),
one per region for organisations (dgr:graph/orgs/{region}), and dgr:graph/corpus for the run,
directive placeholders and concepts.
``turtle(quads)`` serialises their triples deterministically (sorted, explicit prefixes).
``write_outputs(corpus, out_dir)`` writes, atomically (a temp dir beside ``out_dir``, then a swap):

    out_dir/graph.ttl          the whole graph (triples of every named graph), Turtle
    out_dir/store/             pyoxigraph persistent store with the named graphs
    out_dir/diagnostics.json   per document: file name and its diagnostics
    out_dir/manifest.json      inputs (name, sha256), counts, tool version; no timestamps

Same corpus → byte-identical graph.ttl, diagnostics.json and manifest.json.
"""
from __future__ import annotations

import hashlib
import json
import operator
import os
import pickle
import re
from functools import lru_cache
from pathlib import Path
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Optional
from urllib.parse import quote

from kg.errors import KgError
from kg.model import Corpus, Document, Organisation, Stub
from kg.vocab import DCT, DG, DGR, ELI, ORG, PREFIXES, PROV, RDF, SDO, SKOS, XSD
from kg.vocab import KIND_CLASS as KIND, LEVEL_CLASS as LEVEL, ROLE_CLASS as ROLE
from kg.vocab import ROLE_PROPERTY as ROLE_SHORTCUT, SECTION_TYPE_CLASS as SECTION_TYPE

# Turtle prefixes (order fixed; rdfs/owl unused in data but harmless).
TTL_PREFIXES = {k: PREFIXES[k] for k in ("dg", "dgr", "eli", "org", "skos", "prov", "dcterms", "schema",
                                          "rdf", "xsd")}



_PLAIN_SEG = re.compile(r"[A-Za-z0-9_.~-]*")


def _seg(s: str) -> str:
    """One IRI path segment, ASCII (ids are ASCII slugs already; anything else is %-encoded)."""
    s = str(s)
    return s if _PLAIN_SEG.fullmatch(s) else quote(s, safe="-_.~")


def short_hash(text: str, n: int = 12) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:n]


def doc_iri(doc_id: str) -> str:
    return f"{DGR}doc/{_seg(doc_id)}"


def task_iri(doc_id: str, task_id: str) -> str:
    return f"{doc_iri(doc_id)}/t/{_seg(task_id)}"


def section_iri(doc_id: str, sec_id: str) -> str:
    return f"{doc_iri(doc_id)}/s/{_seg(sec_id)}"


def measure_iri(doc_id: str, measure_id: str) -> str:
    return f"{doc_iri(doc_id)}/m/{_seg(measure_id)}"


def org_iri(org_id: str) -> str:
    return f"{DGR}org/{_seg(org_id)}"


def graph_iri(name: str) -> str:
    return f"{DGR}graph/{_seg(name)}"


def directive_iri(title: str) -> str:
    """A directive named but not held: one IRI for every written variant of its title."""
    from kg.parse.titles import title_key

    return f"{DGR}directive/{short_hash(title_key(title) or title)}"


def run_id(corpus: Corpus) -> str:
    from kg import __version__
    shas = sorted(d.source.sha256 for d in corpus.documents)
    return short_hash("\n".join(shas + ["dutygraph " + __version__]), 16)


def _key_iri(key: str, kind: str = "t") -> Optional[str]:
    """'<doc id>#<task id>' → task IRI; 'theme:<id>' → dgr:theme/{id}."""
    if key.startswith("theme:"):
        return f"{DGR}theme/{_seg(key[6:])}"
    if "#" not in key:
        return None
    d, t = key.split("#", 1)
    return f"{doc_iri(d)}/{kind}/{_seg(t)}"


_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


def _dec(x: float) -> str:
    """xsd:decimal in the canonical form the store keeps (177, 98.5), so store and Turtle agree."""
    s = f"{float(x):.6f}".rstrip("0").rstrip(".")
    return "0" if s in ("", "-0") else s


_ESC = {0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", 0x22: '\\"', 0x5C: "\\\\"}
for _i in list(range(0x20)) + [0x7F]:
    _ESC.setdefault(_i, f"\\u{_i:04X}")
_NEEDS_ESC = re.compile(r'[\x00-\x1f\x7f"\\]')


def _quote(text: str) -> str:
    """A string literal's body in canonical N-Triples (the same escapes as pyoxigraph's str())."""
    return text.translate(_ESC) if _NEEDS_ESC.search(text) else text


class _Builder:
    """Collects triples as canonical N-Triples strings ("<s> <p> o"), one list per named graph.

    Strings, not pyoxigraph objects: building, sorting and loading them (bulk_load of N-Quads)
    never creates a Python object per term, which is what the scale target needs.
    """

    def __init__(self):
        self.blocks: dict[str, list[str]] = {}
        self.lines: list[str] = []

    def graph(self, iri: str) -> None:
        self.lines = self.blocks.setdefault(iri, [])

    def add(self, s: str, p: str, o: str) -> None:
        """``o`` is an IRI."""
        self.lines.append(f"<{s}> <{p}> <{o}>")

    def raw(self, s: str, p: str, o: str) -> None:
        """``o`` is an N-Triples term already."""
        self.lines.append(f"<{s}> <{p}> {o}")

    def zh(self, s: str, p: str, text: Optional[str]) -> None:
        if text:
            self.lines.append(f'<{s}> <{p}> "{_quote(text)}"@zh')

    def text(self, s: str, p: str, value: Optional[str]) -> None:
        """A short code as written (eli:number 12 / （一）): @zh when it holds Chinese, else a plain string."""
        if value:
            if _CJK.search(value):
                self.lines.append(f'<{s}> <{p}> "{_quote(value)}"@zh')
            else:
                self.lines.append(f'<{s}> <{p}> "{_quote(value)}"')

    def lit(self, s: str, p: str, value, dt: Optional[str] = None) -> None:
        if value is None or value == "":
            return
        if dt is None:
            self.lines.append(f'<{s}> <{p}> "{_quote(str(value))}"')
        else:
            self.lines.append(f'<{s}> <{p}> "{_quote(str(value))}"^^<{XSD}{dt}>')

    def a(self, s: str, cls: str) -> None:
        self.add(s, RDF + "type", cls)

    def span(self, s: str, span) -> None:
        """dg:sourceStart / dg:sourceEnd: character offsets into the source text, when known."""
        if span:
            self.lit(s, DG + "sourceStart", span[0], "integer")
            self.lit(s, DG + "sourceEnd", span[1], "integer")


# ---------------------------------------------------------------------------- documents

def _parents(b: _Builder, doc: Document, d: str) -> None:
    """The parent directives as the document names them (its own graph)."""
    for k, p in enumerate(doc.parents, 1):
        ref = f"{d}/parent/{k}"
        b.a(ref, DG + "ParentReference")
        b.add(d, DG + "namesParent", ref)
        b.zh(ref, DCT + "title", p.title)
        b.zh(ref, DG + "relationWords", p.words)
        b.lit(ref, DG + "relation", _relation(p))


def _relation(p) -> str:
    return "based_on" if p.relation == "based_on" else "applies"


def _parent_targets(b: _Builder, doc: Document) -> None:
    """What each named parent resolved to: a document of the corpus or a placeholder directive
    (the document's links graph: it changes when a parent document comes or goes)."""
    d = doc_iri(doc.id)
    for k, p in enumerate(doc.parents, 1):
        target = doc_iri(p.document_id) if p.document_id else directive_iri(p.title)
        b.add(d, ELI + _relation(p), target)
        b.add(f"{d}/parent/{k}", DG + "target", target)


def _task(b: _Builder, doc: Document, d: str, order: int, t) -> None:
    ti = task_iri(doc.id, t.id)
    b.a(ti, DG + "Task")
    b.add(ti, DG + "inDocument", d)
    b.add(ti, ELI + "is_part_of", section_iri(doc.id, t.section) if t.section else d)
    b.text(ti, ELI + "number", t.number)
    b.zh(ti, DCT + "title", t.title)
    b.zh(ti, SDO + "description", t.text)
    b.span(ti, t.span)
    b.lit(ti, DG + "order", order, "integer")
    for k, u in enumerate(t.units, 1):
        a = f"{ti}/a/{k}"
        b.a(a, DG + "Assignment")
        b.add(ti, DG + "assignment", a)
        b.add(a, DG + "role", DG + ROLE.get(u.role, "Responsible"))
        b.lit(a, DG + "order", k, "integer")
        b.zh(a, DG + "asWritten", u.text)
        b.zh(a, DG + "roleLabel", u.label)
        b.zh(a, DG + "qualifier", u.qualifier)
        b.span(a, u.span)
        if u.org_id:
            o = org_iri(u.org_id)
            b.add(a, DG + "unit", o)
            b.add(ti, DG + ROLE_SHORTCUT.get(u.role, "responsibleUnit"), o)
    dates = []
    for k, dl in enumerate(t.deadlines, 1):
        x = f"{ti}/d/{k}"
        b.a(x, DG + "Deadline")
        b.add(ti, DG + "deadline", x)
        b.lit(x, DG + "date", dl.date, "date")
        b.zh(x, DG + "rawText", dl.raw)
        if dl.date:
            dates.append(dl.date)
    if dates:
        b.lit(ti, DG + "dueDate", min(dates), "date")
    for k, r in enumerate(t.recurrences, 1):
        x = f"{ti}/r/{k}"
        b.a(x, DG + "Recurrence")
        b.add(ti, DG + "recurrence", x)
        b.lit(x, DG + "frequency", r.frequency, "duration")
        b.zh(x, DG + "quantity", r.quantity)
        b.zh(x, DG + "rawText", r.raw)


def _measures(b: _Builder, doc: Document, d: str) -> None:
    for i, m in enumerate(doc.measures, 1):
        mi = measure_iri(doc.id, m.id)
        b.a(mi, DG + "Measure")
        b.add(mi, ELI + "is_part_of", section_iri(doc.id, m.section) if m.section else d)
        b.zh(mi, SDO + "description", m.text)
        b.lit(mi, DG + "order", i, "integer")
        b.span(mi, m.span)
        for u in m.units:
            if u.org_id:
                b.add(mi, DG + "mentionsUnit", org_iri(u.org_id))
        for j, f in enumerate(m.figures, 1):
            fi = f"{mi}/f/{j}"
            b.a(fi, DG + "Figure")
            b.add(fi, DG + "figureOf", mi)
            b.lit(fi, SDO + "value", _dec(f.value), "decimal")
            b.zh(fi, SDO + "unitText", f.unit)
            b.zh(fi, DG + "counted", f.counted)
            b.zh(fi, SDO + "description", f.text)
            b.lit(fi, DG + "approximate", "true" if f.approximate else "false", "boolean")
            b.lit(fi, DG + "figureKind", f.kind)
            b.lit(fi, DG + "year", f.year, "gYear")


def document_counts(doc: Document) -> dict:
    if isinstance(doc, Stub):
        return dict(doc.counts)
    return {"tasks": len(doc.tasks), "assignments": sum(len(t.units) for t in doc.tasks),
            "sections": len(doc.sections), "measures": len(doc.measures)}


def document_quads(b: _Builder, doc: Document) -> None:
    """Add one document's quads in its named graph."""
    b.graph(graph_iri(doc.id))
    d = doc_iri(doc.id)
    report = doc.kind == "report"
    b.a(d, DG + ("AnnualReport" if report else "Plan"))
    b.zh(d, DCT + "title", doc.title)
    if doc.level in LEVEL:
        b.add(d, DG + "level", DG + LEVEL[doc.level])
    b.zh(d, DG + "region", doc.region)
    if doc.period:
        b.lit(d, DG + "periodStart", doc.period[0], "gYear")
        b.lit(d, DG + "periodEnd", doc.period[1], "gYear")
    b.lit(d, DG + "fileName", doc.source.name)
    f = f"{DGR}file/{doc.source.sha256}"
    b.add(d, PROV + "wasDerivedFrom", f)
    b.a(f, PROV + "Entity")
    b.lit(f, DG + "sha256", doc.source.sha256)
    b.lit(f, DG + "fileName", doc.source.name)
    b.lit(f, DCT + "format", doc.source.format)
    if report:
        b.lit(d, DG + "year", doc.year, "gYear")
        if doc.reporting_body_id:
            b.add(d, DG + "reportingBody", org_iri(doc.reporting_body_id))
        b.zh(d, DG + "reportingBodyAsWritten", doc.reporting_body)
    for oid in getattr(doc, "issuer_ids", ()):  # the covering notice: issuing bodies and date
        b.add(d, ELI + "passed_by", org_iri(oid))
    if getattr(doc, "date", None):
        b.lit(d, ELI + "date_document", doc.date, "date")
    _parents(b, doc, d)
    for s in doc.sections:
        si = section_iri(doc.id, s.id)
        b.a(si, DG + ("ReportSection" if report else "Section"))
        b.add(si, ELI + "is_part_of", section_iri(doc.id, s.parent) if s.parent else d)
        b.text(si, ELI + "number", s.number)
        b.zh(si, DCT + "title", s.title)
        b.lit(si, DG + "depth", s.depth, "integer")
        if s.id in doc.section_types and doc.section_types[s.id] in SECTION_TYPE:
            b.add(si, DG + "sectionType", DG + SECTION_TYPE[doc.section_types[s.id]])
        if s.id in doc.section_themes:
            b.add(si, DG + "theme", f"{DGR}theme/{_seg(doc.section_themes[s.id])}")
    for i, t in enumerate(doc.tasks, 1):
        _task(b, doc, d, i, t)
    _measures(b, doc, d)


# ---------------------------------------------------------------------------- corpus graph

def _organisation(b: _Builder, o: Organisation) -> None:
    oi = org_iri(o.id)
    b.a(oi, ORG + "Organization")
    if o.is_group:
        b.a(oi, DG + "UnitGroup")
    b.zh(oi, SKOS + "prefLabel", o.name)
    for lab in sorted(set(o.labels) | set(o.mentions)):
        if lab and lab != o.name:
            b.zh(oi, SKOS + "altLabel", lab)
    kind = "group" if o.is_group and o.kind not in KIND else o.kind
    b.add(oi, ORG + "classification", DG + KIND.get("group" if o.is_group else kind, "OtherBody"))
    if o.level in LEVEL:
        b.add(oi, DG + "level", DG + LEVEL[o.level])
    b.zh(oi, DG + "region", o.region)
    if o.parent:
        b.add(oi, ORG + "subOrganizationOf", org_iri(o.parent))
    if o.function:
        b.add(oi, DG + "function", f"{DGR}function/{_seg(o.function)}")
    for c in o.counterparts:
        b.add(oi, DG + "counterpartAbove", org_iri(c))
    b.zh(oi, DG + "scope", o.scope)
    for m in o.members:
        b.add(oi, DG + "groupMember", org_iri(m))


def _concepts(b: _Builder, corpus: Corpus, functions: Iterable[str]) -> None:
    """The themes and functions the graph points to, as SKOS concepts with their labels."""
    theme_ids = {t for d in corpus.documents for t in d.section_themes.values()}
    theme_ids |= {e.target[6:] for e in corpus.evidence if e.target.startswith("theme:")}
    for tid in sorted(theme_ids):
        x = f"{DGR}theme/{_seg(tid)}"
        b.a(x, DG + "Theme")
        b.a(x, SKOS + "Concept")
        b.lit(x, SKOS + "notation", tid)
        try:
            from kg.parse.themes import theme

            th = theme(tid)
        except (ImportError, KgError):
            continue
        b.zh(x, SKOS + "prefLabel", th.label)
        if th.heading != th.label:
            b.zh(x, SKOS + "altLabel", th.heading)
    for fn in sorted(set(functions)):
        x = f"{DGR}function/{_seg(fn)}"
        b.a(x, DG + "Function")
        b.a(x, SKOS + "Concept")
        b.lit(x, SKOS + "notation", fn)


def links_graph_iri(doc_id: str) -> str:
    """The named graph of one document's links: its tasks' alignments, its measures' evidence."""
    return f"{DGR}graph/links/{_seg(doc_id)}"


def orgs_graph_iri(region: Optional[str]) -> str:
    """The named graph of the organisations of one region (pinyin slug and a short hash: ASCII)."""
    if not region:
        return f"{DGR}graph/orgs/none"
    from kg.resolve.orgnames import pinyin, slug

    return f"{DGR}graph/orgs/{slug('-'.join(pinyin(region)))}-{short_hash(region, 6)}"


@dataclass
class OrgGraph:
    """The named graph of the organisations of one region (orgs_graph_iri): its fingerprint (the
    organisations pickled, with the code), how many it holds, their functions, and the
    organisations themselves, or None when an incremental build did not finish them again (the
    graph is then unchanged: its fingerprint is the previous build's)."""
    iri: str
    fingerprint: str
    count: int
    functions: tuple
    orgs: Optional[list] = None

    def bare(self) -> "OrgGraph":
        return OrgGraph(self.iri, self.fingerprint, self.count, self.functions)


def org_graphs(orgs: dict[str, Organisation]) -> list[OrgGraph]:
    """The organisations' graphs, by IRI; each holds its organisations in id order."""
    regions: dict[str, list[Organisation]] = {}
    for oid in sorted(orgs):
        o = orgs[oid]
        regions.setdefault(orgs_graph_iri(o.region), []).append(o)
    return [OrgGraph(g, _fingerprint(found), len(found), tuple(sorted({o.function for o in found if o.function})),
                     found) for g, found in sorted(regions.items())]


def _key_doc(key: str) -> str:
    return key.split("#", 1)[0]


def _alignments(b: _Builder, alignments: list) -> None:
    seen: dict[str, int] = {}
    for al in alignments:
        c, p = _key_iri(al.child), _key_iri(al.parent)
        if not c or not p:
            continue
        k = seen[c] = seen.get(c, 0) + 1
        x = f"{c}/al/{k}"
        b.add(c, DG + "carriesOut", p)
        b.add(c, DG + "alignment", x)
        b.a(x, DG + "Alignment")
        b.add(x, DG + "parentTask", p)
        b.lit(x, DG + "score", _dec(al.score), "decimal")
        b.lit(x, DG + "method", al.method)
        if al.confirmed:
            b.lit(x, DG + "confirmed", "true", "boolean")


def _evidence(b: _Builder, evidence: list) -> None:
    seen: dict[str, int] = {}
    for ev in evidence:
        m, t = _key_iri(ev.measure, "m"), _key_iri(ev.target)
        if not m or not t:
            continue
        k = seen[m] = seen.get(m, 0) + 1
        x = f"{m}/e/{k}"
        if ev.counts:
            b.add(m, DG + "evidenceFor", t)
        b.a(x, DG + "Evidence")
        b.add(x, DG + "measure", m)
        b.add(x, DG + "target", t)
        b.lit(x, DG + "score", _dec(ev.score), "decimal")
        b.lit(x, DG + "method", ev.method)
        b.lit(x, DG + "counts", "true" if ev.counts else "false", "boolean")


def _lines(g: str, fill: Callable[[_Builder], object]) -> list[str]:
    """The sorted distinct lines that ``fill`` adds to graph ``g``."""
    b = _Builder()
    b.graph(g)
    fill(b)
    return sorted(set(b.blocks[g]))


@lru_cache(maxsize=1)
def _code_version() -> bytes:
    """What, besides its records, decides a graph's triples: the code (kg.build.cache.code_fingerprint:
    every module, kg/data, the libraries, pyoxigraph's Turtle writer among them)."""
    from kg import __version__
    from kg.build.cache import code_fingerprint

    return f"{__version__} {code_fingerprint()}".encode()


def _fingerprint(obj) -> str:
    """A hash of the records a graph is made from (pickled) and of the code that makes it."""
    return hashlib.sha256(_code_version() + pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()


# a links graph's records as tuples, which pickle fast, for its fingerprint
_ALIGNMENT_FIELDS = operator.attrgetter("child", "parent", "score", "method", "confirmed")
_EVIDENCE_FIELDS = operator.attrgetter("measure", "target", "score", "method", "counts")


def iter_graphs(corpus: Corpus, counts: dict, salt: str = "",
                orgs: Optional[list[OrgGraph]] = None) -> Iterator[tuple[str, Optional[str], Callable[[], list[str]]]]:
    """(named graph IRI, fingerprint, make), one graph at a time; ``make()`` gives the graph's
    triples as sorted distinct N-Triples strings "<s> <p> o" (empty: the graph is left out), and
    the fingerprint hashes everything they are made from (None: always made again), so that an
    incremental build can tell an unchanged graph without making it: a document's graph by its
    source and the rules (document_fingerprint), the others by their records pickled. ``counts``
    is filled at the end; ``salt``: see document_fingerprint; ``orgs``: the organisations' graphs
    (default: org_graphs(corpus.organisations)).

    The graphs, in this order, are cut so that a change to one document touches few of them
    (kg.build.incremental rewrites only the graphs that changed):

    - dgr:graph/{doc}: each document's records, in input order (document_graphs: they need the
      documents alone, their org ids filled by kg.resolve.entities.read);
    - dgr:graph/links/{doc}: what the document's named parents resolved to (eli:based_on /
      eli:applies, dg:target), the alignments of its tasks to their parent tasks and the evidence
      of its measures (they change with the document or with its parents); a document's own graph
      depends on it alone;
    - dgr:graph/orgs/{region}: the organisations of one region, by graph IRI;
    - dgr:graph/corpus: the build run, directives named but not held, and SKOS concepts.

    The last three (corpus_graphs) need the resolved and linked corpus.
    """
    yield from document_graphs(corpus, salt)
    yield from corpus_graphs(corpus, counts, orgs)


def document_graphs(corpus: Corpus, salt: str = "") -> Iterator[tuple[str, Optional[str], Callable[[], list[str]]]]:
    """The documents' own graphs, as iter_graphs gives them (its first part)."""
    for doc in corpus.documents:
        g = graph_iri(doc.id)
        yield g, document_fingerprint(doc, salt), lambda g=g, doc=doc: _lines(g, lambda b: document_quads(b, doc))


def corpus_graphs(corpus: Corpus, counts: dict, orgs: Optional[list[OrgGraph]] = None
                  ) -> Iterator[tuple[str, Optional[str], Callable[[], list[str]]]]:
    """The links, organisations' and corpus graphs, as iter_graphs gives them (after the
    documents' graphs); fills ``counts``."""
    from kg import __version__
    placeholders: dict[str, tuple] = {}
    per_doc = {}
    for doc in corpus.documents:
        per_doc[doc.id] = document_counts(doc)
        for p in doc.parents:
            if not p.document_id:
                placeholders.setdefault(directive_iri(p.title), (p.title, p.level))
    by_doc: dict[str, tuple[list, list]] = {d.id: ([], []) for d in corpus.documents}
    for al in corpus.alignments:
        by_doc.setdefault(_key_doc(al.child), ([], []))[0].append(al)
    for ev in corpus.evidence:
        by_doc.setdefault(_key_doc(ev.measure), ([], []))[1].append(ev)
    docs = {d.id: d for d in corpus.documents}
    for doc_id, (als, evs) in by_doc.items():
        g = links_graph_iri(doc_id)
        doc = docs.get(doc_id)
        targets = [(p.relation, p.title, p.document_id) for p in doc.parents] if doc else []

        def links(b, als=als, evs=evs, doc=doc):
            if doc is not None:
                _parent_targets(b, doc)
            _alignments(b, als)
            _evidence(b, evs)

        fp = _fingerprint((targets, list(map(_ALIGNMENT_FIELDS, als)), list(map(_EVIDENCE_FIELDS, evs))))
        yield g, fp, lambda g=g, fill=links: _lines(g, fill)
    if orgs is None:
        orgs = org_graphs(corpus.organisations)
    for og in orgs:
        def fill_orgs(b, found=og.orgs):
            for o in found:
                _organisation(b, o)

        yield og.iri, og.fingerprint, lambda g=og.iri, fill=fill_orgs: _lines(g, fill)
    functions = {f for og in orgs for f in og.functions}

    run = run_id(corpus)

    def rest(b: _Builder) -> None:
        r = f"{DGR}run/{run}"
        b.a(r, PROV + "Activity")
        b.lit(r, DG + "toolVersion", __version__)
        for doc in corpus.documents:
            b.add(r, PROV + "used", f"{DGR}file/{doc.source.sha256}")
            # in the corpus graph, not the document's: the run changes whenever any input does, and
            # an incremental build rewrites only the named graphs of documents that changed
            b.add(doc_iri(doc.id), PROV + "wasGeneratedBy", r)
        from kg.parse.titles import infer_level

        held = {p.title: doc_iri(p.document_id) for d in corpus.documents for p in d.parents if p.document_id}
        for child, rel, parent in corpus.directive_links:
            ends = []
            for title in (child, parent):
                iri = held.get(title) or directive_iri(title)
                if title not in held:
                    placeholders.setdefault(iri, (title, infer_level(title)[0]))
                ends.append(iri)
            b.add(ends[0], ELI + rel, ends[1])
        for iri, (title, level) in sorted(placeholders.items()):
            b.a(iri, ELI + "LegalResource")
            b.a(iri, DG + "Directive")
            b.zh(iri, DCT + "title", title)
            if level in LEVEL:
                b.add(iri, DG + "level", DG + LEVEL[level])
        _concepts(b, corpus, functions)

    g = graph_iri("corpus")
    yield g, None, lambda: _lines(g, rest)
    totals = {
        "documents": len(corpus.documents),
        "plans": sum(1 for d in corpus.documents if d.kind != "report"),
        "reports": sum(1 for d in corpus.documents if d.kind == "report"),
        "tasks": sum(v["tasks"] for v in per_doc.values()),
        "assignments": sum(v["assignments"] for v in per_doc.values()),
        "measures": sum(v["measures"] for v in per_doc.values()),
        "organisations": sum(og.count for og in orgs),
        "alignments": len(corpus.alignments),
        "evidence": len(corpus.evidence),
    }
    counts.update({"corpus": totals, "documents": per_doc})


def iter_blocks(corpus: Corpus, counts: dict) -> Iterator[tuple[str, list[str]]]:
    """(named graph IRI, its triples as sorted distinct N-Triples strings "<s> <p> o"), one graph
    at a time (see iter_graphs), so that memory stays flat at any corpus size."""
    for g, _fp, make in iter_graphs(corpus, counts):
        lines = make()
        if lines:
            yield g, lines


def _nquads(g: str, lines: list[str]) -> bytes:
    end = f" <{g}> .\n"
    return (end.join(lines) + end).encode("utf-8") if lines else b""


def corpus_quads(corpus: Corpus) -> tuple[list, dict]:
    """Every quad of a (small) corpus as pyoxigraph Quads, graph by graph, each sorted, and counts."""
    import pyoxigraph as ox

    counts: dict = {}
    data = b"".join(_nquads(g, lines) for g, lines in iter_blocks(corpus, counts))
    return list(ox.parse(data, format=ox.RdfFormat.N_QUADS)), counts


# ---------------------------------------------------------------------------- serialisation

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

    # lenient: the lines are kg.rdf.graph's own, ASCII IRIs and escaped literals (as the store loads them)
    nt = (" .\n".join(lines) + " .\n").encode("utf-8")
    body = ox.serialize(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES, lenient=True), format=ox.RdfFormat.TURTLE,
                        prefixes=TTL_PREFIXES)
    i = 0
    while body.startswith(b"@prefix ", i):
        i = body.index(b"\n", i) + 1
    body = body[i:]
    return body if body.endswith(b"\n") else body + b"\n"


@dataclass
class Made:
    """One graph made: its triples (sorted N-Triples strings), its N-Quads and their sha256."""
    graph: str
    fingerprint: Optional[str]
    lines: list[str]
    nq: bytes
    digest: str

    @property
    def triples(self) -> int:
        return len(self.lines)

    @property
    def chunk(self) -> bytes:
        """Its Turtle (made on demand: a graph whose digest is unchanged is copied instead)."""
        return turtle_chunk(self.lines)


def make_graph(g: str, fingerprint: Optional[str], lines: list[str]) -> Optional[Made]:
    """``lines`` (sorted N-Triples strings of graph ``g``) as a Made graph; None when empty."""
    if not lines:
        return None
    data = _nquads(g, lines)
    return Made(g, fingerprint, lines, data, hashlib.sha256(data).hexdigest())


def document_fingerprint(doc: Document, salt: str = "") -> str:
    """What a document's own graph is made from: its source file (path, sha256, name and id in the
    build), the code that parses it and makes its triples, and ``salt`` (the override rules, which
    decide its org ids)."""
    s = doc.source
    key = f"{salt}\0{s.path}\0{s.sha256}\0{s.name}\0{doc.id}\0"
    return hashlib.sha256(_code_version() + key.encode("utf-8", "surrogateescape")).hexdigest()


def make_document(doc: Document, salt: str = "") -> Optional[Made]:
    """A document's own graph, made from the document alone (its org ids filled: kg.resolve.entities.read)."""
    g = graph_iri(doc.id)
    return make_graph(g, document_fingerprint(doc, salt), _lines(g, lambda b: document_quads(b, doc)))


def copy_range(src, dst, offset: int, length: int) -> None:
    """Append ``length`` bytes of binary file ``src`` from ``offset`` to binary file ``dst``: in the
    kernel (os.copy_file_range) where it can, else through a buffer."""
    dst.flush()
    fn = getattr(os, "copy_file_range", None)
    if fn is not None:
        try:
            while length > 0:
                n = fn(src.fileno(), dst.fileno(), length, offset)
                if n <= 0:
                    break
                offset += n
                length -= n
        except OSError:
            pass
    src.seek(offset)
    while length > 0:
        data = src.read(min(length, 1 << 24))
        if not data:
            raise KgError("the previous graph.ttl is shorter than its state says: build again with --full")
        dst.write(data)
        length -= len(data)


class Chunks:
    """Where a Sink puts graph.ttl: ``write(data)`` appends bytes, ``copy(offset, length)`` appends a
    range of the previous graph.ttl (``src``), ``finish()`` ends it. This one writes at once."""

    def __init__(self, dst, src=None):
        self.dst, self.src = dst, src

    def write(self, data: bytes) -> None:
        self.dst.write(data)

    def copy(self, offset: int, length: int) -> None:
        copy_range(self.src, self.dst, offset, length)

    def finish(self) -> None:
        self.dst.flush()


class BackgroundChunks(Chunks):
    """Chunks written in order by a thread: copying the unchanged graphs (hundreds of MB at national
    size, in the kernel, without the GIL) overlaps what the caller does meanwhile (making the changed
    graphs, updating the store). ``finish()`` waits for the thread and raises what it met."""

    def __init__(self, dst, src=None):
        import queue
        import threading

        super().__init__(dst, src)
        self._todo: "queue.Queue" = queue.Queue(maxsize=256)
        self._error: Optional[BaseException] = None
        self._thread = threading.Thread(target=self._run, name="kg-ttl-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            op = self._todo.get()
            if op is None:
                return
            if self._error is not None:
                continue
            try:
                if isinstance(op, tuple):
                    Chunks.copy(self, *op)
                else:
                    Chunks.write(self, op)
            except BaseException as e:  # raised in the caller's thread by finish()
                self._error = e

    def write(self, data: bytes) -> None:
        self._todo.put(bytes(data))

    def copy(self, offset: int, length: int) -> None:
        self._todo.put((offset, length))

    def finish(self) -> None:
        self._stop()
        if self._error is not None:
            raise self._error
        Chunks.finish(self)

    def cancel(self) -> None:
        """Stop without writing what is still queued (the output is abandoned); after finish(),
        nothing to do."""
        if self._thread.is_alive() and self._error is None:
            self._error = KgError("graph.ttl was not finished")
        self._stop()

    def _stop(self) -> None:
        if self._thread.is_alive():
            self._todo.put(None)
            self._thread.join()


class Sink:
    """Writes graph.ttl (binary file ``ttl``, or a Chunks) and N-Quads (``nq``) graph by graph, in
    the order they come, and keeps the state of each: [sha256 of its N-Quads, offset and length of
    its chunk in graph.ttl, fingerprint of its records (see iter_graphs), number of triples].

    With ``previous`` = (the previous graph.ttl open for reading, its state), a graph whose
    fingerprint or, once made, digest is unchanged has its Turtle copied from the previous file
    (runs of such graphs in one copy) and is not written to ``nq``: ``nq`` then holds only the
    graphs to (re)load into the store. ``close()`` ends the file (a Chunks given as ``ttl`` is
    left for its owner to finish).
    """

    def __init__(self, ttl, nq, previous: Optional[tuple] = None):
        self.old_ttl, self.old_state = previous if previous else (None, {})
        self._own = not isinstance(ttl, Chunks)
        self.ttl = Chunks(ttl, self.old_ttl) if self._own else ttl
        self.nq = nq
        self.state: dict[str, list] = {}
        self.triples = 0
        self._copy: Optional[list[int]] = None  # [offset, length] in the previous file, still to copy
        self.ttl.write(TTL_HEAD)
        self.pos = len(TTL_HEAD)

    def _was(self, g: str) -> Optional[list]:
        return self.old_state.get(g) if self.old_ttl is not None else None

    def _flush_copy(self) -> None:
        if self._copy:
            self.ttl.copy(*self._copy)
            self._copy = None

    def _keep(self, g: str, was: list, fp: Optional[str]) -> None:
        """Graph ``g`` as in the previous build."""
        if self._copy and self._copy[0] + self._copy[1] == was[1]:
            self._copy[1] += was[2]
        else:
            self._flush_copy()
            self._copy = [was[1], was[2]]
        self._note(g, was[0], fp, was[4], was[2])

    def _note(self, g: str, digest: str, fp: Optional[str], size: int, length: int) -> None:
        self.state[g] = [digest, self.pos, length, fp, size]
        self.pos += length
        self.triples += size

    def unchanged(self, g: str, fp: Optional[str]) -> bool:
        """Copy graph ``g`` from the previous build when its fingerprint is ``fp``; True if done."""
        was = self._was(g)
        if not (was and fp is not None and was[3] == fp):
            return False
        self._keep(g, was, fp)
        return True

    def put(self, made: Optional[Made]) -> None:
        """A graph made anew: kept from the previous build when its digest is unchanged."""
        if made is None:
            return
        was = self._was(made.graph)
        if was and was[0] == made.digest:
            self._keep(made.graph, was, made.fingerprint)
            return
        self._flush_copy()
        chunk = made.chunk
        self.nq.write(made.nq)
        self.ttl.write(chunk)
        self._note(made.graph, made.digest, made.fingerprint, made.triples, len(chunk))

    def graph(self, g: str, fp: Optional[str], make: Callable[[], list[str]]) -> None:
        if not self.unchanged(g, fp):
            self.put(make_graph(g, fp, make()))

    def close(self) -> None:
        self._flush_copy()
        if self._own:
            self.ttl.finish()


def emit(corpus: Corpus, ttl, nq, previous: Optional[tuple] = None, salt: str = "",
         orgs: Optional[list[OrgGraph]] = None,
         prepare: Optional[Callable[[], list[OrgGraph]]] = None) -> tuple[dict, dict, int]:
    """Write graph.ttl to ``ttl`` (a binary file, or a Chunks that the caller finishes) and
    N-Quads to ``nq``, graph by graph (Sink).

    Returns (state, counts, number of triples); see Sink for ``previous``; ``salt``: see
    document_fingerprint; ``orgs``: see iter_graphs. ``prepare()``, when given, is called once
    the documents' graphs are written (iter_graphs: they need the documents alone): it makes the
    rest of the corpus (organisations, links) and returns the organisations' graphs.
    """
    sink = Sink(ttl, nq, previous)
    counts: dict = {}
    for g, fp, make in document_graphs(corpus, salt):
        sink.graph(g, fp, make)
    if prepare is not None:
        orgs = prepare()
    for g, fp, make in corpus_graphs(corpus, counts, orgs):
        sink.graph(g, fp, make)
    sink.close()
    counts["corpus"]["quads"] = sink.triples
    return sink.state, counts, sink.triples


def turtle(quads: Iterable) -> bytes:
    """Deterministic Turtle in graph.ttl's layout: graph by graph (in order of first appearance),
    each graph's distinct triples sorted, explicit prefixes."""
    by_graph: dict[str, set[str]] = {}
    for q in quads:
        by_graph.setdefault(str(q.graph_name), set()).add(_line(q.triple))
    return TTL_HEAD + b"".join(turtle_chunk(sorted(lines)) for lines in by_graph.values())


def diagnostics_json(corpus: Corpus) -> dict:
    return {d.id: {"file": d.source.name,
                   "diagnostics": [{"code": x.code, "message": x.message, "severity": x.severity,
                                    "span": list(x.span) if x.span else None} for x in d.diagnostics]}
            for d in corpus.documents}


def manifest_json(corpus: Corpus, counts: dict, n_triples: int) -> dict:
    from kg import __version__
    c = dict(counts["corpus"], triples=n_triples)
    return {
        "tool": "dutygraph",
        "version": __version__,
        "run": f"{DGR}run/{run_id(corpus)}",
        "inputs": [{"document": d.id, "file": d.source.name, "sha256": d.source.sha256,
                    "format": d.source.format, "kind": d.kind, "graph": graph_iri(d.id),
                    "counts": counts["documents"][d.id]} for d in corpus.documents],
        "counts": c,
        "outputs": ["graph.ttl", "store/", "diagnostics.json", "manifest.json"],
    }


def _dump(obj) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


OUTPUTS = ("graph.ttl", "store", "diagnostics.json", "manifest.json")


def _check_out(out: Path, keep: tuple = ()) -> None:
    from kg.atomic import MARK

    if out.exists() and not out.is_dir():
        raise KgError(f"{out} is a file: give --out a directory")
    if out.is_dir() and not (out / "manifest.json").exists():
        if any(p.name not in keep and p.name != MARK for p in out.iterdir()):
            raise KgError(f"{out} exists and is not a built graph (no manifest.json): "
                          f"choose another --out or remove it")


def write_outputs(corpus: Corpus, out_dir: Path, keep: tuple = (), state: Optional[dict] = None,
                  salt: str = "", orgs: Optional[list[OrgGraph]] = None,
                  prepare: Optional[Callable[[], list[OrgGraph]]] = None) -> list[Path]:
    """Write graph.ttl, store/, diagnostics.json, manifest.json into ``out_dir`` atomically.

    The directory is built beside ``out_dir`` (NAME.tmp-XXXX, kg.atomic.Stage) and swapped in
    at once; on failure the previous ``out_dir`` is left as it was. ``keep`` names entries of
    the old directory carried into the new one (cache); ``state``, when given, receives the
    per-graph digests and graph.ttl offsets (see ``Sink``) for kg.build.incremental; for ``salt``,
    ``orgs`` and ``prepare`` see ``write_into``. The folder is locked meanwhile (kg.atomic.FolderLock).
    """
    from kg.atomic import FolderLock, Stage, carry, sweep, target_of

    out = target_of(out_dir)
    _check_out(out, tuple(keep))
    with FolderLock(out) as lock:
        sweep(out)
        stage = Stage(out)
        try:
            lock.hold(stage.path)
            for name in keep:
                if (out / name).is_dir() and not (out / name).is_symlink():
                    os.mkdir(stage.path / name, 0o777)
                    carry(out / name, stage.path / name, links=False)
            new_state = write_into(corpus, stage.path, salt=salt, orgs=orgs, prepare=prepare)
            stage.commit()
        except BaseException:
            stage.abort()
            if lock.created and out.is_dir() and not any(out.iterdir()):
                out.rmdir()
            raise
        stage.discard()
    if state is not None:
        state.update(new_state)
    return [out / name for name in OUTPUTS]


def write_into(corpus: Corpus, folder: Path, salt: str = "", orgs: Optional[list[OrgGraph]] = None,
               prepare: Optional[Callable[[], list[OrgGraph]]] = None) -> dict:
    """Write graph.ttl, store/, diagnostics.json and manifest.json into ``folder`` (a new folder:
    a kg.atomic.Stage); return the per-graph state (see ``Sink``).

    Triples stream graph by graph (iter_graphs) into graph.ttl and into the N-Quads input of a
    child process that bulk-loads the store meanwhile (kg.build.loader), so memory stays flat.
    ``salt`` names the override rules the org ids were resolved with (see
    ``document_fingerprint``); ``orgs``: see ``iter_graphs``.

    ``prepare``, when given, completes ``corpus`` (its organisations and links) and returns the
    organisations' graphs. It is called once the documents' own graphs are written, while the
    store still loads them: the slowest stage of a large build (the bulk load) starts before
    the organisations are resolved and the tasks aligned, instead of after.
    """
    from kg.build.loader import Loader

    folder = Path(folder)
    with open(folder / "graph.ttl", "wb") as ttl, Loader(folder / "store", streams=2) as loader:

        def rest() -> Optional[list[OrgGraph]]:
            loader.next()  # the documents' quads end: their last batch loads while the rest is made
            return prepare() if prepare is not None else orgs

        new_state, counts, n_triples = emit(corpus, ttl, loader.file, salt=salt, orgs=orgs, prepare=rest)
    (folder / "diagnostics.json").write_bytes(_dump(diagnostics_json(corpus)))
    (folder / "manifest.json").write_bytes(_dump(manifest_json(corpus, counts, n_triples)))
    return new_state

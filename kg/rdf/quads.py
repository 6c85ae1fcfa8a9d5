"""The quads of the records: a document (its sections, tasks, assignments, deadlines, measures,
figures), its parent targets, an organisation, the corpus' concepts, alignments and evidence."""
from __future__ import annotations

from typing import Iterable

from kg.errors import KgError
from kg.model import Corpus, Document, Organisation
from kg.parse.themes import theme
from kg.rdf.builder import Builder, decimal
from kg.rdf.iris import directive_iri, doc_iri, key_iri, measure_iri, org_iri, section_iri, seg, task_iri, graph_iri
from kg.vocab import DCT, DG, DGR, ELI, ORG, PROV, SDO, SKOS
from kg.vocab import KIND_CLASS as KIND, LEVEL_CLASS as LEVEL, ROLE_CLASS as ROLE
from kg.vocab import ROLE_PROPERTY as ROLE_SHORTCUT, SECTION_TYPE_CLASS as SECTION_TYPE


def _parents(b: Builder, doc: Document, d: str) -> None:
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


def parent_targets(b: Builder, doc: Document) -> None:
    """What each named parent resolved to: a document of the corpus or a placeholder directive
    (the document's links graph: it changes when a parent document comes or goes)."""
    d = doc_iri(doc.id)
    for k, p in enumerate(doc.parents, 1):
        target = doc_iri(p.document_id) if p.document_id else directive_iri(p.title)
        b.add(d, ELI + _relation(p), target)
        b.add(f"{d}/parent/{k}", DG + "target", target)


def _task(b: Builder, doc: Document, d: str, order: int, t) -> None:
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
        a = b.part(ti, DG + "assignment", f"{ti}/a/{k}", DG + "Assignment")
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
        x = b.part(ti, DG + "deadline", f"{ti}/d/{k}", DG + "Deadline")
        b.lit(x, DG + "date", dl.date, "date")
        b.zh(x, DG + "rawText", dl.raw)
        if dl.date:
            dates.append(dl.date)
    if dates:
        b.lit(ti, DG + "dueDate", min(dates), "date")
    for k, r in enumerate(t.recurrences, 1):
        x = b.part(ti, DG + "recurrence", f"{ti}/r/{k}", DG + "Recurrence")
        b.lit(x, DG + "frequency", r.frequency, "duration")
        b.zh(x, DG + "quantity", r.quantity)
        b.zh(x, DG + "rawText", r.raw)


def _measures(b: Builder, doc: Document, d: str) -> None:
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
            b.lit(fi, SDO + "value", decimal(f.value), "decimal")
            b.zh(fi, SDO + "unitText", f.unit)
            b.zh(fi, DG + "counted", f.counted)
            b.zh(fi, SDO + "description", f.text)
            b.lit(fi, DG + "approximate", "true" if f.approximate else "false", "boolean")
            b.lit(fi, DG + "figureKind", f.kind)
            b.lit(fi, DG + "year", f.year, "gYear")


def document_counts(doc: Document) -> dict:
    """A document's counts (Document.counts; a stand-in of one, kg.build.stubs.Stub, carries them)."""
    return dict(doc.counts)


def document_quads(b: Builder, doc: Document) -> None:
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
            b.add(si, DG + "theme", f"{DGR}theme/{seg(doc.section_themes[s.id])}")
    for i, t in enumerate(doc.tasks, 1):
        _task(b, doc, d, i, t)
    _measures(b, doc, d)


def organisation_quads(b: Builder, o: Organisation) -> None:
    """One organisation's quads (its region's graph)."""
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
        b.add(oi, DG + "function", f"{DGR}function/{seg(o.function)}")
    for c in o.counterparts:
        b.add(oi, DG + "counterpartAbove", org_iri(c))
    b.zh(oi, DG + "scope", o.scope)
    for m in o.members:
        b.add(oi, DG + "groupMember", org_iri(m))


def concept_quads(b: Builder, corpus: Corpus, functions: Iterable[str]) -> None:
    """The themes and functions the graph points to, as SKOS concepts with their labels."""
    theme_ids = {t for d in corpus.documents for t in d.section_themes.values()}
    theme_ids |= {e.target[6:] for e in corpus.evidence if e.target.startswith("theme:")}
    for tid in sorted(theme_ids):
        x = f"{DGR}theme/{seg(tid)}"
        b.a(x, DG + "Theme")
        b.a(x, SKOS + "Concept")
        b.lit(x, SKOS + "notation", tid)
        try:
            th = theme(tid)
        except (ImportError, KgError):
            continue
        b.zh(x, SKOS + "prefLabel", th.label)
        if th.heading != th.label:
            b.zh(x, SKOS + "altLabel", th.heading)
    for fn in sorted(set(functions)):
        x = f"{DGR}function/{seg(fn)}"
        b.a(x, DG + "Function")
        b.a(x, SKOS + "Concept")
        b.lit(x, SKOS + "notation", fn)


def alignment_quads(b: Builder, alignments: list) -> None:
    """The alignments of child tasks to parent tasks (a links graph)."""
    seen: dict[str, int] = {}
    for al in alignments:
        c, p = key_iri(al.child), key_iri(al.parent)
        if not c or not p:
            continue
        k = seen[c] = seen.get(c, 0) + 1
        x = f"{c}/al/{k}"
        b.add(c, DG + "carriesOut", p)
        b.add(c, DG + "alignment", x)
        b.a(x, DG + "Alignment")
        b.add(x, DG + "parentTask", p)
        b.lit(x, DG + "score", decimal(al.score), "decimal")
        b.lit(x, DG + "method", al.method)
        if al.confirmed:
            b.lit(x, DG + "confirmed", "true", "boolean")


def evidence_quads(b: Builder, evidence: list) -> None:
    """The evidence of report measures for tasks or themes (a links graph)."""
    seen: dict[str, int] = {}
    for ev in evidence:
        m, t = key_iri(ev.measure, "m"), key_iri(ev.target)
        if not m or not t:
            continue
        k = seen[m] = seen.get(m, 0) + 1
        x = f"{m}/e/{k}"
        if ev.counts:
            b.add(m, DG + "evidenceFor", t)
        b.a(x, DG + "Evidence")
        b.add(x, DG + "measure", m)
        b.add(x, DG + "target", t)
        b.lit(x, DG + "score", decimal(ev.score), "decimal")
        b.lit(x, DG + "method", ev.method)
        b.lit(x, DG + "counts", "true" if ev.counts else "false", "boolean")


"""Resolve unit mentions to organisation entities.

``resolve(documents, overrides=None)`` fills ``UnitMention.org_id`` in every task (and an annual
report's ``reporting_body_id`` and its measures' mentions) and returns the organisations by id.

How a mention becomes an entity (names: kg.resolve.orgnames):
- its prefix gives level and region from the document's chain (区司法局 in a 柳州市城中区 plan is
  柳州市城中区司法局; 市公安局城中分局 and 城中生态环境局 are branches of 柳州市 bodies);
- two mentions are one entity when level, region and the contracted core agree
  (市应急局 = 市应急管理局, 区发改局 = 区发展和改革局); every as-written form is kept;
- collective phrases (区政府各有关部门, 各街道, 市直有关部门 …) are groups with their scope;
  a coordination (UnitMention.parts) is a group whose members are the parts;
- departments are part of their government, party organs of their party committee;
- bodies serving one function are linked one level up (区司法局 → 柳州市司法局 → 广西壮族自治区司法厅),
  creating the body above when the corpus does not name it.

Override rules: kg.resolve.rules; the resolver itself: kg.resolve.resolver. This module reads
documents with it and finishes the organisations part by part.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Optional

from kg.model import Diagnostic, Document, Organisation, Reading, Resolution
from kg.nogc import no_gc
from kg.resolve import orgnames as N
from kg.resolve.resolver import Resolver, context
from kg.resolve.rules import Rule, load_overrides, rules_digest  # noqa: F401  (kg.resolve.entities' API)


def tied(p: N.ParsedName) -> tuple:
    """The regions that finishing an entity of ``p`` reads or creates bodies in: its own region
    ("" for none) and the regions up its chain below national (its counterparts, created when
    missing). National bodies are only looked up, never created, so national is not tied."""
    out = [p.region or ""]
    c = p.chain
    if p.region and c.level == p.level:
        c = c.up()
        while c.level and c.level != "national" and c.region:
            out.append(c.region)
            c = c.up()
    return tuple(out)


def read(doc: Document, rules: list[Rule], resolver: Optional[Resolver] = None) -> Reading:
    """The Reading of one document, filling the org ids of its mentions (tasks' and measures'
    units, a report's body) on the way: an entity's id is a function of its key (N.org_id),
    and a mention's key of its text, its document's region and the override rules, so a
    document's own records, and its graph, depend on the document alone. ``resolver``: one to
    share name readings between documents."""
    r = resolver or Resolver(rules, counterparts=False)
    chain = context(doc)
    scope = "" if chain.region else doc.id
    out: list = []

    def one(record: object, attr: str, text: str, parts: Iterable[str] = ()) -> None:
        key, _ = r.effects(text, chain, tuple(parts), scope, True, out)
        setattr(record, attr, N.org_id(key))

    for task in doc.tasks:
        _drop_empty(doc, task, "task")
        for u in task.units:
            one(u, "org_id", u.text, u.parts)
    for m in doc.measures:
        _drop_empty(doc, m, "measure")
        for u in m.units:
            one(u, "org_id", u.text, u.parts)
    if doc.reporting_body and N.normalise(doc.reporting_body):
        one(doc, "reporting_body_id", doc.reporting_body)
    if getattr(doc, "issuers", None):  # the bodies that issued a plan's covering notice
        doc.issuer_ids = [N.org_id(r.effects(name, chain, (), scope, True, out)[0]) for name in doc.issuers]
    ties = {}
    for eff in out:
        ties.setdefault(id(eff.parsed), eff.parsed)
    return Reading(out, tuple(sorted({tied(p) for p in ties.values()})))


def _drop_empty(doc: Document, record, what: str) -> None:
    """Leave out the units of a task (or a measure) whose name is empty once normalised (a typo
    such as 配合单位：：), each with a diagnostic on the document naming the task: a typo in one
    annotation is not a failed build."""
    empty = [u for u in record.units if not N.normalise(u.text)]
    if not empty:
        return
    record.units = [u for u in record.units if N.normalise(u.text)]
    if what == "task":
        named = f"task {record.number or record.id} {record.title[:30]}".rstrip()
    else:
        named = f"measure {record.id}"
    for u in empty:
        label = u.label or u.role
        doc.diagnostics.append(Diagnostic(
            "empty-unit", f"{named}: the {label} names no unit ({label}：{u.text or ''}); left out: "
                          "write the unit's name", u.span, "warning"))


def partition(ties: Iterable[tuple]) -> dict[str, str]:
    """Region -> the name of its part (the least region of it in code-point order): regions
    tied together, directly or through others, are one part. A part's bodies are finished
    from its own entities and the national bodies' index alone (see ``finish_all``)."""
    root: dict[str, str] = {}

    def find(x: str) -> str:
        root.setdefault(x, x)
        while root[x] != x:
            root[x] = root[root[x]]
            x = root[x]
        return x

    for group in ties:
        a = find(group[0])
        for region in group[1:]:
            b = find(region)
            if a != b:
                a, b = min(a, b), max(a, b)
                root[b] = a
    return {x: find(x) for x in sorted(root)}


def finish_part(effects: Iterable[tuple], national: Optional[dict] = None,
                counterparts: bool = True) -> tuple[dict[str, Organisation], dict]:
    """(organisations, national index) of one part from its effects in corpus order."""
    r = Resolver([], counterparts=counterparts)
    r.national = national or {}
    for eff in effects:
        r.apply(eff)
    return r.finish(), r.national_index()


def split(readings: Iterable[Reading], parts: dict[str, str]) -> dict[str, list]:
    """Part name -> its effects, in corpus order."""
    out: dict[str, list] = {}
    for rd in readings:
        for eff in rd.effects:
            out.setdefault(parts[eff.parsed.region or ""], []).append(eff)
    return out


def finish_split(effects: dict[str, list], top: Optional[str], national: Optional[dict] = None,
                 counterparts: bool = True) -> tuple[dict[str, dict[str, Organisation]], dict]:
    """(part name -> its organisations, national index) of the parts in ``effects`` (part name ->
    its effects in corpus order); ``top``, the national part, first when present: its index is
    given to the others (else ``national``, the index of an earlier build)."""
    national = dict(national or {})
    by_part: dict[str, dict[str, Organisation]] = {}
    for name in sorted(effects, key=lambda n: (n != top, n)):
        found, index = finish_part(effects[name], national, counterparts)
        if name == top:
            national = index
        by_part[name] = found
    return by_part, national


def finish_all(readings: list[Reading], counterparts: bool = True) -> Resolution:
    """The organisations of a corpus from its documents' readings, part by part (``partition``):
    the national part first, its index then given to the others. The same as one resolver over
    the whole corpus (tested), and what lets a build finish again only the parts that changed."""
    with no_gc():
        parts = partition(t for rd in readings for t in rd.ties)
        by_part, national = finish_split(split(readings, parts), parts.get(N.NATIONAL), None, counterparts)
        orgs = {i: o for found in by_part.values() for i, o in found.items()}
        return Resolution({i: orgs[i] for i in sorted(orgs)}, parts, by_part, national)


def resolve(documents: list[Document], overrides: str | Path | None | list[Rule] = None,
            counterparts: bool = True) -> dict[str, Organisation]:
    """Fill every mention's org_id (and reports' reporting_body_id); return organisations by id."""
    return finish_all(read_all(documents, overrides), counterparts).organisations


def read_all(documents: list[Document], overrides: str | Path | None | list[Rule] = None) -> list[Reading]:
    """The Readings of ``documents`` (one resolver shares name readings between them)."""
    rules = overrides if isinstance(overrides, list) else load_overrides(overrides)
    r = Resolver(rules, counterparts=False)
    # Resolution makes no reference cycles, but many objects: left on, the cyclic collector would
    # walk the whole corpus again and again (40% of the time at 1,000 plans, growing with size).
    with no_gc():
        return [read(doc, rules, r) for doc in documents]


def resolve_whole(documents: list[Document], overrides: str | Path | None | list[Rule] = None) -> dict[str, Organisation]:
    """``resolve`` by one resolver over the whole corpus, without parts: what finish_all must equal."""
    r = Resolver([])
    for rd in read_all(documents, overrides):
        for eff in rd.effects:
            r.apply(eff)
    return r.finish()


def resolve_name(name: str, level: Optional[str] = None, region: Optional[str] = None, title: str = "",
                 overrides: str | Path | None = None) -> Organisation:
    """One name as written in a document of this level and region → its organisation."""
    r = Resolver(overrides, counterparts=False)
    key = r.mention(name, N.chain_for(level, region, title))
    orgs = r.finish()
    return orgs[N.org_id(key)]

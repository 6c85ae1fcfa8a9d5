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

Override file (YAML, or CSV with the same columns), for corrections without touching code::

    units:
      - name: 区政管办                      # a unit as written (spaces, brackets, 等部门 ignored)
        same_as: 柳州市城中区政务服务管理办公室  # resolve it to this body: a full name or another form
        region: 柳州市城中区                 # optional: only in documents of this region or below
      - name: 区法治建设议事协调机构
        kind: party                         # party government court procuratorate congress cppcc
                                            # mass other, or group (a collective phrase)
    links: …                                # other keys belong to other stages and are ignored

CSV: a header ``name,region,same_as,kind`` and one rule a row (empty cells for no value).
A rule whose ``same_as`` is a full name also gives the entity that name as its prefLabel.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from kg.errors import KgError
from kg.model import Document, Organisation
from kg.resolve import orgnames as N
from kg.vocab import KIND_CLASS as KIND_CLASSES, KINDS  # noqa: E402


# ---------------------------------------------------------------- overrides

@dataclass(frozen=True)
class Rule:
    name: str
    region: str = ""
    same_as: str = ""
    kind: str = ""


def load_overrides(path: str | Path | None) -> list[Rule]:
    """Read the ``units`` rules of an override file (YAML or CSV)."""
    from kg.resolve.overrides import entries

    p = Path(path) if path else None
    rows = entries(path, "units", "{name, same_as, kind, region} entries")
    rules = []
    for i, r in enumerate(rows, 1):
        if not isinstance(r, dict) or not str(r.get("name") or "").strip():
            raise KgError(f"{p}: unit rule {i} has no name")
        kind = str(r.get("kind") or "").strip()
        if kind and kind not in KINDS:
            raise KgError(f"{p}: unit rule {i} ({r['name']}) has kind {kind!r}; use one of {', '.join(KINDS)}")
        rules.append(Rule(N.normalise(str(r["name"])), N.normalise(str(r.get("region") or "")),
                          str(r.get("same_as") or "").strip(), kind))
    return rules


def rules_digest(rules: list[Rule]) -> str:
    """A short hash of the rules: what a document's org ids depend on besides the document."""
    import hashlib

    return hashlib.sha256(repr(rules).encode("utf-8")).hexdigest()[:16]


def _rule_for(rules: list[Rule], text: str, chain: N.Chain) -> Optional[Rule]:
    for r in rules:
        if r.name == text and (not r.region or r.region in (chain.region, chain.city, chain.district,
                                                             chain.province)
                               or (chain.region or "").startswith(r.region)):
            return r
    return None


# ---------------------------------------------------------------- entities

@dataclass
class _Entity:
    key: str
    variants: list[N.ParsedName] = field(default_factory=list)
    forms: set[str] = field(default_factory=set)  # as written
    labels: set[str] = field(default_factory=set)
    members: list[str] = field(default_factory=list)  # keys
    name: str = ""  # set by an override
    kind: str = ""  # set by an override
    counts: dict[str, int] = field(default_factory=dict)
    _rep: Optional[tuple] = None
    _names: set[str] = field(default_factory=set)  # the canonical names of the variants

    @property
    def rep(self) -> N.ParsedName:
        """The variant whose canonical name is the longest (then the first in code-point order);
        a name without a second name in brackets first."""
        if self._rep is None or self._rep[0] != len(self.variants):
            self._rep = (len(self.variants), sorted(self.variants, key=lambda p: (p.name.endswith(")"), -len(p.name), p.name))[0])
        return self._rep[1]


def _enumeration(s: str, chain: N.Chain) -> list[str]:
    """An unsplit list (市委、市政府): its parts, when each one reads as a unit by itself."""
    import re

    depth, parts, cur = 0, [], ""
    for ch in s:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "、" and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    if len(parts) < 2 or any(not p for p in parts):
        return []
    for p in parts:
        q = N.parse(p, chain)
        if not q.level or q.kind == "other" or not re.search(r"(局|厅|委|办|部|院|会|府|室|中心|联|队|所|站|社|团)$", p):
            return []
    return parts


def _short_region_forms(e: _Entity) -> set[str]:
    """城中区司法局 for 柳州市城中区司法局: the name without the city, as people also write it."""
    out = set()
    for v in e.variants:
        c = v.chain
        if v.region and v.level == "district" and c.city and v.region.startswith(c.city) and v.region != c.city:
            for n in (v.name, v.written(full=False)):
                if n.startswith(v.region):
                    out.add(n[len(c.city):])
    return out


def context(doc: Document) -> N.Chain:
    """The region chain of a document (its level, region, and the province/city above)."""
    titles = [doc.title or ""] + [p.title for p in doc.parents]
    if doc.reporting_body:
        titles.append(doc.reporting_body)
    return N.chain_for(doc.level, doc.region, *titles)


class Resolver:
    """Collects mentions, then ``finish()`` builds the organisations."""

    def __init__(self, overrides: str | Path | None | list[Rule] = None, counterparts: bool = True):
        self.rules = overrides if isinstance(overrides, list) else load_overrides(overrides)
        self.counterparts = counterparts
        self.entities: dict[str, _Entity] = {}
        self._by_function: Optional[dict] = None
        self._order: list[str] = []  # entity keys in the order they were created
        # (text, chain, parts, scope) -> what reading that mention gives (see _read): a name is
        # parsed once per document region, however often the corpus repeats it.
        self._read_cache: dict[tuple, tuple] = {}
        self._effect_cache: dict[tuple, tuple] = {}
        self.national: dict = {}  # national_index() of the national bodies when finished apart

    def _add(self, p: N.ParsedName, key: Optional[str] = None, name: Optional[str] = None) -> _Entity:
        key = key or p.key
        e = self.entities.get(key)
        if e is None:
            e = self.entities[key] = _Entity(key)
            self._order.append(key)
        name = name or p.name
        if name not in e._names:
            e._names.add(name)
            e.variants.append(p)
        return e

    def _read(self, text: str, chain: N.Chain, parts: tuple, scope: str) -> tuple:
        """The part of a mention that depends on its text and document only (no entity state):
        (as written, parsed name, its key and canonical name, name and kind set by an override,
        parts)."""
        written = "".join((text or "").split())
        s = N.normalise(text)
        if not s:
            raise KgError(f"empty unit name in a document of {chain.region or 'unknown region'}")
        rule = _rule_for(self.rules, s, chain)
        p = N.parse(rule.same_as if rule and rule.same_as else s, chain)
        parts = [x for x in parts if N.normalise(x)]
        if not parts and not (rule and rule.same_as):
            parts = _enumeration(s, chain)
        if rule and rule.kind and rule.kind != "group":
            p.is_group, p.kind = False, rule.kind
        if (rule and rule.kind == "group") or parts:
            p.is_group, p.kind = True, "group"
            if not p.level:
                p.level, p.region = chain.level, chain.region
        if (p.level or p.is_group) and not p.region:  # a document of unknown region: keep it apart
            p.region, p.scope = None, scope or "?"
        name, kind = None, ""
        if rule:
            if rule.same_as and p.region and N.normalise(rule.same_as).startswith(p.region):
                name = N.normalise(rule.same_as)
            kind = rule.kind
        return written, p, p.key, p.name, name, kind, tuple(parts)

    def effects(self, text: str, chain: N.Chain, parts: tuple = (), scope: str = "", record: bool = True,
                out: Optional[list] = None) -> tuple[str, list]:
        """(entity key, effects) of one as-written unit in a document of ``chain``, without
        touching the entities: each effect, ``(key, parsed name, canonical name, name and kind set
        by an override, as written, recorded (else a label), member keys)``, tells what one entity
        takes from the mention (a coordination gives one for the group and one for each part).
        A function of the mention and the override rules; the tuples are shared between equal
        mentions (a document's effects pickle small)."""
        out = [] if out is None else out
        ck = (text, chain, parts, scope)
        got = self._read_cache.get(ck)
        if got is None:
            got = self._read_cache[ck] = self._read(text, chain, parts, scope)
        written, p, key, canonical, name, kind, parts = got
        at = len(out)
        out.append(None)
        members = tuple(self.effects(part, chain, record=False, out=out)[0] for part in parts)
        ek = (ck, record, members)
        eff = self._effect_cache.get(ek)
        if eff is None:
            eff = self._effect_cache[ek] = (key, p, canonical, name, kind, written, record, members)
        out[at] = eff
        return key, out

    def apply(self, effect: tuple) -> _Entity:
        """Add one effect (see ``effects``) to the entities."""
        key, p, canonical, name, kind, written, record, members = effect
        e = self._add(p, key, canonical)
        if name is not None:
            e.name = name
        if kind:
            e.kind = kind
        if record:
            e.forms.add(written)
            e.counts[written] = e.counts.get(written, 0) + 1
        else:
            e.labels.add(written)
        for k in members:
            if k not in e.members:
                e.members.append(k)
        return e

    def mention(self, text: str, chain: N.Chain, parts: Iterable[str] = (), scope: str = "",
                record: bool = True) -> str:
        """Resolve one as-written unit in a document of ``chain``; returns the entity key."""
        key, out = self.effects(text, chain, tuple(parts), scope, record)
        for eff in out:
            self.apply(eff)
        return key

    # ------------------------------------------------------------ structure

    def _ensure(self, p: N.ParsedName) -> _Entity:
        return self._add(p)

    def _parent(self, e: _Entity) -> Optional[N.ParsedName]:
        p = e.rep
        kind = e.kind or p.kind
        if p.is_group or not p.level or not p.region or kind == "group":
            return None
        core = N.contract(p.core)
        mk = lambda core_, kind_, party=False: N.ParsedName(  # noqa: E731
            text="", level=p.level, region=p.region, core=core_, party=party, kind=kind_, chain=p.chain)
        if p.place:
            return mk(p.core, kind)
        if kind == "government" and core != "政府":
            return mk("人民政府", "government")
        if kind == "party" and not (p.party and core in ("", "委")):
            return mk("", "party", party=True)
        if kind == "congress" and core not in ("人大", "人大常委会"):
            return mk("人大常委会", "congress")
        if kind == "cppcc" and core != "政协":
            return mk("政协", "cppcc")
        return None

    def _function(self, e: _Entity) -> Optional[str]:
        p = e.rep
        kind = e.kind or p.kind
        if p.is_group:
            return None
        stem = N.function_stem(p.core if not (p.party and not p.core) else "委", kind)
        if p.party and stem in ("办", "委"):
            stem = "委" + stem if stem == "办" else stem
        return stem

    def _sweep(self, visit, after_round=None) -> None:
        """Visit every entity in code-point order of its key, then (round after round) the ones
        the visits created, until a round creates none. ``after_round(created)`` gets the keys
        created during a round."""
        seen = 0
        while seen < len(self._order):
            todo = sorted(self._order[seen:])
            seen = len(self._order)
            for k in todo:
                visit(k)
            if after_round:
                after_round(self._order[seen:])

    def _link_parent(self, k: str, parent: dict[str, str]) -> None:
        pp = self._parent(self.entities[k])
        if pp is not None and pp.key != k:
            parent[k] = self._ensure(pp).key

    def _stem(self, k: str, stems: dict[str, Optional[str]]) -> None:
        if k not in stems:
            stems[k] = self._function(self.entities[k])

    def finish(self) -> dict[str, Organisation]:
        """Parents, functions, counterparts and ids: the organisations by id."""
        parent: dict[str, str] = {}
        stems: dict[str, Optional[str]] = {}
        up: dict[str, str] = {}

        def structure(k: str) -> None:  # its parent body (created when missing), its function
            self._link_parent(k, parent)
            stems[k] = self._function(self.entities[k])

        self._sweep(structure)
        if self.counterparts:
            done: set[str] = set()

            def counterpart(k: str) -> None:  # the body one level up (created when missing)
                done.add(k)
                self._stem(k, stems)
                target = self._counterpart(self.entities[k], stems)
                if target:
                    up[k] = target
                    if target not in done and target in self.entities:  # (a national body found by a
                        # part finished apart is its own part's; in one sweep it was visited before)
                        self._stem(target, stems)
                        self._link_parent(target, parent)

            def stem_all(created: list[str]) -> None:  # parents of bodies created above
                for k in created:
                    self._stem(k, stems)

            self._sweep(counterpart, stem_all)
        ids = {k: N.org_id(k) for k in self.entities}
        orgs: dict[str, Organisation] = {}
        for k, e in self.entities.items():
            p = e.rep
            name = self._name(e)
            labels = set(e.labels) | set(e.forms) | {v.name for v in e.variants} | {v.text for v in e.variants if v.text} \
                | {v.written(full=False) for v in e.variants} | _short_region_forms(e)
            labels.discard(name)
            labels.discard("")
            stem = stems.get(k)
            orgs[ids[k]] = Organisation(
                id=ids[k], name=name, labels=sorted(labels), kind=e.kind or p.kind, level=p.level,
                region=p.region, parent=ids.get(parent.get(k, "")), function=N.function_key(stem) if stem else None,
                counterparts=[N.org_id(up[k])] if k in up else [], is_group=p.is_group or (e.kind == "group"),
                scope=self._scope(e) if (p.is_group or e.kind == "group") else "",
                members=sorted(N.org_id(m) for m in e.members), mentions=sorted(e.forms))
        return {i: orgs[i] for i in sorted(orgs)}

    def _name(self, e: _Entity) -> str:
        return e.name or e.rep.name

    @staticmethod
    def _scope(e: _Entity) -> str:
        if e.counts:
            return sorted(e.counts, key=lambda f: (-e.counts[f], f))[0]
        return sorted(e.forms | e.labels | {e.rep.text})[0]

    def _counterpart(self, e: _Entity, stems: dict) -> Optional[str]:
        p = e.rep
        kind = e.kind or p.kind
        stem = stems.get(e.key)
        if not stem or p.is_group or p.place or kind in ("other", "group") or p.level not in N.LEVEL_UP:
            return None
        level = N.LEVEL_UP[p.level]
        chain = p.chain.up() if p.chain.level == p.level else N.Chain()
        region = chain.region
        if not region or chain.level != level:
            return None
        hit = self._index(stems).get((level, region, kind, stem))
        if hit:
            return hit
        if level == "national":  # national bodies are named their own way: linked only when present
            return None
        core = N.core_at(p.core, kind, level, region) if p.core else p.core
        if core is None:
            return None
        q = N.ParsedName(text="", level=level, region=region, core=core, party=p.party, kind=kind, chain=chain)
        target = self._ensure(q)
        if target.key == e.key:
            return None
        self._stem(target.key, stems)
        self._by_function.setdefault((level, region, kind, stems[target.key]), target.key)
        return target.key

    def _index(self, stems: dict) -> dict:
        """(level, region, kind, function stem) → the first entity key, for counterpart look-ups."""
        if self._by_function is None:
            self._by_function = {}
            for k in sorted(self.entities):
                o = self.entities[k]
                r = o.rep
                if r.is_group or r.place or not r.level:
                    continue
                self._stem(k, stems)
                stem = stems[k]
                if stem:
                    self._by_function.setdefault((r.level, r.region, o.kind or r.kind, stem), k)
            for k, v in self.national.items():  # the national bodies, when finished apart (finish_all)
                self._by_function.setdefault(k, v)
        return self._by_function

    def national_index(self) -> dict:
        """The ``_index`` entries of the national bodies: what the counterpart look-ups of
        provincial bodies read (no body is created at national level)."""
        out: dict = {}
        for k in sorted(self.entities):
            o = self.entities[k]
            r = o.rep
            if r.level != "national" or r.is_group or r.place:
                continue
            stem = self._function(o)
            if stem:
                out.setdefault((r.level, r.region, o.kind or r.kind, stem), k)
        return out


@dataclass
class Reading:
    """What resolution takes from one document alone (``read``): the effects of the units it
    names, in order (see ``Resolver.effects``), and the groups of regions they tie together
    (``tied``), which decide how the corpus splits into parts finished apart (``finish_all``)."""
    effects: list
    ties: tuple


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
        ties.setdefault(id(eff[1]), eff[1])
    return Reading(out, tuple(sorted({tied(p) for p in ties.values()})))


def _drop_empty(doc: Document, record, what: str) -> None:
    """Leave out the units of a task (or a measure) whose name is empty once normalised (a typo
    such as 配合单位：：), each with a diagnostic on the document naming the task: a typo in one
    annotation is not a failed build."""
    from kg.model import Diagnostic

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
            out.setdefault(parts[eff[1].region or ""], []).append(eff)
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


@dataclass
class Resolution:
    """The organisations of a corpus and how they were made: ``parts`` (region -> part name),
    each part's organisations, and the national bodies' index (kg.build.incremental keeps these to
    finish again only the parts a change touches)."""
    organisations: dict[str, Organisation]
    parts: dict[str, str]
    by_part: dict[str, dict[str, Organisation]]
    national: dict


def finish_all(readings: list[Reading], counterparts: bool = True) -> Resolution:
    """The organisations of a corpus from its documents' readings, part by part (``partition``):
    the national part first, its index then given to the others. The same as one resolver over
    the whole corpus (tested), and what lets a build finish again only the parts that changed."""
    from kg.build.parallel import no_gc

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
    from kg.build.parallel import no_gc

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

"""The resolver: collects unit mentions, then ``finish()`` makes one Organisation per real body
(groups for collective phrases, parents, counterparts one level up); see kg.resolve.entities."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from kg.errors import KgError
from kg.model import Document, Effect, Organisation
from kg.resolve import orgnames as N
from kg.resolve.rules import Rule, load_overrides, rule_for


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
        rule = rule_for(self.rules, s, chain)
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
        touching the entities: each kg.model.Effect tells what one entity takes from the mention
        (a coordination gives one for the group and one for each part). A function of the mention
        and the override rules; the effects are shared between equal mentions (a document's
        effects pickle small)."""
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
            eff = self._effect_cache[ek] = Effect(key, p, canonical, name, kind, written, record, members)
        out[at] = eff
        return key, out

    def apply(self, effect: Effect) -> _Entity:
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

"""Unit annotations of a task: find them and split their unit lists.

Forms read (brackets are ASCII after cleaning): (牵头单位：…；配合单位：…), [牵头单位：…],
a label with no brackets (at the end of a paragraph or on the next line), a comma between roles,
参加单位/协办单位/参与单位/协助单位/配合单位 (support), 责任单位/责任部门 (responsible),
牵头单位/牵头部门 (lead), "(X牵头，Y配合)", a trailing 按职责分工负责 / 等部门 (kept as a
qualifier), a label broken by a line or page break (牵头部 … 门：).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from kg.model import UnitMention

_ROLE_OF = {"牵头": "lead", "主责": "lead", "主办": "lead", "配合": "support", "参加": "support",
            "参与": "support", "协办": "support", "协助": "support", "责任": "responsible", "实施": "responsible"}
_W = r"\s*"


def _spaced(word: str) -> str:
    return _W.join(re.escape(c) for c in word)


_LABEL = re.compile(
    "(?P<label>(?P<kind>" + "|".join(_spaced(k) for k in _ROLE_OF) + r")" + _W
    + "(?:" + _spaced("单位") + "|" + _spaced("部门") + r")(?:\((?:单位|部门)\))?)" + _W + r"[:：]" + _W)
# another label inside an annotation (完成时限：…) ends the unit list
_OTHER_LABEL = re.compile(r"^[^:：()\[\]]{2,8}[:：]")
# a closing sentence "由X牵头，Y配合。" standing at the end of a paragraph
_LEAD_SUPPORT_SENT = re.compile(
    r"(?:(?<=[。；，,\n])|^)[ \t]*(?:由)?(?P<lead>[^()\[\]，。；：:\n]{2,120}?)牵头(?:[，,]\s*(?P<sup>[^()\[\]。；：:\n]{2,200}?)"
    r"(?:等(?:有关)?(?:部门|单位))?(?:配合|参与|协助|协办))?(?:负责)?。?(?=[ \t]*(?:\n|$))", re.M)
# a closing clause "X、Y负责。" / "X等部门按职责分工负责。" at the end of a paragraph
_RESP_SENT = re.compile(
    r"(?:(?<=[。；，,\n])|^)[ \t]*(?:由)?(?P<lead>[^()\[\]，。；：:\n]{2,120}?)"
    r"(?P<q>(?:等(?:有关)?(?:部门|单位)?)?(?:按照?职责(?:分工)?)?(?:分别)?负责)。?(?=[ \t]*(?:\n|$))", re.M)
# "(X牵头，Y配合)" and "(X负责)"
# a unit may carry its own brackets: 各县(区)人民政府
_IN = r"(?:[^()\[\]，。；：:]|\([^()，。；]{1,12}\))"
_IN_LIST = r"(?:[^()\[\]。；：:]|\([^()，。；]{1,12}\))"
_LEAD_SUPPORT_BODY = (
    rf"(?:由)?(?P<lead>{_IN}{{2,200}}?)牵头(?:[，,；;]\s*(?P<sup>{_IN_LIST}{{2,300}}?)"
    r"(?:等(?:有关)?(?:部门|单位))?(?:配合|参与|协助|协办))?[)\]]")
_RESP_BODY = rf"(?:由)?(?P<resp>{_IN}{{2,200}}?)(?P<q>按职责分工负责|按照职责分工负责|负责)[)\]]"
# each form once after "(" and once after "[": a literal first lets the regex engine skip ahead to
# it (a leading class [(\[] was tested at every character); the first match of the two is the
# first match of the form (see _first_bracketed)
_LEAD_SUPPORT = (re.compile(r"\(" + _LEAD_SUPPORT_BODY), re.compile(r"\[" + _LEAD_SUPPORT_BODY))
_RESP = (re.compile(r"\(" + _RESP_BODY), re.compile(r"\[" + _RESP_BODY))


def _first_bracketed(form: tuple[re.Pattern, re.Pattern], text: str, pos: int, end: int):
    """The first match in text[pos:end] of a form opened by ( or [ (a pair from above)."""
    a = form[0].search(text, pos, end)
    if text.find("[", pos, end) == -1:
        return a
    b = form[1].search(text, pos, end)
    if a is None or b is not None and b.start() < a.start():
        return b
    return a
_QUALIFIER = re.compile(r"(?:等(?:有关)?(?:部门|单位)?)?(?:按照?职责(?:分工)?(?:分别)?负责|按照?职责分工|分别负责)$|等(?:有关)?(?:部门|单位)?$")
_UNIT_END = re.compile(
    r"(?:局|办|委|院|会|部|室|厅|府|门|关|构|行|联|校|组|所|队|站|处|科|心|团|社|馆|司|署|人大|政协|街道|镇|乡|村|区|县|市|企业|单位|协会|员)$")
_SENTENCE_START = re.compile(r"^(?:全市|全区|全县|全省|各级|各地|我市|我区|我县|要|为|在|对|按照|根据|通过|到|坚持|加强|推进|建立|完善|深化|\d)")
_HEADS = ("人民政府", "党委", "人大常委会", "政府", "法院", "检察院", "政协", "党组")
_GENERIC_HEADS = ("行政主管部门", "主管部门", "有关部门", "部门", "单位", "机构")
_ADMIN_HEAD = re.compile(r"^各?(?:县级市|乡镇|街道|县|区|市|乡|镇|旗)")
_BARE_ADMIN = re.compile(r"^(?:各)?(?:县级市|县|区|市|乡|镇|乡镇|街道|旗)$")


@dataclass
class Annotation:
    start: int  # cleaned offsets of the whole annotation (brackets included)
    end: int
    units: list[UnitMention] = field(default_factory=list)
    run_on: bool = False  # the unit list ran into other text (no bracket, no full stop)
    labels: list[str] = field(default_factory=list)


_BLANKS = re.compile(r"\s+")
_TAIL_BRACKET = re.compile(r"\([^()]*\)$")


@lru_cache(maxsize=None)
def role_of(label: str) -> str:
    label = _BLANKS.sub("", label)
    return _ROLE_OF.get(label[:2], "responsible")


@lru_cache(maxsize=65536)
def unit_like(name: str) -> bool:
    core = _TAIL_BRACKET.sub("", name).strip()
    return len(core) >= 2 and bool(_UNIT_END.search(core))  # 局 alone is the tail of a cut name


@lru_cache(maxsize=65536)
def _strip_qualifier(item: str) -> tuple[str, str]:
    m = _QUALIFIER.search(item)
    if m and m.start() > 0:
        return item[:m.start()], m.group(0)
    return item, ""


def _parts(name: str, coordinated: list[str]) -> list[str]:
    """Resolve a coordination written as one unit into its parts, when that is clear."""
    if coordinated:
        last = coordinated[-1]
        head = next((h for h in _GENERIC_HEADS if last.endswith(h) and len(last) > len(h)), "")
        if all(_BARE_ADMIN.match(x) for x in coordinated):
            return [x if x.startswith("各") else "各" + x for x in coordinated]
        if all(_BARE_ADMIN.match(x) for x in coordinated[:-1]):
            # 各区、县级市人民政府: the head of the last part is shared
            m = re.match(r"^(各?(?:县级市|乡镇|街道|县|区|市|乡|镇|旗))(.+)$", last)
            if m:
                head = m.group(2)
                return [(x if x.startswith("各") else "各" + x) + head for x in coordinated[:-1]] + \
                    [last if last.startswith("各") else "各" + last]
        if head:
            return [x if x.endswith(head) else x + head for x in coordinated]
        return list(coordinated)
    for conj in ("和", "及"):
        if conj not in name:
            continue
        left, _, right = name.rpartition(conj)
        lhead = next((h for h in _HEADS if left.endswith(h)), None)
        rhead = next((h for h in _HEADS if right == h), None)
        if lhead and rhead:
            return [left, left[: len(left) - len(lhead)] + right]
    return []


# a bracket, or a separator between items (a space is left between two whole units by kg.clean)
_ITEM_MARK = re.compile(r"[()\[\]、，,；;。\n ]")


def _scan_item(text: str, i: int, limit: int) -> int:
    """End of one list item starting at ``i``: a separator at bracket depth 0."""
    if i >= limit:
        return i
    depth = 0
    j = i
    while True:
        m = _ITEM_MARK.search(text, j, limit)  # skip ahead to the next mark
        if m is None:
            return limit
        j = m.start()
        c = text[j]
        if c in "([":
            depth += 1
        elif c in ")]":
            if depth == 0:
                return j
            depth -= 1
        elif depth == 0:
            return j
        j += 1


def read_labelled(text: str, start: int, limit: int, known: set[str], to_source=None) -> Optional[Annotation]:
    """Read a labelled annotation whose first label is at ``start`` (or whose bracket is)."""
    i = start
    bracket = None
    if text[i] in "([":
        bracket = text[i]
        i += 1
        while i < limit and text[i].isspace():
            i += 1
    if not _LABEL.match(text, i):
        return None
    ann = Annotation(start=start, end=start)
    groups: list[tuple[str, str, list[tuple[str, int, int]]]] = []
    end = i
    closed = False
    stop_reason = ""
    while True:
        m = _LABEL.match(text, i)
        if not m:
            break
        label = _BLANKS.sub("", m.group("label"))
        role = role_of(label)
        i = m.end()
        items: list[tuple[str, int, int]] = []
        next_group = False
        while True:
            j = _scan_item(text, i, limit)
            inner = _LABEL.search(text, i, j)  # 牵头单位：X　配合单位：Y (no separator between roles)
            if inner and inner.start() > i:
                items.append((text[i:inner.start()], i, inner.start()))
                i = inner.start()
                next_group = True
                break
            items.append((text[i:j], i, j))
            sep = text[j] if j < limit else ""
            if sep and sep in "、，,；; ":
                k = j + 1
                while k < limit and text[k].isspace():
                    k += 1
                if _LABEL.match(text, k):
                    i = k
                    next_group = True
                    break
                i = j + 1
                continue
            end = j
            stop_reason = sep
            if sep and sep in ")]" and bracket:
                closed = True
                end = j + 1
            elif sep == "。":
                end = j + 1
            break
        groups.append((role, label, items))
        if not next_group:
            break
    ann.end = end
    ann.labels = [g[1] for g in groups]
    units, run_on, cut_end = _units_from_groups(text, groups, bracketed=closed, known=known, to_source=to_source)
    if run_on:
        ann.run_on = True
        ann.end = cut_end
    elif not closed and not stop_reason and bracket is None:
        ann.run_on = False
    ann.units = units
    return ann


@lru_cache(maxsize=65536)
def _item_facts(item: str) -> tuple[bool, str, str, bool, bool, tuple[str, ...]]:
    """What _units_from_groups asks of a list item (pure functions of it): another label
    (完成时限：…) stands there; the item without its qualifier, and the qualifier; the item is a
    bare administrative word (各县); it looks like a unit; its coordination parts."""
    base, qual = _strip_qualifier(item)
    return (bool(_OTHER_LABEL.match(item)), base, qual, bool(_BARE_ADMIN.match(base)), unit_like(base),
            tuple(_parts(base, [])))


def _units_from_groups(text, groups, bracketed: bool, known: set[str], to_source=None):
    units: list[UnitMention] = []
    run_on = False
    cut_end = None
    for gi, (role, label, items) in enumerate(groups):
        cleaned: list[tuple[str, int, int]] = []
        for raw, s, e in items:
            lead_ws = len(raw) - len(raw.lstrip())
            item = raw.strip()
            cleaned.append((item, s + lead_ws, s + lead_ws + len(item)))
        # unbracketed lists: the last item may run into the next sentence
        pending: list[tuple[str, int, int]] = []
        group_units: list[UnitMention] = []
        for k, (item, s, e) in enumerate(cleaned):
            if not item:
                continue
            other, base, qual, bare, unit, parts = _item_facts(item)
            if other:
                break
            is_last = k == len(cleaned) - 1
            if bare and not is_last and base.startswith("各"):
                pending.append((base, s, e))  # 各区、县级市…: one coordination
                continue
            if pending and bare and not is_last and _BARE_ADMIN.match(pending[-1][0]):
                pending.append((base, s, e))
                continue
            if unit or (bracketed and is_last):
                if pending and all(_BARE_ADMIN.match(p[0]) for p in pending) and base.startswith("各") \
                        and not _ADMIN_HEAD.match(base):
                    # 各乡镇、各部门: two collectives, not 各区、县级市人民政府 (one shared head)
                    for p in pending:
                        group_units.append(_mention(p[0], role, label, p[1], p[2], [], "", to_source))
                    pending = []
                if pending:
                    coord = [p[0] for p in pending] + [base]
                    ps = pending[0][1]
                    whole = text[ps:s + len(base)]
                    whole = re.sub(r"\s+", "", whole)
                    group_units.append(_mention(whole, role, label, ps, s + len(base), _parts(whole, coord), qual, to_source))
                    pending = []
                else:
                    group_units.append(UnitMention(text=base, role=role, label=label,
                                                   span=to_source(s, s + len(base)) if to_source else (s, s + len(base)),
                                                   parts=list(parts), qualifier=qual))
                continue
            if not is_last and not bracketed:
                # a coordination (教育、卫生健康、…主管部门) or a run-on; look ahead
                rest_unit = any(unit_like(_strip_qualifier(x[0])[0]) and len(x[0]) <= 30 for x in cleaned[k + 1:k + 6])
                if rest_unit and 2 <= len(item) <= 12 and not _SENTENCE_START.match(item):
                    pending.append((base, s, e))
                    continue
            elif bracketed:
                pending.append((base, s, e))
                continue
            # run-on: keep the unit-like prefix and stop the list
            prefix = _unit_prefix(base, known)
            if prefix:
                group_units.append(_mention(prefix, role, label, s, s + len(prefix), _parts(prefix, []), "", to_source))
                run_on = True
                cut_end = s + len(prefix)
            else:
                run_on = True
                cut_end = s
            break
        for p in pending:
            group_units.append(_mention(p[0], role, label, p[1], p[2], [], "", to_source))
        # a qualifier (按职责分工负责) closes the list and covers all its units
        quals = [u.qualifier for u in group_units if u.qualifier]
        if quals:
            for u in group_units:
                u.qualifier = quals[-1]
        units.extend(group_units)
        if run_on:
            break
    return units, run_on, cut_end


def _unit_prefix(item: str, known: set[str]) -> str:
    """The unit a run-on item starts with: a unit named elsewhere, else the prefix followed by
    what looks like the start of a sentence."""
    cands = [k for k in range(2, min(len(item), 40) + 1) if unit_like(item[:k])]
    known_c = [k for k in cands if item[:k] in known]
    if known_c:
        return item[:max(known_c)]
    for k in cands:
        if _SENTENCE_START.match(item[k:]):
            return item[:k]
    return ""


def _mention(name, role, label, s, e, parts, qual, to_source) -> UnitMention:
    span = to_source(s, e) if to_source else (s, e)
    return UnitMention(text=name, role=role, label=label, span=span, parts=parts, qualifier=qual)


def split_units(s: str, role: str, label: str, base: int, to_source=None) -> list[UnitMention]:
    """Split a plain list (X、Y、Z) of one role."""
    items = []
    i = 0
    while i < len(s):
        j = _scan_item(s, i, len(s))
        items.append((s[i:j], base + i, base + j))
        i = j + 1
    out = []
    for raw, a, b in items:
        item = raw.strip()
        if not item:
            continue
        name, qual = _strip_qualifier(item)
        out.append(_mention(name, role, label, a, a + len(name), _parts(name, []), qual, to_source))
    return out


def _unit_sentence(rx: re.Pattern, word: str, text: str, pos: int, end: int):
    """The first match of a closing-clause form (which contains ``word``) whose units all look
    like units."""
    while pos < end:
        # cheap bound: a match holds ``word`` inside one clause, so it starts after the last clause
        # mark before the first ``word`` (the regex would reject every earlier start anyway). The
        # clause marks ，。；\n: no match spans one before its key word; the form's lead also
        # excludes ()[]：:, left out here because these rarer marks would make each rfind run far back
        q = text.find(word, pos, end)
        if q == -1:
            return None
        pos = max(pos, text.rfind("，", pos, q) + 1, text.rfind("。", pos, q) + 1, text.rfind("；", pos, q) + 1,
                  text.rfind("\n", pos, q) + 1)
        m = rx.search(text, pos, end)
        if not m:
            return None
        parts = re.split(r"[、，,]", m.group("lead")) + (re.split(r"[、，,]", m.group("sup"))
                                                       if "sup" in rx.groupindex and m.group("sup") else [])
        if all(unit_like(_strip_qualifier(x.strip())[0]) for x in parts if x.strip()):
            return m
        pos = m.start() + 1
    return None


def find_annotations(text: str, start: int, end: int, known: set[str], to_source=None) -> list[Annotation]:
    """Every unit annotation in text[start:end], in order."""
    out: list[Annotation] = []
    pos = start
    # Each form's first match at or after ``pos``. A match found from an earlier position that
    # starts at or after ``pos`` is still the first from ``pos`` (what a form matches at a place does
    # not depend on where the search began), and no match stays no match: a form is searched again
    # only when the scan has passed its last match.
    forms = (lambda p: _LABEL.search(text, p, end),
             lambda p: _first_bracketed(_LEAD_SUPPORT, text, p, end) if text.find("牵头", p, end) != -1 else None,
             lambda p: _first_bracketed(_RESP, text, p, end) if text.find("负责", p, end) != -1 else None,
             lambda p: _unit_sentence(_LEAD_SUPPORT_SENT, "牵头", text, p, end),
             lambda p: _unit_sentence(_RESP_SENT, "负责", text, p, end))
    found: list = [False] * len(forms)
    while pos < end:
        for k, f in enumerate(forms):
            if found[k] is False or found[k] is not None and found[k].start() < pos:
                found[k] = f(pos)
        m, m2, m3, m4, m5 = found
        cands = [x for x in (m, m2, m3, m4, m5) if x]
        if not cands:
            break
        first = min(cands, key=lambda x: x.start())
        if first is m:
            s = m.start()
            b = s - 1
            while b >= start and text[b].isspace():
                b -= 1
            if b >= start and text[b] in "([":
                s = b
            ann = read_labelled(text, s, end, known, to_source)
            if ann is None or ann.end <= pos:
                pos = m.end()
                continue
            out.append(ann)
            pos = max(ann.end, m.end())
        elif first is m4 or first is m2:  # "X牵头，Y配合": at a clause end (m4) or as a whole sentence (m2)
            hit = first
            ann = Annotation(start=hit.start("lead") if hit is m4 else hit.start(), end=hit.end(), labels=["牵头"])
            ann.units = split_units(hit.group("lead"), "lead", "牵头", hit.start("lead"), to_source)
            if hit.group("sup"):
                ann.units += split_units(hit.group("sup"), "support", "配合", hit.start("sup"), to_source)
                ann.labels.append("配合")
            out.append(ann)
            pos = hit.end()
        elif first is m5:
            ann = Annotation(start=m5.start("lead"), end=m5.end(), labels=["负责"])
            ann.units = split_units(m5.group("lead"), "responsible", "负责", m5.start("lead"), to_source)
            if m5.group("q") != "负责":
                for u in ann.units:
                    u.qualifier = m5.group("q")
            out.append(ann)
            pos = m5.end()
        else:
            ann = Annotation(start=m3.start(), end=m3.end(), labels=["负责"])
            ann.units = split_units(m3.group("resp"), "responsible", "负责", m3.start("resp"), to_source)
            if m3.group("q") != "负责" and ann.units:
                q = ann.units[-1].qualifier + m3.group("q")
                for u in ann.units:
                    u.qualifier = q
            if all(unit_like(u.text) for u in ann.units):
                out.append(ann)
            pos = m3.end()
    return out

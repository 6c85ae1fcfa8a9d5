"""Unit names in an annotation's lists: items split at 、，；, qualifiers (按职责分工负责, 等有关部门)
left out, a shared head (各县(市、区)人民政府) spread over its parts, ``UnitMention``s made."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from kg.model import UnitMention
from kg.parse import bodies
from kg.parse.roles import FIRST_LEADS, OPEN, OTHER_LABEL, PERSON, REMARK, ROLE_OF


_MARKED_ROLE = re.compile(r"\((?P<kind>牵头|主责|配合|协办|参与|协助|负责|责任)(?:单位|部门)?\)$")


def unit_like(name: str) -> bool:
    """Ends like a unit's name (a head): what a list after a role label asks of an item."""
    return bodies.looks_like_body(name)


_QUALIFIER = re.compile(r"(?:等(?:有关|相关)?(?:部门|单位)?)?(?:按照?职责(?:分工)?(?:分别)?负责|按照?职责分工|分别负责)$"
                        r"|等(?:有关|相关)?(?:部门|单位)?$")
_SENTENCE_START = re.compile(r"^(?:全市|全区|全县|全省|各级|各地|我市|我区|我县|要|为|在|对|按照|根据|通过|到|坚持|加强|推进|建立|完善|深化|\d)")
_HEADS = ("人民政府", "党委", "人大常委会", "政府", "法院", "检察院", "政协", "党组")
_GENERIC_HEADS = ("行政主管部门", "主管部门", "有关部门", "部门", "单位", "机构")
_INSERT = r"(?:[(（〔][^()（）〔〕]{1,6}[)）〕])?"  # 县(市、区), 市〔州〕
_ADMIN_HEAD = re.compile(r"^各?(?:县级市|乡镇|街道|县|区|市|乡|镇|旗)")
_BARE_ADMIN = re.compile(r"^(?:各)?(?:县级市|县|区|市|乡|镇|乡镇|街道|旗)" + _INSERT + "$")
_SHARED_HEAD = re.compile(r"^(各?(?:县级市|乡镇|街道|县|区|市|乡|镇|旗)" + _INSERT + ")(.+)$")


@lru_cache(maxsize=65536)
def strip_qualifier(item: str) -> tuple[str, str]:
    """(the item without its closing qualifier, the qualifier: 按职责分工负责, 等有关部门 …; '' when none)."""
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
            m = _SHARED_HEAD.match(last)
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


# a bracket, or a separator between items (a space is left between two whole units by kg.parse.clean)
_ITEM_MARK = re.compile(r"[()\[\]〔〕、，,；;。\n ]")


def scan_item(text: str, i: int, limit: int) -> int:
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
        if c in "([〔":
            depth += 1
        elif c in ")]〕":
            if depth == 0:
                return j
            depth -= 1
        elif depth == 0:
            return j
        j += 1


@lru_cache(maxsize=65536)
def _item_facts(item: str) -> tuple[bool, str, str, bool, bool, tuple[str, ...], bool]:
    """What units_from_groups asks of a list item (pure functions of it): another label
    (完成时限：…) or a remark (下同, 列第一位者为牵头单位) stands there; the item without its
    qualifier, and the qualifier; the item is a bare administrative word (各县); it looks like a
    unit; its coordination parts; it is an empty-cell mark (/, —, 无)."""
    base, qual = strip_qualifier(item)
    other = bool(OTHER_LABEL.match(item) or REMARK.match(item) or FIRST_LEADS.search(item))
    return (other, base, qual, bool(_BARE_ADMIN.match(base)), unit_like(base), tuple(_parts(base, [])),
            bodies.is_empty_mark(item))


def _loose_last(base: str) -> bool:
    """The last item of a closed bracket may be a name without a usual head (县各党委(党组)),
    but not prose."""
    core = bodies.core_of(base)
    return 2 <= len(core) <= 16 and not bodies.NEVER_IN.search(core) and not bodies.OPENERS.match(core)


def units_from_groups(text, groups, bracketed: bool, known: set[str], to_source=None):
    """The units of each labelled list (a list of lists), whether the last list ran on into other
    text (and where it was cut), and whether a remark stated the first-listed-leads convention."""
    units: list[list[UnitMention]] = []
    run_on = False
    cut_end = None
    said = False
    for gi, (role, label, items) in enumerate(groups):
        cleaned: list[tuple[str, int, int]] = []
        for raw, s, e in items:
            lead_ws = len(raw) - len(raw.lstrip())
            item = raw.strip()
            cleaned.append((item, s + lead_ws, s + lead_ws + len(item)))
        if role == PERSON:
            continue  # 责任领导：张三 names a person, not a unit
        # a role marked on the unit itself: 市司法局(牵头)、市法院(配合)
        marked: dict[int, tuple[str, str]] = {}
        for k, (item, s, e) in enumerate(cleaned):
            m = _MARKED_ROLE.search(item) if item.endswith(")") else None
            if m and m.start() >= 2:
                marked[s] = (ROLE_OF.get(m.group("kind"), role), m.group("kind"))
                cleaned[k] = (item[:m.start()], s, s + m.start())
        # unbracketed lists: the last item may run into the next sentence
        pending: list[tuple[str, int, int]] = []
        group_units: list[UnitMention] = []
        for k, (item, s, e) in enumerate(cleaned):
            if not item:
                continue
            other, base, qual, bare, unit, parts, empty = _item_facts(item)
            if empty:
                continue
            if other:
                said = said or bool(FIRST_LEADS.search(item))
                break
            is_last = k == len(cleaned) - 1
            if bare and not is_last and base.startswith("各"):
                pending.append((base, s, e))  # 各区、县级市…: one coordination
                continue
            if pending and bare and not is_last and _BARE_ADMIN.match(pending[-1][0]):
                pending.append((base, s, e))
                continue
            if unit or (bracketed and is_last and _loose_last(base)):
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
                rest_unit = any(unit_like(strip_qualifier(x[0])[0]) and len(x[0]) <= 30 for x in cleaned[k + 1:k + 6])
                if rest_unit and 2 <= len(item) <= 12 and not _SENTENCE_START.match(item):
                    pending.append((base, s, e))
                    continue
            elif bracketed and not is_last:
                pending.append((base, s, e))
                continue
            elif bracketed:
                break  # prose at the end of a bracket: not a unit
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
            if unit_like(p[0]) or _loose_last(p[0]):
                group_units.append(_mention(p[0], role, label, p[1], p[2], [], "", to_source))
        if marked:
            for u in group_units:
                start = next((s for s in marked if to_source is None and u.span and u.span[0] == s
                              or to_source is not None and u.span == to_source(s, s + len(u.text))), None)
                if start is not None:
                    u.role, u.label = marked[start]
        # a qualifier (按职责分工负责) closes the list and covers all its units
        quals = [u.qualifier for u in group_units if u.qualifier]
        if quals:
            for u in group_units:
                u.qualifier = quals[-1]
        units.append(group_units)
        if run_on:
            break
    return units, run_on, cut_end, said


def first_as_lead(lists: list[list[UnitMention]], first_leads: bool) -> list[UnitMention]:
    """The units of an annotation's lists, in order. Under the plan's convention, the first unit
    of each list read as responsible leads and the others of that list support."""
    out: list[UnitMention] = []
    for units in lists:
        if first_leads and units and all(u.role == "responsible" for u in units):
            for k, u in enumerate(units):
                u.role = "lead" if k == 0 else "support"
        out.extend(units)
    return out


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


def list_items(text: str, s: int, e: int) -> list[tuple[str, int, int]]:
    """The items of a list in text[s:e] (separated by 、 or a blank at bracket depth 0)."""
    out = []
    i = s
    while i < e:
        j = scan_item(text, i, e)
        raw = text[i:j]
        lead = len(raw) - len(raw.lstrip())
        item = raw.strip()
        if item:
            out.append((item, i + lead, i + lead + len(item)))
        if j < e and text[j] in OPEN:
            return []  # an unbalanced bracket: not a list
        i = j + 1
    return out


def body_list(text: str, s: int, e: int) -> Optional[list[tuple[str, int, int]]]:
    """The items of text[s:e] when it is a list of bodies' names (X、Y、Z), else None.

    An item without a head may stand in a coordination whose last item has one (各区、县级市政府;
    教育、卫生健康主管部门); a trailing qualifier (等部门, 按职责分工负责) is allowed."""
    items = list_items(text, s, e)
    if not items:
        return None
    ok = False
    for k, (item, _a, _b) in enumerate(items):
        if bodies.is_empty_mark(item):
            continue
        base, _q = strip_qualifier(item)
        if bodies.is_body(base):
            ok = True
            continue
        later = items[k + 1:]
        if later and (bodies.is_admin_word(base) or len(base) <= 8 and not bodies.OPENERS.match(base)
                      and not bodies.NEVER_IN.search(base)) \
                and any(bodies.is_body(strip_qualifier(x[0])[0]) for x in later):
            last = strip_qualifier(later[-1][0])[0]
            if bodies.is_admin_word(base) or last.endswith(_GENERIC_HEADS):
                continue
        return None
    return items if ok else None


def list_units(text, s, e, role, label, to_source=None) -> list[UnitMention]:
    """Mentions of the list text[s:e] (already known to be one), coordinations resolved."""
    items = [(text[a:b], a, b) for _i, a, b in list_items(text, s, e)]
    lists, _run_on, _cut, _said = units_from_groups(text, [(role, label, items)], bracketed=True, known=set(),
                                                     to_source=to_source)
    return [u for x in lists for u in x]


def split_units(s: str, role: str, label: str, base: int, to_source=None) -> list[UnitMention]:
    """Split a plain list (X、Y、Z) of one role."""
    items = []
    i = 0
    while i < len(s):
        j = scan_item(s, i, len(s))
        items.append((s[i:j], base + i, base + j))
        i = j + 1
    out = []
    for raw, a, b in items:
        item = raw.strip()
        if not item or bodies.is_empty_mark(item):
            continue
        name, qual = strip_qualifier(item)
        out.append(_mention(name, role, label, a, a + len(name), _parts(name, []), qual, to_source))
    return out

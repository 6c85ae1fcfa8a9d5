"""Unit annotations of a task: find them, split their unit lists, give each unit its role.

An annotation is recognised by what it is made of: names of public bodies (kg.parse.bodies) with role
words around them, not by one wording. It stands

- in brackets, anywhere in a task (several per task are common): labelled (牵头单位：…；配合单位：…),
  with role verbs (X牵头，Y配合 / X指导，Y参与 / X会同Y负责 / X负责), or a bare list (X、Y、Z);
- unbracketed, as a label line under the task or a label run at the end of a paragraph
  (牵头单位：X), or as the clauses closing a paragraph (……，由X牵头，Y配合。);
- in a table cell (kg.read.files writes task tables as labelled brackets; / — 无 mean no unit).

Role words are an open vocabulary. Labels: a role word (牵头 主责 主办 承办 协办 配合 参与 参加 协助
协同 责任 负责 实施 落实) and a noun (单位 部门 处室 科室 机关 机构 主体) before a colon. Verbs at the
end of a clause: 牵头(负责) → lead; 配合 参与 参加 协助 协办 → support; 负责 分别负责 按职责分工负责
指导 落实 实施 → responsible; a bare list → responsible. ``X会同Y`` → X lead, Y support; once a
clause names a lead, the clauses after it that say 负责/落实 name supporters (X牵头，Y按职责分工负责).
The role word is kept as written (UnitMention.label). A plan that says once that the first-listed
unit leads (列第一位者为牵头单位, 排在首位的为牵头单位 …; ``first_listed_leads``) has, in every
list read as responsible, its first unit as lead and the others as supporters.

Not units: a person (责任领导：, 责任人：), a remark after the units in the same bracket
(适用范围：…, 下同, 以下均需…), an empty-cell mark.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from kg.parse import bodies
from kg.model import UnitMention

# the role of a role word (labels are looked up by their first two characters)
ROLE_OF = {"牵头": "lead", "主责": "lead", "主办": "lead", "主要": "lead", "配合": "support", "参加": "support",
           "参与": "support", "协办": "support", "协助": "support", "协同": "support", "协作": "support",
           "责任": "responsible", "负责": "responsible", "实施": "responsible", "落实": "responsible",
           "承办": "responsible", "具体": "responsible", "指导": "responsible", "督办": "responsible"}
PERSON = "person"  # a label that names people (责任领导, 责任人): no unit
_W = r"\s*"


def _spaced(word: str) -> str:
    return _W.join(re.escape(c) for c in word)


def _alt(words) -> str:
    return "|".join(_spaced(w) for w in sorted(words, key=len, reverse=True))


_NOUNS = ("责任单位", "责任部门", "负责单位", "负责部门", "单位", "部门", "处室", "科室", "机关", "机构", "主体")
_PERSON_NOUNS = ("领导", "责任人", "联系人", "人")
# a role label before a colon: 牵头单位： / 配合部门： / 责任处室： / 牵头： / 责任领导：
_LABEL = re.compile(
    "(?P<label>(?P<kind>" + _alt(ROLE_OF) + "|" + _spaced("分管") + "|" + _spaced("包保") + ")" + _W
    + "(?P<noun>" + _alt(_NOUNS + _PERSON_NOUNS) + r")?(?:\((?:单位|部门)\))?)" + _W + r"[:：]" + _W)
# kinds that may stand without a noun (牵头：X); the others need one (负责：… is prose)
_BARE_KINDS = ("牵头", "配合", "协办", "参与", "参加", "责任")
# kinds that only open a label (主要责任单位, 具体负责单位), never one alone (主要：… is prose)
_PREFIX_KINDS = ("主要", "具体", "指导", "督办")
# another label inside an annotation (完成时限：…, 适用范围：…) ends the unit list
_OTHER_LABEL = re.compile(r"^[^:：()\[\]]{2,8}[:：]")
# the plan's convention that the first unit of a list leads
FIRST_LEADS = re.compile(
    r"(?:列|排|排列|排名|位列|列于|排在|列在|居|标注在|写在|放在)(?:在|于)?(?:第一位|第一个|第一|首位|首个|最前面|最前|前面)"
    r"(?:的|者)?(?:单位|部门)?(?:为|是|作为|系)?(?:牵头|主责|主要责任)"
    r"|(?:第一个|首个|首位)(?:单位|部门)?(?:为|是)(?:牵头|主责)"
    r"|牵头(?:单位|部门)(?:列|排)(?:在|于)?(?:第一位|首位|第一|最前)")
# a remark after the units: 下同, 以下…, 不再列出
_REMARK = re.compile(r"^(?:下同|同上|以下|以上|不再|均需|均由|另行|其中|注[:：])")
# a deadline or time remark that may stand before the units in a bracket
_TIME_REMARK = re.compile(r"\d{4}\s*年|年底|年前|月底|月前|季度|长期|持续|每年|完成时限|时限")
# a role verb closing a clause, with what qualifies it (等部门按职责分工负责)
_VERB = re.compile(
    r"(?P<q>(?:等(?:有关|相关)?(?:部门|单位)?)?(?:按照?职责(?:分工)?|按职能|分别|共同|具体|分工)?)"
    r"(?P<verb>牵头负责|牵头落实|牵头实施|牵头|负责落实|负责实施|负责推进|负责|配合落实|配合|参与|参加|协助|协办|"
    r"指导落实|指导实施|指导|组织实施|抓好落实|推进落实|落实|实施)$")
_HUITONG = re.compile(r"会同|联合")
# the last two characters of every role verb of _VERB
_VERB_ENDS = frozenset({"牵头", "负责", "落实", "实施", "推进", "配合", "参与", "参加", "协助", "协办", "指导"})
_MARKED_ROLE = re.compile(r"\((?P<kind>牵头|主责|配合|协办|参与|协助|负责|责任)(?:单位|部门)?\)$")
_BECOMES = re.compile(r"为(?P<kind>牵头|责任|配合|参与|协办|主办|主责)(?:单位|部门)$")
_CLAUSE_MARK = re.compile(r"[()\[\]〔〕，,；;。、]")
_OPEN, _CLOSE = "([", ")]"


@dataclass
class Annotation:
    start: int  # cleaned offsets of the whole annotation (brackets included)
    end: int
    units: list[UnitMention] = field(default_factory=list)
    run_on: bool = False  # the unit list ran into other text (no bracket, no full stop)
    labels: list[str] = field(default_factory=list)
    first_leads: bool = False  # it states the plan's convention (列第一位者为牵头单位)
    lists: list[list[UnitMention]] = field(default_factory=list)  # the units, list by list
    empty: list[tuple[str, str]] = field(default_factory=list)  # (label, what follows it): a label naming no unit


_BLANKS = re.compile(r"\s+")


@lru_cache(maxsize=None)
def role_of(label: str) -> str:
    label = _BLANKS.sub("", label)
    if label.endswith(_PERSON_NOUNS) and not label.endswith(_NOUNS) or label[:2] in ("分管", "包保"):
        return PERSON
    if label[:2] in ("主要", "具体"):
        return "lead" if label[:2] == "主要" else "responsible"
    return ROLE_OF.get(label[:2], "responsible")


def verb_role(verb: str) -> str:
    if verb.startswith("牵头"):
        return "lead"
    if verb.startswith(("配合", "参与", "参加", "协助", "协办")):
        return "support"
    return "responsible"


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
        if c in "([〔":
            depth += 1
        elif c in ")]〕":
            if depth == 0:
                return j
            depth -= 1
        elif depth == 0:
            return j
        j += 1


def _label_ok(m) -> bool:
    kind = m.group("kind")
    if len(kind) != 2:
        kind = _BLANKS.sub("", kind)
    if m.group("noun") is None:
        return kind in _BARE_KINDS  # 负责：… without a noun is prose
    return kind not in _PREFIX_KINDS or m.group("noun").startswith(("责任", "负责")) or kind in ("指导", "督办")


_LABEL_FIRST = frozenset(k[0] for k in ROLE_OF) | {"分", "包"}


def _label_at(text: str, i: int):
    """The role label at ``i`` (a match of _LABEL), or None."""
    if i >= len(text) or text[i] not in _LABEL_FIRST:
        return None
    m = _LABEL.match(text, i)
    return m if m and _label_ok(m) else None


def _label_search(text: str, pos: int, end: int):
    while pos < end:
        m = _LABEL.search(text, pos, end)
        if m is None:
            return None
        if _label_ok(m):
            return m
        pos = m.start() + 1
    return None


def read_labelled(text: str, start: int, limit: int, known: set[str], to_source=None,
                  first_leads: bool = False) -> Optional[Annotation]:
    """Read a labelled annotation whose first label is at ``start`` (or whose bracket is)."""
    i = start
    bracket = None
    if text[i] in _OPEN:
        bracket = text[i]
        i += 1
        while i < limit and text[i].isspace():
            i += 1
    if not _label_at(text, i):
        return None
    ann = Annotation(start=start, end=start)
    groups: list[tuple[str, str, list[tuple[str, int, int]]]] = []
    end = i
    closed = False
    stop_reason = ""
    while True:
        m = _label_at(text, i)
        if not m:
            break
        label = _BLANKS.sub("", m.group("label"))
        role = role_of(label)
        i = m.end()
        items: list[tuple[str, int, int]] = []
        next_group = False
        while True:
            j = _scan_item(text, i, limit)
            inner = _label_search(text, i, j)  # 牵头单位：X　配合单位：Y (no separator between roles)
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
                if _label_at(text, k):
                    i = k
                    next_group = True
                    break
                i = j + 1
                continue
            end = j
            stop_reason = sep
            if sep and sep in _CLOSE and bracket:
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
    lists, run_on, cut_end, said = _units_from_groups(text, groups, bracketed=closed, known=known,
                                                      to_source=to_source)
    ann.first_leads = said
    ann.lists = lists
    for role, label, items in groups:
        raw = "".join(x[0] for x in items).strip()
        if role != PERSON and not bodies.is_empty_mark(raw) and not re.search(r"\w", raw):
            ann.empty.append((label, raw))  # 配合单位：： (a typo): said, not read as a unit
    if run_on:
        ann.run_on = True
        ann.end = cut_end
    ann.units = _first_leads(lists, first_leads or said)
    return ann


@lru_cache(maxsize=65536)
def _item_facts(item: str) -> tuple[bool, str, str, bool, bool, tuple[str, ...], bool]:
    """What _units_from_groups asks of a list item (pure functions of it): another label
    (完成时限：…) or a remark (下同, 列第一位者为牵头单位) stands there; the item without its
    qualifier, and the qualifier; the item is a bare administrative word (各县); it looks like a
    unit; its coordination parts; it is an empty-cell mark (/, —, 无)."""
    base, qual = _strip_qualifier(item)
    other = bool(_OTHER_LABEL.match(item) or _REMARK.match(item) or FIRST_LEADS.search(item))
    return (other, base, qual, bool(_BARE_ADMIN.match(base)), unit_like(base), tuple(_parts(base, [])),
            bodies.is_empty_mark(item))


def _loose_last(base: str) -> bool:
    """The last item of a closed bracket may be a name without a usual head (县各党委(党组)),
    but not prose."""
    core = bodies.core_of(base)
    return 2 <= len(core) <= 16 and not bodies.NEVER_IN.search(core) and not bodies.OPENERS.match(core)


def _units_from_groups(text, groups, bracketed: bool, known: set[str], to_source=None):
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
                rest_unit = any(unit_like(_strip_qualifier(x[0])[0]) and len(x[0]) <= 30 for x in cleaned[k + 1:k + 6])
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


def _first_leads(lists: list[list[UnitMention]], first_leads: bool) -> list[UnitMention]:
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


# --------------------------------------------------------------------------- lists of bodies


def _items(text: str, s: int, e: int) -> list[tuple[str, int, int]]:
    """The items of a list in text[s:e] (separated by 、 or a blank at bracket depth 0)."""
    out = []
    i = s
    while i < e:
        j = _scan_item(text, i, e)
        raw = text[i:j]
        lead = len(raw) - len(raw.lstrip())
        item = raw.strip()
        if item:
            out.append((item, i + lead, i + lead + len(item)))
        if j < e and text[j] in _OPEN:
            return []  # an unbalanced bracket: not a list
        i = j + 1
    return out


def body_list(text: str, s: int, e: int) -> Optional[list[tuple[str, int, int]]]:
    """The items of text[s:e] when it is a list of bodies' names (X、Y、Z), else None.

    An item without a head may stand in a coordination whose last item has one (各区、县级市政府;
    教育、卫生健康主管部门); a trailing qualifier (等部门, 按职责分工负责) is allowed."""
    items = _items(text, s, e)
    if not items:
        return None
    ok = False
    for k, (item, _a, _b) in enumerate(items):
        if bodies.is_empty_mark(item):
            continue
        base, _q = _strip_qualifier(item)
        if bodies.is_body(base):
            ok = True
            continue
        later = items[k + 1:]
        if later and (bodies.is_admin_word(base) or len(base) <= 8 and not bodies.OPENERS.match(base)
                      and not bodies.NEVER_IN.search(base)) \
                and any(bodies.is_body(_strip_qualifier(x[0])[0]) for x in later):
            last = _strip_qualifier(later[-1][0])[0]
            if bodies.is_admin_word(base) or last.endswith(_GENERIC_HEADS):
                continue
        return None
    return items if ok else None


def _list_units(text, s, e, role, label, to_source=None) -> list[UnitMention]:
    """Mentions of the list text[s:e] (already known to be one), coordinations resolved."""
    items = [(text[a:b], a, b) for _i, a, b in _items(text, s, e)]
    lists, _run_on, _cut, _said = _units_from_groups(text, [(role, label, items)], bracketed=True, known=set(),
                                                     to_source=to_source)
    return [u for x in lists for u in x]


# --------------------------------------------------------------------------- clauses


@dataclass
class _Clause:
    start: int
    end: int
    lists: list[list[UnitMention]]
    labels: list[str]
    kind: str  # verb | huitong | becomes | bare | label


def _clause(text: str, s: int, e: int, to_source=None, bare: bool = True) -> Optional[_Clause]:
    """Read one clause text[s:e] as a statement of units: [由]X(等部门)(按职责分工)负责 / X牵头 /
    X会同Y(负责) / X为牵头单位 / (with ``bare``) X、Y."""
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if e - s < 2:
        return None
    if text.startswith("由", s):
        s += 1
    clause = text[s:e]
    m = _VERB.search(clause)
    if m and m.start() > 0:
        verb, q = m.group("verb"), m.group("q")
        body_end = s + m.start()
        h = _HUITONG.search(clause, 0, m.start())
        if h and h.start() > 0:
            la, lb = s, s + h.start()
            sa, sb = s + h.end(), body_end
            if body_list(text, la, lb) and body_list(text, sa, sb):
                lead = _list_units(text, la, lb, "lead", h.group(0), to_source=to_source)
                support = _list_units(text, sa, sb, "support", h.group(0), to_source=to_source)
                return _Clause(s, e, [lead, support], [h.group(0)], "huitong")
            return None
        if body_list(text, s, body_end) is None:
            return None
        role = verb_role(verb)
        units = _list_units(text, s, body_end, role, verb, to_source=to_source)
        if q:  # 等部门按职责分工负责 covers the whole list
            qual = q + verb if role == "responsible" else q
            for u in units:
                u.qualifier = qual
        return _Clause(s, e, [units], [verb], "verb")
    b = _BECOMES.search(clause)
    if b and b.start() > 0 and body_list(text, s, s + b.start()):
        kind = b.group("kind")
        label = clause[b.start() + 1:]
        return _Clause(s, e, [_list_units(text, s, s + b.start(), ROLE_OF.get(kind, "responsible"), label,
                                          to_source=to_source)], [label], "becomes")
    if bare and body_list(text, s, e):
        return _Clause(s, e, [_list_units(text, s, e, "responsible", "", to_source=to_source)], [], "bare")
    return None


def _clauses(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """text[s:e] cut at ，；。 at bracket depth 0."""
    out = []
    depth = 0
    i = s
    for m in _CLAUSE_MARK.finditer(text, s, e):
        c = m.group(0)
        if c in _OPEN or c == "〔":
            depth += 1
        elif c in _CLOSE or c == "〕":
            depth = max(0, depth - 1)
        elif depth == 0 and (c != "、" or text[max(s, m.start() - 2):m.start()] in _VERB_BEFORE_DUN):
            out.append((i, m.start()))
            i = m.end()
    out.append((i, e))
    return out


# X牵头、Y配合: a 、 after a role verb ends a clause
_VERB_BEFORE_DUN = frozenset({"牵头", "负责", "配合", "参与", "参加", "协助", "协办", "指导", "落实"})


def _settle(clauses: list[_Clause]) -> list[list[UnitMention]]:
    """Roles across the clauses of one annotation, list by list: once a lead is named, the units
    said to be responsible after it support it (X牵头，Y按职责分工负责; a bare list after a lead)."""
    lists: list[list[UnitMention]] = []
    lead_seen = False
    for c in clauses:
        for part in c.lists:
            for u in part:
                if lead_seen and u.role == "responsible":
                    u.role = "support"
            lists.append(part)
        lead_seen = lead_seen or any(u.role == "lead" for part in c.lists for u in part)
    return lists


_BRACKET_OR_NL = re.compile(r"[()\[\]\n]")


def _matching_close(text: str, o: int, end: int, cap: int = 600) -> int:
    """Index of the bracket closing text[o], or -1 (none before ``end`` or within ``cap``)."""
    depth = 0
    stop = min(end, o + cap)
    for m in _BRACKET_OR_NL.finditer(text, o, stop):
        c = m.group(0)
        if c == "\n":
            if text.find(":", o, m.start()) == -1 and text.find("：", o, m.start()) == -1:
                return -1  # a label bracket may run over a line (牵头单位：X\n配合单位：Y)
            continue
        if c in _OPEN:
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return m.start()
    return -1


def read_bracket(text: str, o: int, end: int, known: set[str], to_source=None,
                 first_leads: bool = False) -> Optional[Annotation]:
    """The annotation in the bracket opened at text[o], or None when it holds no units."""
    c = _matching_close(text, o, end)
    if c == -1:
        return None
    i = o + 1
    while i < c and text[i].isspace():
        i += 1
    if _label_at(text, i):
        ann = read_labelled(text, o, end, known, to_source, first_leads)
        while ann is not None and ann.end < c + 1 and not ann.run_on:
            k = ann.end
            while k < c and text[k] in " \t\n，,；;。、":
                k += 1
            if _label_at(text, k):  # 牵头单位：X\n配合单位：Y inside one bracket
                more = read_labelled(text, k, end, known, to_source, first_leads)
                if more is None or more.end <= k:
                    break
                ann.lists += more.lists
                ann.units += more.units
                ann.labels += more.labels
                ann.end, ann.run_on = more.end, more.run_on
                ann.first_leads = ann.first_leads or more.first_leads
                continue
            # a remark after the labelled lists (；适用范围：…) ends with the bracket
            if not text[ann.end:c].strip(" ，,；;。") or _remark_only(text, ann.end, c):
                ann.end = c + 1
            break
        return ann
    if _inside_a_phrase(text, o, c):
        return None  # 镇(街道)、村(社区) / 党校(行政院校)的: part of a name, not an annotation
    read: list[_Clause] = []
    said = False
    for s, e in _clauses(text, o + 1, c):
        seg = text[s:e].strip()
        if not seg:
            continue
        lab = _label_search(text, s, e)
        if lab is not None and not text[s:lab.start()].strip():
            inner = read_labelled(text, lab.start(), c, known, to_source, first_leads)
            if inner is None or not inner.units and not inner.labels:
                return None
            lists = _settle(read + [_Clause(inner.start, inner.end, inner.lists, inner.labels, "label")])
            ann = Annotation(start=o, end=max(c + 1, inner.end), labels=[x for r in read for x in r.labels] + inner.labels,
                             first_leads=said or inner.first_leads, run_on=inner.run_on)
            if inner.run_on:
                ann.end = inner.end
            ann.lists = lists
            ann.units = _first_leads(lists, first_leads or ann.first_leads)
            return ann
        cl = _clause(text, s, e, to_source)
        if cl is not None:
            if cl.kind == "bare" and read and read[-1].kind == "bare":
                read[-1].lists[-1].extend(cl.lists[0])  # （X、Y，Z）: one list
                read[-1].end = cl.end
                continue
            read.append(cl)
            continue
        if FIRST_LEADS.search(seg):
            said = True
            continue
        if not read and (_TIME_REMARK.search(seg) and not _has_body(text, s, e)):
            continue  # （2022年底前完成，市司法局负责）
        if read:
            break  # a remark after the units (以下均需…落实，不再列出)
        return None
    if not read:
        return None
    ann = Annotation(start=o, end=c + 1, labels=[x for r in read for x in r.labels], first_leads=said)
    ann.lists = _settle(read)
    ann.units = _first_leads(ann.lists, first_leads or said)
    return ann


_PHRASE_CHAR = re.compile(r"[\w、]")


def _inside_a_phrase(text: str, o: int, c: int) -> bool:
    """The bracket text[o:c+1] stands inside a phrase: a word before it and a word (or 、) right
    after it (完善镇(街道)、村(社区)…; 推进镇(街道)管理体制改革). An annotation closes a sentence or
    a clause, so something else follows it: a full stop, a comma, the line's end."""
    before = text[o - 1] if o > 0 else "\n"
    after = text[c + 1] if c + 1 < len(text) else "\n"
    return bool(_PHRASE_CHAR.match(before) and _PHRASE_CHAR.match(after))


def _remark_only(text: str, s: int, e: int) -> bool:
    seg = text[s:e].strip(" ，,；;。")
    return bool(_OTHER_LABEL.match(seg) or _REMARK.match(seg) or FIRST_LEADS.search(seg)) or not _has_body(text, s, e)


def _has_body(text: str, s: int, e: int) -> bool:
    """text[s:e] names a body somewhere (an item of a 、/，-list)."""
    for a, b in _clauses(text, s, e):
        for item, _x, _y in _items(text, a, b):
            base = _strip_qualifier(item)[0]
            if bodies.is_body(base) or bodies.is_body(base.removeprefix("由")):
                return True
    return False


def read_closing_clauses(text: str, ps: int, pe: int, to_source=None, first_leads: bool = False) -> Optional[Annotation]:
    """The clauses closing the paragraph text[ps:pe] that state units (……，由X牵头，Y配合。)."""
    e = pe
    while e > ps and text[e - 1] in " \t\r\n":
        e -= 1
    full_stop = e
    if e > ps and text[e - 1] in "。；":
        e -= 1
    if e - 2 < ps or text[e - 2:e] not in _VERB_ENDS:
        return None  # the clauses close with a role verb: 牵头 配合 负责 …
    sent_start = max(text.rfind("。", ps, e), text.rfind("；", ps, e), text.rfind("\n", ps, e)) + 1
    sent_start = max(sent_start, ps)
    cls = _clauses(text, sent_start, e)
    read: list[_Clause] = []
    for s, ce in reversed(cls):
        cl = _clause(text, s, ce, to_source, bare=False)
        if cl is None:
            break
        read.insert(0, cl)
    if not read:
        return None
    ann = Annotation(start=read[0].start - (1 if text[read[0].start - 1:read[0].start] == "由" else 0),
                     end=full_stop, labels=[x for r in read for x in r.labels])
    ann.lists = _settle(read)
    ann.units = _first_leads(ann.lists, first_leads)
    return ann


# --------------------------------------------------------------------------- the finder


def first_listed_leads(text: str) -> Optional[re.Match]:
    """Where the plan says that the first-listed unit of a list leads (列第一位者为牵头单位)."""
    pos = text.find("牵头")
    while pos != -1:  # every statement of it names 牵头: look only around each
        m = FIRST_LEADS.search(text, max(0, pos - 16), pos + 12)
        if m:
            return m
        pos = text.find("牵头", pos + 2)
    return None


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
        if not item or bodies.is_empty_mark(item):
            continue
        name, qual = _strip_qualifier(item)
        out.append(_mention(name, role, label, a, a + len(name), _parts(name, []), qual, to_source))
    return out


_SITE = re.compile(r"[(\[\n]")
_OPEN_RX = re.compile(r"[(\[]")


def find_annotations(text: str, start: int, end: int, known: set[str], to_source=None,
                     first_leads: bool = False) -> list[Annotation]:
    """Every unit annotation in text[start:end], in order."""
    out: list[Annotation] = []
    pos = start
    lab = _label_search(text, pos, end)
    para = start  # start of the current paragraph
    while pos < end:
        if lab is not None and lab.start() < pos:
            lab = _label_search(text, pos, end)
        site = _SITE.search(text, pos, end)
        nxt = site.start() if site else end
        if lab is not None and lab.start() < nxt:
            s = lab.start()
            b = s - 1
            while b >= start and text[b].isspace():
                b -= 1
            if b >= start and text[b] in _OPEN and b >= pos:
                s = b
            ann = read_labelled(text, s, end, known, to_source, first_leads)
            if ann is None or ann.end <= pos:
                pos = lab.end()
                continue
            if text[s] not in _OPEN and _furniture(text, s, ann.end):
                pos = max(ann.end, lab.end())  # 主办单位：…办公室 承办单位：… 网站标识码: a site's footer
                continue
            out.append(ann)
            pos = max(ann.end, lab.end())
            continue
        if site is None:
            ann = read_closing_clauses(text, para, end, to_source, first_leads)
            if ann is not None and ann.start >= pos:
                out.append(ann)
            break
        k = site.start()
        if text[k] == "\n":
            ann = read_closing_clauses(text, para, k, to_source, first_leads)
            if ann is not None and ann.start >= pos:
                out.append(ann)
            para = k + 1
            pos = k + 1
            continue
        ann = read_bracket(text, k, end, known, to_source, first_leads)
        if ann is None:
            pos = k + 1
            continue
        out.append(ann)
        pos = ann.end
    return out


_FURNITURE = re.compile(r"网站标识码|ICP备|ICP证|备案号|公网安备|版权所有|技术支持|联系我们|网站地图|主办单位[:：][^\n]{0,60}承办单位[:：]")


def _furniture(text: str, s: int, e: int) -> bool:
    """The label run at text[s:e] stands in a web page's footer (主办单位：… 承办单位：… 网站标识码)."""
    ls = text.rfind("\n", 0, s) + 1
    le = text.find("\n", e)
    le = len(text) if le == -1 else le
    return bool(_FURNITURE.search(text, max(ls, s - 200), min(le, e + 200)))


def unread_brackets(text: str, s: int, e: int, anns: list[Annotation]) -> list[tuple[int, int]]:
    """Brackets in text[s:e] outside every annotation that still hold bodies' names: annotations
    the reader did not understand, reported so that a user sees where to look."""
    out = []
    taken = sorted((a.start, a.end) for a in anns)
    for m in _OPEN_RX.finditer(text, s, e):
        o = m.start()
        if any(a <= o < b for a, b in taken):
            continue
        c = _matching_close(text, o, e)
        if c == -1 or any(a <= c < b for a, b in taken) or _inside_a_phrase(text, o, c):
            continue
        if _has_body(text, o + 1, c):
            out.append((o, c + 1))
    return out

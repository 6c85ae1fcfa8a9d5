"""Unit annotations as clauses with role verbs: X牵头，Y配合 / X指导，Y参与 / X会同Y负责 / X负责,
in a bracket or closing a paragraph (……，由X牵头，Y配合。)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from kg.model import UnitMention
from kg.parse.roles import Annotation, CLOSE, OPEN, ROLE_OF, verb_role
from kg.parse.units import body_list, first_as_lead, list_units


# a role verb closing a clause, with what qualifies it (等部门按职责分工负责)
_VERB = re.compile(
    r"(?P<q>(?:等(?:有关|相关)?(?:部门|单位)?)?(?:按照?职责(?:分工)?|按职能|分别|共同|具体|分工)?)"
    r"(?P<verb>牵头负责|牵头落实|牵头实施|牵头|负责落实|负责实施|负责推进|负责|配合落实|配合|参与|参加|协助|协办|"
    r"指导落实|指导实施|指导|组织实施|抓好落实|推进落实|落实|实施)$")


_HUITONG = re.compile(r"会同|联合")


# the last two characters of every role verb of _VERB
_VERB_ENDS = frozenset({"牵头", "负责", "落实", "实施", "推进", "配合", "参与", "参加", "协助", "协办", "指导"})


_BECOMES = re.compile(r"为(?P<kind>牵头|责任|配合|参与|协办|主办|主责)(?:单位|部门)$")
_CLAUSE_MARK = re.compile(r"[()\[\]〔〕，,；;。、]")


@dataclass
class Clause:
    """One clause of an annotation: its span, its lists of units, their role words, and its kind."""
    start: int
    end: int
    lists: list[list[UnitMention]]
    labels: list[str]
    kind: str  # verb | huitong | becomes | bare | label


def read_clause(text: str, s: int, e: int, to_source=None, bare: bool = True) -> Optional[Clause]:
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
                lead = list_units(text, la, lb, "lead", h.group(0), to_source=to_source)
                support = list_units(text, sa, sb, "support", h.group(0), to_source=to_source)
                return Clause(s, e, [lead, support], [h.group(0)], "huitong")
            return None
        if body_list(text, s, body_end) is None:
            return None
        role = verb_role(verb)
        units = list_units(text, s, body_end, role, verb, to_source=to_source)
        if q:  # 等部门按职责分工负责 covers the whole list
            qual = q + verb if role == "responsible" else q
            for u in units:
                u.qualifier = qual
        return Clause(s, e, [units], [verb], "verb")
    b = _BECOMES.search(clause)
    if b and b.start() > 0 and body_list(text, s, s + b.start()):
        kind = b.group("kind")
        label = clause[b.start() + 1:]
        return Clause(s, e, [list_units(text, s, s + b.start(), ROLE_OF.get(kind, "responsible"), label,
                                          to_source=to_source)], [label], "becomes")
    if bare and body_list(text, s, e):
        return Clause(s, e, [list_units(text, s, e, "responsible", "", to_source=to_source)], [], "bare")
    return None


def clause_spans(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """text[s:e] cut at ，；。 at bracket depth 0."""
    out = []
    depth = 0
    i = s
    for m in _CLAUSE_MARK.finditer(text, s, e):
        c = m.group(0)
        if c in OPEN or c == "〔":
            depth += 1
        elif c in CLOSE or c == "〕":
            depth = max(0, depth - 1)
        elif depth == 0 and (c != "、" or text[max(s, m.start() - 2):m.start()] in _VERB_BEFORE_DUN):
            out.append((i, m.start()))
            i = m.end()
    out.append((i, e))
    return out


# X牵头、Y配合: a 、 after a role verb ends a clause
_VERB_BEFORE_DUN = frozenset({"牵头", "负责", "配合", "参与", "参加", "协助", "协办", "指导", "落实"})


def settle(clauses: list[Clause]) -> list[list[UnitMention]]:
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
    cls = clause_spans(text, sent_start, e)
    read: list[Clause] = []
    for s, ce in reversed(cls):
        cl = read_clause(text, s, ce, to_source, bare=False)
        if cl is None:
            break
        read.insert(0, cl)
    if not read:
        return None
    ann = Annotation(start=read[0].start - (1 if text[read[0].start - 1:read[0].start] == "由" else 0),
                     end=full_stop, labels=[x for r in read for x in r.labels])
    ann.lists = settle(read)
    ann.units = first_as_lead(ann.lists, first_leads)
    return ann

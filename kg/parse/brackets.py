"""A bracket in a task's text read as a unit annotation (labelled, with role verbs or a bare list),
or not: a remark, a phrase, a bracket that names no public body."""
from __future__ import annotations

import re
from typing import Optional

from kg.parse import bodies
from kg.parse.clauses import Clause, clause_spans, read_clause, settle
from kg.parse.labels import read_labelled
from kg.parse.roles import Annotation, FIRST_LEADS, OPEN, OTHER_LABEL, REMARK, label_at, label_search
from kg.parse.units import first_as_lead, list_items, strip_qualifier


# a deadline or time remark that may stand before the units in a bracket
_TIME_REMARK = re.compile(r"\d{4}\s*年|年底|年前|月底|月前|季度|长期|持续|每年|完成时限|时限")


_BRACKET_OR_NL = re.compile(r"[()\[\]\n]")


def matching_close(text: str, o: int, end: int, cap: int = 600) -> int:
    """Index of the bracket closing text[o], or -1 (none before ``end`` or within ``cap``)."""
    depth = 0
    stop = min(end, o + cap)
    for m in _BRACKET_OR_NL.finditer(text, o, stop):
        c = m.group(0)
        if c == "\n":
            if text.find(":", o, m.start()) == -1 and text.find("：", o, m.start()) == -1:
                return -1  # a label bracket may run over a line (牵头单位：X\n配合单位：Y)
            continue
        if c in OPEN:
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return m.start()
    return -1


def read_bracket(text: str, o: int, end: int, known: set[str], to_source=None,
                 first_leads: bool = False) -> Optional[Annotation]:
    """The annotation in the bracket opened at text[o], or None when it holds no units."""
    c = matching_close(text, o, end)
    if c == -1:
        return None
    i = o + 1
    while i < c and text[i].isspace():
        i += 1
    if label_at(text, i):
        ann = read_labelled(text, o, end, known, to_source, first_leads)
        while ann is not None and ann.end < c + 1 and not ann.run_on:
            k = ann.end
            while k < c and text[k] in " \t\n，,；;。、":
                k += 1
            if label_at(text, k):  # 牵头单位：X\n配合单位：Y inside one bracket
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
    if inside_a_phrase(text, o, c):
        return None  # 镇(街道)、村(社区) / 党校(行政院校)的: part of a name, not an annotation
    read: list[Clause] = []
    said = False
    for s, e in clause_spans(text, o + 1, c):
        seg = text[s:e].strip()
        if not seg:
            continue
        lab = label_search(text, s, e)
        if lab is not None and not text[s:lab.start()].strip():
            inner = read_labelled(text, lab.start(), c, known, to_source, first_leads)
            if inner is None or not inner.units and not inner.labels:
                return None
            lists = settle(read + [Clause(inner.start, inner.end, inner.lists, inner.labels, "label")])
            ann = Annotation(start=o, end=max(c + 1, inner.end), labels=[x for r in read for x in r.labels] + inner.labels,
                             first_leads=said or inner.first_leads, run_on=inner.run_on)
            if inner.run_on:
                ann.end = inner.end
            ann.lists = lists
            ann.units = first_as_lead(lists, first_leads or ann.first_leads)
            return ann
        cl = read_clause(text, s, e, to_source)
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
        if not read and (_TIME_REMARK.search(seg) and not has_body(text, s, e)):
            continue  # （2022年底前完成，市司法局负责）
        if read:
            break  # a remark after the units (以下均需…落实，不再列出)
        return None
    if not read:
        return None
    ann = Annotation(start=o, end=c + 1, labels=[x for r in read for x in r.labels], first_leads=said)
    ann.lists = settle(read)
    ann.units = first_as_lead(ann.lists, first_leads or said)
    return ann


_PHRASE_CHAR = re.compile(r"[\w、]")


def inside_a_phrase(text: str, o: int, c: int) -> bool:
    """The bracket text[o:c+1] stands inside a phrase: a word before it and a word (or 、) right
    after it (完善镇(街道)、村(社区)…; 推进镇(街道)管理体制改革). An annotation closes a sentence or
    a clause, so something else follows it: a full stop, a comma, the line's end."""
    before = text[o - 1] if o > 0 else "\n"
    after = text[c + 1] if c + 1 < len(text) else "\n"
    return bool(_PHRASE_CHAR.match(before) and _PHRASE_CHAR.match(after))


def _remark_only(text: str, s: int, e: int) -> bool:
    seg = text[s:e].strip(" ，,；;。")
    return bool(OTHER_LABEL.match(seg) or REMARK.match(seg) or FIRST_LEADS.search(seg)) or not has_body(text, s, e)


def has_body(text: str, s: int, e: int) -> bool:
    """text[s:e] names a body somewhere (an item of a 、/，-list)."""
    for a, b in clause_spans(text, s, e):
        for item, _x, _y in list_items(text, a, b):
            base = strip_qualifier(item)[0]
            if bodies.is_body(base) or bodies.is_body(base.removeprefix("由")):
                return True
    return False

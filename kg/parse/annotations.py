"""Unit annotations of a task: find them, split their unit lists, give each unit its role.

An annotation is recognised by what it is made of: names of public bodies (kg.parse.bodies) with role
words around them, not by one wording. It stands

- in brackets, anywhere in a task (several per task are common): labelled (牵头单位：…；配合单位：…),
  with role verbs (X牵头，Y配合 / X指导，Y参与 / X会同Y负责 / X负责), or a bare list (X、Y、Z);
- unbracketed, as a label line under the task or a label run at the end of a paragraph
  (牵头单位：X), or as the clauses closing a paragraph (……，由X牵头，Y配合。);
- in a table cell (kg.read.tables writes task tables as labelled brackets; / — 无 mean no unit).

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

This module finds them in a text; the pieces: kg.parse.roles (role words, labels, the
``Annotation`` record), kg.parse.units (unit names in lists), kg.parse.labels (labelled lists),
kg.parse.clauses (role verbs), kg.parse.brackets (a bracket read or not).
"""
from __future__ import annotations

import re
from typing import Optional

from kg.parse.brackets import has_body, inside_a_phrase, matching_close, read_bracket
from kg.parse.clauses import read_closing_clauses
from kg.parse.labels import read_labelled
from kg.parse.roles import Annotation, FIRST_LEADS, OPEN, label_search

__all__ = ["Annotation", "find_annotations", "first_listed_leads", "unread_brackets"]


def first_listed_leads(text: str) -> Optional[re.Match]:
    """Where the plan says that the first-listed unit of a list leads (列第一位者为牵头单位)."""
    pos = text.find("牵头")
    while pos != -1:  # every statement of it names 牵头: look only around each
        m = FIRST_LEADS.search(text, max(0, pos - 16), pos + 12)
        if m:
            return m
        pos = text.find("牵头", pos + 2)
    return None


_SITE = re.compile(r"[(\[\n]")
_OPEN_RX = re.compile(r"[(\[]")


def find_annotations(text: str, start: int, end: int, known: set[str], to_source=None,
                     first_leads: bool = False) -> list[Annotation]:
    """Every unit annotation in text[start:end], in order."""
    out: list[Annotation] = []
    pos = start
    lab = label_search(text, pos, end)
    para = start  # start of the current paragraph
    while pos < end:
        if lab is not None and lab.start() < pos:
            lab = label_search(text, pos, end)
        site = _SITE.search(text, pos, end)
        nxt = site.start() if site else end
        if lab is not None and lab.start() < nxt:
            s = lab.start()
            b = s - 1
            while b >= start and text[b].isspace():
                b -= 1
            if b >= start and text[b] in OPEN and b >= pos:
                s = b
            ann = read_labelled(text, s, end, known, to_source, first_leads)
            if ann is None or ann.end <= pos:
                pos = lab.end()
                continue
            if text[s] not in OPEN and _furniture(text, s, ann.end):
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
        c = matching_close(text, o, e)
        if c == -1 or any(a <= c < b for a, b in taken) or inside_a_phrase(text, o, c):
            continue
        if has_body(text, o + 1, c):
            out.append((o, c + 1))
    return out

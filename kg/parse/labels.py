"""Labelled unit lists: 牵头单位：X；配合单位：Y, in a bracket, on a line of its own or as a run at
the end of a paragraph."""
from __future__ import annotations

import re
from typing import Optional

from kg.parse import bodies
from kg.parse.roles import Annotation, BLANKS, CLOSE, OPEN, PERSON, label_at, label_search, role_of
from kg.parse.units import first_as_lead, scan_item, units_from_groups


def read_labelled(text: str, start: int, limit: int, known: set[str], to_source=None,
                  first_leads: bool = False) -> Optional[Annotation]:
    """Read a labelled annotation whose first label is at ``start`` (or whose bracket is)."""
    i = start
    bracket = None
    if text[i] in OPEN:
        bracket = text[i]
        i += 1
        while i < limit and text[i].isspace():
            i += 1
    if not label_at(text, i):
        return None
    ann = Annotation(start=start, end=start)
    groups: list[tuple[str, str, list[tuple[str, int, int]]]] = []
    end = i
    closed = False
    stop_reason = ""
    while True:
        m = label_at(text, i)
        if not m:
            break
        label = BLANKS.sub("", m.group("label"))
        role = role_of(label)
        i = m.end()
        items: list[tuple[str, int, int]] = []
        next_group = False
        while True:
            j = scan_item(text, i, limit)
            inner = label_search(text, i, j)  # 牵头单位：X　配合单位：Y (no separator between roles)
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
                if label_at(text, k):
                    i = k
                    next_group = True
                    break
                i = j + 1
                continue
            end = j
            stop_reason = sep
            if sep and sep in CLOSE and bracket:
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
    lists, run_on, cut_end, said = units_from_groups(text, groups, bracketed=closed, known=known,
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
    ann.units = first_as_lead(lists, first_leads or said)
    return ann

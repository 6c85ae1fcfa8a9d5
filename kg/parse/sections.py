"""Sections of a plan whose pages came out of order (a preview-site scrape), put back in order.

Once the tasks are listed by number, the text order of headings is only to be trusted inside
one page fragment.  Genre rules used:

- a task stays in the section it follows in the text when nothing separates them but tasks
  numbered one after the other on continuous text (no page break between a heading and its
  first task); any other task belongs to the section of the task numbered just before it;
- section numbers form a sequence too: (一)(二)(三)(五) means the heading (四) was lost with a
  page — a placeholder section (四) with an empty title is made, and the tasks after the first
  gap in task numbers that follows (三)'s last task, up to (五)'s first, belong to it;
- a heading whose numeral is not a numeral ((A), an OCR error) between (七) and (九) is (八);
- a section's parent is the heading it directly follows on the same page, else the parent of
  the section numbered just before it.

Every change is reported in the document's diagnostics.
"""
from __future__ import annotations

import bisect
import re
from typing import Optional

from kg.model import Diagnostic, Document, Section

_CN = "一二三四五六七八九十"


def cn_numeral(n: int) -> str:
    if n <= 10:
        return _CN[n - 1]
    if n < 20:
        return "十" + _CN[n - 11]
    tens, ones = divmod(n, 10)
    return _CN[tens - 1] + "十" + (_CN[ones - 1] if ones else "")


def _printed(like: str, n: int) -> str:
    """The number n printed as a sibling is printed: （五） -> （四）, 五、 -> 四、."""
    m = re.search(rf"[{_CN}]+|\d+|[A-Za-z]+", like)
    num = str(n) if m and m.group(0).isdigit() else cn_numeral(n)
    return like[:m.start()] + num + like[m.end():] if m else num


def resequence(doc: Document, piece_of: dict, heads: dict, breaks: list[int], text: str,
               shuffled: bool = True) -> None:
    """Re-assign tasks and sections of a shuffled document (tasks already in number order).

    ``piece_of`` maps task id -> parse piece (``head.start``, ``head.value``, ``head.lost``);
    ``heads`` maps section id -> its heading (``start``, ``value``, ``level``); ``breaks`` are
    the page-break offsets of the cleaned text, ``text`` the cleaned text; ``shuffled`` says
    the tasks were out of order (else only a gap in section numbers is looked at)."""
    if not doc.sections or not doc.tasks:
        return
    by_id = {s.id: s for s in doc.sections}
    if not shuffled:
        # pages in order: only a gap in the section numbering (a heading lost with a page) calls
        # for a placeholder
        depth = max((by_id[t.section].depth for t in doc.tasks if t.section in by_id), default=0)
        vals = [heads[s.id].value for s in doc.sections if s.depth == depth and s.id in heads]
        if None in vals or len(vals) < 2 or len(set(vals)) != len(vals) or sorted(vals) == list(range(1, len(vals) + 1)):
            return

    def same_page(a: int, b: int) -> bool:
        lo, hi = min(a, b), max(a, b)
        if bisect.bisect_right(breaks, lo) == bisect.bisect_right(breaks, hi):
            return True
        # a page break inside a heading's short title does not part the heading from what follows
        return hi - lo <= 80 and not re.search(r"[。；]", text[lo:hi])

    # tasks in text order, to see which follow each other on continuous text
    text_order = sorted(doc.tasks, key=lambda t: piece_of[t.id].head.start)
    text_prev = {b.id: a for a, b in zip(text_order, text_order[1:])}
    trusted: set[str] = set()
    for task in text_order:
        p = piece_of[task.id]
        sec = heads.get(task.section) if task.section else None
        prev = text_prev.get(task.id)
        if sec is not None and same_page(sec.start, p.head.start) and \
                (prev is None or piece_of[prev.id].head.start < sec.start):
            trusted.add(task.id)  # the first task under its heading, on the same page
        elif prev is not None and prev.id in trusted and prev.section == task.section and (
                task.number is None or prev.number is None or int(task.number) == int(prev.number) + 1
                or same_page(piece_of[prev.id].head.start, p.head.start)):
            trusted.add(task.id)  # continues the task before it
    depth = max((by_id[t.section].depth for t in doc.tasks if t.section in by_id), default=0)
    level = [s for s in doc.sections if s.depth == depth]
    values = {s.id: heads[s.id].value for s in level if s.id in heads}
    known = [v for v in values.values() if v is not None]
    sequence = len(known) == len(set(known)) and len(level) >= 2  # one numbering for the level

    def sec_value(sid: Optional[str]) -> Optional[int]:
        return values.get(sid) if sid in values else None

    if sequence:
        # a non-numeral in a slot of the sequence: the slot's numeral
        for s in level:
            if values.get(s.id) is not None:
                continue
            nums = [int(t.number) for t in doc.tasks if t.section == s.id and t.number and t.id in trusted]
            if not nums:
                continue
            before = [sec_value(t.section) for t in doc.tasks if t.number and int(t.number) < min(nums)
                      and t.id in trusted and sec_value(t.section) is not None]
            after = [sec_value(t.section) for t in doc.tasks if t.number and int(t.number) > max(nums)
                     and t.id in trusted and sec_value(t.section) is not None]
            lo = before[-1] if before else 0
            hi = after[0] if after else None
            if hi is not None and hi == lo + 2 and lo + 1 not in known:
                values[s.id] = lo + 1
                known.append(lo + 1)
                printed = s.number
                s.number = _printed(printed, lo + 1)
                doc.diagnostics.append(Diagnostic(
                    "section-number-read", f"section heading printed {printed} stands between "
                    f"{cn_numeral(lo) if lo else 'the start'} and {cn_numeral(hi)}: taken as {s.number}",
                    span=s.span, severity="info"))
        # numbers missing from the sequence: placeholders
        like = next((s.number for s in level if values.get(s.id) is not None), "()")
        parent_of_first = min((s for s in level if values.get(s.id) is not None), key=lambda s: values[s.id]).parent
        for n in range(1, max(known) + 1) if known else []:
            if n in known:
                continue
            sid = f"missing-{n}"
            ph = Section(id=sid, number=_printed(like, n), depth=depth, title="", parent=parent_of_first)
            doc.sections.append(ph)
            by_id[sid] = ph
            level.append(ph)
            values[sid] = n
            doc.diagnostics.append(Diagnostic(
                "section-heading-absent", f"section heading {ph.number} absent (lost with a page); "
                "a placeholder section stands for it", severity="warning"))
    # tasks: trusted ones stay; the others follow the task numbered just before them
    prev_task = None
    for k, task in enumerate(doc.tasks):
        if task.id not in trusted and prev_task is not None:
            target = prev_task.section
            gap = task.number is not None and prev_task.number is not None and \
                int(task.number) > int(prev_task.number) + 1
            if sequence and gap:
                lo = sec_value(prev_task.section) or 0
                nxt = next((t for t in doc.tasks[k + 1:] if t.id in trusted and sec_value(t.section)), None)
                hi = sec_value(nxt.section) if nxt else None
                holes = sorted(v for sid, v in values.items() if sid.startswith("missing-")
                               and v > lo and (hi is None or v < hi))
                if holes:
                    target = f"missing-{holes[0]}"
            task.section = target
        prev_task = task
    if not sequence:
        return
    # parents of the level's sections: the heading directly before on the same page, else the
    # parent of the section numbered just before
    upper = [s for s in doc.sections if s.depth == depth - 1 and s.id in heads]
    tstarts = sorted(piece_of[t.id].head.start for t in doc.tasks)
    lstarts = sorted(heads[s.id].start for s in level if s.id in heads)
    ordered = sorted(level, key=lambda s: values.get(s.id) or 0)
    prev_parent = ordered[0].parent
    for s in ordered:
        h = heads.get(s.id)
        direct = None
        if h is not None:
            ups = [u for u in upper if heads[u.id].start < h.start]
            if ups:
                u = max(ups, key=lambda u: heads[u.id].start)
                us = heads[u.id].start
                between_t = bisect.bisect_left(tstarts, h.start) - bisect.bisect_right(tstarts, us)
                between_l = bisect.bisect_left(lstarts, h.start) - bisect.bisect_right(lstarts, us)
                if same_page(us, h.start) and not between_t and not between_l:
                    direct = u.id
        s.parent = direct or prev_parent
        prev_parent = s.parent
    _renumber(doc, values)


def _renumber(doc: Document, values: dict) -> None:
    """Sections in reading order (each level by number), with ids s1, s1-2 … in that order."""
    kids: dict[Optional[str], list[Section]] = {}
    for s in doc.sections:
        kids.setdefault(s.parent, []).append(s)
    order = {s.id: k for k, s in enumerate(doc.sections)}
    new_ids: dict[str, str] = {}
    out: list[Section] = []

    def walk(parent: Optional[str], prefix: str) -> None:
        group = sorted(kids.get(parent, []), key=lambda s: (values.get(s.id) is None, values.get(s.id) or 0, order[s.id]))
        for k, s in enumerate(group, 1):
            new = f"{prefix}-{k}" if prefix else f"s{k}"
            new_ids[s.id] = new
            out.append(s)
            walk(s.id, new)

    walk(None, "")
    for s in out:
        s.parent = new_ids.get(s.parent) if s.parent else None
        s.id = new_ids[s.id]
    for t in doc.tasks:
        if t.section:
            t.section = new_ids.get(t.section, t.section)
    doc.sections = out

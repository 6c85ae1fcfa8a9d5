"""From headings to Tasks: the outline (sections, and the pieces of text that are tasks), the unit
annotations each piece holds, paragraphs that end with a unit line read as unnumbered tasks, the
Task records with their units, deadlines and recurring duties, and the numbering checks."""
from __future__ import annotations

import bisect
import re
from typing import Optional

from kg.model import Diagnostic, Document, Section, Source, Task
from kg.parse.annotations import Annotation, unread_brackets
from kg.parse.dates import find_deadlines, find_recurrences
from kg.parse.fragments import Piece, first_sentence
from kg.parse.headings import Heading, heading_title

Orphan = tuple  # (annotation, start of the region it stands in, end of that region)


def outline(doc: Document, source: Source, t: str, heads: list[Heading], bounds: list[int], task_level: int,
            demoted: set[int], promoted: set[int], title_end: int, to_src) -> tuple[list[Piece], list[tuple[int, int]], dict]:
    """Sections (appended to ``doc.sections``) and task pieces from the headings: (pieces, the
    regions of text that belong to no task, the heading of each section id)."""
    # sections and task pieces
    sec_stack: list[Section] = []
    sec_count: dict[Optional[str], int] = {}
    sec_heads: dict[str, Heading] = {}
    pieces: list[Piece] = []
    nontask_regions: list[tuple[int, int]] = []
    lost_level = task_level
    first_task_seen = False
    since_section = True
    for k, h in enumerate(heads):
        level = lost_level if h.lost else h.level
        end = bounds[k + 1]
        if k in promoted:
            first_task_seen = True
            pieces.append(Piece(head=Heading(task_level, None, None, h.start, h.body, h.line_start, lost=True,
                                               plain=True),
                                 end=end, section=sec_stack[-1].id if sec_stack else None, new_section=since_section))
            since_section = False
            continue
        if level < task_level or k in demoted:
            while sec_stack and sec_stack[-1].depth >= level:
                sec_stack.pop()
            parent = sec_stack[-1].id if sec_stack else None
            n = sec_count.get(parent, 0) + 1
            sec_count[parent] = n
            sid = f"{parent}-{n}" if parent else f"s{n}"
            stitle = heading_title(t, h, end)
            ps, pe = to_src(h.start, h.body)
            printed = source.text[ps:pe].strip() if source.text else ""
            sec = Section(id=sid, number=printed or h.number or "", depth=level, title=stitle, parent=parent,
                          span=to_src(h.start, end))
            doc.sections.append(sec)
            sec_heads[sid] = h
            sec_stack.append(sec)
            since_section = True
            nontask_regions.append((h.body, end))
        elif level == task_level:
            first_task_seen = True
            pieces.append(Piece(head=h, end=end, section=sec_stack[-1].id if sec_stack else None,
                                 new_section=since_section))
            since_section = False
        else:
            if pieces and first_task_seen:
                pieces[-1].end = end  # a sub-item belongs to its task
            else:
                nontask_regions.append((h.start, end))
    if heads:
        nontask_regions.insert(0, (title_end, heads[0].start))
    return pieces, nontask_regions, sec_heads


def attach_annotations(pieces: list[Piece], nontask_regions: list[tuple[int, int]],
                       all_anns: list[Annotation]) -> list[Orphan]:
    """Give each piece the annotations in its text (text after a run-on list is not the task's any
    more); the orphans: annotations after a run-on list or in a region of no task."""
    orphans: list[tuple[Annotation, int, int]] = []  # annotation, region start, region end
    # annotations per piece; text after a run-on list is not the task's any more
    anns_in = _by_start(all_anns)
    for p in pieces:
        anns = anns_in(p.head.body, p.end)
        kept: list[Annotation] = []
        for a in anns:
            if kept and kept[-1].run_on:
                orphans.append((a, kept[-1].end, a.start))
                continue
            kept.append(a)
        p.anns = kept
        if kept and kept[-1].run_on:
            p.cut = kept[-1].end
    for rs, re_ in nontask_regions:
        for a in anns_in(rs, re_):
            orphans.append((a, rs, a.start))
    return orphans


def plain_tasks(doc: Document, t: str, pieces: list[Piece], orphans: list[Orphan], heads: list[Heading],
                title_end: int, task_level: int, to_src) -> None:
    """Orphan unit lines: a paragraph of its own that ends with one is a task without a number
    (a new piece); the pieces are then put in text order, and the unit lines still left over are
    reported."""
    # a paragraph of its own that ends with a unit line is a task even without a number
    # (plans that do not number their tasks, table rows without a number column)
    preamble_end = heads[0].start if heads else title_end
    last_plain: Optional[Piece] = None
    for a, rs, ae in list(orphans):
        ls = t.rfind("\n", 0, a.start) + 1
        le = t.find("\n", a.end)
        le = len(t) if le == -1 else le
        if not t[ls:a.start].strip() and ls > max(rs, preamble_end):
            # a unit line of its own under a paragraph (责任单位：…): the paragraph above is the task
            if last_plain is not None and not t[last_plain.end:a.start].strip():
                last_plain.anns.append(a)  # 牵头单位：X / 配合单位：Y, line after line
                last_plain.end = a.end
                orphans.remove((a, rs, ae))
                continue
            pe = ls - 1
            while pe > rs and t[pe - 1].isspace():
                pe -= 1
            ls = t.rfind("\n", 0, pe) + 1
            if ls < max(rs, preamble_end) or not re.search(r"[。；]", t[ls:pe]) or any(h.start == ls for h in heads):
                continue
        if ls < max(rs, preamble_end) or a.start - ls > 800 or t[a.end:le].strip():
            continue
        if not re.search(r"[。；]", t[ls:a.start]) and len(t[ls:a.start].strip()) < 4:
            continue
        while ls < a.start and t[ls] in " \t":
            ls += 1
        h = Heading(task_level, None, None, ls, ls, True, lost=True, plain=True)
        sec = None
        for s_ in doc.sections:
            if s_.span and s_.span[0] <= to_src(ls, ls + 1)[0]:
                sec = s_.id
        last_plain = Piece(head=h, end=a.end, section=sec, anns=[a])
        pieces.append(last_plain)
        orphans.remove((a, rs, ae))
    pieces.sort(key=lambda p: p.head.start)
    for a, rs, _ in orphans:
        names = "、".join(x.text for x in a.units[:3])
        doc.diagnostics.append(Diagnostic(
            "fragment-left-over", f"unit line ({names}…) could not be placed with a task", span=to_src(a.start, a.end)))


def build_tasks(doc: Document, t: str, pieces: list[Piece], all_anns: list[Annotation], to_src) -> None:
    """The Task of each piece (appended to ``doc.tasks``): id, number, title, text, units,
    deadlines, recurring duties, and the diagnostics of a task that breaks off, has no unit line,
    names an empty unit or holds a bracket not read."""
    # tasks
    used_ids: set[str] = set()
    lost_k = 0
    for p in pieces:
        h = p.head
        body_end = p.end if p.cut is None else p.cut
        body_text = _task_text(t, h.body, body_end, p)
        if h.lost:
            lost_k += 1
            tid = f"u{lost_k}"
        else:
            tid = f"t{h.value}"
            k = 2
            while tid in used_ids:
                tid = f"t{h.value}-{k}"
                k += 1
        used_ids.add(tid)
        task = Task(id=tid, number=None if h.lost else str(h.value), title=first_sentence(body_text),
                    text=body_text, section=p.section, span=to_src(h.start, body_end))
        for a in p.anns:
            task.units.extend(a.units)
        for s, e in [(h.body, body_end)] + p.extra_text:
            # deadlines also inside an annotation (（责任单位：…；完成时限：2022年底前）)
            task.deadlines.extend(find_deadlines(t[s:e], s, to_src))
            if t.find("每", s, e) == -1:
                continue  # every recurrence form starts with 每 (find_recurrences would find none)
            for a, b in _minus(s, e, [(a.start, a.end) for a in p.anns]):
                task.recurrences.extend(find_recurrences(t[a:b], a, to_src))
        doc.tasks.append(task)
        if body_text and body_text[-1] not in "。！？；)]”" and not task.units:
            doc.diagnostics.append(Diagnostic(
                "task-text-unfinished", f"task {task.number or '(unnumbered)'} {task.title[:30]} breaks off "
                f"mid-sentence (…{body_text[-8:]})", span=task.span))
        if not task.units and all_anns:
            doc.diagnostics.append(Diagnostic(
                "task-without-units", f"task {task.number or '(unnumbered)'} {task.title[:30]} has no unit line",
                span=task.span))
        for a in p.anns:
            for label, raw in a.empty:
                doc.diagnostics.append(Diagnostic(
                    "empty-unit", f"task {task.number or task.id} {task.title[:30]}: the {label} names no unit "
                    f"({label}：{raw}); left out: write the unit's name", to_src(a.start, a.end)))
        for a, b in unread_brackets(t, h.body, body_end, p.anns):
            doc.diagnostics.append(Diagnostic(
                "unread-annotation", f"unread annotation in task {task.number or '(unnumbered)'} "
                f"{task.title[:20]}: {_shorten(t[a:b], 60)}", span=to_src(a, b)))


def _shorten(s: str, n: int) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[:n - 1] + "…"


def _by_start(anns: list[Annotation]):
    """``f(lo, hi)``: the annotations that start in [lo, hi), in list order."""
    starts = [a.start for a in anns]
    if any(x > y for x, y in zip(starts, starts[1:])):
        return lambda lo, hi: [a for a in anns if lo <= a.start < hi]
    return lambda lo, hi: anns[bisect.bisect_left(starts, lo):bisect.bisect_left(starts, hi)] if lo < hi else []


def _minus(s: int, e: int, holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    pos = s
    for a, b in sorted(holes):
        if b <= pos or a >= e:
            continue
        if a > pos:
            out.append((pos, a))
        pos = max(pos, b)
    if pos < e:
        out.append((pos, e))
    return out


def _task_text(t: str, s: int, e: int, p: Piece) -> str:
    segs = _minus(s, e, [(a.start, a.end) for a in p.anns if s <= a.start < e])
    parts = [t[a:b] for a, b in segs]
    for a, b in p.extra_text:
        segs2 = _minus(a, b, [(x.start, x.end) for x in p.anns])
        parts.extend(t[x:y] for x, y in segs2)
    # stripped first: the blanks around a line break lie in one run of whitespace, so the rewrite
    # gives the same inside the text, and the runs at the ends go either way
    txt = "".join(parts).strip()
    return _NL_BLANKS.sub("\n", txt) if "\n" in txt else txt


_NL_BLANKS = re.compile(r"[ \t]*\n[ \t]*")


def _ranges(nums: list[int]) -> str:
    out = []
    i = 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        out.append(str(nums[i]) if i == j else f"{nums[i]}-{nums[j]}")
        i = j + 1
    return ", ".join(out)


def check_numbers(doc: Document, pieces: list[Piece], sections: frozenset[int] = frozenset()) -> bool:
    """Numbers absent, restarted or out of order; lost numbers inferred from their neighbours.
    True when the tasks were out of order (shuffled pages) and have been put in number order.
    ``sections``: numbers of the sequence printed on items read as sections (aims, principles)."""
    vals = [p.head.value for p in pieces if not p.head.lost]
    if not vals:
        return False
    # numbering restarts per section when several sections start again at 1
    numbered = [p for p in pieces if not p.head.lost]
    breaks = [(a, b) for a, b in zip(numbered, numbered[1:]) if b.head.value <= a.head.value]
    restarts = sum(1 for a, b in breaks if b.head.value == 1)
    groups: list[list[int]] = []
    if breaks and all(b.head.value == 1 and b.new_section for a, b in breaks):
        cur: list[int] = []
        for v in vals:
            if v == 1 and cur:
                groups.append(cur)
                cur = []
            cur.append(v)
        groups.append(cur)
        doc.diagnostics.append(Diagnostic("numbering-restarts", f"task numbers restart {restarts} times", severity="info"))
    else:
        groups = [vals]
    inferred: list[int] = []
    for k, p in enumerate(pieces):
        if p.head.lost and not p.head.plain:
            prev = next((q.head.value for q in reversed(pieces[:k]) if not q.head.lost), None)
            if prev is not None and prev + 1 not in vals and prev + 1 not in inferred:
                inferred.append(prev + 1)
                if k < len(doc.tasks):
                    doc.tasks[k].inferred_number = str(prev + 1)
                doc.diagnostics.append(Diagnostic(
                    "number-lost", f"a task printed without its number after task {prev}; probably {prev + 1}",
                    span=doc.tasks[k].span if k < len(doc.tasks) else None, severity="info"))
            else:
                doc.diagnostics.append(Diagnostic(
                    "number-lost", f"a task printed without a number after task {prev}",
                    span=doc.tasks[k].span if k < len(doc.tasks) else None, severity="info"))
    absent: list[int] = []
    for g in groups:
        present = set(g) | (set(inferred) if len(groups) == 1 else set()) | (set(sections) if len(groups) == 1 else set())
        absent.extend(n for n in range(1, max(present) + 1) if n not in present)
    if absent:
        doc.diagnostics.insert(0, Diagnostic("numbers-absent", f"task numbers absent: {_ranges(sorted(set(absent)))}"))
    jumps = sum(1 for a, b in zip(vals, vals[1:]) if b != a + 1)
    if len(groups) == 1 and jumps and vals != sorted(vals):
        doc.diagnostics.append(Diagnostic(
            "numbers-out-of-order", f"task numbers out of order ({jumps} breaks): pages are probably shuffled; "
            "tasks are listed by number", severity="info"))
        # list tasks by number; an unnumbered task keeps its place after its predecessor
        keyed = []
        last = 0.0
        for k, task in enumerate(doc.tasks):
            if task.number is not None:
                last = float(task.number)
                keyed.append((last, k, task))
            else:
                keyed.append((last + 0.5, k, task))
        doc.tasks = [x[2] for x in sorted(keyed, key=lambda x: (x[0], x[1]))]
        return True
    return False

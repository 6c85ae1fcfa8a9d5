"""Parse an implementation plan (实施方案/工作方案) into a Document: title, level, region, period,
parent directives, sections, tasks with their units, deadlines and recurring duties, diagnostics.

Written for the genre, not for one file: the opening is read past covering notices and banners
(kg.parse.preamble); headings are found at line starts and inside run-on text, and the level that
carries unit annotations is the task level (kg.parse.headings); page fragments that put a unit
line on another page than its task are placed back and reported (kg.parse.fragments); the
pieces of text become sections and tasks (kg.parse.tasks), in page order (kg.parse.pages,
kg.parse.sections).
"""
from __future__ import annotations

from kg.identity import document_id
from kg.model import CleanText, Diagnostic, Document, Source
from kg.parse.annotations import Annotation, find_annotations, first_listed_leads
from kg.parse.fragments import place_fragments
from kg.parse.headings import Heading, aim_headings, choose_task_level, find_headings, leaf_tasks
from kg.parse.pages import reorder_pages
from kg.parse.preamble import find_parents, level_region, plan_period, read_opening, restore_dash
from kg.parse.sections import resequence
from kg.parse.tasks import attach_annotations, build_tasks, check_numbers, outline, plain_tasks
from kg.parse.titles import title_keys


def parse_plan(source: Source, text: CleanText, reorder: bool = True) -> Document:
    """The Document of a plan; ``reorder``: try the reading with runs of pages put back in
    task-number order too, and keep the one with fewer broken tasks."""
    t = text.text
    to_src = text.to_source
    doc = Document(id=document_id(source), source=source, kind="plan")
    opening = read_opening(t)
    title, title_end = opening.title, opening.end
    doc.title = restore_dash(title)
    doc.issuers, doc.date = opening.issuers, opening.date
    period = plan_period(doc.title, t, title_end)
    if period:
        doc.period = period
    heads = find_headings(t, title_end)
    first_head = heads[0].start if heads else len(t)
    own = title_keys(doc.title)
    # a plan's own title (a notice's 现将《X》印发, a preamble that names the plan) is not its parent
    doc.parents = [p for p in find_parents(t, title_end, first_head, to_src) if not (title_keys(p.title) & own)]

    bounds = [h.start for h in heads] + [len(t)]
    all_anns = _annotations(doc, t, title_end, heads, bounds, to_src)
    task_level = choose_task_level(t, heads, bounds, all_anns)
    if reorder and text.page_breaks:
        moved = reorder_pages(text, [(h.start, h.value) for h in heads if h.level == task_level and not h.lost])
        if moved is not None:
            # the reading with fewer broken tasks wins (a unit line left over, a task without
            # units or cut off mid-sentence)
            as_is = parse_plan(source, text, reorder=False)
            again = parse_plan(source, moved, reorder=False)
            if _broken(again) < _broken(as_is):
                again.diagnostics.append(Diagnostic(
                    "pages-reordered", "page fragments were out of order; runs of pages put back in task-number "
                    "order before parsing", severity="info"))
                return again
            return as_is

    # headings whose own line is a title and whose text is paragraphs that each close with an
    # annotation: the paragraphs are the tasks (the heading a section), or, for one paragraph,
    # the heading is the task
    demoted, promoted = leaf_tasks(t, heads, bounds, all_anns, task_level)
    aims: set[int] = set()
    if not all_anns:
        # a plan without any unit annotation (a 纲要, a provincial 方案 that others carry out): its
        # items at the task level are its tasks, but its aims and principles are sections
        aims = aim_headings(t, heads, bounds, task_level)
        demoted |= aims

    pieces, nontask_regions, sec_heads = outline(doc, source, t, heads, bounds, task_level, demoted, promoted,
                                                 title_end, to_src)
    orphans = attach_annotations(pieces, nontask_regions, all_anns)
    place_fragments(t, pieces, orphans, doc, to_src)
    plain_tasks(doc, t, pieces, orphans, heads, title_end, task_level, to_src)
    build_tasks(doc, t, pieces, all_anns, to_src)

    piece_of = {task.id: p for p, task in zip(pieces, doc.tasks)}
    shuffled = check_numbers(doc, pieces, {heads[k].value for k in aims if heads[k].value})
    if not all_anns and doc.tasks:
        doc.diagnostics.append(Diagnostic(
            "no-unit-annotations", f"no task names a unit: read as a plan that others carry out (a 纲要 or a "
            f"higher-level 方案); {len(doc.tasks)} items are its tasks"
            + (f", {len(aims)} items of aims and principles are sections" if aims else ""), severity="info"))
    resequence(doc, piece_of, sec_heads, text.page_breaks, t, shuffled)
    level_region(doc)
    return doc


class _Consulted(set):
    """An empty set of known unit names that notes whether anything was looked up in it."""

    asked = False

    def __contains__(self, name) -> bool:
        self.asked = True
        return False


def _annotations(doc: Document, t: str, title_end: int, heads: list[Heading], bounds: list[int],
                 to_src) -> list[Annotation]:
    """Every annotation in the body, to know which heading level carries them."""
    segs = [(title_end, bounds[0])] + [(heads[k].body, bounds[k + 1]) for k in range(len(heads))]
    # two passes: the second knows the units named in well-closed lists, which only a run-on list
    # consults; a segment whose first pass consulted nothing reads the same the second time
    probe = _Consulted()
    seg_anns = []
    # the plan may say once that the first-listed unit of a list leads (列第一位者为牵头单位)
    said = first_listed_leads(t)
    if said:
        doc.diagnostics.append(Diagnostic(
            "first-listed-leads", f"the plan says “{said.group(0)}”: in each list of responsible units the first "
            "is read as lead and the others as supporters", span=to_src(said.start(), said.end()), severity="info"))
    first = said is not None
    for a_s, a_e in segs:
        probe.asked = False
        seg_anns.append((find_annotations(t, a_s, a_e, probe, to_src, first), probe.asked))
    known = {u.text for anns, _ in seg_anns for a in anns if not a.run_on for u in a.units}
    all_anns = []
    for (a_s, a_e), (anns, asked) in zip(segs, seg_anns):
        all_anns.extend(find_annotations(t, a_s, a_e, known, to_src, first) if asked else anns)
    return all_anns


def _broken(doc: Document) -> int:
    return sum(d.code in ("fragment-left-over", "task-without-units", "task-text-unfinished", "numbers-out-of-order")
               for d in doc.diagnostics)

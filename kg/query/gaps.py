"""What a lower plan leaves out of its parent: ``kg gaps`` (parent tasks not taken up, local
additions, missing functional counterparts) and ``kg coverage`` (each parent task with the child
tasks carrying it out), both from the same links (``links_between``), on kg.model records."""
from __future__ import annotations

from kg.link.align import align_pairs, nearest_ancestor
from kg.model import Corpus, Document, Task
from kg.query.trace import task_index
from kg.vocab import DOC_BASE

GAPS_COLUMNS = ["kind", "parent_task_number", "parent_task_title", "child_task_number",
                "child_task_title", "unit", "function", "score"]


def links_between(corpus: Corpus, child: Document, parent: Document) -> tuple[list[tuple[Task, Task, float]], bool]:
    """(aligned (child task, parent task, score), stored): the build's links when the parent is the
    plan the child was aligned with (its nearest ancestor in the corpus) or links between the two
    are stored; otherwise the aligner's links computed now (``stored`` False), as ``kg align``
    gives them. ``kg gaps`` and ``kg coverage`` both answer from this, so they agree."""
    index = task_index(corpus)
    pre = [a for a in corpus.alignments
           if a.child.startswith(child.id + "#") and a.parent.startswith(parent.id + "#")]
    if pre or nearest_ancestor(corpus, child) is parent:
        return [(index[a.child][1], index[a.parent][1], a.score) for a in pre
                if a.child in index and a.parent in index], True
    return align_pairs(child, parent), False


def not_linked_note(child: Document, parent: Document) -> str:
    """What ``kg gaps`` says when the links between two plans are computed now, not the build's."""
    return (f"{child.id} is not aligned with {parent.id} in this build (it does not name it as its parent, "
            "or names a nearer one): links computed now by the aligner, as kg align gives them")


def coverage(corpus: Corpus, child: Document, parent: Document) -> list[dict]:
    """Each task of ``parent`` with the tasks of ``child`` that carry it out: the columns of
    queries/coverage.rq (task_number, task_title, covered, children, child_numbers, task), plus
    ``links``: "graph" (the build's links) or "computed" (see ``links_between``)."""
    pairs, stored = links_between(corpus, child, parent)
    kids: dict[str, list[Task]] = {}
    for c, p, _ in pairs:
        if c not in kids.setdefault(p.id, []):
            kids[p.id].append(c)
    rows = []
    for t in parent.tasks:
        cs = kids.get(t.id, [])
        rows.append({"task_number": t.number, "task_title": t.title, "covered": bool(cs), "children": len(cs),
                     "child_numbers": "、".join(c.number or c.id for c in cs),
                     "task": f"{DOC_BASE}{parent.id}/t/{t.id}", "links": "graph" if stored else "computed"})
    return rows


def _functions(corpus: Corpus, task: Task, roles=("lead", "support", "responsible")) -> dict[str, str]:
    out = {}
    for u in task.units:
        org = corpus.organisations.get(u.org_id) if u.org_id else None
        if u.role in roles and org is not None and org.function and not org.is_group:
            out.setdefault(org.function, org.name)
    return out


def gaps(corpus: Corpus, child: Document, parent: Document) -> list[dict]:
    """Parent tasks no child task carries out (not_taken_up), child tasks carrying out no parent
    task (local_addition), and, for each aligned pair, a unit leading or responsible for the parent
    task whose function no unit of the child task has (missing_counterpart)."""
    pairs, _ = links_between(corpus, child, parent)
    up = {c.id for c, _, _ in pairs}
    down = {p.id for _, p, _ in pairs}
    rows = []
    for t in parent.tasks:
        if t.id not in down:
            rows.append({"kind": "not_taken_up", "parent_task_number": t.number, "parent_task": t.id,
                         "parent_task_title": t.title})
    for t in child.tasks:
        if t.id not in up:
            rows.append({"kind": "local_addition", "child_task_number": t.number, "child_task": t.id,
                         "child_task_title": t.title})
    order = {t.id: k for k, t in enumerate(parent.tasks)}
    for c, p, score in sorted(pairs, key=lambda x: (order.get(x[1].id, 0), x[0].id)):
        have = _functions(corpus, c)
        for fn, name in _functions(corpus, p, ("lead", "responsible")).items():
            if fn not in have:
                rows.append({"kind": "missing_counterpart", "parent_task_number": p.number,
                             "parent_task": p.id, "parent_task_title": p.title,
                             "child_task_number": c.number, "child_task": c.id, "child_task_title": c.title,
                             "unit": name, "function": fn, "score": score})
    return rows

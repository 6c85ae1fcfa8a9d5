"""The library behind ``kg docs``, ``kg align`` and ``kg trace``: finding documents and tasks, and
following a task up the levels.

Every function works on kg.model records (a ``Corpus``) and returns plain rows (dicts), so it
runs the same on a freshly parsed corpus and on a built graph: kg.query.readback.load_corpus(DIR)
reads the records back from a store. ``kg gaps`` and ``kg coverage`` are kg.query.gaps.

Tasks are named ``DOC#REF``: DOC is a document id, a unique id prefix (000) or a file name;
REF is the printed number (12) or the task id (t12, u1). ``000#12`` and ``000_b7f6…#t12`` are
the same task.
"""
from __future__ import annotations

from typing import Optional

from kg.errors import KgError
from kg.link.align import align_pairs
from kg.model import Alignment, Corpus, Document, ParentRef, Task
from kg.parse.titles import infer_level, title_key
from kg.query.names import DOC_NS, DocName, is_iri, resolve_document, split_task
from kg.query.queries import expand_iri
from kg.vocab import LEVELS, level_rank

ALIGN_COLUMNS = ["a_task_number", "a_task_title", "b_task_number", "b_task_title", "score"]
DOCS_COLUMNS = ["document", "title", "level", "region", "issuers", "date", "parents"]
TRACE_COLUMNS = ["step", "level", "document", "task_number", "task_title", "lead", "support",
                 "responsible", "score", "method"]


# ---------------------------------------------------------------- finding things

def find_document(corpus: Corpus, ref: str) -> Document:
    """A document by id, unique id prefix, file name (with or without extension) or IRI (kg.query.names)."""
    docs = corpus.documents
    name = resolve_document(ref, [DocName(d.id, d.source.name, d.title) for d in docs])
    return next(d for d in docs if d.id == name.id)


def find_task(corpus: Corpus, ref: str) -> tuple[Document, Task]:
    """A task from DOC#NUMBER, DOC#TASKID, 'DOC NUMBER' or its IRI (kg.query.names)."""
    r = str(ref).strip()
    if is_iri(r):
        iri = expand_iri(r)
        doc_ref, sep, task_ref = iri[len(DOC_NS):].partition("/t/") if iri.startswith(DOC_NS) else ("", "", "")
        if not sep:
            raise KgError(f"{r!r} is not a task IRI of this graph (…/doc/DOC/t/TASK)")
    else:
        doc_ref, task_ref = split_task(r)
    doc = find_document(corpus, doc_ref)
    for t in doc.tasks:
        if t.id == task_ref or (t.number is not None and t.number == task_ref):
            return doc, t
    raise KgError(f"document {doc.id} has no task {task_ref!r}: give a printed number or a task id (t3, u1)")


def task_index(corpus: Corpus) -> dict[str, tuple[Document, Task]]:
    """Every task of the corpus by its key DOC#TASKID, with its document."""
    return {f"{d.id}#{t.id}": (d, t) for d in corpus.documents for t in d.tasks}


def _units(corpus: Corpus, task: Task, role: str) -> str:
    names = []
    for u in task.units:
        if u.role != role:
            continue
        org = corpus.organisations.get(u.org_id) if u.org_id else None
        name = org.name if org else u.text
        if name not in names:
            names.append(name)
    return "、".join(names)


# ---------------------------------------------------------------- kg docs

def parent_level(p: ParentRef) -> Optional[str]:
    if p.level:
        return p.level
    return infer_level(p.title)[0]


def docs(corpus: Corpus) -> list[dict]:
    """One row per document: document, title, level, region, period, issuers and date (of its
    covering notice), parents
    (parents: [{title, document}] in the order the document names them)."""
    rows = []
    for d in sorted(corpus.documents, key=lambda d: d.id):
        rows.append({
            "document": d.id, "title": d.title, "level": d.level, "region": d.region,
            "period": f"{d.period[0]}-{d.period[1]}" if d.period else None,
            "issuers": list(d.issuers), "date": d.date,
            "parents": [{"title": p.title, "document": p.document_id} for p in d.parents],
            "parent_levels": [parent_level(p) for p in d.parents],
            "parent_relations": [p.relation for p in d.parents],
        })
    return rows


# ---------------------------------------------------------------- kg align

def align(a: Document, b: Document) -> list[dict]:
    """The links of the tasks of ``a`` to the tasks of ``b`` that the aligner finds (a as the lower
    plan: kg.link.align.align_pairs, the links a build stores between a plan and its parent): one row
    per link, several for a task that carries out several; a task of ``a`` with none has one row
    with ``b`` empty."""
    links: dict[str, list[tuple[Task, float]]] = {}
    for c, p, score in align_pairs(a, b):
        links.setdefault(c.id, []).append((p, score))
    rows = []
    for t in a.tasks:
        for p, score in links.get(t.id, [(None, None)]):
            rows.append({
                "a_task_number": t.number, "a_task_title": t.title, "a_task": t.id,
                "b_task_number": p.number if p else None, "b_task_title": p.title if p else None,
                "b_task": p.id if p else None, "score": score,
            })
    return rows


# ---------------------------------------------------------------- kg trace

def _doc_chain(corpus: Corpus, doc: Document) -> list[Document]:
    """The documents above ``doc`` that the corpus holds, following the named parents' document
    links (breadth first, each once): the chain a trace must show at every level."""
    by_id = {d.id: d for d in corpus.documents}
    out, seen, frontier = [], {doc.id}, [doc]
    while frontier:
        nxt = []
        for d in frontier:
            for p in d.parents:
                if p.document_id and p.document_id in by_id and p.document_id not in seen:
                    seen.add(p.document_id)
                    out.append(by_id[p.document_id])
                    nxt.append(by_id[p.document_id])
        frontier = nxt
    return out


def _rank(level: Optional[str]) -> int:
    """Height from the bottom: department 0 … national 4; an unknown level above all."""
    r = level_rank(level)
    return len(LEVELS) - 1 - r if r < len(LEVELS) else len(LEVELS)


def trace(corpus: Corpus, task_ref: str) -> list[dict]:
    """The chain of a task upwards, level by level, never skipping one the corpus knows of: the
    task (step 0); the tasks it carries out (following alignments, several per level when it
    carries out several); a document above it that the corpus holds but in which no task
    matched (``task`` None, method "document link (no task matched)"); then the named parent
    directives that the corpus does not hold (titles only), each at the level its title says.
    ``step`` counts the levels above the task's own."""
    doc, task = find_task(corpus, task_ref)
    index = task_index(corpus)
    ups: dict[str, list[Alignment]] = {}
    for al in corpus.alignments:
        ups.setdefault(al.child, []).append(al)

    def row(d, t, al=None):
        return {"level": d.level, "document": d.id, "task_number": t.number, "task": t.id,
                "task_title": t.title, "lead": _units(corpus, t, "lead"),
                "support": _units(corpus, t, "support"), "responsible": _units(corpus, t, "responsible"),
                "score": al.score if al else None, "method": al.method if al else None}

    found = []  # rows above the task, in the order met
    chain_docs = [doc]
    frontier, seen = [f"{doc.id}#{task.id}"], {f"{doc.id}#{task.id}"}
    while frontier:
        nxt = []
        for key in frontier:
            for al in sorted(ups.get(key, []), key=lambda a: (-a.score, a.parent)):
                if al.parent in seen or al.parent not in index:
                    continue
                seen.add(al.parent)
                pd, pt = index[al.parent]
                found.append(row(pd, pt, al))
                if pd not in chain_docs:
                    chain_docs.append(pd)
                nxt.append(al.parent)
        frontier = nxt
    # documents above that the corpus holds, with no task matched: shown, not skipped
    for d in [doc] + [x for x in chain_docs if x is not doc]:
        for up in _doc_chain(corpus, d):
            if up not in chain_docs:
                chain_docs.append(up)
                found.append({"level": up.level, "document": up.id, "task_number": None, "task": None,
                              "task_title": None, "document_title": up.title, "lead": "", "support": "",
                              "responsible": "",
                              "score": None, "method": "document link (no task matched)"})
    # named directives the corpus does not hold, above the task's level (each title once)
    held = {d.id for d in corpus.documents}
    names, keys = [], set()
    for d in chain_docs:
        for p in d.parents:
            k = title_key(p.title)
            if (p.document_id in held) or k in keys or _rank(parent_level(p)) <= _rank(doc.level):
                continue
            keys.add(k)
            names.append({"level": parent_level(p), "document": None, "task_number": None, "task": None,
                          "task_title": None, "directive": p.title, "lead": "", "support": "",
                          "responsible": "", "score": None, "method": "named parent (not in corpus)"})
    above = found + names
    order = {id(r): k for k, r in enumerate(above)}
    above.sort(key=lambda r: (_rank(r["level"]), 0 if r.get("task") else 1 if r["document"] else 2, order[id(r)]))
    levels = sorted({_rank(r["level"]) for r in above})
    rows = [{"step": 0, **row(doc, task)}]
    for r in above:
        rows.append({"step": levels.index(_rank(r["level"])) + 1, **r})
    return rows

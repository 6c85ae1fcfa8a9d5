"""The library behind ``kg docs``, ``kg align``, ``kg trace`` and ``kg gaps``.

Every function works on kg.model records (a ``Corpus``) and returns plain rows (dicts), so it
runs the same on a freshly parsed corpus and on a built graph: ``load_corpus(DIR)`` reads the
records back from a build directory (DIR/store) with SPARQL, following the shared vocabulary.

Tasks are named ``DOC#REF``: DOC is a document id, a unique id prefix (000) or a file name;
REF is the printed number (12) or the task id (t12, u1). ``000#12`` and ``000_b7f6…#t12`` are
the same task.
"""
from __future__ import annotations

from typing import Optional

from kg.errors import KgError
from kg.vocab import DOC_BASE, LEVELS, ORG_BASE, ROLE_CLASS, level_rank, prologue
from kg.query.store import Store, local_name, open_store
from kg.model import (Alignment, Corpus, Document, Organisation, ParentRef, Section, Source, Task,
                      UnitMention)

ALIGN_COLUMNS = ["a_task_number", "a_task_title", "b_task_number", "b_task_title", "score"]
DOCS_COLUMNS = ["document", "title", "level", "region", "issuers", "date", "parents"]
TRACE_COLUMNS = ["step", "level", "document", "task_number", "task_title", "lead", "support",
                 "responsible", "score", "method"]
GAPS_COLUMNS = ["kind", "parent_task_number", "parent_task_title", "child_task_number",
                "child_task_title", "unit", "function", "score"]


# ---------------------------------------------------------------- finding things

def find_document(corpus: Corpus, ref: str) -> Document:
    """A document by id, unique id prefix, file name (with or without extension) or IRI (kg.query.names)."""
    from kg.query.names import DocName, resolve_document

    docs = corpus.documents
    name = resolve_document(ref, [DocName(d.id, d.source.name, d.title) for d in docs])
    return next(d for d in docs if d.id == name.id)


def find_task(corpus: Corpus, ref: str) -> tuple[Document, Task]:
    """A task from DOC#NUMBER, DOC#TASKID, 'DOC NUMBER' or its IRI (kg.query.names)."""
    from kg.query.names import DOC_NS, is_iri, split_task

    r = str(ref).strip()
    if is_iri(r):
        from kg.query.queries import expand_iri

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


def _task_index(corpus: Corpus) -> dict[str, tuple[Document, Task]]:
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
    from kg.parse.titles import infer_level

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
    from kg.link.align import align_pairs

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
    index = _task_index(corpus)
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
    from kg.parse.titles import title_key

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


# ---------------------------------------------------------------- kg gaps

def links_between(corpus: Corpus, child: Document, parent: Document) -> tuple[list[tuple[Task, Task, float]], bool]:
    """(aligned (child task, parent task, score), stored): the build's links when the parent is the
    plan the child was aligned with (its nearest ancestor in the corpus) or links between the two
    are stored; otherwise the aligner's links computed now (``stored`` False), as ``kg align``
    gives them. ``kg gaps`` and ``kg coverage`` both answer from this, so they agree."""
    from kg.link.align import align_pairs, nearest_ancestor

    index = _task_index(corpus)
    pre = [a for a in corpus.alignments
           if a.child.startswith(child.id + "#") and a.parent.startswith(parent.id + "#")]
    if pre or nearest_ancestor(corpus, child) is parent:
        return [(index[a.child][1], index[a.parent][1], a.score) for a in pre
                if a.child in index and a.parent in index], True
    return align_pairs(child, parent), False


def not_linked_note(child: Document, parent: Document) -> str:
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
                     "task": f"{_DOC}{parent.id}/t/{t.id}", "links": "graph" if stored else "computed"})
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


# ---------------------------------------------------------------- reading a built graph

_PFX = prologue(("dg", "eli", "org", "skos", "dcterms", "schema"))
_DOC = DOC_BASE
_ORG = ORG_BASE
_ROLE = {v: k for k, v in ROLE_CLASS.items()}  # Lead -> lead


def _level(iri: Optional[str]) -> Optional[str]:
    name = local_name(iri)
    return name.lower() if name else None


def _num(x) -> int:
    try:
        return int(str(x).rsplit("/", 1)[-1])
    except ValueError:
        return 0


def load_corpus(graph_dir) -> Corpus:
    """Documents, sections, tasks with units, organisations and alignments read from a build
    directory (DIR/store, through kg.query.store.Store) or a dataset file."""
    return corpus_of_store(open_store(graph_dir))


def corpus_of_store(st) -> Corpus:
    """``load_corpus`` on an open store (a kg.query.store.Store or a pyoxigraph Store)."""
    if not isinstance(st, Store):
        st = Store(st)
    q = lambda text: st.query(_PFX + text)  # noqa: E731
    docs: dict[str, Document] = {}
    for r in q("""SELECT ?doc ?cls ?title ?level ?region ?start ?end ?file WHERE {
        ?doc a ?cls . FILTER(?cls IN (dg:Plan, dg:AnnualReport))
        OPTIONAL { ?doc dcterms:title ?title } OPTIONAL { ?doc dg:level ?level }
        OPTIONAL { ?doc dg:region ?region } OPTIONAL { ?doc dg:periodStart ?start }
        OPTIONAL { ?doc dg:periodEnd ?end } OPTIONAL { ?doc dg:fileName ?file } }"""):
        did = r["doc"][len(_DOC):]
        if did in docs:
            continue
        name = str(r.get("file") or did)
        period = None
        if r.get("start") and r.get("end"):
            try:
                period = (int(str(r["start"])[:4]), int(str(r["end"])[:4]))
            except ValueError:
                period = None
        docs[did] = Document(id=did, source=Source(path=name, name=name, sha256="", format="", text=""),
                             kind="report" if r["cls"].endswith("AnnualReport") else "plan",
                             title=str(r.get("title") or ""), level=_level(r.get("level")),
                             region=r.get("region"), period=period)
    for r in sorted(q("""SELECT ?doc ?o ?name WHERE { ?doc eli:passed_by ?o OPTIONAL { ?o skos:prefLabel ?name } }"""),
                    key=lambda r: (r["doc"], r["o"])):
        d = docs.get(r["doc"][len(_DOC):])
        if d is not None:
            d.issuers.append(str(r.get("name") or local_name(r["o"])))
    for r in q("SELECT ?doc ?date WHERE { ?doc eli:date_document ?date }"):
        d = docs.get(r["doc"][len(_DOC):])
        if d is not None:
            d.date = str(r["date"])
    refs = sorted(q("""SELECT ?doc ?ref ?title ?rel ?words ?target ?tlevel WHERE {
        ?doc dg:namesParent ?ref . OPTIONAL { ?ref dcterms:title ?title }
        OPTIONAL { ?ref dg:relation ?rel } OPTIONAL { ?ref dg:relationWords ?words }
        OPTIONAL { ?ref dg:target ?target OPTIONAL { ?target dg:level ?tlevel } } }"""),
                  key=lambda r: (r["doc"], _num(r["ref"])))
    done = set()
    for r in refs:
        d = docs.get(r["doc"][len(_DOC):])
        if d is None or r["ref"] in done:
            continue
        done.add(r["ref"])
        target = r.get("target") or ""
        tid = target[len(_DOC):] if target.startswith(_DOC) else None
        d.parents.append(ParentRef(title=str(r.get("title") or ""), relation=str(r.get("rel") or ""),
                                   words=str(r.get("words") or ""), level=_level(r.get("tlevel")),
                                   document_id=tid if tid in docs else None))
    for r in q("""SELECT ?doc ?rel ?target WHERE {
        { ?doc eli:based_on ?target BIND("based_on" AS ?rel) } UNION { ?doc eli:applies ?target BIND("applies" AS ?rel) }
        } ORDER BY ?doc ?target"""):
        d, tid = docs.get(r["doc"][len(_DOC):]), (r.get("target") or "")[len(_DOC):]
        if d is not None and tid in docs and all(p.document_id != tid for p in d.parents):
            d.parents.append(ParentRef(title=docs[tid].title, relation=r["rel"], words="",
                                       level=docs[tid].level, document_id=tid))
    for r in q("""SELECT ?s ?up ?number ?title ?depth WHERE { ?s a dg:Section .
        OPTIONAL { ?s eli:is_part_of ?up } OPTIONAL { ?s eli:number ?number }
        OPTIONAL { ?s dcterms:title ?title } OPTIONAL { ?s dg:depth ?depth } } ORDER BY ?s"""):
        did, _, sid = r["s"][len(_DOC):].partition("/s/")
        d = docs.get(did)
        if d is None or any(s.id == sid for s in d.sections):
            continue
        up = r.get("up") or ""
        d.sections.append(Section(id=sid, number=str(r.get("number") or ""), depth=int(r.get("depth") or 0),
                                  title=str(r.get("title") or ""),
                                  parent=up.partition("/s/")[2] if "/s/" in up else None))
    tasks: dict[str, Task] = {}
    order: dict[str, int] = {}
    for r in q("""SELECT ?t ?sec ?number ?title ?text ?order WHERE { ?t a dg:Task .
        OPTIONAL { ?t eli:is_part_of ?sec } OPTIONAL { ?t eli:number ?number }
        OPTIONAL { ?t dcterms:title ?title } OPTIONAL { ?t schema:description ?text }
        OPTIONAL { ?t dg:order ?order } }"""):
        did, _, tid = r["t"][len(_DOC):].partition("/t/")
        if did not in docs or r["t"] in tasks:
            continue
        sec = r.get("sec") or ""
        tasks[r["t"]] = Task(id=tid, number=str(r["number"]) if r.get("number") is not None else None,
                             title=str(r.get("title") or ""), text=str(r.get("text") or r.get("title") or ""),
                             section=sec.partition("/s/")[2] if "/s/" in sec else None)
        order[r["t"]] = int(r.get("order") or 0)
    for iri in sorted(tasks, key=lambda i: (i.partition("/t/")[0], order[i], i)):
        docs[iri[len(_DOC):].partition("/t/")[0]].tasks.append(tasks[iri])
    for r in sorted(q("""SELECT ?t ?a ?role ?unit ?written ?label WHERE { ?t dg:assignment ?a .
        OPTIONAL { ?a dg:role ?role } OPTIONAL { ?a dg:unit ?unit } OPTIONAL { ?a dg:asWritten ?written }
        OPTIONAL { ?a dg:roleLabel ?label } }"""), key=lambda r: (r["t"], _num(r["a"]))):
        t = tasks.get(r["t"])
        if t is None:
            continue
        unit = r.get("unit") or ""
        t.units.append(UnitMention(text=str(r.get("written") or ""), role=_ROLE.get(local_name(r.get("role")), "responsible"),
                                   label=str(r.get("label") or ""),
                                   org_id=unit[len(_ORG):] if unit.startswith(_ORG) else None))
    corpus = Corpus(documents=[docs[k] for k in sorted(docs)])
    for r in q("""SELECT ?o ?name ?fn ?level ?cls WHERE { ?o a org:Organization .
        OPTIONAL { ?o skos:prefLabel ?name } OPTIONAL { ?o dg:function ?fn }
        OPTIONAL { ?o dg:level ?level } OPTIONAL { ?o org:classification ?cls } }"""):
        oid = r["o"][len(_ORG):] if r["o"].startswith(_ORG) else r["o"]
        o = corpus.organisations.get(oid)
        if o is None:
            o = corpus.organisations[oid] = Organisation(id=oid, name=str(r.get("name") or oid),
                                                         level=_level(r.get("level")))
        if r.get("fn") and not o.function:
            o.function = local_name(r["fn"])
        if r.get("cls") and local_name(r["cls"]) == "Group":
            o.is_group = True
    for r in q("""SELECT ?t ?p ?score ?method WHERE { ?t dg:alignment ?al . ?al dg:parentTask ?p .
        OPTIONAL { ?al dg:score ?score } OPTIONAL { ?al dg:method ?method } }"""):
        if r["t"] not in tasks or r["p"] not in tasks:
            continue
        key = lambda iri: iri[len(_DOC):].replace("/t/", "#", 1)  # noqa: E731
        corpus.alignments.append(Alignment(child=key(r["t"]), parent=key(r["p"]),
                                           score=float(r.get("score") or 0.0), method=str(r.get("method") or "")))
    have = {(a.child, a.parent) for a in corpus.alignments}
    for r in q("SELECT ?t ?p WHERE { ?t dg:carriesOut ?p }"):
        if r["t"] in tasks and r["p"] in tasks:
            pair = (r["t"][len(_DOC):].replace("/t/", "#", 1), r["p"][len(_DOC):].replace("/t/", "#", 1))
            if pair not in have:
                have.add(pair)
                corpus.alignments.append(Alignment(child=pair[0], parent=pair[1], score=0.0, method="carriesOut"))
    corpus.alignments.sort(key=lambda a: (a.child, a.parent))
    return corpus

"""Reading a corpus back from a store: the kg.model records (documents, sections, tasks with their
units, organisations, alignments) of a built graph, read with the SPARQL of queries/internal/, so
that ``kg docs``, ``trace``, ``gaps`` and ``align`` run the same on a build as on a parsed corpus."""
from __future__ import annotations

from typing import Optional

from kg.model import (Alignment, Corpus, Document, Organisation, ParentRef, Section, Source, Task,
                      UnitMention)
from kg.query.queries import internal_query
from kg.query.store import Store, local_name, open_store
from kg.vocab import DOC_BASE, ORG_BASE, ROLE_CLASS, prologue

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
    q = lambda name: st.query(_PFX + internal_query(name))  # noqa: E731
    docs: dict[str, Document] = {}
    for r in q("readback-documents"):
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
    for r in sorted(q("readback-passed-by"),
                    key=lambda r: (r["doc"], r["o"])):
        d = docs.get(r["doc"][len(_DOC):])
        if d is not None:
            d.issuers.append(str(r.get("name") or local_name(r["o"])))
    for r in q("readback-document-dates"):
        d = docs.get(r["doc"][len(_DOC):])
        if d is not None:
            d.date = str(r["date"])
    refs = sorted(q("readback-named-parents"),
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
    for r in q("readback-document-links"):
        d, tid = docs.get(r["doc"][len(_DOC):]), (r.get("target") or "")[len(_DOC):]
        if d is not None and tid in docs and all(p.document_id != tid for p in d.parents):
            d.parents.append(ParentRef(title=docs[tid].title, relation=r["rel"], words="",
                                       level=docs[tid].level, document_id=tid))
    for r in q("readback-sections"):
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
    for r in q("readback-tasks"):
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
    for r in sorted(q("readback-assignments"), key=lambda r: (r["t"], _num(r["a"]))):
        t = tasks.get(r["t"])
        if t is None:
            continue
        unit = r.get("unit") or ""
        t.units.append(UnitMention(text=str(r.get("written") or ""), role=_ROLE.get(local_name(r.get("role")), "responsible"),
                                   label=str(r.get("label") or ""),
                                   org_id=unit[len(_ORG):] if unit.startswith(_ORG) else None))
    corpus = Corpus(documents=[docs[k] for k in sorted(docs)])
    for r in q("readback-organisations"):
        oid = r["o"][len(_ORG):] if r["o"].startswith(_ORG) else r["o"]
        o = corpus.organisations.get(oid)
        if o is None:
            o = corpus.organisations[oid] = Organisation(id=oid, name=str(r.get("name") or oid),
                                                         level=_level(r.get("level")))
        if r.get("fn") and not o.function:
            o.function = local_name(r["fn"])
        if r.get("cls") and local_name(r["cls"]) == "Group":
            o.is_group = True
    for r in q("readback-alignments"):
        if r["t"] not in tasks or r["p"] not in tasks:
            continue
        key = lambda iri: iri[len(_DOC):].replace("/t/", "#", 1)  # noqa: E731
        corpus.alignments.append(Alignment(child=key(r["t"]), parent=key(r["p"]),
                                           score=float(r.get("score") or 0.0), method=str(r.get("method") or "")))
    have = {(a.child, a.parent) for a in corpus.alignments}
    for r in q("readback-carries-out"):
        if r["t"] in tasks and r["p"] in tasks:
            pair = (r["t"][len(_DOC):].replace("/t/", "#", 1), r["p"][len(_DOC):].replace("/t/", "#", 1))
            if pair not in have:
                have.add(pair)
                corpus.alignments.append(Alignment(child=pair[0], parent=pair[1], score=0.0, method="carriesOut"))
    corpus.alignments.sort(key=lambda a: (a.child, a.parent))
    return corpus

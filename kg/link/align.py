"""Link stage: named parent directives -> corpus documents, and tasks -> the tasks they carry out.

``link(corpus, overrides)`` (called by kg.build.pipeline after resolve):
  * fills ``ParentRef.document_id`` when a named directive is in the corpus (titles compared by
    kg.parse.titles.title_keys, which ignore bracket widths, dash styles, spacing, a province's long
    name and a covering notice; a reference without the period matches when nothing else does);
  * for every plan, aligns its tasks with the tasks of its nearest ancestor found in the corpus
    (following ParentRef.document_id up the chain) and appends ``Alignment`` records, in both
    directions of the matching (a task may carry out several parent tasks);
  * applies the ``links:`` key of the override YAML (confirm / reject / add), which wins;
  * calls ``kg.link.evidence.link_evidence(corpus)`` when that module exists.

``align_documents(a, b)`` aligns any two plans (used by ``kg align``). The score of a pair of
tasks combines text similarity (TF-IDF cosine on jieba words with the genre's stop list), title
similarity and the similarity of their section titles (section correspondence). Links follow
how cascades are written (``_links``): each child task carries out the parent items it scores
best and distinctly with, so that several child tasks may carry out one broad parent item (a
district splits 深入推进"放管服"改革 in three) and one child task several (it merges two); a
parent item left without any takes its best child task when that score is high.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from kg.errors import KgError
from kg.model import Alignment, Corpus, Document, Task, task_count

# Weights and thresholds. A pair's base score is W_TEXT : W_TITLE of text and title similarity;
# corresponding sections blend in at W_SECTION, only upwards. Plans under one template share
# section titles and much of each task's text; boilerplate is kept out by the stop list.
W_TEXT, W_TITLE, W_SECTION = 0.55, 0.25, 0.20
THRESHOLD = 0.30  # below this, no link
# A best match that clears EXTRA_THRESHOLD links on its own; one between THRESHOLD and it links
# when it stands out (MARGIN). A parent item without a child task takes its best child task from
# EXTRA_THRESHOLD, and a child task a second parent item from there too (MERGE_RATIO).
EXTRA_THRESHOLD = 0.45
# a best match under EXTRA_THRESHOLD counts when it stands this far above the next best
MARGIN = 0.08
# a child task carries out a second parent item scoring at least this share of its best
MERGE_RATIO = 0.85
METHOD = "section+tfidf+title"


@dataclass
class Match:
    a: Task
    b: Optional[Task]
    score: float
    method: str = METHOD


_HEADING_END = re.compile(r"[。；;:：]|\d{1,3}\s*[.．、]")


def _section_titles(doc: Document) -> dict[str, str]:
    """Section id -> its heading, cut at the first sentence end or task number (a parser may
    run a heading on into the text that follows it)."""
    out = {}
    for s in doc.sections:
        title = _HEADING_END.split(s.title or "", maxsplit=1)[0]
        out[s.id] = title[:40]
    return out


def score_matrix(a: Document, b: Document) -> list[list[float]]:
    """Combined score of every (task of a, task of b) pair, rounded to 4 places."""
    return _scores(a, b).tolist()


def _scores(a: Document, b: Document):
    """score_matrix as a numpy array (tasks of a x tasks of b)."""
    import numpy as np

    from kg.link.similarity import cosine_matrix, round_half_even, title_matrix

    cos = cosine_matrix([_full_text(t) for t in a.tasks], [_full_text(t) for t in b.tasks])
    tit = title_matrix([t.title for t in a.tasks], [t.title for t in b.tasks])
    sa, sb = _section_titles(a), _section_titles(b)
    if sa and sb:
        ka = [sa.get(t.section or "", "") for t in a.tasks]
        kb = [sb.get(t.section or "", "") for t in b.tasks]
        ua, ub = sorted(set(ka)), sorted(set(kb))
        heads = title_matrix(ua, ub)
        ia, ib = {k: n for n, k in enumerate(ua)}, {k: n for n, k in enumerate(ub)}
        sec = heads[np.array([ia[k] for k in ka], dtype=np.intp)][:, np.array([ib[k] for k in kb], dtype=np.intp)]
    else:
        sec = np.zeros(cos.shape)
    w_text, w_title = W_TEXT / (W_TEXT + W_TITLE), W_TITLE / (W_TEXT + W_TITLE)
    base = w_text * cos + w_title * tit
    # corresponding sections raise a pair's score; sections that differ (a heading lost,
    # pages out of order) do not lower it
    return round_half_even(np.maximum(base, (1 - W_SECTION) * base + W_SECTION * sec), 4)


def _full_text(t: Task) -> str:
    text = t.text or ""
    return text if t.title and t.title in text else f"{t.title}。{text}"


def _links(m, threshold: float = THRESHOLD, extra_threshold: float = EXTRA_THRESHOLD) -> list[tuple[int, int]]:
    """(row, column) links of a score matrix (rows: the child plan's tasks, columns: the parent's),
    as cascades are written: a child task carries out its best parent item when that score is
    high (>= ``extra_threshold``), or clears ``threshold`` and stands out from the next best by
    MARGIN (a district's 推进简政便民 under a broad 深入推进"放管服"改革: many child tasks may carry
    out one parent item, none competes with the others); it carries out another parent item too
    when that one also scores high and near its best (MERGE_RATIO: 加强行政调解和行政裁决工作
    carries out 加强行政调解工作 and 有序推进行政裁决工作). The same test the other way gives
    each parent item the child task that carries it out best (a child task closest to another
    item may carry out this one too). Rows in order, then columns."""
    import numpy as np

    if not m.size:
        return []
    out: set[tuple[int, int]] = set()
    for mat, flip in ((m, False), (m.T, True)):
        n_rows, n_cols = mat.shape
        best = np.argmax(mat, axis=1)  # the first of the best
        top = mat[np.arange(n_rows), best]
        second = np.partition(mat, n_cols - 2, axis=1)[:, n_cols - 2] if n_cols > 1 else np.zeros(n_rows)
        keep = (top >= extra_threshold) | ((top >= threshold) & (top - second >= MARGIN))
        pairs = [(int(i), int(best[i])) for i in np.nonzero(keep)[0]]
        if not flip:
            # a child task merging parent items: others scoring high and near its best
            near = (mat >= extra_threshold) & (mat >= MERGE_RATIO * top[:, None]) & keep[:, None]
            pairs.extend((int(i), int(j)) for i, j in zip(*np.nonzero(near)))
        out.update((j, i) if flip else (i, j) for i, j in pairs)
    return sorted(out)


def align_documents(a: Document, b: Document, threshold: float = THRESHOLD,
                    extra_threshold: float = EXTRA_THRESHOLD, matrix=None) -> list[Match]:
    """One Match per task of ``a`` (in order): the best of the tasks of ``b`` it links to (see
    ``_links``), or b=None with the best score seen. ``align_pairs`` gives every link.
    ``matrix``: the score_matrix(a, b) when already computed (a list of rows or a numpy array)."""
    import numpy as np

    if not a.tasks:
        return []
    m = _scores(a, b) if matrix is None else np.asarray(matrix, dtype=float).reshape(len(a.tasks), len(b.tasks))
    chosen: dict[int, int] = {}
    for i, j in _links(m, threshold, extra_threshold):
        if i not in chosen or m[i, j] > m[i, chosen[i]]:
            chosen[i] = j
    out = []
    for i, ta in enumerate(a.tasks):
        j = chosen.get(i)
        if j is None:
            out.append(Match(ta, None, float(m[i].max()) if m.shape[1] else 0.0))
        else:
            out.append(Match(ta, b.tasks[j], float(m[i, j])))
    return out


def align_pairs(child: Document, parent: Document) -> list[tuple[Task, Task, float]]:
    """(child task, parent task, score): every parent item each child task carries out (see
    ``_links``; a task may carry out several, several may carry out one). Child-task order,
    then parent order."""
    if not child.tasks or not parent.tasks:
        return []
    m = _scores(child, parent)
    return [(child.tasks[i], parent.tasks[j], float(m[i, j])) for i, j in _links(m)]


# ---------------------------------------------------------------- document links

def _link_parents(corpus: Corpus) -> None:
    from kg.parse.titles import infer_level, loose_title_keys, title_keys

    strict: dict[str, set[str]] = {}
    loose: dict[str, set[str]] = {}
    for d in corpus.documents:
        for k in title_keys(d.title):
            strict.setdefault(k, set()).add(d.id)
        for k in loose_title_keys(d.title):
            loose.setdefault(k, set()).add(d.id)
    for d in corpus.documents:
        for p in d.parents:
            hits: set[str] = set()
            for index, keys in ((strict, title_keys(p.title)), (loose, loose_title_keys(p.title))):
                hits = set().union(*(index.get(k, set()) for k in keys)) - {d.id}
                if hits:
                    break
            p.document_id = min(hits) if hits else None
            if p.level is None or p.region is None:
                level, region = infer_level(p.title)
                p.level = p.level or level
                p.region = p.region or region


def nearest_ancestor(corpus: Corpus, doc: Document,
                     by_id: Optional[dict[str, Document]] = None) -> Optional[Document]:
    """The nearest plan up the chain of named parents that the corpus holds (breadth first)."""
    by_id = by_id if by_id is not None else {d.id: d for d in corpus.documents}
    seen, frontier = {doc.id}, [doc]
    while frontier:
        nxt = []
        for d in frontier:
            for p in d.parents:
                if p.document_id and p.document_id not in seen and p.document_id in by_id:
                    parent = by_id[p.document_id]
                    if parent.kind == "plan" and task_count(parent):
                        return parent
                    seen.add(parent.id)
                    nxt.append(parent)
        frontier = nxt
    return None


def plan_pairs(corpus: Corpus) -> list[tuple[Document, Document]]:
    """(plan, its nearest ancestor in the corpus) for every plan that has one, by document id."""
    by_id = {d.id: d for d in corpus.documents}
    pairs = []
    for d in sorted(corpus.documents, key=lambda d: d.id):
        if d.kind != "plan" or not task_count(d):
            continue
        parent = nearest_ancestor(corpus, d, by_id)
        if parent is not None:
            pairs.append((d, parent))
    return pairs


def _link_tasks(corpus: Corpus, aligner=None) -> list[Alignment]:
    """``aligner(pairs)``, when given, returns for each pair the (child task id, parent task id,
    score) of ``align_pairs`` its own way (kg.build.pipeline: in parallel, reusing the alignments of
    unchanged pairs, without loading the documents of those)."""
    pairs = plan_pairs(corpus)
    if aligner is not None:
        found = aligner(pairs)
    else:
        found = [[(c.id, p.id, score) for c, p, score in align_pairs(d, p)] for d, p in pairs]
    out = []
    for (d, parent), links in zip(pairs, found):
        ck, pk = f"{d.id}#", f"{parent.id}#"
        out.extend([Alignment(ck + c, pk + p, score, METHOD) for c, p, score in links])  # child, parent, score, method
    return out


# ---------------------------------------------------------------- overrides

def load_link_overrides(path) -> list[dict]:
    """The ``links:`` entries of the override YAML: [{child, parent, action}], checked."""
    from kg.resolve.overrides import entries as override_entries

    p = Path(path) if path else None
    entries = override_entries(path, "links", "{child, parent, action}")
    out = []
    for k, e in enumerate(entries, 1):
        if not isinstance(e, dict) or not e.get("child") or not e.get("parent"):
            raise KgError(f"override file {p}: links entry {k} needs child and parent task keys (DOC#TASK)")
        action = str(e.get("action", "confirm")).lower()
        if action not in ("confirm", "reject", "add"):
            raise KgError(f"override file {p}: links entry {k} has action {action!r}; use confirm, reject or add")
        for key in ("child", "parent"):
            if "#" not in str(e[key]):
                raise KgError(f"override file {p}: links entry {k} {key} {e[key]!r} is not DOC#TASK")
        out.append({"child": str(e["child"]), "parent": str(e["parent"]), "action": action})
    return out


def apply_overrides(alignments: list[Alignment], entries: list[dict]) -> list[Alignment]:
    """Rejected links go; confirmed links are marked confirmed (added when missing); added links
    are added. The order is kept (``_link_tasks``: plans by id, then the tasks' own order, which
    sorting by key would break: t10 before t2), links added by the file after the others, in its
    order; ``alignments`` hold each pair once."""
    if not entries:
        return list(alignments)
    by_pair = {(a.child, a.parent): a for a in alignments}
    for e in entries:
        pair = (e["child"], e["parent"])
        if e["action"] == "reject":
            by_pair.pop(pair, None)
        else:
            al = by_pair.get(pair)
            if al is None:
                by_pair[pair] = Alignment(child=pair[0], parent=pair[1], score=1.0, method="override",
                                          confirmed=True)
            else:
                al.confirmed = True
    return list(by_pair.values())


_NESTED = re.compile(r"[〈《]([^〈〉《》]+)[〉》]")
_APPLY_WORDS = re.compile(r"(?:落实|贯彻|执行|实施)$")
_DOC_TYPE = re.compile(r"(?:实施纲要|实施方案|工作方案|实施意见|实施办法|纲要|方案|规划|意见)$")
_LEVEL_ABOVE = {"district": "city", "city": "province", "province": "national", "department": "city"}


def _programme(title: str) -> tuple[Optional[str], str]:
    """(level, programme key) of a title: 广西法治政府建设实施方案（2021-2025年） -> ('province', '法治政府建设')."""
    from kg.parse.titles import infer_level, title_key

    level, region = infer_level(title)
    t = re.sub(r"[（(][^（）()]*\d{4}[^（）()]*[)）]", "", title)
    if region and t.startswith(region):
        t = t[len(region):]
    return level, _DOC_TYPE.sub("", title_key(t))


def directive_chain(corpus: Corpus) -> list[tuple[str, str, str]]:
    """Links between the directives a corpus names but does not hold, so that the chain
    national -> province -> city -> district shows whole. Two genre rules:

    - a title that nests another names it: 柳州市落实〈广西…实施方案〉工作方案 applies the inner
      title (relation words 落实/贯彻/执行 before it), 〈…纲要〉重要举措分工方案 is based on it;
    - a plan of one programme applies the plan of the same programme one level up when the
      corpus names it: 广西法治政府建设实施方案 applies 法治政府建设实施纲要.
    Returns sorted (child title, relation, parent title) triples.
    """
    from kg.parse.titles import title_key

    titles = {p.title for d in corpus.documents for p in d.parents if not p.document_id}
    links: set[tuple[str, str, str]] = set()
    todo = sorted(titles)
    while todo:
        t = todo.pop()
        for m in _NESTED.finditer(t):
            inner = m.group(1)
            rel = "applies" if _APPLY_WORDS.search(t[:m.start()]) else "based_on"
            links.add((t, rel, inner))
            if inner not in titles:
                titles.add(inner)
                todo.append(inner)
    by_key: dict[str, set[str]] = {}
    for t in titles:
        by_key.setdefault(title_key(t), set()).add(t)
    canon = {t: min(by_key[title_key(t)]) for t in titles}
    programmes: dict[tuple, str] = {}
    for t in sorted(titles):
        if not _NESTED.search(t):
            programmes.setdefault(_programme(t), t)
    for t in sorted(titles):
        if _NESTED.search(t):
            continue
        level, key = _programme(t)
        above = programmes.get((_LEVEL_ABOVE.get(level or ""), key))
        if key and above:
            links.add((t, "applies", above))
    return sorted({(canon[c], r, canon[p]) for c, r, p in links if canon[c] != canon[p]})


def link(corpus: Corpus, overrides=None, aligner=None, parents: bool = True) -> None:
    """Fill parent document ids and task alignments in place (see module docstring).
    ``aligner``: see ``_link_tasks``; ``parents=False``: the parents' document ids are filled
    already (``_link_parents`` on the same documents)."""
    if parents:
        _link_parents(corpus)
    corpus.directive_links = directive_chain(corpus)
    alignments = _link_tasks(corpus, aligner)
    corpus.alignments = apply_overrides(alignments, load_link_overrides(overrides))
    import importlib

    try:
        evidence = importlib.import_module("kg.link.evidence")
    except ModuleNotFoundError as e:
        if e.name != "kg.link.evidence":
            raise
        return
    evidence.link_evidence(corpus)


def link_parents(corpus: Corpus) -> None:
    """Fill the document id of each parent directive the documents name that the corpus holds."""
    _link_parents(corpus)

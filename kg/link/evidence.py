"""Evidence: which plan tasks and which national themes each report passage reports on.

``link_evidence(corpus)`` fills ``corpus.evidence``. Every measure of every report (achievements,
problems, next year's plans, the leaders' duty alike) is linked

* to national themes (kg.parse.themes): the theme of its section (method ``section``), and the theme
  its own words name when that is another one (method ``keywords``);
* to plan tasks, with the same machinery as plan tracing (kg.similarity): TF-IDF cosine of the
  measure against each task's text (IDF over the tasks and the report's measures, so words every
  report repeats weigh little), BM25, title similarity to the task's title, and agreement of the
  task's theme with the measure's. The score is weighted by how the plan relates to the report:
  ``own`` (same region), ``parent`` (a plan of an enclosing region, which the reporting body also
  carries out), ``child`` (a plan of a region inside the report's), ``peer`` (another region under the same parent: same cascade, weaker), ``other``.
  Plans whose period does not cover the report's year are skipped. Per measure, at most
  ``TOP`` tasks at or above ``THRESHOLD`` and within ``RATIO`` of the best are kept.

Method strings read e.g. ``tfidf+bm25+title+theme:parent``. Same corpus, same evidence.

Not every match is evidence that the task was carried out (``Evidence.counts``). A measure counts
for a plan's task only when

* it stands in an achievements section (主要成效/主要做法), not among problems, next year's plans
  or the leaders' duty, and
* its report is by the plan's own region (tier ``own``) or by one of the task's units, or the
  measure itself names the plan's region (柳州市城中区 or 城中区) or one of the task's units.

So the city report's 城中区建成并启用…“办不成事”反映窗口 counts for 城中区's plan, while the
city's and 柳江区's own work does not. A measure that names the plan's region or a task's unit is
kept from ``THRESHOLD_NAMED`` up (the naming is itself a sign that it is about that plan); one
that names the region is weighed as the region's own report, on its words without the name
(method ``…+names-region``). The
other matches are kept with ``counts`` False: related passages, shown apart (kg evidence), never
counted as reported (kg overdue, the ledger).
"""
from __future__ import annotations

from typing import Optional

from kg.model import Corpus, Document, Evidence, Measure, Task, task_count
from kg.parse import themes
from kg.similarity import Similarity, title_similarity

THRESHOLD = 0.30
THRESHOLD_NAMED = 0.20  # for a measure that names the plan's region or one of the task's units
COUNTED_SECTIONS = ("achievements",)
TOP = 3
RATIO = 0.8
TIER_WEIGHT = {"own": 1.0, "parent": 1.0, "child": 0.85, "peer": 0.85, "other": 0.7}
W_COS, W_BM25, W_TITLE, W_THEME = 0.55, 0.15, 0.15, 0.15
KEYWORD_MIN = 2.0  # keyword score (kg.parse.themes) for a second theme from a measure's own words


def _tier(report: Document, plan: Document) -> str:
    r, p = report.region or "", plan.region or ""
    if r and p and r == p:
        return "own"
    if r and p and r.startswith(p):
        return "parent"
    if r and p and p.startswith(r):
        return "child"
    if r and p:
        # the enclosing region: the first region name of each (柳州市柳江区 -> 柳州市)
        import re

        rx = re.compile(r"^.+?(?:自治区|省|市|州|盟)")
        mr, mp = rx.match(r), rx.match(p)
        if mr and mp and (mr.group(0) == mp.group(0) or p.startswith(mr.group(0))):
            return "peer" if p != mr.group(0) else "parent"
    return "other"


def region_names(region: Optional[str]) -> tuple[str, ...]:
    """The ways a report writes a region: 柳州市城中区 and 城中区; 广西壮族自治区 and 广西."""
    import re

    if not region:
        return ()
    out = [region]
    for enclosing in (r"市", r"自治州|地区|盟", r"州"):
        m = re.match(rf"^(.+?(?:{enclosing}))(.{{2,}}(?:区|县|市|旗))$", region)
        if m:
            out.append(m.group(2))
            break
    m = re.match(r"^(.{2,}?)(?:壮族|回族|维吾尔|藏族)?(?:自治区|省)$", region)
    if m and m.group(1) != region:
        out.append(m.group(1))
    return tuple(dict.fromkeys(out))


def _task_orgs(t: Task) -> set[str]:
    return {u.org_id for u in t.units if u.org_id}


def _covers(plan: Document, year: Optional[int]) -> bool:
    if not year or not plan.period:
        return True
    return plan.period[0] <= year <= plan.period[1]


def _task_text(t: Task) -> str:
    text = t.text or ""
    return text if t.title and t.title in text else f"{t.title}。{text}"


def _task_themes(plan: Document) -> dict[str, Optional[str]]:
    titles = {s.id: s.title for s in plan.sections}
    out = {}
    for t in plan.tasks:
        sec = titles.get(t.section or "", "")
        out[t.id] = themes.classify(f"{sec} {t.title}", t.text)
    return out


def measure_key(doc: Document, m: Measure) -> str:
    return f"{doc.id}#{m.id}"


def theme_evidence(doc: Document) -> list[Evidence]:
    """Measures -> themes (see the module docstring)."""
    out = []
    for m in doc.measures:
        sec_theme = doc.section_themes.get(m.section or "")
        if sec_theme is None and m.section:
            # a part of the report without its own theme: the words decide
            pass
        key = measure_key(doc, m)
        scores = themes.keyword_scores(m.text)
        best = max(themes.themes(), key=lambda t: (scores[t.id], -themes.themes().index(t)))
        if sec_theme:
            agree = best.id == sec_theme or scores[best.id] == 0
            out.append(Evidence(key, f"theme:{sec_theme}", 1.0 if agree else 0.8,
                                "section+keywords" if agree and scores[sec_theme] else "section"))
        if scores[best.id] >= KEYWORD_MIN and best.id != sec_theme:
            out.append(Evidence(key, f"theme:{best.id}", round(min(1.0, scores[best.id] / 10), 4), "keywords"))
    return out


def task_evidence(doc: Document, plans: list[Document]) -> list[Evidence]:
    """Measures of report ``doc`` -> tasks of ``plans``, each marked whether it counts (see the
    module docstring)."""

    if not doc.measures:
        return []
    m_texts = [m.text for m in doc.measures]
    m_themes = [doc.section_themes.get(m.section or "") or themes.classify("", m.text) for m in doc.measures]
    m_counted = [doc.section_types.get(m.section or "") in COUNTED_SECTIONS for m in doc.measures]
    m_orgs = [{u.org_id for u in m.units if u.org_id} for m in doc.measures]
    out = []
    for plan in plans:
        if not task_count(plan) or not _covers(plan, doc.year):
            continue
        tier = _tier(doc, plan)
        weight = TIER_WEIGHT[tier]
        tasks = plan.tasks
        scorer = Similarity([_task_text(t) for t in tasks], background=m_texts)
        t_theme = _task_themes(plan)
        t_orgs = [_task_orgs(t) for t in tasks]
        names = region_names(plan.region) if tier != "other" else ()
        method = f"tfidf+bm25+title+theme:{tier}"
        for m, mt, counted, mo in zip(doc.measures, m_themes, m_counted, m_orgs):
            names_region = any(n in m.text for n in names)
            text, w, how = m.text, weight, method
            if names_region:
                # addressed to the plan's region: weighed as the region's own report, on its words
                # without the region's name (which would pull towards tasks that repeat it)
                for n in sorted(names, key=len, reverse=True):
                    text = text.replace(n, "")
                w, how = TIER_WEIGHT["own"], method + "+names-region"
            cos, bm = scorer.scores(text), scorer.bm25(text)
            scored = []
            for j, t in enumerate(tasks):
                tit = title_similarity(text[:40], t.title)
                th = 1.0 if mt and t_theme.get(t.id) == mt else 0.0
                s = w * (W_COS * cos[j] + W_BM25 * bm[j] + W_TITLE * tit + W_THEME * th)
                if cos[j] > 0:
                    scored.append((round(s, 4), j))
            scored.sort(key=lambda x: (-x[0], x[1]))
            if not scored:
                continue
            best = scored[0][0]
            for s, j in scored[:TOP]:
                named = names_region or bool(mo & t_orgs[j])
                if s < (THRESHOLD_NAMED if named else THRESHOLD) or s < RATIO * best:
                    continue
                by = tier == "own" or (doc.reporting_body_id is not None and doc.reporting_body_id in t_orgs[j])
                out.append(Evidence(measure_key(doc, m), f"{plan.id}#{tasks[j].id}", s, how,
                                    counts=counted and (by or named)))
    return out


def link_evidence(corpus: Corpus) -> None:
    """Fill ``corpus.evidence`` for every report of the corpus (see the module docstring)."""
    plans = [d for d in corpus.documents if d.kind != "report"]
    out: list[Evidence] = []
    for doc in corpus.documents:
        if doc.kind != "report":
            continue
        out.extend(theme_evidence(doc))
        out.extend(task_evidence(doc, plans))
    corpus.evidence = sorted(out, key=lambda e: (e.measure.split("#")[0], _order(e.measure), e.target))


def _order(key: str) -> int:
    mid = key.split("#", 1)[1]
    return int(mid[1:]) if mid[1:].isdigit() else 0

"""The four views of a built graph (``kg.query.api.Graph``), each readable at its opening zoom:

- ``unit_view(g, "区司法局")``: an outline from the unit: its documents, their sections, its
  tasks, each task headed and bordered by the unit's role on it (牵头｜, 配合｜, 责任｜);
- ``doc_view(g, "000")``: an outline of a document: its sections and tasks (an annual report's
  measures);
- ``trace_view(g, "001#3")``: a task and the tasks above it (dg:carriesOut), one column per step,
  with their documents, their units beside them, and the parent directives those documents name;
- ``corpus_view(g)``: every document as one box, in rows by level under the directives they
  name; a click opens a document into its outline (``pack`` makes room, here and in page.js).

On the unit, document and corpus pages a task's units are drawn only while the task is selected
(nodes and edges marked ``demand``), beside it; its tooltip lists them. ``build_view`` picks the
view the CLI asks for, ``demo_pages`` writes the demo's pages (kg.viz.page.write).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

from kg.errors import KgError
from kg.model import ROLES
from kg.query.api import Graph
from kg.query.queries import expand_iri
from kg.viz.data import DOC, Data, doc_id, load, load_measures, natural, select
from kg.viz.layout import corpus_layout, trace_layout, tree, tree_col, unit_homes
from kg.viz.nodes import Builder, View
from kg.viz.page import write
from kg.viz.styles import ROLE_ZH, clip

MAX_NODES = 20000  # beyond this a whole-corpus page is unusable: ask for a narrower view
MAX_TASKS = 300  # a unit view shows at most this many tasks (its first, in document order) and says so


def resolve_unit(g, name: str) -> str:
    """The organisation IRI a name (or IRI) denotes; KgError when it denotes several."""
    s = str(name).strip()
    if s.startswith(("http://", "https://", "dgr:", "<")):
        return expand_iri(s)
    rows = g.units_named(s)
    orgs = sorted({r["org"] for r in rows})
    if len(orgs) > 1:
        names = "、".join(sorted({r.get("unit") or r["org"] for r in rows}))
        raise KgError(f"{s!r} names {len(orgs)} units ({names}): give the full name")
    return orgs[0]


def unit_view(g, name: str, doc: Optional[str] = None, role: Optional[str] = None,
              max_tasks: Optional[int] = None) -> View:
    """A unit's tasks (only those of ``doc`` / in ``role`` when given), as an outline from the unit:
    its documents, their sections, its tasks, each headed and bordered by the unit's role on it.
    The other units of a task are drawn when the task is selected (and listed in its tooltip).
    Beyond ``max_tasks`` tasks the first ones in document order, with a note saying what was left
    out and how to narrow the view."""
    max_tasks = MAX_TASKS if max_tasks is None else max_tasks
    org = resolve_unit(g, name)
    if role is not None and role not in ROLES:
        raise KgError(f"role {role!r}: use {', '.join(ROLES[:-1])} or {ROLES[-1]}")
    mine = select(g, "roles", unit=org, **({"doc": g.resolve_doc(doc)} if doc else {}))
    if role:
        mine = [r for r in mine if r["role"] == role]
    if not mine:
        narrowed = " and ".join(x for x in (f"doc {doc}" if doc else "", f"role {role}" if role else "") if x)
        raise KgError(f"{name!r} holds no task in the graph{' with ' + narrowed if narrowed else ''}: "
                      "try `kg workload` to see who does")
    tasks = sorted({r["task"] for r in mine}, key=lambda t: natural(t))
    note = ""
    if len(tasks) > max_tasks:
        kept = tasks[:max_tasks]
        docs_all = {r["doc"] for r in mine}
        keep = set(kept)
        mine = [r for r in mine if r["task"] in keep]
        left_docs = len(docs_all - {r["doc"] for r in mine})
        hint = " or ".join(x for x in ["--doc DOC" if not doc else "", "--role lead|support|responsible" if not role else ""] if x)
        note = (f"只显示前 {max_tasks} 项任务（共 {len(tasks)} 项） · showing the first {max_tasks} of {len(tasks)} tasks "
                f"in document order; {len(tasks) - max_tasks} left out"
                + (f", {left_docs} documents not shown" if left_docs else "")
                + (f"; narrow with {hint}" if hint else ""))
        tasks = kept
    data = load(g, {r["doc"] for r in mine})
    unit = data.units.get(org) or {"unit": org}
    view = View(title=f"单位 {unit.get('name') or name}", kind="unit", note=note)
    b = Builder(data, view)
    roles = [r for t in sorted(tasks) for r in data.roles_of(t)]
    for r in roles:  # the unit's role on each task (the first, lead before responsible before support)
        if r["unit"] == org:
            b.task_role.setdefault(r["task"], r["role"])
    b.unit(org, focus=True, roles=roles)
    roots, children = b.structure(tasks)
    for d in roots:
        view.add_edge(org, d, "holds")
    children = dict(children)
    children[org] = roots
    in_doc = tree_col(data, view, first=1)
    right, _ = tree(view, [org], children, lambda n: 0 if n == org else in_doc(n))
    for r in roles:
        if r["unit"] != org:
            b.unit(r["unit"], roles=roles, demand=True)
        view.add_edge(r["unit"], r["task"], r["role"], f"{ROLE_ZH[r['role']]}：{r.get('as_written') or ''}",
                      demand=True)
    unit_homes(view, roles, right)
    view.nodes[org]["search"] += " " + " ".join(ROLE_ZH[k] for k in ROLES)
    return view


def doc_view(g, doc: str) -> View:
    """A plan's section tree with its tasks (an annual report's with its measures), as an outline
    from the document. A task's units (lead, support, responsible; the units a measure names)
    are drawn when the task is selected, and listed in its tooltip."""
    iri = g.resolve_doc(doc)
    data = load(g, [iri])
    d = data.docs.get(iri) or {}
    if d.get("type") == "AnnualReport":
        load_measures(g, data, iri)
    view = View(title=f"文件 {d.get('title') or doc_id(iri)}", kind="doc")
    b = Builder(data, view)
    tasks = [t for t, info in data.tasks.items() if info["doc"] == iri]
    roots, children = b.structure(tasks, whole=[iri])
    if not roots:
        b.doc(iri)
        roots = [iri]
    right, _ = tree(view, roots, children, tree_col(data, view))
    roles = [r for t in sorted(tasks) for r in data.roles_of(t)]
    for r in roles:
        b.unit(r["unit"], roles=roles, demand=True)
        view.add_edge(r["unit"], r["task"], r["role"], f"{ROLE_ZH[r['role']]}：{r.get('as_written') or ''}",
                      demand=True)
    unit_homes(view, roles, right)
    return view


def trace_view(g, task: str) -> View:
    """A task and the tasks it carries out above it, one column per step up, right to left: each
    task under its document, its units in a grid under it; the parent directives a document names
    in the column left of it."""
    start = g.task(task)["task"]
    chain = g.parent_chain(start)
    dist = {r["ancestor"]: int(r["distance"]) for r in chain}
    dist.setdefault(start, 0)
    data = load(g, {DOC + r["document"] for r in chain if r.get("document")} | {g.task(start)["task"].rsplit("/t/", 1)[0]})
    chain_tasks = sorted((t for t in dist if t in data.tasks), key=lambda t: (-dist[t], t))
    top = max(dist.values())
    first = data.tasks[start]
    view = View(title=f"追溯 {clip(first.get('title') or start, 30)}", kind="trace")
    b = Builder(data, view)
    col_of: dict[str, int] = {}
    for t in chain_tasks:
        col_of[t] = top - dist[t]
        b.task(t)
        b.doc(data.tasks[t]["doc"], level=True)
    for t in chain_tasks:  # a document in the chain twice keeps its leftmost column
        dnode = data.tasks[t]["doc"]
        col_of[dnode] = min(col_of.get(dnode, col_of[t]), col_of[t])
    for t in chain_tasks:
        view.add_edge(data.tasks[t]["doc"], t, "part")
        parent = next((x for x in chain_tasks if dist[x] == dist[t] + 1 and
                       any(l["source"] == t and l["target"] == x for l in data.links)), None)
        if parent:
            view.add_edge(t, parent, "carries_out")
        roles = data.roles_of(t)
        for r in roles:
            b.unit(r["unit"], roles=roles)
            view.add_edge(r["unit"], t, r["role"], f"{ROLE_ZH[r['role']]}：{r.get('as_written') or ''}")
    docs = sorted({data.tasks[t]["doc"] for t in chain_tasks}, key=lambda d: col_of[d])
    seen: set[tuple[str, str]] = set()
    titles = _parent_titles(data)
    for d in docs:
        for l in sorted((l for l in data.links if l["kind"] == "parent" and l["source"] == d),
                        key=lambda l: (l["target"], l.get("title") or "")):
            if (d, l["target"]) in seen:
                continue
            seen.add((d, l["target"]))
            if l["target"] not in view.nodes:
                b.doc(l["target"], titles.get(l["target"], ""), level=True)
                col_of[l["target"]] = col_of[d] - 1
            view.add_edge(d, l["target"], "parent", _parent_tip(l))
    trace_layout(view, data, chain_tasks, col_of)
    return view


def _parent_tip(l: dict) -> str:
    rel = {"based_on": "依据 based on", "applies": "贯彻落实 applies"}.get(l.get("relation") or "", "上级文件")
    return rel + (f"（{l['words']}）" if l.get("words") else "") + (f"\n《{l['title']}》" if l.get("title") else "")


def corpus_view(g, max_nodes: int = MAX_NODES) -> View:
    """Every document as one box, in rows by level (parent directives not in the corpus on top),
    with the links between documents. A click opens a document into its outline of sections and
    tasks (the page moves the others aside); a task's units are drawn when it is selected."""
    # documents and their tasks are nodes already: when they alone overflow the page, say so
    # before reading the corpus (at 3,200 plans that read took minutes)
    docs = g.documents()
    floor = len(docs) + sum(int(d.get("tasks") or 0) for d in docs)
    if floor > max_nodes:
        raise KgError(f"the whole corpus has more than {floor} nodes, too many for one page "
                      f"(limit {max_nodes}): view one document (--doc) or one unit (--unit)")
    data = load(g)
    view = View(title="全部文件 whole corpus", kind="corpus")
    b = Builder(data, view)
    for d in sorted(data.docs):
        b.doc(d, corpus=True)
    roots, children = b.structure(list(data.tasks), whole=data.docs)
    by_unit: dict[str, list[dict]] = {}
    for r in data.roles:
        by_unit.setdefault(r["unit"], []).append(r)
    for r in data.roles:
        b.unit(r["unit"], roles=by_unit[r["unit"]], demand=True)
        view.add_edge(r["unit"], r["task"], r["role"], f"{ROLE_ZH[r['role']]}：{r.get('as_written') or ''}",
                      demand=True)
    _links(view, b, data)
    if len(view.nodes) > max_nodes:
        raise KgError(f"the whole corpus has {len(view.nodes)} nodes, too many for one page "
                      f"(limit {max_nodes}): view one document (--doc) or one unit (--unit)")
    corpus_layout(view, data, children)
    return view


def _parent_titles(data: Data) -> dict[str, str]:
    """The title a parent directive is given by the documents naming it (first in order)."""
    out: dict[str, str] = {}
    for l in sorted(data.links, key=lambda l: (l["target"], l["source"], l.get("title") or "")):
        if l["kind"] == "parent" and l.get("title"):
            out.setdefault(l["target"], l["title"])
    return out


def _links(view: View, b: Builder, data: Data) -> None:
    """carries-out edges between tasks on the page (hidden until asked for), and parent-document
    edges (placeholders added)."""
    seen: set[tuple[str, str]] = set()
    titles = _parent_titles(data)
    for l in sorted(data.links, key=lambda l: (l["kind"], l["source"], l["target"], l.get("title") or "")):
        key = (l["source"], l["target"])
        if key in seen or l["source"] not in view.nodes:
            continue
        if l["kind"] == "carries_out":
            if l["target"] in view.nodes:
                seen.add(key)
                view.add_edge(l["source"], l["target"], "carries_out")
                view.edges[-1]["hidden"] = True  # long lines across the corpus: shown on demand
        else:
            seen.add(key)
            b.doc(l["target"], titles.get(l["target"], ""), corpus=True)
            view.add_edge(l["source"], l["target"], "parent", _parent_tip(l))
            view.edges[-1]["smooth"] = {"enabled": True, "type": "cubicBezier", "forceDirection": "vertical",
                                        "roundness": 0.4}  # between rows of documents


def build_view(g, unit: Optional[str] = None, doc: Optional[str] = None, trace: Optional[str] = None,
               all_: bool = False, role: Optional[str] = None) -> View:
    """The view the CLI options ask for: exactly one of unit, doc, trace, all_ (a unit's view may be
    narrowed to one document with ``doc`` and to one role with ``role``)."""
    chosen = [x for x in (unit, doc if not unit else None, trace) if x] + ([True] if all_ else [])
    if len(chosen) != 1:
        raise KgError("choose one view: --unit NAME, --doc DOC, --trace DOC#NUMBER or --all")
    if role and not unit:
        raise KgError("--role narrows a unit's view: give --unit NAME too")
    if unit:
        return unit_view(g, unit, doc=doc, role=role)
    if doc:
        return doc_view(g, doc)
    if trace:
        return trace_view(g, trace)
    return corpus_view(g)


def slug(text: str) -> str:
    """An ASCII file-name part for a unit (pinyin initials of Chinese, else the IRI's last part)."""

    try:
        from pypinyin import lazy_pinyin

        s = "-".join(lazy_pinyin(text))
    except ImportError:  # pragma: no cover - pypinyin is a dependency
        s = text
    s = re.sub(r"[^A-Za-z0-9]+", "-", s).strip("-").lower()
    return s[:60] or "unit"


def demo_pages(out_dir: str | Path, graph: Optional[str | Path] = None) -> list[Path]:
    """The demo: out_dir/graph.html (the whole corpus) and out_dir/unit-<slug>.html, the view of the
    unit with the most tasks. ``graph`` defaults to the build in ``out_dir``."""
    out_dir = Path(out_dir)
    g = Graph.open(graph or out_dir)
    pages = [write(corpus_view(g), out_dir / "graph.html")]
    busiest = g.workload(top=1)
    if busiest:
        org = busiest[0]["org"]
        pages.append(write(unit_view(g, org), out_dir / f"unit-{slug(busiest[0].get('unit') or org)}.html"))
    return pages

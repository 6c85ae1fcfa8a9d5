"""Interactive pages of the graph: one self-contained HTML file per view (pyvis / vis-network).

Four views, each read from a built graph (``kg.api.Graph``):

- ``unit_view(g, "区司法局")``: a unit, its tasks by role, their documents and sections, and the
  other units sharing those tasks;
- ``doc_view(g, "000")``: a document's section tree with its tasks and their lead units;
- ``trace_view(g, "001#3")``: a task and the tasks above it (dg:carriesOut), left to right, with
  their documents and the parent directives those documents name;
- ``corpus_view(g)``: every document, section, task and unit, clustered by document.

``write(view, path)`` renders a page and writes it atomically. Pages work offline from file://:
vis-network's script and style (shipped inside pyvis) are inlined, nothing comes from a CDN, and
pyvis never writes a lib/ folder. Node positions are computed here (physics off), so a page is the
same bytes for the same graph. Text from documents only reaches the page as JSON inside a
``<script type="application/json">`` block (``<``, ``>`` and ``&`` escaped) and is shown through
``innerText`` / ``textContent``, never as HTML.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

from kg.errors import KgError
from kg.model import ROLES

DATA = Path(__file__).resolve().parent / "data" / "viz"
DOC = "https://w3id.org/dutygraph/id/doc/"
ORG = "https://w3id.org/dutygraph/id/org/"
FONT = ('"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", '
        '"Microsoft YaHei", "PingFang SC", sans-serif')
LEVEL_RANK = {"National": 0, "Province": 1, "City": 2, "District": 3, "Department": 4}
LEVEL_ZH = {"National": "国家", "Province": "省级", "City": "市级", "District": "区县级", "Department": "部门"}
ROLE_ZH = {"lead": "牵头", "support": "配合", "responsible": "责任", "mentions": "提及"}
MAX_NODES = 20000  # beyond this a whole-corpus page is unusable: ask for a narrower view
MAX_TASKS = 300  # a unit view shows at most this many tasks (its first, in document order) and says so

# --------------------------------------------------------------------------- styles
# kind -> (legend label, vis shape, background, border, font colour[, border dashes])
NODE_STYLES = {
    "plan": ("方案 plan", "box", "#1f3b63", "#10243f", "#ffffff"),
    "report": ("报告 annual report", "box", "#5b2c6f", "#3b1a49", "#ffffff"),
    "directive": ("上级文件（未收录） parent directive, not in the corpus", "box", "#ffffff", "#1f3b63", "#1f3b63", True),
    "section": ("章节 section", "box", "#e8ecef", "#9aa5ad", "#2c3e50"),
    "task": ("任务 task", "box", "#fdebd0", "#e67e22", "#4a2c0a"),
    "measure": ("举措（年度报告） measure reported", "box", "#e8f6f3", "#17a589", "#0e4d40"),
    "unit": ("单位 unit", "ellipse", "#d5f5e3", "#27ae60", "#145a32"),
    "group": ("单位泛指 unit group", "ellipse", "#fcf3cf", "#b7950b", "#7d6608"),
    "focus": ("所查单位 the unit shown", "ellipse", "#1e8449", "#145a32", "#ffffff"),
}
# Shapes in the corpus view: label under the shape, so labels can vanish when zoomed out.
CORPUS_SHAPES = {"plan": ("box", 0), "report": ("box", 0), "directive": ("box", 0),
                 "section": ("dot", 7), "task": ("dot", 6), "unit": ("diamond", 9), "group": ("triangle", 9)}
# kind -> (legend label, colour, width, dashes, arrow)
EDGE_STYLES = {
    "lead": ("牵头单位 lead", "#c0392b", 2.5, False, False),
    "support": ("配合单位 support", "#2471a3", 1.5, [8, 5], False),
    "responsible": ("责任单位 responsible", "#8e44ad", 2.0, [2, 4], False),
    "part": ("属于 part of", "#b8c0c6", 1.0, False, False),
    "carries_out": ("落实上级任务 carries out", "#1e8449", 2.5, False, True),
    "parent": ("依据/贯彻上级文件 based on / applies", "#7f8c8d", 1.5, [4, 4], True),
    "mentions": ("报告提及单位 measure names the unit", "#17a589", 1.5, [2, 3], False),
}


# --------------------------------------------------------------------------- data
@dataclass
class Data:
    """What the views need from the graph, keyed by IRI."""

    docs: dict[str, dict] = field(default_factory=dict)
    sections: dict[str, dict] = field(default_factory=dict)
    tasks: dict[str, dict] = field(default_factory=dict)
    roles: list[dict] = field(default_factory=list)
    units: dict[str, dict] = field(default_factory=dict)
    links: list[dict] = field(default_factory=list)

    def roles_of(self, task: str) -> list[dict]:
        return self._by_task.get(task, [])

    def index(self) -> "Data":
        self._by_task: dict[str, list[dict]] = {}
        for r in sorted(self.roles, key=_role_key):
            self._by_task.setdefault(r["task"], []).append(r)
        return self


def _role_key(r: dict) -> tuple:
    return (r["task"], ("lead", "responsible", "support", "mentions").index(r["role"]), r["unit"])


def _select(g, name: str, **params) -> list[dict]:
    return g.select(str(DATA / f"{name}.rq"), **params)


def load(g, docs: Optional[Iterable[str]] = None) -> Data:
    """Read documents, sections, tasks, roles, units and links; only ``docs`` (IRIs) when given."""
    data = Data()
    data.docs = {d["doc"]: d for d in g.documents()}
    scopes = [None] if docs is None else sorted(set(docs))
    for doc in scopes:
        p = {"doc": doc} if doc else {}
        for r in _select(g, "sections", **p):
            data.sections[r["section"]] = r
        for r in _select(g, "tasks", **p):
            data.tasks[r["task"]] = r
        data.roles += _select(g, "roles", **p)
        for r in _select(g, "units", **p):
            data.units.setdefault(r["unit"], r)
        data.links += _select(g, "links", **p) + _select(g, "carries", **p)
    data.roles = sorted({(r["task"], r["role"], r["unit"]): r for r in data.roles}.values(), key=_role_key)
    return data.index()


# --------------------------------------------------------------------------- text
def _clip(text: str, n: int) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _wrap(text: str, width: int, lines: int) -> str:
    """Cut ``text`` into at most ``lines`` balanced lines of ``width`` characters or fewer (… if cut)."""
    text = _clip(text, width * lines)
    n = max(1, math.ceil(len(text) / width))
    step = math.ceil(len(text) / n)
    return "\n".join(text[i:i + step] for i in range(0, len(text), step))


def doc_id(iri: str) -> str:
    return iri[len(DOC):] if iri.startswith(DOC) else iri.rsplit("/", 1)[-1]


def _doc_kind(d: Optional[dict]) -> str:
    if d is None:
        return "directive"
    return "report" if d.get("type") == "AnnualReport" else "plan"


def _unit_short(u: dict) -> str:
    """The unit's label on the page: its shortest other name of 3+ characters, else its full name."""
    alts = [a for a in (u.get("alt") or "").split("、") if len(a) >= 3]
    name = u.get("name") or u["unit"].rsplit("/", 1)[-1]
    return min(alts, key=lambda a: (len(a), a)) if alts and len(min(alts, key=len)) < len(name) else name


def _task_label(t: dict) -> str:
    num = t.get("number")
    head = f"{num}．" if num else "·"
    return _wrap(head + (t.get("title") or t["task"].rsplit("/", 1)[-1]), 12, 2)


class _Tips:
    """Tooltip texts (plain text: the page shows them with innerText)."""

    def __init__(self, data: Data):
        self.data = data

    def doc(self, iri: str, d: Optional[dict], fallback_title: str = "") -> str:
        if d is None:
            return "\n".join(x for x in [
                "上级文件（未收录于语料） parent directive, not in the corpus",
                fallback_title or iri, iri] if x)
        lines = [d.get("title") or doc_id(iri),
                 "类型：" + ("年度报告 annual report" if d.get("type") == "AnnualReport" else "实施方案 plan")]
        where = " ".join(x for x in [LEVEL_ZH.get(d.get("level") or "", d.get("level") or ""),
                                     d.get("region") or ""] if x)
        if where:
            lines.append("层级：" + where)
        if d.get("tasks") is not None:
            lines.append(f"任务数：{d['tasks']}")
        lines.append("来源：" + (d.get("file") or doc_id(iri)) + f"（{doc_id(iri)}）")
        return "\n".join(lines)

    def section(self, s: dict) -> str:
        d = self.data.docs.get(s["doc"]) or {}
        head = " ".join(x for x in [s.get("number") or "", s.get("title") or ""] if x)
        return "\n".join([head or s["section"], "章节 section", "文件：" + (d.get("title") or doc_id(s["doc"]))])

    def task(self, t: dict) -> str:
        d = self.data.docs.get(t["doc"]) or {}
        num = t.get("number")
        if t.get("measure"):
            lines = ["举措 · " + (d.get("title") or doc_id(t["doc"])), t.get("description") or ""]
        else:
            lines = [("任务 " + num if num else "任务（无编号）") + " · " + (d.get("title") or doc_id(t["doc"]))]
            lines.append(t.get("description") or t.get("title") or "")
            raw = "；".join(sorted((t.get("deadlines") or "").split("；"))).strip("；")
            due = t.get("due")
            if raw or due:
                lines.append("期限：" + (raw or "") + (f"（{due}）" if due else ""))
            else:
                lines.append("期限：未写明 no deadline")
        for role in ("lead", "responsible", "support", "mentions"):
            names = [self._unit_name(r) for r in self.data.roles_of(t["task"]) if r["role"] == role]
            if names:
                lines.append(f"{ROLE_ZH[role]}：" + "、".join(names))
        src = d.get("file") or doc_id(t["doc"])
        if t.get("start") is not None and t.get("end") is not None:
            src += f"，第 {t['start']}–{t['end']} 字"
        lines.append("来源：" + src)
        return "\n".join(x for x in lines if x)

    def _unit_name(self, r: dict) -> str:
        u = self.data.units.get(r["unit"]) or {}
        return u.get("name") or r.get("as_written") or r["unit"].rsplit("/", 1)[-1]

    def unit(self, u: dict, counts: dict[str, int]) -> str:
        lines = [u.get("name") or u["unit"]]
        alts = [a for a in (u.get("alt") or "").split("、") if a and a != u.get("name")]
        if alts:
            lines.append("又称：" + "、".join(sorted(alts)))
        kind = " ".join(x for x in [LEVEL_ZH.get(u.get("level") or "", ""), u.get("kind") or ""] if x)
        if kind:
            lines.append("类别：" + kind)
        if counts:
            lines.append("本图任务：" + "，".join(f"{ROLE_ZH[k]} {counts[k]}" for k in ROLE_ZH if counts.get(k)))
        lines.append(u["unit"])
        return "\n".join(lines)


# --------------------------------------------------------------------------- views
@dataclass
class View:
    """Nodes and edges (vis-network dicts, positions included) and what the page says about them."""

    title: str
    kind: str  # unit | doc | trace | corpus
    nodes: dict[str, dict] = field(default_factory=dict)
    edges: list[dict] = field(default_factory=list)
    compact: bool = False  # corpus view: small shapes, labels under them
    note: str = ""  # what the page leaves out and how to narrow it (shown on the page, printed by the CLI)

    def add_node(self, iri: str, kind: str, label: str, tip: str, search: str = "", **extra) -> None:
        if iri in self.nodes:
            return
        style = NODE_STYLES[kind]
        node = {"id": iri, "kind": kind, "label": label, "title": tip,
                "search": " ".join(x for x in [label.replace("\n", ""), search] if x).lower(),
                "color": {"background": style[2], "border": style[3],
                          "highlight": {"background": style[2], "border": "#000000"}},
                "font": {"color": style[4], "face": FONT, "size": 14}, "borderWidth": 1.5}
        if len(style) > 5 and style[5]:
            node["shapeProperties"] = {"borderDashes": [5, 4]}
        if self.compact:
            shape, size = CORPUS_SHAPES.get(kind, ("dot", 8))
            node.update(shape=shape, size=size)
            node["font"]["color"] = "#2c3e50"
            if kind in ("plan", "report", "directive"):  # a title box over the document's disc
                node["font"]["color"] = style[4]
                node["margin"] = 12
        else:
            node["shape"] = style[1]
            node["widthConstraint"] = {"maximum": 190}
            node["margin"] = 8
        node.update(extra)
        self.nodes[iri] = node

    def add_edge(self, src: str, dst: str, kind: str, tip: str = "") -> None:
        label, colour, width, dashes, arrow = EDGE_STYLES[kind]
        edge = {"from": src, "to": dst, "kind": kind, "color": {"color": colour, "highlight": colour, "opacity": 1.0},
                "width": width, "dashes": dashes, "title": tip or label}
        if arrow:
            edge["arrows"] = {"to": {"enabled": True, "scaleFactor": 0.6}}
        self.edges.append(edge)

    def legend(self) -> list[dict]:
        kinds = {n["kind"] for n in self.nodes.values()}
        ekinds = {e["kind"] for e in self.edges}
        out = []
        for k, s in NODE_STYLES.items():
            if k in kinds:
                shape = CORPUS_SHAPES.get(k, ("dot",))[0] if self.compact else s[1]
                out.append({"type": "node", "label": s[0], "shape": shape, "fill": s[2], "stroke": s[3],
                            "dashed": len(s) > 5 and bool(s[5])})
        for k, s in EDGE_STYLES.items():
            if k in ekinds:
                out.append({"type": "edge", "label": s[0], "stroke": s[1], "width": s[2],
                            "dash": " ".join(map(str, s[3])) if s[3] else "", "arrow": s[4]})
        return out


class _Builder:
    """Shared node makers: one way to draw a document, a section, a task and a unit."""

    def __init__(self, data: Data, view: View):
        self.data, self.view, self.tips = data, view, _Tips(data)

    def doc(self, iri: str, title: str = "", level: bool = False) -> None:
        """A document node; ``level`` puts its level (市级, 区县级 …) above the title."""
        d = self.data.docs.get(iri)
        kind = _doc_kind(d)
        name = (d or {}).get("title") or title or doc_id(iri)
        label = _wrap(name, 16, 1) if self.view.compact else _wrap(name, 13, 3)
        if level:
            lv = (d or {}).get("level")
            label = f"【{LEVEL_ZH.get(lv, lv) if lv else '上级文件'}】\n" + label
        self.view.add_node(iri, kind, label, self.tips.doc(iri, d, title), name + " " + doc_id(iri), full=name)

    def section(self, iri: str) -> None:
        s = self.data.sections[iri]
        label = (s.get("number") or "") + (s.get("title") or "")
        self.view.add_node(iri, "section", _wrap(label or iri.rsplit("/", 1)[-1], 12, 2), self.tips.section(s),
                           label)

    def task(self, iri: str) -> None:
        t = self.data.tasks[iri]
        self.view.add_node(iri, "measure" if t.get("measure") else "task", _task_label(t), self.tips.task(t),
                           " ".join(x for x in [t.get("title") or "", t.get("description") or "",
                                                f"#{t['number']}" if t.get("number") else ""] if x))

    def unit(self, iri: str, focus: bool = False, roles: Optional[list[dict]] = None) -> None:
        u = self.data.units.get(iri) or {"unit": iri}
        counts: dict[str, int] = {}
        for r in roles or []:
            if r["unit"] == iri:
                counts[r["role"]] = counts.get(r["role"], 0) + 1
        kind = "focus" if focus else ("group" if u.get("group") or u.get("kind") == "Group" else "unit")
        written = " ".join(sorted({r.get("as_written") or "" for r in roles or [] if r["unit"] == iri}))
        extra = {"font": {"color": NODE_STYLES[kind][4], "face": FONT, "size": 20 if focus else 14}} if focus else {}
        self.view.add_node(iri, kind, _wrap(_unit_short(u), 9, 2), self.tips.unit(u, counts),
                           " ".join(x for x in [u.get("name") or "", u.get("alt") or "", written] if x), **extra)

    def structure(self, tasks: Iterable[str], whole: Iterable[str] = ()) -> tuple[list[str], dict[str, list[str]]]:
        """Documents, sections and tasks as a tree: (roots, children), in document order.

        Sections holding none of ``tasks`` are left out, except in the documents ``whole``."""
        data = self.data
        whole = set(whole)
        keep_sections: set[str] = {s for s, info in data.sections.items() if info["doc"] in whole}
        task_list = sorted(set(tasks), key=lambda t: _task_order(data.tasks[t]))
        parent_of: dict[str, str] = {}
        for t in task_list:
            info = data.tasks[t]
            parent_of[t] = info.get("section") if info.get("section") in data.sections else info["doc"]
            s = info.get("section")
            while s in data.sections and s not in keep_sections:
                keep_sections.add(s)
                s = data.sections[s]["parent"]
        for s in keep_sections:
            sec = data.sections[s]
            parent_of[s] = sec["parent"] if sec["parent"] in data.sections else sec["doc"]
        rank: dict[str, tuple] = {t: _task_order(data.tasks[t]) for t in task_list}
        # a section ranks as its first task; sections without tasks go after, by id
        for s in sorted(keep_sections, key=lambda s: (-_depth(data, s), s)):
            rank.setdefault(s, (10**9, _natural(s)))
            p = parent_of[s]
            if p in keep_sections:
                rank[p] = min(rank.get(p, (10**9, _natural(p))), rank[s])
        children: dict[str, list[str]] = {}
        for n, p in parent_of.items():
            children.setdefault(p, []).append(n)
        for p in children:
            children[p].sort(key=lambda n: rank[n])
        roots = sorted({data.tasks[t]["doc"] for t in task_list} | {data.sections[s]["doc"] for s in keep_sections})
        for r in roots:
            self.doc(r)
        for n in parent_of:
            self.section(n) if n in data.sections else self.task(n)
            self.view.add_edge(parent_of[n], n, "part")
        return roots, children


def _natural(s: str) -> tuple:
    import re

    return tuple(int(x) if x.isdigit() else x for x in re.split(r"(\d+)", s))


def _task_order(t: dict) -> tuple:
    o = t.get("order")
    return (int(o) if o is not None else 10**8, _natural(t["task"]))


def _depth(data: Data, s: str) -> int:
    d = 0
    while s in data.sections:
        d += 1
        s = data.sections[s]["parent"]
    return d


# --------------------------------------------------------------------------- layouts
COL = 250  # px between columns
ROW = 58   # px between rows of tasks


def _tree_layout(view: View, roots: list[str], children: dict[str, list[str]], data: Data) -> int:
    """Columns left to right: documents, sections by depth, tasks. Returns the task column."""
    max_depth = max([_depth(data, s) for s in view.nodes if s in data.sections] + [0])
    task_col = max_depth + 1
    y = 0.0

    def col(n: str) -> int:
        if n in data.tasks:
            return task_col
        if n in data.sections:
            return _depth(data, n)
        return 0

    def visit(n: str) -> None:
        nonlocal y
        kids = children.get(n, [])
        if not kids:
            view.nodes[n].update(x=col(n) * COL, y=y)
            y += ROW
            return
        for k in kids:
            visit(k)
        view.nodes[n].update(x=col(n) * COL, y=(view.nodes[kids[0]]["y"] + view.nodes[kids[-1]]["y"]) / 2)

    for r in roots:
        visit(r)
        y += ROW  # a gap between documents
    return task_col


def _spread(items: list[tuple[str, float]], gap: float) -> dict[str, float]:
    """Positions along one axis close to the wanted ones, at least ``gap`` apart, same mean."""
    items = sorted(items, key=lambda kv: (kv[1], kv[0]))
    placed: list[float] = []
    for _, want in items:
        placed.append(want if not placed else max(want, placed[-1] + gap))
    if not placed:
        return {}
    shift = sum(w for _, w in items) / len(items) - sum(placed) / len(placed)
    return {k: p + shift for (k, _), p in zip(items, placed)}


def _unit_column(view: View, roles: list[dict], x: float, gap: float = 50) -> None:
    """Units right of the tasks, each near the middle of its tasks (fewer crossings); when they
    outnumber the tasks, in two or three staggered columns so the page stays about as tall."""
    ys: dict[str, list[float]] = {}
    tasks: set[str] = set()
    for r in roles:
        if r["task"] in view.nodes and r["unit"] in view.nodes:
            ys.setdefault(r["unit"], []).append(view.nodes[r["task"]]["y"])
            tasks.add(r["task"])
    want = [(u, sum(v) / len(v)) for u, v in sorted(ys.items())]
    k = max(1, min(3, math.ceil(len(want) * gap / max(len(tasks) * ROW, 1) - 0.2)))
    spread = _spread(want, gap / k)
    for i, (u, y) in enumerate(sorted(spread.items(), key=lambda kv: (kv[1], kv[0]))):
        view.nodes[u].update(x=x + (i % k) * 150, y=round(y, 1))


# --------------------------------------------------------------------------- the four views
def resolve_unit(g, name: str) -> str:
    """The organisation IRI a name (or IRI) denotes; KgError when it denotes several."""
    s = str(name).strip()
    if s.startswith(("http://", "https://", "dgr:", "<")):
        from kg.queries import expand_iri

        return expand_iri(s)
    rows = g.units_named(s)
    orgs = sorted({r["org"] for r in rows})
    if len(orgs) > 1:
        names = "、".join(sorted({r.get("unit") or r["org"] for r in rows}))
        raise KgError(f"{s!r} names {len(orgs)} units ({names}): give the full name")
    return orgs[0]


def unit_view(g, name: str, doc: Optional[str] = None, role: Optional[str] = None,
              max_tasks: Optional[int] = None) -> View:
    """A unit's tasks (only those of ``doc`` / in ``role`` when given); beyond ``max_tasks`` tasks the
    first ones in document order, with a note saying what was left out and how to narrow the view."""
    max_tasks = MAX_TASKS if max_tasks is None else max_tasks
    org = resolve_unit(g, name)
    if role is not None and role not in ROLES:
        raise KgError(f"role {role!r}: use {', '.join(ROLES[:-1])} or {ROLES[-1]}")
    mine = _select(g, "roles", unit=org, **({"doc": g.resolve_doc(doc)} if doc else {}))
    if role:
        mine = [r for r in mine if r["role"] == role]
    if not mine:
        narrowed = " and ".join(x for x in (f"doc {doc}" if doc else "", f"role {role}" if role else "") if x)
        raise KgError(f"{name!r} holds no task in the graph{' with ' + narrowed if narrowed else ''}: "
                      "try `kg workload` to see who does")
    tasks = sorted({r["task"] for r in mine}, key=lambda t: _natural(t))
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
    b = _Builder(data, view)
    roots, children = b.structure(tasks)
    task_col = _tree_layout(view, roots, children, data)
    roles = [r for t in sorted(tasks) for r in data.roles_of(t)]
    for r in roles:
        b.unit(r["unit"], focus=r["unit"] == org, roles=roles)
        view.add_edge(r["unit"], r["task"], r["role"], f"{ROLE_ZH[r['role']]}：{r.get('as_written') or ''}")
    _unit_column(view, roles, (task_col + 1.3) * COL)
    return view


def _load_measures(g, data: Data, doc: str) -> None:
    """An annual report's measures as the leaves of its tree (in ``data.tasks``, marked ``measure``)
    and the units they name (in ``data.roles``, role ``mentions``)."""
    for r in _select(g, "measures", doc=doc):
        text = r.get("description") or ""
        data.tasks[r["measure"]] = {"task": r["measure"], "doc": r["doc"], "section": r.get("section"),
                                    "number": None, "title": text, "description": text, "order": r.get("order"),
                                    "start": r.get("start"), "end": r.get("end"), "measure": True}
    for r in _select(g, "mentions", doc=doc):
        data.units.setdefault(r["unit"], r)
        data.roles.append({"task": r["measure"], "doc": r["doc"], "role": "mentions", "unit": r["unit"]})
    data.index()


def doc_view(g, doc: str) -> View:
    """A plan's section tree with its tasks and their lead (and responsible) units; an annual
    report's with its measures and the units they name."""
    iri = g.resolve_doc(doc)
    data = load(g, [iri])
    d = data.docs.get(iri) or {}
    if d.get("type") == "AnnualReport":
        _load_measures(g, data, iri)
    view = View(title=f"文件 {d.get('title') or doc_id(iri)}", kind="doc")
    b = _Builder(data, view)
    tasks = [t for t, info in data.tasks.items() if info["doc"] == iri]
    roots, children = b.structure(tasks, whole=[iri])
    if not roots:
        b.doc(iri)
        roots = [iri]
        view.nodes[iri].update(x=0, y=0)
    else:
        task_col = _tree_layout(view, roots, children, data)
    roles = [r for t in tasks for r in data.roles_of(t) if r["role"] in ("lead", "responsible", "mentions")]
    for r in roles:
        b.unit(r["unit"], roles=roles)
        view.add_edge(r["unit"], r["task"], r["role"], f"{ROLE_ZH[r['role']]}：{r.get('as_written') or ''}")
    if roles:
        _unit_column(view, roles, (task_col + 1.3) * COL)
    return view


def trace_view(g, task: str) -> View:
    start = g.task(task)["task"]
    chain = g.parent_chain(start)
    dist = {r["ancestor"]: int(r["distance"]) for r in chain}
    dist.setdefault(start, 0)
    data = load(g, {DOC + r["document"] for r in chain if r.get("document")} | {g.task(start)["task"].rsplit("/t/", 1)[0]})
    chain_tasks = sorted((t for t in dist if t in data.tasks), key=lambda t: (-dist[t], t))
    top = max(dist.values())
    first = data.tasks[start]
    view = View(title=f"追溯 {_clip(first.get('title') or start, 30)}", kind="trace")
    b = _Builder(data, view)
    col_of: dict[str, int] = {}
    for t in chain_tasks:
        col_of[t] = top - dist[t]
        b.task(t)
        b.doc(data.tasks[t]["doc"], level=True)
        col_of.setdefault(data.tasks[t]["doc"], col_of[t])
    for t in chain_tasks:  # a document in the chain twice keeps its leftmost column
        col_of[data.tasks[t]["doc"]] = min(col_of[data.tasks[t]["doc"]], col_of[t])
    stack: dict[int, float] = {}
    for t in chain_tasks:
        c = col_of[t]
        view.nodes[t].update(x=c * COL * 1.4, y=0)
        dnode = data.tasks[t]["doc"]
        view.nodes[dnode].update(x=col_of[dnode] * COL * 1.4, y=-170)
        stack[c] = -170
        view.add_edge(dnode, t, "part")
        parent = next((x for x in chain_tasks if dist[x] == dist[t] + 1 and
                       any(l["source"] == t and l["target"] == x for l in data.links)), None)
        if parent:
            view.add_edge(t, parent, "carries_out")
        roles = data.roles_of(t)
        for i, r in enumerate(roles):
            b.unit(r["unit"], roles=roles)
            if "x" not in view.nodes[r["unit"]]:
                view.nodes[r["unit"]].update(x=c * COL * 1.4 + (i % 2) * 110 - 55, y=130 + (i // 2) * 62)
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
                c = col_of[d] - 1
                stack[c] = stack.get(c, -170 + 90) - 90
                view.nodes[l["target"]].update(x=c * COL * 1.4, y=stack[c])
            view.add_edge(d, l["target"], "parent", _parent_tip(l))
    return view


def _parent_tip(l: dict) -> str:
    rel = {"based_on": "依据 based on", "applies": "贯彻落实 applies"}.get(l.get("relation") or "", "上级文件")
    return rel + (f"（{l['words']}）" if l.get("words") else "") + (f"\n《{l['title']}》" if l.get("title") else "")


def corpus_view(g, max_nodes: int = MAX_NODES) -> View:
    # documents and their tasks are nodes already: when they alone overflow the page, say so
    # before reading the corpus (at 3,200 plans that read took minutes)
    docs = g.documents()
    floor = len(docs) + sum(int(d.get("tasks") or 0) for d in docs)
    if floor > max_nodes:
        raise KgError(f"the whole corpus has more than {floor} nodes, too many for one page "
                      f"(limit {max_nodes}): view one document (--doc) or one unit (--unit)")
    data = load(g)
    view = View(title="全部文件 whole corpus", kind="corpus", compact=True)
    b = _Builder(data, view)
    roots, children = b.structure(list(data.tasks), whole=data.docs)
    for d in sorted(data.docs):
        b.doc(d)
    by_unit: dict[str, list[dict]] = {}
    for r in data.roles:
        by_unit.setdefault(r["unit"], []).append(r)
    for r in data.roles:
        b.unit(r["unit"], roles=by_unit[r["unit"]])
        view.add_edge(r["unit"], r["task"], r["role"], f"{ROLE_ZH[r['role']]}：{r.get('as_written') or ''}")
    _links(view, b, data)
    if len(view.nodes) > max_nodes:
        raise KgError(f"the whole corpus has {len(view.nodes)} nodes, too many for one page "
                      f"(limit {max_nodes}): view one document (--doc) or one unit (--unit)")
    _cluster_layout(view, data, children)
    return view


def _parent_titles(data: Data) -> dict[str, str]:
    """The title a parent directive is given by the documents naming it (first in order)."""
    out: dict[str, str] = {}
    for l in sorted(data.links, key=lambda l: (l["target"], l["source"], l.get("title") or "")):
        if l["kind"] == "parent" and l.get("title"):
            out.setdefault(l["target"], l["title"])
    return out


def _links(view: View, b: _Builder, data: Data) -> None:
    """carries-out edges between tasks on the page, and parent-document edges (placeholders added)."""
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
                if view.compact:  # thousands of long lines across the corpus: shown on demand
                    view.edges[-1]["hidden"] = True
        else:
            seen.add(key)
            b.doc(l["target"], titles.get(l["target"], ""))
            view.add_edge(l["source"], l["target"], "parent", _parent_tip(l))


def _cluster_layout(view: View, data: Data, children: dict[str, list[str]]) -> None:
    """Each document a disc (sections inside, tasks on a ring, its units outside) under a title box;
    discs in rows, in document order."""
    # home document of a unit: where it holds most roles
    count: dict[str, dict[str, int]] = {}
    for r in data.roles:
        count.setdefault(r["unit"], {}).setdefault(r["doc"], 0)
        count[r["unit"]][r["doc"]] += 1
    home = {u: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] for u, c in count.items()}
    unit_angles: dict[str, list[str]] = {}
    for r in data.roles:
        unit_angles.setdefault(r["unit"], []).append(r["task"])
    # (doc, positions relative to the disc centre, disc radius)
    clusters: list[tuple[str, dict[str, tuple[float, float]], float]] = []
    docs = sorted((n for n, v in view.nodes.items() if v["kind"] in ("plan", "report", "directive")),
                  key=lambda n: (view.nodes[n]["kind"] == "directive", n))  # directives outside the corpus last
    for d in docs:
        pos: dict[str, tuple[float, float]] = {}
        order: list[str] = []

        def walk(n: str) -> None:
            if n != d:
                order.append(n)
            for k in children.get(n, []):
                walk(k)

        walk(d)
        tasks = [n for n in order if n in data.tasks]
        sections = [n for n in order if n in data.sections]
        units = sorted(u for u, h in home.items() if h == d and u in view.nodes)
        if not (tasks or sections or units):
            clusters.append((d, pos, 0.0))
            continue
        r_task = max(160.0 if tasks else 90.0, len(tasks or sections) * 28 / (2 * math.pi))
        angle: dict[str, float] = {}
        for i, t in enumerate(tasks):
            angle[t] = 2 * math.pi * i / max(1, len(tasks)) - math.pi / 2
            pos[t] = (r_task * math.cos(angle[t]), r_task * math.sin(angle[t]))
        max_d = max([_depth(data, s) for s in sections] + [1])
        for i, s in enumerate(reversed(sections)):  # deepest first: at the mean angle of its children
            kids = [k for k in children.get(s, []) if k in angle]
            a = _mean_angle([angle[k] for k in kids]) if kids else 2 * math.pi * i / len(sections)
            angle[s] = a
            r = r_task * (0.2 + 0.55 * _depth(data, s) / max_d)
            pos[s] = (r * math.cos(a), r * math.sin(a))
        r_unit = max(r_task + 160, len(units) * 36 / (2 * math.pi)) if units else r_task
        want = [(u, _mean_angle([angle[t] for t in unit_angles[u] if t in angle] or [0.0])) for u in units]
        for u, a in _spread(want, 36 / r_unit).items():
            pos[u] = (r_unit * math.cos(a), r_unit * math.sin(a))
        clusters.append((d, pos, r_unit + 70))
    placed = {n for _, p, _ in clusters for n in p} | set(docs)
    loose = sorted(n for n in view.nodes if n not in placed)  # units of no document: one ring apart
    if loose:
        ring = max(200.0, len(loose) * 36 / (2 * math.pi))
        clusters.append(("", {n: (ring * math.cos(2 * math.pi * i / len(loose)),
                                  ring * math.sin(2 * math.pi * i / len(loose))) for i, n in enumerate(loose)},
                         ring + 70))
    # title boxes sized to their disc, so that titles stay readable when the whole corpus is in view
    boxes = []
    for d, pos, r in clusters:
        label = view.nodes[d]["label"] if d else ""
        size = max(28.0, min(110.0, 1.7 * r / max(len(label), 4))) if r else 28.0
        w = max(2 * r, size * len(label) + 60)
        h = 2 * r + (size * 1.4 + 40 if d else 0)
        boxes.append((d, pos, r, size, w, h))
    area = sum(w * h for *_, w, h in boxes)
    width = max(math.sqrt(area) * 1.3, max((w for *_, w, _ in boxes), default=0))
    x = y = row_h = 0.0
    gap = 80.0
    for d, pos, r, size, w, h in boxes:
        if x > 0 and x + w > width:
            x, y, row_h = 0.0, y + row_h + gap, 0.0
        cx, cy = x + w / 2, y + h - r
        for n, (px, py) in pos.items():
            view.nodes[n].update(x=round(cx + px, 1), y=round(cy + py, 1))
        if d:
            view.nodes[d].update(x=round(cx, 1), y=round(y + size * 0.7 + 10, 1), disc=round(w))
            view.nodes[d]["font"]["size"] = round(size)
        x += w + gap
        row_h = max(row_h, h)


def _mean_angle(angles: list[float]) -> float:
    s = sum(math.sin(a) for a in angles)
    c = sum(math.cos(a) for a in angles)
    return math.atan2(s, c) if (s or c) else angles[0]


# --------------------------------------------------------------------------- page
def _vis_assets() -> tuple[str, str]:
    """vis-network's script and style, from the copy pyvis ships."""
    import pyvis

    lib = Path(pyvis.__file__).resolve().parent / "lib"
    dirs = sorted(lib.glob("vis-*/vis-network.min.js"), key=lambda p: _natural(p.parent.name))
    if not dirs:
        raise KgError(f"pyvis ships no vis-network in {lib}: reinstall pyvis (pip install 'pyvis>=0.3.2,<0.4')")
    js = dirs[-1].read_text(encoding="utf-8")
    css = (dirs[-1].parent / "vis-network.css").read_text(encoding="utf-8")
    js = "\n".join(line for line in js.split("\n") if not line.startswith("//# sourceMappingURL"))
    css = "\n".join(line for line in css.split("\n") if "sourceMappingURL" not in line)
    return js, css


def _options(view: View) -> dict:
    opts: dict[str, Any] = {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False, "randomSeed": 1},
        "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False, "keyboard": False,
                        "multiselect": False},
        "nodes": {"font": {"face": FONT}},
        "edges": {"smooth": False, "selectionWidth": 1.5},
    }
    if view.compact:
        opts["interaction"].update(hideEdgesOnDrag=True, hideEdgesOnZoom=True)
        opts["nodes"]["scaling"] = {"label": {"drawThreshold": 7}}
    return opts


def network(view: View):
    """The view as a pyvis Network (nodes and edges in a stable order)."""
    from pyvis.network import Network

    net = Network(height="100%", width="100%", directed=False, cdn_resources="in_line")
    ids = sorted(view.nodes)
    net.node_ids = ids  # pyvis checks membership in a list: give it all ids at once
    net.node_map = {i: dict(view.nodes[i]) for i in ids}
    net.nodes = [net.node_map[i] for i in ids]
    known = set(ids)
    for e in sorted(view.edges, key=lambda e: (e["kind"], e["from"], e["to"])):
        if e["from"] not in known or e["to"] not in known:
            raise KgError(f"internal: an edge to a node not on the page ({e['from']} -> {e['to']})")
        net.edges.append(dict(e))
    net.options = _options(view)
    return net


def render(view: View) -> str:
    """The page: one HTML string with everything inlined."""
    import jinja2

    net = network(view)
    js, css = _vis_assets()
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(DATA)), autoescape=True,
                             keep_trailing_newline=True)
    payload = {"nodes": net.nodes, "edges": net.edges, "options": net.options, "kind": view.kind,
               "readable": None if view.compact else 0.7, "titles": _titles(view),
               "toggles": sorted({e["kind"] for e in net.edges if e.get("hidden")})}
    page_js = (DATA / "page.js").read_text(encoding="utf-8")
    for script in (js, page_js):
        if "</script" in script.lower():
            raise KgError("internal: an inlined script contains </script")
    html = env.get_template("page.html").render(
        title=view.title, kind=view.kind, data=payload, legend=view.legend(), note=view.note,
        counts={"nodes": len(net.nodes), "edges": len(net.edges)},
        vis_js=_markup(js),
        vis_css=_markup(css), page_js=_markup(page_js),
        page_css=_markup((DATA / "page.css").read_text(encoding="utf-8")), font=FONT)
    return html


def _titles(view: View) -> list[dict]:
    """Document titles the page draws at a readable size when zoomed out (corpus view): each with
    the width of its document's disc, so a title never runs over its neighbours."""
    if not view.compact:
        return []
    out = []
    for n in sorted(view.nodes):
        node = view.nodes[n]
        if node["kind"] in ("plan", "report", "directive") and node.get("disc"):
            style = NODE_STYLES[node["kind"]]
            out.append({"id": n, "text": node["full"], "width": node["disc"], "size": node["font"]["size"],
                        "fill": style[2], "stroke": style[3], "color": style[4]})
    return out


def _markup(s: str):
    from markupsafe import Markup

    return Markup(s)


def write(view: View, out: str | Path) -> Path:
    """Render ``view`` and write it to ``out`` atomically (a temp file in the same folder, renamed)."""
    from kg.export import write_atomic

    out = Path(out)
    if out.is_dir():
        raise KgError(f"{out} is a folder: give a file name, e.g. {out / 'graph.html'}")
    return write_atomic(out, render(view).encode("utf-8"))


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
    import re

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
    from kg.api import Graph

    out_dir = Path(out_dir)
    g = Graph.open(graph or out_dir)
    pages = [write(corpus_view(g), out_dir / "graph.html")]
    busiest = g.workload(top=1)
    if busiest:
        org = busiest[0]["org"]
        pages.append(write(unit_view(g, org), out_dir / f"unit-{slug(busiest[0].get('unit') or org)}.html"))
    return pages

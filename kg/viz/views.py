"""Interactive pages of the graph: one self-contained HTML file per view (pyvis / vis-network).

Four views, each read from a built graph (``kg.query.api.Graph``), each readable at its opening zoom:

- ``unit_view(g, "区司法局")``: an outline from the unit: its documents, their sections, its
  tasks, each task headed and bordered by the unit's role on it (牵头｜, 配合｜, 责任｜);
- ``doc_view(g, "000")``: an outline of a document: its sections and tasks (an annual report's
  measures);
- ``trace_view(g, "001#3")``: a task and the tasks above it (dg:carriesOut), one column per step,
  with their documents, their units beside them, and the parent directives those documents name;
- ``corpus_view(g)``: every document as one box, in rows by level under the directives they
  name; a click opens a document into its outline (``pack`` makes room, here and in page.js).

On the unit, document and corpus pages a task's units are drawn only while the task is selected
(nodes and edges marked ``demand``), beside it; its tooltip lists them. Sizes of boxes are
computed here (``node_size``) so that layouts keep boxes apart; tests check in Chromium that no
two drawn boxes overlap. Every label that is cut (…) is whole in the node's tooltip.

``write(view, path)`` renders a page and writes it atomically. Pages work offline from file://:
vis-network's script and style (shipped inside pyvis) are inlined, nothing comes from a CDN, and
pyvis never writes a lib/ folder. Node positions are computed here (physics off), so a page is the
same bytes for the same graph. Text from documents only reaches the page as JSON inside a
``<script type="application/json">`` block (``<``, ``>`` and ``&`` escaped) and is shown through
``innerText`` / ``textContent``, never as HTML.
"""
from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

from kg.errors import KgError
from kg.model import ROLES
from kg.resources import DATA as _KG_DATA
from kg.vocab import DOC_BASE as DOC, LEVEL_OF_CLASS, ORG_BASE as ORG, level_rank

DATA = _KG_DATA / "viz"
FONT = ('"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", '
        '"Microsoft YaHei", "PingFang SC", sans-serif')
LEVEL_ZH = {"National": "国家", "Province": "省级", "City": "市级", "District": "区县级", "Department": "部门"}
ROLE_ZH = {"lead": "牵头", "support": "配合", "responsible": "责任", "mentions": "提及"}


def _class_rank(level_class: str | None) -> int:
    """Top-down rank of a level given by its class name (National …); unknown levels last."""
    return level_rank(LEVEL_OF_CLASS.get(level_class or ""))


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
# kind -> (legend label, colour, width, dashes, arrow)
EDGE_STYLES = {
    "lead": ("牵头单位 lead", "#c0392b", 2.5, False, False),
    "support": ("配合单位 support", "#2471a3", 1.5, [8, 5], False),
    "responsible": ("责任单位 responsible", "#8e44ad", 2.0, [2, 4], False),
    "part": ("属于 part of", "#b8c0c6", 1.0, False, False),
    "holds": ("承担任务所在文件 its tasks are in", "#b8c0c6", 1.0, False, False),
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


def _task_label(t: dict, prefix: str = "") -> str:
    """Number and title in at most two lines of 18 characters (… when cut: the tooltip has it all)."""
    num = t.get("number")
    head = f"{num}．" if num else "·"
    return _wrap(prefix + head + (t.get("title") or t["task"].rsplit("/", 1)[-1]), 18, 2)


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


# --------------------------------------------------------------------------- sizes
FONT_SIZE = 14
MARGIN = 8


def text_width(line: str, size: float = FONT_SIZE) -> float:
    """The width vis draws ``line`` at in the CJK font: a full em for wide characters, about half
    for ASCII (measured in Chromium with Noto Sans CJK SC)."""
    return sum(size if unicodedata.east_asian_width(c) in "WFA" else size * 0.56 for c in line)


def node_size(shape: str, label: str, size: float = FONT_SIZE, margin: float = MARGIN) -> tuple[float, float]:
    """(width, height) of a vis node: a box is its text plus margins; an ellipse is its text
    widened by the text's height and twice as high (vis-network's Box and Ellipse shapes)."""
    lines = label.split("\n") or [""]
    tw = max(text_width(x, size) for x in lines)
    th = len(lines) * size
    if shape == "ellipse":
        h = 2 * th
        return round(max(tw + th, h), 1), round(h, 1)
    return round(tw + 2 * margin, 1), round(th + 2 * margin, 1)


# --------------------------------------------------------------------------- views
@dataclass
class View:
    """Nodes and edges (vis-network dicts, positions included) and what the page says about them.

    A node or edge marked ``demand`` starts hidden and is drawn when a node next to it is
    selected (a task's units). A node marked ``member`` belongs to a document of the corpus page
    and is drawn when that document is opened, at its offset ``dx``, ``dy`` from the document."""

    title: str
    kind: str  # unit | doc | trace | corpus
    nodes: dict[str, dict] = field(default_factory=dict)
    edges: list[dict] = field(default_factory=list)
    note: str = ""  # what the page leaves out and how to narrow it (shown on the page, printed by the CLI)
    corpus: dict = field(default_factory=dict)  # corpus page: rows of documents and their extents

    def add_node(self, iri: str, kind: str, label: str, tip: str, search: str = "", size: float = FONT_SIZE,
                 **extra) -> None:
        if iri in self.nodes:
            return
        style = NODE_STYLES[kind]
        node = {"id": iri, "kind": kind, "label": label, "title": tip, "shape": style[1],
                "search": " ".join(x for x in [label.replace("\n", ""), search] if x).lower(),
                "color": {"background": style[2], "border": style[3],
                          "highlight": {"background": style[2], "border": "#000000"}},
                "font": {"color": style[4], "face": FONT, "size": size}, "borderWidth": 1.5, "margin": MARGIN}
        if len(style) > 5 and style[5]:
            node["shapeProperties"] = {"borderDashes": [5, 4]}
        node["w"], node["h"] = node_size(style[1], label, size)
        node.update(extra)
        self.nodes[iri] = node

    def add_edge(self, src: str, dst: str, kind: str, tip: str = "", demand: bool = False) -> None:
        label, colour, width, dashes, arrow = EDGE_STYLES[kind]
        edge = {"from": src, "to": dst, "kind": kind, "color": {"color": colour, "highlight": colour, "opacity": 1.0},
                "width": width, "dashes": dashes, "title": tip or label}
        if arrow:
            edge["arrows"] = {"to": {"enabled": True, "scaleFactor": 0.6}}
        if demand:
            edge.update(demand=True, hidden=True)
        self.edges.append(edge)

    def legend(self) -> list[dict]:
        kinds = {n["kind"] for n in self.nodes.values()}
        ekinds = {e["kind"] for e in self.edges}
        out = []
        for k, s in NODE_STYLES.items():
            if k in kinds:
                out.append({"type": "node", "label": s[0], "shape": s[1], "fill": s[2], "stroke": s[3],
                            "dashed": len(s) > 5 and bool(s[5])})
        if self.kind == "unit":  # the unit's role on each task: the task's border
            for role in ROLES:
                if any(n.get("role") == role for n in self.nodes.values()):
                    s, e = NODE_STYLES["task"], EDGE_STYLES[role]
                    out.append({"type": "node", "label": f"{ROLE_ZH[role]}的任务 task it is {role} for（边框 border）",
                                "shape": "box", "fill": s[2], "stroke": e[1], "dashed": bool(e[3]), "width": 2.5})
        for k, s in EDGE_STYLES.items():
            if k in ekinds:
                out.append({"type": "edge", "label": s[0], "stroke": s[1], "width": s[2],
                            "dash": " ".join(map(str, s[3])) if s[3] else "", "arrow": s[4]})
        return out


class _Builder:
    """Shared node makers: one way to draw a document, a section, a task and a unit."""

    def __init__(self, data: Data, view: View):
        self.data, self.view, self.tips = data, view, _Tips(data)
        self.task_role: dict[str, str] = {}  # unit page: the unit's role on each task

    def doc(self, iri: str, title: str = "", level: bool = False, corpus: bool = False) -> None:
        """A document node; ``level`` puts its level (市级, 区县级 …) above the title; ``corpus``
        gives the box of the corpus page: level, the whole title (up to four lines), what it holds."""
        d = self.data.docs.get(iri)
        kind = _doc_kind(d)
        name = (d or {}).get("title") or title or doc_id(iri)
        tip = self.tips.doc(iri, d, title)
        if corpus:  # a head line (level, what it holds), then the title in up to three lines
            lv = (d or {}).get("level")
            if d is None:
                head = "上级文件（未收录）"
            else:
                what = ("年度报告" if d.get("type") == "AnnualReport" else
                        f"{d['tasks']} 项任务" if d.get("tasks") is not None else "方案")
                head = " · ".join(x for x in [LEVEL_ZH.get(lv or "", lv or ""), what] if x)
            label = head + "\n" + _wrap(name, 16, 3)
            if d is not None:
                tip += "\n点击展开 click to open · 双击收起 double-click to close"
        else:
            label = _wrap(name, 13, 3)
            if level:
                lv = (d or {}).get("level")
                label = f"【{LEVEL_ZH.get(lv, lv) if lv else '上级文件'}】\n" + label
        self.view.add_node(iri, kind, label, tip, name + " " + doc_id(iri), full=name)

    def section(self, iri: str) -> None:
        s = self.data.sections[iri]
        label = (s.get("number") or "") + (s.get("title") or "")
        self.view.add_node(iri, "section", _wrap(label or iri.rsplit("/", 1)[-1], 12, 2), self.tips.section(s),
                           label)

    def task(self, iri: str) -> None:
        t = self.data.tasks[iri]
        search = " ".join(x for x in [t.get("title") or "", t.get("description") or "",
                                      f"#{t['number']}" if t.get("number") else ""] if x)
        role = self.task_role.get(iri)
        if role:  # a unit's page: its role heads the label and draws the border
            _, colour, _, dashes, _ = EDGE_STYLES[role]
            label = _task_label(t, prefix=ROLE_ZH[role] + "｜")
            self.view.add_node(iri, "task", label, self.tips.task(t), search, role=role, borderWidth=2.5,
                               color={"background": NODE_STYLES["task"][2], "border": colour,
                                      "highlight": {"background": NODE_STYLES["task"][2], "border": "#000000"}},
                               shapeProperties={"borderDashes": dashes})
            return
        self.view.add_node(iri, "measure" if t.get("measure") else "task", _task_label(t), self.tips.task(t), search)

    def unit(self, iri: str, focus: bool = False, roles: Optional[list[dict]] = None, demand: bool = False) -> None:
        u = self.data.units.get(iri) or {"unit": iri}
        counts: dict[str, int] = {}
        for r in roles or []:
            if r["unit"] == iri:
                counts[r["role"]] = counts.get(r["role"], 0) + 1
        kind = "focus" if focus else ("group" if u.get("group") or u.get("kind") == "Group" else "unit")
        written = " ".join(sorted({r.get("as_written") or "" for r in roles or [] if r["unit"] == iri}))
        extra: dict[str, Any] = {"demand": True, "hidden": True} if demand else {}
        self.view.add_node(iri, kind, _wrap(_unit_short(u), 9, 2), self.tips.unit(u, counts),
                           " ".join(x for x in [u.get("name") or "", u.get("alt") or "", written] if x),
                           size=20 if focus else FONT_SIZE, **extra)

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
            self.doc(r, corpus=self.view.kind == "corpus")
        for n in sorted(parent_of, key=_natural):
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
GAP_X = 64.0    # px between the widest box of a column and the next column
GAP_Y = 12.0    # px between two rows of a tree
DOC_GAP = 36.0  # px more between two documents of one tree
UNIT_GAP = 8.0  # px between units stacked beside a task


def _tree(view: View, roots: list[str], children: dict[str, list[str]], col, x0: float = 0.0,
          y0: float = 0.0) -> tuple[float, float]:
    """An outline, left to right: one column per ``col(node)``, each as wide as its widest box (a
    column of tasks gets boxes of one width); a node level with its first child and its subtree
    below it, so the root is top left. Returns the right and bottom edges."""
    order: list[str] = []

    def gather(n: str) -> None:
        order.append(n)
        for k in children.get(n, []):
            gather(k)

    for r in roots:
        gather(r)
    widths: dict[int, float] = {}
    for n in order:
        widths[col(n)] = max(widths.get(col(n), 0.0), view.nodes[n]["w"])
    for n in order:  # tasks (the last column) in boxes of one width: a list, not a ragged edge
        node = view.nodes[n]
        if node["kind"] in ("task", "measure") and node["w"] < widths[col(n)]:
            node["w"] = widths[col(n)]
            node["widthConstraint"] = {"minimum": round(widths[col(n)], 1)}
    xs: dict[int, float] = {}
    prev: Optional[int] = None
    for c in sorted(widths):
        xs[c] = x0 + widths[c] / 2 if prev is None else xs[prev] + widths[prev] / 2 + GAP_X + widths[c] / 2
        prev = c
    top = y0

    def below(n: str) -> list[str]:
        out = []
        for k in children.get(n, []):
            out += [k] + below(k)
        return out

    def visit(n: str) -> None:
        nonlocal top
        node, start = view.nodes[n], top
        kids = children.get(n, [])
        for k in kids:
            visit(k)
        cy = start + node["h"] / 2
        if kids:
            first = view.nodes[kids[0]]["y"]
            if first < cy:  # a parent taller than its first child: its subtree moves down to be level
                for m in below(n):
                    view.nodes[m]["y"] = round(view.nodes[m]["y"] + cy - first, 1)
                top += cy - first
            cy = max(cy, first)
        node["x"], node["y"] = round(xs[col(n)], 1), round(cy, 1)
        top = max(top, start + node["h"] + GAP_Y)

    for i, r in enumerate(roots):
        if i:
            top += DOC_GAP
        visit(r)
    right = max((xs[c] + widths[c] / 2 for c in widths), default=x0)
    return right, top


def _unit_homes(view: View, roles: list[dict], right: float) -> None:
    """Where a unit drawn on demand stands when it is shown by itself (found by search): right of
    the tasks, level with the middle of its tasks. Beside a selected task the page stacks them."""
    ys: dict[str, list[float]] = {}
    for r in roles:
        u, t = view.nodes.get(r["unit"]), view.nodes.get(r["task"])
        if u is not None and t is not None and u.get("demand"):
            ys.setdefault(r["unit"], []).append(t["y"])
    for u, v in ys.items():
        node = view.nodes[u]
        node["x"], node["y"] = round(right + GAP_X + node["w"] / 2, 1), round(sum(v) / len(v), 1)


def _tree_col(data: Data, view: View, first: int = 0):
    """Columns of a document tree: the document, its sections by depth, then its tasks."""
    depth = max([_depth(data, s) for s in view.nodes if s in data.sections] + [0])

    def col(n: str) -> int:
        if n in data.tasks:
            return first + depth + 1
        if n in data.sections:
            return first + _depth(data, n)
        return first

    return col


# --------------------------------------------------------------------------- the four views
def resolve_unit(g, name: str) -> str:
    """The organisation IRI a name (or IRI) denotes; KgError when it denotes several."""
    s = str(name).strip()
    if s.startswith(("http://", "https://", "dgr:", "<")):
        from kg.query.queries import expand_iri

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
    in_doc = _tree_col(data, view, first=1)
    right, _ = _tree(view, [org], children, lambda n: 0 if n == org else in_doc(n))
    for r in roles:
        if r["unit"] != org:
            b.unit(r["unit"], roles=roles, demand=True)
        view.add_edge(r["unit"], r["task"], r["role"], f"{ROLE_ZH[r['role']]}：{r.get('as_written') or ''}",
                      demand=True)
    _unit_homes(view, roles, right)
    view.nodes[org]["search"] += " " + " ".join(ROLE_ZH[k] for k in ROLES)
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
    """A plan's section tree with its tasks (an annual report's with its measures), as an outline
    from the document. A task's units (lead, support, responsible; the units a measure names)
    are drawn when the task is selected, and listed in its tooltip."""
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
    right, _ = _tree(view, roots, children, _tree_col(data, view))
    roles = [r for t in sorted(tasks) for r in data.roles_of(t)]
    for r in roles:
        b.unit(r["unit"], roles=roles, demand=True)
        view.add_edge(r["unit"], r["task"], r["role"], f"{ROLE_ZH[r['role']]}：{r.get('as_written') or ''}",
                      demand=True)
    _unit_homes(view, roles, right)
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
    view = View(title=f"追溯 {_clip(first.get('title') or start, 30)}", kind="trace")
    b = _Builder(data, view)
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
    _trace_layout(view, data, chain_tasks, col_of)
    return view


def _trace_layout(view: View, data: Data, chain_tasks: list[str], col_of: dict[str, int]) -> None:
    """Columns left to right (directives, then each step down the chain). In a column: its
    documents, then each task with its units stacked beside it on the right (as a selected task's
    units on the other pages); the directives a document names stacked upwards, left of it."""
    cols: dict[int, list[str]] = {}
    for n in view.nodes:
        if n in col_of:
            cols.setdefault(col_of[n], []).append(n)
    units_of: dict[str, list[str]] = {t: [] for t in chain_tasks}
    placed: set[str] = set()
    for t in chain_tasks:  # a unit of two tasks of the chain stands beside the first
        for e in view.edges:
            if e["kind"] in ROLES and e["to"] == t and e["from"] not in placed:
                units_of[t].append(e["from"])
                placed.add(e["from"])
    left: dict[int, float] = {}
    right: dict[int, float] = {}
    for c, members in cols.items():
        left[c] = max(view.nodes[n]["w"] / 2 for n in members)
        right[c] = max([view.nodes[n]["w"] / 2 for n in members] +
                       [view.nodes[t]["w"] / 2 + GAP_X + view.nodes[u]["w"]
                        for t in members if t in units_of for u in units_of[t]])
    xs: dict[int, float] = {}
    prev: Optional[int] = None
    for c in sorted(cols):
        xs[c] = left[c] if prev is None else xs[prev] + right[prev] + GAP_X * 1.5 + left[c]
        prev = c
    for c, members in cols.items():
        x = xs[c]
        docs = sorted((n for n in members if view.nodes[n]["kind"] in ("plan", "report")), key=_natural)
        y = 0.0
        for d in docs:
            node = view.nodes[d]
            node["x"], node["y"] = round(x, 1), round(y + node["h"] / 2, 1)
            y += node["h"] + GAP_Y * 5
        bottom = -GAP_Y * 3
        for d in sorted(n for n in members if view.nodes[n]["kind"] == "directive"):
            node = view.nodes[d]
            node["x"], node["y"] = round(x, 1), round(bottom - node["h"] / 2 + 0.0, 1)
            bottom -= node["h"] + GAP_Y * 2
        for t in sorted((n for n in members if n in units_of), key=chain_tasks.index):
            node, units = view.nodes[t], units_of[t]
            # the units hang from the task's right, below the line a carries-out edge runs along
            stack = sum(view.nodes[u]["h"] for u in units) + UNIT_GAP * max(len(units) - 1, 0)
            block = node["h"] / 2 + max(node["h"] / 2, stack + UNIT_GAP)
            node["x"], node["y"] = round(x, 1), round(y + node["h"] / 2, 1)
            width = max([view.nodes[u]["w"] for u in units] + [0.0])
            uy = node["y"] + UNIT_GAP
            for u in units:
                un = view.nodes[u]
                un["x"], un["y"] = round(x + node["w"] / 2 + GAP_X + width / 2, 1), round(uy + un["h"] / 2, 1)
                uy += un["h"] + UNIT_GAP
            y += block + GAP_Y * 4


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
    b = _Builder(data, view)
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
    _corpus_layout(view, data, children)
    return view


def _parent_titles(data: Data) -> dict[str, str]:
    """The title a parent directive is given by the documents naming it (first in order)."""
    out: dict[str, str] = {}
    for l in sorted(data.links, key=lambda l: (l["target"], l["source"], l.get("title") or "")):
        if l["kind"] == "parent" and l.get("title"):
            out.setdefault(l["target"], l["title"])
    return out


def _links(view: View, b: _Builder, data: Data) -> None:
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


CORPUS_GAP = (40.0, 60.0)  # px between two documents of a row, between two rows
SCREEN = (1024.0, 700.0)  # the drawing area of a 1400 x 900 window beside the panel, less margins


def _corpus_layout(view: View, data: Data, children: dict[str, list[str]]) -> None:
    """Each document's outline laid out once, as offsets from its box (``dx``, ``dy``), with the
    extents of the box closed and open; the boxes packed in rows by level (page.js packs them the
    same way again when a document opens or closes)."""
    docs = sorted(n for n, v in view.nodes.items() if v["kind"] in ("plan", "report", "directive"))
    units_of: dict[str, float] = {}
    for e in view.edges:
        if e.get("demand") and e["to"] in data.tasks:
            d = data.tasks[e["to"]]["doc"]
            units_of[d] = max(units_of.get(d, 0.0), view.nodes[e["from"]]["w"])
    extents: dict[str, dict] = {}
    for d in docs:
        node = view.nodes[d]
        closed = [-node["w"] / 2, -node["h"] / 2, node["w"] / 2, node["h"] / 2]
        members: list[str] = []

        def gather(n: str) -> None:
            for k in children.get(n, []):
                members.append(k)
                gather(k)

        gather(d)
        opened = list(closed)
        if members:
            sub = View(title="", kind="corpus")
            sub.nodes = {n: view.nodes[n] for n in [d] + members}
            depth = max([_depth(data, s) for s in members if s in data.sections] + [0])

            def col(n: str, depth: int = depth) -> int:
                return depth + 1 if n in data.tasks else (_depth(data, n) if n in data.sections else 0)

            right, bottom = _tree(sub, [d], children, col)
            ox, oy = node.pop("x"), node.pop("y")
            for m in members:
                mn = view.nodes[m]
                mn["dx"], mn["dy"] = round(mn.pop("x") - ox, 1), round(mn.pop("y") - oy, 1)
                mn.update(member=d, hidden=True)
                opened = [min(opened[0], mn["dx"] - mn["w"] / 2), min(opened[1], mn["dy"] - mn["h"] / 2),
                          max(opened[2], mn["dx"] + mn["w"] / 2), max(opened[3], mn["dy"] + mn["h"] / 2)]
            if units_of.get(d):  # room for the units a selected task shows beside it
                opened[2] += GAP_X + units_of[d]
        extents[d] = {"closed": [round(v, 1) for v in closed], "open": [round(v, 1) for v in opened]}
    for e in view.edges:  # edges inside a document: drawn when it is open
        if not e.get("demand") and (view.nodes[e["from"]].get("member") or view.nodes[e["to"]].get("member")):
            e["hidden"] = True

    def row_of(d: str) -> tuple:
        info = data.docs.get(d)
        if info is None:
            return (0, 0)
        return (1 + _class_rank(info.get("level")), 1 if info.get("type") == "AnnualReport" else 0)

    rows: list[list[str]] = []
    last = None
    for d in sorted(docs, key=lambda d: (row_of(d)[0], row_of(d)[1], _natural(d))):
        if row_of(d)[0] != last:
            rows.append([])
            last = row_of(d)[0]
        rows[-1].append(d)
    gap_doc, gap_row = CORPUS_GAP
    widest = max([e["closed"][2] - e["closed"][0] for e in extents.values()] + [0.0])
    longest = max([sum(extents[d]["closed"][2] - extents[d]["closed"][0] + gap_doc for d in r) for r in rows] + [0.0])
    view.corpus = {"rows": rows, "width": widest, "gap": [gap_doc, gap_row], "docs": extents}
    best = (0.0, widest)
    width = widest
    while True:  # the row width at which the closed boxes fill a screen best (the largest fitting zoom)
        view.corpus["width"] = width
        pos = pack(view.corpus, set())
        w = max(x + extents[d]["closed"][2] for d, (x, _) in pos.items()) if pos else 1.0
        h = max(y + extents[d]["closed"][3] for d, (_, y) in pos.items()) if pos else 1.0
        scale = min(1.0, SCREEN[0] / max(w, 1.0), SCREEN[1] / max(h, 1.0))
        if scale > best[0] + 1e-9:
            best = (scale, width)
        if width >= longest:
            break
        width += 100.0
    view.corpus["width"] = round(best[1], 1)
    for d, (x, y) in pack(view.corpus, set()).items():
        view.nodes[d]["x"], view.nodes[d]["y"] = x, y
    for n, node in view.nodes.items():
        if node.get("member"):
            home = view.nodes[node["member"]]
            node["x"], node["y"] = round(home["x"] + node["dx"], 1), round(home["y"] + node["dy"], 1)
    for n, node in view.nodes.items():  # units drawn on demand: beside the tasks they serve
        node.setdefault("x", 0.0)
        node.setdefault("y", 0.0)
    homes: dict[str, dict[str, int]] = {}
    for e in view.edges:
        if e.get("demand") and e["to"] in data.tasks:
            c = homes.setdefault(e["from"], {})
            c[data.tasks[e["to"]]["doc"]] = c.get(data.tasks[e["to"]]["doc"], 0) + 1
    for u, c in homes.items():  # the document where the unit holds most tasks: opened to show it
        view.nodes[u]["home"] = min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def pack(layout: dict, opened: set[str]) -> dict[str, tuple[float, float]]:
    """Centres of the document boxes: rows by level, each row left to right, wrapped at the
    layout's width; an open document takes its outline's room (page.js's pack is the same)."""
    gap_doc, gap_row = layout["gap"]
    out: dict[str, tuple[float, float]] = {}
    y = 0.0
    for row in layout["rows"]:
        x = row_h = 0.0
        for d in row:
            e = layout["docs"][d]["open" if d in opened else "closed"]
            w, h = e[2] - e[0], e[3] - e[1]
            if x > 0 and x + w > layout["width"]:
                y += row_h + gap_row
                x = row_h = 0.0
            out[d] = (round(x - e[0], 1), round(y - e[1], 1))
            x += w + gap_doc
            row_h = max(row_h, h)
        y += row_h + gap_row
    return out


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
        "edges": {"smooth": {"enabled": True, "type": "cubicBezier", "forceDirection": "horizontal",
                             "roundness": 0.45}, "selectionWidth": 1.5},
    }
    if view.kind == "corpus":
        opts["interaction"].update(hideEdgesOnDrag=True)
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


READABLE = 0.75  # the smallest opening zoom: 14 px labels drawn at 10.5 px


def render(view: View) -> str:
    """The page: one HTML string with everything inlined."""
    import jinja2

    net = network(view)
    js, css = _vis_assets()
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(DATA)), autoescape=True,
                             keep_trailing_newline=True)
    payload = {"nodes": net.nodes, "edges": net.edges, "options": net.options, "kind": view.kind,
               "readable": READABLE, "gap": GAP_X, "unitGap": UNIT_GAP, "corpus": view.corpus or None,
               "toggles": sorted({e["kind"] for e in net.edges if e.get("hidden") and not e.get("demand")
                                  and e["kind"] == "carries_out"})}
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


def _markup(s: str):
    from markupsafe import Markup

    return Markup(s)


def write(view: View, out: str | Path) -> Path:
    """Render ``view`` and write it to ``out`` atomically (a temp file in the same folder, renamed)."""
    from kg.export.formats import write_atomic

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
    from kg.query.api import Graph

    out_dir = Path(out_dir)
    g = Graph.open(graph or out_dir)
    pages = [write(corpus_view(g), out_dir / "graph.html")]
    busiest = g.workload(top=1)
    if busiest:
        org = busiest[0]["org"]
        pages.append(write(unit_view(g, org), out_dir / f"unit-{slug(busiest[0].get('unit') or org)}.html"))
    return pages

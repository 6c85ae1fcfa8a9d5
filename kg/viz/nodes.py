"""A view's nodes and edges: the ``View`` record (vis-network dicts, positions included, and
its legend), and ``Builder``, the one way to draw a document, a section, a task and a unit, with
their labels and tooltips.

Tooltips are plain text: the page shows them with ``innerText``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from kg.model import ROLES
from kg.viz.data import Data, section_depth, doc_id, natural
from kg.viz.styles import (EDGE_STYLES, FONT, FONT_SIZE, LEVEL_ZH, MARGIN, NODE_STYLES, ROLE_ZH, node_size,
                           wrap)


def _doc_kind(d: Optional[dict]) -> str:
    if d is None:
        return "directive"
    return "report" if d.get("type") == "AnnualReport" else "plan"


def _unit_short(u: dict) -> str:
    """The unit's label on the page: its shortest other name of 3+ characters, else its full name."""
    alts = [a for a in u.get("alt_items") or [] if len(a) >= 3]
    name = u.get("name") or u["unit"].rsplit("/", 1)[-1]
    return min(alts, key=lambda a: (len(a), a)) if alts and len(min(alts, key=len)) < len(name) else name


def _task_label(t: dict, prefix: str = "") -> str:
    """Number and title in at most two lines of 18 characters (… when cut: the tooltip has it all)."""
    num = t.get("number")
    head = f"{num}．" if num else "·"
    return wrap(prefix + head + (t.get("title") or t["task"].rsplit("/", 1)[-1]), 18, 2)


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
        alts = [a for a in u.get("alt_items") or [] if a and a != u.get("name")]
        if alts:
            lines.append("又称：" + "、".join(sorted(alts)))
        kind = " ".join(x for x in [LEVEL_ZH.get(u.get("level") or "", ""), u.get("kind") or ""] if x)
        if kind:
            lines.append("类别：" + kind)
        if counts:
            lines.append("本图任务：" + "，".join(f"{ROLE_ZH[k]} {counts[k]}" for k in ROLE_ZH if counts.get(k)))
        lines.append(u["unit"])
        return "\n".join(lines)


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


class Builder:
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
            label = head + "\n" + wrap(name, 16, 3)
            if d is not None:
                tip += "\n点击展开 click to open · 双击收起 double-click to close"
        else:
            label = wrap(name, 13, 3)
            if level:
                lv = (d or {}).get("level")
                label = f"【{LEVEL_ZH.get(lv, lv) if lv else '上级文件'}】\n" + label
        self.view.add_node(iri, kind, label, tip, name + " " + doc_id(iri), full=name)

    def section(self, iri: str) -> None:
        s = self.data.sections[iri]
        label = (s.get("number") or "") + (s.get("title") or "")
        self.view.add_node(iri, "section", wrap(label or iri.rsplit("/", 1)[-1], 12, 2), self.tips.section(s),
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
        self.view.add_node(iri, kind, wrap(_unit_short(u), 9, 2), self.tips.unit(u, counts),
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
        for s in sorted(keep_sections, key=lambda s: (-section_depth(data, s), s)):
            rank.setdefault(s, (10**9, natural(s)))
            p = parent_of[s]
            if p in keep_sections:
                rank[p] = min(rank.get(p, (10**9, natural(p))), rank[s])
        children: dict[str, list[str]] = {}
        for n, p in parent_of.items():
            children.setdefault(p, []).append(n)
        for p in children:
            children[p].sort(key=lambda n: rank[n])
        roots = sorted({data.tasks[t]["doc"] for t in task_list} | {data.sections[s]["doc"] for s in keep_sections})
        for r in roots:
            self.doc(r, corpus=self.view.kind == "corpus")
        for n in sorted(parent_of, key=natural):
            self.section(n) if n in data.sections else self.task(n)
            self.view.add_edge(parent_of[n], n, "part")
        return roots, children


def _task_order(t: dict) -> tuple:
    o = t.get("order")
    return (int(o) if o is not None else 10**8, natural(t["task"]))

"""Where the boxes of a view stand (physics off, so a page is the same bytes for the same graph):
outlines left to right (``tree``), a trace's columns, and the corpus page's rows of documents by
level (``pack``, done again the same way by page.js when a document opens or closes).
"""
from __future__ import annotations

from typing import Optional

from kg.model import ROLES
from kg.viz.data import Data, section_depth, natural
from kg.viz.nodes import View
from kg.vocab import LEVEL_OF_CLASS, level_rank


def class_rank(level_class: str | None) -> int:
    """Top-down rank of a level given by its class name (National …); unknown levels last."""
    return level_rank(LEVEL_OF_CLASS.get(level_class or ""))


GAP_X = 64.0    # px between the widest box of a column and the next column
GAP_Y = 12.0    # px between two rows of a tree
DOC_GAP = 36.0  # px more between two documents of one tree
UNIT_GAP = 8.0  # px between units stacked beside a task


def tree(view: View, roots: list[str], children: dict[str, list[str]], col, x0: float = 0.0,
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


def unit_homes(view: View, roles: list[dict], right: float) -> None:
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


def tree_col(data: Data, view: View, first: int = 0):
    """Columns of a document tree: the document, its sections by depth, then its tasks."""
    depth = max([section_depth(data, s) for s in view.nodes if s in data.sections] + [0])

    def col(n: str) -> int:
        if n in data.tasks:
            return first + depth + 1
        if n in data.sections:
            return first + section_depth(data, n)
        return first

    return col


def trace_layout(view: View, data: Data, chain_tasks: list[str], col_of: dict[str, int]) -> None:
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
        docs = sorted((n for n in members if view.nodes[n]["kind"] in ("plan", "report")), key=natural)
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


CORPUS_GAP = (40.0, 60.0)  # px between two documents of a row, between two rows
SCREEN = (1024.0, 700.0)  # the drawing area of a 1400 x 900 window beside the panel, less margins


def corpus_layout(view: View, data: Data, children: dict[str, list[str]]) -> None:
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
            depth = max([section_depth(data, s) for s in members if s in data.sections] + [0])

            def col(n: str, depth: int = depth) -> int:
                return depth + 1 if n in data.tasks else (section_depth(data, n) if n in data.sections else 0)

            right, bottom = tree(sub, [d], children, col)
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
        return (1 + class_rank(info.get("level")), 1 if info.get("type") == "AnnualReport" else 0)

    rows: list[list[str]] = []
    last = None
    for d in sorted(docs, key=lambda d: (row_of(d)[0], row_of(d)[1], natural(d))):
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

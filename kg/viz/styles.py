"""How a view looks: the page's font, its Chinese level and role names, the style of each kind
of node and edge (also the legend's entries), label cutting, and the size a label takes on the page.

Sizes of boxes are computed here (``node_size``) so that layouts keep boxes apart; tests check in
Chromium that no two drawn boxes overlap. Every label that is cut (…) is whole in the node's tooltip.
"""
from __future__ import annotations

import math
import unicodedata

FONT = ('"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", '
        '"Microsoft YaHei", "PingFang SC", sans-serif')
LEVEL_ZH = {"National": "国家", "Province": "省级", "City": "市级", "District": "区县级", "Department": "部门"}
ROLE_ZH = {"lead": "牵头", "support": "配合", "responsible": "责任", "mentions": "提及"}

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


def clip(text: str, n: int) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def wrap(text: str, width: int, lines: int) -> str:
    """Cut ``text`` into at most ``lines`` balanced lines of ``width`` characters or fewer (… if cut)."""
    text = clip(text, width * lines)
    n = max(1, math.ceil(len(text) / width))
    step = math.ceil(len(text) / n)
    return "\n".join(text[i:i + step] for i in range(0, len(text), step))


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

"""Tables (of .docx and .html) to lines: a task table's body rows become plan lines the parser
already knows, other tables one row per line.

A table reaches ``table_lines`` as rows of grid slots ``(cell_id, paragraphs)``: a cell that
spans several grid columns fills them all with the same id; a vertically merged cell is
repeated in the rows below with the same id.

When the header row names a task column and at least one unit column (a *task table*: 序号 |
任务 | 牵头单位 | 配合单位 ...), every body row becomes::

    {序号}．{任务}（完成时限：{时限}）（牵头单位：{…}；配合单位：{…}）

The unit labels are the headers as written when they are one of 牵头单位 牵头部门 配合单位
配合部门 参加单位 协办单位 责任单位 责任部门, else the role's usual label (牵头 -> 牵头单位,
协同单位 -> 配合单位, 责任主体 -> 责任单位); a unit cell that names its own roles
(牵头单位：X；配合单位：Y) is put in the bracket as it is; cell paragraphs in a unit column are
joined with 、; empty cells are left out; a vertically merged unit cell counts for every row
it spans.  A bare number gets ``．`` (``3`` -> ``3．``; ``三`` -> ``三、``), a punctuated one
(``（三）``) is kept, and is not repeated when the task text starts with it.  The 时限 bracket
appears only with a deadline column whose text the task does not already contain.  A row
with one non-empty cell (a heading inside the table) is written as it stands; the header
row(s) (two-row headers too) are not written, title rows above them are.  Other tables: one
row per line, cells joined by a tab; a frame table (a cell with more than three paragraphs)
gives each paragraph its own line.
"""
from __future__ import annotations

import re

_NUM_HEAD = re.compile(r"^(序号|编号|序|No\.?|#)$", re.I)
_LEAD_HEAD = re.compile(r"牵头")
_SUPPORT_HEAD = re.compile(r"配合|参加|协办|参与|协同|协助")
_RESP_HEAD = re.compile(r"责任|负责")
_DEADLINE_HEAD = re.compile(r"时限|时间|期限|进度")
_TASK_HEAD = re.compile(r"任务|内容|措施|事项|举措|工作|要求|目标|项目")
_CJK_EDGE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def _join_paragraphs(parts: list[str], sep_units: bool = False) -> str:
    """Join a cell's paragraphs into one line (units are listed with 、)."""
    parts = [" ".join(x.split()) for x in parts]
    parts = [x for x in parts if x]
    if not parts:
        return ""
    if sep_units:
        return "、".join(x.rstrip("、，,；;") for x in parts)
    out = parts[0]
    for x in parts[1:]:
        glue = "" if _CJK_EDGE.match(out[-1]) or _CJK_EDGE.match(x[0]) else " "
        out += glue + x
    return out


# Role labels the plan parser reads; a header written otherwise gets its role's usual label.
_LABELS = {"牵头单位", "牵头部门", "配合单位", "配合部门", "参加单位", "协办单位", "责任单位", "责任部门"}


def _label(head: str, default: str) -> str:
    head = re.sub(r"[（(][^）)]*[）)]$", "", head)  # 牵头单位（部门） -> 牵头单位
    return head if head in _LABELS else default


def _task_columns(heads: list[str]) -> dict | None:
    """Map header texts (one per grid column, '' for a repeated span) to task-table columns."""
    cols: dict = {"num": None, "task": None, "deadline": None, "units": []}
    for i, h in enumerate(heads):
        if not h:
            continue
        short = len(h) <= 10
        if "领导" in h:
            continue  # 责任领导 / 牵头领导 name persons, not units
        if cols["num"] is None and _NUM_HEAD.match(h):
            cols["num"] = i
        elif short and _LEAD_HEAD.search(h):
            cols["units"].append((i, _label(h, "牵头单位")))
        elif short and _SUPPORT_HEAD.search(h):
            cols["units"].append((i, _label(h, "配合单位")))
        elif short and _RESP_HEAD.search(h):
            cols["units"].append((i, _label(h, "责任单位")))
        elif cols["deadline"] is None and short and _DEADLINE_HEAD.search(h):
            cols["deadline"] = i
        elif cols["task"] is None and _TASK_HEAD.search(h):
            cols["task"] = i
    if cols["task"] is None or not cols["units"]:
        return None
    return cols


def _number(raw: str) -> str:
    raw = "".join(raw.split())
    if re.fullmatch(r"[0-9０-９]+", raw):
        return raw + "．"
    if re.fullmatch(r"[一二三四五六七八九十百零〇]+", raw):
        return raw + "、"
    return raw


def _distinct(row: list) -> list[list[str]]:
    out, last = [], object()
    for cid, paras in row:
        if cid != last:
            out.append(paras)
            last = cid
    return out


_ROLE_TEXT = re.compile(r"^(牵头|配合|责任|参加|协办|参与|主办)[^：:]{0,4}[：:]")


def _heads(row) -> list[str]:
    """Header text per grid column; '' where a cell spans on from the previous column."""
    heads, last = [], object()
    for cid, paras in row:
        heads.append("" if cid == last else "".join(_join_paragraphs(paras).split()))
        last = cid
    return heads


def _find_header(rows) -> tuple[dict | None, int, int]:
    """(task columns, first and last header row), looking at the first rows only.

    A two-row header (责任单位 spanning 牵头单位 | 配合单位) is read as one."""
    for k, r in enumerate(rows[:3]):  # the header may follow a title row
        heads = _heads(r)
        cols = _task_columns(heads)
        if not cols:
            continue
        if k + 1 < len(rows):
            sub = rows[k + 1]
            own = [(c, "".join(_join_paragraphs(sub[c][1]).split())) for c in range(len(sub))
                   if c < len(r) and sub[c][0] != r[c][0]]
            texts = [t for _, t in own if t]
            if texts and all(len(t) <= 10 and (_LEAD_HEAD.search(t) or _SUPPORT_HEAD.search(t)
                                               or _RESP_HEAD.search(t) or _DEADLINE_HEAD.search(t))
                             for t in texts):
                merged = list(heads)
                for c, t in own:
                    merged[c] = t
                return _task_columns(merged) or cols, k, k + 1
        return cols, k, k
    return None, 0, 0


def _is_layout(rows) -> bool:
    """A table used as a frame: some cell holds several paragraphs of running text."""
    return any(len([p for p in paras if p.strip()]) > 3 for r in rows for _, paras in r)


def table_lines(rows: list[list[tuple[object, list[str]]]]) -> list[str]:
    """Lay out a table as lines: task rows as plan lines, other rows as tab-joined cells.

    A frame table (a cell holding running text) gives every cell's paragraphs as lines."""
    rows = [r for r in rows if any(p.strip() for _, c in r for p in c)]
    cols, first, start = _find_header(rows)
    generic = ["\t".join(_join_paragraphs(c) for c in _distinct(r)) for r in rows]
    if cols is None:
        if not _is_layout(rows):
            return generic
        return [" ".join(p.split()) for r in rows for c in _distinct(r) for p in c if p.strip()]
    header = generic[start]

    def cell(r, i, units=False):
        return _join_paragraphs(r[i][1], sep_units=units) if i is not None and i < len(r) else ""

    entries: list[list] = []  # [key, text, deadline, {label: [units]}] or [None, line]
    for k in range(start + 1, len(rows)):
        r = rows[k]
        if generic[k] == header:
            continue  # header repeated
        distinct = [c for c in _distinct(r) if _join_paragraphs(c)]
        task = cell(r, cols["task"])
        units: dict[str, list[str]] = {}
        for i, label in cols["units"]:
            u = cell(r, i, units=True)
            if u:
                units.setdefault("" if _ROLE_TEXT.match(u) else label, []).append(u)
        if len(distinct) == 1 and not units:
            entries.append([None, _join_paragraphs(distinct[0])])  # a heading row
            continue
        key = (r[cols["num"]][0] if cols["num"] is not None and cols["num"] < len(r) else None,
               r[cols["task"]][0] if cols["task"] < len(r) else None)
        prev = entries[-1] if entries and entries[-1][0] is not None else None
        if prev is not None and (key == prev[0] or not task):
            for label, us in units.items():  # a continuation row of a merged task cell
                known = prev[3].setdefault(label, [])
                known.extend(u for u in us if u not in known)
            continue
        number = _number(cell(r, cols["num"]))
        text = task if number and task.startswith(number.rstrip("．、.")) else number + task
        entries.append([key, text, cell(r, cols["deadline"]), units])
    lines = generic[:first]  # title rows above the header
    for e in entries:
        if e[0] is None:
            lines.append(e[1])
            continue
        _, line, deadline, units = e
        if deadline and "".join(deadline.split()) not in "".join(line.split()):
            line += f"（完成时限：{deadline}）"
        notes = [f"{label}：{'、'.join(us)}" if label else "；".join(us) for label, us in units.items() if us]
        if notes:
            line += "（" + "；".join(notes) + "）"
        lines.append(line)
    return lines

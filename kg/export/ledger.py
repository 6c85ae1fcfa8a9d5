"""The 督办台账 (task ledger): one row per task of a plan, as an office tracks it.

    ledger(store, on=None, doc=None) -> list[LedgerSheet]      (kg.query.store.Store)
    status(due, on, evidence) -> (colour, note)
    short_title(title, region) -> a sheet name
    to_xlsx(store, on=None, lang=None) -> bytes                (kg export --format xlsx, kg ledger)

Per plan: 序号 (the printed task number, a number), 任务 (its title), 牵头单位, 配合单位, 责任单位 (the
units as the plan writes them, joined with 、; 责任单位 only for plans that name any), 完成时限 (the
deadline phrases as written), and for the date ``on`` (default today) 状态, a traffic light as
督查督办 systems use it:

* 红 (red): the deadline has passed and no report gives evidence;
* 黄 (yellow): due within ``DUE_SOON`` days with no evidence yet, or overdue with evidence;
* 绿 (green): evidence given, or not yet due (a task without a deadline is never due).

Evidence (落实证据, 证据来源) is what kg/evidence.py counts (dg:evidenceFor): achievements reported by
the plan's own region or one of the task's units, or naming them; a report counts on ``on`` only
when its year has ended (a 2024 report tells nothing on 2024-06-30). Headers and values are
Chinese by default; ``lang='en'`` gives English ones.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from kg.export.stamp import restamp_zip
from kg.i18n import language
from kg.link.evidence import region_names
from kg.parse.dates import user_date
from kg.query.queries import find
from kg.query.table import COLUMNS as UNIT_COLUMNS, responsibility_rows, unit_table

DUE_SOON = 30  # days
COLUMNS = ("number", "task", "lead", "support", "responsible", "deadline", "status", "note", "evidence",
           "sources")
HEADERS = {
    "zh": {"number": "序号", "task": "任务", "lead": "牵头单位", "support": "配合单位", "responsible": "责任单位",
           "deadline": "完成时限", "status": "状态", "note": "说明", "evidence": "落实证据",
           "sources": "证据来源"},
    "en": {"number": "No.", "task": "Task", "lead": "Lead units", "support": "Supporting units",
           "responsible": "Responsible units", "deadline": "Deadline", "status": "Status", "note": "Note",
           "evidence": "Evidence", "sources": "Reports"},
}
STATUS = {"zh": {"red": "红", "yellow": "黄", "green": "绿"}, "en": {"red": "red", "yellow": "yellow", "green": "green"}}
NOTES = {
    "zh": {"overdue": "已逾期，未见落实证据", "overdue+": "已逾期，已有落实证据", "soon": "{d}日内到期，未见落实证据",
           "soon+": "{d}日内到期，已有落实证据", "later": "未到期", "later+": "未到期，已有落实证据",
           "none": "无明确时限", "none+": "无明确时限，已有落实证据"},
    "en": {"overdue": "overdue, no evidence", "overdue+": "overdue, evidence reported",
           "soon": "due within {d} days, no evidence", "soon+": "due within {d} days, evidence reported",
           "later": "not yet due", "later+": "not yet due, evidence reported", "none": "no deadline",
           "none+": "no deadline, evidence reported"},
}
# fills of the status cell (light enough to print the word on), and the word's colour
FILLS = {"red": "FFF4A6A6", "yellow": "FFFFE699", "green": "FFB7DEA8"}
LEVELS_ZH = {"national": "国家", "province": "省级", "city": "市级", "district": "县区级", "department": "部门"}


@dataclass
class LedgerSheet:
    """One plan's ledger: its title, region, level and file, and one dict per task (``COLUMNS``)."""

    document: str
    title: str
    region: str
    level: str
    file: str
    rows: list[dict] = field(default_factory=list)
    responsible: bool = False  # the plan names responsible units (a 责任单位 column)

    @property
    def columns(self) -> list[str]:
        return [c for c in COLUMNS if c != "responsible" or self.responsible]


def status(due: Optional[str], on: _dt.date, evidence: int) -> tuple[str, str]:
    """(red | yellow | green, note key) for a task due ``due`` (ISO date or None) on ``on``."""
    plus = "+" if evidence else ""
    if not due:
        return "green", "none" + plus
    d = _dt.date.fromisoformat(str(due)[:10])
    if d < on:
        return ("yellow" if evidence else "red"), "overdue" + plus
    if (d - on).days <= DUE_SOON:
        return ("green" if evidence else "yellow"), "soon" + plus
    return "green", "later" + plus


def _query(name: str) -> str:
    return find(name).text


def ledger(store, on=None, doc: Optional[str] = None) -> list[LedgerSheet]:
    """The ledger of every plan in ``store`` (or of the plan IRI ``doc``), judged on ``on``."""
    on = user_date(on) if on is not None else _dt.date.today()
    bindings = None
    if doc:
        import pyoxigraph as ox

        bindings = {"doc": ox.NamedNode(doc)}
    docs = {r["doc"]: r for r in store.query(_query("documents")) if r.get("type") == "Plan"}
    evidence: dict[str, dict[str, set]] = {}
    for r in store.query(_query("ledger-evidence"), bindings):
        year = r.get("year")
        if year is not None and str(year).isdigit() and int(str(year)) >= on.year:
            continue  # the report's year has not ended on that date
        e = evidence.setdefault(r["task"], {"measures": set(), "reports": {}})
        e["measures"].add(r["measure"])
        e["reports"][r["report"]] = r.get("report_title") or r.get("reporting_body") or r["report"]
    sheets: dict[str, LedgerSheet] = {}
    tasks: dict[str, dict] = {}
    for r in responsibility_rows(store, doc=doc, extra=True):
        d = docs.get(r["doc"])
        if d is None:
            continue
        sheet = sheets.get(r["doc"])
        if sheet is None:
            sheet = sheets[r["doc"]] = LedgerSheet(d["document"], str(d.get("title") or ""), r["region"],
                                                  r["level"], r["document"])
        row = tasks.get(r["task"])
        if row is None:
            ev = evidence.get(r["task"], {"measures": set(), "reports": {}})
            n = len(ev["measures"])
            colour, note = status(r.get("due"), on, n)
            num = r["task_number"]
            row = tasks[r["task"]] = {
                "number": int(num) if num.isdigit() else None, "task": r["task_title"], "lead": [],
                "support": [], "responsible": [], "deadline": r["deadline"].replace(";", "；"),
                "status": colour, "note": note, "evidence": n,
                "sources": [ev["reports"][k] for k in sorted(ev["reports"])], "due": r.get("due"),
                "iri": r["task"]}
            sheet.rows.append(row)
        if r["role"] in ("lead", "support", "responsible") and r["unit_as_written"]:
            if r["unit_as_written"] not in row[r["role"]]:
                row[r["role"]].append(r["unit_as_written"])
            sheet.responsible = sheet.responsible or r["role"] == "responsible"
    for s in sheets.values():
        for row in s.rows:
            for k in ("lead", "support", "responsible"):
                row[k] = "、".join(row[k])
            row["sources"] = "；".join(row["sources"])
    return [sheets[k] for k in sorted(sheets, key=lambda k: sheets[k].file)]


def localised(sheet: LedgerSheet, lang: str = "zh") -> tuple[list[str], list[list]]:
    """Headers and row values of a sheet in ``lang`` (status and note words translated)."""
    cols = sheet.columns
    heads = [HEADERS[lang][c] for c in cols]
    out = []
    for r in sheet.rows:
        vals = []
        for c in cols:
            v = r.get(c)
            if c == "status":
                v = STATUS[lang][v]
            elif c == "note":
                v = NOTES[lang][v].format(d=DUE_SOON)
            vals.append(v)
        out.append(vals)
    return heads, out


# ---------------------------------------------------------------------------- names of sheets

_PAREN = re.compile(r"[（(][^（）()]*[)）]")
_DIRECTIVE = re.compile(r"《[^《》]*》|〈[^〈〉]*〉")
_VERBS = re.compile(r"^(?:关于印发|印发|关于)|(?:贯彻执行|贯彻落实|贯彻|落实|执行)|的通知$")


def short_title(title: str, region: str = "") -> str:
    """A plan's short title, for its sheet: 柳州市城中区贯彻执行《柳州市落实〈广西法治政府建设实施方案
    (2021-2025年)〉工作方案》的方案(征求意见稿) -> 城中区法治政府建设方案; XX市法治政府建设实施方案
    (2022-2025年) -> XX市法治政府建设实施方案."""
    t = (title or "").strip()
    issued = re.search(r"印发《(.+)》的?(?:通知|函)$", t)
    if issued:  # 关于印发《X》的通知: X's short title
        return short_title(issued.group(1), region)
    while _PAREN.search(t):
        t = _PAREN.sub("", t)
    inner = ""
    m = re.search(r"[《〈]", t)
    if m:
        # the topic of the innermost directive the title quotes: 广西法治政府建设实施方案 -> 法治政府建设
        mm = re.search(r"[《〈]([^《》〈〉]*)[》〉]", t)  # the first one holding no other: the innermost
        inner = mm.group(1) if mm else ""
        inner = re.sub(r"^.*?(?:自治区|省|市|州|县|区|广西|新疆|西藏|宁夏|内蒙古)(?=[\u4e00-\u9fff]{4})", "", inner)
        inner = re.sub(r"(?:实施方案|工作方案|方案|规划|纲要|意见|要点)$", "", inner)
        t = _DIRECTIVE.sub("", t)
        t = _VERBS.sub("", t).replace("的方案", "方案").replace("的实施方案", "实施方案")
    names = region_names(region)
    short = names[-1] if names else ""
    if short and region and t.startswith(region) and short != region:
        t = short + t[len(region):]
    if inner and inner not in t:
        head = short if short and t.startswith(short) else ""
        t = head + inner + t[len(head):]
    t = re.sub(r"\s+", "", t) or (title or "")
    return t


def sheet_name(name: str, used: set[str]) -> str:
    """An Excel sheet name (≤ 31 characters, none of []:*?/\\), unique in ``used``."""
    base = "".join("_" if c in '[]:*?/\\' else c for c in name).strip("'")[:31] or "任务"
    n, k = base, 2
    while n.lower() in used:
        suffix = f"({k})"
        n, k = base[: 31 - len(suffix)] + suffix, k + 1
    used.add(n.lower())
    return n


# ---------------------------------------------------------------------------- the workbook

def build_date(store) -> str:
    """The date the graph was built (its manifest's time), or '' when unknown."""
    p = getattr(store, "path", None)
    if p is None:
        return ""
    f = Path(p) / "manifest.json"
    try:
        return _dt.date.fromtimestamp(f.stat().st_mtime).isoformat()
    except OSError:
        return ""


def to_xlsx(store, on=None, lang: Optional[str] = None, doc: Optional[str] = None) -> bytes:
    """The ledger workbook: a sheet per plan (named by its short title), then 责任分工表, the
    one-row-per-unit table. Same graph, same ``on``, same bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    lang = language(lang) if lang else "zh"
    on = user_date(on) if on is not None else _dt.date.today()
    sheets = ledger(store, on, doc=doc)
    built = build_date(store)
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    thin = Side(style="thin", color="FF808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    centre = Alignment(horizontal="center", vertical="top", wrap_text=True)
    widths = {"number": 6, "task": 30, "lead": 30, "support": 26, "responsible": 24, "deadline": 14,
              "status": 6, "note": 16, "evidence": 8, "sources": 28}
    zh = lang == "zh"
    for s in sheets:
        ws = wb.create_sheet(sheet_name(short_title(s.title, s.region), used))
        cols = s.columns
        last = get_column_letter(len(cols))
        heads, values = localised(s, lang)
        title = f"{s.title}　任务督办台账" if zh else f"{s.title}: task ledger"
        level = LEVELS_ZH.get(s.level, s.level) if zh else s.level
        if zh:
            sub = (f"地区：{s.region or '—'}　　层级：{level or '—'}　　文件：{s.file}　　"
                   f"生成日期：{built or '—'}　　状态日期：{on.isoformat()}")
        else:
            sub = (f"Region: {s.region or '—'}    Level: {level or '—'}    File: {s.file}    "
                   f"Built: {built or '—'}    Status on: {on.isoformat()}")
        _text(ws, 1, 1, title).font = Font(bold=True, size=14)
        ws.merge_cells(f"A1:{last}1")
        ws["A1"].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.row_dimensions[1].height = 36
        _text(ws, 2, 1, sub).font = Font(size=10)
        ws.merge_cells(f"A2:{last}2")
        ws["A2"].alignment = Alignment(horizontal="left", vertical="center")
        for j, h in enumerate(heads, 1):
            c = _text(ws, 3, j, h)
            c.font = Font(bold=True)
            c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            c.fill = PatternFill("solid", fgColor="FFD9E1F2")
            c.border = border
        for i, (row, vals) in enumerate(zip(s.rows, values), 4):
            for j, (col, v) in enumerate(zip(cols, vals), 1):
                c = ws.cell(row=i, column=j) if isinstance(v, (int, float)) or v is None else _text(ws, i, j, v)
                if isinstance(v, (int, float)):
                    c.value = v
                    c.number_format = "0"
                c.border = border
                c.alignment = centre if col in ("number", "status", "evidence") else wrap
                if col == "status":
                    c.fill = PatternFill("solid", fgColor=FILLS[row["status"]])
                    c.font = Font(bold=True)
            ws.row_dimensions[i].height = row_height([(v, widths[col]) for col, v in zip(cols, vals)])
        end = 3 + len(s.rows)
        legend = ("状态：红 已逾期且未见落实证据；黄 30日内到期而未见落实证据，或已逾期但已有落实证据；绿 已有落实证据或未到期。"
                  "落实证据：年度报告中由本地区或责任单位报告、或点名本地区或责任单位的工作成效（kg/evidence.py）。"
                  if zh else
                  "Status: red overdue with no evidence; yellow due within 30 days with no evidence, or overdue with "
                  "evidence; green evidence reported, or not yet due. Evidence: achievements in annual reports "
                  "by the plan's region or the task's units, or naming them (kg/evidence.py).")
        _text(ws, end + 2, 1, legend).font = Font(size=9, italic=True)
        ws.merge_cells(f"A{end + 2}:{last}{end + 2}")
        ws[f"A{end + 2}"].alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[end + 2].height = 30
        for j, col in enumerate(cols, 1):
            ws.column_dimensions[get_column_letter(j)].width = widths[col]
        ws.freeze_panes = "A4"
        ws.auto_filter.ref = f"A3:{last}{max(end, 4)}"
        _print_setup(ws, PageSetupProperties, zh)
        ws.print_title_rows = "3:3"
    # the one-row-per-unit table, as its own sheet
    ws = wb.create_sheet(sheet_name("责任分工表" if zh else "responsibilities", used))
    heads, rows = unit_table(responsibility_rows(store, doc=doc), lang)
    for j, h in enumerate(heads, 1):
        c = _text(ws, 1, j, h)
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="FFD9E1F2")
    for i, r in enumerate(rows, 2):
        for j, col in enumerate(UNIT_COLUMNS, 1):
            v = r[col]
            if col == "task_number" and isinstance(v, str) and v.isdigit():
                ws.cell(row=i, column=j, value=int(v))
            elif v not in (None, ""):
                _text(ws, i, j, v)
    for j, width in enumerate((26, 8, 14, 26, 6, 36, 6, 26, 30, 18), 1):
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(heads))}{max(len(rows) + 1, 2)}"
    _print_setup(ws, PageSetupProperties, zh)
    ws.print_title_rows = "1:1"
    return _save(wb)


LINE_PT = 14.5  # the height of a line of 11 pt text, in points


def text_width(text: str) -> float:
    """Width of ``text`` in Excel's column units: a Chinese character takes about two."""
    import unicodedata

    return sum(1.8 if unicodedata.east_asian_width(c) in "WF" else 1.0 for c in text)


def row_height(cells: list[tuple[object, float]]) -> float:
    """The height (points) of a row whose wrapped cells are (value, column width) pairs: LibreOffice
    and Excel keep an xlsx row one line high unless it says otherwise."""
    import math

    lines = 1
    for v, width in cells:
        if v is None or isinstance(v, (int, float)):
            continue
        usable = max(1.0, width - 0.8)
        n = sum(max(1, math.ceil(text_width(part) / usable)) for part in str(v).split("\n"))
        lines = max(lines, n)
    return round(lines * LINE_PT + 3, 1)


def _text(ws, row: int, col: int, value):
    """A text cell written as text: never a formula, whatever it starts with (= + - @)."""
    c = ws.cell(row=row, column=col)
    c.value = str(value)
    c.data_type = "s"
    return c


def _print_setup(ws, PageSetupProperties, zh: bool) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.7
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.oddFooter.center.text = "第 &P 页，共 &N 页" if zh else "Page &P of &N"


def _save(wb) -> bytes:
    import io

    fixed = _dt.datetime(2000, 1, 1)
    wb.properties.created = wb.properties.modified = fixed
    buf = io.BytesIO()
    wb.save(buf)
    return restamp_zip(buf.getvalue(), fixed)

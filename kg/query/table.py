"""The responsibility table (责任分工表) read from a built graph.

``responsibility_rows(store, doc=None) -> list[dict]``: one row per (task, role, unit), the
columns of ``COLUMNS`` in that order, values as str ('' when absent). A task without units has one
row with role and units empty. The SPARQL is queries/responsibility_table.rq.
"""
from __future__ import annotations

from typing import Optional

from kg.errors import KgError
from kg.resources import shipped_dir

COLUMNS = ("document", "level", "region", "section", "task_number", "task_title", "role",
           "unit_as_written", "unit", "deadline")
HEADERS_ZH = ("文件", "层级", "地区", "章节", "任务序号", "任务", "角色", "单位（原文）", "单位", "时限")
ROLES_ZH = {"lead": "牵头", "support": "配合", "responsible": "责任"}
LEVELS_ZH = {"national": "国家", "province": "省级", "city": "市级", "district": "县区级", "department": "部门"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """A CSV cell that a spreadsheet will not run as a formula (OWASP, CSV injection): text
    starting with = + - @ (or a tab or carriage return) gets a leading apostrophe. Numbers pass."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def unit_table(rows: list[dict], lang: str = "en") -> tuple[list[str], list[dict]]:
    """``rows`` of ``responsibility_rows`` with their headers in ``lang``: English keeps the column
    names and values that tools read (the gold scorer: document, task_number, task_title, role
    lead|support|responsible, unit_as_written, deadline); Chinese (``zh``) gives HEADERS_ZH and
    roles and levels in Chinese (牵头/配合/责任, 县区级 …). Rows stay keyed by COLUMNS."""
    if lang != "zh":
        return list(COLUMNS), rows
    out = [{**r, "role": ROLES_ZH.get(r["role"], r["role"]), "level": LEVELS_ZH.get(r["level"], r["level"])}
           for r in rows]
    return list(HEADERS_ZH), out
QUERY = shipped_dir("queries") / "responsibility_table.rq"


def query_text() -> str:
    """The text of queries/responsibility_table.rq."""
    try:
        return QUERY.read_text(encoding="utf-8")
    except OSError:
        raise KgError(f"{QUERY}: the responsibility table query is missing; reinstall DutyGraph") from None


def responsibility_rows(store, doc: Optional[str] = None, extra: bool = False) -> list[dict]:
    """Rows of the table from ``store`` (a kg.query.store.Store); ``doc`` narrows to one document IRI.
    ``extra`` keeps the query's other columns too (task, doc, order, aorder, due), as they come."""
    bindings = None
    if doc:
        import pyoxigraph as ox

        bindings = {"doc": ox.NamedNode(doc)}
    rows = store.query(query_text(), bindings)
    # the SPARQL ORDER BY sorts by file name; make the order total (same role order kept)
    rows.sort(key=lambda r: (r["document"], r["order"], r["aorder"] or 0))
    if extra:
        return [{**r, **{c: "" if r.get(c) is None else str(r[c]) for c in COLUMNS}} for r in rows]
    return [{c: "" if r.get(c) is None else str(r[c]) for c in COLUMNS} for r in rows]

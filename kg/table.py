"""The responsibility table (责任分工表) read from a built graph.

``responsibility_rows(store, doc=None) -> list[dict]``: one row per (task, role, unit), the
columns of ``COLUMNS`` in that order, values as str ('' when absent). A task without units has one
row with role and units empty. The SPARQL is queries/responsibility_table.rq.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

COLUMNS = ("document", "level", "region", "section", "task_number", "task_title", "role",
           "unit_as_written", "unit", "deadline")
HEADERS_ZH = ("文件", "层级", "地区", "章节", "任务序号", "任务", "角色", "单位（原文）", "单位", "时限")
QUERY = Path(__file__).resolve().parent.parent / "queries" / "responsibility_table.rq"


def query_text() -> str:
    from kg.errors import KgError

    try:
        return QUERY.read_text(encoding="utf-8")
    except OSError:
        raise KgError(f"{QUERY}: the responsibility table query is missing; reinstall DutyGraph") from None


def responsibility_rows(store, doc: Optional[str] = None) -> list[dict]:
    """Rows of the table from ``store`` (a kg.store.Store); ``doc`` narrows to one document IRI."""
    bindings = None
    if doc:
        import pyoxigraph as ox

        bindings = {"doc": ox.NamedNode(doc)}
    rows = store.query(query_text(), bindings)
    # the SPARQL ORDER BY sorts by file name; make the order total (same role order kept)
    rows.sort(key=lambda r: (r["document"], r["order"], r["aorder"] or 0))
    return [{c: "" if r.get(c) is None else str(r[c]) for c in COLUMNS} for r in rows]

"""kg ledger: the 督办台账 (task ledger) of a built graph, as a table, CSV or JSON, or the workbook
(--out FILE.xlsx): a thin layer over kg.export.ledger."""
from __future__ import annotations

from typing import Optional

import typer

from kg.export.formats import export
from kg.export.ledger import COLUMNS, DUE_SOON, NOTES, STATUS, ledger
from kg.i18n import language
from kg.query.api import Graph
from kg.query.store import open_store
from kg.cli.common import FormatOpt, GraphOpt, LangOpt, emit, guarded, is_table


def register(app: typer.Typer) -> None:
    @app.command("ledger")
    @guarded
    def ledger_cmd(graph: Optional[str] = GraphOpt,
                   doc: Optional[str] = typer.Option(None, "--doc", "-d",
                                                     help="Only this plan (id, id prefix such as 000, file name or IRI)."),
                   on: Optional[str] = typer.Option(None, "--on",
                                                    help="The date the status is judged on: 2025-01-01, 2025年1月1日, "
                                                         "2025.1.1 or 2025/1/1 (default today)."),
                   out: Optional[str] = typer.Option(None, "--out", "-o",
                                                     help="Write the workbook FILE.xlsx (atomically) instead of printing."),
                   fmt: str = FormatOpt,
                   lang: Optional[str] = LangOpt):
        """The 督办台账: one row per task with its units, deadline, status (红/黄/绿 on --on) and evidence."""
        if out:
            path = export(graph or "out", "xlsx", out, on=on, lang=lang, doc=doc)
            typer.echo(f"wrote {path}", err=True)
            return
        st = open_store(graph or "out")
        iri = Graph.from_store(st).resolve_doc(doc) if doc else None
        lang = language(lang)
        rows = []
        for sheet in ledger(st, on=on, doc=iri):
            for r in sheet.rows:
                rows.append({"document": sheet.document, **r,
                             "status": STATUS[lang][r["status"]] if lang == "zh" else r["status"],
                             "note": NOTES[lang][r["note"]].format(d=DUE_SOON)})
        cols = ["document", *COLUMNS]
        if is_table(fmt):
            cols = ["document", "number", "task", "lead", "deadline", "status", "evidence"]
        heads = {"number": "task_number", "task": "task_title", "evidence": "reported", "sources": "reports"}
        rows = [{heads.get(k, k): v for k, v in r.items()} for r in rows]
        emit(rows, [heads.get(c, c) for c in cols], fmt, title=f"Ledger on {on or 'today'}", lang=lang)

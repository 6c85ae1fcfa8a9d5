"""Report commands: kg evidence TASK, kg figures (a thin layer over kg.query.api.Graph and the
queries report-evidence.rq and report-figures.rq)."""
from __future__ import annotations

from typing import Optional

import typer

from kg.cli.common import LangOpt, EndpointOpt, FormatOpt, GraphOpt, emit, guarded
from kg.cli.common import open_graph as _graph
FIGURE_COLUMNS = ["document", "value", "unit", "counted", "kind", "approximate", "year", "text", "themes",
                  "section", "figure"]


def register(app: typer.Typer) -> None:
    @app.command("evidence")
    @guarded
    def evidence(task: str = typer.Argument(..., help="DOC#NUMBER (e.g. 000#12) or a task IRI."),
                 graph: Optional[str] = GraphOpt, endpoint: Optional[str] = EndpointOpt,
                 fmt: str = FormatOpt, lang: Optional[str] = LangOpt):
        """Report measures that report on a task, best score first, with the report and section."""
        g = _graph(graph, endpoint)
        info = g.task(task)
        rows = g.evidence(task)
        cols = g.named("report-evidence").columns
        if (fmt or "table").lower() == "table":
            cols = ["report", "year", "section_type", "counts", "score", "section", "measure_text"]
        emit(rows, cols, fmt, title=f"Evidence for {info['document']} #{info.get('task_number') or '?'} "
                                    f"{info.get('task_title') or ''}", lang=lang)

    @app.command("figures")
    @guarded
    def figures(doc: Optional[str] = typer.Option(None, "--doc", "-d", help="Only this report (id, id prefix or file name)."),
                theme: Optional[str] = typer.Option(None, "--theme", "-t",
                                                    help="Only figures of this theme id (see kg/data/themes.yaml), e.g. disputes."),
                graph: Optional[str] = GraphOpt, endpoint: Optional[str] = EndpointOpt,
                fmt: str = FormatOpt, lang: Optional[str] = LangOpt):
        """Figures stated in annual reports: value, unit, what is counted, kind, year, clause."""
        g = _graph(graph, endpoint)
        rows = g.figures(doc, theme)
        cols = FIGURE_COLUMNS
        if (fmt or "table").lower() == "table":
            cols = ["document", "value", "unit", "counted", "kind", "approximate", "year", "themes"]
        emit(rows, cols, fmt, title="Figures" + (f" of {doc}" if doc else "") + (f" ({theme})" if theme else ""), lang=lang)

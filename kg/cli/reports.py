"""Report commands: kg evidence TASK, kg figures (a thin layer over kg.query.api.Graph and the
queries report-evidence.rq and report-figures.rq)."""
from __future__ import annotations

from typing import Optional

import typer

from kg.cli.common import LangOpt, EndpointOpt, FormatOpt, GraphOpt, TaskArg, answer, guarded, task_heading


def register(app: typer.Typer) -> None:
    @app.command("evidence")
    @guarded
    def evidence(task: str = TaskArg,
                 graph: Optional[str] = GraphOpt, endpoint: Optional[str] = EndpointOpt,
                 fmt: str = FormatOpt, lang: Optional[str] = LangOpt):
        """Report measures that report on a task, best score first, with the report and section."""
        answer(graph, endpoint, fmt, lang, "report-evidence", lambda g: g.evidence(task),
               table=["report", "year", "section_type", "counts", "score", "section", "measure_text"],
               title=lambda g: "Evidence for " + task_heading(g.task(task)))

    @app.command("figures")
    @guarded
    def figures(doc: Optional[str] = typer.Option(None, "--doc", "-d", help="Only this report (id, id prefix or file name)."),
                theme: Optional[str] = typer.Option(None, "--theme", "-t",
                                                    help="Only figures of this theme id (see kg/data/themes.yaml), e.g. disputes."),
                graph: Optional[str] = GraphOpt, endpoint: Optional[str] = EndpointOpt,
                fmt: str = FormatOpt, lang: Optional[str] = LangOpt):
        """Figures stated in annual reports: value, unit, what is counted, kind, year, clause."""
        answer(graph, endpoint, fmt, lang, "report-figures", lambda g: g.figures(doc, theme),
               table=["document", "value", "unit", "counted", "kind", "approximate", "year", "themes"],
               title="Figures" + (f" of {doc}" if doc else "") + (f" ({theme})" if theme else ""))

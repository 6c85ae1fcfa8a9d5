"""kg viz: write an interactive page (vis-network, offline) of a unit, a document, a trace or the corpus."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from kg.query.api import Graph
from kg.viz import views as V
from kg.cli.common import guarded


def register(app: typer.Typer) -> None:
    @app.command("viz")
    @guarded
    def viz(out: Path = typer.Option(..., "--out", "-o", help="The HTML file to write, e.g. unit.html."),
            unit: Optional[str] = typer.Option(None, "--unit", "-u",
                                               help="A unit: full name, short form or as written, e.g. 区司法局."),
            doc: Optional[str] = typer.Option(None, "--doc", "-d",
                                              help="A document: id, id prefix such as 000, or file name "
                                                   "(with --unit: only the unit's tasks in it)."),
            role: Optional[str] = typer.Option(None, "--role", "-r",
                                               help="With --unit: only its tasks in this role (lead, support, responsible)."),
            trace: Optional[str] = typer.Option(None, "--trace", "-t",
                                                help="A task, DOC#NUMBER (e.g. 000#12): it and the tasks above it."),
            all_: bool = typer.Option(False, "--all", "-a", help="The whole corpus, clustered by document."),
            graph: Optional[str] = typer.Option(None, "--graph", "-g", envvar="KG_GRAPH",
                                                help="A built graph directory (kg build … --out DIR). Default: ./out."),
            endpoint: Optional[str] = typer.Option(None, "--endpoint", "-e", envvar="KG_ENDPOINT",
                                                   help="A SPARQL 1.1 endpoint URL instead of a local graph.")):
        """Write one self-contained page (opens offline from file://): give one of --unit, --doc, --trace, --all."""
        view = V.build_view(Graph.from_options(graph, endpoint), unit=unit, doc=doc, trace=trace, all_=all_,
                            role=role)
        path = V.write(view, out)
        typer.echo(f"{path}  ({len(view.nodes)} nodes, {len(view.edges)} edges)")
        if view.note:
            typer.echo(view.note.split(" · ", 1)[-1], err=True)

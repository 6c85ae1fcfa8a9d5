"""kg units: the resolution table (every organisation, its labels and the mentions merged into it)."""
from __future__ import annotations

from typing import Optional

import typer

from kg.errors import KgError
from kg.query.units_view import COLUMNS, open_graph, units_table
from kg.vocab import KINDS
from kg.cli.common import FormatOpt, LangOpt, emit, guarded, is_table


def register(app: typer.Typer) -> None:
    @app.command("units")
    @guarded
    def units(graph: Optional[str] = typer.Option(None, "--graph", "-g", envvar="KG_GRAPH",
                                                  help="A built graph directory (DIR/store or DIR/graph.ttl). Default: ./out."),
              kind: Optional[str] = typer.Option(None, "--kind", "-k",
                                                 help="Only this kind: party, government, court, procuratorate, "
                                                      "congress, cppcc, mass, other, group."),
              merged: bool = typer.Option(False, "--merged", help="Only entities that merge two or more written forms."),
              fmt: str = FormatOpt, lang: Optional[str] = LangOpt):
        """Every organisation entity with its prefLabel, kind, level, region, labels and merged mentions."""
        if kind and kind not in KINDS:
            raise KgError(f"unknown kind {kind!r}: use one of {', '.join(KINDS)}", 2)
        rows = units_table(open_graph(graph or "out"), kind=kind, merged_only=merged)
        cols = COLUMNS if not is_table(fmt) else \
            ["unit", "kind", "level", "region", "mentions", "labels", "part_of"]
        emit(rows, cols, fmt, title=f"Organisations ({len(rows)})", lang=lang)

"""Tracing commands: kg docs, kg align, kg trace, kg gaps (a thin layer over kg.query.trace and kg.query.gaps).

Tasks are written DOC#NUMBER or DOC#TASKID (000#12, 001#u1); DOC may be an id prefix.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from kg.build.pipeline import parse_paths
from kg.errors import KgError
from kg.query.gaps import GAPS_COLUMNS, gaps, links_between, not_linked_note
from kg.query.readback import load_corpus
from kg.query.trace import ALIGN_COLUMNS, DOCS_COLUMNS, TRACE_COLUMNS, align, docs, find_document, trace
from kg.cli.common import FormatOpt, LangOpt, GraphOpt, emit, guarded, is_table



def _corpus(graph: Optional[str]):
    return load_corpus(graph or "out")


def _plan(ref: str, graph: Optional[str], cache: dict):
    """A plan from a file (parsed now) or a document id of the graph."""
    p = Path(ref)
    if p.is_file():
        docs = [d for d in parse_paths([p]) if d.kind == "plan"]
        if not docs:
            raise KgError(f"{ref} is not a plan (no numbered tasks found): give an implementation plan")
        return docs[0]
    if p.is_dir():
        raise KgError(f"{ref} is a folder: give one plan file or a document id")
    if "corpus" not in cache:
        if graph is None and not Path("out").exists():
            raise KgError(f"{ref!r} is neither a file nor a document of a graph: give a file path, "
                          "or --graph DIR with a built graph")
        cache["corpus"] = _corpus(graph)
    return find_document(cache["corpus"], ref)


def _docs_table(rows):
    out = []
    for r in rows:
        lines = []
        for p, lv, rel in zip(r["parents"], r["parent_levels"], r["parent_relations"]):
            where = p["document"] or "not in corpus"
            lines.append(f"{p['title']} [{lv or '?'}, {rel or '?'}] → {where}")
        out.append({**r, "parents": "\n".join(lines), "issued": "\n".join(r["issuers"] + ([r["date"]] if r["date"] else []))})
    return out


def register(app: typer.Typer) -> None:
    @app.command("docs")
    @guarded
    def docs_cmd(graph: Optional[str] = GraphOpt,
                 fmt: str = FormatOpt,
                 lang: Optional[str] = LangOpt):
        """Documents with their level, region, period and the parent directives they name."""
        rows = docs(_corpus(graph))
        fmt = (fmt or "table").lower()
        if fmt == "json":
            emit(rows, DOCS_COLUMNS, "json", lang=lang)
        elif fmt in ("table", "csv"):
            # one cell per document: its parents one a line in a table, joined with ' | ' in CSV
            table = _docs_table(rows)
            if fmt == "csv":
                for r in table:
                    r["parents"] = " | ".join(r["parents"].split("\n")) if r["parents"] else ""
                    r["issued"] = " | ".join(r["issued"].split("\n")) if r["issued"] else ""
                    r["period"] = "-".join(str(y) for y in r["period"]) if isinstance(r["period"], (list, tuple)) else r["period"]
            emit(table, ["document", "title", "level", "region", "period", "issued", "parents"], fmt,
                 title="Documents and the directives they name", lang=lang)
        else:
            raise KgError(f"unknown format {fmt!r}: use table, csv or json", 2)

    @app.command("align")
    @guarded
    def align_cmd(a: str = typer.Argument(..., help="A plan: a file, or a document id of --graph."),
                  b: str = typer.Argument(..., help="The plan to align with: a file or a document id."),
                  graph: Optional[str] = GraphOpt,
                  fmt: str = FormatOpt, lang: Optional[str] = LangOpt):
        """Align the tasks of plan A with those of plan B: one row per task of A (B empty when none fits)."""
        cache: dict = {}
        da, db = _plan(a, graph, cache), _plan(b, graph, cache)
        emit(align(da, db), ALIGN_COLUMNS, fmt, title=f"{da.id} → {db.id}", lang=lang)

    @app.command("trace")
    @guarded
    def trace_cmd(task: str = typer.Argument(..., help="DOC#NUMBER or DOC#TASKID, e.g. 000#24 or 001#u1."),
                  graph: Optional[str] = GraphOpt,
                  fmt: str = FormatOpt, lang: Optional[str] = LangOpt):
        """The chain of a task up through every level: the tasks it carries out, their units, then the named directives above."""
        rows = trace(_corpus(graph), task)
        for r in rows:
            if r.get("directive"):
                r["task_title"] = f"《{r['directive']}》"
            elif r.get("document") and not r.get("task"):
                r["task_title"] = f"《{r.get('document_title') or r['document']}》: no task matched"
        emit(rows, TRACE_COLUMNS, fmt, title=f"Trace of {task}", lang=lang)

    @app.command("gaps")
    @guarded
    def gaps_cmd(child: str = typer.Argument(..., help="The lower plan (document id)."),
                 parent: str = typer.Argument(..., help="The higher plan (document id)."),
                 graph: Optional[str] = GraphOpt,
                 fmt: str = FormatOpt, lang: Optional[str] = LangOpt):
        """Parent tasks not taken up, local additions, and parent responsibilities with no functional counterpart below."""
        corpus = _corpus(graph)
        c, p = find_document(corpus, child), find_document(corpus, parent)
        if is_table(fmt) and not links_between(corpus, c, p)[1]:
            typer.echo(f"note: {not_linked_note(c, p)}", err=True)
        emit(gaps(corpus, c, p), GAPS_COLUMNS, fmt, title=f"Gaps: {child} under {parent}", lang=lang)

"""kg build / export / validate / demo: make a graph directory, export it, check it."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from kg.build.pipeline import build as build_graph
from kg.errors import KgError
from kg.export.formats import export as export_graph, render, write_atomic
from kg.build.optimize import optimize as optimize_store
from kg.query.store import open_store
from kg.query.validate import format_violation, validate as validate_graph
from kg.rdf import document_counts
from kg.viz.views import demo_pages
from kg.cli.common import guarded


def summary_lines(corpus, out: Optional[Path] = None) -> list[str]:
    """A short, readable summary of a build: counts, then each document's diagnostics. Counts come
    from the records' counts (kg.rdf.document_counts: a quick update's stubs stay unloaded) and,
    for organisations, from OUT/manifest.json when there is one."""
    import json

    docs = corpus.documents
    counts = {d.id: document_counts(d) for d in docs}
    n_tasks = sum(c["tasks"] for c in counts.values())
    n_units = sum(c["assignments"] for c in counts.values())
    n_measures = sum(c["measures"] for c in counts.values())
    plans = sum(1 for d in docs if d.kind != "report")
    try:
        n_orgs = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["counts"]["organisations"]
    except (TypeError, OSError, ValueError, KeyError):
        n_orgs = len(corpus.organisations)

    def n(k: int, word: str) -> str:
        return f"{k} {word}" if k == 1 else f"{k} {word}s"

    lines = [f"{n(len(docs), 'document')} ({n(plans, 'plan')}, {n(len(docs) - plans, 'report')}), "
             f"{n(n_tasks, 'task')}, {n(n_units, 'unit assignment')}, "
             f"{n(n_orgs, 'organisation')}, {n(n_measures, 'report measure')}, "
             f"{n(len(corpus.alignments), 'task alignment')}"]
    for d in docs:
        what = (f"{counts[d.id]['tasks']} tasks" if d.kind != "report" else f"report {d.year or ''}, "
                f"{counts[d.id]['measures']} measures").replace(" ,", ",")
        if d.kind != "report":
            # where to look first: tasks read without units, brackets naming units left unread
            bare = sum(x.code == "task-without-units" for x in d.diagnostics)
            unread = sum(x.code == "unread-annotation" for x in d.diagnostics)
            what += "".join(f", {k} {w}" for k, w in ((bare, "without units"), (unread, "unread annotations")) if k)
        lines.append(f"  {d.source.name}: {what}; {d.level or '?'} {d.region or ''}".rstrip())
        for x in d.diagnostics:
            lines.append(f"    {d.source.name}: {x.severity}: {' '.join(x.message.split())}")
    if out is not None:
        lines.append(f"graph written to {out}/ (graph.ttl, store/, diagnostics.json, manifest.json)")
    return lines


SKIPPED_EXIT = 3  # a --keep-going build that left files out


def report(res) -> None:
    """The notes of a build (kg.build.pipeline.BuildResult.notes), and the files it left out, one line
    each, on stderr; exit status 3 when it left some out."""
    for note in res.notes:
        typer.echo(f"note: {note}", err=True)
    for s in res.skipped:
        typer.echo(f"skipped: {s.reason}", err=True)
    if res.skipped:
        n = len(res.skipped)
        typer.echo(f"{n} file{'s were' if n > 1 else ' was'} left out; the graph holds the other "
                   f"{len(res.corpus.documents)}", err=True)
        raise typer.Exit(SKIPPED_EXIT)


def register(app: typer.Typer) -> None:
    @app.command("build")
    @guarded
    def build(paths: list[str] = typer.Argument(..., help="Files or folders (.txt .docx .pdf .html)."),
              out: str = typer.Option(..., "--out", "-o", help="The graph directory to write."),
              overrides: Optional[str] = typer.Option(None, "--overrides",
                                                      help="YAML or CSV override file (units, links)."),
              full: bool = typer.Option(False, "--full", help="Ignore the cache of an earlier build in --out."),
              optimize: bool = typer.Option(False, "--optimize",
                                            help="Compact the store afterwards: slower build, faster queries "
                                                 "(see kg optimize)."),
              keep_going: bool = typer.Option(False, "--keep-going", "-k",
                                              help="Leave out the files that cannot be read or parsed (each "
                                                   "named on one line) and build the rest; exit status 3 then.")):
        """Parse, resolve and link the documents; write OUT/graph.ttl, OUT/store, diagnostics, manifest."""
        res = build_graph(paths, out, overrides=overrides, incremental=not full, optimize=optimize, keep_going=keep_going)
        for line in summary_lines(res.corpus, Path(out)):
            typer.echo(line)
        report(res)

    @app.command("optimize")
    @guarded
    def optimize(graph: str = typer.Argument("out", help="A built graph directory.")):
        """Compact a built graph's store: queries on a large graph get faster (≈ 2–5× on look-ups
        at 3,200 plans, ≈ 20 s to run); the content is unchanged."""
        optimize_store(graph)
        typer.echo(f"{graph}/store optimized")

    @app.command("export")
    @guarded
    def export(graph: str = typer.Option("out", "--graph", "-g", envvar="KG_GRAPH", help="A built graph directory."),
               fmt: str = typer.Option(..., "--format", "-f", help="ttl, nt, jsonld, trig, graphml, csv or xlsx."),
               out: Optional[str] = typer.Option(None, "--out", "-o",
                                                 help="File to write (atomically); stdout when absent (not for xlsx)."),
               on: Optional[str] = typer.Option(None, "--on", help="xlsx: the date the ledger's status is judged on "
                                                                   "(2025-01-01, 2025年1月1日; default today)."),
               lang: Optional[str] = typer.Option(None, "--lang", envvar="KG_LANG",
                                                  help="csv, xlsx: en or zh (CSV English by default, xlsx Chinese)."),
               doc: Optional[str] = typer.Option(None, "--doc", "-d", help="csv, xlsx: only this document.")):
        """Export the graph, or the responsibility table (csv) and the 督办台账 (xlsx)."""
        path = export_graph(graph, fmt, out, on=on, lang=lang, doc=doc)
        if path is not None:
            typer.echo(f"wrote {path}", err=True)

    @app.command("validate")
    @guarded
    def validate(graph: str = typer.Option("out", "--graph", "-g", envvar="KG_GRAPH", help="A built graph directory.")):
        """Check the graph against ontology/shapes.ttl (SHACL, no inference); non-zero exit on any violation."""
        found = validate_graph(graph)
        for v in found:
            typer.echo(format_violation(v))
        if found:
            typer.echo(f"{len(found)} violation(s) in {graph}", err=True)
            raise typer.Exit(1)
        typer.echo(f"{graph}: conforms to the shapes (no violations)")

    @app.command("demo")
    @guarded
    def demo(paths: Optional[list[str]] = typer.Argument(None, help="Files or folders; default: corpus/."),
             out: str = typer.Option("out", "--out", "-o", help="The graph directory to write.")):
        """Build, then write OUT/responsibilities.csv and .xlsx, OUT/graph.html and the busiest unit's page."""
        sample = Path(__file__).resolve().parents[2] / "corpus"  # in a checkout; a wheel has none
        if not paths and not sample.is_dir():
            raise KgError("kg demo: no sample corpus/ comes with an installed kg; give plans: kg demo FILE_OR_FOLDER... --out DIR")
        srcs = paths or [str(sample)]
        res = build_graph(srcs, out)
        for line in summary_lines(res.corpus, Path(out)):
            typer.echo(line)
        for note in res.notes:
            typer.echo(f"note: {note}", err=True)
        st = open_store(out)
        written = [Path(out) / "graph.ttl"]
        written.append(write_atomic(Path(out) / "responsibilities.csv", render(st, "csv")))
        written.append(write_atomic(Path(out) / "responsibilities.xlsx", render(st, "xlsx")))
        del st
        written.extend(demo_pages(out))
        for p in written:
            typer.echo(f"wrote {p}")

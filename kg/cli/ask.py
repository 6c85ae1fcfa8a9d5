"""Questions to the graph: kg tasks-of, units-of, due, overdue, workload, shared, no-lead, sections,
orgs, chain, coverage, query, sparql, and kg push (load a build into a SPARQL server).

A thin layer over kg.query.api.Graph: every command opens the graph (--graph DIR, the default ./out, or
--endpoint URL), calls one method and prints its rows as a table, JSON or CSV.
"""
from __future__ import annotations

import sys
from typing import List, Optional

import typer

from kg.errors import KgError
from kg.query import queries as Q
from kg.query.endpoint import Endpoint, push as do_push
from kg.query.store import open_store
from kg.cli.common import (LangOpt, GRAPH_HELP, EndpointOpt, FormatOpt, GraphOpt, TaskArg, answer, columns, emit,
                           guarded, is_table, task_heading)
from kg.cli.common import open_graph as _graph

DocOpt = typer.Option(None, "--doc", "-d", help="Only this document (id, id prefix such as 000, or file name).")



def register(app: typer.Typer) -> None:
    @app.command("tasks-of")
    @guarded
    def tasks_of(unit: str = typer.Argument(..., help="The unit: full name, short form or as written, e.g. 区司法局."),
                 role: str = typer.Option("any", "--role", "-r", help="lead, support, responsible or any."),
                 doc: Optional[str] = DocOpt, graph: Optional[str] = GraphOpt,
                 endpoint: Optional[str] = EndpointOpt, fmt: str = FormatOpt, lang: Optional[str] = LangOpt):
        """Tasks a unit leads, supports or is responsible for (matched by any of its labels)."""
        answer(graph, endpoint, fmt, lang, "tasks-of", lambda g: g.tasks_of(unit, role=role, doc=doc),
               table=["document", "task_number", "task_title", "role", "unit", "unit_as_written", "deadline"],
               title=f"Tasks of {unit}" + ("" if role == "any" else f" ({role})"))

    @app.command("units-of")
    @guarded
    def units_of(task: str = TaskArg,
                 graph: Optional[str] = GraphOpt, endpoint: Optional[str] = EndpointOpt,
                 fmt: str = FormatOpt, lang: Optional[str] = LangOpt):
        """Units named by a task, with their roles."""
        answer(graph, endpoint, fmt, lang, "units-of", lambda g: g.units_of(task),
               table=["role", "unit", "unit_as_written", "role_label", "kind"],
               title=lambda g: task_heading(g.task(task)))

    @app.command("due")
    @guarded
    def due(before: str = typer.Option(..., "--before", "-b", help="A date, YYYY-MM-DD (strictly before)."),
            doc: Optional[str] = DocOpt, graph: Optional[str] = GraphOpt,
            endpoint: Optional[str] = EndpointOpt, fmt: str = FormatOpt, lang: Optional[str] = LangOpt):
        """Tasks whose deadline falls before a date."""
        answer(graph, endpoint, fmt, lang, "due-before", lambda g: g.due(before, doc=doc),
               table=["document", "task_number", "task_title", "deadline", "deadline_text", "lead"],
               title=f"Due before {before}")

    @app.command("overdue")
    @guarded
    def overdue(on: Optional[str] = typer.Option(None, "--on", help="The date to judge on, YYYY-MM-DD (default today)."),
                unreported: bool = typer.Option(False, "--unreported", help="Drop tasks with reported evidence."),
                doc: Optional[str] = DocOpt, graph: Optional[str] = GraphOpt,
                endpoint: Optional[str] = EndpointOpt, fmt: str = FormatOpt, lang: Optional[str] = LangOpt):
        """Tasks whose deadline passed (plans carry no completion data; see queries/overdue.rq)."""
        answer(graph, endpoint, fmt, lang, "overdue", lambda g: g.overdue(on, doc=doc, unreported_only=unreported),
               table=["document", "task_number", "task_title", "deadline", "lead", "reported"],
               title=f"Overdue on {on or 'today'}")

    @app.command("workload")
    @guarded
    def workload(top: Optional[int] = typer.Option(None, "--top", "-n", help="Only the N busiest units."),
                 unit: Optional[str] = typer.Option(None, "--unit", "-u", help="Only this unit (any of its labels)."),
                 doc: Optional[str] = DocOpt, graph: Optional[str] = GraphOpt,
                 endpoint: Optional[str] = EndpointOpt, fmt: str = FormatOpt, lang: Optional[str] = LangOpt):
        """Tasks per unit across documents, counted by role, busiest first."""
        answer(graph, endpoint, fmt, lang, "workload", lambda g: g.workload(top=top, unit=unit, doc=doc),
               table=["unit", "lead", "support", "responsible", "total", "documents"],
               title="Workload")

    @app.command("shared")
    @guarded
    def shared(unit_a: str = typer.Argument(..., help="The first unit."),
               unit_b: str = typer.Argument(..., help="The second unit."),
               doc: Optional[str] = DocOpt, graph: Optional[str] = GraphOpt,
               endpoint: Optional[str] = EndpointOpt, fmt: str = FormatOpt, lang: Optional[str] = LangOpt):
        """Tasks two units share (both hold a role): where they must coordinate."""
        answer(graph, endpoint, fmt, lang, "shared", lambda g: g.shared(unit_a, unit_b, doc=doc),
               table=["document", "task_number", "task_title", "unit_a", "role_a", "unit_b", "role_b"],
               title=f"Tasks shared by {unit_a} and {unit_b}")

    @app.command("no-lead")
    @guarded
    def no_lead(doc: Optional[str] = DocOpt, graph: Optional[str] = GraphOpt,
                endpoint: Optional[str] = EndpointOpt, fmt: str = FormatOpt, lang: Optional[str] = LangOpt):
        """Tasks with neither a lead unit nor a responsible unit."""
        answer(graph, endpoint, fmt, lang, "no-lead", lambda g: g.no_lead(doc=doc),
               table=["document", "task_number", "task_title", "supporting"],
               title="Tasks with no lead unit")

    @app.command("sections")
    @guarded
    def sections(doc: str = typer.Argument(..., help="The document (id, id prefix or file name)."),
                 graph: Optional[str] = GraphOpt, endpoint: Optional[str] = EndpointOpt,
                 fmt: str = FormatOpt, lang: Optional[str] = LangOpt):
        """Tasks per section of a document."""
        answer(graph, endpoint, fmt, lang, "tasks-per-section", lambda g: g.tasks_per_section(doc),
               table=["section_number", "section_title", "depth", "tasks", "direct"],
               title=f"Tasks per section of {doc}")

    @app.command("orgs")
    @guarded
    def orgs(kind: Optional[str] = typer.Option(None, "--kind", "-k",
                                                help="party, government, court, procuratorate, congress, cppcc, mass, other, group."),
             level: Optional[str] = typer.Option(None, "--level", "-l",
                                                 help="national, province, city, district, department."),
             graph: Optional[str] = GraphOpt, endpoint: Optional[str] = EndpointOpt,
             fmt: str = FormatOpt, lang: Optional[str] = LangOpt):
        """Organisations by kind and level, with their labels and task counts."""
        answer(graph, endpoint, fmt, lang, "organisations", lambda g: g.organisations(kind=kind, level=level),
               table=["unit", "labels", "kind_name", "level_name", "tasks"],
               title="Organisations")

    @app.command("chain")
    @guarded
    def chain(task: str = TaskArg,
              graph: Optional[str] = GraphOpt, endpoint: Optional[str] = EndpointOpt,
              fmt: str = FormatOpt, lang: Optional[str] = LangOpt):
        """The parent chain of a task: the tasks above it that it carries out (dg:carriesOut+)."""
        answer(graph, endpoint, fmt, lang, "parent-chain", lambda g: g.parent_chain(task),
               table=["distance", "document", "level", "task_number", "task_title"],
               title=f"Parent chain of {task}")

    @app.command("coverage")
    @guarded
    def coverage(child: str = typer.Argument(..., help="The child (lower-level) plan."),
                 parent: Optional[str] = typer.Argument(None, help="The parent plan (default: the one the child names)."),
                 graph: Optional[str] = GraphOpt, endpoint: Optional[str] = EndpointOpt,
                 fmt: str = FormatOpt, lang: Optional[str] = LangOpt):
        """A plan's coverage of its parent: each parent task and the child tasks carrying it out."""
        g = _graph(graph, endpoint)
        rows = g.coverage(child, parent)
        cols = columns(g, "coverage", ["task_number", "task_title", "covered", "children",
                                        "child_numbers"], fmt)
        done = sum(1 for r in rows if r.get("covered"))
        if rows and rows[0].get("links") == "computed" and is_table(fmt):
            typer.echo(f"note: {child} and {parent} are not aligned in this build (it names no such parent): "
                       "links computed now by the aligner, as kg align and kg gaps give them", err=True)
        emit(rows, cols, fmt, title=f"Coverage of {parent or 'its parent'} by {child}: {done}/{len(rows)} taken up", lang=lang)

    @app.command("query")
    @guarded
    def query(name: Optional[str] = typer.Argument(None, help="A named query (see --list) or a FILE.rq."),
              param: List[str] = typer.Option([], "--param", "-p", help="NAME=VALUE, repeatable."),
              list_: bool = typer.Option(False, "--list", help="List the named queries and their parameters."),
              graph: Optional[str] = GraphOpt, endpoint: Optional[str] = EndpointOpt,
              fmt: str = FormatOpt, lang: Optional[str] = LangOpt):
        """Run a named query from queries/ (or a .rq file) with parameters bound as RDF terms."""
        if list_ or not name:
            rows = [{"name": q.name, "question": q.title,
                     "parameters": ", ".join(f"{p.name}:{p.type}" + ("" if p.required else "?") for p in q.params),
                     "returns": ", ".join(q.columns)} for q in Q.available()]
            emit(rows, ["name", "question", "parameters", "returns"], fmt, title="Named queries", lang=lang)
            return
        g = _graph(graph, endpoint)
        q = g.named(name)
        rows = g.query(name, **Q.parse_assignments(param))
        cols = q.columns or (list(rows[0]) if rows else [])
        emit(rows, cols, fmt, title=q.title, lang=lang)

    @app.command("sparql")
    @guarded
    def sparql(text: str = typer.Argument(..., help="A SPARQL query, @FILE to read one, or - for stdin."),
               graph: Optional[str] = GraphOpt, endpoint: Optional[str] = EndpointOpt,
               fmt: str = FormatOpt, lang: Optional[str] = LangOpt,
               allow_service: bool = typer.Option(False, "--allow-service",
                                                  help="Let the query call other endpoints (SERVICE <url>) "
                                                       "on a local graph; refused without it.")):
        """Run a SPARQL query as written (named graphs are read as one default graph)."""
        from pathlib import Path

        if text == "-":
            text = sys.stdin.read()
        elif text.startswith("@"):
            p = Path(text[1:])
            if not p.is_file():
                raise KgError(f"no query file {p}")
            text = p.read_text(encoding="utf-8")
        g = _graph(graph, endpoint)
        rows = g.sparql(text, allow_service=allow_service)
        emit(rows, list(rows[0]) if rows else [], fmt, lang=lang)

    @app.command("push")
    @guarded
    def push(graph: Optional[str] = typer.Option(None, "--graph", "-g", help=GRAPH_HELP, envvar="KG_GRAPH"),
             endpoint: str = typer.Option(..., "--endpoint", "-e", help="The SPARQL server (e.g. http://127.0.0.1:7878).",
                                          envvar="KG_ENDPOINT"),
             store_url: Optional[str] = typer.Option(None, "--store-url",
                                                     help="Its Graph Store Protocol URL, when it cannot be derived."),
             doc: List[str] = typer.Option([], "--doc", "-d", help="Push only these documents' graphs (repeatable)."),
             auth: Optional[str] = typer.Option(None, "--auth", envvar="KG_ENDPOINT_AUTH",
                                                help="USER:PASSWORD for a Graph Store that asks for it "
                                                     "(Virtuoso: dba:PASSWORD, digest auth)."),
             fmt: str = FormatOpt, lang: Optional[str] = LangOpt):
        """Load a built graph into a SPARQL server: one HTTP PUT per named graph (replacing it)."""
        user, sep, password = (auth or "").partition(":")
        if auth is not None and not (sep and user):
            raise KgError("--auth takes USER:PASSWORD (e.g. dba:dba for a fresh Virtuoso)")
        ep = Endpoint(endpoint, store_url=store_url, auth=(user, password) if auth else None)
        report = do_push(open_store(graph or "out").ox, ep, docs=doc or None)
        emit(report, ["graph", "triples", "bytes"], fmt, title=f"Pushed to {ep.store_url}", lang=lang)

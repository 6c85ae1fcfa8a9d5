"""Shared CLI plumbing: one-line errors, and table / json / csv output."""
from __future__ import annotations

import csv
import functools
import io
import json
import os
import re
import shutil
import sys
from typing import Callable, Iterable, Optional, Sequence

import typer

from kg.errors import KgError
from kg.i18n import language, localise
from kg.query.api import Graph
from kg.query.table import csv_safe


GRAPH_HELP = "A built graph directory (kg build … --out DIR). Default: ./out, or $KG_GRAPH."
ENDPOINT_HELP = "A SPARQL 1.1 endpoint URL to ask instead of a local graph, or $KG_ENDPOINT."
FORMAT_HELP = "table (default), json or csv."
LANG_HELP = "en (default) or zh: Chinese headers and values (牵头/配合/责任 …); or $KG_LANG."

GraphOpt = typer.Option(None, "--graph", "-g", help=GRAPH_HELP, envvar="KG_GRAPH")
EndpointOpt = typer.Option(None, "--endpoint", "-e", help=ENDPOINT_HELP, envvar="KG_ENDPOINT")
FormatOpt = typer.Option("table", "--format", "-f", help=FORMAT_HELP)
LangOpt = typer.Option(None, "--lang", help=LANG_HELP, envvar="KG_LANG")
TaskArg = typer.Argument(..., help="DOC#NUMBER (e.g. 000#12) or a task IRI.")


def open_graph(graph=None, endpoint=None):
    """The kg.query.api.Graph that the --graph DIR / --endpoint URL pair names."""
    return Graph.from_options(graph, endpoint)


def is_table(fmt: Optional[str]) -> bool:
    """Whether ``fmt`` (a --format value) is the table format, the default."""
    return (fmt or "table").lower() == "table"


def columns(g, name: str, table: Optional[Sequence[str]], fmt: Optional[str]) -> list[str]:
    """The columns of the named query ``name`` (as documented); ``table``, a narrower set, for tables."""
    if table and is_table(fmt):
        return list(table)
    return g.named(name).columns


def answer(graph, endpoint, fmt: str, lang: Optional[str], name: str, rows: Callable,
           table: Optional[Sequence[str]] = None, title=None) -> None:
    """What a question command does: open the graph (``open_graph``), take ``rows(g)`` and print
    them (``emit``) with the columns of the named query ``name`` (``columns``). ``title``: a
    string, or a callable of the graph, called before ``rows``."""
    g = open_graph(graph, endpoint)
    heading = title(g) if callable(title) else title
    found = rows(g)
    emit(found, columns(g, name, table, fmt), fmt, title=heading, lang=lang)


def task_heading(info: dict) -> str:
    """A task as a table's title names it: its document, number and title (kg.query.api.Graph.task)."""
    return f"{info['document']} #{info.get('task_number') or '?'} {info.get('task_title') or ''}"


def fail(message: str, code: int = 1) -> "typer.Exit":
    """Print one line to stderr and exit with ``code``."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def guarded(fn: Callable) -> Callable:
    """Turn KgError (and any unexpected error) into one line on stderr and a non-zero exit.

    Set KG_DEBUG=1 to see the traceback of an unexpected error.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except KgError as e:
            fail(str(e), e.exit_code)
        except KeyboardInterrupt:
            fail("interrupted", 130)
        except BrokenPipeError:
            quiet_pipe()
        except Exception as e:  # noqa: BLE001 - the CLI must never print a traceback
            if os.environ.get("KG_DEBUG"):
                raise
            if isinstance(e, UnicodeEncodeError) and "surrogate" in str(e):
                obj = e.object if isinstance(e.object, str) else ""
                try:
                    raw = obj[e.start:e.end].encode("utf-8", "surrogateescape")
                    bad = "bytes " + "".join(f"\\x{b:02x}" for b in raw)
                except UnicodeError:
                    bad = "lone surrogates"
                fail(f"a name or argument is not valid UTF-8 text ({bad}); "
                     "type it in UTF-8 (check the terminal's encoding), or rename the file", 2)
            fail(f"unexpected {type(e).__name__}: {e} (set KG_DEBUG=1 for the traceback)", 1)

    return wrapper


SHORT = 12  # a column whose cells are all this wide or less is never wrapped in a table


def display_width(text: str) -> int:
    from rich.cells import cell_len

    return max((cell_len(line) for line in str(text).split("\n")), default=0)


def _natural(columns, cells) -> list[int]:
    return [max([display_width(c)] + [display_width(row[j]) for row in cells]) for j, c in enumerate(columns)]


_DOC_ID = re.compile(r"^([0-9A-Za-z]+)_[0-9a-f]{16}$")


def _short_ids(cells: list[list[str]]) -> None:
    """Document ids shown by their head (000_b7f676789088e75d -> 000), a name every command takes,
    where the heads stay unique among the ids shown."""
    ids = {c for row in cells for c in row if _DOC_ID.match(c)}
    heads = {i: _DOC_ID.match(i).group(1) for i in ids}
    if len(set(heads.values())) != len(heads):
        return
    for row in cells:
        for j, c in enumerate(row):
            if c in heads:
                row[j] = heads[c]


def table_width() -> int | None:
    """The width a table is laid out for: $COLUMNS when set, else the terminal's (None)."""
    v = os.environ.get("COLUMNS", "")
    return int(v) if v.isdigit() and int(v) >= 20 else None


def quiet_pipe() -> None:
    """The reader of our output went away (``kg … | head``): stop as quietly as tools killed by
    SIGPIPE do (status 141), without a word and without Python's complaint at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    raise typer.Exit(141)


def emit(rows: Sequence[dict], columns: Sequence[str], fmt: str = "table", title: str | None = None,
         out=None, lang: str | None = None) -> None:
    """Write ``rows`` (dicts) as a rich table, JSON (a list of objects) or CSV with ``columns``;
    ``lang='zh'`` (or $KG_LANG=zh) gives Chinese headers and values (kg.i18n). CSV cells that a
    spreadsheet would run as a formula are quoted (kg.query.table.csv_safe)."""
    out = out or sys.stdout
    fmt = (fmt or "table").lower()
    if fmt not in ("json", "csv", "table"):
        raise KgError(f"unknown format {fmt!r}: use table, json or csv", 2)
    lang = language(lang)
    if fmt != "json":  # JSON is for programs: its keys and values stay as the queries name them
        columns, rows = localise(rows, list(columns), lang)
    if fmt == "json":
        out.write(json.dumps([{c: r.get(c) for c in columns} for r in rows], ensure_ascii=False, indent=2))
        out.write("\n")
    elif fmt == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({c: "" if r.get(c) is None else csv_safe(r.get(c)) for c in columns})
        out.write(buf.getvalue())
    else:
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        cells = [["" if r.get(c) is None else str(r.get(c)) for c in columns] for r in rows]
        isatty = getattr(out, "isatty", lambda: False)()
        width = table_width() or (None if isatty else 220)
        room = width or shutil.get_terminal_size((80, 24)).columns
        natural = _natural(columns, cells)
        if sum(natural) + 3 * len(natural) + 1 > room:
            _short_ids(cells)  # 000_b7f676789088e75d -> 000 where that stays unique
            natural = _natural(columns, cells)
        t = Table(title=title, show_lines=False)
        # Short columns (numbers, roles, dates, ids) keep their width; the long ones (titles, unit
        # lists) share what is left, each wrapped at a readable width rather than squeezed to a
        # few characters: 80 columns show a title of 15 characters a line, not 5
        for j, (c, n) in enumerate(zip(columns, natural)):
            ascii_only = all(display_width(row[j]) == len(row[j]) for row in cells)
            values = max([display_width(row[j]) for row in cells] or [0])
            if n <= SHORT or (ascii_only and n <= 2 * SHORT):
                if display_width(c) <= values + 2:
                    t.add_column(c, no_wrap=True, min_width=n)
                else:  # a long header over short values (task_number over 1-2 digits) may fold
                    t.add_column(c, overflow="fold", min_width=max(values, 4), ratio=1)
            else:
                t.add_column(c, overflow="fold", ratio=min(n, 60), min_width=min(n, 8))
        for row in cells:
            t.add_row(*[Text(c) for c in row])  # as text: '[province, applies]' is no markup
        # piped output gets a wide page instead of rich's 80 columns, so Chinese names don't fold
        console = Console(file=out, soft_wrap=False, width=width)
        console.print(t)
        need = sum(natural) + 3 * len(natural) + 1
        if isatty and console.width < need and fmt == "table":
            sys.stderr.write(f"(the table is {need} columns wide and the terminal {console.width}: "
                             "--format csv or --format json give whole cells)\n")


def as_list(values: Iterable[str] | None) -> list[str]:
    return list(values or [])

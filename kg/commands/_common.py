"""Shared CLI plumbing: one-line errors, and table / json / csv output."""
from __future__ import annotations

import csv
import functools
import io
import json
import os
import sys
from typing import Callable, Iterable, Sequence

import typer

from kg.errors import KgError


GRAPH_HELP = "A built graph directory (kg build … --out DIR). Default: ./out, or $KG_GRAPH."
ENDPOINT_HELP = "A SPARQL 1.1 endpoint URL to ask instead of a local graph, or $KG_ENDPOINT."
FORMAT_HELP = "table (default), json or csv."

GraphOpt = typer.Option(None, "--graph", "-g", help=GRAPH_HELP, envvar="KG_GRAPH")
EndpointOpt = typer.Option(None, "--endpoint", "-e", help=ENDPOINT_HELP, envvar="KG_ENDPOINT")
FormatOpt = typer.Option("table", "--format", "-f", help=FORMAT_HELP)


def open_graph(graph=None, endpoint=None):
    """The kg.api.Graph that the --graph DIR / --endpoint URL pair names."""
    from kg.api import Graph

    return Graph.from_options(graph, endpoint)


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
         out=None) -> None:
    """Write ``rows`` (dicts) as a rich table, JSON (a list of objects) or CSV with ``columns``."""
    out = out or sys.stdout
    fmt = (fmt or "table").lower()
    if fmt == "json":
        out.write(json.dumps([{c: r.get(c) for c in columns} for r in rows], ensure_ascii=False, indent=2))
        out.write("\n")
    elif fmt == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({c: "" if r.get(c) is None else r.get(c) for c in columns})
        out.write(buf.getvalue())
    elif fmt == "table":
        from rich.console import Console
        from rich.table import Table

        t = Table(title=title, show_lines=False)
        for c in columns:
            t.add_column(c, overflow="fold")
        for r in rows:
            t.add_row(*["" if r.get(c) is None else str(r.get(c)) for c in columns])
        isatty = getattr(out, "isatty", lambda: False)()
        # piped output gets a wide page instead of rich's 80 columns, so Chinese names don't fold
        Console(file=out, soft_wrap=False, width=None if isatty else 220).print(t)
    else:
        raise KgError(f"unknown format {fmt!r}: use table, json or csv", 2)


def as_list(values: Iterable[str] | None) -> list[str]:
    return list(values or [])

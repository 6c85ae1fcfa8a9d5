"""The ``kg`` command: a thin layer over the library (see README for every command)."""
from __future__ import annotations

import typer

from kg.cli import ask, build, reports, tables, trace, units, viz
from kg.version import __version__

app = typer.Typer(
    name="kg",
    help="DutyGraph: turn implementation plans and annual reports into a knowledge graph of duties.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Each module registers its commands; modules import heavy libraries only inside commands.
for _group in (build, units, ask, trace, viz, reports, tables):
    _group.register(app)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kg (DutyGraph) {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """DutyGraph: turn implementation plans and annual reports into a knowledge graph of duties."""


def main() -> None:  # console-script entry point
    import sys

    try:
        app()
        code = 0
    except SystemExit as e:
        code = e.code
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # `kg … | head`: the reader left; say nothing (kg.cli.common.quiet_pipe)
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 141
    sys.exit(code)



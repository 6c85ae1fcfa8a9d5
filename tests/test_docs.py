"""README.md against the code, in the manner of sqlite-utils' tests/test_docs.py.

- every command of the ``kg`` typer app (``kg.cli.app``) is named in README and has help text;
- README's examples run: each ```python block as a script, and each ``$ kg …`` line of a
  ```console block through typer's CliRunner (exit code 0), in a folder holding corpus/.

An example that should not run is marked by the line ``<!-- docs-test: skip -->`` just above
its block (use it sparingly: for what needs a server or a network).
"""
from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from kg.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SKIP = "<!-- docs-test: skip -->"
BLOCK = re.compile(r"(?P<before>[^\n]*)\n```(?P<lang>\w+)\n(?P<body>.*?)\n```", re.S)
COMMANDS = typer.main.get_command(app).commands


def blocks(lang: str) -> list[str]:
    """README's fenced blocks of ``lang`` that are not marked to skip."""
    return [m["body"] for m in BLOCK.finditer(README) if m["lang"] == lang and m["before"].strip() != SKIP]


CONSOLE = [line[2:] for b in blocks("console") for line in b.splitlines() if line.startswith("$ kg ")]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_is_in_readme(name):
    assert re.search(r"`(kg )?" + re.escape(name) + r"[ `]", README), f"kg {name} is not in README.md"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_has_help(name):
    cmd = COMMANDS[name]
    assert (cmd.help or cmd.short_help or "").strip(), f"kg {name} has no help text"


def test_readme_has_examples_and_its_set_up_commands_first():
    assert README.split("\n")[2].split()[:2] == ["make", "demo"]
    assert README.split("\n")[3].split()[:2] == ["make", "test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")  # CI runs README's test command
    assert CONSOLE and blocks("python")
    assert len(README.splitlines()) <= 420


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """A folder holding corpus/ (the bundled corpus), where the examples run."""
    d = tmp_path_factory.mktemp("docs")
    (d / "corpus").symlink_to(ROOT / "corpus")
    old = os.getcwd()
    os.chdir(d)
    yield d
    os.chdir(old)


def test_console_examples_run(work):
    runner = CliRunner()
    for line in CONSOLE:  # in order: the first builds ./out
        r = runner.invoke(app, shlex.split(line)[1:])
        assert r.exit_code == 0, f"{line}\n{r.output}"


@pytest.mark.parametrize("n", range(len(blocks("python"))))
def test_python_examples_run(work, n):
    code = blocks("python")[n]
    exec(compile(code, f"README.md python block {n + 1}", "exec"), {"__name__": "readme"})


def _resolves(dotted: str) -> bool:
    """Whether ``dotted`` (kg.x.y.name) names a module of the library or something in one."""
    import importlib

    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for name in parts[i:]:
            if not hasattr(obj, name):
                return False
            obj = getattr(obj, name)
        return True
    return False


def test_every_library_name_the_docs_give_exists():
    """README, PERFORMANCE.md and docs/ name modules and calls (kg.build.optimize.optimize …): each
    is there, so a module moved leaves no stale name behind (README once said kg.store.optimize)."""
    missing = []
    for f in [ROOT / "README.md", ROOT / "PERFORMANCE.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for m in re.finditer(r"(?<![\w/.])kg(?:\.[A-Za-z_]\w*)+", f.read_text(encoding="utf-8")):
            if not _resolves(m.group(0)):
                missing.append(f"{f.name}: {m.group(0)}")
    assert not missing, missing
    assert not _resolves("kg.store.optimize") and _resolves("kg.build.optimize.optimize")

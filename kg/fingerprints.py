"""The code fingerprints of the build's stages: what each cached thing was made by.

A stage's fingerprint hashes the files of the kg modules it runs, found from its root modules by
following their kg imports (read from the source, so an import added or moved is followed at once: the
list cannot go stale), the files of kg/data/ (the tables the stages read), the Python version and
the versions of LIBRARIES. An edit outside a stage (kg/viz, kg/query …) leaves its fingerprint,
and what was cached under it, alone.

- ``parse``: a parsed document and its units read (the build's document cache, kg.build.cache.DocCache):
  kg/read, kg/parse, kg/resolve (its org ids are filled when read), kg/model.py, kg/vocab.py and
  whatever they import, and the build step that runs them (kg/build/steps.py, the file alone);
- ``graph``: the parse stage's and kg/link, kg/rdf: the named graphs' fingerprints and the aligned pairs;
- ``build``: the whole kg package (whatever a build, and the quick update it may make, could run): a
  quick update's state.

A module imported by name (``from kg.parse import titles``) counts, not its package's __init__:
the stages' own packages are roots, and the package inits above them decide no stage's output.
"""
from __future__ import annotations

import hashlib
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Optional

FORMAT = 5  # bump when the fingerprints' recipe changes
PACKAGE = Path(__file__).resolve().parent  # kg/
# The libraries whose output a build keeps: their versions are part of every fingerprint.
LIBRARIES = ("pyoxigraph", "jieba", "pypinyin", "python-docx", "pdfplumber", "pdfminer.six", "rank-bm25",
             "numpy", "scipy", "lxml")
# Each stage's roots: kg modules or packages (a package stands for every module in it).
PARSE_ROOTS = ("kg.read", "kg.parse", "kg.resolve", "kg.model", "kg.vocab")
# Modules hashed without following their imports: the build's parse step (parse_source and the
# parse worker live in kg.build.steps, whose imports reach the whole build).
PARSE_STEP = ("kg.build.steps",)
STAGES = {
    "parse": PARSE_ROOTS,
    "graph": PARSE_ROOTS + ("kg.link", "kg.rdf"),
    "build": ("kg",),  # the whole package
}


def modules(root: Optional[Path] = None) -> dict[str, Path]:
    """Every module of the kg package at ``root`` (default: this one), by dotted name."""
    root = Path(root) if root is not None else PACKAGE
    out = {}
    for p in sorted(root.rglob("*.py")):
        if "__pycache__" in p.parts:
            continue
        parts = ["kg", *p.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = p
    return out


# An import statement, anywhere in a file (indented, after a ; or a :), as the text of its names:
# ``import a.b as c, d`` or ``from .x import (y, z)``, parenthesised over lines or continued by a
# backslash. A match inside a string only adds a module (a fingerprint a little broader).
_IMPORT = re.compile(r"(?:^|[;:])[ \t]*(?:from(?:[ \t]|\\\n)+(?P<base>\.*[\w.]*)(?:[ \t]|\\\n)+import[ \t]+"
                     r"(?P<names>\([^)]*\)|(?:[^\n\\#;]|\\\n)*)|import[ \t]+(?P<mods>(?:[^\n\\#;]|\\\n)+))", re.M)


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The kg modules that module ``name`` (file ``path``) imports, anywhere in it: read with a
    regular expression (_IMPORT), in 7 ms for the package where ast took 0.2 s; what ast finds,
    and more only where a string holds an import statement (tested on every module of the package
    and on crafted forms)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for m in _IMPORT.finditer(path.read_text(encoding="utf-8")):
        if m["mods"] is not None:
            found.update(a.split()[0] for a in m["mods"].replace("\\\n", " ").split(",") if a.strip())
            continue
        base = m["base"]
        level = len(base) - len(base.lstrip("."))
        base = base[level:]
        if level:
            up = package.split(".")[: len(package.split(".")) - level + 1]
            base = ".".join(up + ([base] if base else []))
        for a in re.sub(r"#[^\n]*", "", m["names"]).strip("()").replace("\\\n", " ").split(","):
            a = a.split()
            if not a:
                continue
            # a submodule imported by name, else a name of the module ``base``
            found.add(f"{base}.{a[0]}" if f"{base}.{a[0]}" in known else base)
    out = set()
    for m in found:
        while m and m not in known:  # kg.x.y.name -> kg.x.y
            m = m.rpartition(".")[0]
        if m.startswith("kg"):
            out.add(m)
    return out


@lru_cache(maxsize=4)
def import_graph(root: Path) -> tuple[dict[str, Path], dict[str, frozenset[str]]]:
    """The modules of the package at ``root`` and what each imports (read once per process and
    root: the three stages' fingerprints share it)."""
    known = modules(root)
    return known, {m: frozenset(imports(m, p, known)) for m, p in known.items()}


def stage_files(stage: str, root: Optional[Path] = None) -> list[Path]:
    """The files whose content decides what stage ``stage`` makes: its kg modules (STAGES, with
    every module they import) and the files of kg/data/ (not its subfolders: the views' assets)."""
    root = Path(root) if root is not None else PACKAGE
    known, graph = import_graph(root)
    todo = [m for r in STAGES[stage] for m in known if m == r or m.startswith(r + ".")]
    seen: set[str] = {m for m in PARSE_STEP if m in known}
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        todo.extend(graph[m] - seen)
    files = sorted(known[m] for m in seen)
    data = root / "data"
    if data.is_dir():
        files += sorted(p for p in data.iterdir() if p.is_file())
    return files


def fingerprint(stage: str, root: Optional[Path] = None) -> str:
    """A hash of the code of stage ``stage`` (stage_files), the Python version and LIBRARIES' versions."""
    from importlib import metadata

    root = Path(root) if root is not None else PACKAGE
    h = hashlib.sha256(f"format {FORMAT} stage {stage} python {sys.version_info[:3]}".encode())
    for lib in LIBRARIES:
        try:
            h.update(f"{lib} {metadata.version(lib)}\0".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{lib} -\0".encode())
    for p in stage_files(stage, root):
        h.update(p.relative_to(root).as_posix().encode() + b"\0")
        h.update(p.read_bytes())
    return h.hexdigest()


@lru_cache(maxsize=None)
def parse_fingerprint() -> str:
    """The parse stage's fingerprint (see the module's docstring): a cached document's."""
    return fingerprint("parse")


@lru_cache(maxsize=None)
def graph_fingerprint() -> str:
    """The graph stage's fingerprint: a named graph's and an aligned pair's."""
    return fingerprint("graph")


@lru_cache(maxsize=None)
def build_fingerprint() -> str:
    """The whole build's fingerprint: a quick update's state."""
    return fingerprint("build")

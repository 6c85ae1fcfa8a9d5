"""The code's layout, read with ast: kg modules import each other at module level, with no cycle,
use no private name of another module, and stay small (issue 22: "one pipeline you can see")."""
from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

KG = Path(__file__).resolve().parent.parent / "kg"
MAX_LINES = 420  # "about 400"


def _modules() -> dict[str, Path]:
    out = {}
    for p in sorted(KG.rglob("*.py")):
        if "__pycache__" in p.parts:
            continue
        parts = list(p.relative_to(KG.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = p
    return out


MODULES = _modules()


def _imports(name: str, path: Path):
    """(imported kg module, names taken from it, inside a function?, line) for each kg import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    inner = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for sub in ast.walk(node):
                if isinstance(sub, (ast.Import, ast.ImportFrom)):
                    inner.add(id(sub))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name == "kg" or a.name.startswith("kg."):
                    yield a.name, [], id(node) in inner, node.lineno, a.asname
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            if base != "kg" and not base.startswith("kg."):
                continue
            for a in node.names:
                sub = f"{base}.{a.name}"
                if sub in MODULES:  # a submodule
                    yield sub, [], id(node) in inner, node.lineno, a.asname or a.name
                else:
                    yield base, [a.name], id(node) in inner, node.lineno, None


def _edges():
    for name, path in MODULES.items():
        for target, names, inner, line, alias in _imports(name, path):
            yield name, path, target, names, inner, line, alias


def test_imports_of_kg_modules_are_at_module_level():
    inside = [f"{p.relative_to(KG.parent)}:{line} imports {t} inside a function"
              for n, p, t, names, inner, line, _ in _edges() if inner]
    assert not inside, "\n".join(inside)


def test_no_import_cycle_among_kg_modules():
    g = nx.DiGraph()
    g.add_nodes_from(MODULES)
    for n, _, t, _, _, _, _ in _edges():
        if t in MODULES and t != n:
            g.add_edge(n, t)
    # A package's __init__ imports its submodules; a submodule that imports a name from its
    # package's __init__ (``from kg import __version__``) closes a cycle, and counts as one.
    cycles = [c for c in nx.strongly_connected_components(g) if len(c) > 1]
    assert not cycles, "import cycles: " + "; ".join(" ↔ ".join(sorted(c)) for c in cycles)


def test_no_private_name_is_used_across_modules():
    bad = []
    for n, p, t, names, _, line, alias in _edges():
        bad += [f"{p.relative_to(KG.parent)}:{line} imports {t}.{x}" for x in names
                if x.startswith("_") and not x.startswith("__")]
    for name, path in MODULES.items():
        aliases = {alias: t for n, _, t, names, _, _, alias in _edges() if n == name and alias and not names}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in aliases and node.attr.startswith("_")
                    and not node.attr.startswith("__")):
                bad.append(f"{path.relative_to(KG.parent)}:{node.lineno} uses {aliases[node.value.id]}.{node.attr}")
    assert not bad, "\n".join(sorted(set(bad)))


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_is_small(name):
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{MODULES[name].relative_to(KG.parent)} has {lines} lines (at most about 400)"

#!/usr/bin/env python3
"""How fast the graph answers questions (not a test: tests do not time things).

    .venv/bin/python bench/bench_query.py                 # builds the bundled corpus into a temp dir
    .venv/bin/python bench/bench_query.py --graph out     # an existing build (e.g. the national one)

Measures, for `tasks-of` (the unit defaults to the busiest unit of the graph):
- warm: Graph.tasks_of in a process that has the graph open (median and p95 of --runs calls);
  target under 5 ms on the bundled corpus, under 50 ms on the national-scale corpus;
- cold: `kg tasks-of UNIT --graph DIR --format json` as a whole new process (median of --cold runs);
  target under 1.5 s on the bundled corpus;
- import: `python -X importtime -c "import kg.cli"`, the slowest top-level imports.
Prints a Markdown table (paste it into README's speed section).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build_corpus(out: Path) -> float:
    import kg

    t = time.perf_counter()
    kg.build([ROOT / "corpus"], out)
    return time.perf_counter() - t


def warm(graph_dir: Path, unit: str | None, runs: int) -> tuple[str, int, list[float]]:
    from kg.query.api import Graph

    g = Graph.open(graph_dir)
    if unit is None:
        unit = g.workload(top=1)[0]["unit"]
    rows = g.tasks_of(unit)  # first call: parses the query file, warms the store's caches
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        g.tasks_of(unit)
        times.append(time.perf_counter() - t)
    return unit, len(rows), times


def cold(graph_dir: Path, unit: str, runs: int) -> list[float]:
    kg_bin = Path(sys.executable).parent / "kg"
    cmd = [str(kg_bin)] if kg_bin.exists() else [sys.executable, "-m", "kg.cli"]
    cmd += ["tasks-of", unit, "--graph", str(graph_dir), "--format", "json"]
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - t)
    return times


def import_costs(top: int = 8) -> list[tuple[int, str]]:
    """(cumulative microseconds, module): `import kg.cli`, then its slowest direct imports."""
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import kg.cli"], capture_output=True,
                         text=True, cwd=ROOT)
    rows = []
    for line in out.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _self, cum, name = line[len("import time:"):].split("|")
        depth = (len(name) - len(name.lstrip()) - 1) // 2  # one space for top level, two more per level
        rows.append((int(cum), name.strip(), depth))
    total = next((c for c, n, _ in rows if n == "kg.cli"), 0)
    tops = sorted(((c, n) for c, n, d in rows if d == 1), reverse=True)[:top]
    return [(total, "kg.cli")] + tops


def ms(x: float) -> str:
    return f"{x * 1000:.1f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--graph", type=Path, help="A built graph directory (default: build the bundled corpus).")
    ap.add_argument("--unit", help="The unit to ask about (default: the busiest unit).")
    ap.add_argument("--runs", type=int, default=200, help="Warm calls.")
    ap.add_argument("--cold", type=int, default=5, help="Cold command runs.")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        graph_dir = args.graph
        lines = []
        if graph_dir is None:
            graph_dir = Path(tmp) / "out"
            lines.append(f"| build the bundled corpus | {build_corpus(graph_dir):.2f} s |")
        unit, n, w = warm(graph_dir, args.unit, args.runs)
        w.sort()
        c = cold(graph_dir, unit, args.cold)
        imports = import_costs()
        print(f"tasks-of {unit!r} on {graph_dir if args.graph else 'the bundled corpus'}: {n} rows\n")
        print("| measure | time |\n|---|---|")
        for line in lines:
            print(line)
        print(f"| warm tasks-of, median of {len(w)} | {ms(statistics.median(w))} |")
        print(f"| warm tasks-of, p95 | {ms(w[int(len(w) * 0.95) - 1])} |")
        print(f"| cold `kg tasks-of` command, median of {len(c)} | {statistics.median(c):.2f} s |")
        print(f"| `import kg.cli` | {imports[0][0] / 1000:.0f} ms |")
        print("\nslowest imports behind `import kg.cli` (cumulative):")
        for cum, name in imports[1:]:
            print(f"  {cum / 1000:7.1f} ms  {name}")


if __name__ == "__main__":
    main()

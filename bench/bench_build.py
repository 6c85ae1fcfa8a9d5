#!/usr/bin/env python3
"""How long `kg build corpus/ --out DIR` takes, end to end, and where the graph stage spends it.

    python bench/bench_build.py [PATH] [--runs 5]

Runs the installed CLI (`python -m kg.cli build PATH --out TMP --full`) in a fresh process each
time (cold imports included, a clean build: no cache), and reports the median wall time (target:
under 3 s for the bundled corpus). Then, in this process: corpus → sorted N-Triples lines, Turtle and N-Quads
(kg.build.sink.emit), the pyoxigraph store, and the triple count. Prints one line per figure; the lead copies them.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("path", nargs="?", default=str(ROOT / "corpus"))
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()

    times = []
    for i in range(a.runs):
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            r = subprocess.run([sys.executable, "-m", "kg.cli", "build", a.path, "--out", f"{tmp}/out", "--full"],
                               capture_output=True, text=True, cwd=ROOT)
            times.append(time.perf_counter() - t)
            if r.returncode:
                print(r.stderr.strip() or r.stdout.strip())
                return 1
    print(f"kg build {a.path} (clean, cold process): median {statistics.median(times):.2f} s "
          f"(min {min(times):.2f}, max {max(times):.2f}, {a.runs} runs; target < 3 s)")

    import pyoxigraph as ox

    from kg.build import sink as S
    from kg.rdf import graphs as G
    from kg.build.pipeline import assemble, parse_paths

    t = time.perf_counter()
    corpus = assemble(parse_paths([a.path]))
    t_front = time.perf_counter() - t
    counts: dict = {}
    t = time.perf_counter()
    n = sum(len(v) for _, v in G.iter_blocks(corpus, counts))
    t_lines = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        nq, ttl = Path(tmp) / "g.nq", Path(tmp) / "graph.ttl"
        t = time.perf_counter()
        with open(ttl, "wb") as f_ttl, open(nq, "wb") as f_nq:
            S.emit(corpus, f_ttl, f_nq)
        t_emit = time.perf_counter() - t
        size = ttl.stat().st_size
        t = time.perf_counter()
        st = ox.Store(f"{tmp}/store")
        st.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
        st.flush()
        del st
        t_store = time.perf_counter() - t
    print(f"parse+resolve+link (warm, in process): {t_front:.2f} s")
    print(f"graph: {n} triples, {size / 1e6:.2f} MB Turtle; sorted N-Triples lines {t_lines:.3f} s, "
          f"lines + Turtle + N-Quads {t_emit:.3f} s, store bulk_load {t_store:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

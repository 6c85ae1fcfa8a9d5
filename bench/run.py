#!/usr/bin/env python3
"""Benchmarks of every stage on a synthetic national cascade, with references from the same run.

    python bench/run.py --plans 3200 --readme PERFORMANCE.md   # what `make bench` runs
    python bench/run.py --plans 300                          # the quick run (`make bench PLANS=300`)

Generates N plans with bench/generate.py, then runs each stage in its own subprocess:

    parse      read + clean + parse (parallel over cores)  | ref: a plain regex scan of the same text
    parse-1    the same in one process (the outputs must be equal)
    resolve    units -> organisations
    align      parents, task alignments
    graph      Corpus -> graph.ttl + N-Quads, graph by graph    | as kg build streams them
    store      N-Quads -> pyoxigraph store (bulk_load)      | ref: bulk_load of the same triples as N-Triples
    build      `kg build` end to end (the CLI)               | target < 120 s and < 4 GB at 3,200 plans
    query      the named query set through kg.query.api            | ref: the same SPARQL straight on pyoxigraph
    render     the largest view as a pyvis HTML page
    rebuild    `kg build` again after one document changed   | target < 2 s; output == a clean build

Peak memory is sampled from /proc every 0.5 s (reading PSS of a large process costs CPU): the summed PSS of the stage's process tree (the
stage process and its workers; pages shared after a fork count once), so it is what the machine
had to hold at once.
Intermediate records go between stages as pickles (untimed). Results are printed as a table and,
with --readme, written into that file (PERFORMANCE.md) between ``<!-- bench:start -->`` and ``<!-- bench:end -->``.
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

START, END = "<!-- bench:start -->", "<!-- bench:end -->"
STAGES = ("parse", "parse-1", "resolve", "align", "graph", "store", "build", "query", "render", "rebuild",
          "seeds")


# ============================================================================ measuring helpers

# A stage whose process tree holds more than this is stopped (the machine is shared).
MAX_RSS = float(os.environ.get("BENCH_MAX_RSS_GB", "8")) * 1e9


def _tree_pids(root: int) -> list[int]:
    kids: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as f:
                    stat = f.read()
                kids.setdefault(int(stat[stat.rindex(b")") + 2:].split()[1]), []).append(int(name))
            except (OSError, ValueError, IndexError):
                continue
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(kids.get(pid, ()))
    return out


# memory sampling period: PSS of a 2 GB process takes milliseconds to read; at 0.2 s, sampling a
# national build (three large processes) took a tenth of a core from the build it measured
SAMPLE_SECS = 0.5


def _pss(pid: int) -> int | None:
    """Proportional set size (bytes) of ``pid``: its private pages plus its share of pages shared
    with other processes (forked workers share the parent's), from /proc/PID/smaps_rollup."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _tree_rss(root: int) -> int:
    """Memory (bytes) of ``root`` and its descendants, from /proc: the summed PSS, so pages that
    forked workers share with the parent count once; the summed RSS where PSS is not available."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
            fields = stat[stat.rindex(b")") + 2:].split()
            parents[int(name)] = int(fields[1])
            rss[int(name)] = int(fields[21]) * page
        except (OSError, ValueError, IndexError):
            continue
    total, todo = 0, [root]
    kids: dict[int, list[int]] = {}
    for pid, ppid in parents.items():
        kids.setdefault(ppid, []).append(pid)
    while todo:
        pid = todo.pop()
        if pid in rss:
            pss = _pss(pid)
            total += pss if pss is not None else rss[pid]
        todo.extend(kids.get(pid, ()))
    return total


def run_measured(cmd: list[str], env: dict | None = None, cwd: Path = ROOT,
                 timeout: float | None = None) -> tuple[float, int, str]:
    """Run ``cmd``; return (wall seconds, peak summed RSS of its process tree in bytes, stdout)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd)
    peak = [0]
    over = [False]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            if peak[0] > MAX_RSS:  # keep the machine alive: stop a stage that would exhaust memory
                over[0] = True
                for pid in _tree_pids(proc.pid):
                    try:
                        os.kill(pid, 9)
                    except OSError:
                        pass
                return
            done.wait(SAMPLE_SECS)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        done.set()
        raise RuntimeError(f"timed out after {timeout:.0f} s") from None
    wall = time.perf_counter() - t0
    done.set()
    th.join()
    if over[0]:
        raise RuntimeError(f"stopped at {MAX_RSS / 1e9:.0f} GB of memory (process tree RSS) after {wall:.0f} s")
    if proc.returncode != 0:
        tail = err.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise RuntimeError(f"{' '.join(cmd[:4])}… exited {proc.returncode}: {' | '.join(tail)}")
    return wall, peak[0], out.decode("utf-8", "replace")


def stage_cmd(stage: str, work: Path, corpus: Path) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--stage", stage, "--work", str(work),
            "--corpus", str(corpus)]


def clock() -> float:
    return time.perf_counter()


def dump(obj, path: Path) -> None:
    with open(path, "wb") as f:
        pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)


def load(path: Path):
    with open(path, "rb") as f:
        return pickle.load(f)


def corpus_files(corpus: Path) -> list[str]:
    from kg.read.files import list_files

    return list_files([str(corpus)])


def n_tasks(docs) -> int:
    return sum(len(d.tasks) + len(d.measures) for d in docs)


# ============================================================================ stages (subprocess side)
# Each returns a dict of figures; the parent adds wall time and peak memory.

REF_SCAN = re.compile(
    r"(?m)^[ \t\u3000]*(?:\d+[．.、]|[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、)"
    r"|(?:牵头|配合|参加|协办|责任)(?:单位|部门)[:：][^）］)\]\n]*"
    r"|\d{4}\s*年(?:\d{1,2}月)?(?:年?底)?前"
    r"|《[^》\n]*》")


def _regex_scan(files: list[str]) -> tuple[float, int]:
    """The parse reference: read the same bytes, decode, and scan them with one regex of the
    genre's marks. Returns (seconds, hits)."""
    t = clock()
    hits = 0
    for f in files:
        with open(f, "rb") as fh:
            text = fh.read().decode("utf-8-sig")
        hits += sum(1 for _ in REF_SCAN.finditer(text))
    return clock() - t, hits


PARSE_RUNS = 3  # parse and reference alternate this many times; the best of each counts
REBUILDS = 5  # incremental rebuilds in a row (odd: the last leaves the plan changed)


def parse_only(corpus: Path) -> list:
    """The documents of ``corpus`` parsed, in parallel where kg build parses in parallel. Parsing
    alone: kg build's parse workers also read each document's units (kg.resolve.entities.read), which the
    resolve stage measures."""
    from kg.build import parallel
    from kg.build import steps as pipeline
    from kg.read.files import list_files

    files = list_files([str(corpus)])
    size = sum(os.path.getsize(f) for f in files)
    with parallel.no_gc():  # as kg.build.pipeline.read_paths parses
        return parallel.pmap(pipeline.parse_file, files,
                             parallel.workers(size, pipeline.PARALLEL_MIN_BYTES, len(files)))


def st_parse(work: Path, corpus: Path) -> dict:
    """Parse (as kg build does: parallel where it pays) and the regex reference, alternated
    PARSE_RUNS times so that both see the same machine load; the best time of each is kept."""
    from kg.build import parallel
    from kg.build import steps as pipeline
    files = corpus_files(corpus)
    size = sum(os.path.getsize(f) for f in files)
    secs, ref = [], []
    for _ in range(PARSE_RUNS):
        t = clock()
        docs = parse_only(corpus)
        secs.append(clock() - t)
        r, hits = _regex_scan(files)
        ref.append(r)
    dump(docs, work / "docs.pkl")
    return {"secs": min(secs), "bytes": size, "docs": len(docs), "tasks": n_tasks(docs),
            "workers": parallel.workers(size, pipeline.PARALLEL_MIN_BYTES, len(files)), "ref_secs": min(ref),
            "ref_hits": hits, "runs": PARSE_RUNS}


def st_parse1(work: Path, corpus: Path) -> dict:
    os.environ["KG_WORKERS"] = "1"
    files = corpus_files(corpus)
    size = sum(os.path.getsize(f) for f in files)
    t = clock()
    docs = parse_only(corpus)
    secs = clock() - t
    same = docs == load(work / "docs.pkl")
    return {"secs": secs, "bytes": size, "docs": len(docs), "tasks": n_tasks(docs), "same": same}


def st_resolve(work: Path, corpus: Path) -> dict:
    from kg.resolve import entities as resolve
    docs = load(work / "docs.pkl")
    mentions = sum(len(t.units) for d in docs for t in d.tasks) + sum(
        len(m.units) for d in docs for m in d.measures)
    t = clock()
    orgs = resolve.resolve(docs, overrides=None)
    secs = clock() - t
    dump((docs, orgs), work / "resolved.pkl")
    return {"secs": secs, "mentions": mentions, "orgs": len(orgs), "tasks": n_tasks(docs)}


def st_align(work: Path, corpus: Path) -> dict:
    from kg.link import align as link
    from kg.model import Corpus

    docs, orgs = load(work / "resolved.pkl")
    c = Corpus(documents=docs, organisations=orgs)
    t = clock()
    link.link(c, overrides=None)
    secs = clock() - t
    dump(c, work / "corpus.pkl")
    return {"secs": secs, "tasks": n_tasks(docs), "alignments": len(c.alignments),
            "parents": sum(1 for d in docs for p in d.parents if p.document_id)}


def st_graph(work: Path, corpus: Path) -> dict:
    """Corpus -> graph.ttl and N-Quads, streamed graph by graph, as kg build does it (kg.build.sink.emit)."""
    from kg.build import sink
    from kg.rdf import graphs as graph
    c = load(work / "corpus.pkl")
    counts: dict = {}
    t = clock()
    n = sum(len(lines) for _, lines in graph.iter_blocks(c, counts))
    lines_secs = clock() - t
    t = clock()
    with open(work / "graph.ttl", "wb") as ttl, open(work / "graph.nq", "wb") as nq:
        _state, _counts, n = sink.emit(c, ttl, nq)
    secs = clock() - t
    return {"secs": secs, "triples": n, "lines_secs": lines_secs, "bytes": (work / "graph.nq").stat().st_size,
            "ttl_bytes": (work / "graph.ttl").stat().st_size}


def st_store(work: Path, corpus: Path) -> dict:
    """The store load as kg build does it (kg.build.loader.Loader: a child process bulk-loads the
    streamed N-Quads, one named graph per document, region, ..., with the allocator
    kg.build.loader.allocator() finds); reference: pyoxigraph bulk_load, in this process, of the same
    triples as N-Triples (no graph names), written out untimed."""
    import pyoxigraph as ox

    from kg.build.loader import Loader, allocator

    n = 0
    with open(work / "graph.nq", "rb") as src, open(work / "graph.nt", "wb") as dst:
        for line in src:  # "<s> <p> o <g> .": drop the graph name
            dst.write(line[:line.rindex(b" <")] + b" .\n")
            n += 1
    t = clock()
    with Loader(work / "store") as loader, open(work / "graph.nq", "rb") as src:
        while data := src.read(1 << 20):
            loader.file.write(data)
    secs = clock() - t
    t = clock()
    ref = ox.Store(str(work / "ref-store"))
    ref.bulk_load(path=str(work / "graph.nt"), format=ox.RdfFormat.N_TRIPLES)
    ref.flush()
    ref_secs = clock() - t
    return {"secs": secs, "triples": n, "ref_secs": ref_secs, "allocator": allocator() or "the C library's"}


BUSY_UNIT = "市司法局"  # as written in every generated city plan (bench/generate.py): a busy label


def query_set(g) -> list[tuple[str, dict]]:
    """The named queries, with parameters from the generated corpus (a busy label, a district plan)."""
    docs = [d["document"] for d in g.documents()]
    child = g.resolve_doc(next((d for d in docs if "district" in d), docs[-1]))
    parents = sorted(r["parent_doc"] for r in g.query("parent-docs", doc=child))
    parent = parents[0] if parents else child
    return [
        ("tasks-of", {"label": BUSY_UNIT}),
        ("tasks-of", {"label": BUSY_UNIT, "role": "lead"}),
        ("units-of", {"task": child + "/t/t1"}),
        ("due-before", {"before": "2023-12-31"}),
        ("overdue", {"on": "2024-06-30"}),
        ("shared", {"label_a": BUSY_UNIT, "label_b": "市财政局"}),
        ("no-lead", {"doc": child}),
        ("tasks-per-section", {"doc": child}),
        ("parent-chain", {"task": child + "/t/t1"}),
        ("coverage", {"child_doc": child, "parent_doc": parent}),
        ("organisations", {}),
        ("workload", {}),
    ]


def st_query(work: Path, corpus: Path) -> dict:
    from kg.query import queries as Q
    from kg.query.api import Graph
    import pyoxigraph as ox

    out = work / "out"
    g = Graph.open(out)
    plan = []
    for name, params in query_set(g):
        try:
            q = g.named(name)
        except Exception:  # noqa: BLE001 - a query file not there: skip it
            continue
        params = {k: v for k, v in params.items() if q.param(k)}
        plan.append((name, params, q))
    store = g.backend.store
    # the reference replays the very SPARQL the API sent (text + bound terms), straight on pyoxigraph
    sent: list = []
    select = g.backend.select

    def recording(text, bindings):
        sent.append((text, bindings))
        return select(text, bindings)

    g.backend.select = recording
    each = []
    for name, params, q in plan:
        sent.clear()
        t = clock()
        rows = len(g.query(name, **params))
        secs = clock() - t
        if getattr(g.backend, "binding", "substitutions") == "values":  # as kg.query.api.LocalBackend binds
            calls = [(Q.inject_values(text, b), None) for text, b in sent]
        else:
            calls = [(text, {ox.Variable(k): v.oxigraph() for k, v in b.items()} or None) for text, b in sent]
        t = clock()
        ref_rows = 0
        for text, subs in calls:
            res = store.query(text, use_default_graph_as_union=True, substitutions=subs)
            names = [v.value for v in res.variables]
            ref_rows += len([[sol[n] for n in names] for sol in res])
        ref = clock() - t
        each.append({"name": name, "secs": secs, "ref_secs": ref, "rows": rows, "ref_rows": ref_rows})
        (work / "query-partial.json").write_text(json.dumps(each))  # read back if the stage times out
        print(f"  query {name}: {secs * 1000:.1f} ms, direct {ref * 1000:.1f} ms, {rows} rows", file=sys.stderr,
              flush=True)
    g.backend.select = select
    from bench_query import warm

    unit, n, times = warm(out, BUSY_UNIT, 50)
    times.sort()
    return {"secs": sum(e["secs"] for e in each), "ref_secs": sum(e["ref_secs"] for e in each),
            "queries": len(each), "rows": sum(e["rows"] for e in each), "each": each,
            "tasks_of_ms": times[len(times) // 2] * 1000, "tasks_of_unit": unit, "tasks_of_rows": n}


def st_render(work: Path, corpus: Path) -> dict:
    """The whole-corpus view when it fits one page (kg.viz.views.MAX_NODES), else the busiest unit's
    (kg.viz.views.MAX_TASKS tasks at most; the page notes what it left out)."""
    from kg.viz import views as viz
    from kg.query.api import Graph
    from kg.errors import KgError

    g = Graph.open(work / "out")
    t = clock()
    try:
        view, which = viz.corpus_view(g), "whole corpus"
        secs = clock() - t
    except KgError:
        secs = clock() - t  # the time it took to refuse the whole corpus counts
        top = g.workload(top=1)[0]  # untimed: a query (the query stage times it)
        t = clock()
        view, which = viz.unit_view(g, top["org"]), f"busiest unit {top['unit']}, {top['total']:,} tasks"
        secs += clock() - t
    t = clock()
    viz.write(view, work / "view.html")
    secs += clock() - t
    return {"secs": secs, "nodes": len(view.nodes), "edges": len(view.edges), "which": which,
            "note": view.note, "bytes": (work / "view.html").stat().st_size}


def st_seeds(work: Path, corpus: Path) -> dict:
    """The bundled corpus: parse time (< 1 s), and warm / cold tasks-of on its build."""
    from kg.build import steps as pipeline
    from bench_query import cold, warm

    seeds = ROOT / "corpus"
    t = clock()
    docs = pipeline.parse_paths([str(seeds)])
    parse = clock() - t
    out = work / "seeds-out"
    build, _peak = kg_build(seeds, out)
    unit, n, times = warm(out, None, 200)
    times.sort()
    c = sorted(cold(out, unit, 3))
    return {"parse_secs": parse, "docs": len(docs), "tasks": n_tasks(docs), "build_secs": build,
            "warm_ms": times[len(times) // 2] * 1000, "cold_secs": c[len(c) // 2]}


STAGE_FUNCS = {"parse": st_parse, "parse-1": st_parse1, "resolve": st_resolve, "align": st_align,
               "graph": st_graph, "store": st_store, "query": st_query, "render": st_render,
               "seeds": st_seeds}


# ============================================================================ driver (parent side)

def kg_build(corpus: Path, out: Path, extra: list[str] | None = None) -> tuple[float, int]:
    """`kg build` as a new process (the library's build() while the command is not there)."""
    if (ROOT / "kg" / "commands" / "build.py").exists():
        cmd = [sys.executable, "-m", "kg.cli", "build", str(corpus), "--out", str(out), *(extra or [])]
    else:
        cmd = [sys.executable, "-c", f"import kg; kg.build([{str(corpus)!r}], {str(out)!r})"]
    wall, peak, _ = run_measured(cmd, timeout=1800)
    return wall, peak


def same_outputs(a: Path, b: Path) -> list[str]:
    """Output files that differ between two build directories (the store compared as quads)."""
    diff = []
    for name in ("graph.ttl", "diagnostics.json", "manifest.json"):
        pa, pb = a / name, b / name
        if pa.exists() != pb.exists() or (pa.exists() and pa.read_bytes() != pb.read_bytes()):
            diff.append(name)
    return diff


def touch_one(corpus: Path) -> tuple[Path, str]:
    """Change one city plan (a parent of others): one more task. Returns (its path, its text before)."""
    files = sorted(corpus.glob("*_city.txt")) or sorted(corpus.glob("*.txt"))
    path = files[0]
    before = text = path.read_text(encoding="utf-8")
    text = text.replace("三、组织保障", "    99．开展法治政府建设年度评估。每年组织一次评估。"
                        "（牵头单位：市司法局；配合单位：市统计局）\n\n    三、组织保障", 1)
    path.write_text(text, encoding="utf-8")
    return path, before


def mb(n: float) -> str:
    return f"{n / 1e6:.0f} MB" if n < 1e9 else f"{n / 1e9:.2f} GB"


def fmt(x: float, unit: str) -> str:
    if x >= 100:
        return f"{x:,.0f} {unit}"
    return f"{x:.1f} {unit}" if x >= 10 else f"{x:.2f} {unit}"


class Table:
    def __init__(self):
        self.rows: list[list[str]] = []
        self.notes: list[str] = []

    def add(self, stage, measured, peak="", reference="", ratio="", target="", ok=""):
        self.rows.append([stage, measured, peak, reference, ratio, target, ok])
        print(" | ".join(self.rows[-1]), flush=True)

    def markdown(self) -> str:
        head = ["stage", "measured", "peak memory", "reference", "ratio", "target", "ok"]
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(r) + " |" for r in self.rows]
        return "\n".join(lines + [""] + self.notes)


def yes(flag: bool) -> str:
    return "yes" if flag else "**no**"


def drive(plans: int, readme: Path | None, keep: Path | None, only: set[str], timeout: float = 900) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    work = keep or tmp
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / "corpus"
    table = Table()
    try:
        from generate import generate

        if corpus.exists():
            shutil.rmtree(corpus)
        t = clock()
        paths = generate(plans, corpus)
        size = sum(p.stat().st_size for p in paths)
        print(f"generated {len(paths)} plans, {mb(size)}, in {clock() - t:.1f} s -> {corpus}", flush=True)
        res: dict[str, dict] = {}

        def stage(name: str):
            if only and name not in only:
                return None
            try:
                limit = min(timeout, 300) if name == "query" else timeout
                wall, peak, out = run_measured(stage_cmd(name, work, corpus), timeout=limit)
                r = json.loads(out.strip().splitlines()[-1])
                r["wall"], r["peak"] = wall, peak
            except Exception as e:  # noqa: BLE001 - a stage that fails is reported, not fatal
                r = {"error": str(e)[:300]}
            res[name] = r
            return r

        def failed(name: str, r) -> bool:
            if r is None:
                return True
            if "error" in r:
                table.add(name, f"failed: {r['error']}")
                return True
            return False

        r = stage("parse")
        if not failed("parse", r):
            mbs = r["bytes"] / 1e6 / r["secs"]
            ref = r["bytes"] / 1e6 / r["ref_secs"]
            table.add(f"parse ({r['workers']} processes)",
                      f"{fmt(mbs, 'MB/s')}, {fmt(r['docs'] / r['secs'], 'docs/s')}, "
                      f"{fmt(r['tasks'] / r['secs'], 'tasks/s')} ({r['docs']} docs, {r['tasks']:,} tasks, "
                      f"{r['secs']:.1f} s; best of {r['runs']})", mb(r["peak"]), f"regex scan {fmt(ref, 'MB/s')} (best of {r['runs']}, alternated)",
                      f"{mbs / ref:.3f}×", "≥ 0.1×", yes(mbs / ref >= 0.1))
        r1 = stage("parse-1")
        if not failed("parse-1", r1):
            mbs = r1["bytes"] / 1e6 / r1["secs"]
            sp = r1["secs"] / res["parse"]["secs"] if "secs" in res.get("parse", {}) else 0
            table.add("parse (1 process)", f"{fmt(mbs, 'MB/s')} ({r1['secs']:.1f} s)", mb(r1["peak"]),
                      "parallel parse", f"parallel {sp:.2f}× faster", "same records",
                      yes(r1["same"]))
        r = stage("resolve")
        if not failed("resolve", r):
            table.add("resolve", f"{fmt(r['mentions'] / r['secs'], 'mentions/s')} ({r['mentions']:,} "
                      f"mentions → {r['orgs']:,} organisations, {r['secs']:.1f} s)", mb(r["peak"]))
        r = stage("align")
        if not failed("align", r):
            table.add("align", f"{fmt(r['tasks'] / r['secs'], 'tasks/s')} ({r['alignments']:,} alignments, "
                      f"{r['parents']:,} parent links, {r['secs']:.1f} s)", mb(r["peak"]))
        r = stage("graph")
        if not failed("graph", r):
            table.add("graph build", f"{fmt(r['triples'] / r['secs'], 'triples/s')} ({r['triples']:,} quads "
                      f"to Turtle {mb(r['ttl_bytes'])} and N-Quads {mb(r['bytes'])}, {r['secs']:.1f} s; "
                      f"of which the sorted lines {r['lines_secs']:.1f} s)", mb(r["peak"]))
        r = stage("store")
        if not failed("store", r):
            tps, ref = r["triples"] / r["secs"], r["triples"] / r["ref_secs"]
            table.add("store load", f"{fmt(tps, 'triples/s')} ({r['secs']:.1f} s; malloc: {r['allocator']})", mb(r["peak"]),
                      f"bulk_load {fmt(ref, 'triples/s')}", f"{tps / ref:.2f}×", "—", "")
        if not only or "build" in only:
            try:
                wall, peak = kg_build(corpus, work / "out")
                k = 3200 / plans  # time and memory grow about linearly with the number of plans
                ok = wall * max(k, 1) < 120 and peak * max(k, 1) < 4e9
                note = "" if plans >= 3200 else f" (× {k:.1f} ≈ {wall * k:,.0f} s, {mb(peak * k)} at 3,200)"
                table.add(f"`kg build` end to end ({plans:,} plans)", f"{wall:.1f} s{note}", mb(peak), "", "",
                          "< 120 s, < 4 GB at 3,200 plans", yes(ok) + ("" if plans >= 3200 else " (projected)"))
                res["build"] = {"wall": wall, "peak": peak}
            except Exception as e:  # noqa: BLE001
                table.add("`kg build` end to end", f"failed: {str(e)[:300]}")
        (work / "query-partial.json").unlink(missing_ok=True)
        r = stage("query")
        if r is not None and "error" in r and (work / "query-partial.json").exists():
            each = json.loads((work / "query-partial.json").read_text())
            if each:
                table.add("query set (stopped: " + r["error"] + ")", "; ".join(
                    f"{e['name']} {e['secs'] * 1000:,.0f} ms (direct {e['ref_secs'] * 1000:,.0f} ms)" for e in each))
            r = None
        if r is not None and not failed("query", r):
            qps, ref = r["queries"] / r["secs"], r["queries"] / r["ref_secs"]
            table.add(f"query set ({r['queries']} named queries)",
                      f"{fmt(qps, 'queries/s')} ({r['rows']:,} rows)", mb(r["peak"]),
                      f"pyoxigraph direct {fmt(ref, 'queries/s')}", f"{r['secs'] / r['ref_secs']:.2f}× the time",
                      "≤ 2×", yes(r["secs"] <= 2 * r["ref_secs"]))
            slow = max(r["each"], key=lambda e: e["secs"])
            table.notes.append("Queries (API ms / direct pyoxigraph ms): " + "; ".join(
                f"{e['name']} {e['secs'] * 1000:,.0f}/{e['ref_secs'] * 1000:,.0f}" for e in r["each"])
                + f". Slowest: {slow['name']}.")
            table.add(f"warm tasks-of ({BUSY_UNIT})", f"{r['tasks_of_ms']:.1f} ms ({r['tasks_of_rows']} rows)",
                      "", "", "", "< 50 ms (national)", yes(r["tasks_of_ms"] < 50))
        r = stage("render")
        if not failed("render", r):
            table.add(f"render the largest view ({r['which']}" + ("; capped: " + r["note"].split(" · ", 1)[-1]
                                                                      if r.get("note") else "") + ")",
                      f"{r['nodes'] / r['secs']:,.0f} nodes/s ({r['nodes']:,} nodes, "
                      f"{r['edges']:,} edges, {mb(r['bytes'])} HTML, {r['secs']:.1f} s)", mb(r["peak"]))
        if (not only or "rebuild" in only) and (work / "out").exists():
            try:
                # REBUILDS updates in a row, the plan changed and changed back: the store's deferred
                # compaction (RocksDB) falls on one of the first few writes after a clean build
                walls, peaks = [], []
                changed, original = touch_one(corpus)
                edited = changed.read_text(encoding="utf-8")
                for k in range(REBUILDS):
                    changed.write_text(edited if k % 2 == 0 else original, encoding="utf-8")
                    wall, peak = kg_build(corpus, work / "out")
                    walls.append(wall)
                    peaks.append(peak)
                t_clean, _ = kg_build(corpus, work / "clean-out")
                diff = same_outputs(work / "out", work / "clean-out")
                mid = statistics.median(walls)
                table.add(f"incremental rebuild (one plan changed; {REBUILDS} in a row)",
                          f"median {mid:.2f} s; " + ", ".join(f"{w:.2f}" for w in walls)
                          + f" s (clean build {t_clean:.1f} s)", mb(max(peaks)), "", "",
                          "< 2 s, same bytes as a clean build",
                          yes(mid < 2 and not diff) + ("" if not diff else f" (differs: {', '.join(diff)})")
                          + ("" if plans >= 3200 else f" (at {plans:,} plans)"))
                print(f"changed {changed.name}", flush=True)
            except Exception as e:  # noqa: BLE001
                table.add("incremental rebuild", f"failed: {str(e)[:300]}")
        r = stage("seeds")
        if not failed("seeds", r):
            table.add("parse the bundled corpus", f"{r['parse_secs'] * 1000:.0f} ms ({r['docs']} docs, "
                      f"{r['tasks']} tasks)", "", "", "", "< 1 s", yes(r["parse_secs"] < 1))
            table.add("`kg build corpus/`", f"{r['build_secs']:.2f} s", "", "", "", "< 3 s", yes(r["build_secs"] < 3))
            table.add("warm tasks-of, bundled corpus", f"{r['warm_ms']:.1f} ms", "", "", "", "< 5 ms",
                      yes(r["warm_ms"] < 5))
            table.add("cold `kg tasks-of`, bundled corpus", f"{r['cold_secs']:.2f} s", "", "", "", "< 1.5 s",
                      yes(r["cold_secs"] < 1.5))
        if readme:
            write_readme(readme, plans, size, table)
    finally:
        if keep is None:
            shutil.rmtree(tmp, ignore_errors=True)


def write_readme(readme: Path, plans: int, size: int, table: Table) -> None:
    cpu = os.cpu_count()
    head = (f"## Speed at scale (bench/run.py)\n\n"
            f"`make bench PLANS={plans}` on {cpu} cores, Python {platform.python_version()}: "
            f"{plans:,} synthetic plans ({size / 1e6:.0f} MB) from bench/generate.py. Each stage runs in its "
            f"own process; peak memory is the summed PSS of that process and its workers (pages "
            f"shared after a fork count once), sampled every {SAMPLE_SECS} s. References are measured in the same run.\n\n")
    block = f"{START}\n{head}{table.markdown()}\n{END}"
    text = readme.read_text(encoding="utf-8")
    if START in text and END in text:
        text = text[:text.index(START)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    tmp = readme.with_name(f".{readme.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, readme)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plans", type=int, default=3200)
    ap.add_argument("--readme", type=Path, help="Write the results table into this README.")
    ap.add_argument("--keep", type=Path, help="Work in this directory and keep it (default: a temp dir).")
    ap.add_argument("--only", default="", help=f"Comma-separated stages to run: {','.join(STAGES)}.")
    ap.add_argument("--stage", help=argparse.SUPPRESS)
    ap.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.stage:
        print(json.dumps(STAGE_FUNCS[a.stage](a.work, a.corpus)))
        return
    drive(a.plans, a.readme, a.keep, {s for s in a.only.split(",") if s})


if __name__ == "__main__":
    main()

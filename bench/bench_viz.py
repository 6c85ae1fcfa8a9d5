#!/usr/bin/env python3
"""How fast a large view renders and becomes interactive (not a test: tests do not time things).

    .venv/bin/python bench/bench_viz.py                    # a synthetic graph of about 5,000 nodes
    .venv/bin/python bench/bench_viz.py --nodes 12000      # bigger
    .venv/bin/python bench/bench_viz.py --graph out        # the whole-corpus view of an existing build

Measures:
- read: the view's queries (kg.viz.views.load through kg.query.api.Graph) and the layout (kg.viz.views.corpus_view);
- render: the page (kg.viz.views.write), and its size;
- time to interactive in headless Chromium (file:// URL, fresh profile, networking off): from
  navigation start to vis-network's first drawing (window.vizReady, set by the page), and the wall
  time from driver.get() until the page reports it; target under 10 s at 5,000 nodes;
- click: one neighbourhood highlight (what a click on a node does) on the busiest node, and one
  plain redraw (what each frame of a pan or zoom costs), in the page;
- search: one search over every node's text, in the page.
Prints a Markdown table.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

DGR = "https://w3id.org/dutygraph/id/"
DG = "https://w3id.org/dutygraph/ontology#"
ELI = "http://data.europa.eu/eli/ontology#"
DCT = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ORG = "http://www.w3.org/ns/org#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"

WORDS = ("健全政府机构职能体系", "完善依法行政制度体系", "推进行政决策科学化民主化法治化", "坚持严格规范公正文明执法",
         "健全突发事件应对体系", "健全社会矛盾纠纷行政预防调处化解体系", "健全行政权力制约和监督体系",
         "健全法治政府建设科技保障体系")
UNITS = ("司法局", "发展和改革局", "财政局", "人力资源和社会保障局", "市场监督管理局", "生态环境局", "应急管理局",
         "公安局", "审计局", "信访局", "政务服务和大数据发展局", "自然资源局", "住房和城乡建设局", "交通运输局",
         "农业农村局", "教育局", "卫生健康委员会", "民政局", "委编办", "委宣传部")


def synthetic(nodes: int):
    """A cascade of plans (a province, its cities, their districts) of about ``nodes`` view nodes:
    each plan 8 sections, 40 tasks, its own units (lead, support), tasks carrying out the parent's."""
    import pyoxigraph as ox

    per_plan = 1 + 8 + 40 + len(UNITS)
    plans = max(1, round(nodes / per_plan))
    quads = []

    def t(s, p, o):
        quads.append(ox.Quad(ox.NamedNode(s), ox.NamedNode(p), o))

    def lit(v, lang="zh"):
        return ox.Literal(str(v), language=lang) if lang else ox.Literal(str(v))

    parent: dict[int, int] = {}
    levels = {0: ("Province", "广西壮族自治区")}
    for i in range(1, plans):
        parent[i] = 0 if i <= 8 else 1 + (i - 9) % 8
        levels[i] = ("City", f"第{i}市") if i <= 8 else ("District", f"第{parent[i]}市第{i}区")
    for i in range(plans):
        doc = f"{DGR}doc/p{i:03d}"
        level, region = levels[i]
        t(doc, RDF_TYPE, ox.NamedNode(DG + "Plan"))
        t(doc, DCT + "title", lit(f"{region}法治政府建设实施方案（2021—2025年）"))
        t(doc, DG + "level", ox.NamedNode(DG + level))
        t(doc, DG + "fileName", lit(f"p{i:03d}.txt", None))
        if i in parent:
            t(doc, ELI + "applies", ox.NamedNode(f"{DGR}doc/p{parent[i]:03d}"))
        for u, name in enumerate(UNITS):
            org = f"{DGR}org/p{i:03d}-u{u}"
            t(org, RDF_TYPE, ox.NamedNode(ORG + "Organization"))
            t(org, SKOS + "prefLabel", lit(region + name))
            t(org, SKOS + "altLabel", lit(name))
        for s in range(8):
            sec = f"{doc}/s/s{s + 1}"
            t(sec, RDF_TYPE, ox.NamedNode(DG + "Section"))
            t(sec, ELI + "is_part_of", ox.NamedNode(doc))
            t(sec, ELI + "number", lit(f"（{'一二三四五六七八'[s]}）", None))
            t(sec, DCT + "title", lit(WORDS[s]))
            t(sec, DG + "depth", ox.Literal("1", datatype=ox.NamedNode(XSD + "integer")))
            for k in range(5):
                n = s * 5 + k + 1
                task = f"{doc}/t/t{n}"
                t(task, RDF_TYPE, ox.NamedNode(DG + "Task"))
                t(task, DG + "inDocument", ox.NamedNode(doc))
                t(task, ELI + "is_part_of", ox.NamedNode(sec))
                t(task, ELI + "number", lit(n, None))
                t(task, DG + "order", ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer")))
                t(task, DCT + "title", lit(f"{WORDS[s]}第{k + 1}项任务并持续推进落实"))
                t(task, DG + "dueDate", ox.Literal(f"{2022 + k % 3}-12-31", datatype=ox.NamedNode(XSD + "date")))
                t(task, DG + "leadUnit", ox.NamedNode(f"{DGR}org/p{i:03d}-u{(n * 7) % len(UNITS)}"))
                for j in range(n % 3):
                    t(task, DG + "supportingUnit", ox.NamedNode(f"{DGR}org/p{i:03d}-u{(n * 3 + j + 1) % len(UNITS)}"))
                if i in parent:
                    t(task, DG + "carriesOut", ox.NamedNode(f"{DGR}doc/p{parent[i]:03d}/t/t{n}"))
    store = ox.Store()
    store.extend(quads)
    return store, plans


def browser_times(page: Path, runs: int) -> dict:
    import test_viz_browser as B

    out = {"tti": [], "wall": [], "click": [], "redraw": [], "search": []}
    for _ in range(runs):
        d = B.chromium_driver(1600, 1000)  # a fresh profile each run: nothing cached
        try:
            t0 = time.perf_counter()
            info = B.open_page(d, page, timeout=120)
            out["wall"].append(time.perf_counter() - t0)
            out["tti"].append(info["ready"] / 1000)
            errors = B.console_errors(d)
            if errors:
                raise SystemExit(f"console errors: {errors[:3]}")
            out["nodes"], out["edges"] = info["nodes"], info["edges"]
            out["click"].append(d.execute_script(  # the busiest node: the most edges to draw again
                "var best = null, most = -1; vizData.nodes.getIds().forEach(function (id) {"
                "  var k = network.getConnectedEdges(id).length; if (k > most) { most = k; best = id; } });"
                "var t = performance.now(); vizHighlight(best); var dt = performance.now() - t;"
                "vizReset(); return dt / 1000;"))
            out["redraw"].append(d.execute_script(
                "var t = performance.now(); network.redraw(); return (performance.now() - t) / 1000;"))
            out["search"].append(d.execute_script(
                "var t = performance.now(); vizSearch('司法局'); return (performance.now() - t) / 1000;"))
        finally:
            B.close(d)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--graph", help="a build directory (whole-corpus view); default: a synthetic graph")
    ap.add_argument("--nodes", type=int, default=5000, help="nodes of the synthetic graph (default 5000)")
    ap.add_argument("--runs", type=int, default=3, help="browser runs (median reported)")
    ap.add_argument("--keep", help="write the page here instead of a temp dir")
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args()

    from kg.viz import views as viz
    from kg.query.api import Graph

    if args.graph:
        g, what = Graph.open(args.graph), args.graph
    else:
        store, plans = synthetic(args.nodes)
        g, what = Graph.from_store(store), f"synthetic, {plans} plans"
    t0 = time.perf_counter()
    view = viz.corpus_view(g)
    t_view = time.perf_counter() - t0
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kg-bench-viz-"))
    t0 = time.perf_counter()
    page = viz.write(view, work / "corpus.html")
    t_render = time.perf_counter() - t0
    rows = [("graph", what, ""), ("view", f"{len(view.nodes):,} nodes, {len(view.edges):,} edges", ""),
            ("read + layout (corpus_view)", f"{t_view:.2f} s", ""),
            ("render + write", f"{t_render:.2f} s", f"{page.stat().st_size / 1e6:.1f} MB")]
    if not args.no_browser:
        b = browser_times(page, args.runs)
        assert (b["nodes"], b["edges"]) == (len(view.nodes), len(view.edges)), "the page lost nodes or edges"
        med = statistics.median
        rows += [("time to interactive (navigation → first drawing)", f"{med(b['tti']):.2f} s",
                  "target < 10 s; runs: " + ", ".join(f"{x:.2f}" for x in b["tti"])),
                 ("driver.get → page ready (wall)", f"{med(b['wall']):.2f} s", ""),
                 ("click: highlight the busiest node's neighbourhood", f"{med(b['click']) * 1000:.0f} ms",
                  "one redraw with the neighbourhood drawn again on top"),
                 ("plain redraw (pan/zoom frame)", f"{med(b['redraw']) * 1000:.0f} ms",
                  "software rendering, --disable-gpu"),
                 ("search '司法局' over every node", f"{med(b['search']) * 1000:.0f} ms", "")]
    print("| step | value | note |\n|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print(f"\npage: {page}")


if __name__ == "__main__":
    main()

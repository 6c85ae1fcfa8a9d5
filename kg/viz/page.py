"""The page writer: a view rendered to one self-contained HTML file (kg/data/viz/page.html, .js,
.css) with vis-network's script and style inlined, written atomically.

Pages work offline from file://: vis-network's script and style (shipped inside pyvis) are
inlined, nothing comes from a CDN, and pyvis never writes a lib/ folder. Text from documents only
reaches the page as JSON inside a ``<script type="application/json">`` block (``<``, ``>`` and
``&`` escaped) and is shown through ``innerText`` / ``textContent``, never as HTML.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from kg.atomic import write_atomic
from kg.errors import KgError
from kg.viz.data import DATA, natural
from kg.viz.layout import GAP_X, UNIT_GAP
from kg.viz.nodes import View
from kg.viz.styles import FONT


def vis_assets() -> tuple[str, str]:
    """vis-network's script and style, from the copy pyvis ships."""
    import pyvis

    lib = Path(pyvis.__file__).resolve().parent / "lib"
    dirs = sorted(lib.glob("vis-*/vis-network.min.js"), key=lambda p: natural(p.parent.name))
    if not dirs:
        raise KgError(f"pyvis ships no vis-network in {lib}: reinstall pyvis (pip install 'pyvis>=0.3.2,<0.4')")
    js = dirs[-1].read_text(encoding="utf-8")
    css = (dirs[-1].parent / "vis-network.css").read_text(encoding="utf-8")
    js = "\n".join(line for line in js.split("\n") if not line.startswith("//# sourceMappingURL"))
    css = "\n".join(line for line in css.split("\n") if "sourceMappingURL" not in line)
    return js, css


def _options(view: View) -> dict:
    opts: dict[str, Any] = {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False, "randomSeed": 1},
        "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False, "keyboard": False,
                        "multiselect": False},
        "nodes": {"font": {"face": FONT}},
        "edges": {"smooth": {"enabled": True, "type": "cubicBezier", "forceDirection": "horizontal",
                             "roundness": 0.45}, "selectionWidth": 1.5},
    }
    if view.kind == "corpus":
        opts["interaction"].update(hideEdgesOnDrag=True)
    return opts


def network(view: View):
    """The view as a pyvis Network (nodes and edges in a stable order)."""
    from pyvis.network import Network

    net = Network(height="100%", width="100%", directed=False, cdn_resources="in_line")
    ids = sorted(view.nodes)
    net.node_ids = ids  # pyvis checks membership in a list: give it all ids at once
    net.node_map = {i: dict(view.nodes[i]) for i in ids}
    net.nodes = [net.node_map[i] for i in ids]
    known = set(ids)
    for e in sorted(view.edges, key=lambda e: (e["kind"], e["from"], e["to"])):
        if e["from"] not in known or e["to"] not in known:
            raise KgError(f"internal: an edge to a node not on the page ({e['from']} -> {e['to']})")
        net.edges.append(dict(e))
    net.options = _options(view)
    return net


READABLE = 0.75  # the smallest opening zoom: 14 px labels drawn at 10.5 px


def render(view: View) -> str:
    """The page: one HTML string with everything inlined."""
    import jinja2

    net = network(view)
    js, css = vis_assets()
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(DATA)), autoescape=True,
                             keep_trailing_newline=True)
    payload = {"nodes": net.nodes, "edges": net.edges, "options": net.options, "kind": view.kind,
               "readable": READABLE, "gap": GAP_X, "unitGap": UNIT_GAP, "corpus": view.corpus or None,
               "toggles": sorted({e["kind"] for e in net.edges if e.get("hidden") and not e.get("demand")
                                  and e["kind"] == "carries_out"})}
    page_js = (DATA / "page.js").read_text(encoding="utf-8")
    for script in (js, page_js):
        if "</script" in script.lower():
            raise KgError("internal: an inlined script contains </script")
    html = env.get_template("page.html").render(
        title=view.title, kind=view.kind, data=payload, legend=view.legend(), note=view.note,
        counts={"nodes": len(net.nodes), "edges": len(net.edges)},
        vis_js=_markup(js),
        vis_css=_markup(css), page_js=_markup(page_js),
        page_css=_markup((DATA / "page.css").read_text(encoding="utf-8")), font=FONT)
    return html


def _markup(s: str):
    from markupsafe import Markup

    return Markup(s)


def write(view: View, out: str | Path) -> Path:
    """Render ``view`` and write it to ``out`` atomically (a temp file in the same folder, renamed)."""
    out = Path(out)
    if out.is_dir():
        raise KgError(f"{out} is a folder: give a file name, e.g. {out / 'graph.html'}")
    return write_atomic(out, render(view).encode("utf-8"))

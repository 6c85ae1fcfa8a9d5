"""Write a build directory incrementally: replace only the named graphs whose triples changed.

A build into a directory that already holds one (manifest.json, store/, graph.ttl and, in
cache/graphs.json, the digest of every named graph with the place of its chunk in graph.ttl)
does not rebuild the store. It streams the graphs again (kg.graph.emit) and, for each graph
whose digest differs (a changed document, the links that point into it, the organisations of
its region, the corpus graph), removes the old graph from the store and loads the new one;
graphs that are gone (a removed document) are removed. graph.ttl is rewritten by copying the
Turtle of unchanged graphs from the previous file; it, diagnostics.json and manifest.json go
through a temp file and a rename, so the directory ends byte for byte where a clean build ends.

The state file is deleted before the store is touched and written back after, so an
interrupted update leaves a directory that the next build rewrites in full.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Optional

STATE = Path("cache") / "graphs.json"
FORMAT = 3  # the state file's layout: {"format": 3, "graphs": {iri: [sha256, offset, length, fingerprint, triples]}}


def _load_state(out: Path) -> Optional[dict[str, list]]:
    """The previous build's per-graph state, when it matches the directory's graph.ttl."""
    try:
        if not ((out / "manifest.json").is_file() and (out / "store").is_dir()):
            return None
        data = json.loads((out / STATE).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            return None
        graphs = data["graphs"]
        end = max((v[1] + v[2] for v in graphs.values()), default=0)
        if end != (out / "graph.ttl").stat().st_size:
            return None
        return graphs
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _save_state(out: Path, state: dict[str, list]) -> None:
    from kg.atomic import write_atomic

    data = {"format": FORMAT, "graphs": dict(sorted(state.items()))}
    write_atomic(out / STATE, json.dumps(data, separators=(",", ":")).encode("utf-8"))


def write_outputs(corpus, out_dir: str | Path, reuse: bool = True, salt: str = "") -> tuple[list[Path], list[str]]:
    """Write the build directory; return (files, IRIs of the named graphs written to the store).

    With ``reuse`` and a previous build in ``out_dir``, only changed graphs are written to the
    store; otherwise the directory is written in full (kg.graph.write_outputs), keeping cache/.
    ``salt`` names the override rules the org ids were resolved with (kg.graph.document_fingerprint).
    """
    import pyoxigraph as ox

    from kg import graph as G

    out = Path(out_dir)
    old = _load_state(out) if reuse else None
    if old is None:
        state: dict[str, list] = {}
        files = G.write_outputs(corpus, out, keep=("cache",), state=state, salt=salt)
        _save_state(out, state)
        return files, sorted(state)

    ttl_tmp, nq_tmp = out / ".graph.ttl.tmp", out / ".changed.nq.tmp"
    tmps = {"graph.ttl": ttl_tmp}
    try:
        with open(out / "graph.ttl", "rb") as prev, open(ttl_tmp, "wb") as ttl, open(nq_tmp, "wb") as nq:
            new, counts, n_triples = G.emit(corpus, ttl, nq, previous=(prev, old), salt=salt)
        for name, data in (("diagnostics.json", G._dump(G.diagnostics_json(corpus))),
                           ("manifest.json", G._dump(G.manifest_json(corpus, counts, n_triples)))):
            tmps[name] = out / f".{name}.tmp"
            tmps[name].write_bytes(data)
        changed = sorted(g for g in set(old) | set(new) if (old.get(g) or [None])[0] != (new.get(g) or [None])[0])
        if changed:
            (out / STATE).unlink(missing_ok=True)  # the store is about to change: dirty until done
            store = ox.Store(str(out / "store"))
            for g in changed:
                if g in old:
                    store.remove_graph(ox.NamedNode(g))
            if nq_tmp.stat().st_size:
                store.bulk_load(path=str(nq_tmp), format=ox.RdfFormat.N_QUADS, lenient=True)
            store.flush()
            del store
        for name, tmp in tmps.items():
            os.replace(tmp, out / name)
    finally:
        for tmp in list(tmps.values()) + [nq_tmp]:
            tmp.unlink(missing_ok=True)
    _save_state(out, new)
    return [out / "graph.ttl", out / "store", out / "diagnostics.json", out / "manifest.json"], changed

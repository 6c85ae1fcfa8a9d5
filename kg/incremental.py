"""Write a build directory incrementally: replace only the named graphs whose quads changed.

A build into a directory that already holds one (manifest.json, store/, and the digests of its
named graphs in cache/graphs.json) does not rebuild the store: it compares a digest of every
named graph's quads with the digest recorded last time, and for each graph that differs (the
graph of a changed document, the corpus graph of organisations and links) removes the old graph
from the store and inserts the new one. Graphs that are gone (a removed document) are removed.
graph.ttl, diagnostics.json and manifest.json are rewritten (temp file, then rename), so the
directory ends byte for byte where a clean build ends.

The digests file is deleted before the store is touched and written back after, so an
interrupted update leaves a directory that the next build rewrites in full.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Optional

STATE = Path("cache") / "graphs.json"


def group_by_graph(quads: list) -> dict[str, list]:
    """Quads by named graph IRI, each list in generation order."""
    groups: dict[str, list] = {}
    for q in quads:
        groups.setdefault(q.graph_name.value, []).append(q)
    return groups


def digests(groups: dict[str, list]) -> dict[str, str]:
    import pyoxigraph as ox

    return {g: hashlib.sha256(ox.serialize(qs, format=ox.RdfFormat.N_QUADS)).hexdigest()
            for g, qs in groups.items()}


def _load_state(out: Path) -> Optional[dict[str, str]]:
    try:
        if not ((out / "manifest.json").is_file() and (out / "store").is_dir()):
            return None
        return json.loads((out / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _save_state(out: Path, state: dict[str, str]) -> None:
    from kg.atomic import write_atomic

    write_atomic(out / STATE, json.dumps(dict(sorted(state.items())), indent=0).encode("utf-8"))


def write_outputs(corpus, out_dir: str | Path, reuse: bool = True) -> tuple[list[Path], list[str]]:
    """Write the build directory; return (files, IRIs of the named graphs written).

    With ``reuse`` and a previous build in ``out_dir``, only changed graphs are written to the
    store; otherwise the directory is written in full (kg.graph.write_outputs), keeping cache/.
    """
    import pyoxigraph as ox

    from kg import graph as G

    out = Path(out_dir)
    built = G.corpus_quads(corpus)
    quads, counts = built
    groups = group_by_graph(quads)
    new = digests(groups)
    old = _load_state(out) if reuse else None
    if old is None:
        files = G.write_outputs(corpus, out, built=built, keep=("cache",))
        _save_state(out, new)
        return files, sorted(new)

    changed = sorted(g for g in set(old) | set(new) if old.get(g) != new.get(g))
    triples = G.sorted_triples(quads)
    outputs = {
        "graph.ttl": G.turtle_of_triples(triples),
        "diagnostics.json": G._dump(G.diagnostics_json(corpus)),
        "manifest.json": G._dump(G.manifest_json(corpus, counts, len(triples))),
    }
    tmps = {}
    for name, data in outputs.items():
        tmps[name] = out / f".{name}.tmp"
        tmps[name].write_bytes(data)
    if changed:
        (out / STATE).unlink(missing_ok=True)  # the store is about to change: dirty until done
        store = ox.Store(str(out / "store"))
        for g in changed:
            node = ox.NamedNode(g)
            if g in old:
                store.remove_graph(node)
            if g in new:
                store.extend(groups[g])
        store.flush()
        del store
    for name, tmp in tmps.items():
        os.replace(tmp, out / name)
    _save_state(out, new)
    return [out / "graph.ttl", out / "store", out / "diagnostics.json", out / "manifest.json"], changed

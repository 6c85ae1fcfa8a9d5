"""Write a build directory incrementally: replace only the named graphs whose triples changed.

A build into a directory that already holds one (manifest.json, store/, graph.ttl and, in
cache/graphs.json, the digest of every named graph with the place of its chunk in graph.ttl)
does not rebuild the store. It streams the graphs again (kg.build.sink.emit) and, for each graph
whose digest differs (a changed document, the links that point into it, the organisations of
its region, the corpus graph), removes the old graph from the store and loads the new one;
graphs that are gone (a removed document) are removed. graph.ttl is rewritten by copying the
Turtle of unchanged graphs from the previous file, so the directory ends byte for byte where a
clean build ends.

Nothing is changed in place: the new state is written in a stage beside the directory
(kg.atomic.Stage: the store a checkpoint of the old one, hard links sharing its files, then
updated; the cache hard links of the old one's files and the new ones), which kg.build.pipeline.build
swaps in at once. A build killed at any moment leaves the directory as the previous build left
it; the next build removes the stage.

The state file records what the build left (graph.ttl's size, time and inode; the store's files,
kg.query.store.listing): a directory whose graph.ttl or store is not as recorded (a damaged store, a
copied folder) is written again in full, with a note.
"""
from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Optional

from kg.build import outputs, sink
from kg.build.cache import Seal
from kg.build.outputs import OUTPUTS, diagnostics_json, manifest_json, write_into
from kg.query.store import checkpoint, compact, listing


STATE = "graphs.json"  # under cache/
# the state file's layout: {"format": 4, "graphs": {iri: [sha256, offset, length, fingerprint, triples]},
# "ttl": [size, mtime_ns, inode], "store": kg.query.store.listing}
FORMAT = 4


def _is(path: Path, kind) -> bool:
    try:
        return kind(os.lstat(path).st_mode)
    except OSError:
        return False


def _ttl_stamp(folder: Path) -> list:
    st = os.lstat(folder / "graph.ttl")
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def load_state(out: Path, seal, notes: Optional[list] = None) -> Optional[dict[str, list]]:
    """The previous build's per-graph state, when graph.ttl and the store are as it left them
    (never read through a symbolic link); else None, with a note when the store was changed."""
    try:
        if not (_is(out / "manifest.json", stat.S_ISREG) and _is(out / "graph.ttl", stat.S_ISREG)
                and _is(out / "store", stat.S_ISDIR)):
            return None
        data = seal.read(STATE)
        if data is None:
            return None
        data = json.loads(bytes(data))
        if data.get("format") != FORMAT:
            return None
        graphs = data["graphs"]
        if data.get("ttl") != _ttl_stamp(out):
            return None
        if data.get("store") != listing(out / "store"):
            if notes is not None:
                notes.append(f"{out}/store is not as the last build left it (damaged, or changed by another "
                             "program): written again in full")
            return None
        return graphs
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _save_state(folder: Path, state: dict[str, list], seal) -> None:
    """Record ``state`` and what graph.ttl and the store of ``folder`` are now (call it last)."""
    data = {"format": FORMAT, "graphs": dict(sorted(state.items())), "ttl": _ttl_stamp(folder),
            "store": listing(folder / "store")}
    seal.write(STATE, json.dumps(data, separators=(",", ":")).encode("utf-8"))


def restamp(folder: str | Path) -> None:
    """Record again what the store of ``folder`` is (after kg.query.store.optimize changed its files),
    when its state file checks; else nothing (the next build writes the folder in full)."""
    folder = Path(folder)
    seal = Seal(folder / "cache")
    data = seal.read(STATE)
    if data is None:
        return
    try:
        data = json.loads(bytes(data))
    except ValueError:
        return
    data["store"] = listing(folder / "store")
    seal.write(STATE, json.dumps(data, separators=(",", ":")).encode("utf-8"))


def write_outputs(corpus, out_dir: str | Path, into: str | Path, reuse: bool = True, salt: str = "",
                  orgs=None, prepare=None, seal=None, notes: Optional[list] = None,
                  optimize: bool = False) -> tuple[list[Path], list[str]]:
    """Write the outputs of a build of ``out_dir`` into ``into`` (its stage: kg.atomic.Stage,
    holding the cache already); return (files, IRIs of the named graphs written to the store).

    With ``reuse`` and a previous build in ``out_dir`` whose state checks, the store is a
    checkpoint of the previous one with only the changed graphs written, and graph.ttl copies the
    unchanged graphs' Turtle from the previous one; otherwise everything is written anew
    (kg.build.outputs.write_into). ``salt`` names the override rules the org ids were resolved with
    (kg.rdf.graphs.document_fingerprint); ``orgs``: the organisations' graphs (kg.rdf.graphs.iter_graphs);
    ``prepare``: a callable that completes ``corpus`` and returns them, called once the
    documents' graphs are written when everything is written anew, first otherwise. ``seal``:
    the folder's kg.build.cache.Seal; ``notes`` receives what the caller should tell; ``optimize``
    compacts the new store (kg.query.store.compact) before the state is recorded.
    """
    import pyoxigraph as ox

    out, into = Path(out_dir), Path(into)
    seal = seal if seal is not None else Seal(into / "cache")
    old = load_state(out, seal, notes) if reuse else None
    if old is None:
        state = write_into(corpus, into, salt=salt, orgs=orgs, prepare=prepare)
        changed = sorted(state)
    else:
        if prepare is not None:
            orgs = prepare()
        nq_tmp = into / ".changed.nq"
        try:
            with open(out / "graph.ttl", "rb") as prev, open(into / "graph.ttl", "wb") as ttl:
                # unchanged graphs are copied from the previous graph.ttl by a thread, while this one
                # makes the changed graphs and updates the store
                chunks = sink.BackgroundChunks(ttl, prev)
                try:
                    with open(nq_tmp, "wb") as nq:
                        state, counts, n_triples = sink.emit(corpus, chunks, nq, previous=(prev, old), salt=salt,
                                                          orgs=orgs)
                    (into / "diagnostics.json").write_bytes(outputs.dump_json(diagnostics_json(corpus)))
                    (into / "manifest.json").write_bytes(outputs.dump_json(manifest_json(corpus, counts, n_triples)))
                    changed = sorted(g for g in set(old) | set(state)
                                     if (old.get(g) or [None])[0] != (state.get(g) or [None])[0])
                    # the new store starts as a checkpoint of the old one (hard links of its files)
                    checkpoint(out / "store", into / "store")
                    if changed:
                        store = ox.Store(str(into / "store"))
                        for g in changed:
                            if g in old:
                                store.remove_graph(ox.NamedNode(g))
                        if nq_tmp.stat().st_size:
                            store.bulk_load(path=str(nq_tmp), format=ox.RdfFormat.N_QUADS, lenient=True)
                        store.flush()
                        del store
                    chunks.finish()
                finally:
                    chunks.cancel()
        finally:
            nq_tmp.unlink(missing_ok=True)
    if optimize:
        compact(into / "store")
    _save_state(into, state, seal)
    return [out / name for name in OUTPUTS], changed

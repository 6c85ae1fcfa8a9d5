"""The state a build leaves in its folder, typed (GraphState, Previous), from which the next build
writes only the named graphs whose triples changed (kg.build.outputs.write).

A build into a directory that already holds one (manifest.json, store/, graph.ttl and, in
cache/graphs.json, the digest of every named graph with the place of its chunk in graph.ttl)
does not rebuild the store. The writer streams the graphs again (kg.build.sink.emit) and, for each graph
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
from typing import NamedTuple, Optional

from kg.build.cache import Seal
from kg.query.store import listing

STATE = "graphs.json"  # under cache/
# the state file's layout: {"format": 4, "graphs": {iri: GraphState as a list},
# "ttl": [size, mtime_ns, inode], "store": kg.query.store.listing}
FORMAT = 4


class GraphState(NamedTuple):
    """What a build left of one named graph."""

    digest: str  # sha256 of its N-Quads
    offset: int  # where its Turtle chunk starts in graph.ttl
    length: int  # the chunk's length, in bytes
    fingerprint: Optional[str]  # of the records it was made from (kg.rdf.graphs.iter_graphs), if known
    triples: int


class Previous(NamedTuple):
    """A previous build in ``folder`` whose state checks: what the writer copies unchanged graphs
    from (its graph.ttl) and keeps in the store."""

    folder: Path
    graphs: dict[str, GraphState]


def _is(path: Path, kind) -> bool:
    try:
        return kind(os.lstat(path).st_mode)
    except OSError:
        return False


def _ttl_stamp(folder: Path) -> list:
    st = os.lstat(folder / "graph.ttl")
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def load_state(out: Path, seal, notes: Optional[list] = None) -> Optional[Previous]:
    """The previous build of ``out``, when its graph.ttl and store are as it left them (never read
    through a symbolic link); else None, with a note when the store was changed."""
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
        graphs = {g: GraphState(*v) for g, v in data["graphs"].items()}
        if data.get("ttl") != _ttl_stamp(out):
            return None
        if data.get("store") != listing(out / "store"):
            if notes is not None:
                notes.append(f"{out}/store is not as the last build left it (damaged, or changed by another "
                             "program): written again in full")
            return None
        return Previous(Path(out), graphs)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def save_state(folder: Path, graphs: dict[str, GraphState], seal) -> None:
    """Record ``graphs`` and what graph.ttl and the store of ``folder`` are now (call it last)."""
    _record(seal, {"format": FORMAT, "graphs": dict(sorted(graphs.items())), "ttl": _ttl_stamp(folder),
                   "store": listing(folder / "store")})


def _record(seal, data: dict) -> None:
    """Write the state file (under the folder's cache, sealed by ``seal``)."""
    seal.write(STATE, json.dumps(data, separators=(",", ":")).encode("utf-8"))


def restamp(folder: str | Path) -> None:
    """Record again what the store of ``folder`` is (after kg.build.optimize changed its files),
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
    _record(seal, data)

"""The build directory, written atomically (a temp dir beside ``out_dir``, then a swap):

    out_dir/graph.ttl          the whole graph (triples of every named graph), Turtle
    out_dir/store/             pyoxigraph persistent store with the named graphs
    out_dir/diagnostics.json   per document: file name and its diagnostics
    out_dir/manifest.json      inputs (name, sha256), counts, tool version; no timestamps

Same corpus → byte-identical graph.ttl, diagnostics.json and manifest.json.

``write`` is the one writer of a build directory's outputs: a full build and a quick update
(kg.build.pipeline, kg.build.quick) call it into their stage, anew or from the previous build
(kg.build.state.Previous); ``write_outputs`` is the same for a corpus made in Python, into a
folder of its own.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable, NamedTuple, Optional

from kg.version import __version__
from kg.atomic import MARK, FolderLock, Stage, carry, sweep, target_of
from kg.build.loader import Loader
from kg.build import sink
from kg.build.state import GraphState, Previous, save_state
from kg.errors import KgError
from kg.model import Corpus
from kg.rdf.graphs import OrgGraph
from kg.query.store import checkpoint, compact
from kg.rdf.iris import graph_iri, run_id
from kg.vocab import DGR


def diagnostics_json(corpus: Corpus) -> dict:
    return {d.id: {"file": d.source.name,
                   "diagnostics": [{"code": x.code, "message": x.message, "severity": x.severity,
                                    "span": list(x.span) if x.span else None} for x in d.diagnostics]}
            for d in corpus.documents}


def manifest_json(corpus: Corpus, counts: dict, n_triples: int) -> dict:
    c = dict(counts["corpus"], triples=n_triples)
    return {
        "tool": "dutygraph",
        "version": __version__,
        "run": f"{DGR}run/{run_id(corpus)}",
        "inputs": [{"document": d.id, "file": d.source.name, "sha256": d.source.sha256,
                    "format": d.source.format, "kind": d.kind, "graph": graph_iri(d.id),
                    "counts": counts["documents"][d.id]} for d in corpus.documents],
        "counts": c,
        "outputs": ["graph.ttl", "store/", "diagnostics.json", "manifest.json"],
    }


def dump_json(obj) -> bytes:
    """The bytes of a JSON output (diagnostics.json, manifest.json): sorted keys, indented, UTF-8."""
    return (json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


OUTPUTS = ("graph.ttl", "store", "diagnostics.json", "manifest.json")


def check_out(out: Path, keep: tuple = ()) -> None:
    """Refuse an ``out`` that is a file, or a folder that holds no build (entries besides ``keep``)."""
    if out.exists() and not out.is_dir():
        raise KgError(f"{out} is a file: give --out a directory")
    if out.is_dir() and not (out / "manifest.json").exists():
        if any(p.name not in keep and p.name != MARK for p in out.iterdir()):
            raise KgError(f"{out} exists and is not a built graph (no manifest.json): "
                          f"choose another --out or remove it")


class Written(NamedTuple):
    """What ``write`` wrote: the output files and the IRIs of the named graphs written to the
    store (all, when written anew)."""

    files: list[Path]
    changed: list[str]


def write(corpus: Corpus, out: Path, into: Path, previous: Optional[Previous] = None, salt: str = "",
          orgs: Optional[list[OrgGraph]] = None, prepare: Optional[Callable[[], list[OrgGraph]]] = None,
          optimize: bool = False, seal=None) -> Written:
    """Write graph.ttl, store/, diagnostics.json and manifest.json of a build of ``out`` into
    ``into``, its stage (a new folder: kg.atomic.Stage).

    With ``previous`` (kg.build.state.load_state), the store is a checkpoint of the previous one
    with only the changed graphs written, and graph.ttl copies the unchanged graphs' Turtle from
    the previous one; otherwise everything is written anew. ``salt`` names the override rules the
    org ids were resolved with (kg.rdf.graphs.document_fingerprint); ``orgs``: the organisations'
    graphs (kg.rdf.graphs.iter_graphs); ``prepare``: a callable that completes ``corpus`` and
    returns them, called once the documents' graphs are written when everything is written anew
    (see ``_anew``), first otherwise. ``optimize`` compacts the new store (kg.query.store.compact);
    ``seal`` (the folder's kg.build.cache.Seal), when given, records the state for the next build
    (kg.build.state.save_state), last.
    """
    out, into = Path(out), Path(into)
    if previous is None:
        graphs = _anew(corpus, into, salt, orgs, prepare)
        changed = sorted(graphs)
    else:
        graphs, changed = _changed(corpus, into, previous, salt, prepare() if prepare is not None else orgs)
    if optimize:
        compact(into / "store")
    if seal is not None:
        save_state(into, graphs, seal)
    return Written([out / name for name in OUTPUTS], changed)


def _anew(corpus: Corpus, folder: Path, salt: str, orgs: Optional[list[OrgGraph]],
          prepare: Optional[Callable[[], list[OrgGraph]]]) -> dict[str, GraphState]:
    """Every output written anew.

    Triples stream graph by graph (kg.build.sink.emit) into graph.ttl and into the N-Quads input
    of a child process that bulk-loads the store meanwhile (kg.build.loader), so memory stays flat.
    ``prepare`` is called once the documents' own graphs are written, while the store still loads
    them: the slowest stage of a large build (the bulk load) starts before the organisations are
    resolved and the tasks aligned, instead of after.
    """
    with open(folder / "graph.ttl", "wb") as ttl, Loader(folder / "store", streams=2) as loader:

        def rest() -> Optional[list[OrgGraph]]:
            loader.next()  # the documents' quads end: their last batch loads while the rest is made
            return prepare() if prepare is not None else orgs

        graphs, counts, n_triples = sink.emit(corpus, ttl, loader.file, salt=salt, orgs=orgs, prepare=rest)
    _write_json(corpus, folder, counts, n_triples)
    return graphs


def _changed(corpus: Corpus, into: Path, previous: Previous, salt: str,
             orgs: Optional[list[OrgGraph]]) -> tuple[dict[str, GraphState], list[str]]:
    """The outputs written from the previous build: (every graph's state, the graphs changed)."""
    import pyoxigraph as ox

    old, was = previous.graphs, previous.folder
    nq_tmp = into / ".changed.nq"
    try:
        with open(was / "graph.ttl", "rb") as prev, open(into / "graph.ttl", "wb") as ttl:
            # unchanged graphs are copied from the previous graph.ttl by a thread, while this one
            # makes the changed graphs and updates the store
            chunks = sink.BackgroundChunks(ttl, prev)
            try:
                with open(nq_tmp, "wb") as nq:
                    graphs, counts, n_triples = sink.emit(corpus, chunks, nq, old_ttl=prev, old=old, salt=salt,
                                                          orgs=orgs)
                _write_json(corpus, into, counts, n_triples)
                changed = sorted(g for g in set(old) | set(graphs)
                                 if (old[g].digest if g in old else None) != (graphs[g].digest if g in graphs else None))
                # the new store starts as a checkpoint of the old one (hard links of its files)
                checkpoint(was / "store", into / "store")
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
    return graphs, changed


def _write_json(corpus: Corpus, folder: Path, counts: dict, n_triples: int) -> None:
    (folder / "diagnostics.json").write_bytes(dump_json(diagnostics_json(corpus)))
    (folder / "manifest.json").write_bytes(dump_json(manifest_json(corpus, counts, n_triples)))


def write_outputs(corpus: Corpus, out_dir: Path, keep: tuple = (), salt: str = "",
                  orgs: Optional[list[OrgGraph]] = None,
                  prepare: Optional[Callable[[], list[OrgGraph]]] = None) -> list[Path]:
    """Write graph.ttl, store/, diagnostics.json, manifest.json of ``corpus`` into ``out_dir``
    atomically (``write``, anew; kg.build.build makes a corpus and writes it the same way).

    The directory is built beside ``out_dir`` (NAME.tmp-XXXX, kg.atomic.Stage) and swapped in
    at once; on failure the previous ``out_dir`` is left as it was. ``keep`` names entries of
    the old directory carried into the new one (cache); for ``salt``, ``orgs`` and ``prepare``
    see ``write``. The folder is locked meanwhile (kg.atomic.FolderLock).
    """
    out = target_of(out_dir)
    check_out(out, tuple(keep))
    with FolderLock(out) as lock:
        sweep(out)
        stage = Stage(out)
        try:
            lock.hold(stage.path)
            for name in keep:
                if (out / name).is_dir() and not (out / name).is_symlink():
                    os.mkdir(stage.path / name, 0o777)
                    carry(out / name, stage.path / name, links=False)
            written = write(corpus, out, stage.path, salt=salt, orgs=orgs, prepare=prepare)
            stage.commit()
        except BaseException:
            stage.abort()
            if lock.created and out.is_dir() and not any(out.iterdir()):
                out.rmdir()
            raise
        stage.discard()
    return written.files

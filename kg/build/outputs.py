"""The build directory, written atomically (a temp dir beside ``out_dir``, then a swap):

    out_dir/graph.ttl          the whole graph (triples of every named graph), Turtle
    out_dir/store/             pyoxigraph persistent store with the named graphs
    out_dir/diagnostics.json   per document: file name and its diagnostics
    out_dir/manifest.json      inputs (name, sha256), counts, tool version; no timestamps

Same corpus → byte-identical graph.ttl, diagnostics.json and manifest.json.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable, Optional

from kg.version import __version__
from kg.atomic import MARK, FolderLock, Stage, carry, sweep, target_of
from kg.build.loader import Loader
from kg.build.sink import emit
from kg.errors import KgError
from kg.model import Corpus
from kg.rdf.graphs import OrgGraph
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


def write_outputs(corpus: Corpus, out_dir: Path, keep: tuple = (), state: Optional[dict] = None,
                  salt: str = "", orgs: Optional[list[OrgGraph]] = None,
                  prepare: Optional[Callable[[], list[OrgGraph]]] = None) -> list[Path]:
    """Write graph.ttl, store/, diagnostics.json, manifest.json into ``out_dir`` atomically.

    The directory is built beside ``out_dir`` (NAME.tmp-XXXX, kg.atomic.Stage) and swapped in
    at once; on failure the previous ``out_dir`` is left as it was. ``keep`` names entries of
    the old directory carried into the new one (cache); ``state``, when given, receives the
    per-graph digests and graph.ttl offsets (see ``Sink``) for kg.build.incremental; for ``salt``,
    ``orgs`` and ``prepare`` see ``write_into``. The folder is locked meanwhile (kg.atomic.FolderLock).
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
            new_state = write_into(corpus, stage.path, salt=salt, orgs=orgs, prepare=prepare)
            stage.commit()
        except BaseException:
            stage.abort()
            if lock.created and out.is_dir() and not any(out.iterdir()):
                out.rmdir()
            raise
        stage.discard()
    if state is not None:
        state.update(new_state)
    return [out / name for name in OUTPUTS]


def write_into(corpus: Corpus, folder: Path, salt: str = "", orgs: Optional[list[OrgGraph]] = None,
               prepare: Optional[Callable[[], list[OrgGraph]]] = None) -> dict:
    """Write graph.ttl, store/, diagnostics.json and manifest.json into ``folder`` (a new folder:
    a kg.atomic.Stage); return the per-graph state (see ``Sink``).

    Triples stream graph by graph (iter_graphs) into graph.ttl and into the N-Quads input of a
    child process that bulk-loads the store meanwhile (kg.build.loader), so memory stays flat.
    ``salt`` names the override rules the org ids were resolved with (see
    ``document_fingerprint``); ``orgs``: see ``iter_graphs``.

    ``prepare``, when given, completes ``corpus`` (its organisations and links) and returns the
    organisations' graphs. It is called once the documents' own graphs are written, while the
    store still loads them: the slowest stage of a large build (the bulk load) starts before
    the organisations are resolved and the tasks aligned, instead of after.
    """
    folder = Path(folder)
    with open(folder / "graph.ttl", "wb") as ttl, Loader(folder / "store", streams=2) as loader:

        def rest() -> Optional[list[OrgGraph]]:
            loader.next()  # the documents' quads end: their last batch loads while the rest is made
            return prepare() if prepare is not None else orgs

        new_state, counts, n_triples = emit(corpus, ttl, loader.file, salt=salt, orgs=orgs, prepare=rest)
    (folder / "diagnostics.json").write_bytes(dump_json(diagnostics_json(corpus)))
    (folder / "manifest.json").write_bytes(dump_json(manifest_json(corpus, counts, n_triples)))
    return new_state

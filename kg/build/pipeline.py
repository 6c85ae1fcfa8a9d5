"""The one call that builds: ``build(paths, out)``, data flowing one way through the stage packages,

    kg.read -> kg.parse -> kg.resolve -> kg.link -> kg.rdf -> the build directory and its store

with the steps shared by a full build and a quick update in kg.build.steps, the quick update in
kg.build.quick, one writer of the outputs (kg.build.outputs.write) with the named graphs' state
in kg.build.state, and ``out/`` written atomically.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Optional

from kg.errors import KgError
from kg.model import Corpus
from kg.build.steps import (BuildResult, align_ahead, assemble, assemble_corpus, complete,  # noqa: F401
                            DOCS, make_aligner, parse_file, parse_paths, parse_read, parse_source, read_paths)
from kg import atomic
from kg.build import quick
from kg.build import outputs as G
from kg.build.state import load_state
from kg.build import parallel
from kg.build.cache import DocCache, PairCache
from kg.build.cache import Seal  # noqa
from kg.identity import shown
from kg.resolve.entities import load_overrides, rules_digest


def build(paths: Iterable[str | Path], out: Optional[str | Path] = None,
          overrides: Optional[str | Path] = None, incremental: bool = True,
          optimize: bool = False, keep_going: bool = False) -> BuildResult:
    """Parse, resolve and link the documents under ``paths``; write ``out/`` when given.

    ``out/`` receives graph.ttl, the persistent store (store/), diagnostics.json and manifest.json,
    and cache/ (what the next build into ``out/`` reuses). Builds are incremental by default: when
    ``out/`` holds an earlier build, unchanged files are not read or parsed again, the alignments
    of unchanged document pairs are reused, and the store rewrites only the named graphs that
    changed (kg.build.cache, kg.build.state); when few files changed, the unchanged documents are not
    even loaded (kg.build.quick.quick_build: their records stay in the cache). The outputs are the
    same bytes as a clean build's; ``incremental=False`` ignores the cache and rewrites
    everything. ``optimize`` compacts the store afterwards (kg.build.optimize: slower build,
    faster queries on a large graph). ``keep_going``: a file that cannot be read or parsed is left
    out (``BuildResult.skipped``) instead of stopping the build.

    The folder is written safely: one build at a time (kg.atomic.FolderLock: a second one fails
    at once), the new state made beside it and swapped in at once (kg.atomic.Stage), so that a
    build that fails, or is killed at any moment, leaves the folder as the previous build left it,
    and the next build succeeds; the disk running full is one KgError saying so. Entries of the
    folder that are not the build's (files a user put there) are kept. The cache runs no code it
    did not write itself (kg.build.cache.Seal): a folder built elsewhere is built again, with a note.
    """
    skipped: Optional[list] = [] if keep_going else None
    if out is None:
        rules = load_overrides(overrides)
        docs, readings = read_paths(paths, rules, skipped=skipped)
        return BuildResult(corpus=assemble(docs, overrides=overrides, rules=rules, readings=readings),
                           skipped=skipped or [])
    given = out
    target = atomic.target_of(out)
    try:
        str(target).encode("utf-8")
    except UnicodeEncodeError:
        raise KgError(f"{shown(str(given))}: the output folder's path is not valid UTF-8, which the graph store "
                      "cannot use; give --out a folder whose path is UTF-8") from None
    rules = load_overrides(overrides)
    salt = rules_digest(rules)
    key = quick.state_key(salt, overrides)
    G.check_out(target, ("cache",))
    lock = atomic.FolderLock(target)
    lock.acquire()
    stage = had = None
    try:
        atomic.sweep(target, keep=(DOCS,))
        stage = atomic.Stage(target)
        lock.hold(stage.path)
        # what the folder holds besides the outputs (the cache, a user's files) is carried over:
        # hard links, but the parsed documents' folder (thousands of files) is moved, and put back
        # on failure (by the next build's sweep after a kill: the folder keeps its outputs meanwhile)
        atomic.carry(target, stage.path, skip=G.OUTPUTS + (atomic.MARK, DOCS), unlinked=("cache",))
        atomic.back(target / DOCS, stage.path / DOCS)
        had = set(os.listdir(stage.path / DOCS)) if (stage.path / DOCS).is_dir() else set()
        seal = Seal(stage.path / "cache")
        result = _build_into(paths, target, stage.path, rules, salt, overrides, key, incremental, optimize,
                             skipped, seal)
        stage.commit()
        seal.root = target / "cache"  # what stubs and organisations load later, they load from there
    except BaseException as e:
        if stage is not None:
            if had is not None and (stage.path / DOCS).is_dir():
                for name in set(os.listdir(stage.path / DOCS)) - had:  # what this build added
                    (stage.path / DOCS / name).unlink(missing_ok=True)
            atomic.back(stage.path / DOCS, target / DOCS)
            stage.abort()
        if lock.created:
            try:
                os.rmdir(target)  # a folder this build made, left empty
            except OSError:
                pass
        lock.release()
        if atomic.disk_full(e):
            raise KgError(f"disk full while writing {given}: free some space and build again "
                          f"(the folder was left as it was)") from None
        raise
    try:
        # the old folder: at once, unless it holds a large graph.ttl (freeing its blocks takes a while)
        try:
            big = os.path.getsize(stage.old / "graph.ttl") > (64 << 20) if stage.old else False
        except OSError:
            big = False
        stage.discard(background=big)
    finally:
        lock.release()
    result.out = Path(given)
    result.notes = list(dict.fromkeys(result.notes))
    return result


def _build_into(paths, target: Path, into: Path, rules, salt: str, overrides, key: str, incremental: bool,
                optimize: bool, skipped: Optional[list], seal) -> BuildResult:
    """build(), writing the new state of the folder ``target`` into its stage ``into`` (``seal``:
    the kg.build.cache.Seal of the stage's cache)."""
    notes: list[str] = []
    result = None
    if not seal.ensure():
        notes.append("no place to keep the cache's key (is the home folder writable? set XDG_CACHE_HOME): "
                     "every build reads every file")
    if incremental:
        import gc

        # collector's passes over them were an eighth of its time (0.25 s at 3,200 plans); they are
        # left out of later passes too (as read_paths does)
        with parallel.no_gc():
            result = quick.quick_build(paths, target, into, rules, salt, overrides, key, seal, notes,
                                     keep_going=skipped is not None, optimize=optimize)
            gc.freeze()
    if result is None:
        docs_cache = DocCache(into, reuse=incremental, salt=salt, seal=seal)
        pairs = PairCache(into, reuse=incremental, seal=seal)
        docs, readings = read_paths(paths, rules, cache=docs_cache, skipped=skipped)
        corpus = Corpus(documents=docs)
        done: dict = {}

        def prepare():  # resolve and link while the store loads the documents' graphs
            res = complete(corpus, readings, overrides, make_aligner(docs_cache.keys, pairs))
            done["res"], done["graphs"] = res, quick.part_graphs(res.by_part)
            return quick.all_graphs(done["graphs"])

        previous = load_state(target, seal, notes) if incremental else None
        written = G.write(corpus, target, into, previous, salt=salt, prepare=prepare, optimize=optimize, seal=seal)
        res = done["res"]
        result = quick.saved(target, into, key, corpus, readings, docs_cache, pairs, res, done["graphs"], written,
                             seal=seal)
        result.skipped = list(skipped or [])
    if seal.rejected:
        notes.append(f"{target}/cache: {seal.rejected} file(s) not sealed with this folder's key (a folder built "
                     "elsewhere or by an older version, or changed) were not used; what they held was made again")
    result.notes = notes
    return result

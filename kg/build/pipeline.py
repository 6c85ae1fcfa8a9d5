"""The pipeline, one stage per module, data flowing one way:

    read -> clean -> parse (plans) / report (annual reports) -> resolve -> link -> graph -> store

``build(paths, out)`` runs it all and writes ``out/`` atomically.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional

from kg.errors import KgError
from kg.model import Corpus, Document, Skipped, Source


@dataclass
class BuildResult:
    corpus: Corpus
    out: Optional[Path] = None
    files: list[Path] = field(default_factory=list)
    parsed: int = 0  # documents read and parsed by this build
    reused: int = 0  # documents taken from the cache of an earlier build (kg.build.cache)
    changed_graphs: list[str] = field(default_factory=list)  # named graphs (IRIs) written to the store
    skipped: list[Skipped] = field(default_factory=list)  # inputs left out (keep_going)
    notes: list[str] = field(default_factory=list)  # what the build did that its user should know


def parse_source(source: Source) -> Document:
    """Clean and parse one source: an annual report or a plan, whichever it is."""
    from kg.parse.clean import clean
    from kg.parse import report
    from kg.parse import plan as parse
    text = clean(source.text)
    if report.is_report(text.text):
        return report.parse_report(source, text)
    return parse.parse_plan(source, text)


def parse_file(path: str, name: Optional[str] = None, doc_id: Optional[str] = None) -> Document:
    """Read and parse one file (``name``, ``doc_id``: its name and id in a build, see kg.identity)."""
    from kg.read.files import read_file

    return parse_source(read_file(path, name, doc_id))


DOCS = "cache/docs"  # the parsed documents' files (kg.build.cache.DocCache), moved into a build's stage

# Parallel parsing pays from about this much input (bytes); below it, forking costs more.
PARALLEL_MIN_BYTES = 2_000_000


def parse_paths(paths: Iterable[str | Path], cache=None) -> list[Document]:
    """Read every file under ``paths`` and parse it (no links; org ids filled, see read_paths)."""
    return read_paths(paths, cache=cache)[0]


_RESOLVER: dict = {}  # rules digest -> the Resolver that reads this process's documents


class Parsed:
    """One file parsed: its Document and kg.resolve.entities.Reading (``doc, reading = parsed``), and
    ``blob()``, the two pickled as the build's cache stores them (kg.build.cache.DocCache.dumps). A
    parse worker writes the blob to the cache (parse_read), and its result is pickled to reach
    the parent as that blob: the records are pickled once, not once to be sent and again to be
    cached."""

    __slots__ = ("doc", "reading", "_blob")

    def __init__(self, doc: Document, reading, blob: Optional[bytes] = None):
        self.doc, self.reading, self._blob = doc, reading, blob

    def __iter__(self):
        return iter((self.doc, self.reading))

    def blob(self) -> bytes:
        if self._blob is None:
            from kg.build.cache import DocCache

            self._blob = DocCache.dumps(self.doc, self.reading)
        return self._blob

    @classmethod
    def from_blob(cls, blob: bytes) -> "Parsed":
        from kg.build.cache import DocCache

        doc, reading = DocCache.loads(blob)
        return cls(doc, reading)

    def __reduce__(self):
        return (Parsed.from_blob, (self.blob(),))


def parse_read(item) -> Parsed | Skipped:
    """The Document and kg.resolve.entities.Reading of one input (Parsed): ``item`` is (path, name, id)
    (kg.read.files.list_documents) or a path. kg.build.parallel.shared() gives the override rules, the
    kg.build.cache.DocCache (or None) whose file of the document is written here, and whether to keep
    going: then a file that cannot be read or parsed gives a Skipped instead of an error."""
    from kg.build import parallel
    from kg.resolve import entities as resolve
    rules, cache, *rest = parallel.shared() or ([], None)
    keep_going = bool(rest and rest[0])
    path, name, doc_id = (item, None, None) if isinstance(item, (str, os.PathLike)) else item
    digest = resolve.rules_digest(rules)
    r = _RESOLVER.get(digest)
    if r is None:
        _RESOLVER.clear()
        r = _RESOLVER[digest] = resolve.Resolver(rules, counterparts=False)
    try:
        doc = parse_file(path, name, doc_id)
        reading = resolve.read(doc, rules, r)
    except Exception as e:  # noqa: BLE001 - keep going: the file is reported and left out
        if not keep_going or isinstance(e, OSError) and _disk_full(e):
            raise
        from kg.identity import shown

        why = str(e) if isinstance(e, KgError) else (f"{shown(name or str(path))}: unexpected {type(e).__name__}: "
                                                     f"{' '.join(str(e).split())[:200]}; please report it")
        return Skipped(str(path), name or shown(os.path.basename(path)), why)
    parsed = Parsed(doc, reading)
    if cache is not None:
        cache.store(doc, parsed.blob)
    return parsed


def read_paths(paths: Iterable[str | Path], rules=None, cache=None,
               skipped: Optional[list] = None) -> tuple[list[Document], list]:
    """Read every file under ``paths``, parse it and read its units (kg.resolve.entities.read, which fills
    the org ids): (documents, their Readings), in input order.

    Large inputs are parsed in parallel, one process per core, in chunks of documents; the
    result keeps the input order, so it is the same as a serial parse (kg.build.parallel).
    ``cache`` (a ``kg.build.cache.DocCache`` made with the same rules) supplies the documents of
    unchanged files and records the new ones. ``skipped``, a list, makes the files that cannot
    be read or parsed left out (kg.model.Skipped, appended to it) instead of an error; when no
    file is left, the error is that of the first.
    """
    import gc

    from kg.build import parallel
    from kg.read.files import list_documents

    rules = rules or []
    inputs = list_documents([str(p) for p in paths])
    with parallel.no_gc():  # many small records and no reference cycles: collector passes are waste
        # (unpickling the cached documents too: with the collector on it costs ~5x)
        got: list = [cache.get(*inp) if cache else None for inp in inputs]
        todo = [inputs[i] for i, d in enumerate(got) if d is None]
        size = sum(_size(path) for path, _, _ in todo)
        fresh = iter(parallel.pmap(parse_read, todo, parallel.workers(size, PARALLEL_MIN_BYTES, len(todo)),
                                   shared=(rules, cache, skipped is not None)))
        _RESOLVER.clear()
        # the documents live for the rest of the build and hold no cycles (reference counting
        # frees them): out of the collector's generations, its first pass after parsing (~8% of
        # the parse) and every later full pass skip them, and forked workers leave their pages shared
        gc.freeze()
    got = [d if d is not None else next(fresh) for d in got]
    if skipped is not None:
        left = [g for g in got if isinstance(g, Skipped)]
        if left and len(left) == len(got):
            raise KgError(f"{left[0].reason} (and every other input could not be read either)"
                          if len(left) > 1 else left[0].reason)
        skipped.extend(left)
        got = [g for g in got if not isinstance(g, Skipped)]
    if cache is not None:
        for doc, reading in got:
            cache.put(doc, reading)  # records it: parse_read wrote the file of a fresh one
    return [d for d, _ in got], [r for _, r in got]


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0  # read_file says what is wrong with it


def _disk_full(e: BaseException) -> bool:
    from kg.atomic import disk_full

    return disk_full(e)


# Parallel alignment pays from about this many task pairs to score (a pair of 47-task plans is
# ~2,200; scoring and matching one costs ~5 ms): at 300 plans (0.66M) two processes took as long
# as one, at 3,200 plans (7M) 6.5 s against 8.3 s.
ALIGN_MIN_WORK = 1_000_000


def _align_one(i: int) -> list[tuple[str, str, float]]:
    """(child task id, parent task id, score) links of pair ``i`` of kg.build.parallel.shared()."""
    from kg.build import parallel
    from kg.link.align import align_pairs

    child, parent = parallel.shared()[i]
    return [(c.id, p.id, score) for c, p, score in align_pairs(child, parent)]


def make_aligner(keys: Optional[dict[str, str]] = None, cache=None, ahead=None):
    """An aligner for ``kg.link.align.link``: pairs aligned in parallel on large inputs, and, with a
    ``kg.build.cache.PairCache`` and the documents' cache ``keys``, unchanged pairs taken from the cache
    (their documents' records are not needed: an incremental build's stubs stay unloaded).
    ``ahead``: a callable giving {pair key: links} of pairs aligned beforehand (align_ahead)."""

    def aligner(pairs):
        from kg.build import parallel
        from kg.model import task_count

        found: list = [None] * len(pairs)
        pair_keys: list = [None] * len(pairs)
        todo = []
        for n, (c, p) in enumerate(pairs):
            if cache is not None and keys and c.id in keys and p.id in keys:
                pair_keys[n] = cache.key(keys[c.id], keys[p.id])
                found[n] = cache.get(pair_keys[n])
            if found[n] is None:
                todo.append(n)
        if ahead is not None and todo:
            done = ahead()
            for n in todo:
                found[n] = done.get(pair_keys[n])
            todo = [n for n in todo if found[n] is None]
        work = sum(task_count(pairs[n][0]) * task_count(pairs[n][1]) for n in todo)
        n_workers = parallel.workers(work, ALIGN_MIN_WORK, len(todo))
        if n_workers > 1:
            from kg.similarity import jieba_instance

            jieba_instance()  # load the dictionary once, before the workers fork
        for n, links in zip(todo, parallel.pmap(_align_one, todo, n_workers, shared=pairs)):
            found[n] = links
        if cache is not None:
            for k, links in zip(pair_keys, found):
                if k is not None:
                    cache.put(k, links)
        return found

    return aligner


def align_ahead(documents: list, keys: dict[str, str], cache) -> Callable[[], dict]:
    """Start aligning, in a forked process, the pairs of plans that the PairCache ``cache`` lacks,
    while the caller does other work (an incremental build finishes the organisations); returns
    a callable giving {pair key: links} for make_aligner's ``ahead``. Fills the documents' parent
    ids (so kg.link.align.link need not: its ``parents=False``)."""
    from kg.link import align as link
    from kg.build import parallel
    from kg.model import Corpus

    corpus = Corpus(documents=documents)
    link.link_parents(corpus)
    todo = []
    for c, p in link.plan_pairs(corpus):
        if c.id in keys and p.id in keys:
            k = cache.key(keys[c.id], keys[p.id])
            if k not in cache.pairs:
                todo.append((k, (c, p)))
    run = parallel.start(_align_one, range(len(todo)), shared=[pair for _, pair in todo])
    return lambda: dict(zip((k for k, _ in todo), run()))


def assemble(documents: list[Document], overrides: Optional[str | Path] = None, aligner=None,
             rules=None, readings=None) -> Corpus:
    """Resolve units and link documents, tasks and report passages (``aligner``: see kg.link.align;
    ``rules``: the override file's unit rules, when already read; ``readings``: the documents'
    kg.resolve.entities.Readings, when already made)."""
    return _assemble(documents, overrides, aligner, rules, readings)[0]


def _assemble(documents, overrides=None, aligner=None, rules=None, readings=None):
    """(Corpus, kg.resolve.entities.Resolution): see assemble."""
    from kg.resolve import entities as resolve
    if readings is None:
        readings = resolve.read_all(documents, rules if rules is not None else overrides)
    corpus = Corpus(documents=documents)
    return corpus, _complete(corpus, readings, overrides, aligner or make_aligner())


def _complete(corpus: Corpus, readings: list, overrides, aligner):
    """Resolve the units of ``corpus`` (its documents read: ``readings``) into its organisations and
    link it; the kg.resolve.entities.Resolution."""
    from kg.link import align as link
    from kg.resolve import entities as resolve
    res = resolve.finish_all(readings)
    corpus.organisations = res.organisations
    link.link(corpus, overrides=overrides, aligner=aligner)
    return res


def build(paths: Iterable[str | Path], out: Optional[str | Path] = None,
          overrides: Optional[str | Path] = None, incremental: bool = True,
          optimize: bool = False, keep_going: bool = False) -> BuildResult:
    """Parse, resolve and link the documents under ``paths``; write ``out/`` when given.

    ``out/`` receives graph.ttl, the persistent store (store/), diagnostics.json and manifest.json,
    and cache/ (what the next build into ``out/`` reuses). Builds are incremental by default: when
    ``out/`` holds an earlier build, unchanged files are not read or parsed again, the alignments
    of unchanged document pairs are reused, and the store rewrites only the named graphs that
    changed (kg.build.cache, kg.build.incremental); when few files changed, the unchanged documents are not
    even loaded (kg.build.incremental.quick_build: their records stay in the cache). The outputs are the
    same bytes as a clean build's; ``incremental=False`` ignores the cache and rewrites
    everything. ``optimize`` compacts the store afterwards (kg.query.store.optimize: slower build,
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
        from kg.resolve.entities import load_overrides

        rules = load_overrides(overrides)
        docs, readings = read_paths(paths, rules, skipped=skipped)
        return BuildResult(corpus=assemble(docs, overrides=overrides, rules=rules, readings=readings),
                           skipped=skipped or [])
    from kg import atomic
    from kg.build import outputs as G
    from kg.build import incremental as inc
    from kg.build.cache import Seal
    from kg.resolve.entities import load_overrides, rules_digest

    given = out
    target = atomic.target_of(out)
    try:
        str(target).encode("utf-8")
    except UnicodeEncodeError:
        from kg.identity import shown

        raise KgError(f"{shown(str(given))}: the output folder's path is not valid UTF-8, which the graph store "
                      "cannot use; give --out a folder whose path is UTF-8") from None
    rules = load_overrides(overrides)
    salt = rules_digest(rules)
    key = inc.state_key(salt, overrides)
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
    from kg.build import incremental as inc
    from kg.build.cache import DocCache, PairCache

    notes: list[str] = []
    result = None
    if not seal.ensure():
        notes.append("no place to keep the cache's key (is the home folder writable? set XDG_CACHE_HOME): "
                     "every build reads every file")
    if incremental:
        import gc

        from kg.build import parallel  # a quick update makes ~10^5 small records (stubs, alignments) and no cycles: the
        # collector's passes over them were an eighth of its time (0.25 s at 3,200 plans); they are
        # left out of later passes too (as read_paths does)
        with parallel.no_gc():
            result = inc.quick_build(paths, target, into, rules, salt, overrides, key, seal, notes,
                                     keep_going=skipped is not None, optimize=optimize)
            gc.freeze()
    if result is None:
        docs_cache = DocCache(into, reuse=incremental, salt=salt, seal=seal)
        pairs = PairCache(into, reuse=incremental, seal=seal)
        docs, readings = read_paths(paths, rules, cache=docs_cache, skipped=skipped)
        corpus = Corpus(documents=docs)
        done: dict = {}

        def prepare():  # resolve and link while the store loads the documents' graphs
            res = _complete(corpus, readings, overrides, make_aligner(docs_cache.keys, pairs))
            done["res"], done["graphs"] = res, inc.part_graphs(res.by_part)
            return inc.all_graphs(done["graphs"])

        result = BuildResult(corpus=corpus, out=target, skipped=list(skipped or []))
        result.files, result.changed_graphs = inc.write_outputs(corpus, target, into, reuse=incremental, salt=salt,
                                                                prepare=prepare, seal=seal, notes=notes,
                                                                optimize=optimize)
        docs_cache.save()
        pairs.save()
        res = done["res"]
        inc.save_quick(into, key, docs, readings, docs_cache.keys, res.parts, res.by_part, done["graphs"],
                       res.national, seal=seal)
        result.parsed, result.reused = docs_cache.misses, docs_cache.hits
    if seal.rejected:
        notes.append(f"{target}/cache: {seal.rejected} file(s) not sealed with this folder's key (a folder built "
                     "elsewhere or by an older version, or changed) were not used; what they held was made again")
    result.notes = notes
    return result

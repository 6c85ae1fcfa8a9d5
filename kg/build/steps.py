"""The build's steps, shared by a full build and a quick update (kg.build.pipeline,
kg.build.quick): read and parse inputs (in parallel, through the document cache), resolve,
align (ahead, in parallel, through the pair cache) and link; BuildResult is what a build returns."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional

from kg.errors import KgError
from kg.model import Corpus, Document, Skipped, Source, task_count
from kg.atomic import disk_full
from kg.build import parallel
from kg.build.cache import DocCache
from kg.identity import shown
from kg.link import align as link
from kg.link.align import align_pairs
from kg.parse import plan as parse
from kg.parse import report
from kg.parse.clean import clean
from kg.read.files import list_documents
from kg.read.files import read_file
from kg.resolve import entities as resolve
from kg.similarity import jieba_instance


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
    text = clean(source.text)
    if report.is_report(text.text):
        return report.parse_report(source, text)
    return parse.parse_plan(source, text)


def parse_file(path: str, name: Optional[str] = None, doc_id: Optional[str] = None) -> Document:
    """Read and parse one file (``name``, ``doc_id``: its name and id in a build, see kg.identity)."""
    return parse_source(read_file(path, name, doc_id))


DOCS = "cache/docs"  # the parsed documents' files (kg.build.cache.DocCache), moved into a build's stage

# Parallel parsing pays from about this much input (bytes); below it, forking costs more.
PARALLEL_MIN_BYTES = 2_000_000


def parse_paths(paths: Iterable[str | Path], cache=None) -> list[Document]:
    """Read every file under ``paths`` and parse it (no links; org ids filled, see read_paths)."""
    return read_paths(paths, cache=cache)[0]


_RESOLVER: dict = {}  # rules digest -> the Resolver that reads this process's documents


class Parsed:
    """One file parsed: its Document and kg.model.Reading (``doc, reading = parsed``), and
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
            self._blob = DocCache.dumps(self.doc, self.reading)
        return self._blob

    @classmethod
    def from_blob(cls, blob: bytes) -> "Parsed":
        doc, reading = DocCache.loads(blob)
        return cls(doc, reading)

    def __reduce__(self):
        return (Parsed.from_blob, (self.blob(),))


def parse_read(item) -> Parsed | Skipped:
    """The Document and kg.model.Reading of one input (Parsed): ``item`` is (path, name, id)
    (kg.read.files.list_documents) or a path. kg.build.parallel.shared() gives the override rules, the
    kg.build.cache.DocCache (or None) whose file of the document is written here, and whether to keep
    going: then a file that cannot be read or parsed gives a Skipped instead of an error."""
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
    return disk_full(e)


# Parallel alignment pays from about this many task pairs to score (a pair of 47-task plans is
# ~2,200; scoring and matching one costs ~5 ms): at 300 plans (0.66M) two processes took as long
# as one, at 3,200 plans (7M) 6.5 s against 8.3 s.
ALIGN_MIN_WORK = 1_000_000


def _align_one(i: int) -> list[tuple[str, str, float]]:
    """(child task id, parent task id, score) links of pair ``i`` of kg.build.parallel.shared()."""
    child, parent = parallel.shared()[i]
    return [(c.id, p.id, score) for c, p, score in align_pairs(child, parent)]


def make_aligner(keys: Optional[dict[str, str]] = None, cache=None, ahead=None):
    """An aligner for ``kg.link.align.link``: pairs aligned in parallel on large inputs, and, with a
    ``kg.build.cache.PairCache`` and the documents' cache ``keys``, unchanged pairs taken from the cache
    (their documents' records are not needed: an incremental build's stubs stay unloaded).
    ``ahead``: a callable giving {pair key: links} of pairs aligned beforehand (align_ahead)."""

    def aligner(pairs):
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
    kg.model.Readings, when already made)."""
    return assemble_corpus(documents, overrides, aligner, rules, readings)[0]


def assemble_corpus(documents, overrides=None, aligner=None, rules=None, readings=None):
    """(Corpus, kg.model.Resolution): see assemble."""
    if readings is None:
        readings = resolve.read_all(documents, rules if rules is not None else overrides)
    corpus = Corpus(documents=documents)
    return corpus, complete(corpus, readings, overrides, aligner or make_aligner())


def complete(corpus: Corpus, readings: list, overrides, aligner):
    """Resolve the units of ``corpus`` (its documents read: ``readings``) into its organisations and
    link it; the kg.model.Resolution."""
    res = resolve.finish_all(readings)
    corpus.organisations = res.organisations
    link.link(corpus, overrides=overrides, aligner=aligner)
    return res

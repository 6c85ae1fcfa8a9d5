"""The pipeline, one stage per module, data flowing one way:

    read -> clean -> parse (plans) / report (annual reports) -> resolve -> link -> graph -> store

``build(paths, out)`` runs it all and writes ``out/`` atomically.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from kg.model import Corpus, Document, Source


@dataclass
class BuildResult:
    corpus: Corpus
    out: Optional[Path] = None
    files: list[Path] = field(default_factory=list)
    parsed: int = 0  # documents read and parsed by this build
    reused: int = 0  # documents taken from the cache of an earlier build (kg.cache)
    changed_graphs: list[str] = field(default_factory=list)  # named graphs (IRIs) written to the store


def parse_source(source: Source) -> Document:
    """Clean and parse one source: an annual report or a plan, whichever it is."""
    from kg.clean import clean
    from kg import report, parse

    text = clean(source.text)
    if report.is_report(text.text):
        return report.parse_report(source, text)
    return parse.parse_plan(source, text)


def parse_file(path: str) -> Document:
    """Read and parse one file."""
    from kg.read import read_file

    return parse_source(read_file(path))


# Parallel parsing pays from about this much input (bytes); below it, forking costs more.
PARALLEL_MIN_BYTES = 2_000_000


def parse_paths(paths: Iterable[str | Path], cache=None) -> list[Document]:
    """Read every file under ``paths`` and parse it (no resolution, no links).

    Large inputs are parsed in parallel, one process per core, in chunks of documents; the
    result keeps the input order, so it is the same as a serial parse (kg.parallel).
    ``cache`` (a ``kg.cache.DocCache``) supplies the documents of unchanged files and records
    the new ones.
    """
    import gc

    from kg import parallel
    from kg.read import list_files

    files = list_files([str(p) for p in paths])
    with parallel.no_gc():  # many small records and no reference cycles: collector passes are waste
        # (unpickling the cached documents too: with the collector on it costs ~5x)
        docs: list[Optional[Document]] = [cache.get(f) if cache else None for f in files]
        todo = [files[i] for i, d in enumerate(docs) if d is None]
        size = sum(os.path.getsize(f) for f in todo)
        fresh = iter(parallel.pmap(parse_file, todo, parallel.workers(size, PARALLEL_MIN_BYTES, len(todo))))
        # the documents live for the rest of the build and hold no cycles (reference counting
        # frees them): out of the collector's generations, its first pass after parsing (~8% of
        # the parse) and every later full pass skip them, and forked workers leave their pages shared
        gc.freeze()
    docs = [d if d is not None else next(fresh) for d in docs]
    if cache is not None:
        for d in docs:
            cache.put(d)
    return docs  # type: ignore[return-value]


# Parallel alignment pays from about this many task pairs to score (a pair of 47-task plans is
# ~2,200; scoring and matching one costs ~5 ms): at 300 plans (0.66M) two processes took as long
# as one, at 3,200 plans (7M) 6.5 s against 8.3 s.
ALIGN_MIN_WORK = 1_000_000


def _align_one(i: int) -> list[tuple[int, int, float]]:
    """(child task index, parent task index, score) links of pair ``i`` of kg.parallel.shared()."""
    from kg import parallel
    from kg.link import align_pairs

    child, parent = parallel.shared()[i]
    ci = {id(t): k for k, t in enumerate(child.tasks)}
    pi = {id(t): k for k, t in enumerate(parent.tasks)}
    return [(ci[id(c)], pi[id(p)], score) for c, p, score in align_pairs(child, parent)]


def make_aligner(keys: Optional[dict[str, str]] = None, cache=None):
    """An aligner for ``kg.link.link``: pairs aligned in parallel on large inputs, and, with a
    ``kg.cache.PairCache`` and the documents' cache ``keys``, unchanged pairs taken from the cache."""

    def aligner(pairs):
        from kg import parallel

        found: list = [None] * len(pairs)
        pair_keys: list = [None] * len(pairs)
        todo = []
        for n, (c, p) in enumerate(pairs):
            if cache is not None and keys and c.id in keys and p.id in keys:
                pair_keys[n] = cache.key(keys[c.id], keys[p.id])
                found[n] = cache.get(pair_keys[n])
            if found[n] is None:
                todo.append(n)
        work = sum(len(pairs[n][0].tasks) * len(pairs[n][1].tasks) for n in todo)
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
        return [[(c.tasks[i], p.tasks[j], score) for i, j, score in links]
                for (c, p), links in zip(pairs, found)]

    return aligner


def assemble(documents: list[Document], overrides: Optional[str | Path] = None, aligner=None,
             rules=None) -> Corpus:
    """Resolve units and link documents, tasks and report passages (``aligner``: see kg.link;
    ``rules``: the override file's unit rules, when already read)."""
    from kg import link, resolve

    corpus = Corpus(documents=documents)
    corpus.organisations = resolve.resolve(documents, overrides=rules if rules is not None else overrides)
    link.link(corpus, overrides=overrides, aligner=aligner or make_aligner())
    return corpus


def build(paths: Iterable[str | Path], out: Optional[str | Path] = None,
          overrides: Optional[str | Path] = None, incremental: bool = True,
          optimize: bool = False) -> BuildResult:
    """Parse, resolve and link the documents under ``paths``; write ``out/`` when given.

    ``out/`` receives graph.ttl, the persistent store (store/), diagnostics.json and manifest.json,
    and cache/ (what the next build into ``out/`` reuses). Builds are incremental by default: when
    ``out/`` holds an earlier build, unchanged files are not read or parsed again, the alignments
    of unchanged document pairs are reused, and the store rewrites only the named graphs that
    changed (kg.cache, kg.incremental). The outputs are the same bytes as a clean build's;
    ``incremental=False`` ignores the cache and rewrites everything. ``optimize`` compacts the
    store afterwards (kg.store.optimize: slower build, faster queries on a large graph).
    """
    if out is None:
        return BuildResult(corpus=assemble(parse_paths(paths), overrides=overrides))
    from kg import incremental as inc
    from kg.cache import DocCache, PairCache
    from kg.resolve import load_overrides, rules_digest

    out = Path(out)
    rules = load_overrides(overrides)
    salt = rules_digest(rules)
    docs_cache = DocCache(out, reuse=incremental)
    pairs = PairCache(out, reuse=incremental)
    docs = parse_paths(paths, cache=docs_cache)
    corpus = assemble(docs, overrides=overrides, aligner=make_aligner(docs_cache.keys, pairs), rules=rules)
    result = BuildResult(corpus=corpus, out=out)
    result.files, result.changed_graphs = inc.write_outputs(corpus, out, reuse=incremental, salt=salt)
    docs_cache.save()
    pairs.save()
    if optimize:
        from kg.store import optimize as compact

        compact(out)
    result.parsed, result.reused = docs_cache.misses, docs_cache.hits
    return result

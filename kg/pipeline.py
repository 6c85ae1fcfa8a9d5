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
    from kg import parallel
    from kg.read import list_files

    files = list_files([str(p) for p in paths])
    docs: list[Optional[Document]] = [cache.get(f) if cache else None for f in files]
    todo = [files[i] for i, d in enumerate(docs) if d is None]
    size = sum(os.path.getsize(f) for f in todo)
    fresh = iter(parallel.pmap(parse_file, todo, parallel.workers(size, PARALLEL_MIN_BYTES, len(todo))))
    docs = [d if d is not None else next(fresh) for d in docs]
    if cache is not None:
        for d in docs:
            cache.put(d)
    return docs  # type: ignore[return-value]


def assemble(documents: list[Document], overrides: Optional[str | Path] = None) -> Corpus:
    """Resolve units and link documents, tasks and report passages."""
    from kg import link, resolve

    corpus = Corpus(documents=documents)
    corpus.organisations = resolve.resolve(documents, overrides=overrides)
    link.link(corpus, overrides=overrides)
    return corpus


def build(paths: Iterable[str | Path], out: Optional[str | Path] = None,
          overrides: Optional[str | Path] = None) -> BuildResult:
    """Parse, resolve and link the documents under ``paths``; write ``out/`` when given.

    ``out/`` receives graph.ttl, the persistent store (store/), diagnostics.json and manifest.json.
    """
    corpus = assemble(parse_paths(paths), overrides=overrides)
    result = BuildResult(corpus=corpus)
    if out is not None:
        from kg.graph import write_outputs

        result.out = Path(out)
        result.files = write_outputs(corpus, Path(out))
    return result

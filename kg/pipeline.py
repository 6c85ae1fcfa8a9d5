"""The pipeline, one stage per module, data flowing one way:

    read -> clean -> parse (plans) / report (annual reports) -> resolve -> link -> graph -> store

``build(paths, out)`` runs it all and writes ``out/`` atomically.
"""
from __future__ import annotations

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


def parse_paths(paths: Iterable[str | Path]) -> list[Document]:
    """Read every file under ``paths`` and parse it (no resolution, no links)."""
    from kg.read import read_paths

    return [parse_source(s) for s in read_paths([str(p) for p in paths])]


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

"""The IRIs of the graph's resources and named graphs (bases from kg.vocab): documents, tasks,
sections, measures, organisations, directives, runs, and the named graphs they live in."""
from __future__ import annotations

import hashlib
import re
from typing import Optional
from urllib.parse import quote

from kg.version import __version__
from kg.model import Corpus
from kg.parse.titles import title_key
from kg.resolve.orgnames import pinyin, slug
from kg.vocab import DGR

_PLAIN_SEG = re.compile(r"[A-Za-z0-9_.~-]*")


def seg(s: str) -> str:
    """One IRI path segment, ASCII (ids are ASCII slugs already; anything else is %-encoded)."""
    s = str(s)
    return s if _PLAIN_SEG.fullmatch(s) else quote(s, safe="-_.~")


def short_hash(text: str, n: int = 12) -> str:
    """The first ``n`` hex digits of the sha256 of ``text``."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:n]


def doc_iri(doc_id: str) -> str:
    return f"{DGR}doc/{seg(doc_id)}"


def task_iri(doc_id: str, task_id: str) -> str:
    return f"{doc_iri(doc_id)}/t/{seg(task_id)}"


def section_iri(doc_id: str, sec_id: str) -> str:
    return f"{doc_iri(doc_id)}/s/{seg(sec_id)}"


def measure_iri(doc_id: str, measure_id: str) -> str:
    return f"{doc_iri(doc_id)}/m/{seg(measure_id)}"


def org_iri(org_id: str) -> str:
    return f"{DGR}org/{seg(org_id)}"


def graph_iri(name: str) -> str:
    return f"{DGR}graph/{seg(name)}"


def directive_iri(title: str) -> str:
    """A directive named but not held: one IRI for every written variant of its title."""
    return f"{DGR}directive/{short_hash(title_key(title) or title)}"


def run_id(corpus: Corpus) -> str:
    shas = sorted(d.source.sha256 for d in corpus.documents)
    return short_hash("\n".join(shas + ["dutygraph " + __version__]), 16)


def key_iri(key: str, kind: str = "t") -> Optional[str]:
    """'<doc id>#<task id>' → task IRI; 'theme:<id>' → dgr:theme/{id}."""
    if key.startswith("theme:"):
        return f"{DGR}theme/{seg(key[6:])}"
    if "#" not in key:
        return None
    d, t = key.split("#", 1)
    return f"{doc_iri(d)}/{kind}/{seg(t)}"



def links_graph_iri(doc_id: str) -> str:
    """The named graph of one document's links: its tasks' alignments, its measures' evidence."""
    return f"{DGR}graph/links/{seg(doc_id)}"


def orgs_graph_iri(region: Optional[str]) -> str:
    """The named graph of the organisations of one region (pinyin slug and a short hash: ASCII)."""
    if not region:
        return f"{DGR}graph/orgs/none"
    return f"{DGR}graph/orgs/{slug('-'.join(pinyin(region)))}-{short_hash(region, 6)}"


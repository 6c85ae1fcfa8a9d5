"""The named graphs of a corpus, one at a time: each graph's IRI, the fingerprint of what it is
made from, and its sorted triples (iter_graphs), and a graph made (Made: its N-Quads and digest).

One named graph per document (dgr:graph/{doc}), one for each document's links
(dgr:graph/links/{doc}: parent targets, alignments, evidence), one per region for organisations
(dgr:graph/orgs/{region}), and dgr:graph/corpus for the run, directive placeholders and concepts.
"""
from __future__ import annotations

import hashlib
import operator
import pickle
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterator, Optional

from kg.version import __version__
from kg.fingerprints import graph_fingerprint
from kg.model import Corpus, Document, Organisation
from kg.parse.titles import infer_level
from kg.rdf.builder import Builder
from kg.rdf.iris import directive_iri, doc_iri, graph_iri, links_graph_iri, orgs_graph_iri, run_id
from kg.rdf.serialize import turtle_chunk
from kg.rdf.quads import (alignment_quads, concept_quads, document_counts, document_quads, evidence_quads,
                          organisation_quads, parent_targets)
from kg.vocab import DCT, DG, DGR, ELI, PROV
from kg.vocab import LEVEL_CLASS as LEVEL


@dataclass
class OrgGraph:
    """The named graph of the organisations of one region (orgs_graph_iri): its fingerprint (the
    organisations pickled, with the code), how many it holds, their functions, and the
    organisations themselves, or None when an incremental build did not finish them again (the
    graph is then unchanged: its fingerprint is the previous build's)."""
    iri: str
    fingerprint: str
    count: int
    functions: tuple
    orgs: Optional[list] = None

    def bare(self) -> "OrgGraph":
        return OrgGraph(self.iri, self.fingerprint, self.count, self.functions)


def org_graphs(orgs: dict[str, Organisation]) -> list[OrgGraph]:
    """The organisations' graphs, by IRI; each holds its organisations in id order."""
    regions: dict[str, list[Organisation]] = {}
    for oid in sorted(orgs):
        o = orgs[oid]
        regions.setdefault(orgs_graph_iri(o.region), []).append(o)
    return [OrgGraph(g, _fingerprint(found), len(found), tuple(sorted({o.function for o in found if o.function})),
                     found) for g, found in sorted(regions.items())]


def key_doc(key: str) -> str:
    """The document id of a task or measure key ('<doc id>#<id>')."""
    return key.split("#", 1)[0]


def graph_lines(g: str, fill: Callable[[Builder], object]) -> list[str]:
    """The sorted distinct lines that ``fill`` adds to graph ``g``."""
    b = Builder()
    b.graph(g)
    fill(b)
    return sorted(set(b.blocks[g]))


@lru_cache(maxsize=1)
def _code_version() -> bytes:
    """What, besides its records, decides a graph's triples: the code (kg.fingerprints.graph_fingerprint:
    the modules of the stages up to this one, kg/data, the libraries, pyoxigraph's Turtle writer among them)."""
    return f"{__version__} {graph_fingerprint()}".encode()


def _fingerprint(obj) -> str:
    """A hash of the records a graph is made from (pickled) and of the code that makes it."""
    return hashlib.sha256(_code_version() + pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()


# a links graph's records as tuples, which pickle fast, for its fingerprint
_ALIGNMENT_FIELDS = operator.attrgetter("child", "parent", "score", "method", "confirmed")
_EVIDENCE_FIELDS = operator.attrgetter("measure", "target", "score", "method", "counts")


def iter_graphs(corpus: Corpus, counts: dict, salt: str = "",
                orgs: Optional[list[OrgGraph]] = None) -> Iterator[tuple[str, Optional[str], Callable[[], list[str]]]]:
    """(named graph IRI, fingerprint, make), one graph at a time; ``make()`` gives the graph's
    triples as sorted distinct N-Triples strings "<s> <p> o" (empty: the graph is left out), and
    the fingerprint hashes everything they are made from (None: always made again), so that an
    incremental build can tell an unchanged graph without making it: a document's graph by its
    source and the rules (document_fingerprint), the others by their records pickled. ``counts``
    is filled at the end; ``salt``: see document_fingerprint; ``orgs``: the organisations' graphs
    (default: org_graphs(corpus.organisations)).

    The graphs, in this order, are cut so that a change to one document touches few of them
    (kg.build.outputs.write rewrites only the graphs that changed):

    - dgr:graph/{doc}: each document's records, in input order (document_graphs: they need the
      documents alone, their org ids filled by kg.resolve.entities.read);
    - dgr:graph/links/{doc}: what the document's named parents resolved to (eli:based_on /
      eli:applies, dg:target), the alignments of its tasks to their parent tasks and the evidence
      of its measures (they change with the document or with its parents); a document's own graph
      depends on it alone;
    - dgr:graph/orgs/{region}: the organisations of one region, by graph IRI;
    - dgr:graph/corpus: the build run, directives named but not held, and SKOS concepts.

    The last three (corpus_graphs) need the resolved and linked corpus.
    """
    yield from document_graphs(corpus, salt)
    yield from corpus_graphs(corpus, counts, orgs)


def document_graphs(corpus: Corpus, salt: str = "") -> Iterator[tuple[str, Optional[str], Callable[[], list[str]]]]:
    """The documents' own graphs, as iter_graphs gives them (its first part)."""
    for doc in corpus.documents:
        g = graph_iri(doc.id)
        yield g, document_fingerprint(doc, salt), lambda g=g, doc=doc: graph_lines(g, lambda b: document_quads(b, doc))


def corpus_graphs(corpus: Corpus, counts: dict, orgs: Optional[list[OrgGraph]] = None
                  ) -> Iterator[tuple[str, Optional[str], Callable[[], list[str]]]]:
    """The links, organisations' and corpus graphs, as iter_graphs gives them (after the
    documents' graphs); fills ``counts``."""
    placeholders: dict[str, tuple] = {}
    per_doc = {}
    for doc in corpus.documents:
        per_doc[doc.id] = document_counts(doc)
        for p in doc.parents:
            if not p.document_id:
                placeholders.setdefault(directive_iri(p.title), (p.title, p.level))
    by_doc: dict[str, tuple[list, list]] = {d.id: ([], []) for d in corpus.documents}
    for al in corpus.alignments:
        by_doc.setdefault(key_doc(al.child), ([], []))[0].append(al)
    for ev in corpus.evidence:
        by_doc.setdefault(key_doc(ev.measure), ([], []))[1].append(ev)
    docs = {d.id: d for d in corpus.documents}
    for doc_id, (als, evs) in by_doc.items():
        g = links_graph_iri(doc_id)
        doc = docs.get(doc_id)
        targets = [(p.relation, p.title, p.document_id) for p in doc.parents] if doc else []

        def links(b, als=als, evs=evs, doc=doc):
            if doc is not None:
                parent_targets(b, doc)
            alignment_quads(b, als)
            evidence_quads(b, evs)

        fp = _fingerprint((targets, list(map(_ALIGNMENT_FIELDS, als)), list(map(_EVIDENCE_FIELDS, evs))))
        yield g, fp, lambda g=g, fill=links: graph_lines(g, fill)
    if orgs is None:
        orgs = org_graphs(corpus.organisations)
    for og in orgs:
        def fill_orgs(b, found=og.orgs):
            for o in found:
                organisation_quads(b, o)

        yield og.iri, og.fingerprint, lambda g=og.iri, fill=fill_orgs: graph_lines(g, fill)
    functions = {f for og in orgs for f in og.functions}

    run = run_id(corpus)

    def rest(b: Builder) -> None:
        r = f"{DGR}run/{run}"
        b.a(r, PROV + "Activity")
        b.lit(r, DG + "toolVersion", __version__)
        for doc in corpus.documents:
            b.add(r, PROV + "used", f"{DGR}file/{doc.source.sha256}")
            # in the corpus graph, not the document's: the run changes whenever any input does, and
            # an incremental build rewrites only the named graphs of documents that changed
            b.add(doc_iri(doc.id), PROV + "wasGeneratedBy", r)
        held = {p.title: doc_iri(p.document_id) for d in corpus.documents for p in d.parents if p.document_id}
        for child, rel, parent in corpus.directive_links:
            ends = []
            for title in (child, parent):
                iri = held.get(title) or directive_iri(title)
                if title not in held:
                    placeholders.setdefault(iri, (title, infer_level(title)[0]))
                ends.append(iri)
            b.add(ends[0], ELI + rel, ends[1])
        for iri, (title, level) in sorted(placeholders.items()):
            b.a(iri, ELI + "LegalResource")
            b.a(iri, DG + "Directive")
            b.zh(iri, DCT + "title", title)
            if level in LEVEL:
                b.add(iri, DG + "level", DG + LEVEL[level])
        concept_quads(b, corpus, functions)

    g = graph_iri("corpus")
    yield g, None, lambda: graph_lines(g, rest)
    totals = {
        "documents": len(corpus.documents),
        "plans": sum(1 for d in corpus.documents if d.kind != "report"),
        "reports": sum(1 for d in corpus.documents if d.kind == "report"),
        "tasks": sum(v["tasks"] for v in per_doc.values()),
        "assignments": sum(v["assignments"] for v in per_doc.values()),
        "measures": sum(v["measures"] for v in per_doc.values()),
        "organisations": sum(og.count for og in orgs),
        "alignments": len(corpus.alignments),
        "evidence": len(corpus.evidence),
    }
    counts.update({"corpus": totals, "documents": per_doc})


def iter_blocks(corpus: Corpus, counts: dict) -> Iterator[tuple[str, list[str]]]:
    """(named graph IRI, its triples as sorted distinct N-Triples strings "<s> <p> o"), one graph
    at a time (see iter_graphs), so that memory stays flat at any corpus size."""
    for g, _fp, make in iter_graphs(corpus, counts):
        lines = make()
        if lines:
            yield g, lines


def nquads(g: str, lines: list[str]) -> bytes:
    """Graph ``g``'s triples (N-Triples strings) as N-Quads bytes."""
    end = f" <{g}> .\n"
    return (end.join(lines) + end).encode("utf-8") if lines else b""


def corpus_quads(corpus: Corpus) -> tuple[list, dict]:
    """Every quad of a (small) corpus as pyoxigraph Quads, graph by graph, each sorted, and counts."""
    import pyoxigraph as ox

    counts: dict = {}
    data = b"".join(nquads(g, lines) for g, lines in iter_blocks(corpus, counts))
    return list(ox.parse(data, format=ox.RdfFormat.N_QUADS)), counts



@dataclass
class Made:
    """One graph made: its triples (sorted N-Triples strings), its N-Quads and their sha256."""
    graph: str
    fingerprint: Optional[str]
    lines: list[str]
    nq: bytes
    digest: str

    @property
    def triples(self) -> int:
        return len(self.lines)

    @property
    def chunk(self) -> bytes:
        """Its Turtle (made on demand: a graph whose digest is unchanged is copied instead)."""
        return turtle_chunk(self.lines)


def make_graph(g: str, fingerprint: Optional[str], lines: list[str]) -> Optional[Made]:
    """``lines`` (sorted N-Triples strings of graph ``g``) as a Made graph; None when empty."""
    if not lines:
        return None
    data = nquads(g, lines)
    return Made(g, fingerprint, lines, data, hashlib.sha256(data).hexdigest())


def document_fingerprint(doc: Document, salt: str = "") -> str:
    """What a document's own graph is made from: its source file (path, sha256, name and id in the
    build), the code that parses it and makes its triples, and ``salt`` (the override rules, which
    decide its org ids)."""
    s = doc.source
    key = f"{salt}\0{s.path}\0{s.sha256}\0{s.name}\0{doc.id}\0"
    return hashlib.sha256(_code_version() + key.encode("utf-8", "surrogateescape")).hexdigest()


def make_document(doc: Document, salt: str = "") -> Optional[Made]:
    """A document's own graph, made from the document alone (its org ids filled: kg.resolve.entities.read)."""
    g = graph_iri(doc.id)
    return make_graph(g, document_fingerprint(doc, salt), graph_lines(g, lambda b: document_quads(b, doc)))


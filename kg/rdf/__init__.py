"""RDF stage: records to quads under the ontology: IRIs (iris), triples as N-Triples strings
(builder), the quads of each record (quads), the named graphs of a corpus (graphs), Turtle (serialize)."""
from kg.rdf.graphs import OrgGraph, corpus_quads, iter_blocks, iter_graphs, make_document, org_graphs
from kg.rdf.iris import doc_iri, graph_iri, links_graph_iri, org_iri, orgs_graph_iri, task_iri
from kg.rdf.quads import document_counts, document_quads
from kg.rdf.serialize import TTL_HEAD, TTL_PREFIXES, sorted_triples, turtle, turtle_chunk

__all__ = ["OrgGraph", "corpus_quads", "iter_blocks", "iter_graphs", "make_document", "org_graphs", "doc_iri",
           "graph_iri", "links_graph_iri", "org_iri", "orgs_graph_iri", "task_iri", "document_counts",
           "document_quads", "TTL_HEAD", "TTL_PREFIXES", "sorted_triples", "turtle", "turtle_chunk"]

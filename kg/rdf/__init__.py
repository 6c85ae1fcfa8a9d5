"""RDF stage: records to quads under the ontology (IRIs, quads, serialisation)."""

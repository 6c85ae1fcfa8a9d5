"""The vocabulary, defined once: namespaces and prefixes, the IRI bases, and the tables of levels,
kinds, roles and section types with the ontology classes they map to (ontology/dutygraph.ttl).

Every stage that writes or reads the graph takes its terms from here (in the manner of rdflib's
``rdflib.namespace`` and pySHACL's ``consts``).
"""
from __future__ import annotations

from typing import Iterable, Optional

XSD = "http://www.w3.org/2001/XMLSchema#"
# prefix -> namespace, in the order the Turtle output and the SPARQL prologue list them
PREFIXES = {
    "dg": "https://w3id.org/dutygraph/ontology#",
    "dgr": "https://w3id.org/dutygraph/id/",
    "eli": "http://data.europa.eu/eli/ontology#",
    "org": "http://www.w3.org/ns/org#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": XSD,
}
SH = "http://www.w3.org/ns/shacl#"

DG = PREFIXES["dg"]          # DutyGraph's own terms
DGR = PREFIXES["dgr"]        # DutyGraph's resources (documents, tasks, organisations, graphs)
ELI = PREFIXES["eli"]
ORG = PREFIXES["org"]
SKOS = PREFIXES["skos"]
PROV = PREFIXES["prov"]
DCT = PREFIXES["dcterms"]
SDO = PREFIXES["schema"]
RDF = PREFIXES["rdf"]
RDFS = PREFIXES["rdfs"]
OWL = PREFIXES["owl"]

DOC_BASE = DGR + "doc/"      # dgr:doc/<document id>[/task/…, /section/…, /measure/…]
ORG_BASE = DGR + "org/"      # dgr:org/<organisation id>


def prologue(keys: Optional[Iterable[str]] = None) -> str:
    """SPARQL PREFIX lines for ``keys`` (default: all of PREFIXES), in PREFIXES' order."""
    wanted = set(PREFIXES if keys is None else keys)
    return "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items() if k in wanted)


# Levels of government a document or an organisation belongs to, top down.
LEVELS = ("national", "province", "city", "district", "department")
LEVEL_CLASS = {"national": "National", "province": "Province", "city": "City", "district": "District",
               "department": "Department"}
LEVEL_OF_CLASS = {v: k for k, v in LEVEL_CLASS.items()}


def level_rank(level: Optional[str]) -> int:
    """A level's place from the top (national 0 … department 4); an unknown level comes after all."""
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)


# Roles a unit can hold on a task, their classes and the shortcut property from task to unit.
ROLES = ("lead", "support", "responsible")
ROLE_CLASS = {"lead": "Lead", "support": "Support", "responsible": "Responsible"}
ROLE_PROPERTY = {"lead": "leadUnit", "support": "supportingUnit", "responsible": "responsibleUnit"}

# Organisation.kind -> the local name of its org:classification concept in dg:.
KINDS = ("party", "government", "court", "procuratorate", "congress", "cppcc", "mass", "other", "group")
KIND_CLASS = {"party": "Party", "government": "GovernmentDepartment", "court": "Court",
              "procuratorate": "Procuratorate", "congress": "PeoplesCongress", "cppcc": "CPPCC",
              "mass": "MassOrganisation", "other": "OtherBody", "group": "Group"}
KIND_OF_CLASS = {v: k for k, v in KIND_CLASS.items()}

# Annual-report section types and their classes.
SECTION_TYPE_CLASS = {"achievements": "Achievements", "problems": "Problems", "plans": "NextYearPlans",
                      "leadership": "LeadershipDuty"}

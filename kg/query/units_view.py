"""The resolution table of a built graph: every organisation with its labels and the mentions
merged into it (``kg units``), read with SPARQL from a pyoxigraph store using the documented
vocabulary (skos:prefLabel/altLabel, org:classification, dg:level, dg:region, org:subOrganizationOf,
dg:counterpartAbove, dg:groupMember, and dg:asWritten on dg:Assignment nodes via dg:unit).
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from kg.errors import KgError
from kg.vocab import KIND_OF_CLASS, prologue
from kg.query.queries import internal_query
from kg.query.store import local_name, open_store

COLUMNS = ["unit", "kind", "level", "region", "labels", "mentions", "assignments", "part_of",
           "counterpart", "members", "id"]

def _kind_words() -> dict[str, str]:
    """org:classification local name → the kind word of kg.model.Organisation.kind."""

    return dict(KIND_OF_CLASS)


PREFIXES = prologue(("skos", "org", "dg"))


def open_graph(path: str | Path):
    """The pyoxigraph store of a build directory (DIR/store, or DIR/graph.ttl when there is no
    store), a store directory or an RDF file: kg.query.store.open_store."""
    return open_store(path).ox


def units_table(store, kind: Optional[str] = None, merged_only: bool = False) -> list[dict]:
    """One row per organisation, sorted by region, level, kind and name."""

    def run(q):
        try:
            return list(store.query(q, use_default_graph_as_union=True))
        except (SyntaxError, OSError, ValueError) as e:  # pragma: no cover - a broken store
            raise KgError(f"cannot read organisations from the graph ({e}): rebuild it with kg build") from None

    kinds = _kind_words()
    rows: dict[str, dict] = {}
    for s in run(PREFIXES + internal_query("units-orgs")):
        iri = s["org"].value
        r = rows.setdefault(iri, {"id": local_name(iri), "unit": "", "kind": "", "level": "", "region": "",
                                  "_labels": set(), "_written": {}, "_links": {}})
        if s["pref"] is not None and (not r["unit"] or s["pref"].value < r["unit"]):
            r["unit"] = s["pref"].value
        if s["kind"] is not None and r["kind"] in ("", "group"):
            r["kind"] = kinds.get(local_name(s["kind"].value), local_name(s["kind"].value))
        if s["level"] is not None:
            r["level"] = s["levelNote"].value if s["levelNote"] is not None else local_name(s["level"].value).lower()
        if s["region"] is not None:
            r["region"] = s["region"].value
    for s in run(PREFIXES + internal_query("units-labels")):
        if s["org"].value in rows:
            rows[s["org"].value]["_labels"].add(s["alt"].value)
    for s in run(PREFIXES + internal_query("units-mentions")):
        if s["org"].value in rows:
            rows[s["org"].value]["_written"][s["w"].value] = int(s["n"].value)
    names = {"subOrganizationOf": "part_of", "counterpartAbove": "counterpart", "groupMember": "members"}
    for s in run(PREFIXES + internal_query("units-links")):
        if s["org"].value in rows:
            label = s["label"].value if s["label"] is not None else local_name(s["other"].value)
            rows[s["org"].value]["_links"].setdefault(names[local_name(s["rel"].value)], set()).add(label)
    out = []
    for r in rows.values():
        written = r.pop("_written")
        labels = r.pop("_labels")
        links = r.pop("_links")
        r["labels"] = "; ".join(sorted(labels))
        r["mentions"] = "; ".join(f"{w} ×{written[w]}" for w in sorted(written, key=lambda w: (-written[w], w)))
        r["assignments"] = sum(written.values())
        for col in ("part_of", "counterpart", "members"):
            r[col] = "; ".join(sorted(links.get(col, ())))
        if kind and r["kind"] != kind:
            continue
        if merged_only and len(written) < 2:
            continue
        out.append(r)
    order = {lv: i for i, lv in enumerate(("national", "province", "city", "district", "department"))}
    out.sort(key=lambda r: (r["region"], order.get(r["level"], 9), r["kind"], r["unit"], r["id"]))
    return out

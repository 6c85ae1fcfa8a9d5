"""What the views read from a built graph: documents, sections, tasks, roles, units and links
(the queries in kg/data/viz/*.rq), keyed by IRI, and the orders they are drawn in.

The queries join lists (a unit's other names, how a task names a unit) with U+0000, as the named
queries do (kg.query.queries.LIST_SEP): a name that holds 、 (各县(市、区)人民政府) stays one item.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Optional

from kg.query.queries import LIST_SEP
from kg.resources import DATA as _KG_DATA
from kg.vocab import DOC_BASE as DOC

DATA = _KG_DATA / "viz"
LISTS = ("alt", "as_written")  # the view queries' GROUP_CONCAT columns (items joined with LIST_SEP)


@dataclass
class Data:
    """What the views need from the graph, keyed by IRI."""

    docs: dict[str, dict] = field(default_factory=dict)
    sections: dict[str, dict] = field(default_factory=dict)
    tasks: dict[str, dict] = field(default_factory=dict)
    roles: list[dict] = field(default_factory=list)
    units: dict[str, dict] = field(default_factory=dict)
    links: list[dict] = field(default_factory=list)

    def roles_of(self, task: str) -> list[dict]:
        """The roles on ``task`` (lead, responsible, support, mentions; then by unit)."""
        return self._by_task.get(task, [])

    def index(self) -> "Data":
        """Index the roles by task (again after roles are added); returns the data."""
        self._by_task: dict[str, list[dict]] = {}
        for r in sorted(self.roles, key=_role_key):
            self._by_task.setdefault(r["task"], []).append(r)
        return self


def _role_key(r: dict) -> tuple:
    return (r["task"], ("lead", "responsible", "support", "mentions").index(r["role"]), r["unit"])


def select(g, name: str, **params) -> list[dict]:
    """Rows of the view query kg/data/viz/NAME.rq. A list column (LISTS) comes as its items joined
    with 、 for the page to show, and as the items themselves under NAME_items (a name holding 、
    stays one item)."""
    rows = g.select(str(DATA / f"{name}.rq"), **params)
    for r in rows:
        for c in LISTS:
            v = r.get(c)
            if isinstance(v, str):
                items = v.split(LIST_SEP)
                r[c], r[c + "_items"] = "、".join(items), items
    return rows


def load(g, docs: Optional[Iterable[str]] = None) -> Data:
    """Read documents, sections, tasks, roles, units and links; only ``docs`` (IRIs) when given."""
    data = Data()
    data.docs = {d["doc"]: d for d in g.documents()}
    scopes = [None] if docs is None else sorted(set(docs))
    for doc in scopes:
        p = {"doc": doc} if doc else {}
        for r in select(g, "sections", **p):
            data.sections[r["section"]] = r
        for r in select(g, "tasks", **p):
            data.tasks[r["task"]] = r
        data.roles += select(g, "roles", **p)
        for r in select(g, "units", **p):
            data.units.setdefault(r["unit"], r)
        data.links += select(g, "links", **p) + select(g, "carries", **p)
    data.roles = sorted({(r["task"], r["role"], r["unit"]): r for r in data.roles}.values(), key=_role_key)
    return data.index()


def doc_id(iri: str) -> str:
    """A document's id (000, 001_642e6dbf011a83a5 …) from its IRI."""
    return iri[len(DOC):] if iri.startswith(DOC) else iri.rsplit("/", 1)[-1]


def natural(s: str) -> tuple:
    """A sort key that orders the numbers in ``s`` by value (t2 before t10)."""
    return tuple(int(x) if x.isdigit() else x for x in re.split(r"(\d+)", s))


def section_depth(data: Data, s: str) -> int:
    """How deep section ``s`` is in its document (1 for 一、, 2 for （一） …; 0 for a document)."""
    d = 0
    while s in data.sections:
        d += 1
        s = data.sections[s]["parent"]
    return d


def load_measures(g, data: Data, doc: str) -> None:
    """An annual report's measures as the leaves of its tree (in ``data.tasks``, marked ``measure``)
    and the units they name (in ``data.roles``, role ``mentions``)."""
    for r in select(g, "measures", doc=doc):
        text = r.get("description") or ""
        data.tasks[r["measure"]] = {"task": r["measure"], "doc": r["doc"], "section": r.get("section"),
                                    "number": None, "title": text, "description": text, "order": r.get("order"),
                                    "start": r.get("start"), "end": r.get("end"), "measure": True}
    for r in select(g, "mentions", doc=doc):
        data.units.setdefault(r["unit"], r)
        data.roles.append({"task": r["measure"], "doc": r["doc"], "role": "mentions", "unit": r["unit"]})
    data.index()

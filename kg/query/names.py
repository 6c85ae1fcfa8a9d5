"""One way to name a document and a task, for every command, every ``--param``, ``kg push --doc``
and the Python API.

A document is named by its id (``000_b7f676789088e75d``), a unique id prefix (``000``), its file
name with or without the extension (``000_b7f676789088e75d.txt``) or its IRI (``dgr:doc/000_…``,
``https://w3id.org/dutygraph/id/doc/000_…``, with or without <>). A task is ``DOC#NUMBER``
(``000#13``), ``DOC#TASKID`` (``001#u1``), ``DOC NUMBER`` or its IRI. Width forms a user types
(``０００＃１３``, a full-width space) are folded first. An ambiguous prefix is an error listing the
candidates; a name matching nothing lists the documents there are.

    resolve_document("000", docs)  -> the matching DocName
    split_task("000#13")           -> ("000", "13")

``docs`` is any sequence of DocName (id, file, iri); kg.query.api.Graph builds it from the documents
query, kg.query.trace from a corpus, kg push from the store's named graphs.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

from kg.errors import KgError
from kg.i18n import fold
from kg.query.queries import expand_iri
from kg.vocab import DG, DOC_BASE as DOC_NS

_SHOWN = 12  # candidates listed in an error


@dataclass(frozen=True)
class DocName:
    """What a document can be called by."""

    id: str
    file: str = ""
    title: str = ""

    @property
    def iri(self) -> str:
        return DOC_NS + self.id


def is_iri(ref: str) -> bool:
    """True for <…>, http(s)://… and prefixed names of this project (dgr:…, dg:…)."""
    r = ref.strip()
    return r.startswith(("<", "http://", "https://", "dgr:", "dg:"))


def doc_id_of_iri(iri: str) -> Optional[str]:
    """``000_…`` from a document (or task) IRI of this project, else None."""
    v = expand_iri(iri)
    if not v.startswith(DOC_NS):
        return None
    return v[len(DOC_NS):].split("/", 1)[0] or None


def _listing(docs: Sequence[DocName]) -> str:
    ids = [d.id for d in docs[:_SHOWN]]
    more = f" and {len(docs) - _SHOWN} more" if len(docs) > _SHOWN else ""
    return (", ".join(ids) + more) if ids else "none (the graph holds no document)"


def resolve_document(ref: str, docs: Sequence[DocName]) -> DocName:
    """The document ``ref`` names (see the module docstring); KgError when none or several do."""
    raw = str(ref)
    r = fold(raw)
    if not r:
        raise KgError("give a document: its id, a unique id prefix such as 000, its file name or its IRI")
    if is_iri(r):
        did = doc_id_of_iri(r)
        hit = [d for d in docs if d.id == did]
        if not hit:
            raise KgError(f"no document {raw.strip()!r} in the graph: use one of {_listing(docs)}")
        return hit[0]
    tests = (lambda d: d.id == r, lambda d: d.file == r,
             lambda d: bool(d.file) and d.file.rsplit(".", 1)[0] == r, lambda d: d.id.startswith(r))
    for test in tests:
        hit = [d for d in docs if test(d)]
        if len(hit) == 1:
            return hit[0]
        if len(hit) > 1:
            raise KgError(f"document {raw.strip()!r} is ambiguous: it names {len(hit)} documents "
                          f"({_listing(hit)}); give more of the id")
    raise KgError(f"no document {raw.strip()!r} in the graph: use one of {_listing(docs)}")


def split_task(ref: str) -> tuple[str, str]:
    """(document reference, task number or id) from ``000#13``, ``000＃13``, ``001#u1`` or ``000 13``."""
    r = fold(ref)
    if "#" in r:
        doc, _, task = r.rpartition("#")
    else:
        doc, _, task = r.rpartition(" ")
    doc, task = doc.strip(), task.strip()
    if not doc or not task:
        raise KgError(f"task {str(ref).strip()!r}: write it as DOC#NUMBER or DOC#TASKID, e.g. 000#12 or "
                      "001#u1, or give the task IRI")
    if task.isdigit():
        task = str(int(task))  # 013 -> 13, as printed numbers are kept
    return doc, task


def doc_names(rows: Iterable[dict]) -> list[DocName]:
    """DocNames from rows of queries/documents.rq (document, file, title)."""
    return [DocName(r["document"], r.get("file") or "", r.get("title") or "") for r in rows if r.get("document")]


class UnknownUnit(KgError):
    """No organisation carries that name; ``suggestions`` are the nearest labels."""

    def __init__(self, name: str, suggestions: list[str]):
        hint = ("; nearest: " + ", ".join(suggestions)) if suggestions else ""
        super().__init__(f"no unit is called {name!r}{hint}", 1)
        self.name = name
        self.suggestions = suggestions


def term_name(value: Optional[str], table: dict[str, str], what: str) -> Optional[str]:
    """'government' or 'GovernmentDepartment' or 'dg:GovernmentDepartment' -> the dg: IRI."""
    if value is None or not str(value).strip():
        return None
    v = str(value).strip()
    if ":" in v:
        return expand_iri(v)
    local = table.get(v.lower()) or next((x for x in table.values() if x.lower() == v.lower()), None)
    if local is None:
        raise KgError(f"{what} {v!r}: use one of {', '.join(table)}")
    return DG + local

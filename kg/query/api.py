"""Ask the graph from Python: the same questions as the CLI, on a local build or a SPARQL server.

    >>> from kg import Graph
    >>> g = Graph.open("out")                       # a `kg build … --out out` directory
    >>> g.tasks_of("区司法局", role="lead", doc="000")
    >>> g = Graph.connect("http://127.0.0.1:7878")  # a SPARQL 1.1 server holding a pushed graph

Every question is a named query in queries/ (see kg.query.queries); methods return lists of dicts
whose keys are the query's documented columns. To add a question: write queries/NAME.rq with a
header, then a method that calls ``self.query("NAME", …)``.
"""
from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import Any, Optional

from kg.errors import KgError
from kg.i18n import find_theme, fold, kind_name, level_name, role_name
from kg.parse.dates import user_date
from kg.parse.figures import tidy_value
from kg.query import queries as Q
from kg.query.endpoint import Endpoint
from kg.query.names import UnknownUnit, doc_names, is_iri, resolve_document, split_task, term_name  # noqa: F401
from kg.query.readback import corpus_of_store
from kg.query.gaps import coverage, gaps
from kg.query.trace import align, docs, find_document, trace
from kg.query.units_view import units_table
from kg.query.backend import LocalBackend, RemoteBackend, prefix_prologue  # noqa: F401 (LocalBackend: kg.query.api.LocalBackend)
from kg.query.store import Store, open_store
from kg.vocab import DOC_BASE as DOC, KIND_CLASS, LEVEL_CLASS

KINDS = KIND_CLASS
LEVELS = LEVEL_CLASS


class Graph:
    """Questions to a DutyGraph, local (``Graph.open``) or remote (``Graph.connect``)."""
    def __init__(self, backend, source: str = ""):
        self.backend = backend
        self.source = source
        self._queries: dict[str, Q.NamedQuery] = {}
        self._documents: Optional[list[dict]] = None
        self._labels: Optional[list[str]] = None

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, path: str | Path) -> "Graph":
        """A built graph directory (DIR/store), a store directory, or an RDF dataset file."""
        return cls(LocalBackend(open_store(path).ox), str(path))

    @classmethod
    def from_options(cls, graph: Optional[str | Path] = None, endpoint: Optional[str] = None,
                     **options) -> "Graph":
        """What the CLI's --graph DIR / --endpoint URL pair means (default: the build in ./out)."""
        if graph and endpoint:
            raise KgError("give --graph DIR or --endpoint URL, not both")
        if endpoint:
            return cls.connect(endpoint, **options)
        return cls.open(graph or "out")

    @classmethod
    def from_store(cls, store, source: str = "memory") -> "Graph":
        """Wrap an open store (a pyoxigraph Store or a kg.query.store.Store)."""
        return cls(LocalBackend(store.ox if isinstance(store, Store) else store), source)

    @classmethod
    def connect(cls, url: str, **options) -> "Graph":
        """A SPARQL 1.1 endpoint (options: store_url, union_default_graph, timeout)."""
        return cls(RemoteBackend(Endpoint(url, **options)), url)

    # ------------------------------------------------------------------ running queries
    def named(self, name_or_file: str) -> Q.NamedQuery:
        q = self._queries.get(name_or_file)
        if q is None:
            q = self._queries[name_or_file] = Q.find(name_or_file)
        return q

    def params(self, q: Q.NamedQuery, params: dict[str, Any]) -> dict[str, Any]:
        """Parameters as a user may give them, made what the query's header declares: a document
        or task named any way kg.query.names allows for an ``iri`` parameter (``doc=000``,
        ``task=000#13``), a date as 2023年1月1日 or 2023.1.1 for a ``date``, width forms folded in
        a name (``zh``: 各县（市、区）人民政府 is 各县(市、区)人民政府), a role or a kind in Chinese."""
        out = {}
        for key, value in params.items():
            p = q.param(key)
            if p is None or value is None or isinstance(value, Q.Term) or (isinstance(value, str) and not value.strip()):
                out[key] = value
                continue
            if p.type == "date":
                value = user_date(value)
            elif p.type == "zh":
                value = fold(value)
                if key == "role":
                    value = role_name(value, allow_any=False)
            elif p.type == "iri":
                value = self.resolve_iri(key, str(value))
            elif p.type in ("integer", "decimal", "gyear"):
                value = fold(str(value))
            elif key == "role" and isinstance(value, str):
                value = role_name(value, allow_any=False)
            elif key == "theme" and isinstance(value, str):
                value = find_theme(value).id
            out[key] = value
        return out

    def resolve_iri(self, key: str, value: str) -> str:
        """An ``iri`` parameter: IRIs as given (prefixed names expanded); a task or a document
        named any other way resolved (parameters called task…/…task are tasks, the rest that
        look like one are documents)."""
        v = value.strip()
        if is_iri(v) or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", v):
            return Q.expand_iri(v)
        if key == "kind":

            return term_name(kind_name(v), KINDS, "kind")
        if key == "level":

            return term_name(level_name(v), LEVELS, "level")
        if "task" in key.lower() or "#" in v or "\uff03" in v:
            return self.resolve_task(v)
        if "doc" in key.lower() or "plan" in key.lower() or "report" in key.lower():
            return self.resolve_doc(v)
        return Q.expand_iri(v)  # raises: not an IRI

    def select(self, name_or_file: str, **params) -> list[dict[str, Any]]:
        """Run a named query; rows hold every projected variable."""
        q = self.named(name_or_file)
        return self.backend.select(q.text, Q.bind(q, self.params(q, params)))

    def query(self, name_or_file: str, **params) -> list[dict[str, Any]]:
        """Run a named query (or a .rq file); rows hold its documented columns. Parameters may be
        given as a user types them (see ``params``)."""
        q = self.named(name_or_file)
        return q.tidy(self.backend.select(q.text, Q.bind(q, self.params(q, params))))

    def sparql(self, text: str, allow_service: bool = False) -> list[dict[str, Any]]:
        """Run any SPARQL query text (no parameters). The project's prefixes (dg:, dgr:, eli:,
        org:, skos:, prov:, dcterms:, schema:, rdf:, rdfs:, owl:, xsd:) are declared for it unless
        it declares them itself; a syntax error is reported whole, at the line of the text given.
        On a local graph a query that calls another endpoint (SERVICE) is refused unless
        ``allow_service``."""
        backend = self.backend
        if allow_service and isinstance(backend, LocalBackend) and not backend.allow_service:
            backend = LocalBackend(backend.store, backend.binding, allow_service=True)
        prologue = prefix_prologue(text)
        try:
            return backend.select(prologue + text, {})
        except KgError as e:
            if prologue:
                msg = re.sub(r"\b(error at |line )(\d+)", lambda m: m.group(1) + str(max(1, int(m.group(2)) - 1)), str(e))
                raise KgError(msg, e.exit_code) from None
            raise

    # ------------------------------------------------------------------ names of things
    def documents(self) -> list[dict[str, Any]]:
        if self._documents is None:
            self._documents = self.query("documents")
        return self._documents

    def doc_names(self):
        """What each document can be called by (kg.query.names.DocName)."""
        return doc_names(self.documents())

    def resolve_doc(self, doc: str) -> str:
        """A document IRI from an id, a unique id prefix (000), a file name or an IRI (kg.query.names)."""
        return resolve_document(doc, self.doc_names()).iri

    def resolve_task(self, task: str) -> str:
        """A task IRI from an IRI, DOC#NUMBER (000#12, 000＃12) or DOC#TASKID (001#u1) (kg.query.names)."""
        t = str(task).strip()
        if is_iri(t):
            return Q.expand_iri(t)
        doc, ref = split_task(t)
        doc_iri = self.resolve_doc(doc)
        if ref.isdigit():
            rows = self.query("find-task", doc=doc_iri, number=ref)
            if not rows:
                raise KgError(f"document {doc} has no task numbered {ref}: give a printed number or a task id (t3, u1)")
            return rows[0]["task"]
        if not re.fullmatch(r"[A-Za-z0-9_-]+", ref):
            raise KgError(f"task {t!r}: {ref!r} is neither a task number nor a task id (t3, u1)")
        return f"{doc_iri}/t/{ref}"

    def task(self, task: str) -> dict[str, Any]:
        """The task's document, number and title; KgError when the graph has no such task."""
        iri = self.resolve_task(task)
        rows = self.query("task", task=iri)
        if not rows:
            raise KgError(f"no task {task!r} in the graph")
        return rows[0]

    def labels(self) -> list[str]:
        """Every unit label: full names, short forms and as-written forms."""
        if self._labels is None:
            self._labels = [r["label"] for r in self.query("labels")]
        return self._labels

    def suggest(self, name: str, n: int = 5) -> list[str]:
        """The labels nearest to ``name`` (containment first, then difflib similarity)."""
        import difflib

        name = name.strip()
        labels = self.labels()
        close = difflib.get_close_matches(name, labels, n=n, cutoff=0.5)
        inside = [x for x in labels if name and (name in x or x in name) and x not in close]
        inside.sort(key=lambda x: (abs(len(x) - len(name)), x))
        out = close + inside
        if len(out) < n:
            out += [x for x in difflib.get_close_matches(name, labels, n=n, cutoff=0.3) if x not in out]
        return out[:n]

    def units_named(self, name: str) -> list[dict[str, Any]]:
        """The organisations carrying ``name`` as a label; UnknownUnit (with suggestions) if none."""
        if not str(name).strip():
            raise KgError("give a unit name, e.g. 区司法局")
        rows = self.query("unit-lookup", label=name)
        if not rows:
            raise UnknownUnit(str(name).strip(), self.suggest(str(name)))
        return rows

    # ------------------------------------------------------------------ the questions
    def tasks_of(self, unit: str, role: str = "any", doc: Optional[str] = None) -> list[dict[str, Any]]:
        """Tasks where ``unit`` (any of its labels) is lead / support / responsible (or any role)."""
        role = role_name(role or "any")
        rows = self.query("tasks-of", label=unit, role=None if role == "any" else role,
                          doc=self.resolve_doc(doc) if doc else None)
        if not rows:
            self.units_named(unit)  # raises UnknownUnit with suggestions when nothing is called so
        return rows

    def units_of(self, task: str) -> list[dict[str, Any]]:
        """Units named in a task's annotation, with their roles."""
        iri = self.task(task)["task"]
        return self.query("units-of", task=iri)

    def due(self, before, doc: Optional[str] = None) -> list[dict[str, Any]]:
        """Tasks whose earliest deadline is strictly before ``before`` (a date or YYYY-MM-DD)."""
        if doc:  # the per-document form: the whole-corpus one reads every task's columns
            return self.query("due-before-doc", before=before, doc=self.resolve_doc(doc))
        return self.query("due-before", before=before)

    def overdue(self, on=None, doc: Optional[str] = None, unreported_only: bool = False) -> list[dict[str, Any]]:
        """Tasks whose deadline passed before ``on`` (default today); see queries/overdue.rq."""
        on = on or _dt.date.today()
        rows = (self.query("overdue-doc", on=on, doc=self.resolve_doc(doc)) if doc
                else self.query("overdue", on=on))
        if unreported_only:
            rows = [r for r in rows if not r.get("reported")]
        return rows

    def workload(self, top: Optional[int] = None, unit: Optional[str] = None,
                 doc: Optional[str] = None) -> list[dict[str, Any]]:
        """Tasks per unit, counted by role, busiest first; ``unit`` narrows to one name."""
        in_doc = self.resolve_doc(doc) if doc else None
        if unit is not None:  # one query per organisation so called: the label filter is slow at scale
            rows = [r for o in self.units_named(unit) for r in self.query("workload-of", org=o["org"], in_doc=in_doc)]
            rows.sort(key=lambda r: (-r["total"], -r["lead"], r["unit"] or "", r["org"]))
        else:
            rows = self.query("workload", in_doc=in_doc)
        if top is not None:
            try:
                top = int(str(top).strip())
            except ValueError:
                raise KgError(f"--top {top!r}: give a whole number, 1 or more") from None
            if top < 1:
                raise KgError("--top must be 1 or more")
            rows = rows[:top]
        return rows

    def shared(self, unit_a: str, unit_b: str, doc: Optional[str] = None) -> list[dict[str, Any]]:
        """Tasks where both units hold a role."""
        self.units_named(unit_a)
        self.units_named(unit_b)
        return self.query("shared", label_a=unit_a, label_b=unit_b,
                          doc=self.resolve_doc(doc) if doc else None)

    def no_lead(self, doc: Optional[str] = None) -> list[dict[str, Any]]:
        """Tasks with neither a lead nor a responsible unit."""
        return self.query("no-lead", doc=self.resolve_doc(doc) if doc else None)

    def parent_chain(self, task: str) -> list[dict[str, Any]]:
        """The task (distance 0) and every task above it that it carries out, nearest first."""
        iri = self.task(task)["task"]
        return self.query("parent-chain", task=iri)

    def parent_docs(self, doc: str) -> list[dict[str, Any]]:
        return self.query("parent-docs", doc=self.resolve_doc(doc))

    def coverage(self, child_doc: str, parent_doc: Optional[str] = None) -> list[dict[str, Any]]:
        """Each task of the parent plan, and how many tasks of the child plan carry it out.

        Without ``parent_doc``, the parent is the plan the child is based on / applies, when the
        graph holds exactly one. For two plans the build did not align (on a local graph), the
        aligner's links computed now, as ``gaps`` and ``align`` give them: those rows have
        ``links`` "computed" (kg.query.gaps.coverage).
        """
        child = self.resolve_doc(child_doc)
        if parent_doc is None:
            parents = sorted({r["parent_doc"] for r in self.parent_docs(child)})
            if len(parents) != 1:
                raise KgError(f"{child_doc} has {len(parents) or 'no'} parent document(s) in the graph: "
                              "name the parent plan")
            parent = parents[0]
        else:
            parent = self.resolve_doc(parent_doc)
        rows = self.query("coverage", child_doc=child, parent_doc=parent)
        if isinstance(self.backend, LocalBackend) and not any(r.get("covered") for r in rows) and \
                parent not in {r["parent_doc"] for r in self.parent_docs(child)}:
            # two plans the build did not align (the child names another parent, or none): the
            # aligner's links computed now, as kg gaps and kg align give them, and said so

            c = self.corpus()
            cd, pd = find_document(c, child[len(DOC):]), find_document(c, parent[len(DOC):])
            if pd.tasks:
                return coverage(c, cd, pd)  # rows say links: computed
        return rows

    def tasks_per_section(self, doc: str) -> list[dict[str, Any]]:
        """Sections of a document with their task counts."""
        return self.query("tasks-per-section", doc=self.resolve_doc(doc))

    def organisations(self, kind: Optional[str] = None, level: Optional[str] = None) -> list[dict[str, Any]]:
        """Organisation entities, optionally of one kind (party, government, court, …) and level."""
        return self.query("organisations", kind=term_name(kind_name(kind), KINDS, "kind"),
                          level=term_name(level_name(level), LEVELS, "level"))

    # ------------------------------------------------------------------ annual reports
    def figures(self, doc: Optional[str] = None, theme: Optional[str] = None) -> list[dict[str, Any]]:
        """Figures stated in annual reports (of one report, of one theme id such as 'disputes')."""
        params = {}
        if doc:
            params["doc"] = self.resolve_doc(doc)
        if theme:
            params["theme"] = theme  # an id or a Chinese name: see Graph.params
        rows = self.query("report-figures", **params)
        for r in rows:
            r["value"] = tidy_value(r.get("value"))
            if isinstance(r.get("year"), str) and r["year"].isdigit():
                r["year"] = int(r["year"])
        return rows

    def evidence(self, task: str) -> list[dict[str, Any]]:
        """Report measures that report on a task (DOC#NUMBER or IRI), best score first."""
        return self.query("report-evidence", task=self.task(task)["task"])

    # ------------------------------------------------------------------ the cascade (local graphs)
    def corpus(self):
        """The graph read back into kg.model records (documents, tasks, units, links): what
        docs / trace / gaps / align work on. Local graphs only."""
        if not isinstance(self.backend, LocalBackend):
            raise KgError("tracing commands read a local build: give --graph DIR, not --endpoint")
        if getattr(self, "_corpus", None) is None:

            self._corpus = corpus_of_store(self.backend.store)
        return self._corpus

    def docs(self) -> list[dict[str, Any]]:
        """Documents with level, region, period and the parents they name (`kg docs`)."""
        return docs(self.corpus())

    def trace(self, task: str) -> list[dict[str, Any]]:
        """The chain of a task up through every level the corpus holds (`kg trace`)."""
        return trace(self.corpus(), task)

    def gaps(self, child: str, parent: str) -> list[dict[str, Any]]:
        """Parent tasks not taken up, local additions, missing functional counterparts (`kg gaps`)."""
        c = self.corpus()
        return gaps(c, find_document(c, child), find_document(c, parent))

    def align(self, a: str, b: str) -> list[dict[str, Any]]:
        """One row per task of plan A with its best counterpart in plan B (`kg align`)."""
        c = self.corpus()
        return align(find_document(c, a), find_document(c, b))

    def units(self, kind: Optional[str] = None, merged_only: bool = False) -> list[dict[str, Any]]:
        """Every organisation entity with its labels and the mentions merged into it (`kg units`)."""
        if not isinstance(self.backend, LocalBackend):
            raise KgError("kg units reads a local build: give --graph DIR, not --endpoint")
        return units_table(self.backend.store, kind=kind, merged_only=merged_only)

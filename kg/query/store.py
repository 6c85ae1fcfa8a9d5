"""Open and query the persistent graph store of a build directory (DIR/store, pyoxigraph).

    >>> from kg.query.store import Store
    >>> st = Store.open("out")                      # read-only; KgError if out/ is not a built graph
    >>> st.query("SELECT ?t WHERE { ?t a dg:Task ; dg:leadUnit ?o }",
    ...          {"o": pyoxigraph.NamedNode("https://w3id.org/dutygraph/id/org/...")})
    [{'t': 'https://w3id.org/dutygraph/id/doc/000/t/t1'}, ...]

API (small on purpose):
- ``open_store(path)`` (also ``Store.open``): read-only open of a build directory, a store
  directory or an RDF dataset file: the one store opener of every command.
- ``Store.from_quads(quads)``: an in-memory store (tests, validation).
- ``.query(sparql, bindings=None) -> list[dict[str, value]]``: a SELECT. The prefixes of
  ``PREFIXES`` are declared for you (the text may redeclare them). ``bindings`` maps variable
  names (without ``?``) to pyoxigraph terms and is passed through ``substitutions=``: values are
  bound as RDF terms, never pasted into the query text (pyoxigraph requires every bound
  variable to be projected by the SELECT). The default graph is the union of all
  named graphs. Values: IRIs as str; xsd:integer → int; xsd:decimal/double/float → float;
  xsd:boolean → bool; every other literal (strings, @zh, xsd:date, xsd:gYear) → its lexical str;
  blank nodes → "_:id"; unbound → None.
- ``.construct(sparql, bindings=None) -> list[pyoxigraph.Triple]``: a CONSTRUCT.
- ``.ask(sparql, bindings=None) -> bool``.
- ``.quads(graph=None) -> list[pyoxigraph.Quad]``: every quad, or those of one named graph (IRI str).
- ``.graphs() -> list[str]``: the named graphs' IRIs, sorted.
- ``.ox``: the underlying pyoxigraph.Store.

kg.build.optimize.optimize(dir) compacts ``dir/store`` once a build is done (``kg optimize``, ``kg build
--optimize``): at 3,200 plans it takes ≈ 20 s and makes look-ups ≈ 2–5× faster (tasks-of a busy
label 787 → 164 ms). The content does not change.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Optional

from kg.errors import KgError

from kg.vocab import PREFIXES, XSD
_PROLOGUE = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())
_INTS = {XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger")}
_FLOATS = {XSD + t for t in ("decimal", "double", "float")}


def code_only(sparql: str) -> str:
    """The query text with its comments, strings and IRIs blanked out (same length, same offsets),
    so that keywords and braces can be looked for in what is left."""
    import re

    text, n = list(sparql), len(sparql)
    i = 0
    while i < n:
        c = sparql[i]
        start = i
        if c == "#":
            j = sparql.find("\n", i)
            i = n if j < 0 else j
        elif c in "\"'":
            q3 = sparql[i:i + 3]
            if q3 in ('"""', "'''"):
                j = sparql.find(q3, i + 3)
                i = n if j < 0 else j + 3
            else:
                j = i + 1
                while j < n and sparql[j] != c and sparql[j] != "\n":
                    j += 2 if sparql[j] == "\\" else 1
                i = min(n, j + 1)
        elif c == "<" and (m := re.match(r"<[^<>\"{}|^`\\\s]*>", sparql[i:])):
            i += m.end()
        else:
            i += 1
            continue
        text[start:i] = " " * (i - start)
    return "".join(text)


_SERVICE = None


def calls_service(sparql: str) -> bool:
    """Whether a query calls another endpoint (``SERVICE <url> { … }``), the keyword read outside
    comments, strings and IRIs, as a keyword (not ``?service``, not a prefixed name)."""
    global _SERVICE
    import re

    if _SERVICE is None:
        _SERVICE = re.compile(r"(?<![\w?$:.-])SERVICE(?![\w:.-])", re.I)
    return bool(_SERVICE.search(code_only(sparql)))


SERVICE_REFUSED = ("the query calls another server (SERVICE), which a local query does not do by default: "
                   "it would send requests out of this machine; add --allow-service (Python: allow_service=True) "
                   "to let it")


def to_python(term) -> Any:
    """A pyoxigraph term as a plain Python value (see the module docstring)."""
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        try:
            if dt in _INTS:
                return int(term.value)
            if dt in _FLOATS:
                return float(term.value)
        except ValueError:
            return term.value
        if dt == XSD + "boolean":
            return term.value in ("true", "1")
        return term.value
    return str(term)


def local_name(iri: Optional[str]) -> Optional[str]:
    """The last segment of an IRI: dg:District -> District, dgr:org/x-1 -> x-1."""
    if not iri:
        return None
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def listing(store_dir: str | Path) -> dict[str, list[int]]:
    """{file name: [size, mtime_ns]} of a store's files, but its logs and lock (which opening it
    read-only may touch): what a build records of the store it leaves, so that the next build
    can tell a store damaged or changed since (kg.build.state)."""
    import os
    import stat

    found: dict[str, list[int]] = {}
    try:
        entries = list(os.scandir(store_dir))
    except OSError:
        return {}
    for e in entries:
        if e.name in ("LOCK", "LOG") or e.name.startswith("LOG."):
            continue
        try:
            st = e.stat(follow_symlinks=False)
        except OSError:
            continue
        found[e.name] = [st.st_size, st.st_mtime_ns] if stat.S_ISREG(st.st_mode) else [-1, st.st_mode]
    return dict(sorted(found.items()))


def checkpoint(src: str | Path, dst: str | Path) -> None:
    """A copy of the closed store at ``src`` made at ``dst`` (a new folder) in a moment: hard links
    of its table files (``*.sst``, which RocksDB never changes), copies of the files it appends to
    or replaces (MANIFEST, CURRENT, OPTIONS, the write-ahead logs); its logs and lock are left.
    Where hard links fail, pyoxigraph's ``Store.backup`` makes it. The two then live apart: what is
    written to one is not seen in the other. Only for a store no process has open for writing
    (kg.build.state checks it is as the last build left it, under the folder lock)."""
    import errno
    import os
    import shutil

    src, dst = Path(src), Path(dst)
    os.mkdir(dst, 0o777)
    try:
        for e in os.scandir(src):
            if e.name in ("LOCK", "LOG") or e.name.startswith("LOG.") or not e.is_file(follow_symlinks=False):
                continue
            if e.name.endswith(".sst"):
                os.link(e.path, dst / e.name, follow_symlinks=False)
            else:
                shutil.copyfile(e.path, dst / e.name, follow_symlinks=False)
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
        import pyoxigraph as ox

        shutil.rmtree(dst)
        st = ox.Store.read_only(str(src))
        st.backup(str(dst))
        del st


def compact(store_dir: Path) -> None:
    """kg.build.optimize.optimize, on the store at ``store_dir`` (no lock taken)."""
    import pyoxigraph as ox

    try:
        store = ox.Store(str(store_dir))
        store.optimize()
        store.flush()
        del store
    except OSError as e:
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise KgError(f"{store_dir.parent}: cannot optimize the graph store ({msg}); stop what uses it (a server, "
                      f"another kg command) and try again") from None


def open_store(path: str | Path) -> "Store":
    """The one way every command and library call opens a graph, read-only: ``path`` is a build
    directory (its DIR/store; DIR/graph.ttl when it has no store), a store directory itself, or an
    RDF dataset file (.trig, .nq, .ttl, .nt), loaded into memory. KgError (one line) otherwise.
    ``Store.path`` is the build directory when ``path`` is one, else None."""
    p = Path(path)
    if not p.exists():
        raise KgError(f"{p}: not a built graph (no store/); no graph at {p}: run `kg build PATH --out {p}` first")
    import pyoxigraph as ox

    if p.is_dir() and not (p / "store").is_dir() and (p / "graph.ttl").is_file() and not (p / "CURRENT").exists():
        return open_store(p / "graph.ttl")
    if p.is_file():
        try:
            st = ox.Store()
            st.load(path=str(p))
        except (OSError, SyntaxError, ValueError) as e:
            raise KgError(f"cannot load {p}: {str(e).splitlines()[0] if str(e) else e}") from None
        return Store(st)
    build = (p / "store").is_dir()
    sd = p / "store" if build else p
    if not build and not (p / "CURRENT").exists():
        raise KgError(f"{p}: not a built graph (no store/); run `kg build PATH --out {p}` first")
    if not any(sd.iterdir()):
        raise KgError(f"{sd} is empty: not a built graph; run `kg build PATH --out {p}` first")
    try:
        return Store(ox.Store.read_only(str(sd)), p if build else None)
    except OSError as e:
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise KgError(f"{p}: cannot open the graph store ({msg}); rebuild it with "
                      f"`kg build PATH --out {p}`") from None


class Store:
    """A pyoxigraph store holding a DutyGraph dataset (one named graph per document)."""

    def __init__(self, ox_store, path: Optional[Path] = None, allow_service: bool = False):
        self.ox = ox_store
        self.path = path
        self.allow_service = allow_service  # let queries call other endpoints (SERVICE)

    @classmethod
    def open(cls, path: str | Path) -> "Store":
        """The store ``path`` names, read-only (``open_store``)."""
        return open_store(path)

    @classmethod
    def from_quads(cls, quads: Iterable) -> "Store":
        import pyoxigraph as ox

        st = ox.Store()
        st.bulk_extend(list(quads))
        return cls(st)

    # ------------------------------------------------------------------ queries
    def _run(self, sparql: str, bindings: Optional[dict]):
        import pyoxigraph as ox

        subs = {ox.Variable(k.lstrip("?$")): v for k, v in (bindings or {}).items()} or None
        if not self.allow_service and calls_service(sparql):
            raise KgError(SERVICE_REFUSED, 2)
        try:
            return self.ox.query(_PROLOGUE + sparql, use_default_graph_as_union=True, substitutions=subs)
        except (SyntaxError, RuntimeError, OSError) as e:
            raise KgError(f"bad SPARQL: {(str(e) or type(e).__name__).splitlines()[0]}") from None

    def query(self, sparql: str, bindings: Optional[dict] = None) -> list[dict[str, Any]]:
        res = self._run(sparql, bindings)
        names = [v.value for v in res.variables]
        return [{n: to_python(sol[n]) for n in names} for sol in res]

    def construct(self, sparql: str, bindings: Optional[dict] = None) -> list:
        return list(self._run(sparql, bindings))

    def ask(self, sparql: str, bindings: Optional[dict] = None) -> bool:
        return bool(self._run(sparql, bindings))

    def quads(self, graph: Optional[str] = None) -> list:
        import pyoxigraph as ox

        if graph is None:
            return list(self.ox.quads_for_pattern(None, None, None))
        return list(self.ox.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    def graphs(self) -> list[str]:
        import pyoxigraph as ox

        return sorted(g.value for g in self.ox.named_graphs() if isinstance(g, ox.NamedNode))

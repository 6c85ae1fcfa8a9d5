"""A SPARQL 1.1 Protocol client (queries) and Graph Store Protocol client (push), with urllib only.

    ep = Endpoint("http://127.0.0.1:7878")          # an `oxigraph serve` base URL
    ep.select(text, {"label": Term(...)})             # rows of Python values
    push("out", ep)                                   # one HTTP PUT per named graph

URLs: give the query URL, or a server base URL. For a base URL (no path) the Oxigraph layout is
used: /query, /update, /store. A Fuseki dataset query URL (…/ds/query or …/ds/sparql) gets its
Graph Store at …/ds/data. Virtuoso's /sparql gets its Graph Store at /sparql-graph-crud-auth
when ``auth`` (user, password: HTTP digest or basic) is given, else at /sparql-graph-crud (which
writes only where the SPARQL user was granted SPARQL_UPDATE). Anything else (QLever): pass
``store_url`` explicitly.

Queries read the union of all named graphs as their default graph: Oxigraph is asked for it with
its ``union-default-graph`` request parameter; configure the others to do it (Fuseki/TDB2:
tdb2:unionDefaultGraph true; Virtuoso and QLever do it by default). See README, "On a SPARQL server".

A query's final ORDER BY of plain variables is redone on the answer as the local store orders
(kg.query.queries.sort_solutions), so every engine gives the local order: SPARQL 1.1 leaves the order of
language-tagged literals (every @zh name) to the engine, and Virtuoso's is not code-point order.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Iterable, Optional

from kg.errors import KgError
from kg.vocab import DGR
from kg.query.backend import LocalBackend
from kg.query.names import doc_names, resolve_document
from kg.query.queries import Term, find, inject_values
from kg.query.results import from_json, sort_solutions, split_order
from kg.query.store import Store



class Endpoint:
    """A remote SPARQL 1.1 server."""

    def __init__(self, url: str, store_url: Optional[str] = None, update_url: Optional[str] = None,
                 union_default_graph: Optional[bool] = None, timeout: float = 120.0,
                 auth: Optional[tuple[str, str]] = None):
        url = url.strip()
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise KgError(f"--endpoint {url!r} is not an http(s) URL, e.g. http://127.0.0.1:7878")
        base = urllib.parse.urlunsplit((parts.scheme, parts.netloc, "", "", ""))
        path = parts.path
        oxigraph = path in ("", "/query")  # `oxigraph serve`: base URL or its /query
        head, _, last = path.rstrip("/").rpartition("/")
        if oxigraph:
            self.query_url = base + "/query"
            default_store, default_update = base + "/store", base + "/update"
        else:  # the query URL as given (a trailing slash too, as QLever serves at /)
            self.query_url = url
            fuseki = last in ("query", "sparql") and head  # /ds/query -> /ds/data, /ds/update
            default_store = base + head + "/data" if fuseki else None
            default_update = base + head + "/update" if fuseki else None
            if path.rstrip("/") == "/sparql":  # Virtuoso: /sparql, its Graph Store beside it
                default_store = base + ("/sparql-graph-crud-auth" if auth else "/sparql-graph-crud")
        self.store_url = store_url or default_store
        self.update_url = update_url or default_update
        # Oxigraph reads all named graphs as the default graph when asked with this parameter;
        # other servers are configured to (see README, "On a SPARQL server")
        self.union_default_graph = oxigraph if union_default_graph is None else union_default_graph
        self.timeout = timeout
        self.auth = auth
        self._opener = self._digest = None
        if auth:  # answers a 401 with digest (Virtuoso's /sparql-graph-crud-auth) or basic auth
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(None, base, auth[0], auth[1])
            self._digest = urllib.request.HTTPDigestAuthHandler(passwords)
            self._opener = urllib.request.build_opener(self._digest, urllib.request.HTTPBasicAuthHandler(passwords))

    def __repr__(self) -> str:
        return f"Endpoint({self.query_url!r})"

    # ------------------------------------------------------------------ HTTP
    def _digest_first(self, req: urllib.request.Request) -> bool:
        """Authorise a request with a body before sending it, as curl does: Virtuoso answers an
        unauthorised PUT with 401 before reading the body, which breaks the pipe of a large graph. The
        digest challenge comes from a HEAD to the same URL. False when none is asked for."""
        try:
            urllib.request.urlopen(urllib.request.Request(req.full_url, method="HEAD"), timeout=self.timeout).close()
            return False
        except urllib.error.HTTPError as e:
            scheme, _, challenge = (e.headers.get("WWW-Authenticate") or "").partition(" ")
            if e.code != 401 or scheme.lower() != "digest":
                return False
        except (urllib.error.URLError, OSError):
            return False  # said by the request itself
        chal = urllib.request.parse_keqv_list(filter(None, urllib.request.parse_http_list(challenge)))
        answer = self._digest.get_authorization(req, chal)
        if answer:
            req.add_unredirected_header("Authorization", "Digest " + answer)
        return bool(answer)

    def _open(self, req: urllib.request.Request) -> bytes:
        opener = self._opener.open if self._opener else urllib.request.urlopen
        if self._digest and req.data is not None and self._digest_first(req):
            opener = urllib.request.urlopen  # a 401 now is a wrong password: said as it is
        try:
            with opener(req, timeout=self.timeout) as resp:
                return resp.read()
        except urllib.error.HTTPError as e:
            body = e.read().decode("utf-8", "replace").strip().splitlines()
            first = body[0][:200] if body and not body[0].lstrip().startswith("<") else ""  # not an HTML page
            if e.code in (401, 403) and not first:
                first = "the server wants a user with write access (kg push --auth USER:PASSWORD)"
            raise KgError(f"{req.get_method()} {req.full_url.split('?')[0]} failed: HTTP {e.code} {e.reason}"
                          + (f": {first}" if first else "")) from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise KgError(f"cannot reach the SPARQL endpoint {self.query_url} ({reason}): "
                          "start the server or check --endpoint") from None

    # ------------------------------------------------------------------ queries
    def select(self, text: str, bindings: Optional[dict[str, Term]] = None) -> list[dict[str, Any]]:
        """Run a SELECT (parameters injected as a VALUES block) and return rows of Python values."""
        data = self.raw_query(inject_values(text, bindings or {}))
        names = data.get("head", {}).get("vars", [])
        cells = data.get("results", {}).get("bindings", [])
        split = split_order(text)
        if split and len(cells) > 1:  # the local store's order (see the module docstring)
            terms = [[_term(b.get(n)) for n in names] + [i] for i, b in enumerate(cells)]
            ordered = sort_solutions(names, terms, split[1])
            if ordered is not None:  # else (ties, a kind of value it cannot order) as the server sent it
                cells = [cells[r[-1]] for r in ordered]
        return [{n: from_json(b.get(n)) for n in names} for b in cells]

    def ask(self, text: str, bindings: Optional[dict[str, Term]] = None) -> bool:
        return bool(self.raw_query(inject_values(text, bindings or {})).get("boolean"))

    def raw_query(self, text: str) -> dict:
        url = self.query_url
        if self.union_default_graph:
            url += ("&" if "?" in url else "?") + "union-default-graph"
        body = urllib.parse.urlencode({"query": text}).encode("utf-8")
        req = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "Accept": "application/sparql-results+json"})
        raw = self._open(req)
        try:
            return json.loads(raw.decode("utf-8"))
        except ValueError:
            raise KgError(f"{self.query_url} did not answer with SPARQL JSON results: "
                          "is it a SPARQL query endpoint?") from None

    # ------------------------------------------------------------------ graph store protocol
    def _graph_url(self, graph: Optional[str]) -> str:
        if not self.store_url:
            raise KgError(f"no Graph Store URL known for {self.query_url}: pass --store-url "
                          "(e.g. http://host:3030/ds/data for Fuseki)")
        sep = "&" if "?" in self.store_url else "?"
        if graph is None:
            return self.store_url + sep + "default"
        return self.store_url + sep + urllib.parse.urlencode({"graph": graph})

    def put_graph(self, graph: Optional[str], data: bytes, content_type: str = "application/n-triples") -> None:
        """Replace one named graph (None = the default graph) with ``data``."""
        req = urllib.request.Request(self._graph_url(graph), data=data, method="PUT",
                                     headers={"Content-Type": content_type})
        self._open(req)

    def delete_graph(self, graph: Optional[str]) -> None:
        req = urllib.request.Request(self._graph_url(graph), method="DELETE")
        try:
            self._open(req)
        except KgError as e:
            if "HTTP 404" not in str(e):
                raise


def _term(cell: Optional[dict]):
    """One cell of SPARQL JSON results as a pyoxigraph term (None when unbound or malformed)."""
    import pyoxigraph as ox

    if not cell:
        return None
    try:
        kind, value = cell.get("type"), cell["value"]
        if kind == "uri":
            return ox.NamedNode(value)
        if kind == "bnode":
            return ox.BlankNode(value)
        if cell.get("xml:lang"):
            return ox.Literal(value, language=cell["xml:lang"])
        dt = cell.get("datatype")
        return ox.Literal(value, datatype=ox.NamedNode(dt)) if dt else ox.Literal(value)
    except (KeyError, ValueError, TypeError):
        return None


def graph_order(names: Iterable[str]) -> list[str]:
    """Document graphs first (sorted), then their links, the organisations, the corpus graph, then
    anything else."""
    names = sorted(set(names))
    links, orgs, corpus = DGR + "graph/links/", DGR + "graph/orgs/", DGR + "graph/corpus"
    docs = [n for n in names if n.startswith(DGR + "graph/") and n != corpus
            and not n.startswith((links, orgs))]
    order = docs + [n for n in names if n.startswith(links)] + [n for n in names if n.startswith(orgs)]
    order += [n for n in names if n == corpus]
    return order + [n for n in names if n not in order]


def push(store, endpoint: Endpoint, docs: Optional[Iterable[str]] = None) -> list[dict]:
    """Load the named graphs of a pyoxigraph ``store`` (or a kg.query.store.Store) into ``endpoint``, one HTTP PUT per graph.

    Each PUT replaces that graph only, so pushing a document again replaces it, and a push cut
    short leaves every graph already sent (and every other graph on the server) intact.
    ``docs`` limits the push to those documents' graphs (dgr:graph/{doc} and its links,
    dgr:graph/links/{doc}), each named as everywhere else (id, unique id prefix, file name or IRI:
    kg.query.names); the other graphs are sent whenever ``docs`` is None.
    """
    import pyoxigraph as ox

    if isinstance(store, Store):
        store = store.ox
    names = [g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)]
    wanted = graph_order(names)
    if docs is not None:
        q = find("documents")
        known = doc_names(q.tidy(LocalBackend(store).select(q.text, {})))
        docs = [resolve_document(d, known).id for d in docs]
        keep = {DGR + "graph/" + d for d in docs}
        unknown = sorted(keep - set(names))
        if unknown:
            raise KgError(f"no graph {unknown[0]} in the store: name a document id of this build")
        keep |= {DGR + "graph/links/" + d for d in docs}
        wanted = [g for g in wanted if g in keep]
    report = []
    for g in wanted:
        data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(g))
        endpoint.put_graph(g, data)
        report.append({"graph": g, "triples": data.count(b"\n"), "bytes": len(data)})
    if docs is None:
        default = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        if default.strip():
            endpoint.put_graph(None, default)
            report.append({"graph": "(default)", "triples": default.count(b"\n"), "bytes": len(default)})
    return report


"""A SPARQL 1.1 Protocol client (queries) and Graph Store Protocol client (push), with urllib only.

    ep = Endpoint("http://127.0.0.1:7878")          # an `oxigraph serve` base URL
    ep.select(text, {"label": Term(...)})             # rows of Python values
    push("out", ep)                                   # one HTTP PUT per named graph

URLs: give the query URL, or a server base URL. For a base URL (no path) the Oxigraph layout is
used: /query, /update, /store. A Fuseki dataset query URL (…/ds/query or …/ds/sparql) gets its
Graph Store at …/ds/data. Anything else (Virtuoso, QLever): pass ``store_url`` explicitly.

Queries read the union of all named graphs as their default graph: Oxigraph is asked for it with
its ``union-default-graph`` request parameter; configure the others to do it (Fuseki/TDB2:
tdb2:unionDefaultGraph true; Virtuoso and QLever do it by default). See README, "On a SPARQL server".
"""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Iterable, Optional

from kg.errors import KgError
from kg.queries import Term, from_json, inject_values

DGR = "https://w3id.org/dutygraph/id/"


class Endpoint:
    """A remote SPARQL 1.1 server."""

    def __init__(self, url: str, store_url: Optional[str] = None, update_url: Optional[str] = None,
                 union_default_graph: Optional[bool] = None, timeout: float = 120.0):
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
        self.store_url = store_url or default_store
        self.update_url = update_url or default_update
        # Oxigraph reads all named graphs as the default graph when asked with this parameter;
        # other servers are configured to (see README, "On a SPARQL server")
        self.union_default_graph = oxigraph if union_default_graph is None else union_default_graph
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"Endpoint({self.query_url!r})"

    # ------------------------------------------------------------------ HTTP
    def _open(self, req: urllib.request.Request) -> bytes:
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return resp.read()
        except urllib.error.HTTPError as e:
            body = e.read().decode("utf-8", "replace").strip().splitlines()
            first = body[0][:200] if body else ""
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
        rows = []
        for b in data.get("results", {}).get("bindings", []):
            rows.append({n: from_json(b.get(n)) for n in names})
        return rows

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
    """Load the named graphs of a pyoxigraph ``store`` into ``endpoint``, one HTTP PUT per graph.

    Each PUT replaces that graph only, so pushing a document again replaces it, and a push cut
    short leaves every graph already sent (and every other graph on the server) intact.
    ``docs`` limits the push to those documents' graphs (dgr:graph/{doc} and its links,
    dgr:graph/links/{doc}), each named as everywhere else (id, unique id prefix, file name or IRI:
    kg.names); the other graphs are sent whenever ``docs`` is None.
    """
    import pyoxigraph as ox

    names = [g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)]
    wanted = graph_order(names)
    if docs is not None:
        from kg.api import Graph
        from kg.names import doc_id_of_iri

        g = Graph.from_store(store)
        docs = [doc_id_of_iri(g.resolve_doc(d)) for d in docs]
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


"""The same questions against a second real SPARQL engine: Apache Jena Fuseki (jena-fuseki-main) on
the Debian JRE, on a free loopback port, with README's configuration docs/fuseki-dutygraph.ttl
(a TDB2 dataset whose default graph is the union of the named graphs). kg push loads the test
graph into it; every named question's answer must equal the local one, as for Oxigraph
(tests/test_endpoint.py).

The jars come from .ci/fuseki.sh (run by `make test` through .ci/system-deps.sh), cached in
~/.cache/dutygraph/fuseki-5.6.0 (or $KG_FUSEKI_HOME); the tests skip, saying why, where Java or
the jars are missing.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from servers import free_port, mini_without_task, running

from test_endpoint import MINI, QUESTIONS

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "docs" / "fuseki-dutygraph.ttl"
VERSION = os.environ.get("KG_FUSEKI_VERSION", "5.6.0")
DGR = "https://w3id.org/dutygraph/id/"


def fuseki_home() -> Path:
    env = os.environ.get("KG_FUSEKI_HOME")
    if env:
        return Path(env)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "dutygraph" / f"fuseki-{VERSION}"


@pytest.fixture(scope="module")
def fuseki(tmp_path_factory):
    """The query URL of a fresh Fuseki on loopback, serving docs/fuseki-dutygraph.ttl."""
    java = shutil.which("java")
    if not java:
        pytest.skip("no Java runtime (Debian default-jre-headless; .ci/system-deps.sh installs it as root)")
    lib = fuseki_home() / "lib"
    if not list(lib.glob("jena-fuseki-main-*.jar")):
        pytest.skip(f"Jena Fuseki {VERSION} is not in {lib}: `bash .ci/fuseki.sh` fetches "
                    "org.apache.jena:jena-fuseki-main from Maven Central with mvn (it could not reach it here)")
    work = tmp_path_factory.mktemp("fuseki")
    port = free_port()
    url = f"http://127.0.0.1:{port}/dutygraph/query"
    with running([java, "-Xmx512m", "-cp", str(lib / "*"), "org.apache.jena.fuseki.main.cmds.FusekiMainCmd",
                  "--localhost", f"--port={port}", f"--config={CONFIG}"], url + "?query=ASK%7B%7D",
                 work / "fuseki.log", "Fuseki", cwd=work):
        yield url


@pytest.fixture(scope="module")
def local():
    from kg.query.api import Graph

    return Graph.open(MINI)


@pytest.fixture(scope="module")
def remote(fuseki, local):
    from kg.query.api import Graph
    from kg.query.endpoint import Endpoint, push

    ep = Endpoint(fuseki)
    assert ep.store_url.endswith("/dutygraph/data") and not ep.union_default_graph
    report = push(local.backend.store, ep)
    assert [r["graph"] for r in report] == [DGR + "graph/" + d for d in ("c1", "d1", "p1", "r1", "corpus")]
    return Graph.connect(fuseki)


@pytest.mark.parametrize("method,args,kwargs", QUESTIONS, ids=[q[0] for q in QUESTIONS])
def test_fuseki_answers_equal_local_answers(local, remote, method, args, kwargs):
    here = getattr(local, method)(*args, **kwargs)
    there = getattr(remote, method)(*args, **kwargs)
    assert there == here
    assert here or (method, args) == ("tasks_of", ("区司法局",)), "a question with no answer proves little"


def test_fuseki_every_named_query(local, remote):
    """Every named query in queries/ that needs no parameter, and the parameterised ones with the
    test graph's values: the same rows on Fuseki as locally."""
    from kg.query import queries as Q
    values = {"doc": "d1", "in_doc": "d1", "child_doc": "d1", "parent_doc": "c1", "task": "d1#1", "label": "区司法局",
              "label_a": "区司法局", "label_b": "区委编办", "on": "2023-01-01", "before": "2023-07-01",
              "number": "1", "org": None, "kind": "party", "level": "district", "year": None, "role": "lead",
              "theme": None}
    checked = 0
    for q in Q.available():
        params = {p.name: values.get(p.name) for p in q.params if values.get(p.name) is not None}
        if any(p.required and p.name not in params for p in q.params):
            continue
        assert remote.query(str(q.path), **params) == local.query(str(q.path), **params), q.name
        checked += 1
    assert checked >= 15


def test_fuseki_raw_sparql_and_prefixes(local, remote):
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert remote.sparql(q) == local.sparql(q) == [{"n": 230}]
    q = "SELECT ?t WHERE { ?t a dg:Task } ORDER BY ?t"  # dg: declared by kg.query.api.Graph.sparql
    assert remote.sparql(q) == local.sparql(q)


def test_fuseki_push_one_document_again(local, remote, fuseki):
    """kg push --doc d1 replaces d1's graph on Fuseki and leaves the others."""
    from kg.query.endpoint import Endpoint, push

    store = mini_without_task(MINI, DGR + "doc/d1/t/t4")
    assert [r["graph"] for r in push(store, Endpoint(fuseki), docs=["d1"])] == [DGR + "graph/d1"]
    try:
        assert [r["task_number"] for r in remote.tasks_of("区司法局")] == ["1", "2"]
        assert [r["document"] for r in remote.tasks_of("市司法局")] == ["c1"]
    finally:
        push(local.backend.store, Endpoint(fuseki), docs=["d1"])
    assert remote.tasks_of("区司法局") == local.tasks_of("区司法局")

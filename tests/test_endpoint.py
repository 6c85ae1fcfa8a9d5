"""The same questions against a real SPARQL 1.1 server (oxigraph serve on loopback).

The server runs in a temporary directory on a free 127.0.0.1 port and is terminated by the fixture
finalizer; the tests are skipped when the oxigraph binary is not installed (test extras).
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from servers import free_port, mini_without_task, running

from kg.errors import KgError

pytestmark = pytest.mark.server

MINI = Path(__file__).parent / "data" / "mini.trig"
DGR = "https://w3id.org/dutygraph/id/"
ODD = '区"法治"{办}#1'


def _oxigraph_binary() -> str | None:
    here = Path(sys.executable).parent / "oxigraph"
    return str(here) if here.exists() else shutil.which("oxigraph")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Base URL of a fresh `oxigraph serve` on loopback."""
    binary = _oxigraph_binary()
    if not binary:
        pytest.skip("the oxigraph server binary is not installed (pip install '.[test]')")
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph")
    url = f"http://127.0.0.1:{port}"
    with running([binary, "serve", "--location", str(location / "db"), "--bind", f"127.0.0.1:{port}"],
                 url + "/query?query=ASK%7B%7D", location / "server.log", "oxigraph serve",
                 start_seconds=20, stop_seconds=10, tail=500):
        yield url


@pytest.fixture(scope="module")
def local():
    from kg.query.api import Graph

    return Graph.open(MINI)


@pytest.fixture(scope="module")
def remote(server, local):
    from kg.query.api import Graph
    from kg.query.endpoint import Endpoint, push

    report = push(local.backend.store, Endpoint(server))
    assert [r["graph"] for r in report] == [DGR + "graph/" + d for d in ("c1", "d1", "p1", "r1", "corpus")]
    return Graph.connect(server)


QUESTIONS = [
    ("tasks_of", ("区司法局",), {}), ("tasks_of", ("司法局",), {"role": "support"}),
    ("tasks_of", (ODD,), {}), ("tasks_of", ("区司法局",), {"doc": "c1"}),
    ("units_of", ("d1#4",), {}), ("due", ("2023-07-01",), {}), ("due", ("2023-01-01",), {"doc": "d1"}),
    ("overdue", ("2023-01-01",), {}), ("workload", (), {}), ("workload", (), {"unit": "区司法局"}),
    ("shared", ("区司法局", "区委编办"), {}), ("no_lead", (), {}), ("parent_chain", ("d1#1",), {}),
    ("coverage", ("d1",), {}), ("coverage", ("c1", "p1"), {}), ("tasks_per_section", ("d1",), {}),
    ("organisations", (), {}), ("organisations", (), {"kind": "party", "level": "district"}),
    ("documents", (), {}), ("labels", (), {}),
]


@pytest.mark.parametrize("method,args,kwargs", QUESTIONS, ids=[q[0] for q in QUESTIONS])
def test_remote_answers_equal_local_answers(local, remote, method, args, kwargs):
    here = getattr(local, method)(*args, **kwargs)
    there = getattr(remote, method)(*args, **kwargs)
    assert there == here
    assert here or (method, args) == ("tasks_of", ("区司法局",)), "a question with no answer proves little"


def test_remote_unknown_unit_gets_suggestions(remote):
    from kg.query.api import UnknownUnit

    with pytest.raises(UnknownUnit) as e:
        remote.tasks_of("区司法")
    assert "区司法局" in e.value.suggestions


def test_remote_injection_attempt_is_just_a_name(remote):
    from kg.query.api import UnknownUnit

    with pytest.raises(UnknownUnit):
        remote.tasks_of('区司法局"@zh } UNION { ?org ?p ?label } #')


def test_remote_named_query_and_raw_sparql(remote, local):
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert remote.sparql(q) == local.sparql(q) == [{"n": 230}]
    assert remote.query("tasks-of", label="区司法局", role="lead") == local.query("tasks-of", label="区司法局", role="lead")


def test_pushing_a_document_again_replaces_only_its_graph(server, remote, tmp_path):
    from kg.query.endpoint import Endpoint, push

    # d1 loses its task 4 locally; push d1 alone, as after a partial rebuild
    store = mini_without_task(MINI, DGR + "doc/d1/t/t4")
    report = push(store, Endpoint(server), docs=["d1"])
    assert [r["graph"] for r in report] == [DGR + "graph/d1"]
    try:
        assert [r["task_number"] for r in remote.tasks_of("区司法局")] == ["1", "2"]  # t4 gone
        assert [r["document"] for r in remote.tasks_of("市司法局")] == ["c1"]  # c1 untouched
        assert len(remote.organisations()) == 8  # corpus graph untouched
    finally:
        push(Graph_store(), Endpoint(server), docs=["d1"])  # restore for the other tests
    assert [r["task_number"] for r in remote.tasks_of("区司法局")] == ["1", "2", "4"]


def Graph_store():
    import pyoxigraph as ox

    store = ox.Store()
    store.load(path=str(MINI))
    return store


def test_push_of_an_unknown_document_is_refused(server):
    from kg.query.endpoint import Endpoint, push

    with pytest.raises(KgError, match="no document .zz. in the graph"):
        push(Graph_store(), Endpoint(server), docs=["zz"])


def test_cli_against_the_endpoint(server, remote):
    import json

    from typer.testing import CliRunner

    from kg.cli import app

    r = CliRunner().invoke(app, ["tasks-of", "区司法局", "--endpoint", server, "--role", "lead", "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert [(x["document"], x["task_number"], x["role"], x["unit"]) for x in rows] == [
        ("d1", "1", "lead", "柳州市城中区司法局")]
    r = CliRunner().invoke(app, ["due", "--before", "2023-01-01", "-e", server, "-f", "csv"])
    assert r.exit_code == 0 and r.stdout.splitlines()[0].startswith("document,task_number,task_title,deadline")
    assert len(r.stdout.splitlines()) == 3


def test_cli_push(server, tmp_path):
    from typer.testing import CliRunner

    from kg.cli import app

    r = CliRunner().invoke(app, ["push", "--graph", str(MINI), "--endpoint", server, "--format", "json"])
    assert r.exit_code == 0, r.output
    assert '"graph": "https://w3id.org/dutygraph/id/graph/corpus"' in r.stdout


def test_unreachable_endpoint_is_one_line():
    from kg.query.api import Graph

    g = Graph.connect(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(KgError, match="cannot reach") as e:
        g.tasks_of("区司法局")
    assert "\n" not in str(e.value)


def test_endpoint_urls():
    from kg.query.endpoint import Endpoint

    e = Endpoint("http://h:7878")
    assert (e.query_url, e.store_url) == ("http://h:7878/query", "http://h:7878/store")
    e = Endpoint("http://h:7878/query")
    assert (e.query_url, e.store_url) == ("http://h:7878/query", "http://h:7878/store")
    assert e.union_default_graph
    e = Endpoint("http://h:3030/ds/sparql")
    assert (e.store_url, e.update_url) == ("http://h:3030/ds/data", "http://h:3030/ds/update")
    assert not e.union_default_graph
    e = Endpoint("http://h:7001/")
    assert (e.query_url, e.store_url) == ("http://h:7001/", None)
    e = Endpoint("http://h:8890/sparql", store_url="http://h:8890/sparql-graph-crud")
    assert e.store_url == "http://h:8890/sparql-graph-crud"
    with pytest.raises(KgError, match="not an http"):
        Endpoint("ftp://h")

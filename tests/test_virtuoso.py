"""The same questions against a second real SPARQL engine: Virtuoso Open Source 7 (Debian
virtuoso-opensource-7-bin, 7.2.5), run with README's configuration docs/virtuoso-dutygraph.ini from
a scratch directory, on free loopback ports for SQL and HTTP. kg push loads the graph through
Virtuoso's Graph Store (/sparql-graph-crud-auth, digest auth as dba); queries go to /sparql, where a
query without FROM reads every graph. Every named question's and query's answer must equal the
local one, on the hand-written test graph (as tests/test_endpoint.py and tests/test_fuseki.py do)
and on a build of the bundled corpus.

.ci/system-deps.sh installs virtuoso-t as root; the tests skip, saying why, where it is missing.
"""
from __future__ import annotations

import re
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

from servers import free_port, mini_without_task, running

from test_endpoint import MINI, QUESTIONS

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "docs" / "virtuoso-dutygraph.ini"
DGR = "https://w3id.org/dutygraph/id/"
AUTH = ("dba", "dba")  # a fresh database's administrator; the server listens on loopback only


@contextmanager
def _virtuoso(work: Path):
    """Run virtuoso-t in the foreground in ``work`` with docs/virtuoso-dutygraph.ini on two free
    loopback ports; yield its /sparql URL; terminate it on exit."""
    binary = shutil.which("virtuoso-t")
    if not binary:
        pytest.skip("virtuoso-t is not installed (Debian virtuoso-opensource-7-bin; "
                    ".ci/system-deps.sh installs it as root)")
    sql, http = free_port(), free_port()
    ini = CONFIG.read_text(encoding="utf-8")
    ini, n = re.subn(r"(?m)^ServerPort(\s*)= 127\.0\.0\.1:1111$", rf"ServerPort\g<1>= 127.0.0.1:{sql}", ini)
    ini, m = re.subn(r"(?m)^ServerPort(\s*)= 127\.0\.0\.1:8890$", rf"ServerPort\g<1>= 127.0.0.1:{http}", ini)
    assert n == m == 1, "docs/virtuoso-dutygraph.ini should set both ServerPorts on 127.0.0.1"
    (work / "virtuoso.ini").write_text(ini, encoding="utf-8")
    url = f"http://127.0.0.1:{http}/sparql"
    # virtuoso-t shuts down on SIGTERM
    with running([binary, "+foreground", "+configfile", "virtuoso.ini"], url + "?query=ASK%7B%7D",
                 work / "virtuoso.out", "Virtuoso", cwd=work, stop_seconds=30):
        yield url


# ----------------------------------------------------------------------------- comparing answers
# Two engine differences are allowed for, and only in the columns a query joins with GROUP_CONCAT:
# - Virtuoso 7.2.5 writes a non-ASCII separator as "?" (区司法局?司法局 for 区司法局、司法局), even
#   one made by CONCAT inside the aggregate; the names it joins come back whole. A Virtuoso user
#   sees "?" between the names in those columns (README says so).
# - SPARQL leaves the order of the values GROUP_CONCAT joins to the engine (kg.query.queries sorts the
#   columns documented as "joined with 、", not the space-joined theme ids).
# So a joined cell is compared as the set of its parts, as kg.query.queries.NamedQuery.tidy sorts them.
# Row order is not normalised: kg.query.endpoint orders a remote answer as the local store does.

def _joined_columns() -> dict[str, str]:
    """{column: separator} of every GROUP_CONCAT … AS ?column in queries/*.rq."""
    found: dict[str, str] = {}
    pattern = r'GROUP_CONCAT\((?:DISTINCT\s+)?\?\w+;\s*separator="([^"]*)"\)\s+AS\s+\?(\w+)'
    for path in sorted((ROOT / "queries").glob("*.rq")):
        for sep, column in re.findall(pattern, path.read_text(encoding="utf-8"), flags=re.I):
            # "\u0000" (kg.query.queries.LIST_SEP) is what tidy() shows as 、 between the items
            sep = "、" if sep == "\\u0000" else sep
            assert found.setdefault(column, sep) == sep, f"{column} is joined with two separators"
    return found


JOINED = _joined_columns()


def _same_cell(column: str, here, there) -> bool:
    if here == there:
        return True
    sep = JOINED.get(column)
    if sep is None or not isinstance(here, str) or not isinstance(there, str):
        return False
    if not sep.isascii():
        there = there.replace("?", sep)
    return sorted(set(here.split(sep))) == sorted(set(there.split(sep)))


def same_answers(here, there) -> bool:
    """Equal rows in equal order, up to the two differences above."""
    if isinstance(here, dict) and isinstance(there, dict):
        here, there = [here], [there]
    if not (isinstance(here, list) and isinstance(there, list) and all(isinstance(r, dict) for r in here + there)):
        return here == there  # a list of names
    return len(here) == len(there) and all(
        a.keys() == b.keys() and all(_same_cell(k, a[k], b[k]) for k in a) for a, b in zip(here, there))


def test_the_comparison_allows_only_those_differences():
    assert JOINED["lead"] == "、" and JOINED["themes"] == " "
    here = [{"lead": "区委编办、区司法局", "themes": "enforcement disputes", "unit": "区司法局"}]
    assert same_answers(here, [{"lead": "区委编办?区司法局", "themes": "disputes enforcement", "unit": "区司法局"}])
    assert same_answers(here, [{"lead": "区司法局?区委编办", "themes": "enforcement disputes", "unit": "区司法局"}])
    assert not same_answers(here, [{"lead": "区委编办?区司法", "themes": "enforcement disputes", "unit": "区司法局"}])
    assert not same_answers(here, [{"lead": "区委编办", "themes": "enforcement disputes", "unit": "区司法局"}])
    assert not same_answers(here, [{"lead": "区委编办、区司法局", "themes": "enforcement", "unit": "区司法局"}])
    assert not same_answers(here, [{"lead": "区委编办、区司法局", "themes": "enforcement disputes", "unit": "区?司法局"}])
    assert not same_answers(here, here + here)


# ----------------------------------------------------------------------------- the test graph

@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    """The /sparql URL of a fresh Virtuoso holding tests/data/mini.trig."""
    with _virtuoso(tmp_path_factory.mktemp("virtuoso")) as url:
        yield url


@pytest.fixture(scope="module")
def local():
    from kg.query.api import Graph

    return Graph.open(MINI)


@pytest.fixture(scope="module")
def remote(virtuoso, local):
    from kg.query.api import Graph
    from kg.query.endpoint import Endpoint, push

    ep = Endpoint(virtuoso, auth=AUTH)
    assert ep.store_url == virtuoso + "-graph-crud-auth" and not ep.union_default_graph
    report = push(local.backend.store, ep)
    assert [r["graph"] for r in report] == [DGR + "graph/" + d for d in ("c1", "d1", "p1", "r1", "corpus")]
    return Graph.connect(virtuoso)


@pytest.mark.parametrize("method,args,kwargs", QUESTIONS, ids=[q[0] for q in QUESTIONS])
def test_virtuoso_answers_equal_local_answers(local, remote, method, args, kwargs):
    here = getattr(local, method)(*args, **kwargs)
    there = getattr(remote, method)(*args, **kwargs)
    assert same_answers(here, there), (here, there)
    assert here or (method, args) == ("tasks_of", ("区司法局",)), "a question with no answer proves little"


MINI_VALUES = {"doc": "d1", "in_doc": "d1", "child_doc": "d1", "parent_doc": "c1", "task": "d1#1", "label": "区司法局",
               "label_a": "区司法局", "label_b": "区委编办", "on": "2023-01-01", "before": "2023-07-01",
               "number": "1", "kind": "party", "level": "district", "role": "lead"}


def _every_named_query(local, remote, values, least: int = 15) -> list[str]:
    """Run every named query that ``values`` can fill on both graphs; return the names of those
    whose rows differ (empty when all agree) and assert enough were run."""
    from kg.query import queries as Q
    checked, differ = 0, []
    for q in Q.available():
        params = {p.name: values[p.name] for p in q.params if p.name in values}
        if any(p.required and p.name not in params for p in q.params):
            continue
        if not same_answers(local.query(str(q.path), **params), remote.query(str(q.path), **params)):
            differ.append(q.name)
        checked += 1
    assert checked >= least
    return differ


def test_virtuoso_every_named_query(local, remote):
    """Every named query in queries/ that needs no parameter, and the parameterised ones with the
    test graph's values: the same rows on Virtuoso as locally."""
    assert _every_named_query(local, remote, MINI_VALUES) == []


def test_virtuoso_raw_sparql_and_prefixes(local, remote):
    # Virtuoso's default graph is every graph it holds, its own system graphs too (virtrdf:, about
    # 2,500 triples), so a bare count is taken over the project's graphs
    q = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
         "FILTER(STRSTARTS(STR(?g), 'https://w3id.org/dutygraph/')) }")
    assert remote.sparql(q) == local.sparql(q) == [{"n": 230}]
    q = "SELECT ?t WHERE { ?t a dg:Task } ORDER BY ?t"  # dg: declared by kg.query.api.Graph.sparql
    assert remote.sparql(q) == local.sparql(q)


def test_virtuoso_push_one_document_again(local, remote, virtuoso):
    """kg push --doc d1 replaces d1's graph on Virtuoso and leaves the others."""
    from kg.query.endpoint import Endpoint, push

    store = mini_without_task(MINI, DGR + "doc/d1/t/t4")
    assert [r["graph"] for r in push(store, Endpoint(virtuoso, auth=AUTH), docs=["d1"])] == [DGR + "graph/d1"]
    try:
        assert [r["task_number"] for r in remote.tasks_of("区司法局")] == ["1", "2"]
        assert [r["document"] for r in remote.tasks_of("市司法局")] == ["c1"]
    finally:
        push(local.backend.store, Endpoint(virtuoso, auth=AUTH), docs=["d1"])
    assert remote.tasks_of("区司法局") == local.tasks_of("区司法局")


def test_virtuoso_push_without_or_with_a_wrong_password_is_refused(virtuoso, local):
    """Virtuoso's Graph Store refuses an anonymous write (/sparql-graph-crud: the SPARQL user may
    not write) and a wrong password: one line saying so, nothing written."""
    from kg.query.endpoint import Endpoint, push
    from kg.errors import KgError

    with pytest.raises(KgError, match=r"PUT http://127\.0\.0\.1:\d+/sparql-graph-crud failed: HTTP 403"):
        push(local.backend.store, Endpoint(virtuoso), docs=["d1"])
    with pytest.raises(KgError, match=r"sparql-graph-crud-auth failed: HTTP 401") as e:
        push(local.backend.store, Endpoint(virtuoso, auth=("dba", "wrong")), docs=["d1"])
    assert "\n" not in str(e.value)


# ----------------------------------------------------------------------------- the bundled corpus

@pytest.fixture(scope="module")
def corpus_remote(tmp_path_factory, corpus_build):
    """A second Virtuoso, loaded with the corpus build by `kg push --auth` as a user would."""
    import json

    from typer.testing import CliRunner

    from kg.query.api import Graph
    from kg.cli import app

    with _virtuoso(tmp_path_factory.mktemp("virtuoso2")) as url:
        r = CliRunner().invoke(app, ["push", "--graph", str(corpus_build), "--endpoint", url, "--auth", "dba:dba",
                                     "--format", "json"])
        assert r.exit_code == 0, r.output
        pushed = json.loads(r.stdout)
        assert pushed[-1]["graph"] == DGR + "graph/corpus" and len(pushed) >= 6
        yield Graph.connect(url)


@pytest.fixture(scope="module")
def corpus_local(corpus_build):
    from kg.query.api import Graph

    return Graph.open(corpus_build)


CORPUS_QUESTIONS = [
    ("tasks_of", ("区司法局",), {}), ("tasks_of", ("区委编办",), {"role": "lead"}),
    ("tasks_of", ("市司法局",), {"role": "lead", "doc": "001"}), ("units_of", ("000#24",), {}),
    ("task", ("000#24",), {}), ("due", ("2023-01-01",), {}), ("due", ("2023-01-01",), {"doc": "000"}),
    ("overdue", ("2025-01-01",), {}), ("overdue", ("2025-01-01",), {"doc": "000"}),
    ("workload", (), {}), ("workload", (), {"unit": "区司法局"}), ("shared", ("区司法局", "区委编办"), {}),
    ("no_lead", (), {}), ("no_lead", (), {"doc": "001"}), ("tasks_per_section", ("000",), {}),
    ("organisations", (), {}), ("documents", (), {}), ("labels", (), {}),
    ("evidence", ("000#4",), {}), ("figures", (), {"doc": "002"}),
]


@pytest.mark.parametrize("method,args,kwargs", CORPUS_QUESTIONS, ids=[q[0] for q in CORPUS_QUESTIONS])
def test_virtuoso_corpus_answers_equal_local_answers(corpus_local, corpus_remote, method, args, kwargs):
    here = getattr(corpus_local, method)(*args, **kwargs)
    there = getattr(corpus_remote, method)(*args, **kwargs)
    assert same_answers(here, there), (here, there)
    assert here, "a question with no answer proves little"


CORPUS_VALUES = [
    {"doc": "000", "in_doc": "000", "child_doc": "000", "parent_doc": "001", "task": "000#24", "label": "区司法局",
     "label_a": "区司法局", "label_b": "区委编办", "on": "2025-01-01", "before": "2023-01-01", "number": "24",
     "kind": "government", "level": "district", "role": "lead", "year": "2024"},
    {"doc": "001", "in_doc": "001", "task": "001#3", "label": "市司法局", "label_a": "市司法局", "label_b": "市公安局",
     "on": "2023-06-30", "before": "2025-12-31", "number": "3", "role": "support", "year": "2021"},
    {"doc": "002", "label": "柳江区司法局", "year": "2024"},
]


@pytest.mark.parametrize("values", CORPUS_VALUES, ids=["000", "001", "002"])
def test_virtuoso_corpus_every_named_query(corpus_local, corpus_remote, values):
    """Every named query the values can fill, on the corpus build: 000 the district plan, 001 the
    city plan, 002 a district report."""
    assert _every_named_query(corpus_local, corpus_remote, values, least=14) == []

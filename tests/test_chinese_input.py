"""Issue 21: what a user types in Chinese gives the same answer as the ASCII form — width forms of
brackets, digits and ＃ in names and references, dates 2023年1月1日 / 2023.1.1 / 2023/1/1, roles
牵头/配合/责任, theme names in Chinese, kinds and levels in Chinese; and one resolver for documents and
tasks (id, unique prefix, file name, IRI) in every command, --param and kg push --doc."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from kg.errors import KgError


@pytest.fixture(scope="module")
def out(corpus_build):
    return corpus_build


@pytest.fixture(scope="module")
def g(out):
    from kg.query.api import Graph

    return Graph.open(out)


def kg(out, *args):
    from kg.cli import app

    r = CliRunner().invoke(app, [*args, "--graph", str(out), "--format", "json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


SAME = [
    # (what a user types in Chinese, the ASCII form): the same rows
    (("tasks-of", "各县（市、区）人民政府"), ("tasks-of", "各县(市、区)人民政府")),
    (("tasks-of", "区司法局", "--role", "牵头", "--doc", "０００"), ("tasks-of", "区司法局", "--role", "lead", "--doc", "000")),
    (("tasks-of", "区政府其他有关部门", "--role", "配合"), ("tasks-of", "区政府其他有关部门", "--role", "support")),
    (("tasks-of", "市司法局", "--role", "责任"), ("tasks-of", "市司法局", "--role", "responsible")),
    (("units-of", "000＃13"), ("units-of", "000#13")),
    (("units-of", "０００＃１３"), ("units-of", "000#13")),
    (("chain", "000＃1"), ("chain", "000#1")),
    (("evidence", "000＃4"), ("evidence", "000#4")),
    (("trace", "000＃24"), ("trace", "000#24")),
    (("due", "--before", "2023年1月1日"), ("due", "--before", "2023-01-01")),
    (("due", "--before", "2023.1.1", "--doc", "000"), ("due", "--before", "2023-01-01", "--doc", "000")),
    (("due", "--before", "2023/1/1"), ("due", "--before", "2023-01-01")),
    (("overdue", "--on", "２０２５年１月１日"), ("overdue", "--on", "2025-01-01")),
    (("figures", "--theme", "健全社会矛盾纠纷行政预防调处化解体系"), ("figures", "--theme", "disputes")),
    (("figures", "--theme", "矛盾纠纷"), ("figures", "--theme", "disputes")),
    (("orgs", "--kind", "法院", "--level", "市级"), ("orgs", "--kind", "court", "--level", "city")),
    (("sections", "000_b7f676789088e75d.txt"), ("sections", "000")),
    (("sections", "https://w3id.org/dutygraph/id/doc/000_b7f676789088e75d"), ("sections", "000")),
    (("query", "overdue-doc", "--param", "doc=000", "--param", "on=2025年1月1日"),
     ("query", "overdue-doc", "--param", "doc=dgr:doc/000_b7f676789088e75d", "--param", "on=2025-01-01")),
    (("query", "units-of", "--param", "task=000＃13"),
     ("query", "units-of", "--param", "task=https://w3id.org/dutygraph/id/doc/000_b7f676789088e75d/t/t13")),
    (("query", "tasks-of", "--param", "label=区司法局", "--param", "role=牵头"),
     ("query", "tasks-of", "--param", "label=区司法局", "--param", "role=lead")),
]


@pytest.mark.parametrize("zh,ascii_", SAME, ids=[" ".join(z) for z, _ in SAME])
def test_chinese_form_gives_the_ascii_answer(out, zh, ascii_):
    here, there = kg(out, *zh), kg(out, *ascii_)
    assert here == there and here, "a question with no answer proves little"


def test_python_api_takes_the_same_forms(g):
    assert g.tasks_of("区司法局", role="牵头", doc="000") == g.tasks_of("区司法局", role="lead", doc="000")
    assert len(g.tasks_of("区司法局", role="牵头", doc="000")) == 22  # README's 22, listed by hand
    assert g.units_of("０００＃１３") == g.units_of("000#13")
    assert g.due("2023年1月1日") == g.due("2023-01-01")
    assert g.overdue("2025.1.1", doc="000") == g.overdue("2025-01-01", doc="000")
    assert g.query("overdue-doc", doc="000", on="2025/1/1") == g.overdue("2025-01-01", doc="000")
    assert g.resolve_doc("000_b7f676789088e75d.txt") == g.resolve_doc("000") == g.resolve_doc(
        "dgr:doc/000_b7f676789088e75d") == g.resolve_doc("<https://w3id.org/dutygraph/id/doc/000_b7f676789088e75d>")


def test_an_ambiguous_prefix_lists_the_candidates(g, out):
    with pytest.raises(KgError) as e:
        g.resolve_doc("00")
    assert "ambiguous" in str(e.value) and "000_b7f676789088e75d, 001_642e6dbf011a83a5" in str(e.value)
    from kg.cli import app

    for args in (["sections", "00"], ["query", "overdue-doc", "--param", "doc=00", "--param", "on=2025-01-01"],
                 ["trace", "00#1"], ["export", "--format", "csv", "--doc", "00"]):
        r = CliRunner().invoke(app, [*args, "--graph", str(out)])
        assert r.exit_code == 1 and "is ambiguous" in r.output and "004_4211ff71ae773279" in r.output, args
        assert "Traceback" not in r.output


def test_bad_dates_and_roles_are_one_line(out):
    from kg.cli import app

    for args, words in ((["due", "--before", "2023年13月1日"], "write it as 2023-01-01, 2023年1月1日"),
                        (["tasks-of", "区司法局", "--role", "督办"], "牵头"),
                        (["figures", "--theme", "没有这个主题"], "use an id or a name")):
        r = CliRunner().invoke(app, [*args, "--graph", str(out)])
        assert r.exit_code != 0 and words in r.output and len(r.output.strip().splitlines()) == 1, r.output


def test_push_names_documents_like_every_command(out):
    """kg push --doc 000 (and the file name) names the same graph as the id."""
    from kg.query.endpoint import push
    from kg.query.store import open_store

    class Recorder:
        def __init__(self):
            self.graphs = []

        def put_graph(self, graph, data, content_type="application/n-triples"):
            self.graphs.append(graph)

    store = open_store(out).ox
    a, b, c = Recorder(), Recorder(), Recorder()
    push(store, a, docs=["000"])
    push(store, b, docs=["000_b7f676789088e75d.txt"])
    push(store, c, docs=["000_b7f676789088e75d"])
    assert a.graphs == b.graphs == c.graphs == [
        "https://w3id.org/dutygraph/id/graph/000_b7f676789088e75d",
        "https://w3id.org/dutygraph/id/graph/links/000_b7f676789088e75d"]


def test_sparql_knows_the_prefixes_and_reports_the_whole_error(out):
    from kg.cli import app

    r = CliRunner().invoke(app, ["sparql", "SELECT (COUNT(?t) AS ?n) WHERE { ?t a dg:Task }", "--graph", str(out),
                                 "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.stdout) == [{"n": 94}]
    r = CliRunner().invoke(app, ["sparql", "SELECT ?t WHERE {\n ?t a dg:Task", "--graph", str(out)])
    assert r.exit_code == 1 and "error at 2:" in r.output and r.output.rstrip().endswith("]")


def test_version():
    from kg.version import __version__
    from kg.cli import app

    r = CliRunner().invoke(app, ["--version"])
    assert r.exit_code == 0 and r.stdout.strip() == f"kg (DutyGraph) {__version__}"


def test_tables_fit_80_columns(out, monkeypatch):
    """On an 80-column terminal a table is 80 wide and a task title wraps at a readable width."""
    from kg.cli import app

    monkeypatch.setenv("COLUMNS", "80")
    for args in (["overdue", "--on", "2025-01-01", "--doc", "000"], ["tasks-of", "区司法局", "--doc", "000"],
                 ["units-of", "000#13"], ["docs"], ["workload", "--top", "5"]):
        r = CliRunner().invoke(app, [*args, "--graph", str(out)])
        assert r.exit_code == 0, r.output
        from rich.cells import cell_len

        assert max(cell_len(line) for line in r.stdout.splitlines()) <= 80, args
    r = CliRunner().invoke(app, ["overdue", "--on", "2025-01-01", "--doc", "000", "--graph", str(out)])
    # 全面实行政府权责清单制度 (12 characters) in at most two lines, not five characters a line
    lines = [ln for ln in r.stdout.splitlines() if "全面实行" in ln]
    assert lines and "全面实行政府" in lines[0]


def test_lang_zh_everywhere(out, monkeypatch):
    from kg.cli import app

    r = CliRunner().invoke(app, ["units-of", "000#13", "--graph", str(out), "--format", "csv", "--lang", "zh"])
    assert r.stdout.splitlines()[0].startswith("角色,单位,单位（原文）") and "\n牵头," in r.stdout
    monkeypatch.setenv("KG_LANG", "zh")
    r = CliRunner().invoke(app, ["units-of", "000#13", "--graph", str(out), "--format", "csv"])
    assert "\n配合," in r.stdout
    r = CliRunner().invoke(app, ["export", "--graph", str(out), "--format", "csv"])
    assert r.stdout.lstrip("\ufeff").startswith("文件,层级,地区")

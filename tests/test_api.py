"""The Python API and the ask commands, on the hand-written mini graph and on the bundled corpus.

Corpus answers were listed by hand from corpus/000_*.txt (the （牵头单位：…；配合单位：…） notes and
the deadlines written in the task texts).
"""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.errors import KgError

ROOT = Path(__file__).resolve().parent.parent
MINI = Path(__file__).parent / "data" / "mini.trig"
ODD = '区"法治"{办}#1'


def kg(*args):
    from kg.cli import app

    return CliRunner().invoke(app, [str(a) for a in args])


# ----------------------------------------------------------------------------- the CLI on mini

def test_tasks_of_json_has_the_contract_keys():
    r = kg("tasks-of", "区司法局", "--graph", MINI, "--format", "json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert [(x["document"], x["task_number"], x["task_title"], x["role"], x["unit"]) for x in rows] == [
        ("d1", "1", "全面实行政府权责清单制度", "lead", "柳州市城中区司法局"),
        ("d1", "2", "推进政府机构职能优化协同高效", "support", "柳州市城中区司法局"),
        ("d1", "4", "提高立法质量", "responsible", "柳州市城中区司法局")]
    assert rows[1]["unit_as_written"] == "司法局" and rows[0]["deadline"] == "2022-12-31"


def test_tasks_of_table_is_the_default_and_csv_works():
    r = kg("tasks-of", "区司法局", "-g", MINI, "--role", "lead")
    assert r.exit_code == 0 and "全面实行" in r.stdout and "┃" in r.stdout and "lead" in r.stdout
    r = kg("tasks-of", "区司法局", "-g", MINI, "-f", "csv", "--doc", "d1")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [x["task_number"] for x in rows] == ["1", "2", "4"]


def test_unknown_unit_gets_suggestions_and_exit_1():
    r = kg("tasks-of", "区司法", "-g", MINI)
    assert r.exit_code == 1
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "区司法" in lines[0] and "区司法局" in lines[0]


def test_a_name_with_quotes_braces_and_hash_is_just_a_name():
    r = kg("tasks-of", ODD, "-g", MINI, "-f", "json")
    assert r.exit_code == 0, r.output
    assert [(x["task_number"], x["unit"]) for x in json.loads(r.stdout)] == [("4", ODD)]
    r = kg("tasks-of", '区司法局"@zh } UNION { ?org ?p ?label } #', "-g", MINI)
    assert r.exit_code == 1 and "no unit is called" in r.stderr


def test_other_commands_on_mini():
    r = kg("units-of", "d1#1", "-g", MINI, "-f", "json")
    assert [(x["role"], x["unit"]) for x in json.loads(r.stdout)] == [
        ("lead", "柳州市城中区司法局"), ("support", "区政府各有关部门")]
    r = kg("due", "--before", "2023-01-01", "-g", MINI, "-f", "json")
    assert [x["task_number"] for x in json.loads(r.stdout)] == ["4", "1"]
    r = kg("overdue", "--on", "2023-01-01", "--unreported", "-g", MINI, "-f", "json")
    assert [x["task_number"] for x in json.loads(r.stdout)] == ["4"]
    r = kg("workload", "--top", "1", "-g", MINI, "-f", "json")
    assert [(x["unit"], x["total"]) for x in json.loads(r.stdout)] == [("柳州市城中区司法局", 3)]
    r = kg("shared", "区司法局", "区委编办", "-g", MINI, "-f", "json")
    assert [x["task_number"] for x in json.loads(r.stdout)] == ["2"]
    r = kg("no-lead", "-g", MINI, "-f", "json")
    assert [x["task_number"] for x in json.loads(r.stdout)] == ["3", None]
    r = kg("sections", "d1", "-g", MINI, "-f", "json")
    assert [x["tasks"] for x in json.loads(r.stdout)] == [5, 2, 3]
    r = kg("orgs", "--kind", "party", "-g", MINI, "-f", "json")
    assert len(json.loads(r.stdout)) == 2
    r = kg("chain", "d1#1", "-g", MINI, "-f", "json")
    assert [x["document"] for x in json.loads(r.stdout)] == ["d1", "c1", "p1"]
    r = kg("coverage", "d1", "-g", MINI)
    assert r.exit_code == 0 and "1/2 taken up" in r.stdout


def test_query_by_name_and_by_file(tmp_path):
    r = kg("query", "tasks-of", "--param", "label=区司法局", "--param", "role=lead", "-g", MINI, "-f", "json")
    assert r.exit_code == 0, r.output
    assert [x["task_number"] for x in json.loads(r.stdout)] == ["1"]
    f = tmp_path / "mine.rq"
    f.write_text("# Titles of a document's tasks.\n# @param doc iri required The document.\n"
                 "# @return title The title.\n"
                 "PREFIX dg: <https://w3id.org/dutygraph/ontology#>\n"
                 "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
                 "SELECT ?title ?doc WHERE { ?t dg:inDocument ?doc ; dcterms:title ?title } ORDER BY ?title",
                 encoding="utf-8")
    r = kg("query", f, "-p", "doc=dgr:doc/c1", "-g", MINI, "-f", "csv")
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines() == ["title", "推行权责清单", "优化机构职能"] or \
        sorted(r.stdout.splitlines()[1:]) == sorted(["推行权责清单", "优化机构职能"])
    r = kg("query", "tasks-of", "-g", MINI)
    assert r.exit_code != 0 and "needs label" in r.stderr
    r = kg("query", "--list")
    assert r.exit_code == 0 and "tasks-of" in r.stdout


def test_sparql_command():
    r = kg("sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "-g", MINI, "-f", "json")
    assert json.loads(r.stdout) == [{"n": 230}]
    r = kg("sparql", "SELECT WHERE {", "-g", MINI)
    assert r.exit_code == 1 and r.stderr.startswith("error: SPARQL syntax error")


@pytest.mark.parametrize("args,message", [
    (("due", "--before", "2023-13-01"), "not a date"),
    (("tasks-of", "区司法局", "--role", "boss"), "role 'boss'"),
    (("tasks-of", "区司法局", "--doc", "zz"), "no document 'zz'"),
    (("units-of", "d1-1"), "DOC#NUMBER"),
    (("units-of", "d1#9"), "no task numbered 9"),
    (("workload", "--top", "0"), "--top"),
])
def test_bad_input_is_one_line(args, message):
    r = kg(*args, "-g", MINI)
    assert r.exit_code != 0 and message in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_missing_graph_and_both_sources(tmp_path):
    r = kg("tasks-of", "区司法局", "--graph", tmp_path / "nothing")
    assert r.exit_code == 1 and "kg build" in r.stderr
    r = kg("tasks-of", "区司法局", "--graph", MINI, "--endpoint", "http://127.0.0.1:9")
    assert r.exit_code == 1 and "not both" in r.stderr


def test_ask_commands_import_no_heavy_library():
    heavy = ["jieba", "rdflib", "pyvis", "pyshacl", "networkx", "pyoxigraph"]
    code = ("import sys, kg.cli, kg.query.api, kg.cli.ask, kg.query.queries, kg.query.endpoint; "
            f"print([m for m in {heavy!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


def test_graph_api_is_reachable_from_the_package():
    import kg as kgpkg

    g = kgpkg.Graph.open(MINI)
    assert [r["task_number"] for r in g.tasks_of("区司法局", role="lead")] == ["1"]
    assert g.resolve_doc("d1.txt") == g.resolve_doc("d1") == "https://w3id.org/dutygraph/id/doc/d1"
    with pytest.raises(KgError):
        g.resolve_task("d1")


# ----------------------------------------------------------------------------- the bundled corpus

@pytest.fixture(scope="session")
def corpus_graph(tmp_path_factory):
    """The bundled corpus built once with kg.build (skipped while the pipeline is unfinished)."""
    try:
        import kg.rdf.graphs  # noqa: F401
        import kg.parse.plan  # noqa: F401
        import kg.resolve.entities  # noqa: F401
    except ModuleNotFoundError as e:
        pytest.skip(f"the build pipeline is not complete yet ({e.name} missing)")
    import kg as kgpkg

    out = tmp_path_factory.mktemp("build") / "out"
    kgpkg.build([ROOT / "corpus"], out)
    return kgpkg.Graph.open(out)


# 000: the tasks whose （牵头单位：…） names 区司法局, read from the text.
LEADS_SIFAJU_000 = [1, 4, 6, 7, 8, 9, 10, 12, 13, 14, 15, 21, 22, 23, 24, 25, 28, 31, 34, 35, 36, 47]


def numbers(rows):
    return [int(r["task_number"]) for r in rows]


def test_corpus_tasks_where_sifaju_leads_in_000(corpus_graph):
    rows = corpus_graph.tasks_of("区司法局", role="lead", doc="000")
    assert numbers(rows) == LEADS_SIFAJU_000
    assert {r["unit_as_written"] for r in rows} == {"区司法局"}
    assert len({r["unit"] for r in rows}) == 1
    assert corpus_graph.tasks_of("区司法局", role="support", doc="000") == []


def test_corpus_due_before_2023_in_000(corpus_graph):
    # 2022年年底前 in tasks 1, 3, 24 ("2022 年年底前") and 34 (also 2023年年底前)
    rows = corpus_graph.due("2023-01-01", doc="000")
    assert sorted(numbers(rows)) == [1, 3, 24, 34]
    assert {r["deadline"] for r in rows} == {"2022-12-31"}


def test_corpus_units_of_000_13(corpus_graph):
    rows = corpus_graph.units_of("000#13")  # （牵头单位：区司法局；配合单位：区级其他具有行政执法权的单位）
    assert [(r["role"], r["unit_as_written"]) for r in rows] == [
        ("lead", "区司法局"), ("support", "区级其他具有行政执法权的单位")]


def test_corpus_shared_sifaju_and_caizheng_in_000(corpus_graph):
    rows = corpus_graph.shared("区司法局", "区财政局", doc="000")
    assert numbers(rows) == [14, 23, 28, 31]


def test_corpus_workload_and_no_lead(corpus_graph):
    row = corpus_graph.workload(unit="区司法局", doc="000")
    assert [(r["lead"], r["support"]) for r in row] == [(22, 0)]
    assert corpus_graph.no_lead(doc="000") == []  # every task of 000 names a 牵头单位
    top = corpus_graph.workload(top=3)
    assert len(top) == 3 and top[0]["total"] >= top[1]["total"] >= top[2]["total"]


def test_corpus_tasks_per_section_of_000(corpus_graph):
    rows = corpus_graph.tasks_per_section("000")
    counts = {r["section_number"]: r["tasks"] for r in rows if r["tasks"]}
    assert counts == {"二、": 43, "（一）": 5, "（二）": 3, "（三）": 3, "（四）": 5, "（五）": 4,
                      "（六）": 6, "（七）": 7, "（八）": 6, "（九）": 4, "三、": 4}
    # document order, 一、总体目标 (no tasks) last
    assert [r["section_number"] for r in rows][:3] == ["二、", "（一）", "（二）"]
    assert rows[-1]["section_number"] == "一、" and rows[-1]["tasks"] == 0


def test_corpus_organisations_and_chain(corpus_graph):
    court = {r["org"] for r in corpus_graph.organisations(kind="court")}
    assert {r["org"] for r in corpus_graph.units_named("区法院")} <= court
    chain = corpus_graph.parent_chain("000#1")
    assert chain[0]["distance"] == 0 and chain[0]["task_number"] == "1"


def test_corpus_cli_tasks_of(corpus_graph):
    r = kg("tasks-of", "区司法局", "--graph", corpus_graph.source, "--doc", "000", "--role", "lead", "-f", "json")
    assert r.exit_code == 0, r.output
    assert [int(x["task_number"]) for x in json.loads(r.stdout)] == LEADS_SIFAJU_000


def test_a_build_directory_with_a_persistent_store(tmp_path):
    """Graph.open(DIR) reads DIR/store (pyoxigraph, on disk) read-only, as `kg build --out DIR` leaves it."""
    import pyoxigraph as ox

    from kg.query.api import Graph

    (tmp_path / "out").mkdir()
    store = ox.Store(str(tmp_path / "out" / "store"))
    store.bulk_load(path=str(MINI), format=ox.RdfFormat.TRIG)
    store.flush()
    del store
    g = Graph.open(tmp_path / "out")
    assert [r["task_number"] for r in g.tasks_of("区司法局")] == ["1", "2", "4"]
    r = kg("tasks-of", "市司法局", "--graph", tmp_path / "out", "-f", "json")
    assert [x["document"] for x in json.loads(r.stdout)] == ["c1"]
    (tmp_path / "empty" / "store").mkdir(parents=True)
    with pytest.raises(KgError, match="is empty"):
        Graph.open(tmp_path / "empty")


def test_every_cli_question_is_one_call_in_python(tmp_path_factory):
    """The CLI is a thin layer: docs, trace, gaps, units, figures and evidence are Graph methods."""
    import kg

    out = tmp_path_factory.mktemp("apibuild") / "out"
    kg.build(["corpus"], out)
    g = kg.Graph.open(out)
    docs = {d["document"][:3]: d for d in g.docs()}
    # 001's preamble: 为贯彻落实法治政府建设实施纲要(2021-2025年)、广西法治政府建设实施方案(2021-2025年)
    assert [p["title"][:6] for p in docs["001"]["parents"]] == ["法治政府建设", "广西法治政府"]
    assert g.trace("000#24")[0]["task_title"] == "持续深化行政复议体制改革"
    assert any(u["unit"] == "柳州市城中区司法局" for u in g.units())
    # 002: 新收行政复议申请177件 (line 28 of the report)
    assert any(f["value"] == 177 and f["unit"] == "件" for f in g.figures("002"))
    assert isinstance(g.evidence("000#24"), list)


def test_corpus_names_holding_the_list_mark_are_not_garbled(corpus_graph):
    """各县(市、区)人民政府 holds 、, the mark that joins a column's items: it comes back whole from
    tasks-of and units-of (001 task 1: 参加单位:市政府各部门,各县(市、区)人民政府), never cut and sorted
    into 区)人民政府、各县(市."""
    rows = corpus_graph.tasks_of("各县(市、区)人民政府", doc="001")
    assert rows and {r["unit_as_written"] for r in rows} == {"各县(市、区)人民政府"}
    assert "1" in {r["task_number"] for r in rows}
    units = corpus_graph.units_of("001#1")
    written = {r["unit_as_written"] for r in units}
    assert "各县(市、区)人民政府" in written and not any("区)人民政府、" in w for w in written), written


def test_joined_columns_split_on_their_separator_only():
    """What any server returns for a GROUP_CONCAT of the query files (items joined by U+0000) is
    sorted item by item and joined with 、 for the reader; a name's own 、 stays in it."""
    from kg.query import queries as Q
    q = Q.find("units-of")
    row = {"role": "support", "unit": "x", "unit_as_written": "各县(市、区)人民政府\x00市财政局\x00各县(市、区)人民政府",
           "role_label": "参加单位", "kind": "group", "org": "o"}
    [tidy] = q.tidy([row])
    assert tidy["unit_as_written"] == "各县(市、区)人民政府、市财政局"
    assert "\\u0000" in q.text and 'separator="、"' not in q.text

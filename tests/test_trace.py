"""kg.query.trace and the tracing commands (kg docs, align, trace, gaps).

Expected answers were read off the crafted plans in test_link.py and the hand-written graph
tests/data/trace_mini.trig (see its header), not copied from the code's output.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.errors import KgError
from test_link import crafted_corpus

MINI = str(Path(__file__).parent / "data" / "trace_mini.trig")


def _run(*args):
    from kg.cli import app

    return CliRunner().invoke(app, list(args))


# ---------------------------------------------------------------- on records

def test_docs_rows_list_every_named_parent_with_its_document_or_none():
    from kg.query.trace import docs

    rows = {r["document"]: r for r in docs(crafted_corpus())}
    assert rows["c"]["parents"] == [
        {"title": "广西法治政府建设实施方案(20212025年)", "document": "p"},
        {"title": "〈法治政府建设实施纲要（2021-2025年）〉重要举措分工方案", "document": None}]
    assert rows["c"]["parent_levels"] == ["province", "national"]
    assert rows["p"]["parents"] == []


def test_find_task_forms():
    from kg.query.trace import find_task

    c = crafted_corpus()
    assert find_task(c, "c#5")[1].id == "c5"
    assert find_task(c, "c#c5")[1].id == "c5"
    assert find_task(c, "c 5")[1].id == "c5"
    with pytest.raises(KgError, match="no task"):
        find_task(c, "c#99")
    with pytest.raises(KgError, match="no document"):
        find_task(c, "zz#1")
    with pytest.raises(KgError, match="DOC#NUMBER"):
        find_task(c, "c5")


def test_trace_goes_up_to_the_parent_task_then_the_named_directive_above():
    from kg.query.trace import trace

    rows = trace(crafted_corpus(), "c#6")
    assert [(r["step"], r["document"], r["task"]) for r in rows[:2]] == [(0, "c", "c6"), (1, "p", "t4")]
    assert rows[0]["lead"] == "lz-yingji" and rows[1]["lead"] == "gx-yingji"
    assert rows[1]["score"] >= 0.3
    # the provincial plan is held; the national directive the city plan names is the next level
    assert [(r["level"], r["directive"]) for r in rows[2:]] == [
        ("national", "〈法治政府建设实施纲要（2021-2025年）〉重要举措分工方案")]


def test_trace_of_a_local_addition_keeps_the_parent_document_level():
    """c#4 carries out no task of p, but c names p and the corpus holds it: the trace shows p at
    its level (no task matched) instead of jumping from c to the national directive."""
    from kg.query.trace import trace

    rows = trace(crafted_corpus(), "c#4")
    assert [(r["step"], r["document"], r["task"]) for r in rows] == [(0, "c", "c4"), (1, "p", None), (2, None, None)]
    assert rows[1]["method"] == "document link (no task matched)" and rows[1]["level"] == "province"
    assert rows[2]["level"] == "national"


def test_gaps_on_crafted_plans():
    from kg.query.gaps import gaps
    from kg.query.trace import find_document

    c = crafted_corpus()
    rows = gaps(c, find_document(c, "c"), find_document(c, "p"))
    assert [r["parent_task"] for r in rows if r["kind"] == "not_taken_up"] == ["t6"]
    assert [r["child_task"] for r in rows if r["kind"] == "local_addition"] == ["c4"]
    # leads of the provincial task whose function no unit of the city task has
    missing = [(r["parent_task"], r["child_task"], r["function"]) for r in rows if r["kind"] == "missing_counterpart"]
    assert missing == [("t2", "c2", "shichang"), ("t3", "c1", "sifa"), ("t5", "c5", "gongan")]


def test_gaps_compute_alignment_when_the_corpus_has_none():
    from kg.query.gaps import gaps
    from kg.query.trace import find_document

    c = crafted_corpus(link_it=False)
    rows = gaps(c, find_document(c, "c"), find_document(c, "p"))
    assert [r["parent_task"] for r in rows if r["kind"] == "not_taken_up"] == ["t6"]


# ---------------------------------------------------------------- reading a graph

def test_load_corpus_reads_the_vocabulary():
    from kg.query.readback import load_corpus

    c = load_corpus(MINI)
    d = {x.id: x for x in c.documents}
    assert set(d) == {"c", "d"}
    assert [p.document_id for p in d["d"].parents] == [None, None, "c"]
    assert [p.level for p in d["d"].parents] == ["national", "province", "city"]
    assert d["c"].period == (2021, 2025) and d["d"].level == "district"
    assert [t.id for t in d["d"].tasks] == ["t1", "u1"] and d["d"].tasks[1].number is None
    assert d["c"].tasks[0].section == "s1" and [u.org_id for u in d["c"].tasks[0].units] == ["lz-sifaju", "lz-bianban"]
    assert c.organisations["lz-sifaju"].function == "sifa"
    assert [(a.child, a.parent, a.score) for a in c.alignments] == [("d#t1", "c#t1", 0.83)]


def test_cli_docs_json_contract():
    r = _run("docs", "--graph", MINI, "--format", "json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert [set(x) for x in rows] == [{"document", "title", "level", "region", "issuers", "date", "parents"}] * 2
    d = [x for x in rows if x["document"] == "d"][0]
    assert [p["document"] for p in d["parents"]] == [None, None, "c"]
    assert all(set(p) == {"title", "document"} for p in d["parents"])
    assert _run("docs", "--graph", MINI).exit_code == 0


def test_cli_trace_shows_the_whole_chain():
    r = _run("trace", "d#1", "--graph", MINI, "--format", "json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert [x["level"] for x in rows] == ["district", "city", "province", "national"]
    assert rows[1]["lead"] == "柳州市司法局、中共柳州市委机构编制委员会办公室"
    assert "责任分工方案" in rows[2]["task_title"] and "纲要" in rows[3]["task_title"]


def test_cli_gaps():
    r = _run("gaps", "d", "c", "--graph", MINI, "--format", "json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert [(x["kind"], x["parent_task_number"], x["child_task_title"], x["unit"]) for x in rows] == [
        ("not_taken_up", "2", None, None),
        ("local_addition", None, "打造城中特色法治品牌", None),
        ("missing_counterpart", "1", "全面实行政府权责清单制度", "柳州市司法局")]


@pytest.mark.parametrize("args,msg", [
    (("trace", "d#9", "--graph", MINI), "no task"),
    (("trace", "d#1", "--graph", "/nonexistent/graph"), "no graph"),
    (("gaps", "x", "c", "--graph", MINI), "no document"),
    (("docs", "--graph", MINI, "--format", "xml"), "unknown format"),
])
def test_cli_errors_are_one_line(args, msg):
    r = _run(*args)
    assert r.exit_code != 0
    assert msg in r.output and "Traceback" not in r.output


def test_cli_align_graph_documents():
    r = _run("align", "d", "c", "--graph", MINI, "--format", "csv")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0] == "a_task_number,a_task_title,b_task_number,b_task_title,score"
    assert lines[1].startswith("1,全面实行政府权责清单制度,1,全面实行政府权责清单制度,")
    assert lines[2] == ",打造城中特色法治品牌,,,"


def test_cli_align_files(corpus_dir):
    pytest.importorskip("kg.parse.plan")
    pytest.importorskip("kg.parse.report")
    r = _run("align", str(corpus_dir / "000_b7f676789088e75d.txt"), str(corpus_dir / "001_642e6dbf011a83a5.txt"),
             "--format", "json")
    assert r.exit_code == 0, r.output
    rows = {x["a_task_number"]: x for x in json.loads(r.output)}
    assert len(rows) == 47
    # checked by reading both texts: same title and text in both plans
    assert rows["24"]["b_task_title"] == "持续深化行政复议体制改革" and rows["24"]["b_task_number"] is None
    assert rows["1"]["b_task_number"] == "4"  # 全面实行政府权责清单制度 ↔ 深化权责清单管理


# ---------------------------------------------------------------- the seeds

@pytest.fixture(scope="module")
def seed_corpus(corpus_dir):
    pytest.importorskip("kg.parse.plan")
    pytest.importorskip("kg.resolve.entities")
    from kg.parse.clean import clean
    from kg.link.align import link
    from kg.model import Corpus
    from kg.parse.plan import parse_plan
    from kg.read.files import read_paths
    from kg.resolve.entities import resolve

    sources = read_paths([corpus_dir / "000_b7f676789088e75d.txt", corpus_dir / "001_642e6dbf011a83a5.txt"])
    docs = [parse_plan(s, clean(s.text)) for s in sources]
    corpus = Corpus(documents=docs, organisations=resolve(docs))
    link(corpus)
    return corpus


def test_seeds_are_not_linked_as_parent_and_child(seed_corpus):
    # 000 names 柳州市's plan; 001 is another city's plan: no document link, no task links
    assert all(p.document_id is None for d in seed_corpus.documents for p in d.parents)
    assert seed_corpus.alignments == []


def test_trace_on_000_shows_the_named_chain(seed_corpus):
    from kg.query.trace import trace

    rows = trace(seed_corpus, "000#24")
    assert rows[0]["task_title"] == "持续深化行政复议体制改革" and "司法局" in rows[0]["lead"]
    levels = [r["level"] for r in rows[1:]]
    assert levels[0] == "city" and levels[-1] == "national" and "province" in levels
    assert "柳州市落实" in rows[1]["directive"]


def test_gaps_000_against_001(seed_corpus):
    """Checked by reading both plans: 000's tasks 9 11 12 13 14 27 have no counterpart in 001's
    text; 001 #22 完善突发事件应对制度 names 市司法局, its counterpart 000 #18 names no 司法局."""
    from kg.query.gaps import gaps
    from kg.query.trace import find_document

    rows = gaps(seed_corpus, find_document(seed_corpus, "000"), find_document(seed_corpus, "001"))
    local = {r["child_task_number"] for r in rows if r["kind"] == "local_addition"}
    assert local <= {"9", "11", "12", "13", "14", "27"} and len(local) >= 4
    missing = {(r["parent_task_number"], r["child_task_number"], r["function"])
               for r in rows if r["kind"] == "missing_counterpart"}
    assert ("22", "18", "sifa") in missing
    # 001 #26 加强行政调解工作 (市司法局) ↔ 000 #22 (区司法局 leads): the counterpart is there
    assert not any(p == "26" and f == "sifa" for p, _, f in missing)


@pytest.fixture(scope="module")
def built(corpus_dir, tmp_path_factory):
    for mod in ("kg.parse.plan", "kg.parse.report", "kg.resolve.entities", "kg.rdf.graphs"):
        pytest.importorskip(mod)
    from kg.build.pipeline import build

    out = tmp_path_factory.mktemp("trace") / "out"
    build([corpus_dir], out=out)
    return str(out)


def test_cli_docs_on_the_bundled_corpus(built):
    """Read off the preambles: 000 根据 three directives (and 为确保 the 广西 plan); 001 贯彻落实 two."""
    r = _run("docs", "--graph", built, "--format", "json")
    assert r.exit_code == 0, r.output
    rows = {x["document"][:3]: x for x in json.loads(r.output)}
    titles = {p["title"] for p in rows["000"]["parents"]}
    for t in ("〈法治政府建设实施纲要(2021-2025年)〉重要举措分工方案",
              "〈广西法治政府建设实施方案(2021-2025年)〉责任分工方案",
              "柳州市落实〈广西法治政府建设实施方案(2021-2025年)〉工作方案"):
        assert t.replace("(", "（").replace(")", "）") in {x.replace("(", "（").replace(")", "）") for x in titles}
    assert len(rows["001"]["parents"]) == 2
    assert all(p["document"] is None for x in rows.values() for p in x["parents"])


def test_cli_trace_and_gaps_on_the_bundled_corpus(built):
    r = _run("trace", "000#18", "--graph", built, "--format", "json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert rows[0]["task_title"] == "完善突发事件应对制度"
    levels = [x["level"] for x in rows]
    assert levels[:2] == ["district", "city"] and levels[-1] == "national" and "province" in levels
    r = _run("gaps", "000", "001", "--graph", built, "--format", "json")
    assert r.exit_code == 0, r.output
    assert {"not_taken_up", "local_addition", "missing_counterpart"} <= {x["kind"] for x in json.loads(r.output)}

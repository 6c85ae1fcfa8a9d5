"""kg build / export / validate / demo through the CLI (typer's CliRunner), on a crafted plan and the corpus."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app

PLAN = """XX县法治政府建设实施方案（2022-2025年）

为贯彻落实《XX市法治政府建设实施方案（2021-2025年）》，制定本方案。

一、主要任务
（一）健全政府机构职能体系
1．推进政府机构职能优化。2023年年底前完成清理。（牵头单位：县委编办、县司法局；配合单位：县政府各有关部门）
2．深化行政审批制度改革。持续推进改革。（牵头单位：县行政审批局）
"""


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture()
def plan(tmp_path) -> Path:
    p = tmp_path / "plan.txt"
    p.write_text(PLAN, encoding="utf-8")
    return p


def test_build_summary_and_outputs(plan, tmp_path):
    out = tmp_path / "out"
    r = run("build", plan, "--out", out)
    assert r.exit_code == 0, r.output
    first = r.output.splitlines()[0]
    assert first.startswith("1 document (1 plan, 0 reports), 2 tasks, 4 unit assignments")
    assert "plan.txt: 2 tasks" in r.output
    for name in ("graph.ttl", "store", "diagnostics.json", "manifest.json"):
        assert (out / name).exists()
    diag = json.loads((out / "diagnostics.json").read_text(encoding="utf-8"))
    assert [v["file"] for v in diag.values()] == ["plan.txt"]


def test_export_csv_stdout_and_file(plan, tmp_path):
    out = tmp_path / "out"
    assert run("build", plan, "--out", out).exit_code == 0
    r = run("export", "--graph", out, "--format", "csv")
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    # read from PLAN: task 1 has two leads and one support, task 2 one lead
    assert [(x["task_number"], x["role"], x["unit_as_written"]) for x in rows] == [
        ("1", "lead", "县委编办"), ("1", "lead", "县司法局"), ("1", "support", "县政府各有关部门"), ("2", "lead", "县行政审批局")]
    assert rows[0]["deadline"] == "2023年年底前" and rows[3]["deadline"] == ""
    assert run("export", "--graph", out, "--format", "xlsx", "--out", tmp_path / "t.xlsx").exit_code == 0
    assert (tmp_path / "t.xlsx").stat().st_size > 0


def test_validate_ok(plan, tmp_path):
    out = tmp_path / "out"
    run("build", plan, "--out", out)
    r = run("validate", "--graph", out)
    assert r.exit_code == 0 and "conforms" in r.output


def test_validate_reports_violations(tmp_path):
    from kg.graph import write_outputs
    from test_graph import hand_corpus

    c = hand_corpus()
    c.documents[1].tasks[0].title = ""
    write_outputs(c, tmp_path / "out")
    r = run("validate", "--graph", tmp_path / "out")
    assert r.exit_code == 1
    assert "Violation: d1.txt task 1 [dcterms:title]: a task must have a title" in r.output
    assert "Traceback" not in r.output


@pytest.mark.parametrize("args, message", [
    (["export", "--graph", "{tmp}/nothing", "--format", "csv"], "not a built graph (no store/)"),
    (["export", "--graph", "{tmp}/out", "--format", "xlsx"], "give --out FILE.xlsx"),
    (["export", "--graph", "{tmp}/out", "--format", "pdf"], "unknown export format 'pdf'"),
    (["validate", "--graph", "{tmp}/nothing"], "not a built graph (no store/)"),
    (["optimize", "{tmp}/nothing"], "not a built graph (no store/)"),
    (["build", "{tmp}/empty.txt", "--out", "{tmp}/o2"], "empty.txt"),
])
def test_one_line_errors(plan, tmp_path, args, message):
    run("build", plan, "--out", tmp_path / "out")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    r = run(*[a.format(tmp=tmp_path) for a in args])
    assert r.exit_code != 0
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], r.output
    assert not (tmp_path / "o2").exists()


def test_optimize_keeps_the_content(plan, tmp_path):
    """kg build --optimize and kg optimize compact the store; its quads and the answers stay."""
    import pyoxigraph as ox

    def quads(out):
        return sorted(str(q) for q in ox.Store.read_only(str(out / "store")))

    plain, compact = tmp_path / "plain", tmp_path / "compact"
    assert run("build", plan, "--out", plain).exit_code == 0
    r = run("build", plan, "--out", compact, "--optimize")
    assert r.exit_code == 0, r.output
    assert quads(plain) == quads(compact) and len(quads(plain)) > 20
    r = run("optimize", plain)
    assert r.exit_code == 0 and "optimized" in r.output, r.output
    assert quads(plain) == quads(compact)
    tasks = run("tasks-of", "县司法局", "--graph", plain)
    assert tasks.exit_code == 0 and "推进政府机构职能优化" in tasks.output, tasks.output


def test_build_refuses_a_foreign_directory(plan, tmp_path):
    d = tmp_path / "docs"
    d.mkdir()
    (d / "keep.txt").write_text("mine")
    r = run("build", plan, "--out", d)
    assert r.exit_code != 0 and "not a built graph" in r.output
    assert (d / "keep.txt").read_text() == "mine"


def test_demo_on_the_corpus(tmp_path, corpus_dir):
    pytest.importorskip("kg.report")
    out = tmp_path / "out"
    r = run("demo", corpus_dir, "--out", out)
    assert r.exit_code == 0, r.output
    assert "001_642e6dbf011a83a5.txt: warning: task numbers absent: 13-18, 37" in r.output
    for name in ("graph.ttl", "responsibilities.csv", "responsibilities.xlsx"):
        assert (out / name).exists() and f"wrote {out / name}" in r.output
    rows = list(csv.DictReader(open(out / "responsibilities.csv", encoding="utf-8-sig")))
    # 000 task 1: （牵头单位：区委编办、区委区政府督察和绩效办，区政管办、区司法局、区发展和改革局、区商务局、
    # 区市场监管局；配合单位：区政府其他有关部门） — line 14 of corpus/000
    t1 = [(x["role"], x["unit_as_written"]) for x in rows if x["document"].startswith("000") and x["task_number"] == "1"]
    assert t1 == [("lead", u) for u in ("区委编办", "区委区政府督察和绩效办", "区政管办", "区司法局", "区发展和改革局",
                                        "区商务局", "区市场监管局")] + [("support", "区政府其他有关部门")]

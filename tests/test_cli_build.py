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
    from kg.build.outputs import write_outputs
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
    pytest.importorskip("kg.parse.report")
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


# ---------------------------------------------------------------------------- issue 19

ROOT = Path(__file__).resolve().parent.parent


def kg_process(*args, **kw):
    """`kg ARGS` in a fresh process running this checkout (arguments may be bytes: not UTF-8)."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "kg.cli", *[a if isinstance(a, bytes) else str(a) for a in args]],
                          capture_output=True, env=env, timeout=300, **kw)


def test_an_empty_unit_name_is_a_diagnostic_of_its_task(tmp_path):
    """配合单位：： (a typo) leaves that unit out, with a warning naming the task; the build goes on."""
    p = tmp_path / "plan.txt"
    p.write_text(PLAN.replace("配合单位：县政府各有关部门", "配合单位：："), encoding="utf-8")
    out = tmp_path / "out"
    r = run("build", p, "--out", out)
    assert r.exit_code == 0, r.output
    assert "plan.txt: warning: task 1 推进政府机构职能优化: the 配合单位 names no unit (配合单位：：)" in r.output
    diag = json.loads((out / "diagnostics.json").read_text(encoding="utf-8"))
    [d] = diag.values()
    assert [x["code"] for x in d["diagnostics"]] == ["empty-unit"]
    rows = list(csv.DictReader(io.StringIO(run("export", "--graph", out, "--format", "csv").stdout)))
    assert [(x["task_number"], x["role"], x["unit_as_written"]) for x in rows] == [
        ("1", "lead", "县委编办"), ("1", "lead", "县司法局"), ("2", "lead", "县行政审批局")]


def test_arguments_that_are_not_utf8_get_one_line(plan, tmp_path):
    out = tmp_path / "out"
    assert run("build", plan, "--out", out).exit_code == 0
    for args in ([b"tasks-of", b"\xff\xfe", b"--graph", str(out).encode()],
                 [b"sparql", b'SELECT * WHERE { ?s ?p "\xff" }', b"--graph", str(out).encode()]):
        r = kg_process(*args)
        err = r.stderr.decode("utf-8").strip().splitlines()
        assert r.returncode == 2 and len(err) == 1, r.stderr
        assert err[0].startswith("error: a name or argument is not valid UTF-8 text") and "unexpected" not in err[0]
    import os

    r = kg_process(b"build", str(plan).encode(), b"--out", os.fsencode(tmp_path) + b"/o\xff")
    err = r.stderr.decode("utf-8").strip().splitlines()
    assert r.returncode == 1 and len(err) == 1 and "path is not valid UTF-8" in err[0], r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "plan.txt"]


def test_piping_into_head_stops_quietly(tmp_path, corpus_dir):
    import subprocess
    import sys

    out = tmp_path / "out"
    assert run("build", corpus_dir, "--out", out).exit_code == 0
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "sparql", "SELECT * WHERE { ?s ?p ?o }", "--graph",
                             str(out), "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=dict(__import__("os").environ, PYTHONPATH=str(ROOT)))
    assert proc.stdout.read(100).startswith(b"[")
    proc.stdout.close()  # what head does once it has its lines
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141 and err == "", err


def test_local_sparql_refuses_service_unless_allowed(plan, tmp_path):
    """SERVICE <url> would make a local query send requests out: refused with one line, no
    request made; --allow-service lets it (the request is made) and a failure is one line too."""
    import socket
    import threading

    out = tmp_path / "out"
    assert run("build", plan, "--out", out).exit_code == 0
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    listener.settimeout(0.2)
    calls = []

    def accept():
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            calls.append(conn.recv(200))
            conn.close()

    stop = threading.Event()
    t = threading.Thread(target=accept, daemon=True)
    t.start()
    try:
        q = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.getsockname()[1]}/sparql> {{ ?s ?p ?o }} }}"
        r = run("sparql", q, "--graph", out)
        assert r.exit_code == 2 and "--allow-service" in r.output and len(r.output.strip().splitlines()) == 1
        assert calls == []
        r = run("sparql", q, "--graph", out, "--allow-service")
        assert r.exit_code == 1 and len(r.output.strip().splitlines()) == 1, r.output
        assert calls and calls[0].startswith(b"POST") or calls[0].startswith(b"GET")
        # ?service, a prefixed name or a string saying SERVICE is no call
        ok = run("sparql", 'SELECT ?service WHERE { ?service ?p "SERVICE" } LIMIT 1', "--graph", out)
        assert ok.exit_code == 0, ok.output
    finally:
        stop.set()
        t.join()
        listener.close()
    import kg

    with pytest.raises(kg.KgError, match="allow-service"):
        kg.Graph.open(out).sparql(q)


def test_workload_top_must_be_a_number(plan, tmp_path):
    import kg

    out = tmp_path / "out"
    assert run("build", plan, "--out", out).exit_code == 0
    g = kg.Graph.open(out)
    with pytest.raises(kg.KgError, match="give a whole number"):
        g.workload(top="10; DROP")
    assert len(g.workload(top="2")) == 2

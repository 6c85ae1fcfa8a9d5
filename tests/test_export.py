"""kg.export.formats and kg.query.table on the hand-built corpus of test_graph (values read from hand_corpus)."""
from __future__ import annotations

import csv
import io
import json

import pytest

from kg.errors import KgError
from test_graph import DG, DGR, hand_corpus

COLUMNS = ["document", "level", "region", "section", "task_number", "task_title", "role", "unit_as_written",
           "unit", "deadline"]


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    from kg.build.outputs import write_outputs

    d = tmp_path_factory.mktemp("x") / "out"
    write_outputs(hand_corpus(), d)
    return d


@pytest.fixture(scope="module")
def store(out):
    from kg.query.store import Store

    return Store.open(out)


def n_triples(store) -> int:
    return len({q.triple for q in store.quads()})


def test_table_rows(store):
    from kg.query.table import COLUMNS as cols, responsibility_rows

    assert list(cols) == COLUMNS
    rows = responsibility_rows(store)
    assert [tuple(r) for r in rows] == [tuple(COLUMNS)] * len(rows)
    c1 = {"document": "c1.txt", "level": "city", "region": "XX市", "section": "一、健全政府机构职能体系",
          "task_number": "1", "task_title": "推行权责清单", "role": "lead", "unit_as_written": "市司法局",
          "unit": "XX市司法局", "deadline": ""}
    d1 = {"document": "d1.txt", "level": "district", "region": "XX市城中区", "section": "（一）健全政府机构职能体系",
          "task_number": "1", "task_title": "全面实行政府权责清单制度", "deadline": "2023年6月底前;2022年年底前"}
    assert rows[0] == c1
    assert rows[1] == dict(d1, role="lead", unit_as_written="区司法局", unit="XX市城中区司法局")
    assert rows[2] == dict(d1, role="support", unit_as_written="区政府各有关部门", unit="区政府各有关部门")
    assert rows[3] == dict(d1, role="responsible", unit_as_written="区委 编办", unit="")
    # a task without units: one row, role and units empty; the report has no tasks
    assert rows[4] == dict(d1, task_number="", task_title="加强法治宣传", role="", unit_as_written="", unit="", deadline="")
    assert len(rows) == 5


def test_table_one_document(store):
    from kg.query.table import responsibility_rows

    rows = responsibility_rows(store, doc=DGR + "doc/c1")
    assert [r["document"] for r in rows] == ["c1.txt"]


def test_csv(out, tmp_path):
    from kg.export.formats import export

    p = export(out, "csv", tmp_path / "t.csv")
    raw = p.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfdocument,")  # a BOM: Excel in a Chinese locale reads UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == COLUMNS and len(rows) == 5
    assert rows[3]["deadline"] == "2023年6月底前;2022年年底前"
    # the scorer reads utf-8-sig: same rows
    assert list(csv.DictReader(open(p, encoding="utf-8-sig"))) == rows


def test_csv_in_chinese(out, tmp_path):
    from kg.export.formats import export

    raw = export(out, "csv", tmp_path / "t.csv", lang="zh").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw)))
    assert rows[0] == ["文件", "层级", "地区", "章节", "任务序号", "任务", "角色", "单位（原文）", "单位", "时限"]
    assert rows[2][1] == "县区级" and [r[6] for r in rows[2:5]] == ["牵头", "配合", "责任"]


def test_xlsx(out, tmp_path):
    """The ledger on the hand corpus (two plans, one report), read back with openpyxl."""
    from openpyxl import load_workbook

    from kg.export.formats import export

    p = export(out, "xlsx", tmp_path / "t.xlsx", on="2023-01-01")
    wb = load_workbook(p)
    assert wb.sheetnames == ["XX市法治政府建设实施方案", "城中区落实方案", "责任分工表"]
    ws = wb["城中区落实方案"]
    vals = [[c.value for c in row] for row in ws.iter_rows()]
    assert vals[0][0] == "城中区落实方案　任务督办台账"
    assert vals[1][0].startswith("地区：XX市城中区　　层级：县区级　　文件：d1.txt　　生成日期：")
    assert vals[1][0].endswith("状态日期：2023-01-01")
    assert vals[2] == ["序号", "任务", "牵头单位", "配合单位", "责任单位", "完成时限", "状态", "说明", "落实证据", "证据来源"]
    # task 1: due 2022-12-31, so overdue on 2023-01-01; r1 (the district's own 2022 report) is evidence
    assert vals[3] == [1, "全面实行政府权责清单制度", "区司法局", "区政府各有关部门", "区委 编办", "2023年6月底前；2022年年底前",
                       "黄", "已逾期，已有落实证据", 1, "城中区2022年法治政府建设情况报告"]
    assert vals[4][:2] == [None, "加强法治宣传"] and vals[4][6:9] == ["绿", "无明确时限", 0]
    units = wb["责任分工表"]
    head = [c.value for c in units[1]]
    assert head == ["文件", "层级", "地区", "章节", "任务序号", "任务", "角色", "单位（原文）", "单位", "时限"]
    assert [[c.value for c in row][4:8] for row in units.iter_rows(min_row=3, max_row=5)] == [
        [1, "全面实行政府权责清单制度", "牵头", "区司法局"], [1, "全面实行政府权责清单制度", "配合", "区政府各有关部门"],
        [1, "全面实行政府权责清单制度", "责任", "区委 编办"]]


def test_xlsx_in_english(out, tmp_path):
    from openpyxl import load_workbook

    from kg.export.formats import export

    wb = load_workbook(export(out, "xlsx", tmp_path / "t.xlsx", on="2023-01-01", lang="en"))
    ws = wb["城中区落实方案"]
    assert [c.value for c in ws[3]][:3] == ["No.", "Task", "Lead units"] and ws["G4"].value == "yellow"
    assert [c.value for c in wb["responsibilities"][1]][:2] == ["document", "level"]


def test_xlsx_same_bytes_every_time(out, tmp_path):
    """openpyxl stamps the save time into the file; the export pins it, so the same graph gives
    the same bytes."""
    import time

    from kg.export.formats import export

    a = export(out, "xlsx", tmp_path / "a.xlsx").read_bytes()
    time.sleep(1.1)
    b = export(out, "xlsx", tmp_path / "b.xlsx").read_bytes()
    assert a == b


def test_xlsx_needs_out(out):
    from kg.export.formats import export

    with pytest.raises(KgError, match="--out"):
        export(out, "xlsx")


def test_unknown_format(out):
    from kg.export.formats import export

    with pytest.raises(KgError, match="unknown export format 'rdf'"):
        export(out, "rdf", "x.rdf")


def test_nt_utf8(out, store, tmp_path):
    from kg.export.formats import export

    p = export(out, "nt", tmp_path / "g.nt")
    text = p.read_text(encoding="utf-8")
    assert '"XX市城中区司法局"@zh' in text  # not \u-escaped
    import pyoxigraph as ox

    assert len(list(ox.parse(path=str(p), format=ox.RdfFormat.N_TRIPLES))) == n_triples(store)


def test_ttl_same_as_graph_ttl(out, tmp_path):
    from kg.export.formats import export

    assert export(out, "ttl", tmp_path / "g.ttl").read_bytes() == (out / "graph.ttl").read_bytes()


def test_trig_named_graphs(out, store, tmp_path):
    import pyoxigraph as ox

    from kg.export.formats import export

    p = export(out, "trig", tmp_path / "g.trig")
    quads = list(ox.parse(path=str(p), format=ox.RdfFormat.TRIG))
    assert {q.graph_name.value for q in quads} == set(store.graphs())
    assert {DGR + "graph/" + g for g in ("c1", "corpus", "d1", "r1")} <= set(store.graphs())
    assert len(quads) == len(store.quads())


def test_jsonld_context(out, store, tmp_path):
    import rdflib

    from kg.export.formats import export

    p = export(out, "jsonld", tmp_path / "g.jsonld")
    doc = json.loads(p.read_text(encoding="utf-8"))
    assert doc["@context"]["dg"] == DG and doc["@context"]["dgr"] == DGR
    ds = rdflib.Dataset()
    ds.parse(p, format="json-ld")
    assert len(ds) == len(store.quads())
    t1 = rdflib.URIRef(DGR + "doc/d1/t/t1")
    assert (t1, rdflib.URIRef(DG + "leadUnit"), rdflib.URIRef(DGR + "org/cz-sifaju")) in ds.quads((t1, None, None, None)) \
        or any(True for _ in ds.quads((t1, rdflib.URIRef(DG + "leadUnit"), rdflib.URIRef(DGR + "org/cz-sifaju"), None)))


def test_graphml(out, tmp_path):
    import networkx as nx

    from kg.export.formats import export

    p = export(out, "graphml", tmp_path / "g.graphml")
    g = nx.read_graphml(p, force_multigraph=True)
    t1, org = DGR + "doc/d1/t/t1", DGR + "org/cz-sifaju"
    assert g.nodes[t1]["label"] == "全面实行政府权责清单制度" and g.nodes[org]["label"] == "XX市城中区司法局"
    assert "dg:Task" in g.nodes[t1]["type"]
    labels = {d["label"] for d in g.get_edge_data(t1, org).values()}
    assert labels == {"dg:leadUnit"}
    # literals are attributes, not nodes
    assert not any(n.startswith('"') for n in g.nodes)


def test_stdout(out, capsysbinary):
    from kg.export.formats import export

    assert export(out, "csv") is None
    got = capsysbinary.readouterr().out
    assert got.startswith(b"\xef\xbb\xbf")  # the same bytes as the file: `kg export -f csv > t.csv` opens in Excel
    assert got.decode("utf-8-sig").splitlines()[0] == ",".join(COLUMNS)


def test_atomic_write_leaves_nothing_on_failure(tmp_path, monkeypatch):
    from kg import atomic as A
    from kg.export import formats as E  # write_atomic lives in kg.atomic and is re-exported here

    target = tmp_path / "t.csv"
    target.write_text("old")

    class Boom(Exception):
        pass

    real = A.os.replace

    def fail(*a):
        raise Boom()

    monkeypatch.setattr(A.os, "replace", fail)
    with pytest.raises(Boom):
        E.write_atomic(target, b"new")
    monkeypatch.setattr(A.os, "replace", real)
    assert target.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]


# ---------------------------------------------------------------------------- one store opener

def test_every_command_opens_a_dataset_file(out, tmp_path):
    """kg.query.store.open_store is the one opener: `kg export -g x.trig` works like `kg tasks-of -g x.trig`,
    and so do the table, ledger, units, docs and validate commands; the answers are the build's."""
    from typer.testing import CliRunner

    from kg.cli import app
    from kg.query.store import Store, open_store

    trig = tmp_path / "x.trig"
    assert CliRunner().invoke(app, ["export", "-g", str(out), "--format", "trig", "--out", str(trig)]).exit_code == 0
    st = open_store(trig)
    assert isinstance(st, Store) and st.path is None and len(st.quads()) == len(open_store(out).quads())
    assert open_store(out / "store").path is None and open_store(out).path == out

    def run(*args):
        r = CliRunner().invoke(app, [*args])
        assert r.exit_code == 0, (args, r.output)
        return r.output

    for fmt in ("csv", "nt", "trig", "jsonld"):
        assert run("export", "-g", str(trig), "--format", fmt) == run("export", "-g", str(out), "--format", fmt), fmt
    assert run("export", "-g", str(trig), "--format", "ttl")
    for args in (["ledger", "-f", "json"], ["units", "-f", "json"], ["docs", "-f", "json"], ["workload", "-f", "json"]):
        assert run(*args, "-g", str(trig)) == run(*args, "-g", str(out)), args
    unit = json.loads(run("workload", "-g", str(trig), "-f", "json"))[0]["unit"]
    assert run("tasks-of", unit, "-g", str(trig), "-f", "json") == run("tasks-of", unit, "-g", str(out), "-f", "json")
    r = CliRunner().invoke(app, ["validate", "-g", str(trig)])
    assert "Traceback" not in r.output and r.exit_code in (0, 1), r.output


def test_store_opener_errors(tmp_path):
    from kg.query.store import open_store

    with pytest.raises(KgError, match="not a built graph"):
        open_store(tmp_path / "missing")
    with pytest.raises(KgError, match=r"not a built graph \(no store/\)"):
        open_store(tmp_path)
    (tmp_path / "bad.trig").write_text("not rdf {", encoding="utf-8")
    with pytest.raises(KgError, match="cannot load"):
        open_store(tmp_path / "bad.trig")

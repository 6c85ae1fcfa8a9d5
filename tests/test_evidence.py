"""Evidence links (kg.link.evidence) and the report commands/queries (kg evidence, kg figures,
queries/report-*.rq), on a crafted plan + report and on the bundled corpus."""
from __future__ import annotations

import json

import pytest

from kg.parse.clean import clean
from kg.link.evidence import link_evidence
from kg.model import Corpus, Document, Section, Source, Task
from kg.parse.report import parse_report

REPORT = """某某县人民政府关于2023年法治政府建设情况的报告

2023年，我县坚持以习近平法治思想为指导，现将有关情况报告如下：
一、2023年法治政府建设主要工作及成效
（一）化解社会矛盾纠纷
深化行政复议体制改革，县司法局受理行政复议案件56件，纠错8件。
（二）推进严格规范公正文明执法
全面推行行政执法公示制度、执法全过程记录制度、重大执法决定法制审核制度。
二、存在的问题
乡镇综合行政执法人员数量不足。
"""


def _plan(region="某某县", period=(2021, 2025)) -> Document:
    src = Source("p.txt", "p.txt", "1" * 64, "txt", "")
    d = Document(id="plan", source=src, kind="plan", title="某某县法治政府建设实施方案", level="district",
                 region=region, period=period)
    d.sections = [Section("s1", "（一）", 2, "健全社会矛盾纠纷行政预防调处化解体系"),
                  Section("s2", "（二）", 2, "健全行政执法工作体系")]
    d.tasks = [
        Task("t1", "1", "持续深化行政复议体制改革", "持续深化行政复议体制改革。整合行政复议职责，提高行政复议案件办理质量和纠错率。", "s1"),
        Task("t2", "2", "全面推行行政执法三项制度", "全面推行行政执法公示制度、执法全过程记录制度、重大执法决定法制审核制度。", "s2"),
        Task("t3", "3", "加强政府信息公开", "推进政务公开标准化规范化，做好政府信息主动公开和依申请公开。", "s2"),
    ]
    return d


def _report() -> Document:
    return parse_report(Source("r.txt", "r.txt", "2" * 64, "txt", REPORT), clean(REPORT))


def _links(corpus):
    return {(e.measure, e.target) for e in corpus.evidence}


def test_measures_link_to_their_tasks_and_themes():
    rep, plan = _report(), _plan()
    c = Corpus(documents=[plan, rep])
    link_evidence(c)
    by_text = {m.text[:6]: f"{rep.id}#{m.id}" for m in rep.measures}
    fy, zf, wt = by_text["深化行政复议"], by_text["全面推行行政"], by_text["乡镇综合行政"]
    links = _links(c)
    assert (fy, "plan#t1") in links and (zf, "plan#t2") in links
    assert (fy, "plan#t2") not in links and (zf, "plan#t1") not in links
    assert not any(t == "plan#t3" for _, t in links)
    assert (fy, "theme:disputes") in links and (zf, "theme:enforcement") in links
    # problems are linked the same way
    assert (wt, "theme:enforcement") in links
    ev = [e for e in c.evidence if e.measure == zf and e.target == "plan#t2"][0]
    assert 0 < ev.score <= 1 and ev.method.endswith(":own")


def test_only_achievements_of_the_right_report_count():
    """Issue 21: a measure is evidence for a task only when its report is the plan's own region's
    (or one of the task's units'), or it names that region or unit, and only an achievement."""
    rep, plan = _report(), _plan()
    c = Corpus(documents=[plan, rep])
    link_evidence(c)
    by_text = {m.text[:6]: f"{rep.id}#{m.id}" for m in rep.measures}
    ev = {(e.measure, e.target): e for e in c.evidence}
    # 某某县's own report on 某某县's plan: its achievements count
    assert ev[(by_text["深化行政复议"], "plan#t1")].counts and ev[(by_text["全面推行行政"], "plan#t2")].counts
    assert all(e.counts for e in c.evidence if e.target.startswith("theme:"))
    # a problem (二、存在的问题) matching a task is related, never evidence
    problems = [e for e in c.evidence if e.measure == by_text["乡镇综合行政"] and not e.target.startswith("theme:")]
    assert problems and not any(e.counts for e in problems)
    # the same report on a neighbour's plan: related only
    other = Corpus(documents=[_plan(region="某某市某乙县"), _report()])
    other.documents[1].region = "某某市某甲县"
    link_evidence(other)
    tasks = [e for e in other.evidence if not e.target.startswith("theme:")]
    assert tasks and not any(e.counts for e in tasks)
    # ... unless the measure names the plan's region (某乙县) — as 003 names 城中区
    text = REPORT.replace("深化行政复议体制改革，县司法局", "某乙县深化行政复议体制改革，县司法局")
    named = parse_report(Source("r.txt", "r.txt", "2" * 64, "txt", text), clean(text))
    named.region = "某某市某甲县"
    c = Corpus(documents=[_plan(region="某某市某乙县"), named])
    link_evidence(c)
    counted = {(e.measure.split("#")[1], e.target) for e in c.evidence if e.counts and not e.target.startswith("theme:")}
    m1 = next(m.id for m in named.measures if m.text.startswith("某乙县"))
    assert counted == {(m1, "plan#t1")}


def test_region_names():
    from kg.link.evidence import region_names

    assert region_names("柳州市城中区") == ("柳州市城中区", "城中区")
    assert region_names("柳州市") == ("柳州市",)
    assert region_names("广西壮族自治区") == ("广西壮族自治区", "广西")
    assert region_names(None) == ()


def test_plan_of_another_period_is_skipped_and_region_weighs():
    rep = _report()
    c = Corpus(documents=[_plan(period=(2016, 2020)), rep])
    link_evidence(c)
    assert not any(not e.target.startswith("theme:") for e in c.evidence)
    own, other = Corpus(documents=[_plan(), _report()]), Corpus(documents=[_plan(region="别的省"), _report()])
    link_evidence(own)
    link_evidence(other)
    s_own = {(e.measure, e.target): e.score for e in own.evidence}
    s_other = {(e.measure, e.target): e.score for e in other.evidence}
    for k, v in s_other.items():
        if not k[1].startswith("theme:"):
            assert v < s_own[k]
            assert [e.method for e in other.evidence if (e.measure, e.target) == k][0].endswith(":other")


def test_deterministic():
    a, b = Corpus(documents=[_plan(), _report()]), Corpus(documents=[_plan(), _report()])
    link_evidence(a)
    link_evidence(b)
    assert a.evidence == b.evidence


# ---------------------------------------------------------------- the bundled corpus, built

@pytest.fixture(scope="module")
def built(tmp_path_factory, corpus_dir):
    from kg.build.pipeline import build

    out = tmp_path_factory.mktemp("g") / "out"
    res = build([corpus_dir], out)
    return res, out


def test_corpus_evidence(built):
    res, _ = built
    c = res.corpus
    docs = {d.id: d for d in c.documents}
    rep003 = next(d for d in c.documents if d.id.startswith("003"))
    plan000 = next(d for d in c.documents if d.id.startswith("000"))
    # 全市受理行政复议案件463件 … reports on 000's task 24 持续深化行政复议体制改革
    m = next(m for m in rep003.measures if "受理行政复议案件463件" in m.text)
    t24 = next(t for t in plan000.tasks if t.number == "24")
    assert t24.title == "持续深化行政复议体制改革"
    assert (f"{rep003.id}#{m.id}", f"{plan000.id}#t24") in _links(c)
    # every measure of a themed section reports on that theme
    for d in docs.values():
        if d.kind != "report":
            continue
        for mm in d.measures:
            th = d.section_themes.get(mm.section)
            if th:
                assert (f"{d.id}#{mm.id}", f"theme:{th}") in _links(c)


def _run(*args):
    from typer.testing import CliRunner

    from kg.cli import app

    return CliRunner().invoke(app, list(args))


def test_cli_figures_json(built):
    _, out = built
    r = _run("figures", "--graph", str(out), "--doc", "002", "--format", "json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert rows and all({"document", "value", "unit", "counted", "text"} <= set(x) for x in rows)
    hit = [x for x in rows if x["value"] == 177 and x["unit"] == "件"]
    assert hit and "新收行政复议申请" in hit[0]["counted"] and hit[0]["document"].startswith("002")
    assert all(x["document"].startswith("002") for x in rows)
    r = _run("figures", "--graph", str(out), "--theme", "disputes", "--format", "json")
    rows = json.loads(r.output)
    assert rows and all("disputes" in x["themes"].split() for x in rows)
    assert any(x["value"] == 99.9 for x in rows)  # 调解成功率99.9%
    r = _run("figures", "--graph", str(out), "--format", "csv")
    assert r.output.splitlines()[0].startswith("document,value,unit,counted")


def test_cli_evidence(built):
    _, out = built
    r = _run("evidence", "000#24", "--graph", str(out), "--format", "json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert any("463件" in x["measure_text"] and x["report"].startswith("003") and x["counts"] is False
               for x in rows)  # related, not evidence: the city's own figures
    assert rows == sorted(rows, key=lambda x: (not x["counts"], -x["score"]))
    r = _run("evidence", "000#4", "--graph", str(out), "--format", "json")
    rows = json.loads(r.output)
    assert rows[0]["counts"] is True and rows[0]["measure_text"].startswith("城中区建成并启用广西首批“办不成事”反映窗口")
    assert [x["counts"] for x in rows].count(True) == 1


def test_cli_errors_are_one_line(built):
    _, out = built
    for args in (("evidence", "000#999", "--graph", str(out)), ("figures", "--graph", str(out), "--theme", "nope"),
                 ("figures", "--graph", str(out), "--doc", "999")):
        r = _run(*args)
        assert r.exit_code != 0
        assert "Traceback" not in r.output


def test_queries(built):
    from kg.query.api import Graph

    _, out = built
    g = Graph.open(out)
    plan = g.resolve_doc("000")
    gaps24 = g.query("report-gaps", doc=plan, year=2024)
    gaps21 = g.query("report-gaps", doc=plan, year=2021)
    gaps_any = g.query("report-gaps", doc=plan)
    numbers = lambda rows: {r["task_number"] for r in rows}
    # 003 (the city's 2021 report) matches task 24 with its own 行政复议 figures, but the city's work
    # is not 城中区's: still a gap. Its 城中区建成并启用…“办不成事”反映窗口 counts for task 4
    # (着重整治政务服务推诿扯皮等问题), the only measure of the bundled reports that names 城中区
    assert "24" in numbers(gaps21) and "4" not in numbers(gaps21)
    assert numbers(gaps_any) <= numbers(gaps21) and numbers(gaps_any) <= numbers(gaps24)
    assert len(gaps_any) == 46 and "4" in numbers(gaps24)
    rows = g.query("report-unit", label="柳州市行政审批局")
    assert rows and {r["via"] for r in rows} >= {"report"} and all(r["report"].startswith("004") for r in rows
                                                                     if r["via"] == "report")
    assert not g.query("report-unit", label="柳州市行政审批局", year=2024)
    rows = g.query("report-unit", label="市公安局")
    assert any(r["via"] == "mention" and r["report"].startswith("003") for r in rows)

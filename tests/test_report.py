"""Annual reports (kg.parse.report): detection, metadata, typed and themed sections, measures, on the
seed reports 002-004 and on a crafted report from another region. The section -> type/theme
tables below were checked by eye against the section titles and texts."""
from __future__ import annotations

import pytest

from kg.parse.clean import clean
from kg.model import Source
from kg.parse.report import find_units, is_report, parse_report, section_type


@pytest.fixture(scope="module")
def reports(seed_path):
    from kg.build.pipeline import parse_file

    return {p: parse_file(str(seed_path(p))) for p in ("002", "003", "004")}


def test_detection(seed_text):
    for p in ("002", "003", "004"):
        assert is_report(clean(seed_text(p)).text), p
    for p in ("000", "001"):
        assert not is_report(clean(seed_text(p)).text), p


@pytest.mark.parametrize("key,title,year,body,region,level", [
    ("002", "柳江区2024年度法治政府建设工作报告", 2024, "柳州市柳江区人民政府", "柳州市柳江区", "district"),
    ("003", "柳州市2021年度法治政府建设情况报告", 2021, "柳州市人民政府", "柳州市", "city"),
    ("004", "柳州市行政审批局关于2021年度法治政府建设情况的报告", 2021, "柳州市行政审批局", "柳州市", "department"),
])
def test_metadata(reports, key, title, year, body, region, level):
    d = reports[key]
    assert d.kind == "report"
    assert (d.title, d.year, d.reporting_body, d.region, d.level) == (title, year, body, region, level)


# section id -> (title start, type, theme); None: a part of the report whose sections carry themes.
SECTIONS = {
    "002": {
        "s1": ("2024年度推进法治政府建设的主要举措和成效", "achievements", None),
        "s1-1": ("强化引领", "achievements", "leadership"),
        "s1-2": ("深化改革、规范检查，法治化营商环境", "achievements", "functions"),
        "s1-2-2": ("涉企行政执法行为更加规范", "achievements", "functions"),
        "s1-3": ("规范执法、强化监督", "achievements", "enforcement"),
        "s1-3-1": ("乡镇综合执法规范化水平持续提升", "achievements", "enforcement"),
        "s1-3-2": ("强化行政执法监督规范执法行为", "achievements", "enforcement"),
        "s1-4": ("健全行政决策制度体系", "achievements", "decisions"),
        "s1-5": ("完善机制、多元化解", "achievements", "disputes"),
        "s1-6": ("监督制约、依法履职", "achievements", "oversight"),
        "s2": ("推进法治政府建设存在的不足和原因", "problems", ...),
        "s3": ("2025年度推进法治政府建设的主要安排", "plans", None),
        "s3-1": ("完善法治政府制度建设", "plans", "rules"),
        "s3-2": ("深入转变政府职能", "plans", "functions"),
        "s3-3": ("加强行政执法协调监督", "plans", "enforcement"),
        "s3-4": ("加强执法重点工作", "plans", "enforcement"),
        "s3-5": ("持续深化法治宣传教育", "plans", "leadership"),
    },
    "003": {
        "s1": ("主要做法和成效", "achievements", None),
        "s1-1": ("凝聚法治共识", "achievements", "leadership"),
        "s1-2": ("深化“放管服”改革", "achievements", "functions"),
        "s1-3": ("“良法”引领“善治”", "achievements", "rules"),
        "s1-4": ("坚持数字赋能", "achievements", "digital"),
        "s1-5": ("健全行政执法机制", "achievements", "enforcement"),
        "s1-6": ("依法化解矛盾纠纷", "achievements", "disputes"),
        "s1-7": ("抓好法治宣传教育", "achievements", "leadership"),
        "s2": ("存在问题", "problems", "enforcement"),
        "s3": ("下一步工作打算", "plans", ...),
    },
    "004": {
        "s1": ("2021年推进法治政府建设主要举措和成效", "achievements", None),
        "s1-1": ("深入学习贯彻习近平法治思想情况", "achievements", "thought"),
        "s1-2": ("依法全面履行政府职能", "achievements", "functions"),
        "s1-2-1": ("动态调整权责清单", "achievements", "functions"),
        "s1-2-2": ("深化行政审批制度改革", "achievements", "functions"),
        "s1-3": ("完善依法行政制度体系", "achievements", "rules"),
        "s1-3-1": ("积极配合立法工作", "achievements", "rules"),
        "s1-3-2": ("加强行政规范性文件管理", "achievements", "rules"),
        "s1-4": ("推进行政决策科学化", "achievements", "decisions"),
        "s1-4-1": ("坚持科学民主依法决策", "achievements", "decisions"),
        "s1-4-2": ("落实法律顾问制度", "achievements", "decisions"),
        "s1-5": ("坚持严格规范公正文明执法", "achievements", "enforcement"),
        "s1-5-1": ("强化行政执法制度建设和创新", "achievements", "enforcement"),
        "s1-5-2": ("加强行政执法队伍建设", "achievements", "enforcement"),
        "s1-6": ("强化对行政权力的制约和监督", "achievements", "oversight"),
        "s1-6-1": ("畅通投诉、咨询渠道", "achievements", "oversight"),
        "s1-6-2": ("全面推进政务公开", "achievements", "oversight"),
        "s1-7": ("依法有效化解社会矛盾纠纷", "achievements", "disputes"),
        "s1-8": ("全面提高政府工作人员法治思维", "achievements", "leadership"),
        "s1-9": ("落实“谁执法谁普法", "achievements", "leadership"),
        "s2": ("存在问题和原因", "problems", "functions"),
        "s3": ("党政主要负责人履行推进法治建设第一责任人职责", "leadership", "leadership"),
        "s4": ("2022年工作思路", "plans", ...),
        "s4-1": ("积极做好政务服务各项工作", "plans", "functions"),
        "s4-2": ("严格落实政务公开", "plans", "oversight"),
        "s4-3": ("切实加强行政执法队伍建设", "plans", "enforcement"),
    },
}


@pytest.mark.parametrize("key", ["002", "003", "004"])
def test_sections_typed_and_themed(reports, key):
    d = reports[key]
    secs = {s.id: s for s in d.sections}
    for sid, (title, kind, theme) in SECTIONS[key].items():
        assert sid in secs, (key, sid)
        assert secs[sid].title.startswith(title), (key, sid, secs[sid].title)
        assert d.section_types.get(sid) == kind, (key, sid)
        if theme is not ...:
            assert d.section_themes.get(sid) == theme, (key, sid, secs[sid].title)
    # every section with text of its own, below the top level, has a theme
    for s in d.sections:
        if s.depth > 1:
            assert s.id in d.section_themes, (key, s.id, s.title)


def test_measures(reports):
    d = reports["003"]
    assert len(d.measures) > 20
    assert all(m.section for m in d.measures)
    text = d.source.text
    for m in d.measures:
        s, e = m.span
        assert text[s:e].replace("\n", "")[:10] == m.text[:10]
    police = [m for m in d.measures if "市公安局成立局执法监督管理委员会" in m.text]
    assert police and any(u.text == "市公安局" and u.role == "responsible" for u in police[0].units)
    # problems and plans are measures too, in their sections
    assert any(d.section_types[m.section] == "problems" for m in d.measures)
    assert any(d.section_types[m.section] == "plans" for m in d.measures)


def test_enumerations_split(reports):
    d = reports["004"]
    starts = [m.text[:2] for m in d.measures]
    for n in "一二三四五":
        assert f"{n}是" in starts


def test_section_type_words():
    assert section_type("存在的不足和原因") == "problems"
    assert section_type("下一步工作打算") == "plans"
    assert section_type("2025年工作计划") == "plans"
    assert section_type("党政主要负责人履行推进法治建设第一责任人职责情况") == "leadership"
    assert section_type("主要举措和成效") == "achievements"


def test_find_units():
    assert find_units("市司法局、市人力资源社会保障局等六个单位联合制定") == ["市司法局", "市人力资源社会保障局"]
    assert "区人大" in find_units("自觉接受区人大及其常委会、区政协监督")


CRAFTED = """某某县人民政府关于2023年法治政府建设情况的报告

2023年，我县坚持以习近平法治思想为指导，现将有关情况报告如下：
一、2023年法治政府建设主要工作及成效
（一）全面履行政府职能
深化“放管服”改革，政务服务事项网上可办率达98%。县市场监管局办理许可证件1,234件。
（二）推进严格规范公正文明执法
开展行政执法案卷评查，评查案卷120卷。县司法局培训执法人员约3000人次。
二、存在的问题
执法人员不足，专业素质有待提高。
三、2024年工作计划
（一）加强行政复议工作
推进行政复议体制改革，提高行政复议案件办理质量。
四、党政主要负责人履行推进法治建设第一责任人职责情况
县长带头学法，全年主持召开县政府常务会议专题学法4次。
"""


def test_crafted_report_other_region():
    ct = clean(CRAFTED)
    assert is_report(ct.text)
    d = parse_report(Source("x/r.txt", "r.txt", "0" * 64, "txt", CRAFTED), ct)
    assert (d.year, d.reporting_body, d.region, d.level) == (2023, "某某县人民政府", "某某县", "district")
    got = {s.id: (d.section_types.get(s.id), d.section_themes.get(s.id)) for s in d.sections}
    assert got == {"s1": ("achievements", None), "s1-1": ("achievements", "functions"),
                   "s1-2": ("achievements", "enforcement"), "s2": ("problems", "enforcement"),
                   "s3": ("plans", None), "s3-1": ("plans", "disputes"), "s4": ("leadership", "leadership")}
    figs = [(f.value, f.unit) for m in d.measures for f in m.figures]
    assert figs == [(98, "%"), (1234, "件"), (120, "卷"), (3000, "人次"), (4, "次")]
    assert [u.text for m in d.measures for u in m.units] == ["县市场监管局", "县司法局"]


def test_unnumbered_part_heading():
    # blank lines around the unnumbered headings, as in 004 (a single line break between two
    # Chinese lines is joined by kg.parse.clean)
    text = ("某某市司法局2022年法治政府建设情况报告\n一、主要工作和成效\n（一）推进行政执法\n开展执法培训3期。\n\n"
            "存在的问题和不足\n\n执法力量不足。\n\n下一步工作计划\n\n加强执法队伍建设。\n")
    d = parse_report(Source("r.txt", "r.txt", "0" * 64, "txt", text), clean(text))
    assert d.level == "department" and d.reporting_body == "某某市司法局" and d.region == "某某市"
    assert [(s.id, d.section_types.get(s.id)) for s in d.sections] == [
        ("s1", "achievements"), ("s1-1", "achievements"), ("s2", "problems"), ("s3", "plans")]


def test_empty_report_is_an_error():
    from kg.errors import KgError

    with pytest.raises(KgError):
        parse_report(Source("r.txt", "r.txt", "0", "txt", ""), clean(""))

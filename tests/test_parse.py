"""The plan parser on the two bundled plans; expected values read off the documents by eye."""
from pathlib import Path

import pytest

from kg.parse.clean import clean
from kg.model import Source
from kg.parse.plan import parse_plan
from kg.read.files import read_file

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def _doc(prefix):
    src = read_file(next(CORPUS.glob(prefix + "_*.txt")))
    return parse_plan(src, clean(src.text))


@pytest.fixture(scope="module")
def d000():
    return _doc("000")


@pytest.fixture(scope="module")
def d001():
    return _doc("001")


def task(doc, number=None, title=None):
    for t in doc.tasks:
        if (number is not None and t.number == str(number)) or (title is not None and t.title == title):
            return t
    raise AssertionError(f"no task {number} {title}")


def units(t, role):
    return [u.text for u in t.units if u.role == role]


# ---------------------------------------------------------------- seed 000 (clean district plan)

def test_000_document(d000):
    assert d000.id == "000_b7f676789088e75d"
    assert d000.title == "柳州市城中区贯彻执行《柳州市落实〈广西法治政府建设实施方案(2021-2025年)〉工作方案》的方案(征求意见稿)"
    assert (d000.level, d000.region, d000.period) == ("district", "柳州市城中区", (2021, 2025))


def test_000_parents(d000):
    got = [(p.title, p.relation, p.words) for p in d000.parents]
    assert got == [
        ("广西法治政府建设实施方案(2021-2025年)", "applies", "为确保…得到落实"),
        ("〈法治政府建设实施纲要(2021-2025年)〉重要举措分工方案", "based_on", "根据"),
        ("〈广西法治政府建设实施方案(2021-2025年)〉责任分工方案", "based_on", "根据"),
        ("柳州市落实〈广西法治政府建设实施方案(2021-2025年)〉工作方案", "based_on", "根据"),
    ]


def test_000_sections(d000):
    top = [(s.number, s.title) for s in d000.sections if s.depth == 1]
    assert top == [("一、", "总体目标"), ("二、", "工作任务"), ("三、", "加强组织保障")]
    assert [s.number for s in d000.sections if s.depth == 2][:2] == ["（一）", "（二）"]  # as printed
    second = [s.title for s in d000.sections if s.depth == 2]
    assert len(second) == 9 and second[0] == "健全政府机构职能体系" and second[-1] == "推动法治政府建设率先突破"


def test_000_tasks(d000):
    assert [t.number for t in d000.tasks] == [str(n) for n in range(1, 48)]
    t1 = task(d000, 1)
    assert t1.title == "全面实行政府权责清单制度"
    assert units(t1, "lead") == ["区委编办", "区委区政府督察和绩效办", "区政管办", "区司法局", "区发展和改革局",
                                 "区商务局", "区市场监管局"]
    assert units(t1, "support") == ["区政府其他有关部门"]
    assert "牵头单位" not in t1.text
    assert [s.id for s in d000.sections if s.id == t1.section] == ["s2-1"]
    assert task(d000, 44).section == "s3"


def test_000_unit_forms(d000):
    # 按职责分工负责 kept as a qualifier, not in the unit
    t16 = task(d000, 16)
    assert units(t16, "lead")[-1] == "区教育局" and t16.units[0].qualifier == "按职责分工负责"
    # a unit list broken over a line (市公安局城中分局\n、区人防办)
    assert units(task(d000, 19), "lead")[-2:] == ["市公安局城中分局", "区人防办"]
    # a coordination kept as written, resolved into parts
    sup = [u for u in task(d000, 32).units if u.role == "support"]
    assert [u.text for u in sup] == ["教育、卫生健康、环境保护、公共交通主管部门"]
    assert sup[0].parts == ["教育主管部门", "卫生健康主管部门", "环境保护主管部门", "公共交通主管部门"]
    # ［…］ brackets with a bracket inside a unit
    assert units(task(d000, 44), "lead") == ["区委办公室", "区政府办公室", "区委依法治区办", "区各党委(党组)",
                                             "区法治建设议事协调机构"]
    # the unit line in a paragraph of its own
    assert units(task(d000, 42), "support") == ["区优化营商环境工作领导小组各成员单位"]
    # no role but lead
    assert units(task(d000, 29), "lead") == ["区纪委监委机关", "区委组织部"] and not units(task(d000, 29), "support")


def test_000_deadlines_and_recurrences(d000):
    got = {t.number: [(d.raw, d.date) for d in t.deadlines] for t in d000.tasks if t.deadlines}
    assert got == {
        "1": [("2022年年底前", "2022-12-31")],
        "3": [("2022年年底前", "2022-12-31")],
        "24": [("2022年年底前", "2022-12-31")],
        "31": [("2024年年底前", "2024-12-31")],
        "34": [("2022年年底前", "2022-12-31"), ("2023年年底前", "2023-12-31")],
        "45": [("2025年前", "2025-12-31")],
    }
    assert [(r.frequency, r.quantity) for r in task(d000, 45).recurrences] == [("P2Y", "一次")]
    assert [(r.frequency, r.quantity) for r in task(d000, 36).recurrences] == [("P1Y", "不少于60学时")]
    assert [(r.frequency, r.quantity) for r in task(d000, 37).recurrences] == [("P1Y", "两期以上")]


def test_000_spans_point_into_the_source(d000):
    text = d000.source.text
    t24 = task(d000, 24)
    s, e = t24.deadlines[0].span
    assert text[s:e] == "2022 年年底前"
    u = t24.units[0]
    assert text[u.span[0]:u.span[1]] == "区委编办"
    assert text[t24.span[0]:t24.span[0] + 3] == "24．"


def test_000_has_no_warnings(d000):
    assert [d for d in d000.diagnostics if d.severity != "info"] == []


# ---------------------------------------------------------------- seed 001 (scraped preview)

def test_001_document(d001):
    assert d001.title == "XX市法治政府建设实施方案(2022-2025年)"
    assert (d001.level, d001.region, d001.period) == ("city", "XX市", (2022, 2025))
    assert [(p.title, p.relation, p.words) for p in d001.parents] == [
        ("法治政府建设实施纲要(2021-2025年)", "applies", "贯彻落实"),
        ("广西法治政府建设实施方案(2021-2025年)", "applies", "贯彻落实"),
    ]
    assert [p.level for p in d001.parents] == ["national", "province"]


def test_001_tasks_listed_by_number(d001):
    nums = [t.number for t in d001.tasks]
    assert len(d001.tasks) == 47
    assert nums[:12] == [str(n) for n in range(1, 13)]
    assert nums.count(None) == 2
    assert "13" not in nums and "37" not in nums
    unnumbered = [t.title for t in d001.tasks if t.number is None]
    assert unnumbered == ["持续深化行政复议体制改革", "加快推进政务诚信建设"]
    # the unnumbered task stands after task 27, where the text puts it
    assert nums[nums.index("27") + 1] is None


def test_001_units_across_pages(d001):
    # 牵头单位:市司\n4、法局 — a page marker inside a word
    assert units(task(d001, 19), "lead") == ["市司法局"]
    # 各县(\n19、市、区)人民政府 — a page marker inside the brackets
    assert units(task(d001, 1), "support") == ["市政府各委办局", "各县(市、区)人民政府"]
    # a unit list running into the next heading with no closing bracket
    assert units(task(d001, 29), "support") == ["市政府其他委办局", "各县(市、区)人民政府"]
    # a unit list running into the closing paragraph
    assert units(task(d001, 53), "support")[-1] == "市政府有关委办局"
    assert "XX师范学院" in units(task(d001, 53), "support")
    # 责任单位 with 等部门按职责分工负责
    t20 = task(d001, 20)
    assert units(t20, "responsible")[-1] == "XX银保监分局" and t20.units[0].qualifier == "等部门按职责分工负责"
    # a coordination with its parts
    u = [x for x in task(d001, 10).units if x.text == "各县(市、区)人大常委会和人民政府"][0]
    assert u.parts == ["各县(市、区)人大常委会", "各县(市、区)人民政府"]


def test_001_unit_lines_placed_back(d001):
    t3 = task(d001, 3)
    assert units(t3, "lead") == ["市委编办", "市委组织部"]
    assert units(t3, "support") == ["各县(市、区)党委和人民政府"]
    credit = task(d001, title="加快推进政务诚信建设")
    assert units(credit, "lead") == ["市发展改革委", "市政府办公室", "人民银行XX市中心支行"]
    assert "政务诚信监测治理机制" in credit.text and "政务诚信监测治理机制" not in t3.text
    review = task(d001, title="持续深化行政复议体制改革")
    assert [(d.raw, d.date) for d in review.deadlines] == [("2022年年底前", "2022-12-31")]


def test_001_diagnostics(d001):
    by_code = {}
    for d in d001.diagnostics:
        by_code.setdefault(d.code, []).append(d.message)
    assert by_code["numbers-absent"] == ["task numbers absent: 13-18, 37"]
    assert any("12" in m and "牢固树立依法决策意识" in m for m in by_code["task-without-units"])
    assert len(by_code["fragment-placed"]) == 2
    # task 18's unit line survives without its heading
    assert len(by_code["fragment-left-over"]) == 1 and "市司法局" in by_code["fragment-left-over"][0]
    assert any("36" in m for m in by_code["number-lost"])
    assert by_code["task-text-unfinished"]


def test_slug_for_a_non_ascii_file_name():
    src = Source(path="x", name="某县方案.txt", sha256="0", format="txt", text="某县方案\n一、任务\n1．推进工作。（牵头单位：县司法局）\n")
    doc = parse_plan(src, clean(src.text))
    assert doc.id.startswith("doc-") and doc.id.isascii()
    assert units(doc.tasks[0], "lead") == ["县司法局"]


def test_001_sections_put_back_in_number_order(d001):
    # the (四) heading was lost with tasks 13-18; (A) is an OCR'd (八); (五)-(七) stand after
    # 一、总体要求 in the scrape only because the pages are shuffled
    mid = [(s.number, s.title) for s in d001.sections if s.depth == 2]
    assert [n for n, _ in mid] == ["(一)", "(二)", "(三)", "(四)", "(五)", "(六)", "(七)", "(八)", "(九)",
                                   "(十)", "(十一)", "(十二)"]
    assert mid[3] == ("(四)", "") and mid[7] == ("(八)", "健全法治政府建设科技保障体系")
    top = {s.id: s.title for s in d001.sections if s.depth == 1}
    assert list(top.values()) == ["总体要求", "主要任务和具体措施", "加强组织保障"]
    sec = {s.id: s for s in d001.sections}

    def where(task_):
        s = sec[task_.section]
        return s.number, top[s.parent]

    assert where(task(d001, 19)) == ("(四)", "主要任务和具体措施")
    assert where(task(d001, 20)) == ("(四)", "主要任务和具体措施")
    assert where(task(d001, 12)) == ("(三)", "主要任务和具体措施")
    assert where(task(d001, 4)) == ("(一)", "主要任务和具体措施")
    assert where(task(d001, 25)) == ("(六)", "主要任务和具体措施")
    assert where(task(d001, 38)) == ("(八)", "主要任务和具体措施")
    assert where(task(d001, 43)) == ("(十)", "加强组织保障")
    assert where(task(d001, title="持续深化行政复议体制改革"))[0] == "(六)"
    codes = {d.code: d.message for d in d001.diagnostics}
    assert "(四)" in codes["section-heading-absent"]
    assert "(A)" in codes["section-number-read"] and "(八)" in codes["section-number-read"]


def test_001_unprinted_number_is_not_a_number(d001):
    credit = task(d001, title="加快推进政务诚信建设")
    assert credit.number is None and credit.inferred_number == "36"
    assert task(d001, title="持续深化行政复议体制改革").inferred_number is None  # 28 is printed
    assert any("probably 36" in d.message for d in d001.diagnostics if d.code == "number-lost")

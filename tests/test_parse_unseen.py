"""The plan parser on whole plans written for these tests (tests/data/plans/), from imagined
regions and levels, in layouts the seeds do not use.  Every expected value below was read off
the document text by hand."""
from pathlib import Path

import pytest

from kg.parse.clean import clean
from kg.model import Source
from kg.parse.plan import parse_plan
from kg.read.files import read_file

PLANS = Path(__file__).parent / "data" / "plans"


def parse_text(text: str, name: str = "plan.txt"):
    src = Source(path=name, name=name, sha256="0" * 64, format="txt", text=text)
    return parse_plan(src, clean(text))


def parse_file(path):
    src = read_file(str(path))
    return parse_plan(src, clean(src.text))


def roles(task):
    return [(u.role, u.text) for u in task.units]


def by_number(doc):
    return {t.number: t for t in doc.tasks}


def section_of(doc, task):
    return next(s for s in doc.sections if s.id == task.section)


def codes(doc):
    return {d.code for d in doc.diagnostics}


# ------------------------------------------------------------ county: (一) tasks, 责任单位 line
def test_county_tasks_numbered_at_second_level_with_unit_lines():
    doc = parse_file(PLANS / "county_qingchuan.txt")
    assert doc.title == "青川县法治政府建设实施方案(2021—2025年)"
    assert (doc.level, doc.region, doc.period) == ("district", "青川县", (2021, 2025))
    assert [p.title for p in doc.parents] == ["法治政府建设实施纲要(2021-2025年)", "四川省法治政府建设实施方案(2021—2025年)"]
    assert [t.number for t in doc.tasks] == [str(n) for n in range(1, 11)]
    assert [t.title for t in doc.tasks] == [
        "推进政府机构职能优化协同高效", "深入推进“放管服”改革", "持续优化法治化营商环境", "加强规范性文件制定监督管理",
        "健全依法决策机制", "深化行政执法体制改革", "加大重点领域执法力度", "完善行政执法程序", "加强党的领导", "加强督察考核"]
    t = by_number(doc)
    assert roles(t["1"]) == [("responsible", "县委编办"), ("responsible", "县司法局"), ("responsible", "各乡镇人民政府")]
    assert t["1"].units[-1].qualifier == "按职责分工负责"
    assert roles(t["2"]) == [("responsible", "县行政审批局"), ("responsible", "县发展改革局")]
    assert roles(t["4"]) == [("responsible", "县司法局"), ("responsible", "县政府各部门")]
    assert [u.text for u in t["7"].units] == ["县市场监管局", "县生态环境局", "县应急管理局"]
    assert roles(t["9"]) == [("responsible", "各乡镇党委"), ("responsible", "县级各部门党组(党委)")]
    assert [(d.raw, d.date) for d in t["1"].deadlines] == [("2022年年底前", "2022-12-31")]
    assert [(d.raw, d.date) for d in t["4"].deadlines] == [("2023年6月底前", "2023-06-30")]
    assert [(d.raw, d.date) for d in t["6"].deadlines] == [("2025年前", "2025-12-31")]
    assert [(r.frequency, r.quantity) for r in t["3"].recurrences] == [("P1Y", "不少于1次")]
    assert [r.frequency for r in t["10"].recurrences] == ["P2Y"]
    assert [(s.number, s.title) for s in doc.sections] == [
        ("一、", "健全政府机构职能体系"), ("二、", "健全依法行政制度体系"), ("三、", "健全行政执法工作体系"), ("四、", "加强组织保障")]
    assert [section_of(doc, t[n]).number for n in ("1", "3", "4", "5", "6", "8", "9", "10")] == \
        ["一、", "一、", "二、", "二、", "三、", "三、", "四、", "四、"]
    assert "责任单位" not in t["1"].text
    assert not {"task-without-units", "numbers-absent", "fragment-left-over"} & codes(doc)


# ------------------------------------------------------------ province: ［牵头单位：…；协办单位：…］
def test_province_square_brackets_and_co_organisers():
    doc = parse_file(PLANS / "province_gansu.txt")
    assert doc.title == "甘肃省法治政府建设实施方案(2021-2025年)"
    assert (doc.level, doc.region, doc.period) == ("province", "甘肃省", (2021, 2025))
    assert [(p.title, p.relation) for p in doc.parents] == [("法治政府建设实施纲要(2021-2025年)", "based_on")]
    assert [t.number for t in doc.tasks] == [str(n) for n in range(1, 13)]
    t = by_number(doc)
    assert roles(t["1"]) == [("lead", "省委编办"), ("support", "省司法厅"), ("support", "省财政厅")]
    assert roles(t["2"]) == [("lead", "省政府办公厅"), ("lead", "省政务服务中心"),
                             ("support", "省直各部门"), ("support", "各市(州)人民政府")]
    assert roles(t["3"]) == [("lead", "省发展改革委"), ("support", "人民银行兰州中心支行")]
    assert t["2"].units[2].label == "协办单位"
    assert roles(t["8"]) == [("lead", "省司法厅")]
    assert roles(t["12"]) == [("lead", "省委组织部"), ("lead", "省委依法治省办")]
    assert [d.raw for d in t["2"].deadlines] == ["2022年年底前"]
    assert [d.date for d in t["8"].deadlines] == ["2024-06-30"]
    assert [(r.frequency, r.quantity) for r in t["7"].recurrences] == [("P1Y", "不少于60学时")]
    assert [r.frequency for r in t["9"].recurrences] == ["P3Y"]
    top = [(s.number, s.title) for s in doc.sections if s.depth == 1]
    assert top == [("一、", "总体要求"), ("二、", "主要任务"), ("三、", "组织保障")]
    assert [section_of(doc, t[n]).title for n in ("1", "4", "6", "9", "11")] == [
        "健全政府机构职能体系", "健全依法行政制度体系", "健全行政执法工作体系", "健全突发事件应对体系", "加强党的领导"]
    assert section_of(doc, t["11"]).parent == "s3"
    assert not {"task-without-units", "numbers-absent"} & codes(doc)


# ------------------------------------------------------------ city: ASCII punctuation, X牵头,Y配合
def test_city_ascii_punctuation_lead_and_support_words():
    doc = parse_file(PLANS / "city_anshun_ascii.txt")
    assert doc.title == "安顺市法治政府建设工作方案(2022-2025年)"
    assert (doc.level, doc.region, doc.period) == ("city", "安顺市", (2022, 2025))
    assert [p.title for p in doc.parents] == ["贵州省法治政府建设实施方案(2021-2025年)"]
    assert [t.number for t in doc.tasks] == [str(n) for n in range(1, 9)]
    t = by_number(doc)
    assert t["1"].title == "推进政务公开标准化规范化"
    assert roles(t["1"]) == [("lead", "市政府办公室"), ("support", "市直各部门"), ("support", "各县(区)人民政府")]
    assert [(d.raw, d.date) for d in t["1"].deadlines] == [("2023年6月底前", "2023-06-30")]
    assert [(d.raw, d.date) for d in t["2"].deadlines] == [("到2025年", "2025-12-31")]
    assert [(d.raw, d.date) for d in t["4"].deadlines] == [("2022年年底前", "2022-12-31")]
    assert roles(t["5"]) == [("lead", "市委政法委"), ("lead", "市司法局"),
                             ("support", "市中级人民法院"), ("support", "市信访局")]
    assert roles(t["6"]) == [("lead", "市委组织部"), ("lead", "市司法局")]
    assert roles(t["8"]) == [("lead", "市委宣传部"), ("support", "市司法局"), ("support", "安顺日报社")]
    assert [r.frequency for r in t["3"].recurrences] == ["P1Y"]
    assert [s.title for s in doc.sections] == ["重点任务", "保障措施"]
    assert section_of(doc, t["7"]).title == "保障措施"


# ------------------------------------------------------------ department: 牵头部门 / 责任部门
def test_department_plan_with_lead_and_responsible_departments():
    doc = parse_file(PLANS / "dept_yichang_sifa.txt")
    assert doc.title == "宜昌市司法局关于推进法治政府建设的实施方案"
    assert (doc.level, doc.region, doc.period) == ("department", "宜昌市", None)
    assert [(p.title, p.relation) for p in doc.parents] == [("宜昌市法治政府建设实施方案(2021-2025年)", "applies")]
    assert [t.number for t in doc.tasks] == [str(n) for n in range(1, 9)]
    t = by_number(doc)
    assert roles(t["1"]) == [("lead", "立法科"), ("responsible", "行政复议与应诉科")]
    assert t["1"].units[0].label == "牵头部门" and t["1"].units[1].label == "责任部门"
    assert roles(t["2"]) == [("lead", "行政复议与应诉科"), ("responsible", "办公室"), ("responsible", "政治处")]
    assert roles(t["4"]) == [("lead", "公共法律服务管理科"), ("responsible", "法律援助中心"), ("responsible", "各县市区司法局")]
    assert roles(t["6"]) == [("lead", "人民参与和促进法治科"), ("responsible", "各司法所")]
    assert [(d.raw, d.date) for d in t["1"].deadlines] == [("2022年底前", "2022-12-31")]
    assert [(d.raw, d.date) for d in t["2"].deadlines] == [("2022年6月底前", "2022-06-30")]
    assert [(d.raw, d.date) for d in t["4"].deadlines] == [("到2025年", "2025-12-31")]
    assert [(r.frequency, r.quantity) for r in t["3"].recurrences] == [("P1Y", "不少于1次")]
    assert [(r.frequency, r.quantity) for r in t["8"].recurrences] == [("P1Y", "两期以上")]
    assert [s.title for s in doc.sections] == ["工作任务", "保障措施"]


# ------------------------------------------------------------ district: 1、 and unbracketed unit lines
def test_district_dun_numbers_and_annotations_at_paragraph_end():
    doc = parse_file(PLANS / "district_chengdong_dun.txt")
    assert (doc.level, doc.region, doc.period) == ("district", "西宁市城东区", (2022, 2025))
    assert [t.number for t in doc.tasks] == [str(n) for n in range(1, 9)]
    t = by_number(doc)
    assert t["1"].title == "全面履行政府职能"
    # units separated by a space only are two units
    assert roles(t["1"]) == [("lead", "区委编办"), ("support", "区司法局"), ("support", "区财政局")]
    assert roles(t["2"]) == [("lead", "区政务服务中心"), ("support", "区直各部门"), ("support", "各街道办事处")]
    assert roles(t["4"]) == [("lead", "区政府办公室"), ("lead", "区司法局")]
    assert roles(t["5"]) == [("lead", "区委编办"), ("lead", "区司法局"),
                             ("support", "区城市管理局"), ("support", "各街道办事处")]
    assert roles(t["7"]) == [("lead", "区委组织部"), ("support", "区委依法治区办"), ("support", "区考核办")]
    assert [d.date for d in t["1"].deadlines] == ["2022-12-31"]
    assert [d.raw for d in t["5"].deadlines] == ["2023年年底前"]
    assert [(r.frequency, r.quantity) for r in t["6"].recurrences] == [("P1Y", "不少于2次")]
    assert "牵头单位" not in t["3"].text
    assert [s.title for s in doc.sections] == ["主要任务", "保障措施"]
    assert section_of(doc, t["8"]).title == "保障措施"


# ------------------------------------------------------------ .docx with the task list in a table
def test_docx_task_table(make_docx, tmp_path):
    path = make_docx(tmp_path / "南宁市青秀区法治政府建设实施方案.docx", [
        "南宁市青秀区法治政府建设实施方案（2021-2025年）",
        "为贯彻落实《南宁市法治政府建设实施方案（2021-2025年）》，结合我区实际，制定本方案。",
        "一、主要任务",
        [["序号", "工作任务", "牵头单位", "配合单位", "完成时限"],
         ["1", "推进政务服务标准化。编制政务服务事项标准化目录。", "区行政审批局", "区直各部门\n各街道办事处", "2022年年底前"],
         ["2", "加强行政执法监督。开展行政执法案卷评查。", "区司法局", "区直各行政执法部门", "每年"],
         ["3", "健全重大行政决策机制。落实合法性审查制度。", "区政府办公室、区司法局", "", "2023年6月底前"],
         ["4", "推进综合行政执法改革。推动执法力量下沉。", "区委编办", "区司法局、各街道办事处", "2025年前"],
         ["5", "加强法治宣传教育。落实普法责任制。", "区委宣传部", "区司法局", ""]],
        "二、保障措施",
        "各单位要高度重视，确保各项任务落到实处。",
    ])
    doc = parse_file(path)
    assert (doc.level, doc.region, doc.period) == ("district", "南宁市青秀区", (2021, 2025))
    assert [p.title for p in doc.parents] == ["南宁市法治政府建设实施方案(2021-2025年)"]
    assert [t.number for t in doc.tasks] == ["1", "2", "3", "4", "5"]
    assert [t.title for t in doc.tasks] == ["推进政务服务标准化", "加强行政执法监督", "健全重大行政决策机制",
                                            "推进综合行政执法改革", "加强法治宣传教育"]
    t = by_number(doc)
    assert roles(t["1"]) == [("lead", "区行政审批局"), ("support", "区直各部门"), ("support", "各街道办事处")]
    assert roles(t["3"]) == [("lead", "区政府办公室"), ("lead", "区司法局")]
    assert roles(t["4"]) == [("lead", "区委编办"), ("support", "区司法局"), ("support", "各街道办事处")]
    assert [(d.raw, d.date) for d in t["1"].deadlines] == [("2022年年底前", "2022-12-31")]
    assert [(d.raw, d.date) for d in t["3"].deadlines] == [("2023年6月底前", "2023-06-30")]
    assert [(d.raw, d.date) for d in t["4"].deadlines] == [("2025年前", "2025-12-31")]
    assert t["5"].deadlines == []
    assert all(section_of(doc, x).title == "主要任务" for x in doc.tasks)


# ------------------------------------------------------------ preview-site scrapes of our plans
PROVINCE_UNITS = {  # read off province_gansu.txt
    "1": [("lead", "省委编办"), ("support", "省司法厅"), ("support", "省财政厅")],
    "2": [("lead", "省政府办公厅"), ("lead", "省政务服务中心"), ("support", "省直各部门"), ("support", "各市(州)人民政府")],
    "3": [("lead", "省发展改革委"), ("support", "人民银行兰州中心支行")],
    "4": [("lead", "省司法厅"), ("support", "省直有关部门")],
    "5": [("lead", "省司法厅"), ("support", "省政府各部门"), ("support", "各市(州)人民政府")],
    "6": [("lead", "省委编办"), ("lead", "省司法厅"), ("support", "省直各行政执法部门")],
    "7": [("lead", "省司法厅"), ("support", "省人力资源社会保障厅")],
    "8": [("lead", "省司法厅")],
    "9": [("lead", "省应急管理厅"), ("support", "省卫生健康委"), ("support", "省公安厅")],
    "10": [("lead", "省应急管理厅"), ("support", "省直有关部门"), ("support", "各市(州)人民政府")],
    "11": [("lead", "省委依法治省办"), ("support", "各市(州)人民政府")],
    "12": [("lead", "省委组织部"), ("lead", "省委依法治省办")],
}
PROVINCE_DEADLINES = {"2": ["2022年年底前"], "5": ["2023年年底前"], "8": ["2024年6月底前"]}
PROVINCE_SECTIONS = {"1": "健全政府机构职能体系", "3": "健全政府机构职能体系", "4": "健全依法行政制度体系",
                     "5": "健全依法行政制度体系", "6": "健全行政执法工作体系", "8": "健全行政执法工作体系",
                     "9": "健全突发事件应对体系", "10": "健全突发事件应对体系", "11": "加强党的领导", "12": "加强党的领导"}


def scrape(text: str, size: int, order: list[int]) -> str:
    """A preview site's text: line breaks lost, cut into pages of ``size`` characters (inside
    words and unit lists), pages shown in ``order`` (missing ones lost), each page opened by a
    line-initial marker 1、 2、 … in the order shown, a banner first."""
    flat = "".join(line.strip() for line in text.split("\n"))
    pages = [flat[i:i + size] for i in range(0, len(flat), size)]
    body = "".join(f"\n{k}、{pages[i]}" for k, i in enumerate(order, 1))
    return "《方案.doc》由会员分享，可在线阅读，更多相关《方案.doc(6页珍藏版)》请在某某文库上搜索。" + body + "\n"


def test_province_plan_wholly_in_the_province_file():
    doc = parse_file(PLANS / "province_gansu.txt")
    assert {t.number: roles(t) for t in doc.tasks} == PROVINCE_UNITS
    assert {t.number: [d.raw for d in t.deadlines] for t in doc.tasks if t.deadlines} == PROVINCE_DEADLINES


@pytest.mark.parametrize("order", [[0, 3, 4, 1, 2, 5, 6], [0, 5, 6, 1, 2, 3, 4]])
def test_scraped_province_plan_with_shuffled_pages(order):
    # 160-character pages cut 协同高|效, ［牵头单|位：, 省人|力资源社会保障厅, 各市(州)人民政府 …
    doc = parse_text(scrape((PLANS / "province_gansu.txt").read_text(encoding="utf-8"), 160, order))
    assert doc.title == "甘肃省法治政府建设实施方案(2021-2025年)"
    assert (doc.level, doc.region, doc.period) == ("province", "甘肃省", (2021, 2025))
    assert [t.number for t in doc.tasks] == [str(n) for n in range(1, 13)]
    assert doc.tasks[0].title == "推进政府机构职能优化协同高效"
    assert {t.number: roles(t) for t in doc.tasks} == PROVINCE_UNITS
    assert {t.number: [d.raw for d in t.deadlines] for t in doc.tasks if t.deadlines} == PROVINCE_DEADLINES
    t = by_number(doc)
    assert {n: section_of(doc, t[n]).title for n in PROVINCE_SECTIONS} == PROVINCE_SECTIONS
    assert "pages-reordered" in codes(doc)
    assert not {"task-without-units", "fragment-left-over", "numbers-absent"} & codes(doc)


@pytest.mark.parametrize("order", [[0, 1, 2, 4, 5], [0, 4, 5, 1, 2]])
def test_scraped_county_plan_with_a_lost_page(order):
    # page 3 (of 170 characters) is lost: it held the end of task (五)'s unit line
    # (县政府办公室、县司法局), the heading 三、健全行政执法工作体系, tasks (六) and (七) but the
    # tail of (七)'s unit list (局、县应急管理局等部门按职责分工负责。), which opens page 4
    doc = parse_text(scrape((PLANS / "county_qingchuan.txt").read_text(encoding="utf-8"), 170, order))
    assert [t.number for t in doc.tasks] == ["1", "2", "3", "4", "5", "8", "9", "10"]
    t = by_number(doc)
    assert roles(t["1"]) == [("responsible", "县委编办"), ("responsible", "县司法局"), ("responsible", "各乡镇人民政府")]
    assert [u.text for u in t["3"].units] == ["县发展改革局", "县市场监管局", "县司法局"]
    assert [(r.frequency, r.quantity) for r in t["3"].recurrences] == [("P1Y", "不少于1次")]  # 不少于|1次 across a page
    assert t["5"].units == []  # its unit line was on the lost page; the tail of (七)'s is not its
    assert [u.text for u in t["8"].units] == ["县司法局"]
    assert [u.text for u in t["10"].units] == ["县委依法治县办", "县委目标绩效办"]
    assert [(s.number, s.title) for s in doc.sections] == [
        ("一、", "健全政府机构职能体系"), ("二、", "健全依法行政制度体系"), ("三、", ""), ("四、", "加强组织保障")]
    assert section_of(doc, t["8"]).number == "三、"  # after the gap 6-7, where the heading was lost
    assert section_of(doc, t["5"]).number == "二、" and section_of(doc, t["9"]).number == "四、"
    msgs = {d.code: d.message for d in doc.diagnostics}
    assert msgs["numbers-absent"] == "task numbers absent: 6-7"
    assert "三、" in msgs["section-heading-absent"]
    assert "健全依法决策机制" in msgs["task-without-units"]


NATIONAL = """法治政府建设实施纲要（2021-2025年）

    一、主要任务
    1．全面实行政府权责清单制度。进一步完善政府权责清单。（牵头单位：司法部、市场监管总局；参加单位：国务院各部门）
    2．深化“放管服”改革。持续开展营商环境评价。（牵头单位：市场监管总局；参加单位：国家发展改革委）
"""


def test_a_plan_without_a_place_or_local_units_is_national():
    """No place in the title and only national bodies as units (市场监管总局 is no city's
    市-prefixed unit): the plan is national."""
    doc = parse_text(NATIONAL)
    assert [t.number for t in doc.tasks] == ["1", "2"]
    assert (doc.level, doc.region) == ("national", None)


def test_a_plan_without_a_place_takes_its_level_from_its_units():
    """关于印发…的通知 names no place: 市-prefixed units make it a city plan, and 市场监管局
    beside 区-prefixed units does not count for the city."""
    city = NATIONAL.replace("法治政府建设实施纲要（2021-2025年）", "关于印发法治政府建设实施方案的通知") \
        .replace("司法部、市场监管总局", "市司法局、市市场监管局").replace("牵头单位：市场监管总局", "牵头单位：市司法局")
    assert parse_text(city).level == "city"
    district = city.replace("市司法局", "区司法局").replace("市市场监管局", "市场监管局")
    assert parse_text(district).level == "district"

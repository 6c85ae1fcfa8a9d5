"""The plan parser on layouts other than the seeds', each in a small plan written for the test
(imagined counties and cities in other provinces)."""
from kg.parse.clean import clean
from kg.model import Source
from kg.parse.plan import parse_plan


def parse(text: str, name: str = "plan.txt"):
    src = Source(path=name, name=name, sha256="0" * 64, format="txt", text=text)
    return parse_plan(src, clean(text))


def units(task, role=None):
    return [u.text for u in task.units if role is None or u.role == role]


def by_number(doc):
    return {t.number: t for t in doc.tasks}


HEAD = "桃源县法治政府建设实施方案（2021-2025年）\n    为深入贯彻落实《法治政府建设实施纲要（2021-2025年）》，结合我县实际，制定本方案。\n    一、主要任务\n"


def test_comma_between_roles():
    doc = parse(HEAD + "    1．推进简政放权。全面清理行政许可事项，2022年底前完成。（牵头单位：县审批局，配合单位：县财政局、县人社局）\n"
                "    2．加强行政监管。推进“双随机、一公开”监管。（牵头单位：县市场监管局，配合单位：县直各部门）\n")
    t = by_number(doc)
    assert units(t["1"], "lead") == ["县审批局"]
    assert units(t["1"], "support") == ["县财政局", "县人社局"]
    assert [d.date for d in t["1"].deadlines] == ["2022-12-31"]
    assert units(t["2"], "support") == ["县直各部门"]
    assert doc.level == "district" and doc.region == "桃源县" and doc.period == (2021, 2025)


def test_lead_department_label():
    doc = parse(HEAD + "    1．完善立法机制。健全立法协同机制。（牵头部门：县人大常委会法工委；配合部门：县司法局）\n")
    t = doc.tasks[0]
    assert units(t, "lead") == ["县人大常委会法工委"]
    assert units(t, "support") == ["县司法局"]
    assert t.units[0].label == "牵头部门"


def test_responsible_only_with_qualifier():
    doc = parse(HEAD + "    1．加大重点领域执法力度。加大食品药品、安全生产等领域执法力度。（责任单位：县市场监管局、县应急管理局等部门按职责分工负责）\n")
    t = doc.tasks[0]
    assert units(t, "responsible") == ["县市场监管局", "县应急管理局"]
    assert all(u.qualifier == "等部门按职责分工负责" for u in t.units)


def test_annotation_on_its_own_line():
    doc = parse(HEAD + "    1．健全矛盾纠纷化解机制。完善多元化解机制，每年开展矛盾排查不少于4次。\n"
                "    责任单位：县委政法委、县公安局、县司法局按职责分工分别负责。\n"
                "    2．加强行政调解。规范行政调解程序。\n    责任单位：县司法局。\n")
    t = by_number(doc)
    assert units(t["1"], "responsible") == ["县委政法委", "县公安局", "县司法局"]
    assert t["1"].units[-1].qualifier == "按职责分工分别负责"
    assert [(r.frequency, r.quantity) for r in t["1"].recurrences] == [("P1Y", "不少于4次")]
    assert units(t["2"]) == ["县司法局"]
    assert "责任单位" not in t["1"].text


def test_tasks_numbered_at_the_second_level():
    text = ("云溪市法治政府建设工作方案\n    根据《湖南省法治政府建设实施方案（2021-2025年）》，制定本方案。\n"
            "    一、重点任务\n"
            "    （一）推进政务公开。加强政务公开标准化建设，2023年6月底前完成目录编制。（牵头单位：市政府办公室；配合单位：市直各部门）\n"
            "    （二）加强执法监督。健全行政执法协调监督工作体系。（牵头单位：市司法局）\n"
            "    二、保障措施\n"
            "    （一）加强组织领导。各级各部门要高度重视。（责任单位：各区、县级市人民政府）\n")
    doc = parse(text)
    assert [t.title for t in doc.tasks] == ["推进政务公开", "加强执法监督", "加强组织领导"]
    assert [d.date for d in doc.tasks[0].deadlines] == ["2023-06-30"]
    assert doc.tasks[0].deadlines[0].raw == "2023年6月底前"
    assert units(doc.tasks[1], "lead") == ["市司法局"]
    coord = doc.tasks[2].units
    assert [(u.role, u.text) for u in coord] == [("responsible", "各区、县级市人民政府")]
    assert coord[0].parts == ["各区人民政府", "各县级市人民政府"]
    assert [s.title for s in doc.sections] == ["重点任务", "保障措施"]
    assert doc.parents[0].relation == "based_on" and doc.parents[0].words == "根据"
    assert doc.level == "city" and doc.region == "云溪市"


def test_ascii_punctuation():
    doc = parse("溪口县法治政府建设实施方案(2021-2025年)\n为贯彻落实《法治政府建设实施纲要(2021-2025年)》,制定本方案.\n一、主要任务\n"
                "1.推进简政放权.全面清理行政许可事项,2024年年底前完成.(牵头单位:县政务服务中心;配合单位:县直各部门,各乡镇人民政府)\n"
                "2.加强行政监管.推进信用监管.(牵头单位:县市场监管局)\n")
    t = by_number(doc)
    assert units(t["1"], "lead") == ["县政务服务中心"]
    assert units(t["1"], "support") == ["县直各部门", "各乡镇人民政府"]
    assert units(t["2"]) == ["县市场监管局"]
    assert [d.raw for d in t["1"].deadlines] == ["2024年年底前"]


def test_lead_and_support_words():
    doc = parse(HEAD + "    1．加强法治宣传。落实普法责任制。（县司法局、县委宣传部牵头，县直各部门配合）\n")
    t = doc.tasks[0]
    assert units(t, "lead") == ["县司法局", "县委宣传部"]
    assert units(t, "support") == ["县直各部门"]


def test_square_brackets():
    doc = parse(HEAD + "    1．加强党的领导。县委要切实履行领导职责。［牵头单位：县委办公室，县政府办公室，县各党委（党组）］\n")
    t = doc.tasks[0]
    assert units(t, "lead") == ["县委办公室", "县政府办公室", "县各党委(党组)"]


def test_several_annotations_in_one_task():
    doc = parse(HEAD + "    1．加强数字政府建设。推进政务数据共享。（牵头单位：县大数据中心）推行掌上执法，2025年前实现全覆盖。（牵头单位：县司法局；配合单位：县直各执法部门）\n"
                "    2．加强经费保障。将经费纳入预算。（牵头单位：县财政局）\n")
    t = by_number(doc)
    assert units(t["1"], "lead") == ["县大数据中心", "县司法局"]
    assert units(t["1"], "support") == ["县直各执法部门"]
    assert [d.raw for d in t["1"].deadlines] == ["2025年前"]
    assert units(t["2"]) == ["县财政局"]


def test_label_broken_across_a_page():
    doc = parse(HEAD + "    1．加强行政复议。整合行政复议职责。（牵头部\n\n- 5 -\n\n门：县司法局；配合单位：县委编办）\n"
                "    2．加强行政应诉。落实负责人出庭应诉制度。（牵头单位：县法院、县司法局）\n")
    t = by_number(doc)
    assert units(t["1"], "lead") == ["县司法局"]
    assert units(t["1"], "support") == ["县委编办"]
    assert units(t["2"], "lead") == ["县法院", "县司法局"]


def test_coordinations_kept_and_resolved():
    doc = parse(HEAD + "    1．推进依法治理。加强基层治理。（牵头单位：县委政法委；配合单位：各乡(镇)党委和人民政府，教育、卫生健康主管部门）\n")
    sup = [u for u in doc.tasks[0].units if u.role == "support"]
    assert [u.text for u in sup] == ["各乡(镇)党委和人民政府", "教育、卫生健康主管部门"]
    assert sup[0].parts == ["各乡(镇)党委", "各乡(镇)人民政府"]
    assert sup[1].parts == ["教育主管部门", "卫生健康主管部门"]


def test_task_without_units_and_missing_numbers_are_reported():
    doc = parse(HEAD + "    1．推进简政放权。全面清理。（牵头单位：县审批局）\n    2．加强监管。推进信用监管。\n"
                "    4．完善机制。健全机制。（牵头单位：县司法局）\n")
    codes = {d.code: d.message for d in doc.diagnostics}
    assert "numbers-absent" in codes and "3" in codes["numbers-absent"]
    assert "task-without-units" in codes and "加强监管" in codes["task-without-units"]


def test_preview_site_page_markers_in_a_run_on_scrape():
    text = ("《某县实施方案.docx》由会员分享，可在线阅读，更多相关《某县实施方案.docx(9页珍藏版)》请在某某文库上搜索。\n"
            "1、平安县法治政府建设实施方案(20212025 年)为贯彻落实法治政府建设实施纲要(20212025年),结合我县实际,制定本方案。一、主要任务1 .推进政务公开。加强政务公开。牵头单位:县政府办\n"
            "2、公室;参加单位:县直各部门,各乡(\n"
            "3、镇)人民政府2 .加强执法监督。健全监督体系。牵头单位:县司 法局;参加单位:县直各部门\n")
    doc = parse(text)
    assert doc.title == "平安县法治政府建设实施方案(2021-2025年)"
    assert [p.title for p in doc.parents] == ["法治政府建设实施纲要(2021-2025年)"]
    t = by_number(doc)
    assert units(t["1"], "lead") == ["县政府办公室"]
    assert units(t["1"], "support") == ["县直各部门", "各乡(镇)人民政府"]
    assert units(t["2"], "lead") == ["县司法局"]


def test_unnumbered_tasks_and_table_rows():
    # a plan that does not number its tasks; the second line is how the reader lays out a
    # task-table row (完成时限 column, unit columns)
    doc = parse(HEAD + "    推进政务公开。加强政务公开标准化建设。（牵头单位：县政府办）\n"
                "    加强执法监督。健全行政执法协调监督工作体系。（完成时限：2023年12月）（牵头单位：县司法局；配合单位：县直各部门）\n")
    assert [t.title for t in doc.tasks] == ["推进政务公开", "加强执法监督"]
    assert all(t.number is None for t in doc.tasks)
    assert units(doc.tasks[1], "support") == ["县直各部门"]
    assert [(d.raw, d.date) for d in doc.tasks[1].deadlines] == [("2023年12月", "2023-12-31")]
    assert not [d for d in doc.diagnostics if d.code == "fragment-left-over"]


def test_a_real_numbered_list_is_not_taken_for_page_markers():
    doc = parse(HEAD + "1、推进政务公开。加强政务公开。（牵头单位：县政府办）\n2、加强执法监督。健全体系。（牵头单位：县司法局）\n"
                "3、加强经费保障。纳入预算。（牵头单位：县财政局）\n")
    assert [t.number for t in doc.tasks] == ["1", "2", "3"]
    assert units(doc.tasks[2]) == ["县财政局"]


def test_other_labels_inside_an_annotation_and_heading_lines():
    doc = parse("附件1\n\n青山县法治政府建设实施方案\n    为贯彻落实《法治政府建设实施纲要（2021-2025年）》，制定本方案。\n    一、主要任务\n"
                "    1．推进简政放权\n    全面清理行政许可事项。（责任单位：县审批局；完成时限：2022年底前）\n"
                "    2．加强法治宣传。落实普法责任制。\n    由县司法局牵头，县直各部门配合。\n"
                "    3．加强经费保障。纳入预算。（牵头单位（部门）：县财政局）\n")
    assert doc.title == "青山县法治政府建设实施方案"
    t = by_number(doc)
    assert t["1"].title == "推进简政放权"
    assert units(t["1"]) == ["县审批局"]
    assert [d.date for d in t["1"].deadlines] == ["2022-12-31"]
    assert units(t["2"], "lead") == ["县司法局"] and units(t["2"], "support") == ["县直各部门"]
    assert units(t["3"], "lead") == ["县财政局"]


def test_numbers_inside_a_paragraph_are_not_tasks():
    doc = parse(HEAD + "    1．加强组织领导。重点做好：1、明确分工；2、压实责任。（牵头单位：县委办）\n"
                "    2．推进政务公开（完成时限：2022年12月底前）（牵头单位：县政府办）\n")
    assert [t.number for t in doc.tasks] == ["1", "2"]
    assert doc.tasks[1].title == "推进政务公开"
    assert [d.date for d in doc.tasks[1].deadlines] == ["2022-12-31"]


def test_list_numbered_with_dun_and_unit_lines_without_full_stop():
    doc = parse(HEAD + "1、推进政务公开。加强政务公开。\n牵头单位：县政府办\n2、加强执法监督。健全体系。\n牵头单位：县司法局\n"
                "3、加强经费保障。纳入预算。\n牵头单位：县财政局；配合单位：各乡镇\n")
    assert [t.number for t in doc.tasks] == ["1", "2", "3"]
    assert [units(t) for t in doc.tasks] == [["县政府办"], ["县司法局"], ["县财政局", "各乡镇"]]


def test_roles_on_separate_lines():
    doc = parse(HEAD + "    1．加强行政复议。整合行政复议职责。\n    牵头单位：县司法局\n    配合单位：县委编办、县财政局\n"
                "    2．加强行政应诉。落实出庭应诉制度。（牵头单位：县法院\n配合单位：县直各部门）\n")
    t = by_number(doc)
    assert units(t["1"], "lead") == ["县司法局"] and units(t["1"], "support") == ["县委编办", "县财政局"]
    assert units(t["2"], "lead") == ["县法院"] and units(t["2"], "support") == ["县直各部门"]


def test_roles_separated_by_a_space_only():
    doc = parse(HEAD + "    1．加强行政复议。整合行政复议职责。（牵头单位：县司法局　配合单位：县委编办、县财政局）\n")
    t = doc.tasks[0]
    assert units(t, "lead") == ["县司法局"] and units(t, "support") == ["县委编办", "县财政局"]


def test_bracketed_units_with_responsibility_words():
    doc = parse(HEAD + "    1．加强行政裁决。规范行政裁决程序。（县司法局、县自然资源局等按职责分工负责）\n")
    t = doc.tasks[0]
    assert units(t, "responsible") == ["县司法局", "县自然资源局"]
    assert t.units[-1].qualifier == "等按职责分工负责"


def test_a_covering_notice_before_the_plan():
    doc = parse("石门县人民政府办公室关于印发《石门县法治政府建设实施方案（2021-2025年）》的通知\n"
                "各乡镇人民政府，县直各单位：\n    现将《石门县法治政府建设实施方案（2021-2025年）》印发给你们，请认真贯彻落实。\n"
                "石门县人民政府办公室\n2021年12月1日\n"
                "石门县法治政府建设实施方案（2021-2025年）\n"
                "    根据《湖南省法治政府建设实施方案（2021-2025年）》，制定本方案。\n    一、主要任务\n"
                "    1．推进政务公开。加强政务公开。（牵头单位：县政府办）\n")
    assert doc.title == "石门县法治政府建设实施方案(2021-2025年)"
    assert (doc.level, doc.region) == ("district", "石门县")
    assert [p.title for p in doc.parents] == ["湖南省法治政府建设实施方案(2021-2025年)"]
    assert units(doc.tasks[0]) == ["县政府办"]


def test_lead_support_and_responsible_clauses_closing_a_paragraph():
    doc = parse("临江县法治政府建设实施方案\n一、工作任务\n"
                "1、加强规范性文件管理。落实合法性审核机制，县司法局牵头，县直各部门配合。\n"
                "2、推进严格规范公正文明执法。县司法局牵头，县公安局、县市场监管局配合。\n"
                "3、加强法治宣传教育。每年开展宪法宣传周活动，县委宣传部、县司法局负责。\n"
                "4、加强行政调解。健全调解机制，县司法局等部门按职责分工负责。\n")
    t = by_number(doc)
    assert [(u.role, u.text) for u in t["1"].units] == [("lead", "县司法局"), ("support", "县直各部门")]
    assert units(t["2"], "support") == ["县公安局", "县市场监管局"]
    assert [(u.role, u.text) for u in t["3"].units] == [("responsible", "县委宣传部"), ("responsible", "县司法局")]
    assert units(t["4"], "responsible") == ["县司法局"] and t["4"].units[0].qualifier == "等部门按职责分工负责"
    assert [r.frequency for r in t["3"].recurrences] == ["P1Y"]


def test_two_collectives_are_not_one_coordination():
    doc = parse(HEAD + "    1．加强学习。纳入中心组学习内容。（责任单位：县委依法治县办，各乡镇、各部门）\n"
                "    2．加强考核。纳入考核。（责任单位：各区、县级市人民政府）\n")
    t = by_number(doc)
    assert units(t["1"]) == ["县委依法治县办", "各乡镇", "各部门"]
    assert units(t["2"]) == ["各区、县级市人民政府"]  # one head shared: kept whole, parts resolved
    assert t["2"].units[0].parts == ["各区人民政府", "各县级市人民政府"]


def test_tasks_numbered_at_the_second_level_with_sub_items_and_a_unit_line_below():
    doc = parse("宁远县贯彻落实《湖南省法治政府建设实施方案（2021—2025年）》的若干措施\n"
                "为确保《湖南省法治政府建设实施方案（2021—2025年）》在我县得到全面落实，制定如下措施。\n"
                "一、健全政府机构职能体系\n（一）推进政府机构职能优化协同高效。\n1.优化政府组织结构。\n2.推进机构、职能、权限法定化。\n"
                "（牵头单位：县委编办；配合单位：县直各单位）\n"
                "（二）深入推进“放管服”改革。分级分类推进行政审批制度改革，2022年12月31日前完成。\n"
                "（牵头单位：县行政审批服务局；配合单位：县直各单位、各乡镇人民政府）\n"
                "二、加强组织保障\n（三）加强党的领导。健全党委统一领导、各方分工负责的工作机制。\n（责任单位：县委办、县政府办）\n")
    assert doc.title == "宁远县贯彻落实《湖南省法治政府建设实施方案(2021—2025年)》的若干措施"
    assert [(p.title, p.words) for p in doc.parents] == [("湖南省法治政府建设实施方案(2021—2025年)", "为确保…得到落实")]
    assert [t.number for t in doc.tasks] == ["1", "2", "3"]
    t = by_number(doc)
    assert "优化政府组织结构" in t["1"].text  # the sub-items belong to their task
    assert units(t["1"], "lead") == ["县委编办"] and units(t["1"], "support") == ["县直各单位"]
    assert [(d.raw, d.date) for d in t["2"].deadlines] == [("2022年12月31日前", "2022-12-31")]
    assert units(t["3"], "responsible") == ["县委办", "县政府办"]
    assert [s.title for s in doc.sections] == ["健全政府机构职能体系", "加强组织保障"]

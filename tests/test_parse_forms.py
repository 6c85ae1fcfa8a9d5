"""Annotation forms of real plans, each on small plans written for the test (imagined places and
bodies, other wording than the dev set's): bare lists, role verbs, remarks, conventions, people,
table cells, paragraph tasks, and the recogniser of bodies' names they rest on."""
import pytest

from kg.parse.bodies import is_body, looks_like_body
from kg.parse.clean import clean
from kg.model import Source
from kg.parse.plan import parse_plan


def parse(text: str, name: str = "plan.txt"):
    src = Source(path=name, name=name, sha256="0" * 64, format="txt", text=text)
    return parse_plan(src, clean(text))


def roles(task):
    return [(u.role, u.text) for u in task.units]


def by_title(doc):
    return {t.title: t for t in doc.tasks}


HEAD = "青山县营商环境优化提升行动方案\n为持续优化营商环境，结合我县实际，制定本方案。\n一、重点任务\n"


# --------------------------------------------------------------------------- names of bodies

@pytest.mark.parametrize("name", [
    "县市场监管局", "州数据局", "自治区司法厅", "省委网信办", "国家发展改革委", "人力资源社会保障部", "市场监管总局",
    "银保监会", "人民银行", "海关总署", "税务总局", "供销合作总社", "新华社", "国铁集团", "县融媒体中心",
    "各乡镇人民政府", "各县(市、区)人民政府", "县直各有关单位", "相关区", "各有关区", "白沙区", "黄浦新区",
    "某某开发区管委会", "县委编办", "人民银行某某县支行", "县人民法院", "县总工会", "团县委", "县红十字会",
    "市城运中心", "某某大学", "某某街道办事处", "各镇(街道)", "各成员单位",
])
def test_names_of_bodies(name):
    assert is_body(name), name


@pytest.mark.parametrize("text", [
    "全社会", "新发展格局", "基层干部", "示范区", "自贸试验区", "试点城市", "全县", "县级市", "乡镇", "街道",
    "以下均需各乡镇落实", "列第一位者为牵头单位", "加强基层建设", "含软硬件", "2023年底前", "组织开展宣传月活动",
    "推动政策落实", "不再列出", "服务大厅", "工作站点",
])
def test_not_names_of_bodies(text):
    assert not is_body(text), text


def test_a_label_list_asks_only_for_a_head():
    # after 牵头单位： a name needs no more than its head: 县各党委(党组) and the like stay readable
    assert looks_like_body("县各党委(党组)") and looks_like_body("区委依法治区办")
    assert not looks_like_body("完成时限")


# --------------------------------------------------------------------------- forms

def test_bare_lists_close_each_task():
    doc = parse(HEAD + "1.推进企业开办便利化。企业开办时间压缩至1个工作日。（县市场监管局、县税务局、县人社局）\n"
                "2.优化水电气报装。压缩报装时限。（县住建局，县供电公司、县自来水公司）\n")
    t1, t2 = doc.tasks
    assert roles(t1) == [("responsible", "县市场监管局"), ("responsible", "县税务局"), ("responsible", "县人社局")]
    assert [u.text for u in t2.units] == ["县住建局", "县供电公司", "县自来水公司"]
    assert "县市场监管局" not in t1.text and t1.text.endswith("1个工作日。")


def test_responsible_label_with_a_remark_after_the_units():
    doc = parse(HEAD + "1.下放审批权限。将部分审批权限下放至乡镇。（负责部门：县行政审批局、县司法局；适用范围：全县各乡镇）\n"
                "2.推行容缺受理。对次要材料实行容缺受理。（负责部门：县行政审批局，适用范围：县政务服务中心）\n")
    t1, t2 = doc.tasks
    assert roles(t1) == [("responsible", "县行政审批局"), ("responsible", "县司法局")]
    assert roles(t2) == [("responsible", "县行政审批局")]
    assert t1.units[0].label == "负责部门"
    assert "适用范围" not in t1.text


def test_role_verbs_guide_take_part_and_several_brackets_per_task():
    doc = parse(
        "某省生活垃圾分类工作方案\n二、主要任务\n"
        "（一）完善分类体系，推进源头减量。建立分类投放制度。（省住房城乡建设厅牵头，省发展改革委、省商务厅参与）\n"
        "推行绿色包装，减少过度包装。（省市场监管局、省邮政管理局指导）建立回收网络。（省商务厅指导，省供销社参与）\n"
        "（二）加强设施建设，提升处理能力。规划建设焚烧设施。（省住房城乡建设厅、省自然资源厅负责）\n")
    t1, t2 = doc.tasks
    assert roles(t1) == [("lead", "省住房城乡建设厅"), ("support", "省发展改革委"), ("support", "省商务厅"),
                         ("responsible", "省市场监管局"), ("responsible", "省邮政管理局"),
                         ("responsible", "省商务厅"), ("support", "省供销社")]
    assert [u.label for u in t1.units][3:] == ["指导", "指导", "指导", "参与"]  # the role word as written
    assert roles(t2) == [("responsible", "省住房城乡建设厅"), ("responsible", "省自然资源厅")]
    assert "推行绿色包装" in t1.text and "建立回收网络" in t1.text


def test_huitong_and_lead_then_responsible_by_duty():
    doc = parse(HEAD + "1.清理证明事项。全面清理无依据证明。（县司法局会同县公安局、县民政局负责）\n"
                "2.推行告知承诺制。编制告知承诺事项清单。（县司法局牵头，县直有关单位按职责分工负责）\n"
                "3.加强信用修复。建立信用修复机制。（县发展改革局牵头负责，县人民银行支行协助）\n")
    t1, t2, t3 = doc.tasks
    assert roles(t1) == [("lead", "县司法局"), ("support", "县公安局"), ("support", "县民政局")]
    assert roles(t2) == [("lead", "县司法局"), ("support", "县直有关单位")]
    assert t2.units[1].qualifier == "按职责分工负责"
    assert roles(t3) == [("lead", "县发展改革局"), ("support", "县人民银行支行")]


def test_clauses_closing_a_paragraph_without_brackets():
    doc = parse(HEAD + "1.建立调度机制，由县发展改革局牵头，县直有关部门配合。\n"
                "2.强化考核评估，纳入年度绩效考核，县绩效办负责。\n"
                "3.加强宣传引导，营造良好氛围，推动政策落实。\n")
    t1, t2, t3 = doc.tasks
    assert roles(t1) == [("lead", "县发展改革局"), ("support", "县直有关部门")]
    assert roles(t2) == [("responsible", "县绩效办")]
    assert t3.units == []  # 推动政策落实 is no body


@pytest.mark.parametrize("statement", [
    "各项任务中排在第一位的单位为牵头单位，其他为配合单位。",
    "列第一位者为牵头单位。",
    "排在首位的为牵头部门。",
])
def test_first_listed_unit_leads_when_the_preamble_says_so(statement):
    doc = parse("青山县营商环境优化提升行动方案\n为持续优化营商环境，制定本方案。" + statement + "\n一、重点任务\n"
                "1.推进企业开办便利化。压缩开办时间。（县市场监管局、县税务局、县人社局）\n"
                "2.优化水电气报装。压缩报装时限。（责任单位：县住建局、县供电公司）\n"
                "3.加强法治保障。加强执法监督。（牵头单位：县司法局；配合单位：县公安局）\n")
    t1, t2, t3 = doc.tasks
    assert roles(t1) == [("lead", "县市场监管局"), ("support", "县税务局"), ("support", "县人社局")]
    assert roles(t2) == [("lead", "县住建局"), ("support", "县供电公司")]
    assert t2.units[0].label == "责任单位"  # the label as written
    assert roles(t3) == [("lead", "县司法局"), ("support", "县公安局")]  # labelled roles stand
    assert any(d.code == "first-listed-leads" for d in doc.diagnostics)


def test_first_listed_unit_leads_said_in_the_first_annotation_or_a_footnote():
    doc = parse(HEAD + "1.推进企业开办便利化。压缩开办时间。（县市场监管局、县税务局，列第一位者为牵头单位，下同）\n"
                "2.优化水电气报装。压缩报装时限。（县住建局、县供电公司、县自来水公司）\n")
    t1, t2 = doc.tasks
    assert roles(t1) == [("lead", "县市场监管局"), ("support", "县税务局")]
    assert roles(t2) == [("lead", "县住建局"), ("support", "县供电公司"), ("support", "县自来水公司")]
    doc = parse(HEAD + "1.推进企业开办便利化。压缩开办时间。（县市场监管局、县税务局）\n"
                "注：各项任务责任单位中，排在第一位的为牵头单位。\n")
    assert roles(doc.tasks[0]) == [("lead", "县市场监管局"), ("support", "县税务局")]


def test_without_the_convention_a_list_is_responsible():
    doc = parse(HEAD + "1.推进企业开办便利化。压缩开办时间。（县市场监管局、县税务局）\n")
    assert roles(doc.tasks[0]) == [("responsible", "县市场监管局"), ("responsible", "县税务局")]


def test_people_are_not_units():
    doc = parse(HEAD + "1.优化纳税服务。推行非接触式办税。（责任领导：王某某副县长；责任单位：县税务局）\n"
                "2.完善调度机制。建立月调度制度。（责任人：李某某）\n"
                "3.加强督查。开展专项督查。\n牵头领导：县政府办主任\n牵头单位：县政府督查室\n")
    t1, t2, t3 = doc.tasks
    assert roles(t1) == [("responsible", "县税务局")]
    assert t2.units == []
    assert roles(t3) == [("lead", "县政府督查室")]


def test_labels_as_the_genre_writes_them():
    doc = parse(HEAD + "1.深化综合执法。推进执法力量下沉。【牵头单位】县委编办【配合单位】县司法局\n"
                "2.加强法治宣传。开展宪法宣传周活动。（主办单位：县司法局；协办单位：县委宣传部、县教育局）\n"
                "3.加强复议应诉。推行负责人出庭应诉。（主要责任单位：县司法局；参加单位：县人民法院）\n"
                "4.推进基层治理。开展民主法治示范村创建。（承办单位：各乡镇人民政府；指导单位：县民政局）\n")
    t = doc.tasks
    assert roles(t[0]) == [("lead", "县委编办"), ("support", "县司法局")]
    assert roles(t[1]) == [("lead", "县司法局"), ("support", "县委宣传部"), ("support", "县教育局")]
    assert [u.label for u in t[1].units] == ["主办单位", "协办单位", "协办单位"]
    assert roles(t[2]) == [("lead", "县司法局"), ("support", "县人民法院")]
    assert roles(t[3]) == [("responsible", "各乡镇人民政府"), ("responsible", "县民政局")]


def test_empty_cell_marks_are_no_units():
    doc = parse(HEAD + "1.推进企业开办便利化。压缩开办时间。（牵头单位：县市场监管局；配合单位：/）\n"
                "2.优化水电气报装。压缩报装时限。（牵头单位：县住建局；配合单位：—）\n"
                "3.加强信用监管。实施分级分类监管。（牵头单位：县发展改革局；配合单位：无、县市场监管局）\n")
    assert [roles(t) for t in doc.tasks] == [
        [("lead", "县市场监管局")], [("lead", "县住建局")],
        [("lead", "县发展改革局"), ("support", "县市场监管局")]]


def test_docx_table_with_empty_cells(make_docx, tmp_path):
    from kg.read.files import read_file

    rows = [["序号", "工作任务", "牵头单位", "配合单位"],
            ["1", "推进企业开办便利化。压缩开办时间。", "县市场监管局", "/"],
            ["2", "优化水电气报装。压缩报装时限。", "县住建局", "——"],
            ["3", "加强信用监管。实施分级分类监管。", "县发展改革局", "县市场监管局"]]
    path = make_docx(tmp_path / "table.docx", ["青山县营商环境优化提升行动方案", "一、重点任务", rows])
    src = read_file(path)
    doc = parse_plan(src, clean(src.text))
    assert [roles(t) for t in doc.tasks] == [
        [("lead", "县市场监管局")], [("lead", "县住建局")], [("lead", "县发展改革局"), ("support", "县市场监管局")]]


def test_a_bracket_inside_a_name_or_phrase_is_no_annotation():
    doc = parse(HEAD + "1.加强基层建设。完善镇(街道)、村(社区)治理体系，推进党校(行政学院)培训。（县委组织部）\n")
    assert roles(doc.tasks[0]) == [("responsible", "县委组织部")]


# --------------------------------------------------------------------------- where tasks are

def test_unnumbered_paragraphs_under_title_headings_are_the_tasks():
    doc = parse("关于加快科技服务业发展的若干意见\n为加快发展，提出如下意见。\n一、提升服务供给\n（一）推动资源开放\n"
                "推动大型科学仪器向社会开放，建立企业机时申请绿色通道。（责任单位：县科技局、县发展改革局）\n"
                "推动高校图书馆、实验室向合作企业开放。（责任单位：县教育局、县科技局）\n"
                "（二）建设概念验证中心\n支持建设概念验证中心，完善运营机制。（责任单位：县科技局）\n"
                "（三）发展科技咨询\n培育科技咨询机构。（责任单位：县科协、县科技局）\n"
                "建立咨询专家库。（责任单位：县科技局）\n")
    assert [t.title for t in doc.tasks] == [
        "推动大型科学仪器向社会开放，建立企业机时申请绿色通道", "推动高校图书馆、实验室向合作企业开放",
        "支持建设概念验证中心，完善运营机制", "培育科技咨询机构", "建立咨询专家库"]
    assert [u.text for u in doc.tasks[1].units] == ["县教育局", "县科技局"]
    assert [s.title for s in doc.sections if s.depth == 2] == ["推动资源开放", "建设概念验证中心", "发展科技咨询"]


def test_a_title_heading_with_one_paragraph_above_the_task_level_is_a_task():
    doc = parse("某县智慧交通三年行动计划\n一、重点任务\n1.建设交通大脑。整合交通数据资源。（牵头部门：县交通局）\n"
                "2.推广智慧停车。建设停车诱导系统。（牵头部门：县城管局）\n二、保障措施\n（一）强化资金保障\n"
                "统筹使用专项资金，加大对重点项目的支持力度。（牵头部门：县财政局、县交通局）\n（二）加强人才建设\n"
                "加强交通科技人才培养。（牵头部门：县人社局）\n")
    t = by_title(doc)
    assert set(t) == {"建设交通大脑", "推广智慧停车", "强化资金保障", "加强人才建设"}
    assert [u.text for u in t["强化资金保障"].units] == ["县财政局", "县交通局"]
    assert t["强化资金保障"].number is None


def test_an_item_with_text_keeps_the_paragraphs_under_it():
    doc = parse("某省农业废弃物资源化利用方案\n二、主要任务\n"
                "（一）推进畜禽粪污利用，建立种养循环机制。以规模养殖场为重点。（省农业农村厅负责）\n"
                "推广粪污综合利用模式。（省农业农村厅、省生态环境厅指导）\n"
                "（二）推进秸秆综合利用，提高利用水平。开展秸秆还田。（省农业农村厅牵头，省发展改革委参与）\n")
    t1, t2 = doc.tasks
    assert [u.text for u in t1.units] == ["省农业农村厅", "省农业农村厅", "省生态环境厅"]
    assert "推广粪污综合利用模式" in t1.text


def test_unit_lines_under_unnumbered_paragraphs():
    doc = parse("某县优化营商环境若干措施\n一、提升准入便利度\n全面推行企业开办一件事集成服务。\n责任单位：县市场监管局\n"
                "深化证照分离改革。\n牵头单位：县市场监管局\n配合单位：县直有关部门\n二、强化要素保障\n"
                "推行工业用地标准地出让。\n责任单位：县自然资源局\n")
    assert [roles(t) for t in doc.tasks] == [
        [("responsible", "县市场监管局")], [("lead", "县市场监管局"), ("support", "县直有关部门")],
        [("responsible", "县自然资源局")]]


def test_a_unit_line_repeated_under_several_tasks_is_not_a_running_header():
    doc = parse(HEAD + "1.推进政务公开。加强政务公开。\n牵头单位：县政府办\n2.加强执法监督。健全监督体系。\n"
                "牵头单位：县政府办\n3.强化督查督办。建立督办台账。\n牵头单位：县政府办\n")
    assert [roles(t) for t in doc.tasks] == [[("lead", "县政府办")]] * 3


def test_unread_annotations_are_reported_with_their_text():
    doc = parse(HEAD + "1.推进数据共享。建立共享目录。（县数据局、县公安局按季度通报进展）\n")
    unread = [d.message for d in doc.diagnostics if d.code == "unread-annotation"]
    assert unread == ["unread annotation in task 1 推进数据共享: (县数据局、县公安局按季度通报进展)"]


def test_roles_marked_on_units_and_verbs_joined_by_dun():
    doc = parse(HEAD + "1.加强行政复议。推进复议体制改革。（责任单位：县司法局（牵头）、县人民法院、县信访局（配合））\n"
                "2.深化综合执法。推进执法力量下沉（县委编办牵头、县司法局配合）。\n")
    t1, t2 = doc.tasks
    assert roles(t1) == [("lead", "县司法局"), ("responsible", "县人民法院"), ("support", "县信访局")]
    assert roles(t2) == [("lead", "县委编办"), ("support", "县司法局")]


def test_tortoise_shell_brackets_inside_a_coordination():
    doc = parse("某省法治政府建设实施方案\n一、主要任务\n"
                "1.推进政府机构职能优化。深化机构改革。（省委编办牵头，各市〔州〕、县〔市、区〕人民政府按职责分工负责）\n")
    units = doc.tasks[0].units
    assert [(u.role, u.text) for u in units] == [("lead", "省委编办"), ("support", "各市〔州〕、县〔市、区〕人民政府")]
    assert units[1].parts == ["各市〔州〕人民政府", "各县〔市、区〕人民政府"]


def test_unit_lists_wrapped_by_a_printed_page(make_pdf, tmp_path, seed_text):
    # seed 000 printed 38 characters a line: lists break after a comma and inside a name
    # (区市场监管\n局；配合单位…): the same 197 units as the .txt
    from kg.read.files import read_file

    text = seed_text("000")
    txt = parse(text)
    src = read_file(make_pdf(tmp_path / "000.pdf", [text.split("\n")]))
    pdf = parse_plan(src, clean(src.text))
    assert [roles(t) for t in pdf.tasks] == [roles(t) for t in txt.tasks]
    assert sum(len(t.units) for t in pdf.tasks) == 197


def test_a_web_page_footer_is_no_annotation():
    doc = parse(HEAD + "1.推进企业开办便利化。压缩开办时间。（牵头单位：县市场监管局）\n"
                "主办单位：青山县人民政府办公室 承办单位：青山县大数据中心 网站标识码：4501000001\n")
    assert roles(doc.tasks[0]) == [("lead", "县市场监管局")]

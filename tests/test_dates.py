"""Deadlines and recurring duties, each phrase checked against its meaning by hand."""
from kg.parse.dates import find_deadlines, find_recurrences


def dl(text):
    return [(d.raw, d.date) for d in find_deadlines(text)]


def rec(text):
    return [(r.frequency, r.quantity) for r in find_recurrences(text)]


def test_deadline_forms():
    assert dl("着重加强监督管理，2022年年底前，全面完善清单。") == [("2022年年底前", "2022-12-31")]
    assert dl("2024 年年底前，基本建成体系。") == [("2024年年底前", "2024-12-31")]
    assert dl("2025年前实现对各部门督察全覆盖") == [("2025年前", "2025-12-31")]
    assert dl("2023年6月底前完成目录编制") == [("2023年6月底前", "2023-06-30")]
    assert dl("2024年2月底前完成") == [("2024年2月底前", "2024-02-29")]
    assert dl("到2025年，政府行为全面纳入法治轨道") == [("到2025年", "2025-12-31")]
    assert dl("2022年底前完成") == [("2022年底前", "2022-12-31")]
    assert dl("2023年9月30日前报送") == [("2023年9月30日前", "2023-09-30")]


def test_not_deadlines():
    assert dl("2021年3月，国务院印发纲要") == []
    assert dl("法治政府建设实施纲要(2021-2025年)") == []
    assert dl("为到2035年基本建成法治国家奠定基础") == []  # a long-range aim


def test_two_deadlines_in_one_task_keep_their_order():
    text = "2022年年底前基本实现一云承载。积极配合接入平台，2023年年底前，实现统一公开查询。"
    assert dl(text) == [("2022年年底前", "2022-12-31"), ("2023年年底前", "2023-12-31")]


def test_completion_time_label():
    assert dl("（完成时限：2023年12月）") == [("2023年12月", "2023-12-31")]


def test_recurrences():
    assert rec("原则上每两年开展一次示范创建活动") == [("P2Y", "一次")]
    assert rec("行政执法人员每人每年接受不少于60学时的业务知识培训") == [("P1Y", "不少于60学时")]
    assert rec("领导班子每年应当举办两期以上法治专题讲座") == [("P1Y", "两期以上")]
    assert rec("每2年组织申报示范地区") == [("P2Y", "")]
    assert rec("每年安排听取工作汇报不少于1次，及时研究") == [("P1Y", "不少于1次")]
    assert rec("每季度通报一次") == [("P3M", "一次")]
    assert rec("每半年报告一次") == [("P6M", "一次")]
    r = find_recurrences("原则上每两年开展一次示范创建活动")[0]
    assert r.raw == "原则上每两年开展一次"


def test_spans_point_into_the_text():
    text = "加强监督，2024 年年底前，基本建成。"
    d = find_deadlines(text, base=100)[0]
    assert d.span == (105, 114)
    assert text[d.span[0] - 100:d.span[1] - 100] == "2024 年年底前"

"""Cleaning: width forms, spaces and breaks inside words, preview-site noise, offsets."""
from pathlib import Path

from kg.parse.clean import clean

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def test_width_forms_and_chinese_punctuation():
    c = clean("（一）健全ＡＰＰ体系１２３，保持、；：。")
    assert c.text == "(一)健全APP体系123，保持、；：。"
    assert clean("［牵头单位：区委办公室］").text == "[牵头单位：区委办公室]"


def test_ascii_separators_between_chinese_become_chinese():
    assert clean("牵头单位:市司法局;参加单位:市政府各部门,各县").text == "牵头单位：市司法局；参加单位：市政府各部门，各县"
    assert clean("共1,000件，10:30开会").text == "共1,000件，10:30开会"


def test_spaces_and_breaks_inside_words():
    assert clean("牵头单位：市司 法局").text == "牵头单位：市司法局"
    assert clean("全面贯 彻党的十九大").text == "全面贯彻党的十九大"
    assert clean("2024 年年底前").text == "2024年年底前"
    # a word broken at a line end is joined; a heading keeps its line
    assert clean("加强行政执法人员管\n理工作。").text == "加强行政执法人员管理工作。"
    assert clean("一、总体目标\n到2025年，全面建成。").text == "一、总体目标\n到2025年，全面建成。"
    # a line starting with 、 continues the list above
    assert clean("市公安局城中分局\n、区人防办").text == "市公安局城中分局、区人防办"


def test_title_broken_inside_brackets_is_joined():
    c = clean("柳州市城中区贯彻执行《柳州市落实〈广西\n\n法治政府建设实施方案（2021-2025年）〉工作方案》的方案\n    为确保落实。")
    assert c.text.split("\n")[0] == "柳州市城中区贯彻执行《柳州市落实〈广西法治政府建设实施方案(2021-2025年)〉工作方案》的方案"


def test_preview_site_page_markers_and_banner():
    src = ("《某县方案.docx》由会员分享，可在线阅读，更多相关《某县方案.docx(9页珍藏版)》请在某某网上搜索。\n"
           "1、某县实施方案。加强行政执法，提高执法\n"
           "2、质量。参加单位：市政府各部门，各县(\n"
           "3、市、区)人民政府。推进政务公开\n"
           "4、工作。")
    c = clean(src)
    assert c.text == "某县实施方案。加强行政执法，提高执法质量。参加单位：市政府各部门，各县(市、区)人民政府。推进政务公开工作。"
    whys = {w for _, _, w in c.removed}
    assert {"preview-site banner", "page marker"} <= whys
    assert len(c.page_breaks) == 4


def test_a_real_numbered_list_is_kept():
    src = "工作要求：\n1、加强领导。\n2、落实责任。\n3、强化督查。\n"
    assert clean(src).text == src


def test_running_headers_and_page_numbers():
    page = "某县法治政府建设实施方案\n"
    src = (page + "一、总体要求。\n- 1 -\n" + page + "二、主要任务。\n第2页 共3页\n" + page + "三、保障措施。\n")
    c = clean(src)
    assert "某县法治政府建设实施方案" not in c.text
    assert "- 1 -" not in c.text and "第2页" not in c.text
    assert "二、主要任务。" in c.text


def test_offsets_map_back_to_the_source():
    src = "\ufeff牵头单位:市司 法局;配合单位:（各县）"
    c = clean(src)
    assert len(c.offsets) == len(c.text) + 1
    i = c.text.index("市司法局")
    s, e = c.to_source(i, i + 4)
    assert src[s:e] == "市司 法局"
    for k, ch in enumerate(c.text):  # unchanged characters map to themselves
        if ch in "市司法局各县":
            assert src[c.offsets[k]] == ch


def test_seed_001_is_cleaned_of_markers_and_banner():
    src = next(CORPUS.glob("001_*.txt")).read_text(encoding="utf-8")
    c = clean(src)
    assert "由会员分享" not in c.text
    assert c.text.startswith("XX市法治政府建设实施方案")
    assert "各县(市、区)人民政府" in c.text
    assert "市司法局；参加单位" in c.text  # 市司\n4、法局 rejoined
    assert len(c.page_breaks) == 49  # lines 2-50 of the file open with 1、 … 49、


def test_a_numbered_list_after_unit_lines_is_kept():
    src = ("1、推进政务公开。加强政务公开。\n牵头单位：县政府办\n2、加强执法监督。健全体系。\n牵头单位：县司法局\n"
           "3、加强经费保障。纳入预算。\n牵头单位：县财政局\n")
    assert clean(src).text == src

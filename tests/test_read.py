"""The read stage: every format, every bad input, folder walking, determinism."""
from __future__ import annotations

import hashlib
import os
import shutil
import zipfile

import pytest

from kg.errors import KgError
from kg.read.files import read_file, read_paths

TASK_HEADER = ["序号", "工作任务", "牵头单位", "配合单位"]


def _fails(path, *needles):
    """read_file(path) raises a one-line KgError naming the file (and saying each needle)."""
    with pytest.raises(KgError) as info:
        read_file(path)
    msg = str(info.value)
    assert "\n" not in msg and "\r" not in msg
    assert str(path) in msg
    for needle in needles:
        assert needle in msg, msg
    return msg


# --------------------------------------------------------------------------- .txt


def test_utf8_seed_is_read_as_is(seed_path):
    path = seed_path("000")
    src = read_file(path)
    data = path.read_bytes()
    assert src.text == data.decode("utf-8")
    assert src.encoding == "utf-8" and src.format == "txt"
    assert src.name == path.name and src.path == str(path)
    assert src.sha256 == hashlib.sha256(data).hexdigest()
    assert "1．全面实行政府权责清单制度。" in src.text


def test_gbk_copy_of_a_seed_excerpt(tmp_path, seed_text):
    excerpt = seed_text("000")[:3000]
    path = tmp_path / "gbk.txt"
    path.write_bytes(excerpt.encode("gbk"))
    src = read_file(path)
    assert src.text == excerpt
    assert src.encoding == "gb18030"
    assert "柳州市城中区" in src.text and "（一）健全政府机构职能体系" in src.text


def test_gb18030_only_characters(tmp_path):
    text = "㐀𠀀 扩展区汉字与城中区司法局"  # outside GBK, inside GB18030
    path = tmp_path / "x.txt"
    path.write_bytes(text.encode("gb18030"))
    assert read_file(path).text == text


def test_utf8_bom_is_dropped(tmp_path, seed_text):
    excerpt = seed_text("002")[:500]
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + excerpt.encode("utf-8"))
    src = read_file(path)
    assert src.text == excerpt and not src.text.startswith("\ufeff")
    assert src.encoding == "utf-8-sig"


def test_utf16_with_bom(tmp_path):
    path = tmp_path / "u16.txt"
    path.write_bytes("一、总体要求\r\n区司法局".encode("utf-16"))
    src = read_file(path)
    assert src.text == "一、总体要求\n区司法局" and src.encoding == "utf-16"


def test_line_endings_become_newlines(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes("第一行\r\n第二行\r第三行\n".encode("utf-8"))
    assert read_file(path).text == "第一行\n第二行\n第三行\n"


def test_utf8_cut_inside_the_last_character(tmp_path):
    path = tmp_path / "cut.txt"
    path.write_bytes("区司法局".encode("utf-8")[:-1])
    src = read_file(path)
    assert src.text == "区司法" and src.encoding == "utf-8"


def test_gbk_cut_inside_the_last_character(tmp_path):
    path = tmp_path / "cut.txt"
    path.write_bytes("区司法局".encode("gbk")[:-1])
    assert read_file(path).text == "区司法"


def test_utf8_with_broken_bytes_is_not_read_as_gbk(tmp_path, seed_text):
    data = bytearray(seed_text("000")[:400].encode("utf-8"))
    data[300] = 0xFF
    path = tmp_path / "broken.txt"
    path.write_bytes(bytes(data))
    _fails(path, "UTF-8", "invalid byte", "re-save it as UTF-8")


def test_uppercase_extension(tmp_path):
    path = tmp_path / "PLAN.TXT"
    path.write_text("某某区实施方案", encoding="utf-8")
    assert read_file(path).format == "txt"


# --------------------------------------------------------------------------- .docx


def test_docx_paragraphs_and_task_table_in_order(tmp_path, make_docx):
    path = make_docx(tmp_path / "plan.docx", [
        "某某县法治政府建设实施方案",
        "一、主要任务",
        [TASK_HEADER,
         ["1", "健全行政决策制度。2022年年底前出台规则。", "县司法局", "县政府办\n县发改局"],
         ["2", "推进严格规范公正文明执法。", "县公安局", ""],
         ["3", "加强行政执法监督。", "", "各乡（镇）人民政府、县直各有关部门"]],
        "二、保障措施",
    ])
    src = read_file(path)
    assert src.format == "docx" and src.encoding is None
    assert src.text.split("\n") == [
        "某某县法治政府建设实施方案",
        "一、主要任务",
        "1．健全行政决策制度。2022年年底前出台规则。（牵头单位：县司法局；配合单位：县政府办、县发改局）",
        "2．推进严格规范公正文明执法。（牵头单位：县公安局）",
        "3．加强行政执法监督。（配合单位：各乡（镇）人民政府、县直各有关部门）",
        "二、保障措施",
    ]


def test_docx_task_table_labels_deadlines_and_heading_rows(tmp_path, make_docx):
    path = make_docx(tmp_path / "t.docx", [[
        ["序号", "重点任务", "牵头部门", "责任单位", "完成时限"],
        ["（一）深化行政审批制度改革", "", "", "", ""],
        ["（1）", "推行告知承诺制", "市行政审批局", "各县（区）人民政府", "2023年6月底前"],
        ["（2）", "到2025年建成一体化平台", "市大数据局", "", "到2025年"],
    ]])
    lines = read_file(path).text.split("\n")
    # python-docx's add_table cannot merge here, so the heading row has one non-empty cell
    assert lines == [
        "（一）深化行政审批制度改革",
        "（1）推行告知承诺制（完成时限：2023年6月底前）（牵头部门：市行政审批局；责任单位：各县（区）人民政府）",
        "（2）到2025年建成一体化平台（牵头部门：市大数据局）",
    ]


def test_docx_vertically_merged_unit_cell_applies_to_each_row(tmp_path, make_docx):
    import docx

    path = make_docx(tmp_path / "m.docx", [[
        TASK_HEADER,
        ["1", "任务甲。", "区司法局", "区财政局"],
        ["2", "任务乙。", "", "区审计局"],
    ]])
    d = docx.Document(path)
    table = d.tables[0]
    table.cell(1, 2).merge(table.cell(2, 2))  # one 牵头单位 for both tasks
    d.save(path)
    assert read_file(path).text.split("\n") == [
        "1．任务甲。（牵头单位：区司法局；配合单位：区财政局）",
        "2．任务乙。（牵头单位：区司法局；配合单位：区审计局）",
    ]


def test_docx_unusual_role_headers_get_the_usual_labels(tmp_path, make_docx):
    path = make_docx(tmp_path / "l.docx", [[
        ["编号", "具体措施", "牵头单位（部门）", "协同单位", "责任主体"],
        ["4", "推行行政执法公示制度。", "区司法局", "区城管局", "各街道办事处"],
    ]])
    assert read_file(path).text == (
        "4．推行行政执法公示制度。（牵头单位：区司法局；配合单位：区城管局；责任单位：各街道办事处）")


def test_docx_ordinary_table_is_tab_joined(tmp_path, make_docx):
    path = make_docx(tmp_path / "o.docx", [
        "附表",
        [["年份", "案件数"], ["2021", "177件"], ["2022", "203件"]],
    ])
    assert read_file(path).text == "附表\n年份\t案件数\n2021\t177件\n2022\t203件"


def test_docx_automatic_list_numbers_are_written_out(tmp_path, make_docx):
    path = make_docx(tmp_path / "n.docx", [
        ("List Number", "健全依法决策机制。"),
        ("List Number", "推进政务公开。"),
        "（牵头单位：区司法局）",
    ])
    assert read_file(path).text.split("\n") == [
        "1.健全依法决策机制。", "2.推进政务公开。", "（牵头单位：区司法局）"]


def test_docx_two_row_header_and_title_row(tmp_path, make_docx):
    import docx

    path = make_docx(tmp_path / "h.docx", [[
        ["附件：重点任务分工表", "", "", ""],
        ["序号", "主要任务", "责任单位", ""],
        ["", "", "牵头单位", "配合单位"],
        ["1", "1．任务甲。", "区司法局", "区财政局"],  # the task text repeats its number
        ["2", "任务乙。", "区审计局", "区发改局"],
    ]])
    d = docx.Document(path)
    t = d.tables[0]
    t.cell(0, 0).merge(t.cell(0, 3))
    t.cell(1, 2).merge(t.cell(1, 3))  # 责任单位 spans 牵头单位 | 配合单位
    t.cell(1, 0).merge(t.cell(2, 0))
    t.cell(1, 1).merge(t.cell(2, 1))
    d.save(path)
    assert read_file(path).text.split("\n") == [
        "附件：重点任务分工表",
        "1．任务甲。（牵头单位：区司法局；配合单位：区财政局）",
        "2．任务乙。（牵头单位：区审计局；配合单位：区发改局）",
    ]


def test_docx_unit_cell_that_names_its_roles(tmp_path, make_docx):
    path = make_docx(tmp_path / "r.docx", [[
        ["序号", "任务", "责任分工", "责任领导"],
        ["3", "任务丙。", "牵头单位：区司法局；配合单位：区政府办", "张某某"],
    ]])
    assert read_file(path).text == "3．任务丙。（牵头单位：区司法局；配合单位：区政府办）"


def test_docx_frame_table_gives_its_paragraphs_as_lines(tmp_path, make_docx):
    path = make_docx(tmp_path / "f.docx", ["前言", [["一、总体要求\n（一）指导思想\n正文一。\n正文二。"]], "后记"])
    assert read_file(path).text.split("\n") == [
        "前言", "一、总体要求", "（一）指导思想", "正文一。", "正文二。", "后记"]


def test_docx_tracked_changes_and_text_box_fallback(tmp_path, make_docx):
    import docx
    from docx.oxml import parse_xml

    path = make_docx(tmp_path / "x.docx", ["占位"])
    d = docx.Document(path)
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    mc = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    p = parse_xml(
        f"<w:p {w} {mc}><w:r><w:t>区司法局</w:t></w:r>"
        "<w:del><w:r><w:delText>区法制办</w:delText></w:r></w:del>"
        "<w:ins><w:r><w:t>负责</w:t></w:r></w:ins>"
        "<w:r><w:fldChar w:fldCharType='begin'/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r>"
        "<w:r><w:fldChar w:fldCharType='end'/></w:r>"
        "<w:r><mc:AlternateContent><mc:Choice Requires='wps'><w:p><w:r><w:t>框内</w:t></w:r></w:p>"
        "</mc:Choice><mc:Fallback><w:p><w:r><w:t>框内</w:t></w:r></w:p></mc:Fallback>"
        "</mc:AlternateContent></w:r><w:r><w:tab/><w:t>完</w:t></w:r></w:p>")
    body = d.element.body
    body.replace(body[0], p)
    d.save(path)
    assert read_file(path).text == "区司法局负责框内\n\t完"


def test_docx_chinese_multilevel_list_numbers(tmp_path, make_docx):
    import docx
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    path = make_docx(tmp_path / "ml.docx", ["占位"])
    d = docx.Document(path)
    numbering = d.part.numbering_part.element
    levels = [("chineseCounting", "%1、"), ("chineseCounting", "（%2）"), ("decimal", "%3．")]
    lvl_xml = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{text}"/><w:suff w:val="nothing"/></w:lvl>'
        for i, (fmt, text) in enumerate(levels))
    numbering.insert(0, parse_xml(f'<w:abstractNum {w} w:abstractNumId="90">{lvl_xml}</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {w} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    body = d.element.body
    body.remove(body[0])
    items = [(0, "总体要求"), (1, "指导思想"), (2, "任务甲。"), (2, "任务乙。"), (1, "工作原则"),
             (2, "任务丙。"), (0, "主要任务"), (1, "健全制度")]
    for k, (ilvl, text) in enumerate(items):
        body.insert(k, parse_xml(
            f'<w:p {w}><w:pPr><w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="90"/></w:numPr></w:pPr>'
            f"<w:r><w:t>{text}</w:t></w:r></w:p>"))
    d.save(path)
    assert read_file(path).text.split("\n") == [
        "一、总体要求", "（一）指导思想", "1．任务甲。", "2．任务乙。", "（二）工作原则", "1．任务丙。",
        "二、主要任务", "（一）健全制度"]


# --------------------------------------------------------------------------- .pdf


def test_pdf_with_chinese_text_layer(tmp_path, make_pdf):
    path = make_pdf(tmp_path / "p.pdf", [
        ["某某市法治政府建设实施方案（2021-2025年）", "1．健全依法决策机制。（牵头单位：市司法局）"],
        ["2．2022年年底前完成规章清理。（牵头单位：市司法局；配合单位：市政府各部门）"],
    ], wrap=None)
    src = read_file(path)
    assert src.format == "pdf"
    assert src.text.split("\n") == [
        "某某市法治政府建设实施方案（2021-2025年）",
        "1．健全依法决策机制。（牵头单位：市司法局）",
        "2．2022年年底前完成规章清理。（牵头单位：市司法局；配合单位：市政府各部门）",
    ]


def test_pdf_of_a_seed_keeps_every_character(tmp_path, make_pdf, seed_text):
    lines = [line.strip() for line in seed_text("000").split("\n")[:60]]
    pages = [lines[i:i + 20] for i in range(0, len(lines), 20)]  # wrapped at 38 characters
    src = read_file(make_pdf(tmp_path / "seed.pdf", pages))
    assert "".join(src.text.split()) == "".join("".join(lines).split())
    assert src.text.count("\n") > len(lines)  # wrapped lines stay broken: cleaning's job


# --------------------------------------------------------------------------- .html


def test_html_body_text_without_script_and_style(tmp_path, make_html):
    body = """
<script>var leak = "脚本内容不应出现";</script>
<style>.x { color: red } /* 样式 */</style>
<div class="nav">首页 &gt; 政务公开</div>
<h1>某某区法治政府建设实施方案</h1>
<p>&nbsp;&nbsp;一、主要任务</p>
<p>1．健全依法决策机制。<br>（牵头单位：区司法局&amp;区政府办）</p>
<table>
  <tr><th>序号</th><th>工作任务</th><th>牵头单位</th><th>配合单位</th></tr>
  <tr><td>2</td><td>推进政务公开。</td><td rowspan="2">区政务服务中心</td><td>区大数据局</td></tr>
  <tr><td>3</td><td>优化营商环境。</td><td>区发改局<br>区市场监管局</td></tr>
</table>
<noscript>请启用脚本</noscript>
<p>二、保障
措施</p>
"""
    path = make_html(tmp_path / "page.html", body, head_extra="<script>var head=1</script>")
    src = read_file(path)
    assert src.format == "html" and src.encoding == "utf-8"
    assert src.text.split("\n") == [
        "首页 > 政务公开",
        "某某区法治政府建设实施方案",
        "一、主要任务",
        "1．健全依法决策机制。",
        "（牵头单位：区司法局&区政府办）",
        "2．推进政务公开。（牵头单位：区政务服务中心；配合单位：区大数据局）",
        "3．优化营商环境。（牵头单位：区政务服务中心；配合单位：区发改局、区市场监管局）",
        "二、保障 措施",
    ]
    for absent in ("脚本", "样式", "color", "var ", "请启用脚本", "标题"):
        assert absent not in src.text


def test_html_declared_gbk(tmp_path, make_html):
    path = make_html(tmp_path / "gbk.htm", "<p>柳州市城中区司法局</p>", charset="gbk")
    src = read_file(path)
    assert src.text == "柳州市城中区司法局" and src.encoding == "gb18030"


def test_html_http_equiv_gb2312(tmp_path):
    path = tmp_path / "old.html"
    page = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
            "</head><body><p>二、工作任务</p></body></html>")
    path.write_bytes(page.encode("gb2312"))
    assert read_file(path).text == "二、工作任务"


def test_html_layout_table_keeps_paragraphs(tmp_path, make_html):
    body = ("<table><tr><td><p>一、总体要求</p><p>（一）指导思想</p><p>正文一。</p><p>正文二。</p>"
            "</td></tr></table>")
    path = make_html(tmp_path / "layout.html", body)
    assert read_file(path).text.split("\n") == ["一、总体要求", "（一）指导思想", "正文一。", "正文二。"]


def test_html_without_body_tag(tmp_path):
    path = tmp_path / "frag.html"
    path.write_text("<title>题</title><p>第一段</p><p>第二段</p>", encoding="utf-8")
    assert read_file(path).text == "第一段\n第二段"


# --------------------------------------------------------------------------- bad input


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    _fails(path, "empty")


def test_whitespace_only_file(tmp_path):
    path = tmp_path / "blank.txt"
    path.write_text(" \n\u3000\t\r\n", encoding="utf-8")
    _fails(path, "no text")


def test_binary_file_with_nul_bytes(tmp_path):
    path = tmp_path / "bin.txt"
    path.write_bytes(bytes(range(256)) * 8)
    _fails(path, "binary")


def test_binary_file_without_nul_bytes(tmp_path):
    path = tmp_path / "noise.txt"
    path.write_bytes(bytes((i * 37 + 11) % 255 + 1 for i in range(4000)))
    _fails(path, "binary")


def test_image_named_txt(tmp_path):
    path = tmp_path / "scan.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    _fails(path, "PNG")


def test_truncated_docx(tmp_path, make_docx):
    full = make_docx(tmp_path / "full.docx", ["某某区实施方案", [TASK_HEADER, ["1", "任务。", "区司法局", ""]]])
    data = full.read_bytes()
    path = tmp_path / "cut.docx"
    path.write_bytes(data[: len(data) // 2])
    _fails(path, "not a valid .docx", "re-save it from Word")


def test_docx_that_is_text(tmp_path):
    path = tmp_path / "fake.docx"
    path.write_text("这不是一个Word文件", encoding="utf-8")
    _fails(path, "not a valid .docx")


def test_zip_without_word_document(tmp_path):
    path = tmp_path / "other.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "hi")
    _fails(path, "not a valid .docx")


def test_old_doc_renamed_docx(tmp_path):
    path = tmp_path / "old.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    _fails(path, "save it as .docx")


def test_docx_without_text(tmp_path, make_docx):
    path = make_docx(tmp_path / "empty.docx", ["", "   "])
    _fails(path, "no text")


def test_truncated_pdf(tmp_path, make_pdf):
    full = make_pdf(tmp_path / "full.pdf", [["某某市实施方案"], ["第二页"]])
    data = full.read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: len(data) // 2])
    _fails(path, "not a valid PDF")


def test_pdf_that_is_not_a_pdf(tmp_path):
    path = tmp_path / "fake.pdf"
    path.write_text("<html>not a pdf</html>", encoding="utf-8")
    _fails(path, "not a valid PDF")


def test_pdf_without_text_layer(tmp_path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(path))
    c.rect(50, 50, 200, 300, fill=1)  # drawing only, like a scanned image
    c.showPage()
    c.save()
    _fails(path, "no text layer", "OCR")


def test_scanned_pdf_with_only_page_numbers_in_its_text_layer(tmp_path, make_pdf):
    path = make_pdf(tmp_path / "scan2.pdf", [["- 1 -"], ["- 2 -"]])
    _fails(path, "no text layer")


def test_password_protected_pdf(tmp_path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "locked.pdf"
    c = canvas.Canvas(str(path), encrypt="secret")
    c.drawString(72, 700, "hello")
    c.showPage()
    c.save()
    _fails(path, "password")


def test_html_with_empty_body(tmp_path, make_html):
    path = make_html(tmp_path / "empty.html", "<script>document.write('内容')</script>")
    _fails(path, "no text")


def test_unsupported_extension(tmp_path):
    path = tmp_path / "plan.pages"  # .doc is read since issue 21 (kg.read.office)
    path.write_bytes(b"whatever")
    msg = _fails(path, "unsupported", ".docx")
    assert ".txt" in msg and ".pdf" in msg and ".html" in msg


def test_missing_file():
    _fails("no/such/plan.txt", "no such file")


def test_missing_path_in_read_paths(tmp_path):
    missing = str(tmp_path / "nowhere")
    with pytest.raises(KgError) as info:
        read_paths([missing])
    assert missing in str(info.value) and "\n" not in str(info.value)


def test_folder_without_documents(tmp_path):
    folder = tmp_path / "empty"
    (folder / "sub").mkdir(parents=True)
    (folder / "notes.xlsx").write_bytes(b"x")
    (folder / ".hidden.txt").write_text("隐藏", encoding="utf-8")
    with pytest.raises(KgError) as info:
        read_paths([str(folder)])
    msg = str(info.value)
    assert str(folder) in msg and "no documents" in msg and "\n" not in msg


def test_bad_file_inside_a_folder_is_named(tmp_path):
    (tmp_path / "a.txt").write_text("某某区实施方案", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"")
    with pytest.raises(KgError) as info:
        read_paths([str(tmp_path)])
    assert str(tmp_path / "b.txt") in str(info.value)


# --------------------------------------------------------------------------- folders, determinism


def test_folder_walk_is_recursive_sorted_and_filtered(tmp_path, make_docx, make_html):
    root = tmp_path / "docs"
    (root / "b_sub" / "deep").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "z.txt").write_text("Z文件", encoding="utf-8")
    (root / "a.TXT").write_text("A文件", encoding="utf-8")
    (root / "b_sub" / "deep" / "c.txt").write_text("C文件", encoding="utf-8")
    make_docx(root / "b_sub" / "d.docx", ["D文件"])
    make_html(root / "e.htm", "<p>E文件</p>")
    (root / ".git" / "x.txt").write_text("不读", encoding="utf-8")
    (root / ".hidden.txt").write_text("不读", encoding="utf-8")
    (root / "~$lock.docx").write_bytes(b"\x00lock")
    (root / "notes.md").write_text("不读", encoding="utf-8")
    sources = read_paths([str(root)])
    # sorted by relative path: a.TXT, b_sub/d.docx, b_sub/deep/c.txt ('.' < 'e'), e.htm, z.txt
    assert [s.text for s in sources] == ["A文件", "D文件", "C文件", "E文件", "Z文件"]
    assert sources[2].path == os.path.join(str(root), "b_sub", "deep", "c.txt")
    assert [s.format for s in sources] == ["txt", "docx", "txt", "html", "txt"]


def test_bundled_corpus(corpus_dir):
    sources = read_paths([str(corpus_dir)])
    names = [s.name for s in sources]
    assert names == sorted(p.name for p in corpus_dir.iterdir() if p.suffix == ".txt")
    assert len(sources) == 5 and all(s.encoding == "utf-8" for s in sources)


def test_files_and_folders_keep_given_order_and_are_read_once(tmp_path, seed_path):
    folder = tmp_path / "f"
    folder.mkdir()
    shutil.copy(seed_path("003"), folder / "x.txt")
    single = tmp_path / "single.txt"
    single.write_text("单个文件", encoding="utf-8")
    sources = read_paths([str(single), str(folder), str(folder / "x.txt")])
    assert [s.name for s in sources] == ["single.txt", "x.txt"]


def test_reading_is_deterministic(tmp_path, make_docx, make_pdf, make_html, corpus_dir):
    make_docx(tmp_path / "a.docx", ["甲", [TASK_HEADER, ["1", "任务。", "区司法局", "区财政局"]]])
    make_pdf(tmp_path / "b.pdf", [["乙页一"], ["乙页二"]])
    make_html(tmp_path / "c.html", "<p>丙</p>")
    paths = [str(tmp_path), str(corpus_dir)]
    first, second = read_paths(paths), read_paths(paths)
    assert first == second
    assert [s.name for s in first][:3] == ["a.docx", "b.pdf", "c.html"]
    assert first[1].text == "乙页一\n乙页二"


def test_no_paths_at_all():
    with pytest.raises(KgError, match="no documents given"):
        read_paths([])


# --------------------------------------------------------------------------- hostile and odd inputs (issue 19)


def test_utf16_without_a_bom_is_text(tmp_path, seed_text):
    """UTF-16 without a byte order mark (little and big endian) is told from its NUL bytes, not
    called binary."""
    excerpt = seed_text("000")[:4000]
    for enc in ("utf-16-le", "utf-16-be"):
        path = tmp_path / f"{enc}.txt"
        path.write_bytes(excerpt.encode(enc))
        src = read_file(path)
        assert src.text == excerpt and src.encoding == enc
    html = tmp_path / "page.html"
    html.write_bytes(f"<html><body><p>{excerpt[:200]}</p></body></html>".encode("utf-16-le"))
    assert read_file(html).text.startswith("柳州市城中区贯彻执行《柳州市落实〈广西")
    _fails(_write(tmp_path / "bin.txt", bytes(range(256)) * 40), "binary")


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_is_refused_at_once_and_skipped_in_a_folder(tmp_path, seed_path):
    """A FIFO named x.txt would block a read forever: given by name it is refused at once (checked
    in a child process, so a hang fails the test instead of stalling it); in a folder it is left out."""
    import subprocess
    import sys
    from pathlib import Path

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(seed_path("000"), folder / "plan.txt")
    os.mkfifo(folder / "x.txt")
    root = Path(__file__).resolve().parent.parent
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from kg.read.files import read_file, read_paths\n"
            "try:\n    read_file(sys.argv[2])\nexcept Exception as e:\n    print(type(e).__name__, e)\n"
            "print([s.name for s in read_paths([sys.argv[3]])])\n")
    r = subprocess.run([sys.executable, "-c", code, str(root), str(folder / "x.txt"), str(folder)],
                       capture_output=True, text=True, timeout=60)
    lines = r.stdout.splitlines()
    assert lines[0].startswith("KgError") and "not a regular file" in lines[0], r
    assert lines[1] == "['plan.txt']"


def test_a_zip_bomb_docx_is_refused(tmp_path, make_docx):
    path = make_docx(tmp_path / "bomb.docx", ["某区实施方案"])
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/media/bomb.xml", b"\0" * 60_000_000)
    assert path.stat().st_size < 1_000_000
    _fails(path, "unpacks to 61 MB", "50 MB")  # the member and the docx itself
    small = make_docx(tmp_path / "ok.docx", ["某区实施方案"])
    assert read_file(small).text == "某区实施方案"


def test_a_looping_or_broken_link_is_said_as_such(tmp_path):
    os.symlink(tmp_path / "b.txt", tmp_path / "a.txt")
    os.symlink(tmp_path / "a.txt", tmp_path / "b.txt")
    with pytest.raises(KgError, match="loops") as info:
        read_paths([str(tmp_path / "a.txt")])
    assert "no such file" not in str(info.value)
    _fails(tmp_path / "a.txt", "loops")
    os.symlink(tmp_path / "gone.txt", tmp_path / "broken.txt")
    with pytest.raises(KgError, match="broken symbolic link"):
        read_paths([str(tmp_path / "broken.txt")])

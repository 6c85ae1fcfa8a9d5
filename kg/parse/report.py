"""Annual reports on rule-of-law government (法治政府建设情况报告) -> Document(kind='report').

* the title (the leading short lines up to the one naming 报告), the year covered (the first
  20xx年 of the title), the reporting body as written in full (柳江区 -> 柳州市柳江区人民政府 when
  the text names the enclosing city; a department keeps its name, 柳州市行政审批局), region, level;
* sections: 一、 (depth 1), （一） (2), 1． (3, title up to the first 。), and short unnumbered
  lines that name a part of the genre (存在问题和原因); each typed from its own or its ancestors'
  title (achievements | problems | plans | leadership) and themed (kg.parse.themes: title, then text,
  then the parent's theme);
* measures: each sentence of a section's own text (a 。, or a ；/line before 一是/二是 …) with the
  units it names (UnitMention role 'responsible', label '报告提及': a body the report credits
  with the action) and its figures (kg.parse.figures).
"""
from __future__ import annotations

import re
from typing import Optional

from kg.errors import KgError
from kg.identity import document_id
from kg.model import CleanText, Document, Measure, Section, Source, UnitMention
from kg.parse import figures, themes

_CN = "一二三四五六七八九十"
_H1 = re.compile(rf"^[{_CN}]+\s*[、．.]\s*")
_H2 = re.compile(rf"^[（(][{_CN}]+[）)]\s*")
_H3 = re.compile(r"^\d{1,2}\s*[．.、](?!\d)\s*")
# Unnumbered part headings: 存在问题和原因, 下一步工作打算, 2022年工作思路 …
_PART_WORDS = re.compile(r"(存在的?问题|不足|下一步|工作打算|工作计划|工作思路|工作安排|主要安排|主要举措|主要做法|成效|第一责任人)")

# Section types, tried in this order on a title.
TYPE_RULES = (
    ("leadership", re.compile(r"第一责任人|党政主要负责人履行")),
    ("problems", re.compile(r"不足|存在的?问题|问题和原因|短板|差距|薄弱")),
    ("plans", re.compile(r"下一步|打算|工作计划|年度?计划|主要安排|工作安排|工作思路|工作谋划|思路|努力方向|\d{4}年(?:度)?(?:工作)?(?:重点|要点)")),
    ("achievements", re.compile(r"举措|成效|做法|成绩|进展|工作情况|开展情况|主要工作|取得")),
)

_REPORT_TITLE = re.compile(r"报告")
_NOT_REPORT = re.compile(r"方案|要点|规划|纲要|意见|办法|通知|决定|规定|细则")

# Units named in a sentence: a level prefix, a core, a body suffix.
_UNIT = re.compile(
    r"(?:(?<=^)|(?<=[，。；：、和与及同由对在“（受向经请]))"
    r"(?P<u>(?:各)?(?:自治区|省|市|区|县|州|旗)"
    r"(?:委(?:常委会)?|政府(?:常务会)?|人大(?:常委会)?|政协|纪委监委|"
    r"[\u4e00-\u9fff]{1,10}?(?:局|委员会|委|办公室|办|厅|法院|检察院|中心|支队|大队))"
    r"|各(?:司法所|乡镇|镇|街道|部门|县区|区县|单位))"
)


def _lines(t: str):
    """(start, end) of every line of ``t`` (end excludes the newline)."""
    pos = 0
    for line in t.split("\n"):
        yield pos, pos + len(line)
        pos += len(line) + 1


def _head(t: str) -> tuple[str, int]:
    """The title (leading short lines up to the one with 报告) and where the body starts."""
    parts: list[str] = []
    end = 0
    for s, e in _lines(t):
        line = t[s:e].strip()
        if not line:
            if parts:
                end = e
            continue
        if "。" in line or len(line) > 60 or len(parts) >= 4:
            break
        parts.append(line)
        end = e
        if _REPORT_TITLE.search(line):
            return "".join(parts), end
    return ("".join(parts[:1]), (t.find("\n") if parts else 0))


def is_report(clean_text: str) -> bool:
    """An annual report: its title names a 报告 (not a plan, 要点 or 通知 about one), or its
    opening says 现将…报告如下."""
    title, _ = _head(clean_text)
    if title and _REPORT_TITLE.search(title) and not _NOT_REPORT.search(title.replace("报告", "")):
        return True
    return bool(re.search(r"现将[^。]{0,40}报告如下", clean_text[:3000]))


def _year(title: str, text: str) -> Optional[int]:
    m = re.search(r"((?:19|20)\d{2})\s*年", title) or re.search(r"((?:19|20)\d{2})\s*年", text[:1500])
    return int(m.group(1)) if m else None


_REGION_END = re.compile(r"^(?P<r>(?:[^市省区县旗盟]{1,8}?(?:自治区|自治州|自治县|省|市|盟|区|县|旗))+)")
_DEPT_END = re.compile(r"(局|委员会|委|办公室|办|厅|院|中心|公司|所)$")


def _body(title: str, text: str) -> tuple[Optional[str], Optional[str], Optional[str]]:
    """(reporting body in full, region, level) from the title, e.g. 柳江区2024年度… ->
    (柳州市柳江区人民政府, 柳州市柳江区, district)."""
    t = re.sub(r"\s+", "", title)
    m = re.match(r"^(?P<b>.+?)(?:关于)?(?:(?:19|20)\d{2}年|关于)", t)
    name = m.group("b") if m else None
    if not name:
        m = re.search(r"(?:^|，)(?P<b>[\u4e00-\u9fff]{2,20}?)(?:坚持|认真|始终|在)", text[:400])
        name = m.group("b") if m else None
    if not name:
        return None, None, None
    if name.endswith("关于"):
        name = name[:-2]
    if name.endswith(("人民政府", "政府")) and len(name) > 4:
        name = name[: -4 if name.endswith("人民政府") else -2]  # 某某县人民政府 -> 某某县 (made full below)
    if _DEPT_END.search(name) and not name.endswith(("自治区", "市", "区", "县")):
        r = _REGION_END.match(name)
        return name, (r.group("r") if r and r.group("r") != name else None), "department"
    region = name
    if region.endswith(("区", "县", "旗")) and not region.endswith("自治区"):
        # the enclosing city, when the text writes it before the district's name
        m = re.search(r"([\u4e00-\u9fff]{2,6}?(?:市|州|盟))" + re.escape(region), text)
        if m:
            region = m.group(1) + region
        level = "district"
    elif region.endswith(("自治区", "省")):
        level = "province"
    elif region.endswith(("市", "州", "盟")):
        level = "city"
    else:
        level = None
    return region + "人民政府", region, level


def _headings(t: str, start: int) -> list[tuple[int, int, int, str, str]]:
    """(start, title end, depth, number, title) of every heading after ``start``."""
    out = []
    for s, e in _lines(t):
        if s < start:
            continue
        line = t[s:e]
        stripped = line.lstrip()
        s0 = s + len(line) - len(stripped)
        for depth, rx in ((1, _H1), (2, _H2), (3, _H3)):
            m = rx.match(stripped)
            if m:
                rest = stripped[m.end():]
                stop = rest.find("。")
                title = rest if stop < 0 else rest[:stop]
                if depth < 3 and stop >= 0 and len(title) > 60:
                    continue
                number = m.group(0).strip()
                tend = s0 + m.end() + (len(rest) if stop < 0 else stop + 1)
                out.append((s0, tend, depth, number, title.strip()))
                break
        else:
            if (stripped and len(stripped) <= 30 and not re.search(r"[。，；：]", stripped)
                    and _PART_WORDS.search(stripped)):
                out.append((s0, e, 1, "", stripped.strip()))
    return out


def section_type(title: str) -> Optional[str]:
    for kind, rx in TYPE_RULES:
        if rx.search(title or ""):
            return kind
    return None


# A measure ends at 。！？, at a line break, or at a ；before the next 一是/二是 ….
_SENT = re.compile(rf"[。！？!?]|\n|；(?=\s*[{_CN}]+是)|;(?=\s*[{_CN}]+是)")


def _sentences(t: str, s: int, e: int):
    pos = s
    for m in _SENT.finditer(t, s, e):
        yield pos, m.end() if t[m.start()] != "\n" else m.start()
        pos = m.end()
    if pos < e:
        yield pos, e


def find_units(sentence: str) -> list[str]:
    """Bodies a sentence names: 市公安局, 区委, 区人大及其常委会 -> 区人大, 各司法所 …"""
    out: list[str] = []
    for m in _UNIT.finditer(sentence):
        u = m.group("u")
        u = re.sub(r"(常委会|常务会)$", "", u) if u.endswith(("政府常务会",)) else u
        if u not in out:
            out.append(u)
    return out


def parse_report(source: Source, text: CleanText) -> Document:
    """Read an annual report (see the module docstring)."""
    t = text.text
    if not t.strip():
        raise KgError(f"{source.name}: the file is empty: give an annual report with text")
    title, body_start = _head(t)
    doc = Document(id=document_id(source), source=source, kind="report", title=title)
    doc.year = _year(title, t)
    doc.reporting_body, doc.region, doc.level = _body(title, t)
    if doc.year:
        doc.period = (doc.year, doc.year)

    heads = _headings(t, body_start)
    # section ids by position: s1, s1-2, s1-2-3
    counters: list[int] = [0, 0, 0]
    stack: list[tuple[int, str]] = []  # (depth, id)
    bounds = []
    for k, (s, tend, depth, number, htitle) in enumerate(heads):
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parent = stack[-1][1] if stack else None
        pdepth = stack[-1][0] if stack else 0
        depth = pdepth + 1 if depth > pdepth + 1 else depth  # 1． straight under 一、
        counters[depth - 1] += 1
        for j in range(depth, 3):
            counters[j] = 0
        sid = (parent + "-" if parent else "s") + str(counters[depth - 1])
        # span: to the next heading of the same or a higher level
        end = len(t)
        for s2, _, d2, _, _ in heads[k + 1:]:
            if d2 <= depth:
                end = s2
                break
        sec = Section(id=sid, number=number, depth=depth, title=htitle, parent=parent,
                      span=text.to_source(s, end))
        doc.sections.append(sec)
        bounds.append((sec, s, tend, end))
        stack.append((depth, sid))

    by_id = {sec.id: sec for sec in doc.sections}
    own: dict[str, tuple[int, int]] = {}
    for i, (sec, s, tend, end) in enumerate(bounds):
        nxt = bounds[i + 1][1] if i + 1 < len(bounds) else len(t)
        own[sec.id] = (tend, min(end, nxt))
    for sec in doc.sections:
        kind, p = section_type(sec.title), sec.parent
        while kind is None and p:
            kind, p = section_type(by_id[p].title), by_id[p].parent
        if kind:
            doc.section_types[sec.id] = kind
    for sec in doc.sections:
        s, e = own[sec.id]
        whole = t[s:e]
        children = [c for c in doc.sections if c.parent == sec.id]
        kind = doc.section_types.get(sec.id)
        if kind == "leadership":
            doc.section_themes[sec.id] = "leadership"
            continue
        if children and sec.depth == 1 and kind in ("achievements", "plans", None):
            continue  # a part of the report: its sections carry the themes
        if children:
            whole = t[s:bounds[[b[0].id for b in bounds].index(sec.id)][3]]
        parent_theme = doc.section_themes.get(sec.parent) if sec.parent else None
        th = themes.classify(sec.title, whole, fallback=parent_theme)
        if th:
            doc.section_themes[sec.id] = th

    n = 0
    for sec in doc.sections:
        s, e = own[sec.id]
        for a, b in _sentences(t, s, e):
            raw = t[a:b]
            sent = raw.strip()
            if len(re.findall(r"[\u4e00-\u9fff]", sent)) < 6:
                continue
            lead = len(raw) - len(raw.lstrip())
            a2 = a + lead
            n += 1
            m = Measure(id=f"m{n}", text=sent, section=sec.id, span=text.to_source(a2, a2 + len(sent)))
            for u in find_units(sent):
                i = sent.find(u)
                m.units.append(UnitMention(text=u, role="responsible", label="报告提及",
                                           span=text.to_source(a2 + i, a2 + i + len(u))))
            m.figures = figures.find_figures(sent, year=doc.year, base=a2, to_source=text.to_source)
            doc.measures.append(m)
    return doc


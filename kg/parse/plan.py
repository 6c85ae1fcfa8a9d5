"""Parse an implementation plan (实施方案/工作方案) into a Document: title, level, region, period,
parent directives, sections, tasks with their units, deadlines and recurring duties, diagnostics.

Written for the genre, not for one file: headings are found at line starts and inside run-on
text (preview-site scrapes lose line breaks); the level that carries unit annotations is the
task level; page fragments that put a unit line on another page than its task are placed back
by the words they share with the task and by unfinished sentences, and reported.
"""
from __future__ import annotations

import bisect
from array import array
import re
from dataclasses import dataclass, field
from typing import Optional

from kg.parse.annotations import Annotation, find_annotations, first_listed_leads, unread_brackets
from kg.parse.dates import find_deadlines, find_recurrences
from kg.identity import document_id
from kg.model import CleanText, Diagnostic, Document, ParentRef, Section, Source, Task

_CN_NUM = "一二三四五六七八九十"
_CN_VAL = {c: i + 1 for i, c in enumerate(_CN_NUM)}
_CJK = "\u3400-\u9fff"
# level 1 is ([一二…十]{1,3})、 — found from its 、 (a literal the regex engine skips ahead to; a
# class of numerals in front of it made the engine test every character): see _l1_matches
_L1_MARK = re.compile(rf"、(?<=[{_CN_NUM}]、)")
_L2 = re.compile(rf"\(([{_CN_NUM}]{{1,3}}|[A-Z])\)(?=\s*[{_CJK}])")
# (the look-behinds stand after the first character, so that the regex engine can skip ahead to
# a digit / a dot instead of trying every position: same matches)
_L3 = re.compile(rf"(\d(?<![\d.A-Za-z]\d)\d{{0,2}})\s*[.、](?!\d)(?=\s*[{_CJK}“\"])")
# _L3 over a whole text is found from its mark (. or 、, literals the regex engine skips ahead to,
# after a digit or a blank), then checked back in Python: see _l3_matches
_L3_DOT = re.compile(r"\.(?<=[\d\s]\.)")
_L3_DUN = re.compile(r"、(?<=[\d\s]、)")
_L3_TAIL = re.compile(rf"(?!\d)(?=\s*[{_CJK}“\"])")
_DIGIT_TITLE = re.compile(rf"\d{{2,5}}[{_CJK}]")
_L4 = re.compile(rf"\((\d{{1,2}})\)(?=\s*[{_CJK}])")
_LOST = re.compile(rf"[.](?<![\dA-Za-z.][.])(?=[{_CJK}])")
_SENT_END = "。；！？"
_GENRE = "方案|规划|纲要|意见|条例|办法|决定|规定|计划|细则|要点|通知|措施|举措"
_PERIOD = re.compile(r"((?:19|20)\d{2})\s*[-—–－~至到]?\s*((?:19|20)\d{2})\s*年")
_RELATION = re.compile(r"为确保|根据|依据|按照|贯彻落实|贯彻执行|贯彻|落实")
_BARE_TITLE = re.compile(
    rf"([^\s，。；、《》()]{{2,40}}?(?:{_GENRE}))\((\d{{4}})\s*[-—–~]?\s*(\d{{4}})\s*年\)")


@dataclass
class _Heading:
    level: int  # 1 一、 2 (一) 3 1. 4 (1); 3 also for a task whose number was lost
    number: Optional[str]  # as printed: 一、 (一) 12 …; None when lost
    value: Optional[int]
    start: int  # where the marker starts
    body: int  # where the text after the marker starts
    line_start: bool
    lost: bool = False
    plain: bool = False  # an unnumbered paragraph that carries a unit annotation


@dataclass
class _Piece:
    """A task being built: its heading, text range and annotations."""

    head: _Heading
    end: int
    section: Optional[str]
    anns: list[Annotation] = field(default_factory=list)
    extra_text: list[tuple[int, int]] = field(default_factory=list)  # placed fragments
    cut: Optional[int] = None  # text after this belongs elsewhere
    new_section: bool = False  # a section heading stands between this task and the one before


class _Consulted(set):
    """An empty set of known unit names that notes whether anything was looked up in it."""

    asked = False

    def __contains__(self, name) -> bool:
        self.asked = True
        return False


def _at_line_start(t: str, i: int) -> bool:
    j = i - 1
    while j >= 0 and t[j] in " \t":
        j -= 1
    return j < 0 or t[j] == "\n"


def _l1_matches(t: str, start: int):
    """(numerals, start, end) of each match of ([一二…十]{1,3})、 in ``t`` from ``start``, as finditer
    would give them: the leftmost start is the run's first numeral, at most three before the 、."""
    for m in _L1_MARK.finditer(t, start):
        k = m.start()
        s = k - 1
        if s < start:
            continue
        lo = max(start, k - 3)
        while s > lo and t[s - 1] in _CN_NUM:
            s -= 1
        yield t[s:k], s, k + 1


def _l3_matches(t: str, start: int):
    """(digits, start, end) of each match of _L3 in ``t`` from ``start``, as finditer would give
    them: a run of 1-3 digits not after a digit, dot or ASCII letter, blanks, the mark, then no
    digit and (after blanks) a Chinese character or a quotation mark."""
    marks = [m.start() for m in _L3_DOT.finditer(t, start)] + [m.start() for m in _L3_DUN.finditer(t, start)]
    marks.sort()
    for k in marks:
        j = k
        while j > start and t[j - 1].isspace():
            j -= 1
        d = j
        while d > start and j - d < 3 and t[d - 1].isdecimal():
            d -= 1
        if d == j or d > 0 and (t[d - 1].isdecimal() or t[d - 1] == "." or t[d - 1].isascii() and t[d - 1].isalpha()):
            continue
        if _L3_TAIL.match(t, k + 1):
            yield t[d:j], d, k + 1, False
        elif _DIGIT_TITLE.match(t, k + 1):
            yield t[d:j], d, k + 1, True  # 11.121人才梯队项目: a title that starts with digits


def _find_headings(t: str, start: int) -> list[_Heading]:
    heads: list[_Heading] = []
    # level 1: at a line start or after a finished sentence, or the next number in sequence
    last1 = 0
    for g, ms, me in _l1_matches(t, start):
        v = sum(_CN_VAL.get(c, 0) for c in g) if g != "十" else 10
        if len(g) == 2 and g[0] == "十":
            v = 10 + _CN_VAL[g[1]]
        elif len(g) >= 2 and g[1] == "十":
            v = _CN_VAL[g[0]] * 10 + (_CN_VAL.get(g[2], 0) if len(g) == 3 else 0)
        ls = _at_line_start(t, ms)
        prev = t[ms - 1] if ms else "\n"
        if ls or prev in _SENT_END or (v == last1 + 1 and v > 1):
            if ls or v == last1 + 1 or prev in "。":
                heads.append(_Heading(1, t[ms:me], v, ms, me, ls))
                last1 = v
    for m in _L2.finditer(t, start):
        g = m.group(1)
        v = _CN_VAL.get(g, 0) if len(g) == 1 else None
        if g.isascii():
            # an OCR-damaged numeral (A): accepted only when a task number follows the title
            nxt = t[m.end():m.end() + 40]
            if not _L3.search(nxt):
                continue
            v = None
        elif len(g) > 1:
            v = (10 + _CN_VAL.get(g[1], 0)) if g[0] == "十" else _CN_VAL[g[0]] * 10 + _CN_VAL.get(g[-1], 0) * (g[-1] != "十")
        heads.append(_Heading(2, m.group(0), v, m.start(), m.end(), _at_line_start(t, m.start())))
    last3 = None
    for g, ms, me, digit_title in _l3_matches(t, start):
        ls = _at_line_start(t, ms)
        prev = t[ms - 1] if ms else "\n"
        if digit_title:
            # only at a line start, as the next number after the task before
            if not ls or last3 is None or int(g) != last3 + 1:
                continue
        if not ls:
            if prev == "第" or prev.isdigit():
                continue
            stop = t.find("。", me, me + 80)
            if stop == -1:
                continue
            if re.search(r"[:：]", t[me:stop]):
                continue
        heads.append(_Heading(3, g, int(g), ms, me, ls))
        if ls:
            last3 = int(g)
    for m in _L4.finditer(t, start):
        heads.append(_Heading(4, m.group(0), int(m.group(1)), m.start(), m.end(), _at_line_start(t, m.start())))
    for m in _LOST.finditer(t, start):
        prev = t[m.start() - 1] if m.start() else "\n"
        if prev.isascii() and prev.isalnum():
            continue
        stop = t.find("。", m.end(), m.end() + 40)
        if stop == -1 or re.search(r"[:：；]", t[m.end():stop]):
            continue
        heads.append(_Heading(3, None, None, m.start(), m.end(), _at_line_start(t, m.start()), lost=True))
    # in a document laid out in lines, a number inside a paragraph (…：1、…；2、…) is not a heading
    for level in (2, 3, 4):
        cands = [h for h in heads if h.level == level and not h.lost]
        if cands and sum(h.line_start for h in cands) * 2 >= len(cands):
            heads = [h for h in heads if h.level != level or h.line_start or h.lost]
            if level == 3:
                heads = [h for h in heads if not h.lost or h.line_start]
    heads.sort(key=lambda h: h.start)
    # drop headings that sit inside another heading's marker
    out: list[_Heading] = []
    for h in heads:
        if out and h.start < out[-1].body:
            continue
        out.append(h)
    return out


def _title(t: str) -> tuple[str, int]:
    """The title and the offset where the text after it starts."""
    i = 0
    while True:  # skip blank lines, 附件1, a document number line (桃政办发〔2022〕3号)
        while i < len(t) and t[i].isspace():
            i += 1
        nl = t.find("\n", i)
        line = t[i:len(t) if nl == -1 else nl].strip()
        if nl != -1 and (re.fullmatch(r"附件\s*\d*[:：]?", line) or re.search(r"[〔\[]\d{4}[〕\]]\s*\d+\s*号$", line)
                         or len(line) < 3):
            i = nl + 1
            continue
        break
    nl = t.find("\n", i)
    line_end = len(t) if nl == -1 else nl
    line = t[i:line_end]
    if len(line) > 80:
        # a run-on first line: the title ends at the first genre word outside 《…》 (and its period)
        for m in re.finditer(rf"(?:{_GENRE})(?:\((?:\d{{4}}\s*[-—–~至]?\s*\d{{4}}\s*年|征求意见稿|试行|送审稿|草案|讨论稿)\))*",
                             line[:160]):
            head = line[:m.end()]
            if m.start() >= 4 and head.count("《") <= head.count("》") and head.count("〈") <= head.count("〉"):
                if line[m.end():m.end() + 1] in ("》", "〉"):
                    continue
                return head.strip(), i + m.end()
        return line[:40], i + 40
    title = line.strip()
    end = line_end
    # a title broken over two short lines, the second ending with the genre word
    if nl != -1 and not re.search(rf"(?:{_GENRE}|报告)(?:\([^)]*\))*$", title):
        j = nl
        while j < len(t) and t[j].isspace():
            j += 1
        k = t.find("\n", j)
        k = len(t) if k == -1 else k
        nxt = t[j:k].strip()
        if nxt and len(nxt) <= 40 and "。" not in nxt and (
                re.search(rf"(?:{_GENRE}|报告|总结)(?:\([^)]*\))*$", nxt) or re.search(r"(?:关于|的|和|及|与)$", title)):
            title += nxt
            end = k
    return title, end


# ---------------------------------------------------------------- the opening of a plan
# Real files open with more than the plan's title: a covering notice (关于印发《X》的通知, the
# document number 桂发〔2021〕XX号, the addressee line, 现将《X》印发给你们, the issuing bodies and
# the date), a 附件 line, or lines a site or a converter put there (发布日期：…, 原文链接：…,
# 当前位置：…). ``_opening`` finds the plan's own title after all of them, and keeps the notice's
# issuers and date.

_DOC_NUMBER = re.compile(r"[〔\[(（]\s*(?:19|20)\d{2}\s*[〕\])）]\s*[0-9０-９XxＸ×○一二三四五六七八九十]{1,6}\s*号")
_DOC_NUMBER_LINE = re.compile(r"[^\s，。；：:]{0,12}" + _DOC_NUMBER.pattern)
_LEADING_NUMBER = re.compile(r"^[^\s，。；：:]{0,12}?" + _DOC_NUMBER.pattern + r"\s*")
_ANNEX = re.compile(r"附\s*件\s*\d*\s*[:：]?")
_DATE_LINE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日(?:\s*[(（][^()（）]{0,12}[)）])?")
# site and converter lines: label：value metadata, links, breadcrumbs, page furniture
_BANNER = re.compile(
    r"(?:https?:|www\.|\.(?:md|html?|pdf|docx?)\b|当前位置|首页\s*[>＞»]|[>＞»].*[>＞»]|无障碍|长者|字体[:：]|"
    r"[【\[]?\s*打印|分享到|浏览次数|^基本信息$|^正文$|^-{3,}$|^[-*]\s)")
_META_LABEL = re.compile(
    r"^[-*\s]*(?:文档|文档类型|发布日期|发布时间|发布机构|发文机关|成文日期|原文链接|来源|检索时间|检索关键词|"
    r"索引号|分类|主题词|主题分类|名称|标题|文号|文件名称|文件编号|发文字号|时效|有效性|信息来源|作者|日期)\s*[:：]")
_ADDRESSEE = re.compile(r"^(?:各|全[省市区县]|[^。；！？]{0,20}(?:人民政府|党委|各部门|各单位|有关单位|直属机构))"
                        r"[^。！？]{0,300}[:：]$")
_NOTICE_TITLE = re.compile(r"^(?P<issuer>.*?)(?:关于)?(?:重新)?印发\s*(?P<x>《.+》|[^《》]+?)\s*的?(?:通知|函)$"
                           r"|^(?P<issuer2>.*?)印发\s*(?P<x2>《.+》)$")
_NOTICE_BODY = re.compile(r"《(?P<x>[^《》]+(?:《[^《》]*》[^《》]*)*)》[^。]{0,60}?(?:现|予以|特此)?印发(?:给|你们|各)")


@dataclass
class _Opening:
    title: str
    end: int  # where the text after the title (the plan's own preamble) starts
    issuers: list[str] = field(default_factory=list)
    date: Optional[str] = None  # ISO date of the notice
    notice: bool = False


def _lines(t: str, limit: int = 6000, most: int = 80) -> list[tuple[int, int, str]]:
    out = []
    pos = 0
    while pos < min(len(t), limit) and len(out) < most:
        nl = t.find("\n", pos)
        end = len(t) if nl == -1 else nl
        out.append((pos, end, t[pos:end].strip()))
        pos = end + 1
    return out


def _junk(line: str) -> bool:
    """A line that is not the plan's: banners, metadata, a 附件 or document-number line."""
    return (len(line) < 3 or bool(_ANNEX.fullmatch(line)) or bool(_BANNER.search(line))
            or bool(_META_LABEL.match(line)) or bool(_DOC_NUMBER_LINE.fullmatch(line)))


def _bare(x: str) -> str:
    x = x.strip()
    if x.startswith("《") and x.endswith("》"):
        x = x[1:-1]
    return x.replace("《", "〈").replace("》", "〉") if "《" in x else x


def _key(x: str) -> str:
    from kg.parse.titles import title_key

    k = title_key(x)
    return k[2:] if k.startswith("关于") else k


def _issuer_names(lines: list[str]) -> list[str]:
    """The issuing bodies of a notice's signature lines, or of the words before 关于印发: split at
    blanks and 、, and a run of names that each open with the same place
    (广州市卫生健康委员会广州市财政局…) split before each repeat of the place."""
    from kg.parse.titles import infer_level

    out: list[str] = []
    for line in lines:
        for part in re.split(r"[\s、，,]+", line.strip()):
            part = part.strip()
            if not part:
                continue
            _, region = infer_level(part)
            if region and part.count(region) > 1:
                cuts = [0]
                for m in re.finditer(re.escape(region), part):
                    at = m.start() - 2 if part[max(0, m.start() - 2):m.start()] == "中共" else m.start()
                    if at > cuts[-1]:
                        cuts.append(at)
                out.extend(part[a:b] for a, b in zip(cuts, cuts[1:] + [len(part)]))
            else:
                out.append(part)
    return [x for x in out if x not in out[:out.index(x)]]


def _notice_title(rows: list[tuple[int, int, str]], k: int):
    """(issuer words, X, index of the last line) of a notice title starting at line k, joined
    over up to three short lines (西平县人民政府办公室 / 关于印发西平县2020年度法治政府建设 / 工作安排的通知)."""
    text = ""
    for j in range(k, min(k + 3, len(rows))):
        line = rows[j][2]
        if not line or "。" in line or len(line) > 120 or (j > k and _junk(line)):
            return None
        text += line
        text = _LEADING_NUMBER.sub("", text)  # 西政办〔2020〕20号西平县人民政府办公室关于印发…
        m = _NOTICE_TITLE.match(re.sub(r"\s+", "", text))
        if m:
            issuer = m.group("issuer") if m.group("x") else m.group("issuer2")
            x = m.group("x") or m.group("x2")
            return (issuer or "").strip(), _bare(x), j
    return None


def _opening(t: str) -> _Opening:
    rows = _lines(t)
    # the first line that opens the body of a plan: a part heading (一、) or a long paragraph
    body_at = next((k for k, (_, _, line) in enumerate(rows)
                    if re.match(rf"[{_CN_NUM}]{{1,3}}、", line) or len(line) > 200 and not _ADDRESSEE.match(line)),
                   len(rows))
    x = issuer_words = None
    notice_end = None  # index of the last line of the notice
    k = 0
    while k < body_at:
        line = rows[k][2]
        if not x:
            nt = _notice_title(rows, k) if line and not _junk(line) else None
            if nt:
                issuer_words, x, j = nt
                notice_end = j
                k = j + 1
                continue
        m = _NOTICE_BODY.search(line)
        if m and (x is None or _key(_bare(m.group("x"))) == _key(x) or notice_end is not None):
            x = x or _bare(m.group("x"))
            if _key(_bare(m.group("x"))) != _key(x) and len(_key(m.group("x"))) > 3:
                x = x  # the notice title names the plan; the body may shorten it
            notice_end = k
            break
        k += 1
    if x is None:
        return _plain_opening(t, rows)
    # the signature (issuing bodies, then the date) and the plan's own title line after the notice
    date = None
    sign: list[str] = []
    title_line = None
    j = notice_end + 1
    pending: list[str] = []
    while j < len(rows) and j <= notice_end + 30:
        line = rows[j][2]
        dm = _DATE_LINE.fullmatch(line)
        if dm:
            date = f"{int(dm.group(1)):04d}-{int(dm.group(2)):02d}-{int(dm.group(3)):02d}"
            sign = list(pending)
            pending = []
            j += 1
            continue
        if line and not _junk(line):
            joined = line
            nxt = rows[j + 1][2] if j + 1 < len(rows) else ""
            if _key(line) == _key(x):
                title_line = (j, j)
                break
            if nxt and len(nxt) <= 30 and _key(line + nxt) == _key(x):
                title_line = (j, j + 1)
                break
            if len(line) <= 40 and "。" not in line and "：" not in line and ":" not in line:
                pending.append(joined)
            else:
                pending = []
            if len(line) > 200:
                break
        j += 1
    issuers = _issuer_names(sign) or (_issuer_names([issuer_words]) if issuer_words else [])
    if title_line is not None:
        a, b = title_line
        title = "".join(rows[i][2] for i in range(a, b + 1))
        return _Opening(title, rows[b][1], issuers, date, True)
    # the notice is all there is before the text (印发《关于…的若干意见》 then the opinions): the
    # title is X, the text starts after the notice (and its signature and date, when they follow)
    end = rows[notice_end][1]
    if date is not None:
        end = max(end, next(rows[i][1] for i in range(notice_end + 1, len(rows)) if _DATE_LINE.fullmatch(rows[i][2])))
    k = notice_end + 1
    while k < len(rows) and (not rows[k][2] or _junk(rows[k][2]) or _ADDRESSEE.match(rows[k][2])):
        end = max(end, rows[k][1])
        k += 1
    return _Opening(x, end, issuers, date, True)


def _plain_opening(t: str, rows: list[tuple[int, int, str]]) -> _Opening:
    """No covering notice: the title is the first line that is not a site's or converter's,
    nor an addressee line; a notice that is itself the document (国务院关于…的通知) keeps the
    words before 关于 as its issuer and the date that closes it."""
    start = 0
    for s, e, line in rows:
        if line and not _junk(line) and not _ADDRESSEE.match(line):
            break
        start = e + 1 if e < len(t) else e
    else:
        start = 0
    title, end = _title(t[start:])
    title, end = title, start + end
    # a period on a line of its own under the title: 上海市北斗产业高质量发展三年行动计划 / (2021-2023年)
    m = re.match(r"\s*\n\s*([(（]\s*(?:19|20)\d{2}\s*[-—–－~至到]\s*(?:19|20)\d{2}\s*年?\s*[)）])[ \t]*(?=\n|$)", t[end:])
    if m and not re.search(r"[(（]\s*(?:19|20)\d{2}", title):
        title += m.group(1)
        end += m.end()
    issuers, date = [], None
    sm = re.match(r"(.{2,40}?)关于", re.sub(r"\s+", "", title))
    if sm and re.search(r"(?:通知|决定|意见)$", title):
        from kg.parse.titles import issuer_level

        words = sm.group(1)
        if issuer_level([words])[0] or re.search(r"(?:政府|办公厅|办公室|委员会|党委|国务院|部|局|厅|委)$", words):
            issuers = _issuer_names([words])
            tail = [x for x in t[-400:].split("\n") if x.strip()][-4:]
            for line in tail:
                dm = _DATE_LINE.fullmatch(line.strip())
                if dm:
                    date = f"{int(dm.group(1)):04d}-{int(dm.group(2)):02d}-{int(dm.group(3)):02d}"
    return _Opening(title, end, issuers, date, False)


def _restore_dash(s: str) -> str:
    return re.sub(r"\((\d{4})(\d{4})\s*年\)", r"(\1-\2年)", s)


def _parents(t: str, start: int, end: int, to_source) -> list[ParentRef]:
    from kg.parse.titles import infer_level

    out: list[ParentRef] = []
    text = t[start:end]
    i = 0
    found = False
    while True:
        i = text.find("《", i)
        if i == -1:
            break
        depth = 0
        j = i
        while j < len(text):
            if text[j] == "《":
                depth += 1
            elif text[j] == "》":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        if j >= len(text):
            break
        title = _restore_dash(text[i + 1:j].replace("《", "〈").replace("》", "〉"))
        clause_start = max(text.rfind(c, 0, i) for c in "。；") + 1
        before = text[clause_start:i]
        words, relation = "", "applies"
        rel = list(_RELATION.finditer(before))
        if rel:
            w = rel[-1].group(0)
            if w == "为确保":
                after = text[j:text.find("。", j) if text.find("。", j) != -1 else len(text)]
                if re.search(r"得到.{0,6}落实", after):
                    words = "为确保…得到落实"
                else:
                    words = w
                relation = "applies"
            else:
                words = w
                relation = "based_on" if w in ("根据", "依据", "按照") else "applies"
        lv, rg = infer_level(title)
        out.append(ParentRef(title=title, relation=relation, words=words,
                             span=to_source(start + i, start + j + 1), level=lv, region=rg))
        found = True
        i = j + 1
    if not found:
        # titles whose 《》 were stripped: a genre title followed by its period, after a relation word
        for rm in _RELATION.finditer(text):
            pos = rm.end()
            got = False
            while True:
                m = _BARE_TITLE.match(text, pos)
                if not m:
                    break
                title = f"{m.group(1)}({m.group(2)}-{m.group(3)}年)"
                lv, rg = infer_level(title)
                w = rm.group(0)
                out.append(ParentRef(title=title, relation="based_on" if w in ("根据", "依据", "按照") else "applies",
                                     words=w, span=to_source(start + m.start(), start + m.end()), level=lv, region=rg))
                got = True
                pos = m.end()
                if pos < len(text) and text[pos] in "、和及":
                    pos += 1
            if got:
                break
    return out


def _first_sentence(s: str) -> str:
    s = s.strip()
    first, nl, rest = s.partition("\n")
    if nl and rest.strip() and not re.search(r"[。！？；，]", first) and len(first) <= 40:
        return first.strip()  # a heading line of its own: 1.推进简政放权\n内容……
    m = re.search(r"[。！？]", s)
    title = s[:m.start()] if m else re.sub(r"(?:\([^()]*\))+$", "", s)[:60]
    return title.strip().rstrip("，,、；;：:").strip()


def _grams(s: str) -> set[str]:
    s = re.sub(rf"[^{_CJK}]", "", s)
    return {s[i:i + 4] for i in range(len(s) - 3)}


def parse_plan(source: Source, text: CleanText, reorder: bool = True) -> Document:
    t = text.text
    to_src = text.to_source
    doc = Document(id=document_id(source), source=source, kind="plan")
    opening = _opening(t)
    title, title_end = opening.title, opening.end
    doc.title = _restore_dash(title)
    doc.issuers, doc.date = opening.issuers, opening.date
    # the period of a directive named in the preamble (《…(2021-2025年)》) is not the plan's
    preamble = re.sub(r"《[^《》]*(?:《[^《》]*》[^《》]*)*》", lambda m: "　" * len(m.group(0)), t[title_end:title_end + 400])
    pm = _PERIOD.search(doc.title) or _PERIOD.search(preamble)
    if pm:
        doc.period = (int(pm.group(1)), int(pm.group(2)))
    heads = _find_headings(t, title_end)
    first_head = heads[0].start if heads else len(t)
    from kg.parse.titles import title_keys

    own = title_keys(doc.title)
    # a plan's own title (a notice's 现将《X》印发, a preamble that names the plan) is not its parent
    doc.parents = [p for p in _parents(t, title_end, first_head, to_src) if not (title_keys(p.title) & own)]

    # every annotation in the body, to know which heading level carries them
    bounds = [h.start for h in heads] + [len(t)]
    segs = [(title_end, bounds[0])] + [(heads[k].body, bounds[k + 1]) for k in range(len(heads))]
    # two passes: the second knows the units named in well-closed lists, which only a run-on list
    # consults; a segment whose first pass consulted nothing reads the same the second time
    probe = _Consulted()
    seg_anns = []
    # the plan may say once that the first-listed unit of a list leads (列第一位者为牵头单位)
    said = first_listed_leads(t)
    if said:
        doc.diagnostics.append(Diagnostic(
            "first-listed-leads", f"the plan says “{said.group(0)}”: in each list of responsible units the first "
            "is read as lead and the others as supporters", span=to_src(said.start(), said.end()), severity="info"))
    first = said is not None
    for a_s, a_e in segs:
        probe.asked = False
        seg_anns.append((find_annotations(t, a_s, a_e, probe, to_src, first), probe.asked))
    known = {u.text for anns, _ in seg_anns for a in anns if not a.run_on for u in a.units}
    all_anns = []
    for (a_s, a_e), (anns, asked) in zip(segs, seg_anns):
        all_anns.extend(find_annotations(t, a_s, a_e, known, to_src, first) if asked else anns)
    per_level: dict[int, int] = {}
    ai = 0
    for k, h in enumerate(heads):
        seg_end = bounds[k + 1]
        while ai < len(all_anns) and all_anns[ai].start < h.start:
            ai += 1
        if ai < len(all_anns) and all_anns[ai].start < seg_end:
            # the annotation closes the heading's own paragraph (or stands on the next line)
            between = t[h.body:all_anns[ai].start]
            if "\n" not in between.rstrip() or between.count("\n") == 1 and between.rstrip(" \t").endswith("\n") \
                    or _is_own_line(t, h.body, all_anns[ai].start):
                per_level[h.level] = per_level.get(h.level, 0) + 1
    if per_level:
        task_level = max(per_level, key=lambda lv: (per_level[lv], lv))
    else:
        counts: dict[int, int] = {}
        for h in heads:
            counts[h.level] = counts.get(h.level, 0) + 1
        task_level = max((lv for lv in counts if counts[lv] >= 2), default=3)
    if reorder and text.page_breaks:
        from kg.parse.pages import reorder_pages

        moved = reorder_pages(text, [(h.start, h.value) for h in heads if h.level == task_level and not h.lost])
        if moved is not None:
            # the reading with fewer broken tasks wins (a unit line left over, a task without
            # units or cut off mid-sentence)
            as_is = parse_plan(source, text, reorder=False)
            again = parse_plan(source, moved, reorder=False)
            if _broken(again) < _broken(as_is):
                again.diagnostics.append(Diagnostic(
                    "pages-reordered", "page fragments were out of order; runs of pages put back in task-number "
                    "order before parsing", severity="info"))
                return again
            return as_is

    # headings whose own line is a title and whose text is paragraphs that each close with an
    # annotation: the paragraphs are the tasks (the heading a section), or, for one paragraph,
    # the heading is the task
    demoted, promoted = _leaf_tasks(t, heads, bounds, all_anns, task_level)
    aims: set[int] = set()
    if not all_anns:
        # a plan without any unit annotation (a 纲要, a provincial 方案 that others carry out): its
        # items at the task level are its tasks, but its aims and principles are sections
        aims = _aims(t, heads, bounds, task_level)
        demoted |= aims

    # sections and task pieces
    sec_stack: list[Section] = []
    sec_count: dict[Optional[str], int] = {}
    sec_heads: dict[str, _Heading] = {}
    pieces: list[_Piece] = []
    orphans: list[tuple[Annotation, int, int]] = []  # annotation, region start, region end
    nontask_regions: list[tuple[int, int]] = []
    lost_level = task_level
    first_task_seen = False
    since_section = True
    for k, h in enumerate(heads):
        level = lost_level if h.lost else h.level
        end = bounds[k + 1]
        if k in promoted:
            first_task_seen = True
            pieces.append(_Piece(head=_Heading(task_level, None, None, h.start, h.body, h.line_start, lost=True,
                                               plain=True),
                                 end=end, section=sec_stack[-1].id if sec_stack else None, new_section=since_section))
            since_section = False
            continue
        if level < task_level or k in demoted:
            while sec_stack and sec_stack[-1].depth >= level:
                sec_stack.pop()
            parent = sec_stack[-1].id if sec_stack else None
            n = sec_count.get(parent, 0) + 1
            sec_count[parent] = n
            sid = f"{parent}-{n}" if parent else f"s{n}"
            stitle = _heading_title(t, h, end)
            ps, pe = to_src(h.start, h.body)
            printed = source.text[ps:pe].strip() if source.text else ""
            sec = Section(id=sid, number=printed or h.number or "", depth=level, title=stitle, parent=parent,
                          span=to_src(h.start, end))
            doc.sections.append(sec)
            sec_heads[sid] = h
            sec_stack.append(sec)
            since_section = True
            nontask_regions.append((h.body, end))
        elif level == task_level:
            first_task_seen = True
            pieces.append(_Piece(head=h, end=end, section=sec_stack[-1].id if sec_stack else None,
                                 new_section=since_section))
            since_section = False
        else:
            if pieces and first_task_seen:
                pieces[-1].end = end  # a sub-item belongs to its task
            else:
                nontask_regions.append((h.start, end))
    if heads:
        nontask_regions.insert(0, (title_end, heads[0].start))

    # annotations per piece; text after a run-on list is not the task's any more
    anns_in = _by_start(all_anns)
    for p in pieces:
        anns = anns_in(p.head.body, p.end)
        kept: list[Annotation] = []
        for a in anns:
            if kept and kept[-1].run_on:
                orphans.append((a, kept[-1].end, a.start))
                continue
            kept.append(a)
        p.anns = kept
        if kept and kept[-1].run_on:
            p.cut = kept[-1].end
    for rs, re_ in nontask_regions:
        for a in anns_in(rs, re_):
            orphans.append((a, rs, a.start))

    _place_fragments(t, pieces, orphans, doc, to_src)
    # a paragraph of its own that ends with a unit line is a task even without a number
    # (plans that do not number their tasks, table rows without a number column)
    preamble_end = heads[0].start if heads else title_end
    last_plain: Optional[_Piece] = None
    for a, rs, ae in list(orphans):
        ls = t.rfind("\n", 0, a.start) + 1
        le = t.find("\n", a.end)
        le = len(t) if le == -1 else le
        if not t[ls:a.start].strip() and ls > max(rs, preamble_end):
            # a unit line of its own under a paragraph (责任单位：…): the paragraph above is the task
            if last_plain is not None and not t[last_plain.end:a.start].strip():
                last_plain.anns.append(a)  # 牵头单位：X / 配合单位：Y, line after line
                last_plain.end = a.end
                orphans.remove((a, rs, ae))
                continue
            pe = ls - 1
            while pe > rs and t[pe - 1].isspace():
                pe -= 1
            ls = t.rfind("\n", 0, pe) + 1
            if ls < max(rs, preamble_end) or not re.search(r"[。；]", t[ls:pe]) or any(h.start == ls for h in heads):
                continue
        if ls < max(rs, preamble_end) or a.start - ls > 800 or t[a.end:le].strip():
            continue
        if not re.search(r"[。；]", t[ls:a.start]) and len(t[ls:a.start].strip()) < 4:
            continue
        while ls < a.start and t[ls] in " \t":
            ls += 1
        h = _Heading(task_level, None, None, ls, ls, True, lost=True, plain=True)
        sec = None
        for s_ in doc.sections:
            if s_.span and s_.span[0] <= to_src(ls, ls + 1)[0]:
                sec = s_.id
        last_plain = _Piece(head=h, end=a.end, section=sec, anns=[a])
        pieces.append(last_plain)
        orphans.remove((a, rs, ae))
    pieces.sort(key=lambda p: p.head.start)
    for a, rs, _ in orphans:
        names = "、".join(x.text for x in a.units[:3])
        doc.diagnostics.append(Diagnostic(
            "fragment-left-over", f"unit line ({names}…) could not be placed with a task", span=to_src(a.start, a.end)))

    # tasks
    used_ids: set[str] = set()
    lost_k = 0
    for p in pieces:
        h = p.head
        body_end = p.end if p.cut is None else p.cut
        body_text = _task_text(t, h.body, body_end, p)
        if h.lost:
            lost_k += 1
            tid = f"u{lost_k}"
        else:
            tid = f"t{h.value}"
            k = 2
            while tid in used_ids:
                tid = f"t{h.value}-{k}"
                k += 1
        used_ids.add(tid)
        task = Task(id=tid, number=None if h.lost else str(h.value), title=_first_sentence(body_text),
                    text=body_text, section=p.section, span=to_src(h.start, body_end))
        for a in p.anns:
            task.units.extend(a.units)
        for s, e in [(h.body, body_end)] + p.extra_text:
            # deadlines also inside an annotation (（责任单位：…；完成时限：2022年底前）)
            task.deadlines.extend(find_deadlines(t[s:e], s, to_src))
            if t.find("每", s, e) == -1:
                continue  # every recurrence form starts with 每 (find_recurrences would find none)
            for a, b in _minus(s, e, [(a.start, a.end) for a in p.anns]):
                task.recurrences.extend(find_recurrences(t[a:b], a, to_src))
        doc.tasks.append(task)
        if body_text and body_text[-1] not in "。！？；)]”" and not task.units:
            doc.diagnostics.append(Diagnostic(
                "task-text-unfinished", f"task {task.number or '(unnumbered)'} {task.title[:30]} breaks off "
                f"mid-sentence (…{body_text[-8:]})", span=task.span))
        if not task.units and all_anns:
            doc.diagnostics.append(Diagnostic(
                "task-without-units", f"task {task.number or '(unnumbered)'} {task.title[:30]} has no unit line",
                span=task.span))
        for a in p.anns:
            for label, raw in a.empty:
                doc.diagnostics.append(Diagnostic(
                    "empty-unit", f"task {task.number or task.id} {task.title[:30]}: the {label} names no unit "
                    f"({label}：{raw}); left out: write the unit's name", to_src(a.start, a.end)))
        for a, b in unread_brackets(t, h.body, body_end, p.anns):
            doc.diagnostics.append(Diagnostic(
                "unread-annotation", f"unread annotation in task {task.number or '(unnumbered)'} "
                f"{task.title[:20]}: {_shorten(t[a:b], 60)}", span=to_src(a, b)))

    piece_of = {task.id: p for p, task in zip(pieces, doc.tasks)}
    shuffled = _numbering(doc, pieces, {heads[k].value for k in aims if heads[k].value})
    if not all_anns and doc.tasks:
        doc.diagnostics.append(Diagnostic(
            "no-unit-annotations", f"no task names a unit: read as a plan that others carry out (a 纲要 or a "
            f"higher-level 方案); {len(doc.tasks)} items are its tasks"
            + (f", {len(aims)} items of aims and principles are sections" if aims else ""), severity="info"))
    from kg.parse.sections import resequence

    resequence(doc, piece_of, sec_heads, text.page_breaks, t, shuffled)
    _level_region(doc)
    return doc


# parts and items of a plan that state its aims and principles, not duties
_AIMS = re.compile(r"(?:总体要求|指导思想|基本原则|主要原则|工作原则|遵循原则|总体目标|主要目标|工作目标|发展目标|"
                   r"总体思路|基本思路|目标任务|重要意义|基本要求|适用范围)(?:和(?:主要|总体|工作|发展)?(?:目标|原则))?$")
_AIM_TEXT = re.compile(r"(?:到|至)(?:19|20)\d{2}年(?:底|末)?[，,]")


def _aims(t: str, heads: list[_Heading], bounds: list[int], task_level: int) -> set[int]:
    """Headings at the task level that state aims or principles (indexes into ``heads``): an item
    titled 指导思想 / 基本原则 / 总体目标 …, an item whose text opens with its target year
    (到2025年，…), and every item of a part titled so (一、总体要求)."""
    out: set[int] = set()
    inside: Optional[int] = None  # the level of the aims part the headings stand in
    for k, h in enumerate(heads):
        if h.lost:
            continue
        if inside is not None and h.level <= inside:
            inside = None
        title = _heading_title(t, h, bounds[k + 1])
        aim = bool(_AIMS.match(title.strip()))
        if h.level < task_level:
            if aim:
                inside = h.level
            continue
        if h.level == task_level and (inside is not None or aim or _AIM_TEXT.match(t, h.body)):
            out.add(k)
    return out


def _shorten(s: str, n: int) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[:n - 1] + "…"


def _leaf_tasks(t: str, heads: list[_Heading], bounds: list[int], anns: list[Annotation],
                task_level: int) -> tuple[set[int], set[int]]:
    """Which headings to read otherwise than by their level (indexes into ``heads``).

    A heading on a line of its own (a title: no full stop) with no heading under it, whose text
    is paragraphs closing with their own annotation:
    - at the task level, with two such paragraphs or more, is a section whose paragraphs are the
      tasks (``demoted``); when most such headings of the plan are so, all of them are;
    - above the task level, with one such paragraph, is itself a task (``promoted``: 保障措施'
      (二)强化资金保障 + its paragraph), unless the plan reads its headings' paragraphs as tasks.
    """
    starts = [a.start for a in anns]
    shapes = {}
    for k, h in enumerate(heads):
        end = bounds[k + 1]
        if h.lost or not h.line_start or (k + 1 < len(heads) and heads[k + 1].start < end):
            continue
        nl = t.find("\n", h.body, end)
        if nl == -1 or not t[nl:end].strip():
            continue
        line = t[h.body:nl].strip()
        if not line or len(line) > 40 or re.search(r"[。；！？]", line):
            continue
        paras, prev_own = 0, False
        lo = bisect.bisect_left(starts, nl)
        hi = bisect.bisect_left(starts, end)
        if lo == hi:
            shapes[k] = (h.level, 0)
            continue
        pos = nl + 1
        while pos < end:
            le = t.find("\n", pos, end)
            le = end if le == -1 else le
            seg = t[pos:le].strip()
            if seg:
                # a line with an annotation closes a paragraph; a label line after a label line
                # (牵头单位：X / 配合单位：Y) closes the same one
                first = bisect.bisect_left(starts, pos)
                has = first < bisect.bisect_left(starts, le)
                own = has and not t[pos:starts[first]].strip()
                if has and not (own and prev_own):
                    paras += 1
                prev_own = own
            pos = le + 1
        shapes[k] = (h.level, paras)
    at_level = [k for k, (lv, n) in shapes.items() if lv == task_level and n >= 1]
    split = [k for k in at_level if shapes[k][1] >= 2]
    paragraph_mode = len(split) * 2 > len(at_level)
    # in a plan that reads its headings' paragraphs as tasks, a heading with prose only is a section too
    demoted = {k for k, (lv, n) in shapes.items() if lv == task_level} if paragraph_mode else set(split)
    promoted = set() if paragraph_mode else {k for k, (lv, n) in shapes.items() if lv < task_level and n == 1}
    return demoted, promoted


def _by_start(anns: list[Annotation]):
    """``f(lo, hi)``: the annotations that start in [lo, hi), in list order."""
    starts = [a.start for a in anns]
    if any(x > y for x, y in zip(starts, starts[1:])):
        return lambda lo, hi: [a for a in anns if lo <= a.start < hi]
    return lambda lo, hi: anns[bisect.bisect_left(starts, lo):bisect.bisect_left(starts, hi)] if lo < hi else []


def _broken(doc: Document) -> int:
    return sum(d.code in ("fragment-left-over", "task-without-units", "task-text-unfinished", "numbers-out-of-order")
               for d in doc.diagnostics)


def _is_own_line(t: str, body: int, ann: int) -> bool:
    """The heading's paragraph, then the annotation alone on the next line."""
    between = t[body:ann]
    return between.count("\n") == 1 and not between.split("\n")[1].strip()


def _minus(s: int, e: int, holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    pos = s
    for a, b in sorted(holes):
        if b <= pos or a >= e:
            continue
        if a > pos:
            out.append((pos, a))
        pos = max(pos, b)
    if pos < e:
        out.append((pos, e))
    return out


def _task_text(t: str, s: int, e: int, p: _Piece) -> str:
    segs = _minus(s, e, [(a.start, a.end) for a in p.anns if s <= a.start < e])
    parts = [t[a:b] for a, b in segs]
    for a, b in p.extra_text:
        segs2 = _minus(a, b, [(x.start, x.end) for x in p.anns])
        parts.extend(t[x:y] for x, y in segs2)
    # stripped first: the blanks around a line break lie in one run of whitespace, so the rewrite
    # gives the same inside the text, and the runs at the ends go either way
    txt = "".join(parts).strip()
    return _NL_BLANKS.sub("\n", txt) if "\n" in txt else txt


_NL_BLANKS = re.compile(r"[ \t]*\n[ \t]*")


_BODY_OPENER = re.compile(r"坚持以|以习近平|深入贯彻|全面贯彻|认真贯彻|贯彻落实|到20\d\d年|按照|根据|为(?:全面|深入|加快|进一步)"
                          r"|各级|各地|各部门|全市|全区|全县|全省|我市|我区|我县|我省")


def _heading_title(t: str, h: _Heading, end: int) -> str:
    nl = t.find("\n", h.body, end)
    line = t[h.body:nl if nl != -1 else end]
    if h.line_start and nl != -1 and len(line.strip()) <= 40 and "。" not in line:
        return line.strip()
    m = re.search(r"[。；，\n]", t[h.body:end])
    s = t[h.body:h.body + (m.start() if m else min(40, end - h.body))][:40].strip()
    if len(s) > 15:
        # a heading run into its body text (总体要求坚持以习近平…): section titles of the genre
        # are short noun phrases, so cut before the words that open a body sentence
        cut = _BODY_OPENER.search(s, 2)
        if cut and cut.start() <= 15:
            s = s[:cut.start()]
    return s


class _GramIndex:
    """Four-character grams of the Chinese text of a plan (punctuation and blanks left out, as
    _grams takes them): where each of the grams asked for occurs, for those that occur at most
    RARE times, found in one pass over the text."""

    RARE = 5

    def __init__(self, t: str, grams: set[str]):
        parts, pos = [], array("l")
        for m in re.finditer(rf"[{_CJK}]+", t):
            parts.append(m.group(0))
            pos.extend(range(m.start(), m.end()))
        chars = "".join(parts)
        self.pos = pos
        hits: dict[str, list[int]] = {g: [] for g in grams}
        get = hits.get
        for i in range(len(chars) - 3):
            lst = get(chars[i:i + 4])
            if lst is not None and len(lst) <= self.RARE:
                lst.append(i)
        self.hits = {g: v for g, v in hits.items() if len(v) <= self.RARE}

    def rare(self, grams) -> set[str]:
        return {g for g in grams if g in self.hits}

    def spans(self, g: str) -> list[tuple[int, int]]:
        """Raw (start, end) of each occurrence of a rare gram."""
        return [(self.pos[q], self.pos[q + 3] + 1) for q in self.hits.get(g, ())]


def _place_fragments(t: str, pieces: list[_Piece], orphans, doc: Document, to_src) -> None:
    """Put unit lines that stand on another page than their task back with the task.

    1. A task with no unit line whose title words open a clause inside another task's text,
       right after an unfinished sentence (…，), takes that clause and the unit line after it.
    2. A task still without units takes an orphan unit line (one in a section's text, or after a
       run-on list) whose preceding sentence shares the task title's words.
    What is left is reported.

    Title words are the 4-character grams of a task's title (its first 60 characters) that occur
    at most five times in the plan. Each step looks only where those grams occur, so the work
    grows with the text, not with its square (one task of 160,000 characters, a plan of 4 MB).
    """
    if all(p.anns for p in pieces):
        return
    titles = {id(p): _grams(_first_sentence(t[p.head.body:min(p.end, p.head.body + 2000)])[:60]) for p in pieces}
    index = _GramIndex(t, set().union(*titles.values()) if titles else set())

    def title_grams(p: _Piece) -> set[str]:
        return index.rare(titles[id(p)])

    commas = [m.start() for m in re.finditer(r"[，,]", t)]
    ends = [m.start() for m in re.finditer(r"[。；]", t)]
    orphan_grams: dict[int, tuple[set[str], int]] = {}

    def first_clause(u_spans: list[tuple[int, int]], h: _Piece) -> Optional[tuple[int, int]]:
        """The first comma in h's text before its first unit line after which a sentence holds
        some of u's title words while none of h's title words follow (the original test, comma
        by comma), and how many of u's title words that sentence holds."""
        lo, hi = h.head.body, h.anns[0].start
        last_h = max((a for g in title_grams(h) for a, b in index.spans(g) if lo <= a and b <= hi), default=lo - 1)
        best = None
        for p0, p1 in u_spans:
            if not (lo <= p0 and p1 <= hi):
                continue
            k = bisect.bisect_left(ends, p0)
            if k < len(ends) and ends[k] < p1:
                continue  # the gram runs over a full stop: in no one sentence
            sent_start = ends[k - 1] + 1 if k and ends[k - 1] >= lo else lo
            c = bisect.bisect_left(commas, max(sent_start, last_h + 1, lo))
            if c < len(commas) and commas[c] < p0 and (best is None or commas[c] < best):
                best = commas[c]
        if best is None:
            return None
        k = bisect.bisect_left(ends, best)
        sent_end = min(ends[k] if k < len(ends) else hi, hi)
        return best, sent_end

    changed = True
    rounds = 0
    while changed and rounds < 5:
        changed = False
        rounds += 1
        holders = [h for h in pieces if h.anns]
        starts = [h.head.body for h in holders]
        for u in pieces:
            if u.anns:
                continue
            ug = title_grams(u)
            if not ug:
                continue
            spans = {g: index.spans(g) for g in ug}
            near: dict[int, list[tuple[int, int]]] = {}
            for g, sp in spans.items():
                for p0, p1 in sp:
                    k = bisect.bisect_right(starts, p0) - 1
                    if k >= 0 and holders[k] is not u:
                        near.setdefault(k, []).append((p0, p1))
            best = None
            for k in sorted(near):
                h = holders[k]
                hit = first_clause(near[k], h)
                if hit is None:
                    continue
                comma, sent_end = hit
                score = sum(1 for g, sp in spans.items() if any(comma < p0 and p1 <= sent_end for p0, p1 in sp))
                if score and (best is None or score > best[0]):
                    best = (score, h, comma + 1)
            if best:
                _, h, cut_at = best
                a0 = h.anns.pop(0)
                u.anns.append(a0)
                u.extra_text.append((cut_at, a0.start))
                if h.cut is None or h.cut > cut_at:
                    h.cut = cut_at
                # the rest of h's annotations after a0 stay; h keeps its text before the cut
                doc.diagnostics.append(Diagnostic(
                    "fragment-placed",
                    f"text and unit line found inside task {h.head.value} placed with task "
                    f"{u.head.value if not u.head.lost else '(unnumbered)'} {_first_sentence(t[u.head.body:u.end])[:20]}",
                    span=to_src(cut_at, a0.end), severity="info"))
                changed = True
                holders = [x for x in pieces if x.anns]
                starts = [x.head.body for x in holders]
        for u in pieces:
            if u.anns or not orphans:
                continue
            ug = title_grams(u)
            best = None
            for k, (a, rs, _ae) in enumerate(orphans):
                if id(a) not in orphan_grams:
                    before = t[rs:a.start].rstrip()
                    cut = max(before.rfind("。", 0, len(before) - 1), before.rfind("；", 0, len(before) - 1))
                    last = before[cut + 1:] if cut != -1 else before
                    if not last.strip():
                        last = ""
                    orphan_grams[id(a)] = (_grams(last), len(last))
                og, n_last = orphan_grams[id(a)]
                score = len(ug & og)
                if score and (best is None or score > best[0]):
                    best = (score, k, a.start - n_last)
            if best:
                _, k, fs = best
                a, rs, _ = orphans.pop(k)
                u.anns.append(a)
                u.extra_text.append((max(fs, rs), a.start))
                doc.diagnostics.append(Diagnostic(
                    "fragment-placed",
                    f"unit line standing apart placed with task "
                    f"{u.head.value if not u.head.lost else '(unnumbered)'} {_first_sentence(t[u.head.body:u.end])[:20]}",
                    span=to_src(max(fs, rs), a.end), severity="info"))
                changed = True


def _ranges(nums: list[int]) -> str:
    out = []
    i = 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        out.append(str(nums[i]) if i == j else f"{nums[i]}-{nums[j]}")
        i = j + 1
    return ", ".join(out)


def _numbering(doc: Document, pieces: list[_Piece], sections: frozenset[int] = frozenset()) -> bool:
    """Numbers absent, restarted or out of order; lost numbers inferred from their neighbours.
    True when the tasks were out of order (shuffled pages) and have been put in number order.
    ``sections``: numbers of the sequence printed on items read as sections (aims, principles)."""
    vals = [p.head.value for p in pieces if not p.head.lost]
    if not vals:
        return False
    # numbering restarts per section when several sections start again at 1
    numbered = [p for p in pieces if not p.head.lost]
    breaks = [(a, b) for a, b in zip(numbered, numbered[1:]) if b.head.value <= a.head.value]
    restarts = sum(1 for a, b in breaks if b.head.value == 1)
    groups: list[list[int]] = []
    if breaks and all(b.head.value == 1 and b.new_section for a, b in breaks):
        cur: list[int] = []
        for v in vals:
            if v == 1 and cur:
                groups.append(cur)
                cur = []
            cur.append(v)
        groups.append(cur)
        doc.diagnostics.append(Diagnostic("numbering-restarts", f"task numbers restart {restarts} times", severity="info"))
    else:
        groups = [vals]
    inferred: list[int] = []
    for k, p in enumerate(pieces):
        if p.head.lost and not p.head.plain:
            prev = next((q.head.value for q in reversed(pieces[:k]) if not q.head.lost), None)
            if prev is not None and prev + 1 not in vals and prev + 1 not in inferred:
                inferred.append(prev + 1)
                if k < len(doc.tasks):
                    doc.tasks[k].inferred_number = str(prev + 1)
                doc.diagnostics.append(Diagnostic(
                    "number-lost", f"a task printed without its number after task {prev}; probably {prev + 1}",
                    span=doc.tasks[k].span if k < len(doc.tasks) else None, severity="info"))
            else:
                doc.diagnostics.append(Diagnostic(
                    "number-lost", f"a task printed without a number after task {prev}",
                    span=doc.tasks[k].span if k < len(doc.tasks) else None, severity="info"))
    absent: list[int] = []
    for g in groups:
        present = set(g) | (set(inferred) if len(groups) == 1 else set()) | (set(sections) if len(groups) == 1 else set())
        absent.extend(n for n in range(1, max(present) + 1) if n not in present)
    if absent:
        doc.diagnostics.insert(0, Diagnostic("numbers-absent", f"task numbers absent: {_ranges(sorted(set(absent)))}"))
    jumps = sum(1 for a, b in zip(vals, vals[1:]) if b != a + 1)
    if len(groups) == 1 and jumps and vals != sorted(vals):
        doc.diagnostics.append(Diagnostic(
            "numbers-out-of-order", f"task numbers out of order ({jumps} breaks): pages are probably shuffled; "
            "tasks are listed by number", severity="info"))
        # list tasks by number; an unnumbered task keeps its place after its predecessor
        keyed = []
        last = 0.0
        for k, task in enumerate(doc.tasks):
            if task.number is not None:
                last = float(task.number)
                keyed.append((last, k, task))
            else:
                keyed.append((last + 0.5, k, task))
        doc.tasks = [x[2] for x in sorted(keyed, key=lambda x: (x[0], x[1]))]
        return True
    return False


def _level_region(doc: Document) -> None:
    from kg.parse.titles import infer_level, issuer_level

    lv, rg = infer_level(doc.title)
    # a title without a place name is often a local plan's (关于推进…的实施意见): the issuer of its
    # notice decides (国务院办公厅, 上海市人民政府办公厅), else the units
    national = lv == "national" and rg is None
    if national:
        lv = None
        ilv, irg = issuer_level(doc.issuers)
        if ilv:
            lv, rg = ilv, irg
    # unit prefixes: 区委/区政府 → district, 市委/市政府 → city … (市场监管总局 is not a city's)
    prefixes = {"district": 0, "city": 0, "province": 0}
    for task in doc.tasks:
        for u in task.units:
            if u.text.startswith(("区", "县", "旗")):
                prefixes["district"] += 1
            elif u.text.startswith("市") and not u.text.startswith("市场"):
                prefixes["city"] += 1
            elif u.text.startswith(("省", "自治区")):
                prefixes["province"] += 1
    by_units = max(prefixes, key=prefixes.get) if any(prefixes.values()) else None
    # no place in the title and no local unit (司法部, 市场监管总局, 国务院各部门): a national plan
    doc.level = lv or by_units or ("national" if national and doc.tasks else None)
    doc.region = rg

"""Figures stated in report text: 新收行政复议申请177件, 同比增长133%, 服务企业100余家次.

``find_figures(text)`` returns one ``kg.model.Figure`` per number that is followed by a unit of
measure (件, 次, 人, %, 万元, 项, 家次, 人次, 条, 卷, 个, 份 …), with what is counted:

* the words before the number in its clause (新收行政复议申请177件), without leading time words
  (今年以来, 2024年, 目前 …) and trailing verbs of quantity (共, 累计, 达, 为 …);
* for a classifier followed by a noun, the noun after it (接入477家单位 -> 单位);
* for a verbal classifier followed by an action, both (常务会2次听取汇报 -> 常务会听取汇报).

Kinds: percentage (%), growth (a % after 增长/下降/同比 …), count otherwise. Approximate values
(约, 余, 多, 超, 近, 以上, 左右) are marked. 万/亿 multiply the value unless the unit is money
(7200万元 stays 7200 万元). Dates (2024年, 1-11月, 7月15日), ordinals (第一), numbers inside
titles (《…》, 〔2021〕) and deadlines (7个工作日内) are not figures.
"""
from __future__ import annotations

import re
from typing import Optional

from kg.model import Figure

# Units of measure, longest first. Money units keep their 万/亿.
UNITS = (
    "万元", "亿元", "千元", "元", "个百分点", "个小时", "个工作日", "个月",
    "件次", "人次", "家次", "户次", "批次", "场次", "车次", "架次",
    "%", "％", "‰", "件", "次", "人", "项", "家", "条", "卷", "个", "份", "起", "期", "支", "名", "票", "台",
    "套", "宗", "篇", "场", "户", "张", "册", "所", "处", "座", "类", "部", "批", "万", "吨", "公里",
    "平方米", "亩", "小时", "天", "位", "只", "块", "本", "封", "单", "例", "门", "节", "课时", "学时",
    "轮", "组", "队", "村", "镇", "街道", "社区", "栏", "幅", "辆", "艘", "余",
)
UNITS = tuple(u for u in UNITS if u != "余")
MONEY = {"万元", "亿元", "千元", "元"}
# Classifiers that count a noun written after them: 接入477家单位, 8个镇.
NOMINAL = {"个", "家", "项", "支", "名", "条", "份", "台", "所", "批", "类", "部", "张", "篇", "套", "座",
           "位", "本", "块", "辆", "处", "场", "期", "门", "只"}
# Classifiers that count an action: 2次听取工作汇报.
VERBAL = {"次", "人次", "件次", "家次", "批次", "场次", "轮"}
DURATION = {"个小时", "小时", "天", "个工作日", "个月", "课时", "学时"}

_NUM = re.compile(
    r"(?P<pre>约|接近|近|超过|超|逾|共计)?"
    r"(?P<num>\d+(?:,\d{3})*(?:\.\d+)?|(?<=[等共达了])[两一二三四五六七八九十百千]+(?=[个家项名支次件条批](?!性))|"
    r"(?<=进行|开展|举办|召开|组织|出台|制定|印发|设立|成立|累计|建成)[两一二三四五六七八九十百千]+(?=[个家项名支次件条批](?!性)))"
    r"(?P<mult>万|亿|千)?"
    r"(?P<approx1>余|多)?"
    r"(?P<unit>" + "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True)) + r")"
    r"(?P<approx2>以上|左右|多)?"
)
_MULT = {"万": 10_000, "千": 1_000, "亿": 100_000_000}
# What follows a number that is a date or a time, not a figure.
_DATE_AFTER = re.compile(r"\s*(?:[-－—~～至到]\s*\d+\s*)?(?:年|月|日|号|季度|周年|时|点|分|秒|届|版|期间)")
_GROWTH = re.compile(r"(增长|下降|增加|减少|提高|提升|降低|上升|缩减|缩短|压缩|同比|环比|增幅|降幅|减幅)")
_VERB_ONLY = re.compile(r"^(减少|增加|延长|缩短|提高|提升|下降|增长|缩减|降低|上升)?$")
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
# Clause boundaries for the words before a figure; 、 also ends the words after one.
_CLAUSE = "，。；：;:！？!?\n"
_LEAD = re.compile(
    r"^(?:(?:共|今年以来|年内|全年|当年|本年度|目前|至目前|截至目前|截至\S*?(?:底|末)|截止\S*?(?:底|末)|至今|其中|同时|此外|另外|"
    r"\d{4}年度?(?:\d+(?:[-－—至]\d+)?月(?:份|底)?)?(?:以来)?|"
    r"[一二三四五六七八九十]+是|我区|我市|我县|我局|我委|我办|我厅|本局|在)\s*)+"
)
_TRAIL = re.compile(r"(?:接近|共计|共|累计|合计|总计|达到|分别达|分别为|分别|均为|均达|均已|均|已达|已|达|为|是|超过|超|约|至|有|由原来的|由|从|近|逾|了|的)+$")
_CUT_AFTER = re.compile(
    r"(进行|落地|可在|实现|荣获|获得|获评|纳入|参与|参加|减少|增加|延长|签订|开展|入驻|列入|被|得到|受到|均|已|"
    r"组成|实行|完成|建成|达到|作出|中的|中|建立|设立|成立|并|联合|共同)"
)
_BRACKETS = (("《", "》"), ("〔", "〕"), ("[", "]"), ("【", "】"))


def _masked(text: str) -> list[bool]:
    """True for characters inside a title 《…》 or a file number 〔2021〕/（2021）N号."""
    mask = [False] * len(text)
    for o, c in _BRACKETS:
        depth = 0
        for i, ch in enumerate(text):
            if ch == o:
                depth += 1
            if depth:
                mask[i] = True
            if ch == c and depth:
                depth -= 1
    for m in re.finditer(r"[（(]\d{4}[）)]\s*\d+号", text):
        for i in range(m.start(), m.end()):
            mask[i] = True
    return mask


def _clause_start(text: str, i: int, floor: int) -> int:
    j = i
    while j > floor and text[j - 1] not in _CLAUSE:
        j -= 1
    return j


def cn_number(s: str) -> float:
    """一 -> 1, 十三 -> 13, 二十 -> 20, 三百 -> 300 (small counts written in words)."""
    total, cur = 0, 0
    for ch in s:
        if ch in _CN_DIGITS:
            cur = _CN_DIGITS[ch]
        else:
            unit = {"十": 10, "百": 100, "千": 1000}[ch]
            total += (cur or 1) * unit
            cur = 0
    return float(total + cur)


def _clean_pre(s: str) -> str:
    s = re.sub(r"^[（(][^）)]{0,12}[）)]", "", s.strip(" 　、"))
    s = s.strip(" 　、（(")
    prev = None
    while prev != s:
        prev = s
        s = _LEAD.sub("", s)
        s = _TRAIL.sub("", s)
        s = s.strip(" 　、（(")
    return s


def _clean_post(s: str) -> str:
    s = s.lstrip("的 　")
    m = _CUT_AFTER.search(s)
    if m:
        s = s[:m.start()]
    s = re.sub(r"的$", "", s)
    return s.strip(" 　")


def _year_before(text: str, start: int, default: Optional[int]) -> Optional[int]:
    """The year a figure belongs to: the last 20xx年 earlier in its sentence, else ``default``.
    A year after 从/自 opens a span that runs to the report's year."""
    s = max(text.rfind("。", 0, start), text.rfind("\n", 0, start)) + 1
    best = default
    mask = _masked(text[s:start])
    for m in re.finditer(r"(从|自)?((?:19|20)\d{2})年", text[s:start]):
        if not m.group(1) and not mask[m.start(2)]:
            best = int(m.group(2))
    return best


def find_figures(text: str, year: Optional[int] = None, base: int = 0, to_source=None) -> list[Figure]:
    """Every figure stated in ``text`` (see the module docstring), in text order.

    ``year`` is the report's year (used when the sentence names none); ``base`` is the offset of
    ``text`` in the cleaned document, ``to_source`` maps cleaned spans to source spans.
    """
    mask = _masked(text)
    out: list[Figure] = []
    prev_end = 0
    prev_counted = ""
    prev_clause = -1
    for m in _NUM.finditer(text):
        s, e = m.start("num"), m.end()
        if mask[s]:
            continue
        if s > 0 and (text[s - 1].isdigit() or text[s - 1] in ".．"):
            continue
        if s > 0 and text[s - 1] in "第":
            continue
        unit = m.group("unit")
        # a date or an hour, a page range, a deadline
        if _DATE_AFTER.match(text, m.end("num")) and not m.group("mult"):
            continue
        after = text[e:e + 3]
        if unit in DURATION | {"个工作日"} and (after.startswith(("内", "以内", "之内"))):
            continue
        if unit == "万" and not m.group("mult"):
            # 1万 alone: a plain number of ten thousands (rare); treat as a count without unit
            pass
        # a line-start section number (1.) has no unit, so it never matches
        raw = m.group("num").replace(",", "")
        value = float(raw) if raw[0].isdigit() else cn_number(raw)
        mult = m.group("mult")
        if mult and unit == "元":
            unit = mult + unit  # 7200万元: the money unit keeps its 万
        elif mult:
            value *= _MULT[mult]
        if unit == "万" and not mult:
            value *= 10_000
            unit = ""
        approx = bool(m.group("pre") in ("约", "接近", "近", "超过", "超", "逾") or m.group("approx1")
                      or m.group("approx2"))
        if unit == "％":
            unit = "%"
        if unit in ("个小时",):
            unit = "小时"
        # what is counted
        c0 = _clause_start(text, m.start(), 0)
        floor = prev_end if prev_clause == c0 and prev_end > c0 else c0
        inherited = False
        pre = _clean_pre(text[floor:m.start()])
        post_end = e
        while post_end < len(text) and text[post_end] not in _CLAUSE + "、（(《" and not text[post_end].isdigit():
            post_end += 1
        post_raw = text[e:post_end]
        post = _clean_post(post_raw.strip(" "))
        tail = e
        if unit in NOMINAL and post:
            counted = post
            tail = e + post_raw.find(post) + len(post)
        elif unit in VERBAL and post and pre:
            counted = pre + post
        else:
            counted = pre or post
        if unit in ("%", "‰") and post and (not pre or post_raw.startswith("的")):
            counted = post  # 77%的办件量
        if (len(counted) < 2 or _VERB_ONLY.match(counted)) and prev_counted and prev_clause == c0:
            counted, inherited = prev_counted, True  # 51.21%、31.11% / 由47个减少至13个
        if unit == "%" or unit == "‰" or unit == "个百分点":
            window = text[floor:m.start()]
            kind = "growth" if _GROWTH.search(window) or unit == "个百分点" else "percentage"
            if inherited and out and out[-1].unit == unit:
                kind = out[-1].kind
        else:
            kind = "count"
        # the clause it was taken from
        c_end = e
        while c_end < len(text) and text[c_end] not in "，。；;！？\n":
            c_end += 1
        clause = text[c0:c_end].strip()
        span = (base + m.start(), base + e)
        if to_source is not None:
            span = to_source(*span)
        out.append(Figure(value=round(value, 6), unit=unit, counted=counted, text=clause,
                          year=_year_before(text, m.start(), year), approximate=approx, kind=kind,
                          span=span))
        prev_end, prev_counted, prev_clause = tail, counted, c0
    return out


def tidy_value(v):
    """A figure's value for display: 5.0 or Decimal('5') -> 5; other values as they are."""
    from decimal import Decimal

    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v

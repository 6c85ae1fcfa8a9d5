"""Deadlines (2022年年底前 → 2022-12-31) and recurring duties (每两年 → P2Y) in a task's text."""
from __future__ import annotations

import calendar
import re
from typing import Optional

from kg.errors import KgError
from kg.model import Deadline, Recurrence

_CN = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "半": 0}

# 2022年年底前 / 2022年底前 / 2025年前 / 2023年6月底前 / 2023年6月30日前 / 到2025年 / 2023年上半年 …
_DEADLINE = re.compile(
    r"(?P<to>到|至|于)?(?<!\d)(?P<y>(?:19|20)\d{2})\s*年\s*"
    r"(?:(?P<half>上半年|下半年)|第(?P<q>[一二三四1-4])季度|(?P<m>\d{1,2})\s*月\s*(?:(?P<d>\d{1,2})\s*日)?|(?P<yend>年?\s*(?:底|末)))?"
    r"\s*(?P<mend>底|末|中旬|下旬)?\s*(?P<before>以前|之前|前)?"
)
# 每年, 每两年, 每2年, 每半年, 每季度, 每月, 每人每年 …
_RECUR = re.compile(
    r"(?P<pre>原则上)?(?P<person>每(?:人|名\S{0,4}?人员))?每\s*(?P<n>\d+|[一二两三四五六七八九十]|半)?\s*个?\s*"
    r"(?P<unit>年(?!度报告)|季度|季|月|周|星期)"
)
_QTY = re.compile(
    r"(?:不少于|不低于|至少|不超过)?\s*(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百]+)\s*"
    r"(?:个)?(?:学时|课时|小时|期|次|场|天|日|项|篇|件|人次|批)(?:以上|及以上)?"
)


def _num(s: Optional[str]) -> int:
    if not s:
        return 1
    if s.isdigit():
        return int(s)
    return _CN.get(s, 1)


def _end_of_month(y: int, m: int) -> str:
    return f"{y:04d}-{m:02d}-{calendar.monthrange(y, m)[1]:02d}"


_YEAR = re.compile(r"(?:19|20)\d{2}\s*年")  # where a _DEADLINE match has its year


def _deadline_matches(text: str):
    """``_DEADLINE.finditer(text)``, faster: a match has its year at its start or right after 到/至/于,
    and everything after 年 is optional, so the regex is tried only where _YEAR finds a year
    (the engine can skip ahead to those digits; it cannot for _DEADLINE's optional head)."""
    pos = 0  # matches start here or later (finditer's position)
    k = 0  # years before k have been tried
    while True:
        y = _YEAR.search(text, k)
        if y is None:
            return
        ys = y.start()
        m = _DEADLINE.match(text, ys - 1) if ys - 1 >= pos and text[ys - 1] in "到至于" else None
        if m is None:
            m = _DEADLINE.match(text, ys)
        if m is None:  # a digit before the year
            k = ys + 1
            continue
        yield m
        pos = k = m.end()


def find_deadlines(text: str, base: int = 0, to_source=None) -> list[Deadline]:
    """Deadline phrases in ``text``; ``base`` is the offset of ``text`` in the cleaned document and
    ``to_source`` maps cleaned spans to source spans."""
    out: list[Deadline] = []
    if "年" not in text:  # every deadline form names a year
        return out
    taken: list[tuple[int, int]] = []
    for m in _deadline_matches(text):
        if m.group("to") and m.start() > 0 and text[m.start() - 1] == "为":
            continue  # 为到2035年基本建成…: a long-range aim, not a deadline
        y = int(m.group("y"))
        has_to = bool(m.group("to"))
        before = bool(m.group("before"))
        yend = bool(m.group("yend"))
        mend = m.group("mend")
        if not (before or yend or (has_to and not m.group("m")) or (m.group("m") and mend in ("底", "末"))):
            continue  # a plain date such as 2021年 or 2021年3月: not a deadline
        if m.group("half"):
            date = f"{y:04d}-06-30" if m.group("half") == "上半年" else f"{y:04d}-12-31"
        elif m.group("q"):
            q = _num(m.group("q")) if not m.group("q").isdigit() else int(m.group("q"))
            date = _end_of_month(y, q * 3)
        elif m.group("m"):
            mo = int(m.group("m"))
            if not 1 <= mo <= 12:
                continue
            if m.group("d"):
                date = f"{y:04d}-{mo:02d}-{min(int(m.group('d')), calendar.monthrange(y, mo)[1]):02d}"
            else:
                date = _end_of_month(y, mo)
        else:
            date = f"{y:04d}-12-31"
        s, e = m.start(), m.end()
        while e > s and text[e - 1].isspace():
            e -= 1
        raw = re.sub(r"\s+", "", text[s:e])
        span = to_source(base + s, base + e) if to_source else (base + s, base + e)
        out.append(Deadline(raw=raw, date=date, span=span))
        taken.append((s, e))
    out.extend(_labelled(text, base, to_source, taken))
    out.sort(key=lambda d: d.span or (0, 0))
    return out


_LABELLED = re.compile(r"(?:完成时限|完成时间|时间节点|时限要求|完成期限)\s*[:：]\s*(?P<v>[^()\[\]。；\n]{1,30})")
_PLAIN_DATE = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*年(?:\s*(?P<m>\d{1,2})\s*月)?(?:\s*(?P<d>\d{1,2})\s*日)?")


def _labelled(text: str, base: int, to_source, taken: list[tuple[int, int]]) -> list[Deadline]:
    """完成时限：2023年12月 (a table column written into the task by the reader): any date counts."""
    out = []
    for lm in _LABELLED.finditer(text):
        for m in _PLAIN_DATE.finditer(lm.group("v")):
            s, e = lm.start("v") + m.start(), lm.start("v") + m.end()
            if any(a <= s < b for a, b in taken):
                continue
            y = int(m.group("y"))
            if m.group("m") and 1 <= int(m.group("m")) <= 12:
                mo = int(m.group("m"))
                date = (f"{y:04d}-{mo:02d}-{min(int(m.group('d')), calendar.monthrange(y, mo)[1]):02d}"
                        if m.group("d") else _end_of_month(y, mo))
            else:
                date = f"{y:04d}-12-31"
            raw = re.sub(r"\s+", "", text[s:e])
            span = to_source(base + s, base + e) if to_source else (base + s, base + e)
            out.append(Deadline(raw=raw, date=date, span=span))
    return out


def find_recurrences(text: str, base: int = 0, to_source=None) -> list[Recurrence]:
    out: list[Recurrence] = []
    if "每" not in text:  # every form starts with 每
        return out
    for m in _RECUR.finditer(text):
        unit = m.group("unit")
        nraw = m.group("n")
        if nraw == "半":
            freq = "P6M" if unit.startswith("年") else ("P2W" if unit in ("月",) else "P6M")
            if unit == "年":
                freq = "P6M"
        else:
            n = _num(nraw)
            freq = {"年": f"P{n}Y", "季度": f"P{3 * n}M", "季": f"P{3 * n}M", "月": f"P{n}M",
                    "周": f"P{n}W", "星期": f"P{n}W"}[unit]
        # quantity: in the same clause
        clause_end = len(text)
        for stop in "，。；！？":
            k = text.find(stop, m.end())
            if k != -1:
                clause_end = min(clause_end, k)
        clause = text[m.end():clause_end]
        q = _QTY.search(clause)
        quantity = re.sub(r"\s+", "", q.group(0)) if q else ""
        s = m.start()
        e = m.end() + (q.end() if q else 0)
        raw = re.sub(r"\s+", "", text[s:e])
        span = to_source(base + s, base + e) if to_source else (base + s, base + e)
        out.append(Recurrence(raw=raw, frequency=freq, quantity=quantity, span=span))
    return out


# ---------------------------------------------------------------------------- dates a user types

_USER_DATE = re.compile(r"(?P<y>\d{4})\s*(?:年|[-./])\s*(?P<m>\d{1,2})\s*(?:月|[-./])\s*(?P<d>\d{1,2})\s*[日号]?")


def user_date(value) -> "datetime.date":
    """A date as a user writes it: 2023-01-01, 2023年1月1日, 2023.1.1, 2023/1/1, 2023-1-1, full-width
    digits too (２０２３年１月１日); a datetime.date passes through. KgError (one line saying how to
    write it) otherwise."""
    import datetime
    import unicodedata

    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    s = unicodedata.normalize("NFKC", str(value)).strip()
    m = _USER_DATE.fullmatch(s)
    if m:
        try:
            return datetime.date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
        except ValueError:
            pass
    raise KgError(f"{str(value).strip()!r} is not a date: write it as 2023-01-01, 2023年1月1日, 2023.1.1 or 2023/1/1")

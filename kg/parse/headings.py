"""The headings of a plan and their levels: 一、 (一) 1. (1), found at line starts and inside
run-on text (preview-site scrapes lose line breaks), numbers lost in conversion (.推进…); which
level carries the tasks (the one whose headings close with unit annotations); which headings are
read otherwise than by their level (a title heading whose paragraphs are the tasks, aims and
principles that are sections); a heading's title."""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Optional

from kg.parse.annotations import Annotation

CN_NUM = "一二三四五六七八九十"
_CN_VAL = {c: i + 1 for i, c in enumerate(CN_NUM)}
CJK = "\u3400-\u9fff"
# level 1 is ([一二…十]{1,3})、 — found from its 、 (a literal the regex engine skips ahead to; a
# class of numerals in front of it made the engine test every character): see _l1_matches
_L1_MARK = re.compile(rf"、(?<=[{CN_NUM}]、)")
_L2 = re.compile(rf"\(([{CN_NUM}]{{1,3}}|[A-Z])\)(?=\s*[{CJK}])")
# (the look-behinds stand after the first character, so that the regex engine can skip ahead to
# a digit / a dot instead of trying every position: same matches)
_L3 = re.compile(rf"(\d(?<![\d.A-Za-z]\d)\d{{0,2}})\s*[.、](?!\d)(?=\s*[{CJK}“\"])")
# _L3 over a whole text is found from its mark (. or 、, literals the regex engine skips ahead to,
# after a digit or a blank), then checked back in Python: see _l3_matches
_L3_DOT = re.compile(r"\.(?<=[\d\s]\.)")
_L3_DUN = re.compile(r"、(?<=[\d\s]、)")
_L3_TAIL = re.compile(rf"(?!\d)(?=\s*[{CJK}“\"])")
_DIGIT_TITLE = re.compile(rf"\d{{2,5}}[{CJK}]")
_L4 = re.compile(rf"\((\d{{1,2}})\)(?=\s*[{CJK}])")
_LOST = re.compile(rf"[.](?<![\dA-Za-z.][.])(?=[{CJK}])")
_SENT_END = "。；！？"


@dataclass
class Heading:
    """A numbered heading (or a paragraph read as one) found in the text."""
    level: int  # 1 一、 2 (一) 3 1. 4 (1); 3 also for a task whose number was lost
    number: Optional[str]  # as printed: 一、 (一) 12 …; None when lost
    value: Optional[int]
    start: int  # where the marker starts
    body: int  # where the text after the marker starts
    line_start: bool
    lost: bool = False
    plain: bool = False  # an unnumbered paragraph that carries a unit annotation


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
        while s > lo and t[s - 1] in CN_NUM:
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


def find_headings(t: str, start: int) -> list[Heading]:
    """The headings of ``t`` from ``start``, in text order (level 1 一、, 2 (一), 3 1., 4 (1), lost numbers)."""
    heads: list[Heading] = []
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
                heads.append(Heading(1, t[ms:me], v, ms, me, ls))
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
        heads.append(Heading(2, m.group(0), v, m.start(), m.end(), _at_line_start(t, m.start())))
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
        heads.append(Heading(3, g, int(g), ms, me, ls))
        if ls:
            last3 = int(g)
    for m in _L4.finditer(t, start):
        heads.append(Heading(4, m.group(0), int(m.group(1)), m.start(), m.end(), _at_line_start(t, m.start())))
    for m in _LOST.finditer(t, start):
        prev = t[m.start() - 1] if m.start() else "\n"
        if prev.isascii() and prev.isalnum():
            continue
        stop = t.find("。", m.end(), m.end() + 40)
        if stop == -1 or re.search(r"[:：；]", t[m.end():stop]):
            continue
        heads.append(Heading(3, None, None, m.start(), m.end(), _at_line_start(t, m.start()), lost=True))
    # in a document laid out in lines, a number inside a paragraph (…：1、…；2、…) is not a heading
    for level in (2, 3, 4):
        cands = [h for h in heads if h.level == level and not h.lost]
        if cands and sum(h.line_start for h in cands) * 2 >= len(cands):
            heads = [h for h in heads if h.level != level or h.line_start or h.lost]
            if level == 3:
                heads = [h for h in heads if not h.lost or h.line_start]
    heads.sort(key=lambda h: h.start)
    # drop headings that sit inside another heading's marker
    out: list[Heading] = []
    for h in heads:
        if out and h.start < out[-1].body:
            continue
        out.append(h)
    return out


def choose_task_level(t: str, heads: list[Heading], bounds: list[int], all_anns: list[Annotation]) -> int:
    """The heading level that carries the tasks: the one whose headings' own paragraphs most often
    close with a unit annotation (the deeper on a tie), else the deepest level printed twice or
    more (3 when none is)."""
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
    return task_level


def _is_own_line(t: str, body: int, ann: int) -> bool:
    """The heading's paragraph, then the annotation alone on the next line."""
    between = t[body:ann]
    return between.count("\n") == 1 and not between.split("\n")[1].strip()


# parts and items of a plan that state its aims and principles, not duties
_AIMS = re.compile(r"(?:总体要求|指导思想|基本原则|主要原则|工作原则|遵循原则|总体目标|主要目标|工作目标|发展目标|"
                   r"总体思路|基本思路|目标任务|重要意义|基本要求|适用范围)(?:和(?:主要|总体|工作|发展)?(?:目标|原则))?$")
_AIM_TEXT = re.compile(r"(?:到|至)(?:19|20)\d{2}年(?:底|末)?[，,]")


def aim_headings(t: str, heads: list[Heading], bounds: list[int], task_level: int) -> set[int]:
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
        title = heading_title(t, h, bounds[k + 1])
        aim = bool(_AIMS.match(title.strip()))
        if h.level < task_level:
            if aim:
                inside = h.level
            continue
        if h.level == task_level and (inside is not None or aim or _AIM_TEXT.match(t, h.body)):
            out.add(k)
    return out


def leaf_tasks(t: str, heads: list[Heading], bounds: list[int], anns: list[Annotation],
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


_BODY_OPENER = re.compile(r"坚持以|以习近平|深入贯彻|全面贯彻|认真贯彻|贯彻落实|到20\d\d年|按照|根据|为(?:全面|深入|加快|进一步)"
                          r"|各级|各地|各部门|全市|全区|全县|全省|我市|我区|我县|我省")


def heading_title(t: str, h: Heading, end: int) -> str:
    """The title of heading ``h``: its line of its own, else the words before its first stop."""
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

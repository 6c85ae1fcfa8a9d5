"""Word's automatic list numbers (``1．``, ``（一）``, ``第一章``): the numbering engine that writes
out, paragraph by paragraph, the labels Word shows but does not store in the text (numbering
definitions, start overrides, styles that carry a list, counters per list and level)."""
from __future__ import annotations

import re

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"  # the WordprocessingML namespace, as lxml writes it

_CN_DIGITS = "零一二三四五六七八九"


def _chinese(n: int, digits: str = _CN_DIGITS, units: str = "十百千") -> str:
    if n <= 0:
        return str(n)
    if n < 10:
        return digits[n]
    if n < 20:
        return units[0] + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + units[0] + (digits[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        tail = "" if rest == 0 else (digits[0] + digits[rest] if rest < 10 else
                                     (digits[1] if rest < 20 else "") + _chinese(rest, digits, units))
        return digits[n // 100] + units[1] + tail
    return str(n)


def _roman(n: int) -> str:
    vals = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
            (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for v, s in vals:
        while n >= v:
            out, n = out + s, n - v
    return out


def _fmt_number(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "taiwaneseCounting",
               "taiwaneseCountingThousand", "japaneseCounting"):
        return _chinese(n)
    if fmt == "chineseLegalSimplified":
        return _chinese(n, "零壹贰叁肆伍陆柒捌玖", "拾佰仟")
    if fmt == "ideographTraditional":
        return "甲乙丙丁戊己庚辛壬癸"[(n - 1) % 10]
    if fmt == "ideographZodiac":
        return "子丑寅卯辰巳午未申酉戌亥"[(n - 1) % 12]
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return chr(0x2460 + n - 1) if 1 <= n <= 20 else str(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("upperRoman", "lowerRoman"):
        r = _roman(n)
        return r if fmt == "upperRoman" else r.lower()
    if fmt in ("upperLetter", "lowerLetter"):
        s = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return s if fmt == "upperLetter" else s.lower()
    return str(n)


class Numbering:
    """Writes out Word's automatic list numbers (``1．``, ``（一）``) that are not in the text."""

    def __init__(self, document):
        self.levels: dict[str, dict[int, tuple[int, str, str, str]]] = {}  # abstract -> ilvl -> ...
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}  # numId -> (abstract, start overrides)
        self.styles: dict[str, tuple[str | None, int | None, str | None]] = {}  # id -> numId, ilvl, basedOn
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except Exception:  # noqa: BLE001 - no numbering part: nothing to number
            root = None
        if root is not None:
            for ab in root.iterchildren(W + "abstractNum"):
                lv = {}
                for lvl in ab.iterchildren(W + "lvl"):
                    start = lvl.find(W + "start")
                    fmt = lvl.find(W + "numFmt")
                    text = lvl.find(W + "lvlText")
                    suff = lvl.find(W + "suff")
                    lv[int(lvl.get(W + "ilvl", "0"))] = (
                        int(start.get(W + "val", "1")) if start is not None else 1,
                        fmt.get(W + "val", "decimal") if fmt is not None else "decimal",
                        text.get(W + "val", "") if text is not None else "",
                        suff.get(W + "val", "tab") if suff is not None else "tab")
                self.levels[ab.get(W + "abstractNumId")] = lv
            for num in root.iterchildren(W + "num"):
                ab = num.find(W + "abstractNumId")
                overrides = {}
                for ov in num.iterchildren(W + "lvlOverride"):
                    so = ov.find(W + "startOverride")
                    if so is not None:
                        overrides[int(ov.get(W + "ilvl", "0"))] = int(so.get(W + "val", "1"))
                if ab is not None:
                    self.nums[num.get(W + "numId")] = (ab.get(W + "val"), overrides)
        try:
            styles = document.styles.element
        except Exception:  # noqa: BLE001
            styles = None
        if styles is not None:
            for st in styles.iterchildren(W + "style"):
                num_id = st.find(f"{W}pPr/{W}numPr/{W}numId")
                ilvl = st.find(f"{W}pPr/{W}numPr/{W}ilvl")
                based = st.find(W + "basedOn")
                self.styles[st.get(W + "styleId")] = (
                    num_id.get(W + "val") if num_id is not None else None,
                    int(ilvl.get(W + "val", "0")) if ilvl is not None else None,
                    based.get(W + "val") if based is not None else None)

    def _num_of(self, p) -> tuple[str | None, int]:
        num_id = p.find(f"{W}pPr/{W}numPr/{W}numId")
        ilvl = p.find(f"{W}pPr/{W}numPr/{W}ilvl")
        level = int(ilvl.get(W + "val", "0")) if ilvl is not None else None
        if num_id is not None:
            return num_id.get(W + "val"), level or 0
        style = p.find(f"{W}pPr/{W}pStyle")
        sid = style.get(W + "val") if style is not None else None
        for _ in range(10):  # follow basedOn
            if sid is None or sid not in self.styles:
                break
            s_num, s_lvl, based = self.styles[sid]
            if s_num is not None:
                return s_num, level if level is not None else (s_lvl or 0)
            sid = based
        return None, 0

    def label(self, p) -> str:
        if not self.nums:
            return ""
        num_id, ilvl = self._num_of(p)
        if num_id in (None, "0") or num_id not in self.nums:
            return ""
        abstract, overrides = self.nums[num_id]
        levels = self.levels.get(abstract, {})
        if ilvl not in levels:
            return ""
        key = num_id if overrides else abstract
        counters = self.counters.setdefault(key, {})

        def start(level: int) -> int:
            return overrides.get(level, levels.get(level, (1,))[0])

        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else start(ilvl)
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        _, fmt, text, suff = levels[ilvl]
        if fmt in ("bullet", "none") or not text:
            return ""

        def sub(m: re.Match) -> str:
            level = int(m.group(1)) - 1
            n = counters.get(level, start(level))
            return _fmt_number(n, levels.get(level, (1, "decimal"))[1])

        out = re.sub(r"%([1-9])", sub, text)
        if suff != "nothing" and not re.search(r"[．.、，,）)：:]$", out):
            out += " "
        return out

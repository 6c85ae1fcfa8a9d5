"""Clean the layout noise out of a decoded document, keeping a map back to the source.

What is removed or changed (each removal is recorded in ``CleanText.removed``):
- banner lines that document-preview sites put first (由会员分享 / 在线阅读 / 请在…上搜索 …);
- page numbers on their own line (``- 3 -``, ``第3页 共27页``) and running headers
  (a short line repeated three times or more);
- page markers dropped by preview sites: a chain of line-initial ``1、 2、 3、 …`` that falls
  in the middle of sentences (even inside 各县(市、区));
- spaces between Chinese characters (市司 法局 → 市司法局) and line breaks inside words or
  inside an unclosed 《…》 / (…);
- full-width ASCII letters, digits and brackets become ASCII: （）→() ［］→[];
  the Chinese punctuation 、，；：。 is kept, and ASCII , ; : written between Chinese
  characters become ，；：.

The page-marker positions are kept in ``CleanText.page_breaks`` (offsets in the cleaned text)
so that the parser can reassemble page fragments.
"""
from __future__ import annotations

import re
from collections import Counter

from kg.model import CleanText
from kg.parse.edits import EditedText, line_spans
from kg.parse.units import unit_like

_CJK = r"\u3400-\u9fff\uf900-\ufaff"
# Chinese punctuation that is kept as it is (not folded to ASCII by the width map).
_KEEP = set("，；：！？（）［］")  # brackets are handled separately below
_BANNER_WORDS = ("由会员分享", "会员分享", "在线阅读", "可在线阅读", "更多相关", "上搜索", "免费下载",
                 "文档下载", "下载文档", "页珍藏版", "原创力", "文库", "VIP", "版权所有", "侵权")
_PAGE_NO = re.compile(r"^\s*(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[,，/／]?\s*共\s*\d{1,4}\s*页)?"
                      r"|\d{1,4}\s*/\s*\d{1,4}|\d{1,4})\s*$")
# a page marker is (?m)^[ \t\u3000]*(\d{1,4})、 — found from its 、 (a literal the regex engine
# skips ahead to) with a digit before it, then checked back to the line start: see _markers
_MARKER_MARK = re.compile(r"、(?<=\d、)")
_SENT_END = set("。；！？;!?：:」』”\"")
_OPEN = "《〈(（[［【"
_CLOSE = "》〉)）]］】"
_CONT_START = set("、，；：。）)》〉,;:")


def _is_cjk(ch: str) -> bool:
    """``ch`` (one character, or "") is a Chinese character (the ranges of _CJK)."""
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


_WIDTH_TABLE = None
_WIDTH_CHARS = None


def _width_table() -> dict[int, str]:
    """One-for-one rewrites: ideographic/no-break spaces, and full-width forms except the Chinese
    punctuation kept (_KEEP); full-width brackets become ASCII ones."""
    global _WIDTH_TABLE, _WIDTH_CHARS
    if _WIDTH_TABLE is None:
        table = {o: chr(o - 0xFEE0) for o in range(0xFF01, 0xFF5F) if chr(o) not in _KEEP}
        table.update({0x3000: " ", 0xA0: " ", 0x202F: " ", 0x205F: " ", ord("（"): "(", ord("）"): ")",
                      ord("［"): "[", ord("］"): "]", ord("【"): "[", ord("】"): "]"})
        table.update({o: " " for o in range(0x2000, 0x200B)})  # en/em/thin … spaces
        _WIDTH_TABLE = table
        _WIDTH_CHARS = re.compile("[" + "".join(re.escape(chr(o)) for o in sorted(table)) + "]")
    return _WIDTH_TABLE


def _width(t: EditedText) -> None:
    # one character for one: the offsets stay as they are. str.translate looks every character
    # up in the table (slow on Chinese text); only the few distinct characters present are replaced
    table = _width_table()
    text = t.text
    for ch in set(_WIDTH_CHARS.findall(text)):
        text = text.replace(ch, table[ord(ch)])
    t.text = text
    if "\r" in t.text:
        t.apply([(m.start(), m.end(), "", "carriage return") for m in re.finditer("\r", t.text)])


def _banner(t: EditedText) -> None:
    edits = []
    for k, (s, e) in enumerate(line_spans(t.text)):
        if k > 3:
            break
        line = t.text[s:e]
        hits = sum(1 for w in _BANNER_WORDS if w in line)
        if hits >= 2 or (hits and re.search(r"\d+\s*页", line)):
            edits.append((s, min(e + 1, len(t.text)), "", "preview-site banner"))
    t.apply(edits)


_MD_EMPH = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__")
_MD_HEADING = re.compile(r"(?m)^[ \t]*#{1,6}[ \t]+")
_MD_RULE = re.compile(r"(?m)^[ \t]*(?:-{3,}|\*{3,}|_{3,})[ \t]*$")


def _markdown(t: EditedText) -> None:
    """Markdown marks of a page saved as Markdown: **bold**, # headings, --- rules. Taken out
    only from a text that uses them (two bold spans at least), so that a plain text keeps its
    asterisks."""
    text = t.text
    if text.count("**") < 4 and text.count("__") < 4:
        return
    edits = []
    for m in _MD_EMPH.finditer(text):
        inner = 1 if m.group(1) is not None else 2
        edits.append((m.start(), m.start(inner), "", "markdown emphasis"))
        edits.append((m.end(inner), m.end(), "", "markdown emphasis"))
    for m in _MD_HEADING.finditer(text):
        edits.append((m.start(), m.end(), "", "markdown heading mark"))
    for m in _MD_RULE.finditer(text):
        edits.append((m.start(), m.end(), "", "markdown rule"))
    t.apply(edits)


# a role label printed in square brackets: 【牵头单位】X【配合单位】Y (brackets folded to [ ] before)
_BRACKET_LABEL = re.compile(
    r"\[(?P<label>(?:主要|具体)?(?:牵头|主责|主办|配合|参与|参加|协办|协助|协作|责任|负责|实施|落实|承办)"
    r"(?:责任单位|责任部门|单位|部门|处室|科室|机关|机构|领导|人)?)\](?![:：])")


def _bracket_labels(t: EditedText) -> None:
    """【牵头单位】X → 牵头单位：X, as the plan parser reads a label."""
    edits = []
    for m in _BRACKET_LABEL.finditer(t.text):
        edits.append((m.start(), m.start() + 1, "", "label bracket"))
        edits.append((m.end() - 1, m.end(), "：", "label bracket"))
    t.apply(edits)


def _headers(t: EditedText) -> None:
    """Page numbers, and running headers: a short line repeated at page breaks (beside a page
    number or a form feed, or opening the text). A line repeated in the body (the same unit line
    under several tasks, a common sentence) is content and stays."""
    lines = list(line_spans(t.text))
    texts = [t.text[s:e].strip() for s, e in lines]
    filled = [k for k, x in enumerate(texts) if x]
    page = {k for k in filled if _PAGE_NO.match(texts[k])}
    # a line is at a page break when the nearest non-blank line before or after it is a page
    # number (or it is the first line), or a form feed ends the line before
    at_break = set()
    for i, k in enumerate(filled):
        before = filled[i - 1] if i else None
        after = filled[i + 1] if i + 1 < len(filled) else None
        if before is None or before in page or after in page or "\f" in t.text[lines[before][1]:lines[k][0] + 1]:
            at_break.add(k)
    counts = Counter(texts[k] for k in filled)
    broken = Counter(texts[k] for k in at_break)
    edits = []
    for k in filled:
        s, e = lines[k]
        line = texts[k]
        if k in page:
            edits.append((s, min(e + 1, len(t.text)), "", "page number"))
        elif counts[line] >= 3 and len(line) <= 40 and not line.endswith(("。", "；")):
            if k in at_break and broken[line] * 3 >= counts[line] * 2:
                edits.append((s, min(e + 1, len(t.text)), "", "running header"))
    t.apply(edits)


def _markers(text: str):
    """(number start, end, number) of each line-initial ``  12、`` (1-4 digits after blanks)."""
    for m in _MARKER_MARK.finditer(text):
        k = m.start()
        d = k - 1
        while d > 0 and k - d < 4 and text[d - 1].isdecimal():
            d -= 1
        if d > 0 and text[d - 1].isdecimal():
            continue  # five digits or more
        b = d
        while b > 0 and text[b - 1] in " \t\u3000":
            b -= 1
        if b == 0 or text[b - 1] == "\n":
            yield d, k + 1, int(text[d:k])


def _page_markers(t: EditedText) -> list[int]:
    """Remove a chain of line-initial 1、2、3、… that falls mid-sentence; return break positions."""
    found = list(_markers(t.text))
    # longest chain of consecutive numbers in document order
    best: list[tuple[int, int, int]] = []
    chain: list[tuple[int, int, int]] = []
    for item in found:
        if chain and item[2] == chain[-1][2] + 1:
            chain.append(item)
        else:
            if len(chain) > len(best):
                best = chain
            chain = [item] if item[2] == 1 or not chain else [item]
        if len(chain) > len(best):
            best = chain
    if len(best) < 3:
        return []
    mid = 0
    for s, e, _n in best[1:]:
        b = s  # the text before the marker ends at b, blanks left out
        while b > 0 and t.text[b - 1] in " \t\n":
            b -= 1
        if b and t.text[b - 1] not in _SENT_END and t.text[b - 1] not in ")）]】":
            # a list item after an unbracketed unit line (牵头单位：县司法局) is not mid-sentence
            prev_line = t.text[t.text.rfind("\n", 0, b) + 1:b]
            after = t.text[e:e + 60]
            stop = after.find("。")
            item_like = 0 < stop <= 40 and not re.search(r"[:：;；]", after[:stop])
            tail = re.split(r"[、，,；;：:\s]", prev_line)[-1]
            ends_unit = bool(re.search(r"(?:单位|部门)\s*[:：][^。:：]{2,120}$", prev_line)) and \
                tail.count("(") == tail.count(")") and _unit_like(tail)
            heading = re.fullmatch(r"\s*(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\))[^。，；、]{1,30}", prev_line)
            if item_like and (heading or ends_unit):
                # a list item after a heading line, or after a paragraph that ends with its
                # unbracketed unit line (…牵头单位：县司法局), is not mid-sentence
                continue
            mid += 1
    if mid * 2 < len(best) - 1:
        return []  # a real numbered list: items start after finished sentences
    edits = []
    for s, e, _n in best:
        # the line break before the marker goes too: the page continues the text
        ls = s
        while ls > 0 and t.text[ls - 1] in " \t":
            ls -= 1
        if ls > 0 and t.text[ls - 1] == "\n":
            ls -= 1
        edits.append((ls, e, "\x00", "page marker"))
    t.apply(edits)
    breaks = []
    offs = []
    pos = 0
    for m in re.finditer("\x00", t.text):
        offs.extend(t.offsets[pos:m.start()])
        breaks.append(len(offs))
        pos = m.end()
    offs.extend(t.offsets[pos:])
    t.text = t.text.replace("\x00", "")
    t.offsets = offs
    return breaks


_TITLE_END = re.compile(r"(?:方案|规划|纲要|意见|条例|办法|决定|规定|计划|细则|要点|通知|措施|举措|报告|总结)(?:\([^()]*\))*$")


def _heading_like(line: str) -> bool:
    s = line.strip()
    if _TITLE_END.search(s) and len(s) <= 60:
        return True  # a title line: the next line is another paragraph
    if _SIGN_DATE.fullmatch(s):
        return True  # the date under a signature
    return len(s) < 40 and bool(_NUMBERED.match(s))


_SIGN_DATE = re.compile(r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")
_NUMBERED = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d+\s*[.、]|\(\d+\))")


def _spaces_and_breaks(t: EditedText) -> None:
    text = t.text
    edits = []
    n = len(text)
    for m in _BLANK_RUN.finditer(text):  # each run of blanks (a regex scan, not a loop per character)
        i, j = m.span()
        run = m.group()
        prev = text[i - 1] if i > 0 else ""
        nxt = text[j] if j < n else ""
        if "\n" not in run:
            # spaces inside a line, between Chinese (or a digit and Chinese)
            if prev and nxt and ((_is_cjk(prev) or prev in "，、；：。“”《》〈〉()") and (_is_cjk(nxt) or nxt.isdigit() or nxt in "，、；：。“”《》〈〉()")
                                 or (prev.isdigit() and (_is_cjk(nxt) or nxt in ".．"))
                                 or (prev.isascii() and prev.isalpha() and _is_cjk(nxt))
                                 or (_is_cjk(prev) and nxt.isascii() and nxt.isalpha())):
                if i > 0 and text[i - 1] != "\n" and not _two_units(text, i, j):
                    edits.append((i, j, "", "space inside words"))
        else:
            # the cheap tests first; prev_line only when a test needs it
            if _UNIT_LINE.match(text, j, j + 12):
                continue  # a unit line of its own (配合单位：…)
            prev_line = None
            newlines = run.count("\n")
            join = False
            if nxt in _CONT_START or prev in "(（[［【《〈“" and newlines == 1:
                join = True  # a line that ends with an opening bracket goes on on the next
            elif _is_cjk(prev) and _is_cjk(nxt) and run.endswith("\n"):  # not indented
                prev_line = text[text.rfind("\n", 0, i) + 1:i]
                if _ends_unit_line(prev_line) or _NUMBERED.match(text, j, j + 8):
                    join = False  # a unit line is whole (责任单位：县自然资源局); a numbered line starts anew
                elif not _heading_like(prev_line):
                    join = newlines == 1 or _unclosed(prev_line)
                elif prev not in "。；" and newlines <= 3:
                    join = _unclosed(prev_line) and not _heading_like(text[j:j + 40].split("\n")[0])
            elif prev in "，、" and newlines == 1 and (_is_cjk(nxt) or nxt in "(（") \
                    and not _NUMBERED.match(text, j, j + 8):
                join = True  # a line that ends with a comma goes on on the next (a printed page's wrap)
            elif prev not in "。；" and newlines <= 3 and _is_cjk(nxt):
                prev_line = text[text.rfind("\n", 0, i) + 1:i]
                join = _unclosed(prev_line) and not _heading_like(text[j:j + 40].split("\n")[0])
            if join and (prev_line if prev_line is not None else text[text.rfind("\n", 0, i) + 1:i]).strip():
                edits.append((i, j, "", "line break inside a sentence"))
    t.apply(edits)


def _ends_unit_line(line: str) -> bool:
    """``line`` is a unit line of its own (牵头单位：X、Y) whose last item is a whole unit name."""
    m = _UNIT_LINE.match(line.lstrip())
    if not m:
        return False
    tail = re.split(r"[、，,；;：:\s]", line.rstrip())[-1]
    return tail.count("(") == tail.count(")") and _unit_like(tail)


_BLANK_RUN = re.compile(r"[ \t\n]+")
_UNIT_LINE = re.compile(r"[(\[]?[^\s，、；。,;:：()\[\]]{2,4}(?:单位|部门)\s*[:：]")


_TOKEN_STOP = set("、，；：。,;:!?！？\n \t")
_UNIT_START = tuple("省市州盟区县旗乡镇各") + ("街道",)


def _unit_like(name: str) -> bool:
    return unit_like(name)


def _two_units(text: str, i: int, j: int) -> bool:
    """The space at text[i:j] separates two complete unit names (县司法局 县财政局), not the two
    halves of one word (市司 法局): both sides end like a unit, the right one starts like one."""
    a = i
    while a > 0 and text[a - 1] not in _TOKEN_STOP:
        a -= 1
    b = j
    while b < len(text) and text[b] not in _TOKEN_STOP:
        b += 1
    left, right = text[a:i], text[j:b]
    if len(left) < 3 or len(right) < 3 or not right.startswith(_UNIT_START):
        return False
    return _unit_like(left) and _unit_like(right) and not any(c in left + right for c in "。《》")


def _unclosed(line: str) -> bool:
    opens = [k for k in (line.find("《"), line.find("〈")) if k != -1]
    if not opens:
        return False
    depth = 0  # a closing mark before the first opening one changes nothing
    for ch in line[min(opens):]:
        if ch in "《〈":
            depth += 1
        elif ch in "》〉" and depth:
            depth -= 1
    return depth > 0


# "." after a Chinese character or a closing mark (the look-behind stands after the dot so that
# the regex engine skips ahead to dots)
_CJK_STOP = re.compile(rf"\.(?<=[{_CJK})\]”\"]\.)(?=[{_CJK}(\[“\"\n]|$)")


def _ascii_punct(t: EditedText) -> None:
    text = t.text
    edits = []
    table = {",": "，", ";": "；", ":": "："}
    # each mark found by its own scan (a literal the regex engine skips ahead to; a class of the
    # three was tested at every character), in text order
    marks = sorted((m.start(), ch) for ch in ",;:" if ch in text for m in re.finditer(ch, text))
    for i, ch in marks:
        prev = text[i - 1] if i else ""
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if prev.isascii() and prev.isalnum() and nxt.isascii() and nxt.isalnum():
            continue  # 1,000 or 10:30
        if _is_cjk(prev) or _is_cjk(nxt) or (prev and prev in ")”\"") or (nxt and nxt in "(“\""):
            edits.append((i, i + 1, table[ch], ""))
    # a document typed with ASCII full stops (推进政务公开.全面梳理…): "." after a Chinese word
    # is its 。 — decided for the whole document, because a scrape that writes 。 also has
    # stray dots standing for a lost task number (…人民政府.持续深化…)
    stops = [m.start() for m in _CJK_STOP.finditer(text)]
    if len(stops) >= 3 and len(stops) > 2 * text.count("。"):
        edits.extend((i, i + 1, "。", "") for i in stops)
    t.apply(edits)


def clean(text: str) -> CleanText:
    """Clean ``text`` (the decoded source) and map every cleaned character back to it."""
    if text.startswith("\ufeff"):
        t = EditedText(text)
        t.apply([(0, 1, "", "byte-order mark")])
    else:
        t = EditedText(text)
    _width(t)
    _bracket_labels(t)
    _markdown(t)
    _banner(t)
    _headers(t)
    breaks = _page_markers(t)
    # positions shift again below; keep the breaks as source offsets and map back after
    src_breaks = [t.offsets[b] if b < len(t.offsets) else t.offsets[-1] for b in breaks]
    _ascii_punct(t)
    _spaces_and_breaks(t)
    out = CleanText(text=t.text, offsets=t.offsets, removed=sorted(t.removed))
    if src_breaks:
        import bisect

        out.page_breaks = sorted({bisect.bisect_left(t.offsets, sb) for sb in src_breaks})
    return out

"""The opening of a plan: its title (after a covering notice, a 附件 line, a site's or converter's
banner and metadata lines), the issuers and date of the notice, the plan's period, the parent
directives its preamble names (根据《…》, 为贯彻落实《…》), and the plan's level and region."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from kg.model import Document, ParentRef
from kg.parse.headings import CN_NUM
from kg.parse.titles import infer_level, issuer_level, title_key

_GENRE = "方案|规划|纲要|意见|条例|办法|决定|规定|计划|细则|要点|通知|措施|举措"
_PERIOD = re.compile(r"((?:19|20)\d{2})\s*[-—–－~至到]?\s*((?:19|20)\d{2})\s*年")
_RELATION = re.compile(r"为确保|根据|依据|按照|贯彻落实|贯彻执行|贯彻|落实")
_BARE_TITLE = re.compile(
    rf"([^\s，。；、《》()]{{2,40}}?(?:{_GENRE}))\((\d{{4}})\s*[-—–~]?\s*(\d{{4}})\s*年\)")


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
class Opening:
    """What the opening of a plan says: its title and where its text starts, the notice's issuers and date."""
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
    k = title_key(x)
    return k[2:] if k.startswith("关于") else k


def _issuer_names(lines: list[str]) -> list[str]:
    """The issuing bodies of a notice's signature lines, or of the words before 关于印发: split at
    blanks and 、, and a run of names that each open with the same place
    (广州市卫生健康委员会广州市财政局…) split before each repeat of the place."""
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


def read_opening(t: str) -> Opening:
    """The opening of the plan ``t``: after a covering notice when there is one, else the plain opening."""
    rows = _lines(t)
    # the first line that opens the body of a plan: a part heading (一、) or a long paragraph
    body_at = next((k for k, (_, _, line) in enumerate(rows)
                    if re.match(rf"[{CN_NUM}]{{1,3}}、", line) or len(line) > 200 and not _ADDRESSEE.match(line)),
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
        return Opening(title, rows[b][1], issuers, date, True)
    # the notice is all there is before the text (印发《关于…的若干意见》 then the opinions): the
    # title is X, the text starts after the notice (and its signature and date, when they follow)
    end = rows[notice_end][1]
    if date is not None:
        end = max(end, next(rows[i][1] for i in range(notice_end + 1, len(rows)) if _DATE_LINE.fullmatch(rows[i][2])))
    k = notice_end + 1
    while k < len(rows) and (not rows[k][2] or _junk(rows[k][2]) or _ADDRESSEE.match(rows[k][2])):
        end = max(end, rows[k][1])
        k += 1
    return Opening(x, end, issuers, date, True)


def _plain_opening(t: str, rows: list[tuple[int, int, str]]) -> Opening:
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
        words = sm.group(1)
        if issuer_level([words])[0] or re.search(r"(?:政府|办公厅|办公室|委员会|党委|国务院|部|局|厅|委)$", words):
            issuers = _issuer_names([words])
            tail = [x for x in t[-400:].split("\n") if x.strip()][-4:]
            for line in tail:
                dm = _DATE_LINE.fullmatch(line.strip())
                if dm:
                    date = f"{int(dm.group(1)):04d}-{int(dm.group(2)):02d}-{int(dm.group(3)):02d}"
    return Opening(title, end, issuers, date, False)


def restore_dash(s: str) -> str:
    """(20212025年) → (2021-2025年): the dash a conversion lost in a period."""
    return re.sub(r"\((\d{4})(\d{4})\s*年\)", r"(\1-\2年)", s)


def plan_period(title: str, t: str, title_end: int) -> Optional[tuple[int, int]]:
    """The plan's period (2021, 2025): from its title, else from the first 400 characters after it."""
    # the period of a directive named in the preamble (《…(2021-2025年)》) is not the plan's
    preamble = re.sub(r"《[^《》]*(?:《[^《》]*》[^《》]*)*》", lambda m: "　" * len(m.group(0)), t[title_end:title_end + 400])
    pm = _PERIOD.search(title) or _PERIOD.search(preamble)
    return (int(pm.group(1)), int(pm.group(2))) if pm else None


def find_parents(t: str, start: int, end: int, to_source) -> list[ParentRef]:
    """The directives the preamble t[start:end] names (《…》, or bare genre titles with their period), with the relation its words give."""
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
        title = restore_dash(text[i + 1:j].replace("《", "〈").replace("》", "〉"))
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


def level_region(doc: Document) -> None:
    """Set the plan's level and region from its title, else its notice's issuers, else its units' prefixes."""
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

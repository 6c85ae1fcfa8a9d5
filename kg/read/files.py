"""The read stage: files on disk -> ``kg.model.Source``.

``Source.text`` is the decoded text of the file and the reference for every offset the later
stages report (``CleanText.to_source`` maps back to it).  Reading only decodes and lays the
document out as lines; it does not clean (that is ``kg.parse.clean``).  Line endings are ``\\n``.

Formats:

* ``.txt``  UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK, detected from the bytes.
* ``.docx`` paragraphs and tables in document order, one paragraph per line (Word's automatic
  list numbers are written out, e.g. ``1．``).  A table row is one line.  When the header row
  names a task column and at least one unit column (a *task table*: 序号 | 任务 | 牵头单位 |
  配合单位 ...), every body row becomes a plan line the parser already knows::

      {序号}．{任务}（完成时限：{时限}）（牵头单位：{…}；配合单位：{…}）

  The unit labels are the headers as written when they are one of 牵头单位 牵头部门 配合单位
  配合部门 参加单位 协办单位 责任单位 责任部门, else the role's usual label (牵头 -> 牵头单位,
  协同单位 -> 配合单位, 责任主体 -> 责任单位); a unit cell that names its own roles
  (牵头单位：X；配合单位：Y) is put in the bracket as it is; cell paragraphs in a unit column are
  joined with 、; empty cells are left out; a vertically merged unit cell counts for every row
  it spans.  A bare number gets ``．`` (``3`` -> ``3．``; ``三`` -> ``三、``), a punctuated one
  (``（三）``) is kept, and is not repeated when the task text starts with it.  The 时限 bracket
  appears only with a deadline column whose text the task does not already contain.  A row
  with one non-empty cell (a heading inside the table) is written as it stands; the header
  row(s) (two-row headers too) are not written, title rows above them are.  Other tables: one
  row per line, cells joined by a tab; a frame table (a cell with more than three paragraphs)
  gives each paragraph its own line.
* ``.pdf``  the text layer (pdfplumber), pages joined by ``\\n``.
* ``.html`` / ``.htm``  the text of ``<body>``; block elements break lines, script/style dropped,
  entities decoded, tables laid out as for .docx.

Every failure is a ``KgError`` with one line: ``<path>: <what is wrong>; <what to do>``.
"""
from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
import unicodedata
from pathlib import Path
from typing import Optional

from kg.errors import KgError
from kg.model import Source

EXTENSIONS = {".txt": "txt", ".docx": "docx", ".pdf": "pdf", ".html": "html", ".htm": "html",
              ".doc": "doc", ".wps": "wps", ".rtf": "rtf", ".odt": "odt", ".ofd": "ofd"}  # kg.read.office, kg.read.ofd
SUPPORTED = " ".join(EXTENSIONS)


# --------------------------------------------------------------------------- errors


def _fail(path: str, reason: str) -> KgError:
    """One line naming the file and the reason (any line break in ``reason`` is flattened)."""
    from kg.identity import shown

    msg = f"{shown(str(path))}: {reason}"
    return KgError(" ".join(msg.split()) if "\n" in msg or "\r" in msg else msg)


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    text = text[:120] + "…" if len(text) > 120 else text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# --------------------------------------------------------------------------- entry points


def read_paths(paths: list[str]) -> list[Source]:
    """Read files and folders (walked recursively, sorted) in the order given.

    Folders yield only .txt .docx .pdf .html .htm, skipping hidden files/folders and ``~$``
    Office lock files.  A file reached twice is read once.
    """
    return [read_file(path, name, doc_id) for path, name, doc_id in list_documents(paths)]


def list_files(paths: list[str]) -> list[str]:
    """The files ``read_paths`` reads, in its order, without reading them."""
    return [path for path, _ in list_inputs(paths)]


def list_documents(paths: list[str]) -> list[tuple[str, str, str]]:
    """(path, name, document id) of every file a build of ``paths`` reads, in its order: the
    name is the path relative to the folder given (kg.identity)."""
    from kg.identity import assign

    return assign(list_inputs(paths))


def _stat(given: str):
    """os.stat of a path given, or the KgError saying why there is none."""
    try:
        return os.stat(given)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise _fail(given, "is a symbolic link that loops (it points, in the end, at itself); "
                               "fix or remove the link") from None
        if os.path.lexists(given) and isinstance(e, FileNotFoundError):
            raise _fail(given, "is a broken symbolic link (what it points to is gone); fix the link") from None
        if isinstance(e, FileNotFoundError):
            raise _fail(given, "no such file or folder; check the path") from None
        raise _fail(given, f"cannot be read ({e.strerror or _short(e)}); check its permissions") from None


def list_inputs(paths: list[str]) -> list[tuple[str, str]]:
    """(path, path relative to the folder given, or the base name of a file given) of the files
    ``read_paths`` reads, in its order: folders walked in sorted order, regular files only."""
    if not paths:
        raise KgError("no documents given; name the files or folders to read")
    files: list[tuple[str, str]] = []
    for given in paths:
        given = os.fspath(given)
        st = _stat(given)
        if stat.S_ISDIR(st.st_mode):
            found = _walk(given)
            if not found:
                raise _fail(given, f"folder has no documents ({SUPPORTED}); "
                                   "point at a folder that holds plans or reports")
            files.extend(found)
        elif stat.S_ISREG(st.st_mode):
            files.append((given, os.path.basename(given)))
        else:
            raise _fail(given, "not a regular file or folder (a pipe or a device?); give a document or a folder")
    seen: set = set()
    unique = []
    for f, rel in files:
        try:  # one file under two names (a link, a path given twice) is read once
            st = os.stat(f)
            key: tuple = (st.st_dev, st.st_ino)
        except OSError:  # a broken link: read_file says what is wrong with it
            key = (os.path.realpath(f),)
        if key in seen:
            continue
        seen.add(key)
        unique.append((f, rel))
    return unique


def _walk(folder: str) -> list[tuple[str, str]]:
    out = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        rel = os.path.relpath(dirpath, folder)
        for name in filenames:
            if name.startswith((".", "~$")):
                continue
            if os.path.splitext(name)[1].lower() in EXTENSIONS:
                try:  # regular files only: a FIFO named x.txt would block the build forever
                    if not stat.S_ISREG(os.stat(os.path.join(dirpath, name)).st_mode):
                        continue
                except OSError:
                    pass  # a broken link: read_file says what is wrong with it
                out.append(name if rel == os.curdir else os.path.join(rel, name))
    out.sort(key=lambda r: Path(r).as_posix())
    return [(os.path.join(folder, r), r) for r in out]


def read_file(path: str | os.PathLike, name: Optional[str] = None, doc_id: Optional[str] = None) -> Source:
    """Read one document; raise ``KgError`` (one line) when it cannot be read or has no text.

    The returned ``Source.text`` is decoded and laid out but not cleaned; every offset the later
    stages record refers to it. ``name`` and ``doc_id``: the file's name and document id in a
    build (list_documents); by default its base name, and the id made from it."""
    from kg.identity import shown

    path = str(path)
    p = Path(path)
    ext = p.suffix.lower()
    fmt = EXTENSIONS.get(ext)
    if fmt is None:
        raise _fail(path, f"unsupported file type '{ext or '(none)'}'; supported: {SUPPORTED}")
    data = _read_regular(path)
    if not data:
        raise _fail(path, "empty file (0 bytes); give a document that has text")
    encoding = None
    if fmt == "txt":
        text, encoding = _decode_text(path, data)
    elif fmt == "docx":
        text = _read_docx(path, data)
    elif fmt == "pdf":
        text = _read_pdf(path, data)
    elif fmt in ("doc", "wps", "rtf", "odt"):  # LibreOffice makes a .docx of it (kg.read.office)
        from kg.read.office import to_docx

        text = _read_docx(path, to_docx(path, data, fmt))
    elif fmt == "ofd":
        from kg.read.ofd import read_ofd

        text = read_ofd(path, data)
    else:
        text, encoding = _read_html(path, data)
    text = _newlines(text)
    if not text.strip():
        raise _fail(path, "contains no text; check that it is the right file")
    return Source(path=path, name=name if name is not None else shown(p.name), sha256=hashlib.sha256(data).hexdigest(),
                  format=fmt, text=text, encoding=encoding, id=doc_id)


# What a document may hold unpacked (a .docx is a zip): past it, a file is refused, not read.
MAX_UNPACKED = 50_000_000


def _read_regular(path: str) -> bytes:
    """The bytes of the regular file ``path``; a FIFO, a device or a folder is refused (opened
    without blocking, so that a FIFO cannot hang the build)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except IsADirectoryError:
        raise _fail(path, "is a folder, not a file") from None
    except OSError as e:
        _stat(path)  # no such file, a broken or looping link: said as such
        raise _fail(path, f"cannot be read ({e.strerror or _short(e)}); check its permissions") from None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if stat.S_ISDIR(st.st_mode):
            raise _fail(path, "is a folder, not a file")
        if not stat.S_ISREG(st.st_mode):
            raise _fail(path, "is not a regular file (a pipe or a device?); give a document file")
        try:
            return f.read()
        except OSError as e:
            raise _fail(path, f"cannot be read ({e.strerror or _short(e)}); check the disk or copy the file again") from None


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --------------------------------------------------------------------------- .txt


_MAGIC = ((b"%PDF", "a PDF"), (b"PK\x03\x04", "a zip/Office file"),
          (b"\xd0\xcf\x11\xe0", "an old Office (.doc/.xls) file"), (b"\x89PNG", "a PNG image"),
          (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"))


def _decode_text(path: str, data: bytes) -> tuple[str, str]:
    """Decode .txt bytes: BOM, then strict UTF-8, then strict GB18030; refuse binary."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise _fail(path, f"is {what}, not text; give it the right extension or convert it to text")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _check_binary(path, data.decode("utf-16")), "utf-16"
        except UnicodeDecodeError:
            raise _fail(path, "is not valid UTF-16 text; re-save it as UTF-8") from None
    if b"\x00" in data:
        found = _utf16(data)
        if found is not None:
            return _check_binary(path, found[0]), found[1]
        raise _fail(path, "is a binary file (contains NUL bytes), not text; give a .txt, .docx, .pdf or .html document")
    bom = data.startswith(b"\xef\xbb\xbf")
    enc = "utf-8-sig" if bom else "utf-8"
    try:
        return _check_binary(path, data.decode(enc)), enc
    except UnicodeDecodeError as e:
        error = e
    if error.reason == "unexpected end of data":  # cut inside the last character
        try:
            return _check_binary(path, data[:error.start].decode(enc)), enc
        except UnicodeDecodeError:
            pass
    loose = data.decode(enc, errors="replace")
    bad = loose.count("\ufffd")
    good = sum(1 for ch in loose if ord(ch) > 0x7F) - bad
    if bom or good >= 20 * bad:  # UTF-8 with a few broken bytes: decoding as GB18030 is mojibake
        raise _fail(path, f"is UTF-8 text with {bad} invalid byte sequence(s), the first at byte "
                          f"{error.start}; repair it or re-save it as UTF-8")
    for cut in (len(data), len(data) - 1, len(data) - 2, len(data) - 3):  # a cut last character
        try:
            return _check_binary(path, data[:cut].decode("gb18030")), "gb18030"
        except UnicodeDecodeError as e:
            if e.end < cut or e.reason != "incomplete multibyte sequence":
                break
    raise _fail(path, "is neither UTF-8 nor GB18030/GBK text (or is binary); re-save it as UTF-8")


# What text is made of: ASCII letters, digits, punctuation and white space; CJK ideographs and
# punctuation, full-width forms; general punctuation (“”…—).
_TEXTLIKE = re.compile("[\t\n\r\x20-\x7e\u2000-\u206f\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


def _utf16(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) of UTF-16 without a byte order mark, told by its NUL bytes (the high byte
    of every ASCII character: line breaks, digits) falling mostly on odd positions (little
    endian) or on even ones (big endian; a few characters such as 最 U+6700 put one on the other
    side), and by decoding to text; else None."""
    sample = data[:65536]
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    for enc, hits, misses in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if hits > 2 * misses and len(data) % 2 == 0:
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                return None
            head = text[:20000]
            if len(_TEXTLIKE.findall(head)) >= 0.95 * len(head):
                return text, enc
    return None


# Unicode category Cc (U+0000-001F, U+007F-009F) minus the allowed \t \n \v \f \r (U+0009-000D).
_BAD_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def _check_binary(path: str, text: str) -> str:
    """Refuse decoded text with a high share of control characters (a binary file)."""
    sample = text[:20000]
    bad = len(_BAD_CONTROLS.findall(sample))
    if sample and bad / len(sample) > 0.02:
        raise _fail(path, "looks like a binary file (many control characters), not text; "
                          "give a .txt, .docx, .pdf or .html document")
    return text


# --------------------------------------------------------------------------- tables (docx, html)
#
# A table reaches ``table_lines`` as rows of grid slots ``(cell_id, paragraphs)``: a cell that
# spans several grid columns fills them all with the same id; a vertically merged cell is
# repeated in the rows below with the same id.

_NUM_HEAD = re.compile(r"^(序号|编号|序|No\.?|#)$", re.I)
_LEAD_HEAD = re.compile(r"牵头")
_SUPPORT_HEAD = re.compile(r"配合|参加|协办|参与|协同|协助")
_RESP_HEAD = re.compile(r"责任|负责")
_DEADLINE_HEAD = re.compile(r"时限|时间|期限|进度")
_TASK_HEAD = re.compile(r"任务|内容|措施|事项|举措|工作|要求|目标|项目")
_CJK_EDGE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def _join_paragraphs(parts: list[str], sep_units: bool = False) -> str:
    """Join a cell's paragraphs into one line (units are listed with 、)."""
    parts = [" ".join(x.split()) for x in parts]
    parts = [x for x in parts if x]
    if not parts:
        return ""
    if sep_units:
        return "、".join(x.rstrip("、，,；;") for x in parts)
    out = parts[0]
    for x in parts[1:]:
        glue = "" if _CJK_EDGE.match(out[-1]) or _CJK_EDGE.match(x[0]) else " "
        out += glue + x
    return out


# Role labels the plan parser reads; a header written otherwise gets its role's usual label.
_LABELS = {"牵头单位", "牵头部门", "配合单位", "配合部门", "参加单位", "协办单位", "责任单位", "责任部门"}


def _label(head: str, default: str) -> str:
    head = re.sub(r"[（(][^）)]*[）)]$", "", head)  # 牵头单位（部门） -> 牵头单位
    return head if head in _LABELS else default


def _task_columns(heads: list[str]) -> dict | None:
    """Map header texts (one per grid column, '' for a repeated span) to task-table columns."""
    cols: dict = {"num": None, "task": None, "deadline": None, "units": []}
    for i, h in enumerate(heads):
        if not h:
            continue
        short = len(h) <= 10
        if "领导" in h:
            continue  # 责任领导 / 牵头领导 name persons, not units
        if cols["num"] is None and _NUM_HEAD.match(h):
            cols["num"] = i
        elif short and _LEAD_HEAD.search(h):
            cols["units"].append((i, _label(h, "牵头单位")))
        elif short and _SUPPORT_HEAD.search(h):
            cols["units"].append((i, _label(h, "配合单位")))
        elif short and _RESP_HEAD.search(h):
            cols["units"].append((i, _label(h, "责任单位")))
        elif cols["deadline"] is None and short and _DEADLINE_HEAD.search(h):
            cols["deadline"] = i
        elif cols["task"] is None and _TASK_HEAD.search(h):
            cols["task"] = i
    if cols["task"] is None or not cols["units"]:
        return None
    return cols


def _number(raw: str) -> str:
    raw = "".join(raw.split())
    if re.fullmatch(r"[0-9０-９]+", raw):
        return raw + "．"
    if re.fullmatch(r"[一二三四五六七八九十百零〇]+", raw):
        return raw + "、"
    return raw


def _distinct(row: list) -> list[list[str]]:
    out, last = [], object()
    for cid, paras in row:
        if cid != last:
            out.append(paras)
            last = cid
    return out


_ROLE_TEXT = re.compile(r"^(牵头|配合|责任|参加|协办|参与|主办)[^：:]{0,4}[：:]")


def _heads(row) -> list[str]:
    """Header text per grid column; '' where a cell spans on from the previous column."""
    heads, last = [], object()
    for cid, paras in row:
        heads.append("" if cid == last else "".join(_join_paragraphs(paras).split()))
        last = cid
    return heads


def _find_header(rows) -> tuple[dict | None, int, int]:
    """(task columns, first and last header row), looking at the first rows only.

    A two-row header (责任单位 spanning 牵头单位 | 配合单位) is read as one."""
    for k, r in enumerate(rows[:3]):  # the header may follow a title row
        heads = _heads(r)
        cols = _task_columns(heads)
        if not cols:
            continue
        if k + 1 < len(rows):
            sub = rows[k + 1]
            own = [(c, "".join(_join_paragraphs(sub[c][1]).split())) for c in range(len(sub))
                   if c < len(r) and sub[c][0] != r[c][0]]
            texts = [t for _, t in own if t]
            if texts and all(len(t) <= 10 and (_LEAD_HEAD.search(t) or _SUPPORT_HEAD.search(t)
                                               or _RESP_HEAD.search(t) or _DEADLINE_HEAD.search(t))
                             for t in texts):
                merged = list(heads)
                for c, t in own:
                    merged[c] = t
                return _task_columns(merged) or cols, k, k + 1
        return cols, k, k
    return None, 0, 0


def _is_layout(rows) -> bool:
    """A table used as a frame: some cell holds several paragraphs of running text."""
    return any(len([p for p in paras if p.strip()]) > 3 for r in rows for _, paras in r)


def table_lines(rows: list[list[tuple[object, list[str]]]]) -> list[str]:
    """Lay out a table as lines: task rows as plan lines, other rows as tab-joined cells.

    A frame table (a cell holding running text) gives every cell's paragraphs as lines."""
    rows = [r for r in rows if any(p.strip() for _, c in r for p in c)]
    cols, first, start = _find_header(rows)
    generic = ["\t".join(_join_paragraphs(c) for c in _distinct(r)) for r in rows]
    if cols is None:
        if not _is_layout(rows):
            return generic
        return [" ".join(p.split()) for r in rows for c in _distinct(r) for p in c if p.strip()]
    header = generic[start]

    def cell(r, i, units=False):
        return _join_paragraphs(r[i][1], sep_units=units) if i is not None and i < len(r) else ""

    entries: list[list] = []  # [key, text, deadline, {label: [units]}] or [None, line]
    for k in range(start + 1, len(rows)):
        r = rows[k]
        if generic[k] == header:
            continue  # header repeated
        distinct = [c for c in _distinct(r) if _join_paragraphs(c)]
        task = cell(r, cols["task"])
        units: dict[str, list[str]] = {}
        for i, label in cols["units"]:
            u = cell(r, i, units=True)
            if u:
                units.setdefault("" if _ROLE_TEXT.match(u) else label, []).append(u)
        if len(distinct) == 1 and not units:
            entries.append([None, _join_paragraphs(distinct[0])])  # a heading row
            continue
        key = (r[cols["num"]][0] if cols["num"] is not None and cols["num"] < len(r) else None,
               r[cols["task"]][0] if cols["task"] < len(r) else None)
        prev = entries[-1] if entries and entries[-1][0] is not None else None
        if prev is not None and (key == prev[0] or not task):
            for label, us in units.items():  # a continuation row of a merged task cell
                known = prev[3].setdefault(label, [])
                known.extend(u for u in us if u not in known)
            continue
        number = _number(cell(r, cols["num"]))
        text = task if number and task.startswith(number.rstrip("．、.")) else number + task
        entries.append([key, text, cell(r, cols["deadline"]), units])
    lines = generic[:first]  # title rows above the header
    for e in entries:
        if e[0] is None:
            lines.append(e[1])
            continue
        _, line, deadline, units = e
        if deadline and "".join(deadline.split()) not in "".join(line.split()):
            line += f"（完成时限：{deadline}）"
        notes = [f"{label}：{'、'.join(us)}" if label else "；".join(us) for label, us in units.items() if us]
        if notes:
            line += "（" + "；".join(notes) + "）"
        lines.append(line)
    return lines


# --------------------------------------------------------------------------- .docx


def _read_docx(path: str, data: bytes) -> str:
    import io
    import zipfile

    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _fail(path, "is an old .doc or a password-protected Word file, not a .docx; "
                          "open it in Word and save it as .docx without a password")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise _fail(path, "not a valid .docx (truncated or corrupt zip); re-save it from Word")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            unpacked = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        raise _fail(path, f"not a valid .docx ({_short(e)}); re-save it from Word") from None
    if unpacked > MAX_UNPACKED:
        raise _fail(path, f"unpacks to {unpacked / 1e6:,.0f} MB, more than the {MAX_UNPACKED / 1e6:.0f} MB a "
                          "document may hold (a zip bomb?); check the file, or split the document")
    try:
        import docx  # python-docx

        document = docx.Document(io.BytesIO(data))
    except Exception as e:  # noqa: BLE001 - any failure here means the package is broken
        raise _fail(path, f"not a valid .docx ({_short(e)}); re-save it from Word") from None
    try:
        lines: list[str] = []
        _docx_block(document.element.body, lines, _Numbering(document))
        return "\n".join(lines)
    except Exception as e:  # noqa: BLE001
        raise _fail(path, f"not a valid .docx, its content cannot be read ({_short(e)}); "
                          "re-save it from Word") from None


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_NOT_TEXT = {_MC + "Fallback", _W + "moveFrom", _W + "del", _W + "pPr", _W + "rPr", _W + "instrText",
             _W + "delText", _W + "footnoteReference", _W + "endnoteReference", _W + "commentReference"}


def _para_text(p) -> str:
    """Text of a w:p as Word shows it: runs (also in hyperlinks, insertions, field results),
    tabs and breaks; not deleted or moved-away text, field codes, or the duplicate fallback
    copy of a text box.  A text box's paragraphs end with a line break."""
    out: list[str] = []

    def walk(el) -> None:
        for ch in el:
            tag = ch.tag
            if not isinstance(tag, str) or tag in _NOT_TEXT:
                continue
            if tag == _W + "t":
                out.append(ch.text or "")
            elif tag == _W + "tab":
                out.append("\t")
            elif tag in (_W + "br", _W + "cr"):
                out.append("\n")
            elif tag == _W + "noBreakHyphen":
                out.append("-")
            elif tag == _W + "p":
                walk(ch)
                out.append("\n")
            else:
                walk(ch)

    walk(p)
    return "".join(out)


def _docx_block(container, lines: list[str], numbering: "_Numbering") -> None:
    for child in container.iterchildren():
        tag = child.tag
        if tag == _W + "p":
            lines.append(numbering.label(child) + _para_text(child))
        elif tag == _W + "tbl":
            lines.extend(table_lines(_docx_rows(child, numbering)))
        elif tag == _W + "sdt":
            content = child.find(_W + "sdtContent")
            if content is not None:
                _docx_block(content, lines, numbering)
        elif tag in (_W + "customXml", _W + "ins", _W + "smartTag"):
            _docx_block(child, lines, numbering)


def _cells(tr):
    for child in tr.iterchildren():
        if child.tag == _W + "tc":
            yield child
        elif child.tag in (_W + "sdt", _W + "customXml"):
            yield from _cells(child.find(_W + "sdtContent") if child.tag == _W + "sdt" else child)


def _docx_rows(tbl, numbering) -> list[list[tuple[object, list[str]]]]:
    rows: list[list[tuple[object, list[str]]]] = []
    for tr in tbl.iterchildren(_W + "tr"):
        slots: list[tuple[object, list[str]]] = []
        above = rows[-1] if rows else []
        grid_before = tr.find(f"{_W}trPr/{_W}gridBefore")
        for _ in range(int(grid_before.get(_W + "val", "0")) if grid_before is not None else 0):
            slots.append((object(), []))
        for tc in _cells(tr):
            span_el = tc.find(f"{_W}tcPr/{_W}gridSpan")
            span = int(span_el.get(_W + "val", "1")) if span_el is not None else 1
            vmerge = tc.find(f"{_W}tcPr/{_W}vMerge")
            col = len(slots)
            if vmerge is not None and vmerge.get(_W + "val") in (None, "continue") and col < len(above):
                slot = above[col]
            else:
                sub: list[str] = []
                _docx_block(tc, sub, numbering)
                slot = (object(), [x for s in sub for x in s.split("\n")])
            slots.extend([slot] * max(span, 1))
        rows.append(slots)
    return rows


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


class _Numbering:
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
            for ab in root.iterchildren(_W + "abstractNum"):
                lv = {}
                for lvl in ab.iterchildren(_W + "lvl"):
                    start = lvl.find(_W + "start")
                    fmt = lvl.find(_W + "numFmt")
                    text = lvl.find(_W + "lvlText")
                    suff = lvl.find(_W + "suff")
                    lv[int(lvl.get(_W + "ilvl", "0"))] = (
                        int(start.get(_W + "val", "1")) if start is not None else 1,
                        fmt.get(_W + "val", "decimal") if fmt is not None else "decimal",
                        text.get(_W + "val", "") if text is not None else "",
                        suff.get(_W + "val", "tab") if suff is not None else "tab")
                self.levels[ab.get(_W + "abstractNumId")] = lv
            for num in root.iterchildren(_W + "num"):
                ab = num.find(_W + "abstractNumId")
                overrides = {}
                for ov in num.iterchildren(_W + "lvlOverride"):
                    so = ov.find(_W + "startOverride")
                    if so is not None:
                        overrides[int(ov.get(_W + "ilvl", "0"))] = int(so.get(_W + "val", "1"))
                if ab is not None:
                    self.nums[num.get(_W + "numId")] = (ab.get(_W + "val"), overrides)
        try:
            styles = document.styles.element
        except Exception:  # noqa: BLE001
            styles = None
        if styles is not None:
            for st in styles.iterchildren(_W + "style"):
                num_id = st.find(f"{_W}pPr/{_W}numPr/{_W}numId")
                ilvl = st.find(f"{_W}pPr/{_W}numPr/{_W}ilvl")
                based = st.find(_W + "basedOn")
                self.styles[st.get(_W + "styleId")] = (
                    num_id.get(_W + "val") if num_id is not None else None,
                    int(ilvl.get(_W + "val", "0")) if ilvl is not None else None,
                    based.get(_W + "val") if based is not None else None)

    def _num_of(self, p) -> tuple[str | None, int]:
        num_id = p.find(f"{_W}pPr/{_W}numPr/{_W}numId")
        ilvl = p.find(f"{_W}pPr/{_W}numPr/{_W}ilvl")
        level = int(ilvl.get(_W + "val", "0")) if ilvl is not None else None
        if num_id is not None:
            return num_id.get(_W + "val"), level or 0
        style = p.find(f"{_W}pPr/{_W}pStyle")
        sid = style.get(_W + "val") if style is not None else None
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


# --------------------------------------------------------------------------- .pdf


def _read_pdf(path: str, data: bytes) -> str:
    import io
    import logging

    if b"%PDF" not in data[:1024]:
        raise _fail(path, "not a valid PDF (no %PDF header); check the file or re-export it as PDF")
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    import pdfplumber

    pages: list[str] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                pages.append(page.extract_text() or "")
    except Exception as e:  # noqa: BLE001
        causes = [e, *[a for a in e.args if isinstance(a, BaseException)], e.__cause__]
        names = " ".join(type(c).__name__ for c in causes if c is not None)
        if "Password" in names or "Encrypt" in names or "password" in str(e).lower():
            raise _fail(path, "is password-protected; remove the password (print to PDF) and retry") from None
        raise _fail(path, f"not a valid PDF, truncated or corrupt ({_short(e)}); "
                          "re-export or re-download it") from None
    text = "\n".join(pages)
    if not any(unicodedata.category(c).startswith("L") for c in text):  # nothing, or page numbers
        raise _fail(path, f"PDF has no text layer ({len(pages)} page(s), scanned?); "
                          "OCR it first (e.g. ocrmypdf -l chi_sim) and retry")
    cids = len(re.findall(r"\(cid:\d+\)", text))
    if cids and cids * 6 > len(text) / 2:
        raise _fail(path, "PDF text layer cannot be decoded (fonts without a Unicode map); "
                          "OCR it first (e.g. ocrmypdf --force-ocr -l chi_sim) and retry")
    return text


# --------------------------------------------------------------------------- .html


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)


def _read_html(path: str, data: bytes) -> tuple[str, str]:
    import codecs

    text = encoding = None
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        found = _utf16(data)
        if found is None:
            raise _fail(path, "is a binary file (contains NUL bytes), not HTML")
        text, encoding = found
    elif data.startswith(b"\xef\xbb\xbf"):
        text, encoding = data.decode("utf-8-sig", errors="replace"), "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, encoding = data.decode("utf-16", errors="replace"), "utf-16"
    else:
        declared = None
        m = _META_CHARSET.search(data[:4096])
        if m:
            try:
                declared = codecs.lookup(m.group(1).decode("ascii")).name
            except LookupError:
                declared = None
        if declared in ("gb2312", "gbk", "gb18030", "hz"):
            declared = "gb18030"  # the superset decodes all of them
        for enc in dict.fromkeys(("utf-8", declared or "utf-8", "gb18030")):
            try:
                text, encoding = data.decode(enc), enc
                break
            except UnicodeDecodeError:
                continue
        if text is None:
            raise _fail(path, "is neither UTF-8 nor GB18030/GBK HTML; re-save it as UTF-8")
    _check_binary(path, text)
    return "\n".join(html_to_lines(text)), encoding


_SKIP = {"script", "style", "noscript", "template", "head", "title", "svg", "iframe", "object",
         "canvas", "math", "select"}
_BLOCK = {"address", "article", "aside", "blockquote", "body", "br", "caption", "center", "dd",
          "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure",
          "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html",
          "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "ul", "option"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}


def html_to_lines(markup: str) -> list[str]:
    """The text of an HTML page's body as lines (block elements break lines, tables laid out)."""
    from html.parser import HTMLParser

    class _Parser(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.skip: list[str] = []
            self.pre = 0
            self.lines: list[str] = []  # finished lines (outside tables)
            self.buf: list[str] = []  # the line being built
            self.tables: list[dict] = []  # open tables, innermost last
            self.seen_body = False

        # where text goes: the current cell's paragraph, or the page line
        def _target(self) -> list[str]:
            t = self.tables[-1] if self.tables else None
            if t is not None and t["cell"] is not None:
                return t["cell"]["buf"]
            return self.buf

        def _break(self) -> None:
            t = self.tables[-1] if self.tables else None
            if t is not None and t["cell"] is not None:
                c = t["cell"]
                c["paras"].append("".join(c["buf"]))
                c["buf"] = []
            elif t is None:
                self.lines.append("".join(self.buf))
                self.buf = []

        def handle_starttag(self, tag, attrs):
            if tag == "body" and not self.seen_body:
                self.seen_body = True
                self.skip = []  # an unclosed <head> ends here
                self.lines, self.buf = [], []  # text before <body> is not the body
            if self.skip:
                if tag in _SKIP and tag not in _VOID:
                    self.skip.append(tag)
                return
            if tag in _SKIP:
                self.skip.append(tag)
                return
            a = dict(attrs)
            if tag == "table":
                self._break()
                self.tables.append({"rows": [], "row": None, "cell": None, "pending": {}})
            elif tag == "tr" and self.tables:
                self._close_row()
                self.tables[-1]["row"] = []
            elif tag in ("td", "th") and self.tables:
                t = self.tables[-1]
                self._close_cell()
                if t["row"] is None:
                    t["row"] = []
                t["cell"] = {"paras": [], "buf": [], "span": _int(a.get("colspan")),
                             "rows": _int(a.get("rowspan"))}
            elif tag in _BLOCK:
                self._break()
            if tag == "pre":
                self.pre += 1

        def handle_startendtag(self, tag, attrs):
            self.handle_starttag(tag, attrs)
            if tag not in _VOID:
                self.handle_endtag(tag)

        def handle_endtag(self, tag):
            if self.skip:
                if tag == self.skip[-1]:
                    self.skip.pop()
                elif tag in self.skip:
                    del self.skip[self.skip.index(tag):]
                return
            if tag == "table" and self.tables:
                self._close_row()
                t = self.tables.pop()
                lines = table_lines(t["rows"])
                if self.tables and self.tables[-1]["cell"] is not None:
                    self._break()
                    self.tables[-1]["cell"]["paras"].extend(lines)
                elif not self.tables:
                    self.lines.extend(lines)
            elif tag == "tr" and self.tables:
                self._close_row()
            elif tag in ("td", "th") and self.tables:
                self._close_cell()
            elif tag in _BLOCK:
                self._break()
            if tag == "pre" and self.pre:
                self.pre -= 1

        def handle_data(self, data):
            if self.skip:
                return
            if not self.pre:
                data = re.sub(r"[ \t\n\r\f\xa0]+", " ", data)
                self._target().append(data)
            else:
                parts = data.replace("\r\n", "\n").replace("\r", "\n").split("\n")
                self._target().append(parts[0])
                for part in parts[1:]:
                    self._break()
                    self._target().append(part)

        def _close_cell(self):
            t = self.tables[-1]
            c = t["cell"]
            if c is None:
                return
            c["paras"].append("".join(c["buf"]))
            t["row"].append(c)
            t["cell"] = None

        def _close_row(self):
            t = self.tables[-1]
            self._close_cell()
            if t["row"] is None:
                return
            cells, t["row"] = t["row"], None
            slots: list[tuple[object, list[str]]] = []
            pending = t["pending"]  # grid column -> [rows left, slot]
            it = iter(cells)
            while True:
                col = len(slots)
                if col in pending:
                    left, slot = pending[col]
                    slots.append(slot)
                    if left <= 1:
                        del pending[col]
                    else:
                        pending[col][0] = left - 1
                    continue
                c = next(it, None)
                if c is None:
                    if any(k >= col for k in pending):
                        slots.append((object(), []))
                        continue
                    break
                slot = (object(), [p.strip() for p in c["paras"]])
                for k in range(c["span"]):
                    if c["rows"] > 1:
                        pending[col + k] = [c["rows"] - 1, slot]
                    slots.append(slot)
            t["rows"].append(slots)

        def close(self):
            super().close()
            while self.tables:
                self.handle_endtag("table")
            self.lines.append("".join(self.buf))

    parser = _Parser()
    parser.feed(markup)
    parser.close()
    out = []
    for line in parser.lines:
        line = line.replace("\xa0", " ").strip()
        if line:
            out.append(line)
    return out


def _int(value) -> int:
    try:
        return max(1, min(int(str(value).strip()), 1000))
    except (TypeError, ValueError):
        return 1

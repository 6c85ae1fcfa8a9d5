"""The .docx format: paragraphs and tables in document order, one paragraph per line, Word's
automatic list numbers written out (kg.read.docx_numbering), tables laid out by kg.read.tables
(a table row is one line; a task table's rows become plan lines).  A package that unpacks to
more than ``MAX_UNPACKED`` bytes is refused.  python-docx is imported when a .docx is read."""
from __future__ import annotations

from typing import Optional

from kg.read.docx_numbering import Numbering, W
from kg.read.failure import fail, short
from kg.read.tables import table_lines

# What a document may hold unpacked (a .docx is a zip): past it, a file is refused, not read.
MAX_UNPACKED = 50_000_000


def read(path: str, data: bytes, fmt: str) -> tuple[str, Optional[str]]:
    """The reader of .docx: (its text, None)."""
    return read_docx(path, data), None


def read_docx(path: str, data: bytes) -> str:
    """The text of a .docx: paragraphs (with Word's list numbers) and tables in document order."""
    import io
    import zipfile

    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise fail(path, "is an old .doc or a password-protected Word file, not a .docx; "
                         "open it in Word and save it as .docx without a password")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise fail(path, "not a valid .docx (truncated or corrupt zip); re-save it from Word")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            unpacked = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        raise fail(path, f"not a valid .docx ({short(e)}); re-save it from Word") from None
    if unpacked > MAX_UNPACKED:
        raise fail(path, f"unpacks to {unpacked / 1e6:,.0f} MB, more than the {MAX_UNPACKED / 1e6:.0f} MB a "
                         "document may hold (a zip bomb?); check the file, or split the document")
    try:
        import docx  # python-docx

        document = docx.Document(io.BytesIO(data))
    except Exception as e:  # noqa: BLE001 - any failure here means the package is broken
        raise fail(path, f"not a valid .docx ({short(e)}); re-save it from Word") from None
    try:
        lines: list[str] = []
        _docx_block(document.element.body, lines, Numbering(document))
        return "\n".join(lines)
    except Exception as e:  # noqa: BLE001
        raise fail(path, f"not a valid .docx, its content cannot be read ({short(e)}); "
                         "re-save it from Word") from None


_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_NOT_TEXT = {_MC + "Fallback", W + "moveFrom", W + "del", W + "pPr", W + "rPr", W + "instrText",
             W + "delText", W + "footnoteReference", W + "endnoteReference", W + "commentReference"}


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
            if tag == W + "t":
                out.append(ch.text or "")
            elif tag == W + "tab":
                out.append("\t")
            elif tag in (W + "br", W + "cr"):
                out.append("\n")
            elif tag == W + "noBreakHyphen":
                out.append("-")
            elif tag == W + "p":
                walk(ch)
                out.append("\n")
            else:
                walk(ch)

    walk(p)
    return "".join(out)


def _docx_block(container, lines: list[str], numbering: Numbering) -> None:
    for child in container.iterchildren():
        tag = child.tag
        if tag == W + "p":
            lines.append(numbering.label(child) + _para_text(child))
        elif tag == W + "tbl":
            lines.extend(table_lines(_docx_rows(child, numbering)))
        elif tag == W + "sdt":
            content = child.find(W + "sdtContent")
            if content is not None:
                _docx_block(content, lines, numbering)
        elif tag in (W + "customXml", W + "ins", W + "smartTag"):
            _docx_block(child, lines, numbering)


def _cells(tr):
    for child in tr.iterchildren():
        if child.tag == W + "tc":
            yield child
        elif child.tag in (W + "sdt", W + "customXml"):
            yield from _cells(child.find(W + "sdtContent") if child.tag == W + "sdt" else child)


def _docx_rows(tbl, numbering) -> list[list[tuple[object, list[str]]]]:
    rows: list[list[tuple[object, list[str]]]] = []
    for tr in tbl.iterchildren(W + "tr"):
        slots: list[tuple[object, list[str]]] = []
        above = rows[-1] if rows else []
        grid_before = tr.find(f"{W}trPr/{W}gridBefore")
        for _ in range(int(grid_before.get(W + "val", "0")) if grid_before is not None else 0):
            slots.append((object(), []))
        for tc in _cells(tr):
            span_el = tc.find(f"{W}tcPr/{W}gridSpan")
            span = int(span_el.get(W + "val", "1")) if span_el is not None else 1
            vmerge = tc.find(f"{W}tcPr/{W}vMerge")
            col = len(slots)
            if vmerge is not None and vmerge.get(W + "val") in (None, "continue") and col < len(above):
                slot = above[col]
            else:
                sub: list[str] = []
                _docx_block(tc, sub, numbering)
                slot = (object(), [x for s in sub for x in s.split("\n")])
            slots.extend([slot] * max(span, 1))
        rows.append(slots)
    return rows

"""OFD files (GB/T 33190, the fixed-layout format many government portals publish), read with
ofdkit (PyPI, Apache-2.0, standard library only).

``read_ofd(path, data) -> str``: the text of every page in reading order (ofdkit groups the
positioned text runs into lines by baseline, templates and composite objects included), pages
joined by a line break as for a PDF. Like a PDF, an OFD holds lines as laid out on the page,
not paragraphs; the later stages treat both alike. An OFD whose text is drawn as outlines
(some converters do that) or that holds a scanned image has no text to read: that is a one-line
error, as for a scanned PDF.

Why ofdkit: of the PyPI readers tried (README, "Input formats"), it is the one that reads the
text objects as the standard defines them and gives, on an OFD laid out from seed 000's
printed pages, the same responsibility table as the PDF of those pages.
"""
from __future__ import annotations

import io
import zipfile
from typing import Optional

from kg.errors import KgError

REQUIREMENT = "ofdkit>=0.2,<0.3"


def _fail(path: str, reason: str) -> KgError:
    return KgError(" ".join(f"{path}: {reason}".split()))


def read(path: str, data: bytes, fmt: str) -> tuple[str, Optional[str]]:
    """The reader of .ofd: (the text of its pages, None)."""
    return read_ofd(path, data), None


def read_ofd(path: str, data: bytes) -> str:
    """The text of every page of an OFD in reading order, pages joined by a line break."""
    try:
        import ofdkit
    except ImportError:
        raise _fail(path, f"reading .ofd needs the Python package ofdkit; install it (pip install "
                          f"'{REQUIREMENT}') or save the file as .pdf or .docx") from None
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise _fail(path, "not a valid .ofd (not a zip package: truncated, or another kind of file); "
                          "download it again or save it as .pdf")
    try:
        with ofdkit.open(data) as document:
            text = document.text(page_separator="\n")
    except ofdkit.OFDError as e:
        raise _fail(path, f"not a valid .ofd ({_short(e)}); download it again or save it as .pdf") from None
    except Exception as e:  # noqa: BLE001 - a malformed package can fail anywhere in the reader
        raise _fail(path, f"not a valid .ofd, its content cannot be read ({type(e).__name__}: {_short(e)}); "
                          "download it again or save it as .pdf") from None
    if not text.strip():
        raise _fail(path, "has no text to read (its text is drawn as outlines, or it is a scanned image); "
                          "ask for a .docx or a .pdf with a text layer, or run OCR on it")
    return text


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:120] + "…" if len(text) > 120 else text

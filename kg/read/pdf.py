"""The .pdf format: the text layer (pdfplumber, imported when a PDF is read), pages joined by a
line break; a PDF without a usable text layer is refused with one line."""
from __future__ import annotations

import re
import unicodedata
from typing import Optional

from kg.read.failure import fail, short


def read(path: str, data: bytes, fmt: str) -> tuple[str, Optional[str]]:
    """The reader of .pdf: (its text layer, None)."""
    return read_pdf(path, data), None


def read_pdf(path: str, data: bytes) -> str:
    """The text layer of a PDF (pdfplumber), pages joined by a line break; a scanned PDF, one
    that is password-protected or whose fonts have no Unicode map is refused with one line."""
    import io
    import logging

    if b"%PDF" not in data[:1024]:
        raise fail(path, "not a valid PDF (no %PDF header); check the file or re-export it as PDF")
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
            raise fail(path, "is password-protected; remove the password (print to PDF) and retry") from None
        raise fail(path, f"not a valid PDF, truncated or corrupt ({short(e)}); "
                         "re-export or re-download it") from None
    text = "\n".join(pages)
    if not any(unicodedata.category(c).startswith("L") for c in text):  # nothing, or page numbers
        raise fail(path, f"PDF has no text layer ({len(pages)} page(s), scanned?); "
                         "OCR it first (e.g. ocrmypdf -l chi_sim) and retry")
    cids = len(re.findall(r"\(cid:\d+\)", text))
    if cids and cids * 6 > len(text) / 2:
        raise fail(path, "PDF text layer cannot be decoded (fonts without a Unicode map); "
                         "OCR it first (e.g. ocrmypdf --force-ocr -l chi_sim) and retry")
    return text

"""Bytes to text (the .txt format): a byte order mark, strict UTF-8, UTF-16 told by its NUL bytes,
then strict GB18030/GBK; a binary file (a known magic number, NUL bytes, many control characters)
is refused with one line. ``utf16`` and ``check_binary`` serve the .html reader too."""
from __future__ import annotations

import re
from typing import Optional

from kg.read.failure import fail


def read(path: str, data: bytes, fmt: str) -> tuple[str, Optional[str]]:
    """The reader of .txt: (text, the encoding it was decoded from)."""
    return decode_text(path, data)


_MAGIC = ((b"%PDF", "a PDF"), (b"PK\x03\x04", "a zip/Office file"),
          (b"\xd0\xcf\x11\xe0", "an old Office (.doc/.xls) file"), (b"\x89PNG", "a PNG image"),
          (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"))


def decode_text(path: str, data: bytes) -> tuple[str, str]:
    """Decode .txt bytes: BOM, then strict UTF-8, then strict GB18030; refuse binary."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise fail(path, f"is {what}, not text; give it the right extension or convert it to text")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return check_binary(path, data.decode("utf-16")), "utf-16"
        except UnicodeDecodeError:
            raise fail(path, "is not valid UTF-16 text; re-save it as UTF-8") from None
    if b"\x00" in data:
        found = utf16(data)
        if found is not None:
            return check_binary(path, found[0]), found[1]
        raise fail(path, "is a binary file (contains NUL bytes), not text; give a .txt, .docx, .pdf or .html document")
    bom = data.startswith(b"\xef\xbb\xbf")
    enc = "utf-8-sig" if bom else "utf-8"
    try:
        return check_binary(path, data.decode(enc)), enc
    except UnicodeDecodeError as e:
        error = e
    if error.reason == "unexpected end of data":  # cut inside the last character
        try:
            return check_binary(path, data[:error.start].decode(enc)), enc
        except UnicodeDecodeError:
            pass
    loose = data.decode(enc, errors="replace")
    bad = loose.count("\ufffd")
    good = sum(1 for ch in loose if ord(ch) > 0x7F) - bad
    if bom or good >= 20 * bad:  # UTF-8 with a few broken bytes: decoding as GB18030 is mojibake
        raise fail(path, f"is UTF-8 text with {bad} invalid byte sequence(s), the first at byte "
                         f"{error.start}; repair it or re-save it as UTF-8")
    for cut in (len(data), len(data) - 1, len(data) - 2, len(data) - 3):  # a cut last character
        try:
            return check_binary(path, data[:cut].decode("gb18030")), "gb18030"
        except UnicodeDecodeError as e:
            if e.end < cut or e.reason != "incomplete multibyte sequence":
                break
    raise fail(path, "is neither UTF-8 nor GB18030/GBK text (or is binary); re-save it as UTF-8")


# What text is made of: ASCII letters, digits, punctuation and white space; CJK ideographs and
# punctuation, full-width forms; general punctuation (“”…—).
_TEXTLIKE = re.compile("[\t\n\r\x20-\x7e\u2000-\u206f\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


def utf16(data: bytes) -> tuple[str, str] | None:
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


def check_binary(path: str, text: str) -> str:
    """``text`` itself; refuse decoded text with a high share of control characters (a binary file)."""
    sample = text[:20000]
    bad = len(_BAD_CONTROLS.findall(sample))
    if sample and bad / len(sample) > 0.02:
        raise fail(path, "looks like a binary file (many control characters), not text; "
                         "give a .txt, .docx, .pdf or .html document")
    return text

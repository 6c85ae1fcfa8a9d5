"""The read stage's entry points: files on disk -> ``kg.model.Source``.

``Source.text`` is the decoded text of the file and the reference for every offset the later
stages report (``CleanText.to_source`` maps back to it).  Reading only decodes and lays the
document out as lines; it does not clean (that is ``kg.parse.clean``).  Line endings are ``\\n``.

Which files are read: kg.read.discover.  How each format is read: the registry kg.read.formats,
one module per format (kg.read.text .txt, kg.read.docx, kg.read.pdf, kg.read.html .html/.htm,
kg.read.office .doc/.wps/.rtf/.odt through LibreOffice, kg.read.ofd).

Every failure is a ``KgError`` with one line: ``<path>: <what is wrong>; <what to do>``.
"""
from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import Optional

from kg.identity import shown
from kg.model import Source
from kg.read.discover import list_documents, list_files, list_inputs, stat_path
from kg.read.failure import fail, short
from kg.read.formats import EXTENSIONS, READERS, SUPPORTED

__all__ = ["EXTENSIONS", "list_documents", "list_files", "list_inputs", "read_file", "read_paths"]


def read_paths(paths: list[str]) -> list[Source]:
    """Read files and folders (walked recursively, sorted) in the order given.

    Folders yield only documents (the extensions of kg.read.formats), skipping hidden
    files/folders and ``~$`` Office lock files.  A file reached twice is read once.
    """
    return [read_file(path, name, doc_id) for path, name, doc_id in list_documents(paths)]


def read_file(path: str | os.PathLike, name: Optional[str] = None, doc_id: Optional[str] = None) -> Source:
    """Read one document; raise ``KgError`` (one line) when it cannot be read or has no text.

    The returned ``Source.text`` is decoded and laid out but not cleaned; every offset the later
    stages record refers to it. ``name`` and ``doc_id``: the file's name and document id in a
    build (list_documents); by default its base name, and the id made from it."""
    path = str(path)
    p = Path(path)
    ext = p.suffix.lower()
    fmt = EXTENSIONS.get(ext)
    if fmt is None:
        raise fail(path, f"unsupported file type '{ext or '(none)'}'; supported: {SUPPORTED}")
    data = _read_regular(path)
    if not data:
        raise fail(path, "empty file (0 bytes); give a document that has text")
    text, encoding = READERS[ext].read(path, data, fmt)
    text = _newlines(text)
    if not text.strip():
        raise fail(path, "contains no text; check that it is the right file")
    return Source(path=path, name=name if name is not None else shown(p.name), sha256=hashlib.sha256(data).hexdigest(),
                  format=fmt, text=text, encoding=encoding, id=doc_id)


def _read_regular(path: str) -> bytes:
    """The bytes of the regular file ``path``; a FIFO, a device or a folder is refused (opened
    without blocking, so that a FIFO cannot hang the build)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except IsADirectoryError:
        raise fail(path, "is a folder, not a file") from None
    except OSError as e:
        stat_path(path)  # no such file, a broken or looping link: said as such
        raise fail(path, f"cannot be read ({e.strerror or short(e)}); check its permissions") from None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if stat.S_ISDIR(st.st_mode):
            raise fail(path, "is a folder, not a file")
        if not stat.S_ISREG(st.st_mode):
            raise fail(path, "is not a regular file (a pipe or a device?); give a document file")
        try:
            return f.read()
        except OSError as e:
            raise fail(path, f"cannot be read ({e.strerror or short(e)}); check the disk or copy the file again") from None


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")

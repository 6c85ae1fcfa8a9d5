"""The registry of input formats: a file's extension names its format and the reader that turns its
bytes into text, in the manner of rdflib's parser plugins (one format per module).

A reader is ``read(path, data, fmt) -> (text, encoding)``: ``data`` are the file's bytes, ``fmt``
the format's name (kg.model.Source.format); ``encoding`` is the one the text was decoded from,
None for a packaged format. It raises ``KgError`` (one line, kg.read.failure) when the bytes
cannot be read. Adding a format is one module with a ``read`` and one line below.
"""
from __future__ import annotations

from typing import Callable, NamedTuple, Optional

from kg.read import docx, html, ofd, office, pdf, text


class Format(NamedTuple):
    """A format: its name (kg.model.Source.format) and its reader."""
    name: str
    read: Callable[[str, bytes, str], tuple[str, Optional[str]]]


# extension -> format, in the order errors list them
READERS: dict[str, Format] = {
    ".txt": Format("txt", text.read),
    ".docx": Format("docx", docx.read),
    ".pdf": Format("pdf", pdf.read),
    ".html": Format("html", html.read),
    ".htm": Format("html", html.read),
    ".doc": Format("doc", office.read),  # LibreOffice makes a .docx of it
    ".wps": Format("wps", office.read),
    ".rtf": Format("rtf", office.read),
    ".odt": Format("odt", office.read),
    ".ofd": Format("ofd", ofd.read),
}

EXTENSIONS = {ext: f.name for ext, f in READERS.items()}  # extension -> format name
SUPPORTED = " ".join(EXTENSIONS)  # the extensions, as errors list them

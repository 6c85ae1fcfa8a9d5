"""Shared fixtures.

Documents in other formats are generated at test time (python-docx, reportlab), so no binary
files need committing.  Builders are fixtures that return a function, e.g.::

    def test_x(make_docx, tmp_path):
        path = make_docx(tmp_path / "plan.docx", ["标题", [["序号", "任务", "牵头单位"], ["1", "…", "…"]]])

Append new fixtures at the end with small edits.
"""
from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

# The keys that seal build folders' caches (kg.build.cache.Seal) go to a temporary place during the
# tests, not to the user's ~/.cache/dutygraph; subprocesses inherit it.
_KEYS = tempfile.mkdtemp(prefix="kg-test-keys-")
os.environ["XDG_CACHE_HOME"] = _KEYS
atexit.register(shutil.rmtree, _KEYS, True)

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the tests run from a checkout even before `pip install -e .`
    sys.path.insert(0, str(ROOT))
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The bundled corpus (copies of the five seeds)."""
    return CORPUS


@pytest.fixture(scope="session")
def corpus_build(tmp_path_factory):
    """A build of the bundled corpus, made once for the session; tests read it, never write in it."""
    from kg.build.pipeline import build

    out = tmp_path_factory.mktemp("corpus-build") / "out"
    build([CORPUS], out)
    return out


@pytest.fixture(scope="session")
def seed_path():
    """``seed_path("000")`` -> Path of the seed whose name starts with 000_."""

    def find(prefix: str) -> Path:
        hits = sorted(CORPUS.glob(f"{prefix}*"))
        assert hits, f"no seed {prefix}* in {CORPUS}"
        return hits[0]

    return find


@pytest.fixture(scope="session")
def seed_text(seed_path):
    """``seed_text("000")`` -> the seed's text (UTF-8 decoded, \\n line endings)."""

    def text(prefix: str) -> str:
        return seed_path(prefix).read_bytes().decode("utf-8-sig").replace("\r\n", "\n")

    return text


def _docx(path, blocks) -> Path:
    """Write a .docx. ``blocks``: a str is a paragraph; ``(style, text)`` a styled paragraph
    (e.g. ``("List Number", "…")`` for Word's automatic numbering); a list of rows (lists of
    str; a cell's '\\n' makes paragraphs inside the cell) is a table."""
    import docx

    document = docx.Document()
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
        elif isinstance(block, tuple):
            style, text = block
            document.add_paragraph(text, style=style)
        else:
            ncols = max(len(r) for r in block)
            table = document.add_table(rows=len(block), cols=ncols)
            for i, row in enumerate(block):
                for j, value in enumerate(row):
                    cell = table.cell(i, j)
                    lines = value.split("\n")
                    cell.text = lines[0]
                    for line in lines[1:]:
                        cell.add_paragraph(line)
    path = Path(path)
    document.save(path)
    return path


@pytest.fixture(scope="session")
def make_docx():
    """``make_docx(path, blocks) -> Path`` (see ``_docx``)."""
    return _docx


def _pdf(path, pages, wrap: int | None = 38) -> Path:
    """Write a PDF with a Chinese text layer (reportlab, CID font STSong-Light).

    ``pages`` is a list of pages, each a list of lines; a line longer than ``wrap`` characters is
    wrapped as a typesetter would (None: no wrapping); a full page runs on to the next."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = Path(path)
    c = canvas.Canvas(str(path), invariant=1)
    for lines in pages:
        c.setFont("STSong-Light", 12)
        y = 800
        for line in lines:
            chunks = [line[i:i + wrap] for i in range(0, len(line), wrap)] if wrap else [line]
            for chunk in chunks or [""]:
                if y < 40:  # the page is full: go on on the next one
                    c.showPage()
                    c.setFont("STSong-Light", 12)
                    y = 800
                c.drawString(50, y, chunk)
                y -= 18
        c.showPage()
    c.save()
    return path


@pytest.fixture(scope="session")
def make_pdf():
    """``make_pdf(path, pages, wrap=38) -> Path`` (see ``_pdf``)."""
    return _pdf


def _html(path, body: str, title: str = "标题", charset: str = "utf-8", head_extra: str = "") -> Path:
    """Write an HTML page whose <body> is ``body``, encoded in ``charset`` (declared in <meta>)."""
    page = (f'<!DOCTYPE html>\n<html><head><meta charset="{charset}"><title>{title}</title>'
            f"{head_extra}</head>\n<body>\n{body}\n</body></html>\n")
    path = Path(path)
    path.write_bytes(page.encode(charset))
    return path


@pytest.fixture(scope="session")
def make_html():
    """``make_html(path, body, title=..., charset="utf-8", head_extra="") -> Path``."""
    return _html

"""Where the files shipped beside the code are: the named queries and the ontology.

Their one source is the top-level queries/ and ontology/ folders of the checkout. A wheel carries
copies made by the build (setup.py) as kg/data/queries/ and kg/data/ontology/; a checkout and an
editable install have no such copies and read the top-level folders.
"""
from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def shipped_dir(name: str) -> Path:
    """The folder ``name`` ("queries" or "ontology"): inside the installed package, else the checkout's."""
    inside = PACKAGE / "data" / name
    return inside if inside.is_dir() else PACKAGE.parent / name

# kg/data/: the tables the stages read (kinds, levels, provinces, themes, the jieba dictionary, the views' assets)
DATA = PACKAGE / "data"


def data_lines(name: str) -> list[list[str]]:
    """The rows of the kg/data table ``name`` (tab-separated), blank lines and # comments left out."""
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.rstrip("\n").split("\t"))
    return rows

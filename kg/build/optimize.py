"""Compacting the store of a build directory once a build is done (``kg optimize``): at 3,200
plans it takes ≈ 20 s and makes look-ups ≈ 2–5× faster (tasks-of a busy label 787 → 164 ms). The
content does not change."""
from __future__ import annotations

from pathlib import Path

from kg.atomic import FolderLock
from kg.build.state import restamp
from kg.errors import KgError
from kg.query.store import compact


def optimize(directory: str | Path) -> None:
    """Compact the store of the build directory ``directory`` (pyoxigraph ``Store.optimize``):
    the bulk loader leaves many small files, which every look-up reads; one pass merges them.
    The folder is locked meanwhile (no build runs into it), and what the build recorded of its
    store is brought up to date (kg.build.state.restamp)."""
    d = Path(directory)
    sd = d / "store"
    if not sd.is_dir() or not any(sd.iterdir()):
        raise KgError(f"{d}: not a built graph (no store/); run `kg build PATH --out {d}` first")
    with FolderLock(d):
        compact(sd)
        restamp(d)

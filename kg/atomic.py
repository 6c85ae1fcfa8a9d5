"""Writing a file so that a failed run never leaves it half-written."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from kg.errors import KgError


def write_atomic(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temp file in the same directory, then rename."""
    p = Path(path)
    if p.is_dir():
        raise KgError(f"{p} is a directory: give --out a file name")
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + p.name + ".", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, p)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return p

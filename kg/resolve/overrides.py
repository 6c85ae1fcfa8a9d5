"""The override file: one YAML (or CSV) file of user corrections, read by several stages.

    units: [...]   # kg.resolve.entities: corrections of unit resolution, aliases (also as CSV rows)
    links: [...]   # kg.link.align: confirm / reject / add task links

Each stage asks for its own key; keys it does not know are left to the others.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Optional

from kg.errors import KgError


def entries(path, key: str, shape: str) -> Optional[list]:
    """The list under ``key`` of the override file at ``path`` ([] when there is none).

    A .csv file is a table of ``units`` rules: its rows are returned for key ``units`` and
    nothing for other keys. ``shape`` describes one entry for the error message.
    """
    if not path:
        return []
    p = Path(path)
    if not p.is_file():
        raise KgError(f"no override file {p}: give an existing YAML or CSV file or leave it out")
    text = p.read_text(encoding="utf-8-sig")
    if p.suffix.lower() == ".csv":
        if key != "units":
            return []
        rows = list(csv.DictReader(io.StringIO(text)))
        if rows and "name" not in rows[0]:
            raise KgError(f"{p}: the CSV needs a header with a name column (name,region,same_as,kind)")
        return rows
    import yaml

    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as e:
        raise KgError(f"override file {p} is not valid YAML ({str(e).splitlines()[0]}): fix it") from None
    if not isinstance(data, dict):
        raise KgError(f"override file {p} must be a mapping with keys such as units: and links:")
    found = data.get(key) or []
    if not isinstance(found, list):
        raise KgError(f"override file {p}: {key}: must be a list of {shape}")
    return found

"""Override rules for the resolver: the ``units`` key of an override file.

Override file (YAML, or CSV with the same columns), for corrections without touching code::

    units:
      - name: 区政管办                      # a unit as written (spaces, brackets, 等部门 ignored)
        same_as: 柳州市城中区政务服务管理办公室  # resolve it to this body: a full name or another form
        region: 柳州市城中区                 # optional: only in documents of this region or below
      - name: 区法治建设议事协调机构
        kind: party                         # party government court procuratorate congress cppcc
                                            # mass other, or group (a collective phrase)
    links: …                                # other keys belong to other stages and are ignored

CSV: a header ``name,region,same_as,kind`` and one rule a row (empty cells for no value).
A rule whose ``same_as`` is a full name also gives the entity that name as its prefLabel.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from kg.errors import KgError
from kg.resolve import orgnames as N
from kg.resolve.overrides import entries
from kg.vocab import KINDS


@dataclass(frozen=True)
class Rule:
    name: str
    region: str = ""
    same_as: str = ""
    kind: str = ""


def load_overrides(path: str | Path | None) -> list[Rule]:
    """Read the ``units`` rules of an override file (YAML or CSV)."""
    p = Path(path) if path else None
    rows = entries(path, "units", "{name, same_as, kind, region} entries")
    rules = []
    for i, r in enumerate(rows, 1):
        if not isinstance(r, dict) or not str(r.get("name") or "").strip():
            raise KgError(f"{p}: unit rule {i} has no name")
        kind = str(r.get("kind") or "").strip()
        if kind and kind not in KINDS:
            raise KgError(f"{p}: unit rule {i} ({r['name']}) has kind {kind!r}; use one of {', '.join(KINDS)}")
        rules.append(Rule(N.normalise(str(r["name"])), N.normalise(str(r.get("region") or "")),
                          str(r.get("same_as") or "").strip(), kind))
    return rules


def rules_digest(rules: list[Rule]) -> str:
    """A short hash of the rules: what a document's org ids depend on besides the document."""
    return hashlib.sha256(repr(rules).encode("utf-8")).hexdigest()[:16]


def rule_for(rules: list[Rule], text: str, chain: N.Chain) -> Optional[Rule]:
    """The first rule for ``text`` as written in a document of ``chain`` (its region, or one above)."""
    for r in rules:
        if r.name == text and (not r.region or r.region in (chain.region, chain.city, chain.district,
                                                             chain.province)
                               or (chain.region or "").startswith(r.region)):
            return r
    return None

"""Comparable forms of a body's name: normalisation as written, contraction to a comparison key
(发展和改革委员会 → 发改委) and expansion back to the full written form (abbreviations.tsv)."""
from __future__ import annotations

import functools
import re
import unicodedata

from kg.resources import data_rows

# Qualifiers after a unit that are not part of its name.
QUALIFIER_RE = re.compile(r"(等部门|等单位)?(按照?职责分工(分别)?负责|按照?职责分工|分别负责|负责)$")


@functools.lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """As written → comparable text: NFKC, no spaces, ASCII brackets, no trailing qualifier."""
    s = unicodedata.normalize("NFKC", text or "")
    s = re.sub(r"\s+", "", s)
    s = s.replace("〔", "(").replace("〕", ")").replace("“", "").replace("”", "")
    s = s.strip("。;；,，、:：")
    s = QUALIFIER_RE.sub("", s) or s
    s = re.sub(r"(?<=.)(等部门|等单位|等)$", "", s)  # 区司法局等部门: the body named
    return s


def _general(s: str) -> str:
    """The general contraction rules of government names (see abbreviations.tsv)."""
    s = re.sub(r"(?<=.)[和与及](?=.)", "", s)
    s = re.sub(r"人民(?=政府|法院|检察院)", "", s)
    s = s.replace("委员会", "委").replace("办公室", "办")
    s = re.sub(r"依法治(自治区|区|市|县|省|州|旗|国)", "依法治", s)
    s = re.sub(r"(?<=.)机关$", "", s)
    return s


@functools.lru_cache(maxsize=1)
def _abbreviations() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(contracted full → short) pairs, longest first; (short → written full) for expansion."""
    contract, expand = [], []
    for row in data_rows("abbreviations.tsv"):
        full, short = row[0], row[1]
        contract.append((_general(full), _general(short)))
        if len(row) < 3 or row[2] != "-":
            expand.append((short, full))
    contract.sort(key=lambda p: (-len(p[0]), p[0]))
    expand.sort(key=lambda p: -len(p[0]))  # stable: the first full form of a short one wins
    return contract, expand


@functools.lru_cache(maxsize=65536)
def contract(core: str) -> str:
    """The comparison key of a core name: 发展和改革委员会 → 发改委, 应急管理局 → 应急局."""
    s = _general(core)
    for full, short in _abbreviations()[0]:
        if full != short and full in s:
            s = s.replace(full, short)
    return s.upper()


@functools.lru_cache(maxsize=65536)
def expand(core: str, kind: str = "government") -> str:
    """The full written form of a core name: 应急局 → 应急管理局, 法院 → 人民法院."""
    s = core
    for short, full in _abbreviations()[1]:
        bare = full.replace("和", "")
        if bare != full and bare in s and full not in s:
            s = s.replace(bare, full, 1)
        elif short in s and full not in s and _general(full) not in _general(s):
            s = s.replace(short, full, 1)
    s = re.sub(r"(?<!人民)(法院|检察院)", r"人民\1", s)
    s = re.sub(r"^政府", "人民政府", s)
    if kind == "government" and s.endswith("委") and not re.search(r"(党|纪|监|政法|编|常)委$", s):
        s += "员会"
    return s

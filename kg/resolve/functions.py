"""Functions across levels and ids: the body serving a function one level up (司法局 → 司法厅,
level_names.tsv, province_ting.txt), and the stable ASCII ids of organisations (pinyin slugs)."""
from __future__ import annotations

import functools
import hashlib
import re
from typing import Optional

from kg.resolve.normal import contract
from kg.resources import data_rows


@functools.lru_cache(maxsize=1)
def _ting() -> frozenset[str]:
    return frozenset(r[0] for r in data_rows("province_ting.txt"))


@functools.lru_cache(maxsize=1)
def _level_names() -> dict[str, dict[str, str]]:
    out = {}
    for row in data_rows("level_names.tsv"):
        out[row[0]] = {lv: v for lv, v in zip(("district", "city", "province"), row[1:4]) if v != "-"}
    return out


def function_stem(core: str, kind: str) -> Optional[str]:
    """The function a body serves, the same at every level: 司法局/司法厅 → 司法, 法院 → 法院."""
    if kind in ("other", "group") or not core:
        return None
    if re.search(r"(镇|乡|街道|苏木)(人民政府|政府|办事处|党委|党工委)?$", core):
        return None  # a township's own body: no counterpart above
    s = contract(re.sub(r"(?<=.)\([^()]*\)$", "", core))
    s = re.sub(r"^(中级|高级|基层|最高|国家)", "", s)
    if kind == "government":
        s = re.sub(r"(?<=.)(总局|局|厅|部|署|委|(?<![府委])办)$", "", s)
    return s or None


# text -> its pinyin syllables. A pure function of the text, kept for the process and, through
# pinyin_table/learn_pinyin, between incremental builds (kg.build.state): pypinyin costs ~0.2 s
# to import and set up, most of a small update's resolution.
_PINYIN: dict[str, tuple[str, ...]] = {}


def pinyin(text: str) -> tuple[str, ...]:
    """The pinyin syllables of ``text`` (pypinyin, cached): what ASCII ids and graph names are made of."""
    found = _PINYIN.get(text)
    if found is None:
        from pypinyin import lazy_pinyin

        found = _PINYIN[text] = tuple(lazy_pinyin(text))
    return found


def pinyin_table() -> dict[str, tuple[str, ...]]:
    """The pinyin this process has looked up (a copy, sorted by text)."""
    return dict(sorted(_PINYIN.items()))


def learn_pinyin(table: dict[str, tuple[str, ...]]) -> None:
    """Take pinyin looked up by an earlier process (pinyin_table), so as not to look it up again."""
    for text, syllables in table.items():
        _PINYIN.setdefault(str(text), tuple(syllables))


def function_key(stem: str) -> str:
    """ASCII key of a function stem: 司法 → sifa."""
    return slug("".join(pinyin(stem)), 40)


def core_at(core: str, kind: str, level: str, region: str = "") -> Optional[str]:
    """How the body with this core is named at another level (司法局 → 司法厅 at province).

    None when the name at that level cannot be told (a government body at province level whose
    function is not listed in level_names.tsv or province_ting.txt).
    """
    stem = function_stem(core, kind) or ""
    names = _level_names().get(stem)
    if names and names.get(level, "-") != "-":
        return names[level]
    char = {"district": "区", "city": "市", "province": "区" if region.endswith("自治区") else "省"}[level]
    c = re.sub(r"依法治(自治区|区|市|县|省|州|旗)", "依法治" + char, core)
    c = re.sub(r"(自治区|区|县|市|省|州|旗)(?=政府|人大|政协)", "自治区" if level == "province" else char, c)
    if level == "province" and kind == "government":
        if stem in _ting() and c.endswith("局"):
            return c[:-1] + "厅"
        return c if names else None
    if level == "province" and re.search(r"(区|县|市)(?!场)", re.sub(r"依法治.", "", c)):
        return None
    return c


# ---------------------------------------------------------------- ids

def slug(text: str, limit: int = 48) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(s) > limit:
        s = s[:limit]
        s = s[: s.rfind("-")] if "-" in s[limit // 2:] else s
    return s.strip("-") or "x"


def org_id(key: str) -> str:
    """ASCII, stable: pinyin slug of the region and contracted core of a resolution key, plus a
    short hash of the key (so that homophones and long names stay apart). It depends on the key
    only, not on which written forms were seen, so adding documents does not change it."""
    body = key.split("@", 1)[0]
    _level, region, core = (body.split("|", 2) + ["", ""])[:3]
    core = core.removeprefix("G:")
    core, _, place = core.partition("#")
    words = pinyin(region) + pinyin(core) + (pinyin(place + "分局") if place else ())  # parts repeat: cached
    return f"{slug('-'.join(words))}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:6]}"

"""Directive titles: a display form, a matching key, and the level/region a title names.

Titles of one directive vary between documents: bracket widths （2021-2025年） vs (2021-2025年),
dash styles 2021-2025 / 2021—2025 / 2021－2025 / 2021至2025, a dash dropped by a scraper
(20212025), spaces inside words, 《》 vs 〈〉 for a nested title, draft marks (征求意见稿).
``title_key`` maps all of them to the same key; ``display_title`` gives one clean form.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Optional

from kg.resources import data_rows

_DASHES = "-‐‑‒–—―－─~～〜"
_DRAFT = re.compile(r"[（(](?:征求意见稿|送审稿|讨论稿|草案|代拟稿|修改稿)[)）]|(?:征求意见稿|送审稿|讨论稿)$")
_KEEP = re.compile(r"[0-9a-z\u4e00-\u9fff]")
_YEARS = re.compile(r"((?:19|20)\d{2})\s*(?:[" + re.escape(_DASHES) + r"]+|至|到)?\s*((?:19|20)\d{2})")

def _province_names() -> tuple[str, ...]:
    """Short names of the provincial-level regions (广西, 内蒙古 …), from kg/data/provinces.tsv."""
    return tuple(row[1].split(",")[0] for row in data_rows("provinces.tsv") if len(row) > 1)


PROVINCES = _province_names()
_PROV = ("(?:" + "|".join(sorted(PROVINCES, key=len, reverse=True)) + ")"
         + r"(?:壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|省|市)?")
_NAME = r"[A-Za-z\u4e00-\u9fff]"
_CITY = _NAME + r"{1,8}?(?:自治州|地区|市(?![场民政])|盟|州(?![市区县]))"
_COUNTY = _NAME + r"{1,5}?(?:自治县|区|县|旗)"
_REGION = re.compile(rf"^(?P<prov>{_PROV})?(?P<city>{_CITY})?(?P<county>{_COUNTY})?")
_DEPT = re.compile(_NAME + r"{1,12}?(?:局|厅|委员会|委|办公室|办)(?=关于|(?:19|20)\d{2}|年度|法治|贯彻|落实|《|〈)")
_LEADING_QUOTES = "《〈<「『（("  # title marks; a quoted term (“无废城市”) is not a place


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "")


def title_key(title: str) -> str:
    """A key equal for every written variant of one title: only letters, digits and Chinese
    characters kept (brackets, quotes, dashes, spaces dropped), lower case, draft marks removed."""
    t = _DRAFT.sub("", _nfkc(title).strip())
    return "".join(_KEEP.findall(t.lower()))


_PROV_FULL = re.compile("(" + "|".join(sorted(PROVINCES, key=len, reverse=True)) + ")"
                        + r"(?:壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|省)")
_ISSUED = re.compile(r"印发[《〈](.+)[》〉]的?(?:通知|函)")


@lru_cache(maxsize=1 << 16)  # a corpus names its parents' titles over and over
def title_keys(title: str) -> frozenset[str]:
    """Every key a title may be matched under: ``title_key``, the same with a province's full
    name shortened (广西壮族自治区… = 广西…), and the title inside a covering notice
    (关于印发《X》的通知 -> X)."""
    t = _nfkc(title or "")
    forms = [t]
    m = _ISSUED.search(re.sub(r"\s+", "", t))
    if m:
        forms.append(m.group(1))
    keys = set()
    for f in forms:
        keys.add(title_key(f))
        keys.add(title_key(_PROV_FULL.sub(lambda x: x.group(1), f)))
    keys.discard("")
    return frozenset(keys)


_PERIOD = re.compile(r"[（(]?\s*(?:19|20)\d{2}\s*(?:[" + re.escape(_DASHES) + r"]|至|到)?\s*(?:19|20)\d{2}\s*年?\s*[)）]?")


@lru_cache(maxsize=1 << 16)
def loose_title_keys(title: str) -> frozenset[str]:
    """``title_keys`` of the title without its period (2021-2025年): for a reference that omits
    the years. Use only when no ``title_keys`` match."""
    return title_keys(_PERIOD.sub("", _nfkc(title or "")))


def display_title(title: str) -> str:
    """One clean form: no spaces, full-width round brackets, years as 2021-2025 (a dropped dash
    restored), and a title wrapped in 《》 unwrapped, its inner 《》 turned into 〈〉."""
    t = re.sub(r"\s+", "", title or "")
    t = t.replace("(", "（").replace(")", "）")
    t = _YEARS.sub(lambda m: f"{m.group(1)}-{m.group(2)}", t)
    if t.startswith("《") and t.endswith("》"):
        t = t[1:-1].replace("《", "〈").replace("》", "〉")
    return t


# a level word standing for the place (自治区党委, 省政府, 市委, 县政府): the body that follows it
_BARE_LEVELS = {"自治区": "province", "省": "province", "直辖市": "province", "市": "city", "州": "city",
                "盟": "city", "县": "district", "区": "district", "旗": "district"}
_BARE_LEVEL = re.compile(r"(自治区|直辖市|省|市|州|盟|县|区|旗)(?=委|政府|人民政府|党委|人大|政协|办公|直属|直|级|有关|各|法院|检察院)")
# bodies whose acts are national: the State Council, the Party Centre, the NPC, ministries
_NATIONAL_ISSUER = re.compile(r"^(?:中共中央|国务院|全国人大|全国人民代表大会|全国政协|最高人民|中央)")
_CENTRAL_BODY = re.compile(r"(?:部|总局|总署|国家[^\s]{1,12}(?:局|委员会|委))$")


def issuer_level(names) -> tuple[Optional[str], Optional[str]]:
    """(level, region) of the bodies that issued a document (its notice's signature or the
    name before 关于印发): 国务院/中共中央 national; 省/自治区/直辖市 province; 市/州/盟 city;
    县/区/旗 district. The highest level among them wins; (None, None) when none says."""
    rank = {"district": 1, "department": 1, "city": 2, "province": 3, "national": 4}
    best: tuple[Optional[str], Optional[str]] = (None, None)
    for n in names or ():
        n = re.sub(r"\s+", "", _nfkc(n))
        if not n:
            continue
        if _NATIONAL_ISSUER.match(n):
            lv, rg = "national", None
        else:
            lv, rg = infer_level(n)
            if lv == "national" and not _CENTRAL_BODY.search(n):
                continue  # no place named: only a ministry's name (司法部, 市场监管总局) says national
            if lv == "department":  # 柳州市司法局关于…: the level of its place
                lv = ("district" if re.search(r"(?:区|县|旗)$", rg or "")
                      else "city" if re.search(r"(?:市|州|盟|地区)$", rg or "") else "province")
        if lv and rank.get(lv, 0) > rank.get(best[0] or "", 0):
            best = (lv, rg)
    return best


def infer_level(title: str) -> tuple[Optional[str], Optional[str]]:
    """(level, region) named by a title, from the place name that opens it.

    district: opens with a county-level place (柳州市城中区…, …县…); city: a city (柳州市落实…);
    province: a province-level place (广西…, 广东省…); department: a place followed by a body
    (…司法局关于…); national: no place name (法治政府建设实施纲要, 〈…纲要〉重要举措分工方案).
    Quotes that open the title are skipped, so 〈广西…〉责任分工方案 is provincial.
    """
    t = re.sub(r"\s+", "", _nfkc(title or ""))
    while t and t[0] in _LEADING_QUOTES:
        t = t[1:]
    if not t:
        return None, None
    if t.startswith("关于"):
        return "national", None  # 关于推进广州市…: no place opens the title (the issuer's may)
    if t.startswith("中共") and not t.startswith("中共中央"):
        t = t[2:]  # 中共广西壮族自治区委员会, 中共柳州市委: the party committee of that place
    bare = _BARE_LEVEL.match(t)
    if bare:  # 自治区人民政府…, 省政府办公厅…, 县政府…: a level named without its place
        return _BARE_LEVELS[bare.group(1)], None
    m = _REGION.match(t)
    prov, city, county = (m.group("prov"), m.group("city"), m.group("county")) if m else (None, None, None)
    # a county needs a city or province before it, or a short name (城中区, 某某县)
    if county and not (city or prov) and len(county) > 4:
        county = None
    region = "".join(x for x in (prov, city, county) if x) or None
    if region is None:
        return "national", None
    rest = t[len(region):] if t.startswith(region) else t
    if _DEPT.match(rest):
        return "department", region
    if county:
        return "district", region
    if city:
        return "city", region
    return "province", region

"""Regions: the provinces (provinces.tsv), and the chain of regions a document sits in (its
level and region, and the city and province above), which gives a short name its place."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Optional

from kg.resolve.normal import normalise
from kg.resources import data_rows

LEVEL_UP = {"district": "city", "city": "province", "province": "national"}
NATIONAL = "全国"  # the region of national bodies (their names carry no region)


@functools.lru_cache(maxsize=1)
def provinces() -> list[tuple[str, str]]:
    """The provinces as (form, full name) pairs, each full name and its short forms, longest first."""
    pairs = []
    for row in data_rows("provinces.tsv"):
        pairs.append((row[0], row[0]))
        for short in (row[1].split(",") if len(row) > 1 else []):
            pairs.append((short, row[0]))
    return sorted(pairs, key=lambda p: (-len(p[0]), p[0]))


def find_province(*texts: str) -> Optional[str]:
    """The first provincial-level region named in the texts (广西 → 广西壮族自治区)."""
    best = None
    for t in texts:
        t = normalise(t)
        for form, full in provinces():
            i = t.find(form)
            if i >= 0 and (best is None or i < best[0]):
                best = (i, full)
        if best:
            return best[1]
    return None


@dataclass(frozen=True)
class Chain:
    """Where a document sits: its level and the regions above it."""

    level: Optional[str] = None
    region: Optional[str] = None
    province: Optional[str] = None
    city: Optional[str] = None
    district: Optional[str] = None  # full: 柳州市城中区

    @property
    def district_short(self) -> Optional[str]:
        """城中 for 柳州市城中区 (two characters at least, else None)."""
        if not self.district:
            return None
        d = self.district
        if self.city and d.startswith(self.city):
            d = d[len(self.city):]
        d = re.sub(r"(区|县|旗|市)$", "", d)
        return d if len(d) >= 2 else None

    def region_of(self, level: str) -> Optional[str]:
        return {"district": self.district, "city": self.city, "province": self.province,
                "national": NATIONAL}.get(level)

    def up(self) -> "Chain":
        """The chain of the region one level up."""
        if self.level == "district":
            return Chain("city", self.city, self.province, self.city, None)
        if self.level == "city":
            return Chain("province", self.province, self.province, None, None)
        if self.level == "province":
            return Chain("national", NATIONAL)
        return Chain()

    def words(self) -> list[str]:
        out = [w for w in (self.region, self.province, self.city, self.district, self.district_short) if w]
        if self.district and self.city and self.district.startswith(self.city):
            out.append(self.district[len(self.city):])
        return out


def chain_for(level: Optional[str], region: Optional[str], *titles: str) -> Chain:
    """The region chain of a document from its level, region and title(s)."""
    region = normalise(region or "") or None
    if level is None and region:  # a level not given: from the region's own name
        level = ("province" if any(region == full for _, full in provinces()) else
                 "district" if re.search(r"(区|县|旗)$", region) else
                 "city" if re.search(r"(市|州|盟|地区)$", region) else None)
    if level == "national":
        return Chain("national", NATIONAL)
    province = find_province(region or "", *titles)
    rest = region or ""
    for form, full in provinces():
        if rest.startswith(form):
            rest = rest[len(form):]
            break
    city = district = None
    m = None
    for rx in (r"^(.{1,10}?市)(?=.)", r"^(.{1,12}?自治州)(?=.)", r"^(.{1,6}?(?:州|盟|地区))(?=[^市])"):
        m = m or (re.match(rx, rest) if rest else None)
    if level == "province":
        province = region or province
    elif level == "city" or (level not in ("district",) and rest.endswith("市")):
        city = rest or None
    if level == "district" and rest:
        district = rest
        if m:
            city = m.group(1)
        else:  # a county or district named alone: its city from the title (柳州市城中区…)
            short = re.sub(r"(区|县|旗)$", "", rest)
            for t in titles:
                mm = re.search(r"([^\s《》〈〉()（）,，、]{1,6}?(?:市|自治州|州|盟))" + re.escape(short), normalise(t))
                if mm:
                    city = mm.group(1)
                    district = city + rest
                    break
    if level == "department" and m:
        city = m.group(1)
    elif level == "department" and rest.endswith("市"):
        city = rest
    return Chain(level, region, province, city, district)

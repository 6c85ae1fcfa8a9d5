"""Names of Chinese government bodies: normalisation, segmentation, abbreviations, kinds, functions.

One name at a time, no state about a corpus (that is kg.resolve.entities). The tables are data files in
kg/data/: ``units.dict`` (jieba dictionary of unit words and level prefixes), ``abbreviations.tsv``
(full form / short form pairs), ``kinds.tsv`` (kind keywords), ``provinces.tsv``,
``level_names.tsv`` and ``province_ting.txt`` (how a function's body is named at each level).

Segmentation: jieba, with only the unit dictionary loaded, cuts a name such as 市公安局城中分局
into 市 / 公安局 / 城中 / 分局; leading tokens that are level prefixes (区, 市委, 区级, 市直 …) or
a region's name give the level and region; the rest is the core (公安局), and a place + 分局
after a bureau makes a branch.
"""
from __future__ import annotations

import functools
import logging
import os
import re
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from kg.resolve.functions import (core_at, function_key, function_stem, learn_pinyin, org_id,  # noqa: F401
                                  pinyin, pinyin_table, slug)
from kg.resolve.normal import QUALIFIER_RE, contract, expand, normalise  # noqa: F401
from kg.resolve.regions import LEVEL_UP, NATIONAL, Chain, chain_for, find_province, provinces  # noqa: F401
from kg.resources import DATA, data_rows
from kg.similarity import import_jieba

# Names that are national whatever the document: 中央组织部, 国务院办公厅, 最高人民法院, 国家…局.
NATIONAL_RE = re.compile(r"^(中共中央|中央|国务院|最高人民|国家(?!级))")
# Level prefix characters and words -> level; the party committee prefixes.
LEVEL_CHARS = {"区": "district", "县": "district", "旗": "district", "市": "city", "州": "city",
               "省": "province", "自治区": "province"}
PARTY_PREFIXES = {"区委": "区", "县委": "县", "旗委": "旗", "市委": "市", "州委": "州", "省委": "省",
                  "自治区党委": "自治区"}
COLLECTIVE_PREFIXES = {"区级", "市级", "县级", "省级", "区直", "市直", "县直", "省直"}

# A collective phrase (a group of bodies, not one body).
GROUP_RE = re.compile(r"^各|各(?!级人民)|其他|其它|有关|相关|成员单位|主管部门|委办局|^(区|市|县|省|自治区)(直|级)"
                      r"|议事协调机构|所属|下属|各级")
# A branch of a higher body in a place: 市公安局城中分局.
BRANCH_RE = re.compile(r"^(?P<core>.+?局)(?P<place>[^局]{2,6}?)(?P<kind>分局)$")


# ---------------------------------------------------------------- segmentation (jieba)

_lock = threading.Lock()
_tokenizer = None


def tokenizer():
    """A jieba tokenizer with only the unit dictionary, loaded once; its cache in a private dir."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba = import_jieba()
                jieba.setLogLevel(logging.ERROR)
                tk = jieba.Tokenizer(dictionary=str(DATA / "units.dict"))
                cache = Path(tempfile.gettempdir()) / f"dutygraph-jieba-{os.getuid() if hasattr(os, 'getuid') else 0}"
                cache.mkdir(mode=0o700, exist_ok=True)
                tk.tmp_dir = str(cache)
                tk.initialize()
                _tokenizer = tk
    return _tokenizer


def cut(text: str, words: Iterable[str] = ()) -> list[str]:
    """jieba's cut of ``text`` with the unit dictionary plus ``words`` (region names: 柳州市,
    城中区, 城中), so that they are cut whole. The words are taken back out afterwards: a name's
    cut depends on it and its document's region only, never on the documents read before it
    (so parallel workers, incremental builds and a clean build agree)."""
    tk = tokenizer()
    words = sorted({w for w in words if w})
    if not words:
        return tk.lcut(text, HMM=False)
    with _lock:
        freq, total, tags = tk.FREQ, tk.total, tk.user_word_tag_tab
        saved, saved_tags = {}, {w: tags.get(w) for w in words}
        for w in words:
            for k in range(1, len(w) + 1):
                saved.setdefault(w[:k], freq.get(w[:k]))
        try:
            for w in words:
                tk.add_word(w, 100000, "r")
            return tk.lcut(text, HMM=False)
        finally:
            for k, v in saved.items():
                if v is None:
                    del freq[k]
                else:
                    freq[k] = v
            tk.total = total
            for w, tag in saved_tags.items():
                if tag is None:
                    tags.pop(w, None)
                else:
                    tags[w] = tag


# ---------------------------------------------------------------- one name

@dataclass
class ParsedName:
    text: str  # normalised as written
    level: Optional[str] = None
    region: Optional[str] = None
    core: str = ""  # the name after its prefix: 司法局
    party: bool = False  # named under a party committee prefix (区委…)
    place: str = ""  # for a branch: the place (城中 in 市公安局城中分局)
    is_group: bool = False
    kind: str = "other"
    chain: Chain = field(default_factory=Chain)  # the chain of the body's own region
    scope: str = ""  # a document id, when the document's region is unknown (kept apart)

    @property
    def key(self) -> str:
        # a second name in brackets (区委宣传部(区网信办), 市委党校(行政学院)) is the same body
        core = contract(self.core if self.is_group else re.sub(r"(?<=.)\([^()]*\)$", "", self.core))
        if self.party and core in ("", "办"):
            core = "委" + core
        if self.is_group:
            core = "G:" + core
        if self.place:
            core += "#" + self.place.upper()
        return f"{self.level or ''}|{self.region or ''}|{core}" + (f"@{self.scope}" if self.scope else "")

    @property
    def name(self) -> str:
        """The canonical written name: region + full core."""
        return self.written(full=True)

    def written(self, full: bool = True) -> str:
        """Region + core, the core in full (canonical) or as written."""
        if not self.region:
            return self.text
        core = self.core if self.is_group or not full else expand(self.core, self.kind)
        if self.place:
            return f"{self.region}{core}{self.place}分局"
        if self.level == "national":
            return ("中共中央" if not core else "中央" + core) if self.party else core
        if self.party:
            if not core:
                return f"中共{self.region}委员会"
            return f"{self.region}{'党委' if self.level == 'province' and self.region.endswith('自治区') else '委'}{core}"
        return self.region + core


@functools.lru_cache(maxsize=1)
def _kinds() -> list[tuple[str, re.Pattern]]:
    return [(row[0], re.compile(row[1])) for row in data_rows("kinds.tsv")]


def kind_of(core: str, party: bool = False) -> str:
    """party | government | court | procuratorate | congress | cppcc | mass | other."""
    for kind, rx in _kinds():
        if kind == "government" and party:
            return "party"
        if rx.search(core):
            return kind
    return "party" if party else "other"


def _region_prefix(s: str, chain: Chain) -> tuple[str, Optional[str], str]:
    """A written region at the start of s → (region, level, rest)."""
    for form, lv, full in _region_forms(chain):
        if s.startswith(form) and len(s) > len(form):
            return full, lv, s[len(form):]
    return "", None, s


@functools.lru_cache(maxsize=65536)
def _region_forms(chain: Chain) -> tuple[tuple[str, str, str], ...]:
    """(form as written, level, full region) of the regions a name in this chain may start with,
    longest form first."""
    cands = []
    for lv in ("district", "city", "province"):
        r = chain.region_of(lv)
        if r:
            cands.append((r, lv, r))
    if chain.district and chain.city and chain.district.startswith(chain.city):
        cands.append((chain.district[len(chain.city):], "district", chain.district))
    for form, full in provinces():
        if full == chain.province or not chain.province:
            cands.append((form, "province", full))
    return tuple(sorted(cands, key=lambda c: -len(c[0])))


def parse(text: str, chain: Chain) -> ParsedName:
    """Level, region, core, kind of one unit name as written in a document of ``chain``."""
    import dataclasses

    return dataclasses.replace(_parse(text, chain))


@functools.lru_cache(maxsize=65536)
def _parse(text: str, chain: Chain) -> ParsedName:
    s = normalise(text)
    p = ParsedName(text=s)
    youth = re.match(r"^团(区|县|市|旗|州|省|自治区)委", s)  # 团区委 = the district's Youth League committee
    if youth:
        s = youth.group(1) + "团委" + s[youth.end():]
    region, level, rest = _region_prefix(s + "人民政府", chain) if _is_region(s, chain) else _region_prefix(s, chain)
    party = False
    collective = False
    if level:
        if rest.startswith("委") and not rest.startswith("委员会"):
            party, rest = True, rest[1:]
        elif rest.startswith("党委") and level == "province":
            party, rest = True, rest[2:]
    elif NATIONAL_RE.match(s):
        level, region = "national", NATIONAL
        m = re.match(r"^(中共中央|中央)(?!.*?(人民政府|国务院))", s)
        if m:
            party, rest = True, s[m.end():]
    else:
        words = chain.words()
        toks = cut(s, words)
        first = toks[0] if toks else ""
        if first[:1] == "区" and chain.level == "province" and (chain.province or "").endswith("自治区") \
                and first in ("区", "区委", "区级", "区直"):
            # in an autonomous region's own plan, 区 is the region: 区直各部门, 区司法厅
            s = "自治区" + s[1:] if not s.startswith("区委") else "自治区党委" + s[2:]
            toks = cut(s, words)
            first = toks[0]
        if first in PARTY_PREFIXES:
            party, level = True, LEVEL_CHARS[PARTY_PREFIXES[first]]
        elif first in COLLECTIVE_PREFIXES or first in ("自治区级", "自治区直"):
            collective, level = True, LEVEL_CHARS[first[:-1]]
            first = first[:-1]  # keep 级/直 in the phrase: 区级其他…单位 → 柳州市城中区级其他…单位
        elif first in LEVEL_CHARS and len(toks) > 1:
            level = LEVEL_CHARS[first]
        elif chain.district_short and first == chain.district_short and len(toks) > 1 \
                and not toks[1].startswith(("区", "县")):
            # 城中生态环境局: a city body's branch in the district
            rest = s[len(first):]
            p.place, p.level, p.region = first, "city", chain.city
            p.core, p.kind, p.chain = rest, kind_of(rest), chain.up() if chain.level == "district" else chain
            return p
        if level:
            rest = s[len(first):]
            region = chain.region_of(level) or ""
            if first == "自治区" or first == "自治区党委":
                region = chain.province if (chain.province or "").endswith("自治区") else ""
    p.is_group = collective or bool(GROUP_RE.search(s))
    if not level and not p.is_group:
        k = kind_of(s)
        if k not in ("other",) and not re.search(r"[A-Za-z]", s):  # 司法局 alone: the document's own level
            level = chain.level if chain.level in ("district", "city", "province", "national") else None
            region = chain.region
            region = region if level else None
    if p.is_group and not level:
        level, region = chain.level, chain.region
    p.level, p.region, p.party = level, region or None, party
    p.core = rest
    m = BRANCH_RE.match(rest) if not p.is_group and level else None
    if m:
        p.core, p.place = m.group("core"), m.group("place")
    elif level == "district" and not p.is_group and re.fullmatch(r"[^局]{2,8}分局", rest) \
            and chain.city and (chain.district_short or chain.district):
        # 区公安分局 in a district plan: the city bureau's branch in the district
        p.core, p.place = rest[:-2] + "局", chain.district_short or chain.district
        p.level, p.region, p.kind = "city", chain.city, kind_of(p.core)
        p.chain = chain.up() if chain.level == "district" else chain
        return p
    p.kind = "group" if p.is_group else kind_of(p.core or s, party)
    if level and region:
        p.chain = _chain_at(chain, level, region)
    return p


def _is_region(s: str, chain: Chain) -> bool:
    """A bare region name (柳江区, 柳州市) stands for that region's people's government."""
    names = {chain.region, chain.city, chain.district, chain.province}
    if chain.district and chain.city and chain.district.startswith(chain.city):
        names.add(chain.district[len(chain.city):])
    return s in names - {None, ""}


def _chain_at(chain: Chain, level: str, region: str) -> Chain:
    c = chain
    while c.level and c.level != level:
        c = c.up()
    if c.level == level and c.region == region:
        return c
    return Chain(level, region, chain.province if level != "national" else None,
                 region if level == "city" else chain.city if level == "district" else None,
                 region if level == "district" else None)

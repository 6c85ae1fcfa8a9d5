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
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from kg.resources import DATA

LEVEL_UP = {"district": "city", "city": "province", "province": "national"}
NATIONAL = "全国"  # the region of national bodies (their names carry no region)
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
# Qualifiers after a unit that are not part of its name.
QUALIFIER_RE = re.compile(r"(等部门|等单位)?(按照?职责分工(分别)?负责|按照?职责分工|分别负责|负责)$")
# A branch of a higher body in a place: 市公安局城中分局.
BRANCH_RE = re.compile(r"^(?P<core>.+?局)(?P<place>[^局]{2,6}?)(?P<kind>分局)$")


def _lines(name: str) -> list[list[str]]:
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.rstrip("\n").split("\t"))
    return rows


# ---------------------------------------------------------------- normalisation

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
    for row in _lines("abbreviations.tsv"):
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


# ---------------------------------------------------------------- segmentation (jieba)

_lock = threading.Lock()
_tokenizer = None


def tokenizer():
    """A jieba tokenizer with only the unit dictionary, loaded once; its cache in a private dir."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                from kg.link.similarity import import_jieba

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


# ---------------------------------------------------------------- regions

@functools.lru_cache(maxsize=1)
def _provinces() -> list[tuple[str, str]]:
    """(form, full name), longest form first."""
    pairs = []
    for row in _lines("provinces.tsv"):
        pairs.append((row[0], row[0]))
        for short in (row[1].split(",") if len(row) > 1 else []):
            pairs.append((short, row[0]))
    return sorted(pairs, key=lambda p: (-len(p[0]), p[0]))


def find_province(*texts: str) -> Optional[str]:
    """The first provincial-level region named in the texts (广西 → 广西壮族自治区)."""
    best = None
    for t in texts:
        t = normalise(t)
        for form, full in _provinces():
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
        level = ("province" if any(region == full for _, full in _provinces()) else
                 "district" if re.search(r"(区|县|旗)$", region) else
                 "city" if re.search(r"(市|州|盟|地区)$", region) else None)
    if level == "national":
        return Chain("national", NATIONAL)
    province = find_province(region or "", *titles)
    rest = region or ""
    for form, full in _provinces():
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
    return [(row[0], re.compile(row[1])) for row in _lines("kinds.tsv")]


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
    for form, full in _provinces():
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


# ---------------------------------------------------------------- functions across levels

@functools.lru_cache(maxsize=1)
def _ting() -> frozenset[str]:
    return frozenset(r[0] for r in _lines("province_ting.txt"))


@functools.lru_cache(maxsize=1)
def _level_names() -> dict[str, dict[str, str]]:
    out = {}
    for row in _lines("level_names.tsv"):
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
# pinyin_table/learn_pinyin, between incremental builds (kg.build.incremental): pypinyin costs ~0.2 s
# to import and set up, most of a small update's resolution.
_PINYIN: dict[str, tuple[str, ...]] = {}


def _pinyin(text: str) -> tuple[str, ...]:
    found = _PINYIN.get(text)
    if found is None:
        from pypinyin import lazy_pinyin

        found = _PINYIN[text] = tuple(lazy_pinyin(text))
    return found


def pinyin(text: str) -> tuple[str, ...]:
    """The pinyin syllables of ``text``, cached in this process (pinyin_table, learn_pinyin)."""
    return _pinyin(text)


def pinyin_table() -> dict[str, tuple[str, ...]]:
    """The pinyin this process has looked up (a copy, sorted by text)."""
    return dict(sorted(_PINYIN.items()))


def learn_pinyin(table: dict[str, tuple[str, ...]]) -> None:
    """Take pinyin looked up by an earlier process (pinyin_table), so as not to look it up again."""
    for text, syllables in table.items():
        _PINYIN.setdefault(str(text), tuple(syllables))


def function_key(stem: str) -> str:
    """ASCII key of a function stem: 司法 → sifa."""
    return slug("".join(_pinyin(stem)), 40)


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
    import hashlib

    body = key.split("@", 1)[0]
    _level, region, core = (body.split("|", 2) + ["", ""])[:3]
    core = core.removeprefix("G:")
    core, _, place = core.partition("#")
    words = _pinyin(region) + _pinyin(core) + (_pinyin(place + "分局") if place else ())  # parts repeat: cached
    return f"{slug('-'.join(words))}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:6]}"

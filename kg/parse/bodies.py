"""Names of Chinese public bodies: is a piece of text the name of a body, or a list of them?

Plans name the units responsible for a task in many forms (labelled lists, lists closing a
sentence, bare lists in brackets, clauses such as X牵头，Y配合). What those forms share is what they
are made of: names of public bodies. This module recognises such names by their morphology,
not by a list of the bodies of one place:

- a head that ends the name: 部 委 办 厅 局 署 院 会 总局 总社 中心 政府 街道 办事处 党委 团委 人大
  政协 法院 检察院 单位 部门 机关 公司 银行 … (``HEADS``), or a place name or a collective
  (各区, 相关区, 浦东新区, 各县(市、区), 各乡镇(街道));
- what may stand before it: a region or level prefix (国家 省 自治区 市 州 县 区 镇 街道 各 …) and
  words, but not the words that open a sentence (加强, 推动, 以下, 要求 …) nor the characters a
  name never holds (的 了 是 将 需 均 …);
- the names that end otherwise: the short forms of central bodies (人民银行, 新华社, 国铁集团 …,
  kg/data/national_bodies.txt) and the unit dictionary (kg/data/units.dict);
- common words that end like a name but are not one (社会, 布局, 干部, 示范区, 城市 …).

Two strengths: ``looks_like_body`` asks only for a head (used where a label already says that a
list of units follows: 牵头单位：…), ``is_body`` asks for a name (used where nothing but the
name itself says so: （市科委、市财政局）, X指导).
"""
from __future__ import annotations

import re
from functools import lru_cache

from kg.resources import DATA

# Heads that end a body's name, longest first where one ends another.
HEADS = (
    "人民政府", "政府", "街道办事处", "办事处", "街道办", "街道", "委员会", "办公室", "办公厅", "管委会",
    "党工委", "工委", "党委", "党组", "团委", "人大", "常委会", "政协", "法院", "检察院", "法庭",
    "总局", "总社", "总署", "总部", "总会", "总台", "总队", "中心", "单位", "部门", "机关", "机构",
    "公司", "集团", "银行", "支行", "分行", "海关", "学院", "大学", "高校", "医院", "协会", "学会",
    "联合会", "研究院", "研究所", "指挥部", "领导小组", "工作组", "专班", "企业", "支队", "大队",
    "中队", "派出所", "分局", "中央", "科协", "残联", "妇联", "侨联", "文联", "工商联", "社科联",
    "红十字会", "部", "委", "办", "厅", "局", "署", "院", "会", "社", "所", "站", "队", "处", "科",
    "室", "馆", "校", "司", "组", "团", "联",
)
# Heads that name a place: a body when the place is named (浦东新区, 城中区) or collective (各区).
PLACE_HEADS = ("自治区", "自治州", "自治县", "特别行政区", "新区", "区", "县", "市", "州", "盟", "旗", "省",
               "乡镇", "镇", "乡", "村", "街道")
# Words naming a kind of place, not a place: no body alone (各区、县级市 coordinates them).
ADMIN_WORDS = frozenset({"区", "县", "市", "乡", "镇", "旗", "州", "省", "村", "街道", "乡镇", "县级市", "区县",
                         "县区", "县市区", "市县", "市区", "县(市、区)", "县(市)", "市(州)", "区(县)",
                         "乡镇(街道)", "镇(街道)", "镇街", "镇(街)"})
# Prefixes of a collective: 各区, 相关区, 有关单位, 其他部门, 所属单位.
COLLECTIVE = re.compile(r"^(?:各|相关|有关|其他|其它|所属|下属|涉及|全市各|全区各|全县各|全省各)")
# Common words that end like a name and are not one (checked as the end of the name).
NOT_BODIES = frozenset("""
社会 全社会 机会 体会 大会 晚会 年会 峰会 展会 博览会 交易会 运动会 座谈会 研讨会 推介会 发布会 洽谈会 例会
论证会 听证会 见面会 招聘会 都会 盛会 庙会 理事会议 格局 布局 全局 大局 结局 开局 新格局 干部 内部 全部
局部 外部 本部 细部 头部 底部 西部 东部 中部 北部 南部 部署 举办 创办 督办 代办 帮办 主办 承办 协办 首办
开办 交办 包办 合办 大厅 展厅 网站 车站 驿站 工作站 加油站 充电站 基站 站点 学科 本科 专科 场所 住所 处所
实验室 工作室 教室 展馆 场馆 社区 园区 景区 城区 片区 辖区 矿区 灾区 林区 牧区 山区 库区 老区 街区 小区
示范区 试验区 集聚区 功能区 保护区 风景区 先行区 引领区 承载区 先导区 核心区 自贸区 自贸试验区 城市 都市
超市 股市 楼市 车市 夜市 集市 全市 本市 我市 该市 全区 本区 我区 该区 全县 本县 我县 该县 全省 本省 我省
该省 城镇 小镇 特色小镇 城乡 家乡 农村 乡村 新农村 全镇 本镇 小组 机组 班组 社团 乐团 剧团 团队 球队 部队
庭院 剧院 影院 好处 长处 益处 用处 难处 上司 官司 市场主体
""".split())
# Words that open a sentence, never a name (unless the whole name is known).
OPENERS = re.compile(
    r"^(?:以下|以上|由于|要求|推动|推进|加强|加快|加大|建立|完善|支持|鼓励|引导|开展|实施|负责|做好|落实|确保|深化|提升|"
    r"强化|健全|探索|优化|制定|发挥|全面|进一步|逐步|持续|大力|切实|认真|重点|依托|围绕|结合|通过|按照|根据|依据|"
    r"为了|对于|关于|其中|同时|并且|形成|打造|培育|促进|提高|扩大|统筹|协调|督促|配合|参与|牵头|会同|积极|及时|"
    r"主动|所有|全体|每个|每年|这|该|此|其|我们|在|对|将|把|向|从|与|和|及|或|如|若|凡|经|请|应|可|须|需|要|不|"
    r"已|未|均|都|也|并|并且|还|又|再|即|且|则|因|故|但|而|例如|包括|含|不含|除|以及|打击|建设|创建|新建|组建|设立|"
    r"[一二两三四五六七八九十几数多若每首][个批支所家座项类处级])")
# Characters a body's name never holds (outside a bracketed insert).
NEVER_IN = re.compile(r"[的了是将把需须均都也并但即若被让者吗呢啊，。；：！？!?;:“”\"《》]")
# Marks of an empty table cell or of "no unit".
EMPTY = frozenset({"/", "／", "\\", "-", "－", "—", "——", "–", "无", "暂无", "×", "x", "X", "空", "...", "…"})

_BRACKETED = re.compile(r"\([^()]*\)|（[^（）]*）|〔[^〔〕]*〕")
MAX_LEN = 32


@lru_cache(maxsize=1)
def known_names() -> frozenset[str]:
    """Whole names that are bodies whatever their end: central bodies and the unit dictionary's
    names (tag n)."""
    names = set()
    for line in (DATA / "national_bodies.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            names.add(line)
    for line in (DATA / "units.dict").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] == "n":
            names.add(parts[0])
    return frozenset(names)


@lru_cache(maxsize=1)
def _known_suffixes() -> tuple[str, ...]:
    # longest first: a name ending in a known name (上海海关, 国家发展改革委, 市人力资源社会保障局)
    return tuple(sorted(known_names(), key=lambda s: (-len(s), s)))


def core_of(name: str) -> str:
    """The name without its bracketed inserts (各县(市、区)人民政府 -> 各县人民政府)."""
    return _BRACKETED.sub("", name).strip() if "(" in name or "（" in name or "〔" in name else name.strip()


@lru_cache(maxsize=65536)
def head_of(name: str) -> str:
    """The head that ends ``name`` ('' for none): the longest of HEADS, PLACE_HEADS or a known
    name."""
    core = core_of(name)
    best = ""
    for h in HEADS:
        if core.endswith(h) and len(h) > len(best):
            best = h
    for h in PLACE_HEADS:
        if core.endswith(h) and len(h) > len(best):
            best = h
    if not best or len(best) < 3:
        for k in known_names():
            if len(k) > len(best) and core.endswith(k):
                best = k
    return best


@lru_cache(maxsize=65536)
def looks_like_body(name: str) -> bool:
    """``name`` ends like a body's name (a head, a place, a known name): what a labelled list asks."""
    core = core_of(name)
    if len(core) < 2:
        return False
    if core in known_names():
        return True
    h = head_of(core)
    return bool(h) and len(core) > len(h) or core in ("政府", "街道", "乡镇")


@lru_cache(maxsize=65536)
def is_body(name: str) -> bool:
    """``name`` is the name of a public body (or a collective of them: 各有关单位, 相关区)."""
    name = name.strip()
    core = core_of(name)
    if len(core) < 2 or len(core) > MAX_LEN or core in ADMIN_WORDS:
        return False  # 街道, 乡镇, 县级市 alone name a kind of place (乡镇(街道)), not a body
    if core in known_names():
        return True
    if NEVER_IN.search(core):
        return False
    if OPENERS.match(core) and not COLLECTIVE.match(core):
        return False
    h = head_of(core)
    if not h:
        return False
    if any(core.endswith(w) for w in NOT_BODIES) and not core.endswith("代表大会"):
        return False
    if h in PLACE_HEADS and h not in ("街道", "乡镇"):
        # a place: collective (各区, 相关区), or named (浦东新区, 城中区, 房县, 黑龙江省)
        if COLLECTIVE.match(core):
            return True
        return len(core) <= (9 if h.startswith(("自治", "特别")) else 5)
    return len(core) > len(h) or core in ("政府", "街道", "乡镇")


def is_empty_mark(item: str) -> bool:
    """A table cell's or list's mark for "none" (/, —, 无)."""
    return "".join(item.split()) in EMPTY


@lru_cache(maxsize=65536)
def is_admin_word(item: str) -> bool:
    """A bare kind of place (县级市, 乡镇, 各县): coordinated with a collective before it."""
    core = item[1:] if item.startswith("各") else item
    return core in ADMIN_WORDS


def body_prefix(text: str, limit: int = MAX_LEN) -> int:
    """Length of the longest prefix of ``text`` that is a body's name (0 for none)."""
    best = 0
    for k in range(2, min(len(text), limit) + 1):
        if is_body(text[:k]):
            best = k
    return best

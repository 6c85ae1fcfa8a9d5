"""The words of a unit annotation: role words and labels (牵头单位：, 配合部门：, 责任领导：), the
role each gives (lead, support, responsible, person), and the ``Annotation`` record."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from kg.model import UnitMention


# the role of a role word (labels are looked up by their first two characters)
ROLE_OF = {"牵头": "lead", "主责": "lead", "主办": "lead", "主要": "lead", "配合": "support", "参加": "support",
           "参与": "support", "协办": "support", "协助": "support", "协同": "support", "协作": "support",
           "责任": "responsible", "负责": "responsible", "实施": "responsible", "落实": "responsible",
           "承办": "responsible", "具体": "responsible", "指导": "responsible", "督办": "responsible"}


PERSON = "person"  # a label that names people (责任领导, 责任人): no unit
_W = r"\s*"


def _spaced(word: str) -> str:
    return _W.join(re.escape(c) for c in word)


def _alt(words) -> str:
    return "|".join(_spaced(w) for w in sorted(words, key=len, reverse=True))


OPEN, CLOSE = "([", ")]"  # the brackets an annotation stands in (the clean text has ASCII brackets only)


_NOUNS = ("责任单位", "责任部门", "负责单位", "负责部门", "单位", "部门", "处室", "科室", "机关", "机构", "主体")
_PERSON_NOUNS = ("领导", "责任人", "联系人", "人")


# a role label before a colon: 牵头单位： / 配合部门： / 责任处室： / 牵头： / 责任领导：
_LABEL = re.compile(
    "(?P<label>(?P<kind>" + _alt(ROLE_OF) + "|" + _spaced("分管") + "|" + _spaced("包保") + ")" + _W
    + "(?P<noun>" + _alt(_NOUNS + _PERSON_NOUNS) + r")?(?:\((?:单位|部门)\))?)" + _W + r"[:：]" + _W)


# kinds that may stand without a noun (牵头：X); the others need one (负责：… is prose)
_BARE_KINDS = ("牵头", "配合", "协办", "参与", "参加", "责任")


# kinds that only open a label (主要责任单位, 具体负责单位), never one alone (主要：… is prose)
_PREFIX_KINDS = ("主要", "具体", "指导", "督办")


# another label inside an annotation (完成时限：…, 适用范围：…) ends the unit list
OTHER_LABEL = re.compile(r"^[^:：()\[\]]{2,8}[:：]")


# the plan's convention that the first unit of a list leads
FIRST_LEADS = re.compile(
    r"(?:列|排|排列|排名|位列|列于|排在|列在|居|标注在|写在|放在)(?:在|于)?(?:第一位|第一个|第一|首位|首个|最前面|最前|前面)"
    r"(?:的|者)?(?:单位|部门)?(?:为|是|作为|系)?(?:牵头|主责|主要责任)"
    r"|(?:第一个|首个|首位)(?:单位|部门)?(?:为|是)(?:牵头|主责)"
    r"|牵头(?:单位|部门)(?:列|排)(?:在|于)?(?:第一位|首位|第一|最前)")


# a remark after the units: 下同, 以下…, 不再列出
REMARK = re.compile(r"^(?:下同|同上|以下|以上|不再|均需|均由|另行|其中|注[:：])")


@dataclass
class Annotation:
    start: int  # cleaned offsets of the whole annotation (brackets included)
    end: int
    units: list[UnitMention] = field(default_factory=list)
    run_on: bool = False  # the unit list ran into other text (no bracket, no full stop)
    labels: list[str] = field(default_factory=list)
    first_leads: bool = False  # it states the plan's convention (列第一位者为牵头单位)
    lists: list[list[UnitMention]] = field(default_factory=list)  # the units, list by list
    empty: list[tuple[str, str]] = field(default_factory=list)  # (label, what follows it): a label naming no unit


BLANKS = re.compile(r"\s+")


@lru_cache(maxsize=None)
def role_of(label: str) -> str:
    label = BLANKS.sub("", label)
    if label.endswith(_PERSON_NOUNS) and not label.endswith(_NOUNS) or label[:2] in ("分管", "包保"):
        return PERSON
    if label[:2] in ("主要", "具体"):
        return "lead" if label[:2] == "主要" else "responsible"
    return ROLE_OF.get(label[:2], "responsible")


def verb_role(verb: str) -> str:
    if verb.startswith("牵头"):
        return "lead"
    if verb.startswith(("配合", "参与", "参加", "协助", "协办")):
        return "support"
    return "responsible"


def _label_ok(m) -> bool:
    kind = m.group("kind")
    if len(kind) != 2:
        kind = BLANKS.sub("", kind)
    if m.group("noun") is None:
        return kind in _BARE_KINDS  # 负责：… without a noun is prose
    return kind not in _PREFIX_KINDS or m.group("noun").startswith(("责任", "负责")) or kind in ("指导", "督办")


_LABEL_FIRST = frozenset(k[0] for k in ROLE_OF) | {"分", "包"}


def label_at(text: str, i: int):
    """The role label at ``i`` (a match of _LABEL), or None."""
    if i >= len(text) or text[i] not in _LABEL_FIRST:
        return None
    m = _LABEL.match(text, i)
    return m if m and _label_ok(m) else None


def label_search(text: str, pos: int, end: int):
    """The first role label (牵头单位：) in text[pos:end] that is one, or None."""
    while pos < end:
        m = _LABEL.search(text, pos, end)
        if m is None:
            return None
        if _label_ok(m):
            return m
        pos = m.start() + 1
    return None

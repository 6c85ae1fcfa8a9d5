"""Chinese out: column headers and values in Chinese for tables, CSV and xlsx (``--lang zh`` or
``KG_LANG=zh``), and Chinese in: the words a user types for roles, levels and kinds.

    language(None)            -> 'en' unless $KG_LANG says zh
    header('task_number','zh') -> '序号'
    value('role', 'lead', 'zh') -> '牵头'
    localise(rows, columns, 'zh') -> (Chinese headers, rows with Chinese values)
    role_name('牵头') -> 'lead'

English stays the default for tables and CSV, whose column names and values (lead, support,
responsible) other tools read (the gold scorer among them); the xlsx ledger is Chinese by default.
"""
from __future__ import annotations

import os
import unicodedata
from typing import Any, Optional, Sequence

from kg.errors import KgError
from kg.parse.themes import themes

LANGS = ("en", "zh")

# column name -> Chinese header (every column of the named queries and of the CLI's own tables)
HEADERS_ZH = {
    "document": "文件", "level": "层级", "region": "地区", "section": "章节", "task_number": "序号",
    "task_title": "任务", "role": "角色", "unit_as_written": "单位（原文）", "unit": "单位",
    "deadline": "完成时限", "deadline_text": "时限原文", "lead": "牵头单位", "support": "配合单位",
    "responsible": "责任单位", "total": "合计", "documents": "文件数", "reported": "落实证据",
    "supporting": "配合单位", "unit_a": "单位甲", "role_a": "角色甲", "unit_b": "单位乙", "role_b": "角色乙",
    "role_label": "角色用语", "kind": "类别", "kind_name": "类别", "level_name": "层级", "labels": "名称",
    "tasks": "任务数", "direct": "直属任务数", "depth": "层次", "section_number": "章节编号",
    "section_title": "章节标题", "distance": "层距", "covered": "已落实", "children": "下级任务数",
    "child_numbers": "下级任务序号", "type": "类型", "title": "标题", "file": "文件名", "period": "期限",
    "parents": "上级文件", "report": "报告", "year": "年度", "reporting_body": "报告主体",
    "section_type": "章节类型", "score": "得分", "method": "方法", "measure_text": "举措",
    "counts": "计为证据", "value": "数值", "counted": "统计对象", "approximate": "约数", "text": "原文",
    "themes": "主题", "via": "途径", "plan": "方案", "mentions": "原文写法", "assignments": "分工数",
    "part_of": "上级单位", "graph": "命名图", "triples": "三元组", "bytes": "字节", "name": "名称",
    "question": "问题", "parameters": "参数", "returns": "返回列", "step": "步", "a_task_number": "甲序号",
    "a_task_title": "甲任务", "b_task_number": "乙序号", "b_task_title": "乙任务",
    "parent_task_number": "上级序号", "parent_task_title": "上级任务", "child_task_number": "下级序号",
    "child_task_title": "下级任务", "result": "结果", "status": "状态", "note": "说明", "reports": "证据来源",
}

ROLES_ZH = {"lead": "牵头", "support": "配合", "responsible": "责任"}
LEVELS_ZH = {"national": "国家", "province": "省级", "city": "市级", "district": "县区级",
             "department": "部门"}
KINDS_ZH = {"party": "党委机构", "government": "政府部门", "court": "法院", "procuratorate": "检察院",
            "congress": "人大", "cppcc": "政协", "mass": "群团组织", "other": "其他单位", "group": "单位集合"}
SECTION_TYPES_ZH = {"achievements": "主要成效", "problems": "存在问题", "plans": "下一年工作安排",
                    "leadership": "主要负责人履职情况"}
# local names of the concepts (dg:GovernmentDepartment …) as some queries return them
_CONCEPTS_ZH = {"Party": "党委机构", "GovernmentDepartment": "政府部门", "Court": "法院",
                "Procuratorate": "检察院", "PeoplesCongress": "人大", "CPPCC": "政协",
                "MassOrganisation": "群团组织", "OtherBody": "其他单位", "Group": "单位集合",
                "National": "国家", "Province": "省级", "City": "市级", "District": "县区级",
                "Department": "部门", "Plan": "实施方案", "AnnualReport": "年度报告"}
_BOOL_ZH = {True: "是", False: "否"}

# column -> the table its values are translated with
_VALUE_TABLES = {
    "role": ROLES_ZH, "role_a": ROLES_ZH, "role_b": ROLES_ZH, "level": {**LEVELS_ZH, **_CONCEPTS_ZH},
    "level_name": _CONCEPTS_ZH, "kind": {**KINDS_ZH, **_CONCEPTS_ZH}, "kind_name": _CONCEPTS_ZH,
    "type": _CONCEPTS_ZH, "section_type": SECTION_TYPES_ZH,
}


def language(lang: Optional[str] = None) -> str:
    """'en' or 'zh': ``lang`` when given, else $KG_LANG, else English."""
    v = (lang if lang not in (None, "") else os.environ.get("KG_LANG") or "en").strip().lower()
    v = {"cn": "zh", "zh-cn": "zh", "zh_cn": "zh", "中文": "zh", "chinese": "zh", "english": "en"}.get(v, v)
    if v.startswith("zh"):
        return "zh"
    if v.startswith("en") or v in ("c", "posix"):
        return "en"
    raise KgError(f"--lang {lang or os.environ.get('KG_LANG')!r}: use en or zh", 2)


def header(column: str, lang: str = "en") -> str:
    return HEADERS_ZH.get(column, column) if lang == "zh" else column


def value(column: str, v: Any, lang: str = "en") -> Any:
    """A cell in ``lang``: roles, levels, kinds, section types and booleans get Chinese words."""
    if lang != "zh" or v is None:
        return v
    if isinstance(v, bool):
        return _BOOL_ZH[v]
    table = _VALUE_TABLES.get(column)
    if table and isinstance(v, str):
        return table.get(v, table.get(v.lower(), v))
    return v


def localise(rows: Sequence[dict], columns: Sequence[str], lang: str = "en") -> tuple[list[str], list[dict]]:
    """Headers and rows (keyed by those headers) in ``lang``."""
    heads = [header(c, lang) for c in columns]
    out = [{h: value(c, r.get(c), lang) for c, h in zip(columns, heads)} for r in rows]
    return heads, out


# ---------------------------------------------------------------------------- Chinese in

def fold(text: str) -> str:
    """Width forms folded as a user may type them: （）［］＃０-９ and full-width letters to ASCII,
    the ideographic space to a space, outer spaces removed. Chinese punctuation (、，。：；) stays."""
    s = "".join(unicodedata.normalize("NFKC", c) if c in _FOLD else c for c in str(text))
    return s.replace("\u3000", " ").strip()


# every full-width ASCII form U+FF01..U+FF5E except the Chinese punctuation a name keeps
_KEEP = set("，：；！？")
_FOLD = {chr(c) for c in range(0xFF01, 0xFF5F) if chr(c) not in _KEEP} | {"\u3000"}

_ROLE_WORDS = {"lead": "lead", "support": "support", "responsible": "responsible", "any": "any",
               "牵头": "lead", "牵头单位": "lead", "牵头部门": "lead", "主责": "lead",
               "配合": "support", "配合单位": "support", "配合部门": "support", "参加": "support",
               "参加单位": "support", "协办": "support", "协办单位": "support",
               "责任": "responsible", "责任单位": "responsible", "责任部门": "responsible",
               "负责": "responsible", "全部": "any", "所有": "any", "任意": "any"}


def role_name(role: Optional[str], allow_any: bool = True) -> Optional[str]:
    """lead | support | responsible (| any) from English or Chinese (牵头, 配合, 责任, 牵头单位 …)."""
    if role is None:
        return None
    r = _ROLE_WORDS.get(fold(role).lower())
    if r is None or (r == "any" and not allow_any):
        choices = "lead (牵头), support (配合), responsible (责任)" + (" or any" if allow_any else "")
        raise KgError(f"role {role!r}: use {choices}")
    return r


def level_name(level: Optional[str]) -> Optional[str]:
    """national | province | … from English or Chinese (市级, 县区级, 区级, 省级 …)."""
    if level is None or not str(level).strip():
        return None
    v = fold(level).lower()
    zh = {z: e for e, z in LEVELS_ZH.items()} | {"市": "city", "区": "district", "县": "district", "区级": "district",
                                               "县级": "district", "省": "province", "自治区": "province",
                                               "国家级": "national", "中央": "national"}
    return zh.get(v, v)


def kind_name(kind: Optional[str]) -> Optional[str]:
    """party | government | … from English or Chinese (法院, 党委, 政府部门 …)."""
    if kind is None or not str(kind).strip():
        return None
    v = fold(kind).lower()
    zh = {z: e for e, z in KINDS_ZH.items()} | {"党委": "party", "政府": "government", "部门": "government",
                                              "群团": "mass", "其他": "other", "集合": "group"}
    return zh.get(v, v)


def find_theme(name: str):
    """A national theme (kg.parse.themes.Theme) by its id (disputes), its label (健全社会矛盾纠纷行政预防调处
    化解体系), its heading as printed, or a unique part of a label (矛盾纠纷)."""

    v = fold(name)
    all_ = themes()
    for test in (lambda t: t.id == v.lower(), lambda t: t.label == v, lambda t: t.heading == v,
                 lambda t: v in t.label or v in t.heading):
        hit = [t for t in all_ if test(t)]
        if len(hit) == 1:
            return hit[0]
        if len(hit) > 1:
            raise KgError(f"theme {name!r} names {len(hit)} themes ({', '.join(t.id for t in hit)}): give more of it")
    listing = ", ".join(f"{t.id} ({t.label})" for t in all_)
    raise KgError(f"no theme {name!r}: use an id or a name, one of {listing}")

#!/usr/bin/env python3
"""Generate a realistic synthetic cascade of implementation plans, sized by a count.

    python bench/generate.py --plans 3200 --out /tmp/bench-corpus

The cascade has one national plan, provinces, cities and counties in the proportion of
China's administrative map (31 provinces, ~330 cities, ~2,800 counties). Every plan names its
parent(s) in its preamble, so the cascade is real, and its text is drawn from the bundled
seeds' vocabulary: section titles, task titles and sentences, unit names and the genre's
annotation layouts (（牵头单位：…；配合单位：…）, ［…］, 责任单位 on the next line,
"X牵头，Y配合", 牵头部门, 协办单位, no brackets at the paragraph's end) and numberings (1． 1. 1、 and
（一） under 一、 sections). Output is deterministic for a given count and seed.
"""
from __future__ import annotations

import argparse
import random
import re
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED_PLAN = HERE.parent / "corpus" / "000_b7f676789088e75d.txt"

CN_NUM = "一二三四五六七八九十"
PROVINCES = [
    "北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省", "上海市",
    "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省",
    "广西壮族自治区", "海南省", "重庆市", "四川省", "贵州省", "云南省", "西藏自治区", "陕西省", "甘肃省",
    "青海省", "宁夏回族自治区", "新疆维吾尔自治区",
]
NAME_CHARS = "安平宁和兴昌华永康泰嘉庆福德明清河山江湖海川源林松柏云阳东西南北中新乐丰长广隆武文"
DEADLINES = ["2022年年底前", "2023年年底前", "2024年年底前", "2025年前", "2023年6月底前", "到2025年"]
NATIONAL_TITLE = "法治政府建设实施纲要（2021-2025年）"


@dataclass
class Vocab:
    sections: list[str]
    tasks: list[tuple[int, str, str]]  # (section index, title, body)
    units: list[str]  # core unit names without a level prefix: 司法局, 市场监管局 ...
    groups: list[str]  # collective phrases without prefix: 政府各有关部门 ...


def load_vocab(path: Path = SEED_PLAN) -> Vocab:
    text = path.read_text(encoding="utf-8")
    sections: list[str] = []
    tasks: list[tuple[int, str, str]] = []
    units: set[str] = set()
    groups: set[str] = set()
    for line in text.splitlines():
        line = line.strip()
        m = re.match(r"^（([一二三四五六七八九十]+)）(.+)$", line)
        if m:
            sections.append(m.group(2))
            continue
        m = re.match(r"^\d+．([^。]+)。(.*?)(?:（牵头单位[:：](.*)）|［牵头单位[:：](.*)］)?$", line)
        if m and sections:
            body = m.group(2)
            tasks.append((len(sections) - 1, m.group(1), body))
            ann = m.group(3) or m.group(4) or ""
            for u in re.split(r"[、，；]|配合单位[:：]", ann):
                u = re.sub(r"按职责分工负责|等部门", "", u).strip()
                if not u.startswith("区") or "（" in u:
                    continue
                core = u[1:]
                (groups if ("各" in core or "其他" in core) else units).add(core)
    units = {u for u in units if 2 <= len(u) <= 14}
    return Vocab(sections, tasks, sorted(units), sorted(groups))


# A place is not named after a province (a county 广西县 would read as in 广西, as no real one does).
PROVINCE_WORDS = {p[:2] for p in PROVINCES}


def place_name(rng: random.Random, suffix: str, used: set[str]) -> str:
    while True:
        name = "".join(rng.sample(NAME_CHARS, 2)) + suffix
        if name not in used and name[:2] not in PROVINCE_WORDS:
            used.add(name)
            return name


@dataclass
class Plan:
    level: str  # national | province | city | district
    region: str
    prefix: str  # unit prefix: 省 / 自治区 / 市 / 县 / 区
    title: str
    parents: list[str]


def cascade(n: int, rng: random.Random) -> list[Plan]:
    """Plans for one programme: 1 national, then provinces, cities, counties in proportion."""
    n = max(n, 4)
    n_prov = max(1, min(31, round((n - 1) * 31 / 3199)))
    n_city = max(1, round((n - 1) * 330 / 3199))
    n_county = max(1, n - 1 - n_prov - n_city)
    used: set[str] = set()
    plans = [Plan("national", "全国", "", NATIONAL_TITLE, [])]
    provs = []
    for i in range(n_prov):
        region = PROVINCES[i % len(PROVINCES)] if i < len(PROVINCES) else place_name(rng, "省", used)
        short = re.sub(r"(壮族|回族|维吾尔)?自治区$|省$|市$", "", region)
        p = Plan("province", region, "自治区" if region.endswith("自治区") else region[-1],
                 f"{short}法治政府建设实施方案（2021-2025年）", [NATIONAL_TITLE])
        plans.append(p)
        provs.append(p)
    cities = []
    for i in range(n_city):
        prov = provs[i % len(provs)]
        region = place_name(rng, "市", used)
        title = f"{region}落实〈{prov.title}〉工作方案"
        c = Plan("city", region, "市", f"{region}法治政府建设实施方案（2021-2025年）"
                 if i % 3 else title.replace("〈", "《").replace("〉", "》"), [prov.title, NATIONAL_TITLE])
        if i % 3 == 0:
            c.title = f"{region}落实《{prov.title}》工作方案"
        plans.append(c)
        cities.append(c)
    for i in range(n_county):
        city = cities[i % len(cities)]
        suffix = "区" if i % 2 else "县"
        region = city.region + place_name(rng, suffix, used)
        inner = city.title.replace("《", "〈").replace("》", "〉")
        plans.append(Plan("district", region, suffix, f"{region}贯彻执行《{inner}》的方案",
                          [city.title, *city.parents]))
    return plans


def cn(n: int) -> str:
    """Chinese numeral for 1..99: 一 … 十 十一 … 二十三."""
    if n <= 10:
        return CN_NUM[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_NUM[tens - 1]) + "十" + (CN_NUM[ones - 1] if ones else "")


LAYOUTS = 8


def annotate(rng: random.Random, layout: int, lead: list[str], support: list[str]) -> tuple[str, str]:
    """Return (inline suffix, next-line annotation) in one of the genre's layouts."""
    L, S = "、".join(lead), "、".join(support)
    if layout == 0:
        return (f"（牵头单位：{L}；配合单位：{S}）", "")
    if layout == 1:
        return (f"［牵头单位：{L}；参加单位：{S}］", "")
    if layout == 2:
        return ("", f"责任单位：{L}、{S}按职责分工分别负责。")
    if layout == 3:
        return (f"（{L}牵头，{S}配合）", "")
    if layout == 4:
        return (f"（牵头部门：{L}，配合部门：{S}）", "")
    if layout == 5:
        return (f"（责任单位：{L}等部门按职责分工负责）", "")
    if layout == 6:  # no brackets, at the end of the paragraph
        return (f"牵头单位：{L}；配合单位：{S}。", "")
    return (f"（牵头单位：{L}；协办单位：{S}）", "")


# How a plan numbers its tasks: 1． (the seeds), 1. (ASCII), 1、, or （一） under 一、 sections.
NUMBERING = ("fullwidth", "ascii", "comma", "paren")


def render(plan: Plan, vocab: Vocab, rng: random.Random) -> str:
    layout = rng.randrange(LAYOUTS)
    numbering = NUMBERING[rng.randrange(len(NUMBERING))] if plan.level != "national" else "fullwidth"
    p = plan.prefix
    out = [plan.title, ""]
    if plan.parents:
        refs = "、".join(f"《{t}》" for t in plan.parents[:2])
        out.append(f"    为深入贯彻落实{refs}，根据有关文件精神，结合{plan.region}实际，制定本方案。")
    else:
        out.append("    为在新发展阶段持续深入推进依法行政，全面建设法治政府，制定本纲要。")
    out += ["", "    一、总体目标", "    到2025年，政府行为全面纳入法治轨道，法治政府建设取得重大进展。", ""]
    if numbering != "paren":
        out.append("    二、主要任务")
    by_section: dict[int, list[tuple[str, str]]] = {}
    for s, title, body in vocab.tasks:
        by_section.setdefault(s, []).append((title, body))
    n = 0
    k_sec = 0
    for si, section in enumerate(vocab.sections):
        items = by_section.get(si, [])
        if not items:
            continue
        k_sec += 1
        if numbering == "paren":  # sections 二、三、…; tasks （一）（二）… restarting in each
            out.append(f"    {cn(k_sec + 1)}、{section}")
            n = 0
        else:
            out.append(f"    （{cn(k_sec)}）{section}")
        out.append("    坚持依法行政，着力推进本领域各项工作。")
        out.append("")
        for title, body in items:
            if rng.random() < 0.03:  # local variation: some parent tasks are not taken up
                continue
            n += 1
            k = min(len(vocab.units), rng.randint(1, 4))
            lead = [p + u for u in rng.sample(vocab.units, k)]
            support = [p + u for u in rng.sample(vocab.units, rng.randint(1, 3))]
            if vocab.groups:
                support.append(p + rng.choice(vocab.groups))
            sentences = [s for s in body.split("。") if s][: rng.randint(2, 5)]
            text = "。".join(sentences) + "。"
            if rng.random() < 0.2:
                text += f"{rng.choice(DEADLINES)}，全面完成{title}相关工作。"
            if rng.random() < 0.1:
                text += "每年开展一次专项检查。"
            inline, nextline = annotate(rng, layout, lead, support)
            num = {"fullwidth": f"{n}．", "ascii": f"{n}.", "comma": f"{n}、", "paren": f"（{cn(n)}）"}[numbering]
            out.append(f"    {num}{title}。{text}{inline}")
            if nextline:
                out.append(f"    {nextline}")
            out.append("")
    out += [f"    {cn(k_sec + 2) if numbering == 'paren' else '三'}、组织保障",
            "    各级各部门要切实加强组织领导，确保各项任务落到实处。", ""]
    return "\n".join(out)


def generate(n: int, out: Path, seed: int = 20211) -> list[Path]:
    rng = random.Random(seed)
    vocab = load_vocab()
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, plan in enumerate(cascade(n, rng)):
        path = out / f"{i:05d}_{plan.level}.txt"
        path.write_text(render(plan, vocab, rng), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plans", type=int, default=300)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=20211)
    a = ap.parse_args()
    paths = generate(a.plans, a.out, a.seed)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} plans, {size / 1e6:.1f} MB, to {a.out}")


if __name__ == "__main__":
    main()

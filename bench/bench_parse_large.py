#!/usr/bin/env python3
"""Parse time of very large plans (not a test): one task of 160,000 characters beside a task
without units (the case that made fragment placement quadratic), and plans of about 4 MB made by
repeating seed 000, with all, none and some of their unit lines. Prints clean and parse seconds.

    python bench/bench_parse_large.py
"""
from __future__ import annotations

import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.parse.clean import clean  # noqa: E402
from kg.model import Source  # noqa: E402
from kg.parse.plan import parse_plan  # noqa: E402


def run(text: str, label: str) -> None:
    t0 = time.perf_counter()
    c = clean(text)
    t1 = time.perf_counter()
    doc = parse_plan(Source(path="x.txt", name="x.txt", sha256="0" * 64, format="txt", text=text), c)
    t2 = time.perf_counter()
    print(f"{label:40s} {len(text) / 1e6:5.2f} MB  clean {t1 - t0:6.2f} s  parse {t2 - t1:6.2f} s  {len(doc.tasks):6d} tasks")


def main() -> None:
    head = "某县法治政府建设实施方案\n一、主要任务\n"
    sentence = "加强" + "，".join(f"推进第{i}项工作的落实与监督检查" for i in range(9000)) + "。"
    run(head + "1.推进依法行政。" + sentence + "（牵头单位：县司法局）\n2.加强监督。加强监督工作。\n",
        "160,000-char task + a task without units")
    base = (ROOT / "corpus" / "000_b7f676789088e75d.txt").read_text(encoding="utf-8")
    n = 4_000_000 // len(base)
    run(base * n, "4 MB plan")
    run(re.sub(r"（[^（）]*单位[^（）]*）", "", base) * n, "4 MB plan, no unit lines")
    run(base.replace("（牵头单位", "（x", 30) * n, "4 MB plan, 30 unit lines of 47 lost")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The long fuzz run: many generated and mutated documents through the whole pipeline.

    python bench/fuzz.py --docs 10000 --builds 200 [--seed 19] [--workers 2] [--timeout 30]

Each document is made from ``(seed, number)`` alone, so any case can be made again
(``--only N``). It is one of:

- a plan-like text from the genre's pieces (headings at every level, tasks, every annotation
  form, deadlines, recurring duties) with what scrapes and typos bring (empty or doubled labels,
  stray brackets, page markers, control characters, full-width forms, very long lines);
- a bundled seed mutated (bytes flipped, cut, doubled or spliced with another seed), or
  re-encoded (GB18030, UTF-16 with and without a BOM);
- a .docx (python-docx) or .html of such a text, sometimes with its bytes damaged.

Each goes through read -> clean -> parse -> resolve -> its graph (kg.rdf.graphs.make_document, whose
N-Quads and Turtle are parsed back), in a worker process watched with a time limit. A *crash* is
any error but a one-line KgError from reading; a *hang* is a case past ``--timeout`` seconds.
Then ``--builds`` whole builds (kg.build.pipeline.build with keep_going, into a folder, store
included) of small folders of such documents. The result (crashes, hangs, the slowest cases)
is printed and written to ``--report`` (JSON).
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

REGIONS = ["柳州市城中区", "柳州市", "广西壮族自治区", "XX县", "某某区", "北京市海淀区", "", "XX市XX区XX街道"]
KINDS = ["法治政府建设实施方案（2021-2025年）", "工作方案", "法治政府建设情况的报告", "实施意见", "", "2022年工作要点"]
UNITS = ["区司法局", "市公安局", "各县(市、区)人民政府", "各县（市、区）党委和人民政府", "区政府各有关部门", "市委编办",
         "县财政局", "区法院", "市应急局", "市场监管局", "区委区政府督察和绩效办", "人民银行XX市中心支行",
         "市人力资源社会保障局", "区级其他具有行政执法权的单位", "各街道", "", "：", "（", "）", "、", "等部门",
         "按职责分工负责", "市中级法院、市检察院", "省", "国务院", "A" * 60, "区" * 40]
LABELS = ["牵头单位", "配合单位", "责任单位", "参加单位", "协办单位", "牵头部门", "责任部门", "牵头", "配合", "负责", ""]
NUMBERS = ["一、", "二、", "十一、", "（一）", "（二）", "(三)", "1．", "2.", "3、", "（1）", "(2)", "12、", "", "99999．",
           "1.1", "第一条", "①", "一是", "1 . ", "1\n．"]
WORDS = ["健全依法决策机制", "推进严格规范公正文明执法", "全面实行政府权责清单制度", "2022年年底前完成", "2023年6月底前",
         "每年", "到2025年", "2025年前", "原则上每两年", "不少于60学时", "每人每年", "。", "；", "，", "\n", "\t", " ",
         "《", "》", "〈广西", "〉", "\x0c", "\ufeff", "　", "ＡＢＣ１２３", "（", "）", "【", "】", "［", "］",
         "第1页", "共3页", "\u200b", "…", "根据《法治政府建设实施纲要（2021-2025年）》", "为贯彻落实", "制定本方案",
         "新收行政复议申请177件", "同比增长12.5%", "约300人次", "\r\n", "𠀀", "=1+1", "<b>", "&amp;"]
# what makes a file unreadable (NUL, a lone surrogate, DEL): in a tenth of the texts only
POISON = ["\x00", "\ud800", "\x7f", "\x01"]


def _annotation(rng: random.Random) -> str:
    def units() -> str:
        return rng.choice(["、", "，", "；", ",", " "]).join(rng.choice(UNITS) for _ in range(rng.randint(0, 5)))

    roles = [f"{rng.choice(LABELS)}{rng.choice(['：', ':', '', '：：', ' ： '])}{units()}" for _ in range(rng.randint(1, 3))]
    form = rng.randrange(6)
    if form == 0:
        return f"（{'；'.join(roles)}）"
    if form == 1:
        return f"［{'；'.join(roles)}］"
    if form == 2:
        return "\n" + "；".join(roles) + "。"
    if form == 3:
        return f"{units()}牵头，{units()}配合。"
    if form == 4:
        return f"（{'；'.join(roles)}"  # never closed
    return "".join(roles)


def plan_text(rng: random.Random) -> str:
    vocab = WORDS + POISON if rng.random() < 0.1 else WORDS
    lines = [rng.choice(REGIONS) + rng.choice(KINDS), ""]
    if rng.random() < 0.6:
        lines.append(f"为贯彻落实《{rng.choice(REGIONS)}{rng.choice(KINDS)}》，制定本方案。")
    for _ in range(rng.randint(0, 120 if rng.random() < 0.95 else 600)):
        r = rng.random()
        words = "".join(rng.choice(vocab) for _ in range(rng.randint(0, 8)))
        if r < 0.55:
            lines.append(rng.choice(NUMBERS) + rng.choice(WORDS[:3]) + words + _annotation(rng))
        elif r < 0.85:
            lines.append(rng.choice(NUMBERS) + words)
        elif r < 0.95:
            lines.append("".join(chr(rng.choice([rng.randrange(0x20, 0x7f), rng.randrange(0x3000, 0xa000)]))
                                 for _ in range(rng.randint(0, 30))))
        elif rng.random() < BIG:
            lines.append(rng.choice(WORDS[:3]) * rng.randint(1, 3000))  # a very long task (up to 30,000 characters)
        else:
            lines.append(rng.choice(WORDS[:3]) * rng.randint(1, 300))  # a long one
    return "\n".join(lines)


SEEDS = sorted((ROOT / "corpus").glob("*.txt"))
BIG = 0.0  # the share of very long lines (--big): the plan parser is quadratic in a task's length (issue 19, 14)


def mutate(rng: random.Random, data: bytes) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(6)
        if not data:
            break
        i = rng.randrange(len(data))
        if op == 0:
            data[i] = rng.randrange(256)
        elif op == 1:
            del data[i:i + rng.randint(1, 5000)]
        elif op == 2:
            data[i:i] = data[rng.randrange(len(data)):][:rng.randint(1, 5000)]
        elif op == 3:
            data = data[:i]
        elif op == 4:
            other = rng.choice(SEEDS).read_bytes()
            j = rng.randrange(len(other))
            data = data[:i] + other[j:j + rng.randint(1, 20000)]
        else:
            data[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 20)))
    return bytes(data)


def make_document(seed: int, k: int) -> tuple[str, bytes]:
    """(file name, bytes) of case ``k`` of run ``seed``."""
    rng = random.Random(f"{seed}-{k}")
    kind = rng.random()
    if kind < 0.45:
        text = plan_text(rng)
        enc = rng.choice(["utf-8", "utf-8", "utf-8", "gb18030", "utf-16", "utf-16-le", "utf-8-sig"])
        return f"case{k}.txt", text.encode(enc, "surrogatepass" if enc.startswith("utf") else "replace")
    if kind < 0.75:
        seed_text = rng.choice(SEEDS).read_bytes()
        r = rng.random()
        if r < 0.2:
            text = seed_text.decode("utf-8", "replace")
            seed_text = text.encode(rng.choice(["gb18030", "utf-16", "utf-16-le", "utf-16-be"]), "replace")
        return f"case{k}.txt", mutate(rng, seed_text) if r > 0.1 else seed_text
    if kind < 0.9:
        import io

        import docx

        document = docx.Document()
        text = plan_text(rng)
        rows = []
        for line in text.split("\n")[:200]:
            if rng.random() < 0.15:
                rows.append([rng.choice(NUMBERS), line[:200], rng.choice(UNITS), rng.choice(UNITS)])
                continue
            if rows:
                table = document.add_table(rows=len(rows) + 1, cols=4)
                for j, h in enumerate(["序号", "工作任务", "牵头单位", "配合单位"]):
                    table.cell(0, j).text = h
                for i, row in enumerate(rows, 1):
                    for j, v in enumerate(row):
                        table.cell(i, j).text = "".join(c for c in v if c.isprintable() and c not in "\ud800\x0c")
                rows = []
            document.add_paragraph("".join(c for c in line if c.isprintable() and c not in "\ud800"))
        buf = io.BytesIO()
        document.save(buf)
        data = buf.getvalue()
        return f"case{k}.docx", mutate(rng, data) if rng.random() < 0.3 else data
    text = plan_text(rng)
    body = "".join(f"<{rng.choice(['p', 'div', 'td', 'li', 'span'])}>{line}" for line in text.split("\n"))
    html = f"<html><head><meta charset='{rng.choice(['utf-8', 'gbk', 'latin-1'])}'></head><body>{body}</body></html>"
    data = html.encode("utf-8", "surrogatepass")
    return f"case{k}.html", mutate(rng, data) if rng.random() < 0.3 else data


def run_case(folder: str, name: str, data: bytes) -> tuple[str, str]:
    """('refused' | 'ok' | 'crash', message) of one document through the pipeline."""
    import pyoxigraph as ox

    import kg.rdf as graph

    from kg.resolve import entities as resolve
    from kg.errors import KgError
    from kg.build.pipeline import parse_source
    from kg.read.files import read_file

    path = os.path.join(folder, name)
    with open(path, "wb") as f:
        f.write(data)
    try:
        try:
            source = read_file(path)
        except KgError as e:
            if "\n" in str(e):
                return "crash", f"a KgError of several lines: {e!r}"
            return "refused", str(e)
        doc = parse_source(source)
        resolve.read(doc, [])
        made = graph.make_document(doc)
        if made is not None:
            n = len(list(ox.parse(made.nq, format=ox.RdfFormat.N_QUADS)))
            if n != made.triples:
                return "crash", f"N-Quads give {n} triples, not {made.triples}"
            ox.parse(graph.TTL_HEAD + made.chunk, format=ox.RdfFormat.TURTLE)
        for t in doc.tasks:
            for u in t.units:
                if not u.text.strip():
                    return "crash", f"an empty unit in task {t.id}"
        return "ok", f"{len(doc.tasks)} tasks"
    except BaseException as e:  # noqa: BLE001 - what the run is looking for
        return "crash", "".join(traceback.format_exception_only(type(e), e)).strip()[:500] + " | " + \
            "".join(traceback.format_tb(e.__traceback__)[-2:]).replace("\n", " ")[:500]
    finally:
        os.unlink(path)


def run_build(folder: str, files: list[tuple[str, bytes]]) -> tuple[str, str]:
    """('ok' | 'refused' | 'crash', message) of a whole build of ``files`` into a folder."""
    import shutil

    from kg.build import pipeline
    from kg.errors import KgError

    src = os.path.join(folder, "src")
    out = os.path.join(folder, "out")
    shutil.rmtree(src, ignore_errors=True)
    os.makedirs(src)
    for name, data in files:
        with open(os.path.join(src, name), "wb") as f:
            f.write(data)
    try:
        res = pipeline.build([src], out, keep_going=True)
        return "ok", f"{len(res.corpus.documents)} documents, {len(res.skipped)} skipped"
    except KgError as e:
        return ("crash" if "\n" in str(e) else "refused"), str(e)
    except BaseException as e:  # noqa: BLE001
        return "crash", "".join(traceback.format_exception(type(e), e, e.__traceback__))[-1200:]
    finally:
        shutil.rmtree(out, ignore_errors=True)


def worker(conn, folder: str) -> None:  # pragma: no cover - in the worker processes
    while True:
        job = conn.recv()
        if job is None:
            return
        k, what, payload = job
        t = time.perf_counter()
        status, msg = run_case(folder, *payload) if what == "doc" else run_build(folder, payload)
        conn.send((k, status, msg, time.perf_counter() - t))


class Pool:
    """Workers fed one case at a time; a case past the time limit is a hang: its worker is killed
    and replaced."""

    def __init__(self, n: int, timeout: float, tmp: str):
        self.timeout, self.tmp, self.slots = timeout, tmp, []
        for i in range(n):
            self.slots.append(self._start(i))

    def _start(self, i: int):
        folder = os.path.join(self.tmp, f"w{i}-{time.monotonic_ns()}")
        os.makedirs(folder)
        ctx = mp.get_context("fork")
        a, b = ctx.Pipe()
        p = ctx.Process(target=worker, args=(b, folder), daemon=True)
        p.start()
        b.close()
        return {"proc": p, "conn": a, "job": None, "since": 0.0, "i": i}

    def run(self, jobs, on_result) -> None:
        jobs = iter(jobs)
        busy = 0
        done = False
        while True:
            for s in self.slots:
                if s["job"] is None and not done:
                    job = next(jobs, None)
                    if job is None:
                        done = True
                        continue
                    s["conn"].send(job)
                    s["job"], s["since"] = job, time.monotonic()
                    busy += 1
            if busy == 0 and done:
                return
            ready = mp.connection.wait([s["conn"] for s in self.slots if s["job"] is not None], timeout=0.5)
            for s in self.slots:
                if s["job"] is None:
                    continue
                if s["conn"] in ready:
                    try:
                        on_result(*s["conn"].recv())
                    except EOFError:  # the worker died (a crash below Python)
                        on_result(s["job"][0], "crash", f"the worker died (exit code {s['proc'].exitcode})",
                                  time.monotonic() - s["since"])
                        self._replace(s)
                    s["job"] = None
                    busy -= 1
                elif time.monotonic() - s["since"] > self.timeout:
                    on_result(s["job"][0], "hang", f"no result after {self.timeout:.0f} s", self.timeout)
                    self._replace(s)
                    s["job"] = None
                    busy -= 1

    def _replace(self, s) -> None:
        s["proc"].kill()
        s["proc"].join()
        fresh = self._start(s["i"])
        s.update(fresh)

    def close(self) -> None:
        for s in self.slots:
            try:
                s["conn"].send(None)
            except OSError:
                pass
            s["proc"].join(5)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--builds", type=int, default=200, help="whole builds of folders of 2-8 cases")
    ap.add_argument("--seed", type=int, default=19)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds after which a case is a hang")
    ap.add_argument("--report", type=Path, default=None)
    ap.add_argument("--only", type=int, default=None, help="run case N alone, in this process, and show it")
    ap.add_argument("--big", type=float, default=0.0,
                    help="share of the long lines made very long (tasks of up to 30,000 characters); default 0")
    a = ap.parse_args()
    global BIG
    BIG = a.big
    os.environ.setdefault("XDG_CACHE_HOME", tempfile.mkdtemp(prefix="kg-fuzz-keys-"))
    if a.only is not None:
        name, data = make_document(a.seed, a.only)
        with tempfile.TemporaryDirectory() as tmp:
            print(name, len(data), "bytes:", *run_case(tmp, name, data))
        return 0

    stats = {"ok": 0, "refused": 0, "crash": 0, "hang": 0}
    crashes, hangs, times = [], [], []
    build_stats = {"ok": 0, "refused": 0, "crash": 0, "hang": 0}
    sizes: dict[int, tuple[str, int]] = {}

    def jobs():
        for k in range(a.docs):
            name, data = make_document(a.seed, k)
            sizes[k] = (name, len(data))
            yield k, "doc", (name, data)

    def on_doc(k, status, msg, seconds):
        stats[status] += 1
        times.append((seconds, k))
        if status == "crash":
            crashes.append({"case": k, "file": sizes[k][0], "error": msg})
        elif status == "hang":
            hangs.append({"case": k, "file": sizes[k][0], "bytes": sizes[k][1]})
        n = sum(stats.values())
        if n % 1000 == 0:
            print(f"  {n} documents: {stats}", flush=True)

    def build_jobs():
        rng = random.Random(a.seed)
        for b in range(a.builds):
            picks = [rng.randrange(a.docs) for _ in range(rng.randint(2, 8))]
            yield 10**9 + b, "build", [make_document(a.seed, k) for k in picks]

    def on_build(k, status, msg, seconds):
        build_stats[status] += 1
        times_b.append((seconds, k - 10**9))
        if status in ("crash", "hang"):
            crashes.append({"build": k - 10**9, "status": status, "error": msg})

    times_b: list = []
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kg-fuzz-") as tmp:
        pool = Pool(a.workers, a.timeout, tmp)
        try:
            pool.run(jobs(), on_doc)
            t1 = time.monotonic()
            pool.run(build_jobs(), on_build)
        finally:
            pool.close()
    t2 = time.monotonic()
    times.sort(reverse=True)
    times_b.sort(reverse=True)
    report = {
        "documents": a.docs, "seed": a.seed, "results": stats, "crashes": crashes, "hangs": hangs,
        "slowest": [{"case": k, "file": sizes[k][0], "bytes": sizes[k][1], "seconds": round(s, 3)} for s, k in times[:5]],
        "median_seconds": round(times[len(times) // 2][0], 4) if times else None,
        "builds": a.builds, "build_results": build_stats,
        "slowest_build_seconds": round(times_b[0][0], 2) if times_b else None,
        "wall_seconds": {"documents": round(t1 - t0, 1), "builds": round(t2 - t1, 1)},
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if a.report:
        a.report.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 1 if crashes or hangs else 0


if __name__ == "__main__":
    sys.exit(main())

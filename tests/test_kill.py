"""kill -9 at random moments of incremental builds of a generated cascade: after every kill the
folder answers as the build before or as the build that was killed (its store, graph.ttl,
manifest and diagnostics all of one of them), no process of the killed build is left, and
the next build ends as a clean build does."""
from __future__ import annotations

import hashlib
import os
import random
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KILLS = 20
FILES = ("graph.ttl", "manifest.json", "diagnostics.json")


def _state(out: Path) -> str:
    """A digest of what a reader of the folder sees: its outputs and every quad of its store."""
    import pyoxigraph as ox

    h = hashlib.sha256()
    for name in FILES:
        h.update((out / name).read_bytes())
    store = ox.Store.read_only(str(out / "store"))
    for q in sorted(str(q) for q in store):
        h.update(q.encode())
    del store
    return h.hexdigest()


def _tagged(tag: str) -> list[int]:
    """The processes whose environment holds ``tag`` (the killed build and whatever it started)."""
    found = []
    needle = f"KG_KILL_TEST={tag}".encode()
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/environ", "rb") as f:
                if needle in f.read().split(b"\0"):
                    with open(f"/proc/{d}/stat") as s:
                        if s.read().split(") ")[-1][0] != "Z":
                            found.append(int(d))
        except OSError:
            continue
    return found


def _edit(text: str, unit: str) -> str:
    """One more unit in the first unit list, one word more in the first task's title."""
    text, n = re.subn(r"(牵头单位|牵头部门|责任单位|配合单位|协办单位)([：:])", rf"\1\2{unit}、", text, count=1)
    text, m = re.subn(r"(?m)^(\s*(?:\d+[.．、]|（\d+）))", r"\1全面", text, count=1)
    assert n + m >= 1
    return text


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find what the build left")
def test_kill_minus_nine_at_random_moments_of_incremental_builds(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate

    from kg.build import pipeline
    src = tmp_path / "cascade"
    generate(8, src)
    files = sorted(src.iterdir())
    a, b = files[2], files[4]  # a city plan (parent of the districts) and a district plan
    original = {p: p.read_text(encoding="utf-8") for p in (a, b)}
    # three versions of the input: as generated; one plan edited (a quick update from either
    # neighbour); both edited (two files changed: the full incremental pass from the first)
    versions = {"A": {a: original[a], b: original[b]},
                "B": {a: _edit(original[a], "省审计厅"), b: original[b]},
                "C": {a: _edit(original[a], "省审计厅"), b: _edit(original[b], "市审计局")}}

    def put(v: str) -> None:
        for p, text in versions[v].items():
            if p.read_text(encoding="utf-8") != text:
                p.write_text(text, encoding="utf-8")

    out = tmp_path / "out"
    put("A")
    pipeline.build([src], out)
    expected = {"A": _state(out)}
    env = dict(os.environ, PYTHONPATH=str(ROOT), KG_WORKERS="2")
    cmd = [sys.executable, "-m", "kg.cli", "build", str(src), "--out", str(out)]

    # each version as an unkilled update makes it, and how long an update takes: a quick update
    # (one file changed) and the full incremental pass (two)
    took = {1: 0.0, 2: 0.0}
    for v, changed in (("C", 2), ("A", 2), ("B", 1), ("A", 1)):
        put(v)
        t = time.monotonic()
        subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=120)
        took[changed] = max(took[changed], time.monotonic() - t)
        assert expected.setdefault(v, _state(out)) == _state(out)
    assert len(set(expected.values())) == 3

    def changes(x: str, y: str) -> int:
        return sum(versions[x][p] != versions[y][p] for p in (a, b))

    rng = random.Random(19)
    state, seen = "A", {"before": 0, "after": 0}
    plan = ["B", "C", "A", "C", "B", "A"]
    for k in range(KILLS):
        target = plan[k % len(plan)]
        if target == state:
            target = "A" if state != "A" else "B"
        put(target)
        tag = uuid.uuid4().hex
        # spread over the whole update, and a little past its end
        delay = took[changes(state, target)] * 1.25 * (k + rng.random()) / KILLS
        proc = subprocess.Popen(cmd, env=dict(env, KG_KILL_TEST=tag), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        left = _tagged(tag)
        for _ in range(100):  # a detached remover of the old folder may still be at work; workers die at once
            if not left:
                break
            time.sleep(0.05)
            left = _tagged(tag)
        assert left == [], f"kill {k} ({delay:.2f} s in) left processes {left}"
        now = _state(out)
        assert now in (expected[state], expected[target]), f"kill {k} ({delay:.2f} s in): a mixed folder"
        if now == expected[target] and expected[target] != expected[state]:
            seen["after"] += 1
            state = target
        else:
            seen["before"] += 1
    assert seen["before"] and seen["after"], seen  # kills fell before and after the switch
    # the next build succeeds, ends as a clean build and leaves nothing beside the folder
    put("C")
    subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=120)
    pipeline.build([src], tmp_path / "clean", incremental=False)
    assert _state(out) == expected["C"] == _state(tmp_path / "clean")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("out.")) == []

"""A build folder is never lost, mixed up or half-written, and runs no code it did not make:
one build at a time, the new state swapped in at once, a damaged store noticed, a full disk
said as such, links out of the folder never written through, a handed-over folder's cache
ignored; workers die with the build; files follow the umask; bad files skipped on request."""
from __future__ import annotations

import errno
import json
import os
import pickle
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.build import pipeline
from kg.errors import KgError

ROOT = Path(__file__).resolve().parent.parent
OUTPUTS = ("graph.ttl", "diagnostics.json", "manifest.json")

PLAN = """柳州市城中区法治政府建设实施方案（2022-2025年）

为贯彻落实《柳州市法治政府建设实施方案（2021-2025年）》，制定本方案。

一、主要任务
1．推进政府机构职能优化。2023年年底前完成清理。（牵头单位：区司法局；配合单位：{support}）
2．深化行政审批制度改革。持续推进改革。（牵头单位：区行政审批局）
"""


def kg_cli(*args, **kw) -> subprocess.CompletedProcess:
    """`kg ARGS` in a fresh process running this checkout's kg."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), **kw.pop("env", {}))
    return subprocess.run([sys.executable, "-m", "kg.cli", *[a if isinstance(a, bytes) else str(a) for a in args]],
                          capture_output=True, env=env, timeout=kw.pop("timeout", 300), **kw)


def plans(folder: Path, n: int = 3) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(n):
        (folder / f"plan{k}.txt").write_text(PLAN.format(support=f"区财政局、区第{k}局"), encoding="utf-8")
    return folder


def snapshot(out: Path) -> dict:
    """What a reader of the folder sees: its output files and its store's quads."""
    import pyoxigraph as ox

    got = {name: (out / name).read_bytes() for name in OUTPUTS}
    got["store"] = sorted(str(q) for q in ox.Store.read_only(str(out / "store")))
    return got


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(out.name + "."))


# ---------------------------------------------------------------------------- concurrent builds

def test_a_second_build_into_a_folder_being_built_fails_at_once(tmp_path):
    from kg.atomic import FolderLock

    src, out = plans(tmp_path / "src"), tmp_path / "out"
    pipeline.build([src], out)
    before = snapshot(out)
    with FolderLock(out):
        with pytest.raises(KgError, match="another build is writing this folder"):
            pipeline.build([src], out, incremental=False)
        r = kg_cli("build", src, "--out", out)
        assert r.returncode == 1
        lines = r.stderr.decode().strip().splitlines()
        assert len(lines) == 1 and "another build is writing this folder" in lines[0], r.stderr
    assert snapshot(out) == before
    pipeline.build([src], out)  # the lock is gone with its holder


def test_builds_started_together_leave_one_consistent_folder(tmp_path):
    """Two builds into one folder at once: each succeeds or says another build is running; the
    folder ends as one whole build (its store holds what its manifest counts)."""
    import pyoxigraph as ox

    src, out = plans(tmp_path / "src", 4), tmp_path / "out"
    procs = [subprocess.Popen([sys.executable, "-m", "kg.cli", "build", str(src), "--out", str(out), "--full"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ, PYTHONPATH=str(ROOT)))
             for _ in range(2)]
    results = [(p.wait(timeout=300), p.stderr.read().decode()) for p in procs]
    assert any(code == 0 for code, _ in results), results
    for code, err in results:
        assert code == 0 or "another build is writing this folder" in err, results
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(ox.Store.read_only(str(out / "store"))) == manifest["counts"]["quads"]
    assert leftovers(out) == []


# ---------------------------------------------------------------------------- a damaged store

@pytest.mark.parametrize("damage", ["truncate an index file", "remove an index file", "garbage in CURRENT"])
def test_a_damaged_store_is_written_again_by_the_next_build(tmp_path, damage):
    src, out = plans(tmp_path / "src"), tmp_path / "out"
    pipeline.build([src], out)
    before = snapshot(out)
    sst = sorted((out / "store").glob("*.sst"), key=lambda p: -p.stat().st_size)[0]
    if damage == "truncate an index file":
        with open(sst, "r+b") as f:
            f.truncate(sst.stat().st_size // 2)
    elif damage == "remove an index file":
        sst.unlink()
    else:
        (out / "store" / "CURRENT").write_bytes(b"MANIFEST-999999\n")
    res = pipeline.build([src], out)  # nothing changed in the input
    assert snapshot(out) == before
    assert any("store is not as the last build left it" in n for n in res.notes), res.notes


# ---------------------------------------------------------------------------- disk full

def _enospc(*a, **k):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_disk_full_into_a_new_folder_leaves_nothing(tmp_path, monkeypatch):
    from kg.build import outputs
    src, out = plans(tmp_path / "src"), tmp_path / "new"
    monkeypatch.setattr(outputs, "dump_json", _enospc)
    with pytest.raises(KgError, match=r"^disk full while writing .*new: free some space") as info:
        pipeline.build([src], out)
    assert "\n" not in str(info.value)
    assert not out.exists() and leftovers(out) == []


def test_disk_full_into_a_built_folder_leaves_it_as_it_was(tmp_path, monkeypatch):
    from kg.build import outputs
    src, out = plans(tmp_path / "src"), tmp_path / "out"
    pipeline.build([src], out)
    before = snapshot(out)
    cache = sorted(str(p.relative_to(out)) for p in (out / "cache").rglob("*"))
    (src / "plan0.txt").write_text(PLAN.format(support="区审计局"), encoding="utf-8")
    monkeypatch.setattr(outputs, "dump_json", _enospc)
    for incremental in (True, False):
        with pytest.raises(KgError, match="disk full while writing"):
            pipeline.build([src], out, incremental=incremental)
        assert snapshot(out) == before and leftovers(out) == []
        assert sorted(str(p.relative_to(out)) for p in (out / "cache").rglob("*")) == cache
    monkeypatch.undo()
    pipeline.build([src], out)
    assert snapshot(out) != before


def test_disk_full_on_a_real_small_disk(tmp_path, corpus_dir):
    """On a 3 MB tmpfs (needs root; skipped elsewhere): one line, nothing left on the disk."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(disk)],
                                           capture_output=True).returncode != 0:
        pytest.skip("mounting a small tmpfs needs root (CAP_SYS_ADMIN)")
    try:
        r = kg_cli("build", corpus_dir, "--out", disk / "out")
        err = r.stderr.decode().strip().splitlines()
        assert r.returncode == 1 and len(err) == 1, r.stderr
        assert err[0].startswith("error: disk full while writing"), err
        assert sorted(os.listdir(disk)) == []
    finally:
        subprocess.run(["umount", str(disk)], check=False)


# ---------------------------------------------------------------------------- symbolic links

def test_links_out_of_the_folder_are_never_written_or_deleted_through(tmp_path):
    src, out = plans(tmp_path / "src"), tmp_path / "out"
    pipeline.build([src], out)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "thesis.docx").write_bytes(b"years of work")
    (elsewhere / "0123456789abcdef0123456789abcdef.pkl").write_bytes(b"not a cache file")
    shutil.rmtree(out / "cache" / "docs")
    os.symlink(elsewhere, out / "cache" / "docs")
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    os.symlink(tmp_path / "notes.txt", out / "my-notes.txt")  # a user's own link in the folder
    (src / "plan0.txt").write_text(PLAN.format(support="区审计局"), encoding="utf-8")
    pipeline.build([src], out)
    assert sorted(p.name for p in elsewhere.iterdir()) == ["0123456789abcdef0123456789abcdef.pkl", "thesis.docx"]
    assert (elsewhere / "thesis.docx").read_bytes() == b"years of work"
    assert (out / "cache" / "docs").is_dir() and not (out / "cache" / "docs").is_symlink()
    assert (out / "my-notes.txt").is_symlink() and (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"
    clean = tmp_path / "clean"
    pipeline.build([src], clean, incremental=False)
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (clean / name).read_bytes()


def test_a_folder_given_as_a_link_is_built_where_it_points(tmp_path):
    src, real = plans(tmp_path / "src"), tmp_path / "real"
    pipeline.build([src], real)
    os.symlink(real, tmp_path / "out")
    pipeline.build([src], tmp_path / "out", incremental=False)
    assert (tmp_path / "out").is_symlink() and (real / "manifest.json").is_file()


def test_a_users_files_in_the_folder_are_kept(tmp_path):
    src, out = plans(tmp_path / "src"), tmp_path / "out"
    pipeline.build([src], out)
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "mine").mkdir()
    (out / "mine" / "a.csv").write_text("a,b", encoding="utf-8")
    (src / "plan0.txt").write_text(PLAN.format(support="区审计局"), encoding="utf-8")
    for incremental in (True, False):
        pipeline.build([src], out, incremental=incremental)
        assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
        assert (out / "mine" / "a.csv").read_text(encoding="utf-8") == "a,b"


# ---------------------------------------------------------------------------- a handed-over folder

class _Evil:
    """A pickle that runs code when loaded (what a crafted cache file would be)."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_handed_over_folder_runs_no_code_and_its_cache_is_not_used(tmp_path, monkeypatch):
    src, out = plans(tmp_path / "src"), tmp_path / "out"
    pipeline.build([src], out)
    marker = tmp_path / "pwned"
    evil = pickle.dumps(_Evil(marker))
    cache = out / "cache"
    for p in [cache / "corpus.pkl", cache / "align.pkl", *cache.glob("docs/*.pkl"), *cache.glob("parts/*.pkl")]:
        # as written by an attacker: a bare pickle, or one behind a seal made with another key
        p.write_bytes(evil if p.name != "align.pkl" else b"DGSEAL1 " + b"0" * 64 + b"\n" + evil)
    # the colleague who receives it has no key for this folder
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "colleague"))
    res = pipeline.build([src], out)
    assert not marker.exists()
    assert res.parsed == 3 and res.reused == 0
    assert any("not sealed with this folder's key" in n for n in getattr(res, "notes", [])), res
    clean = tmp_path / "clean"
    pipeline.build([src], clean, incremental=False)
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (clean / name).read_bytes(), name
    # the folder is the colleague's now: the next build reuses what this one made
    again = pipeline.build([src], out)
    assert (again.parsed, again.notes) == (0, [])
    assert not marker.exists()


def test_a_changed_cache_file_is_ignored_with_a_note(tmp_path):
    src, out = plans(tmp_path / "src"), tmp_path / "out"
    pipeline.build([src], out)
    for doc in (out / "cache" / "docs").glob("*.pkl"):
        data = bytearray(doc.read_bytes())
        data[-5] ^= 0xFF
        doc.write_bytes(bytes(data))
    (src / "plan1.txt").write_text(PLAN.format(support="区审计局"), encoding="utf-8")
    res = pipeline.build([src], out)
    assert any("not sealed" in n for n in res.notes), res.notes
    clean = tmp_path / "clean"
    pipeline.build([src], clean, incremental=False)
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (clean / name).read_bytes(), name


# ---------------------------------------------------------------------------- file modes

@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_files_follow_the_umask(tmp_path, umask, mode):
    from kg.atomic import write_atomic

    src, out = plans(tmp_path / "src"), tmp_path / "out"
    old = os.umask(umask)
    try:
        pipeline.build([src], out)
        r = kg_cli("export", "--graph", out, "--format", "csv", "--out", tmp_path / "t.csv")
        assert r.returncode == 0, r.stderr
        write_atomic(tmp_path / "x.bin", b"x")
    finally:
        os.umask(old)
    files = [out / "graph.ttl", out / "manifest.json", out / "cache" / "index.json", out / "cache" / "align.pkl",
             *(out / "cache" / "docs").glob("*.pkl"), tmp_path / "x.bin"]
    assert {oct(stat.S_IMODE(p.stat().st_mode)) for p in files} == {oct(mode)}
    assert stat.S_IMODE(out.stat().st_mode) == 0o777 & ~umask


def test_export_file_is_not_private(tmp_path):
    """Under the usual umask (022) an export is 0644, like graph.ttl (it was 0600)."""
    src, out = plans(tmp_path / "src"), tmp_path / "out"
    old = os.umask(0o022)
    try:
        pipeline.build([src], out)
        assert kg_cli("export", "--graph", out, "--format", "csv", "--out", tmp_path / "t.csv").returncode == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "t.csv").stat().st_mode) == 0o644


# ---------------------------------------------------------------------------- workers

WORKER_SCRIPT = r"""
import os, sys, time
sys.path.insert(0, sys.argv[1])
from kg.build import parallel
pids = sys.argv[2]

def slow(x):
    with open(pids, "a") as f:
        f.write(f"{os.getpid()}\n")
    time.sleep(0.05)
    return b"x" * 400_000  # a few of these fill the pipe

parallel.pmap(slow, list(range(400)), 2)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[-1][0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_die_with_a_build_killed_during_the_parallel_parse(tmp_path):
    script, pids = tmp_path / "w.py", tmp_path / "pids"
    script.write_text(WORKER_SCRIPT, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script), str(ROOT), str(pids)])
    try:
        for _ in range(600):
            if pids.exists() and len({x for x in pids.read_text().split()} - {str(proc.pid)}) >= 1:
                break
            time.sleep(0.01)
        time.sleep(0.5)  # the worker's pipe fills meanwhile: the parent reads one chunk at a time
    finally:
        proc.kill()
        proc.wait()
    workers = {int(x) for x in pids.read_text().split()} - {proc.pid}
    assert workers
    for _ in range(300):
        if not any(_alive(p) for p in workers):
            break
        time.sleep(0.01)
    left = [p for p in workers if _alive(p)]
    for p in left:
        os.kill(p, signal.SIGKILL)
    assert left == [], "a worker outlived the build that forked it"


# ---------------------------------------------------------------------------- --keep-going

def test_keep_going_builds_the_good_files_and_names_the_bad(tmp_path):
    src, out = plans(tmp_path / "src"), tmp_path / "out"
    (src / "broken.docx").write_bytes(b"PK\x03\x04 truncated")
    (src / "empty.txt").write_bytes(b"")
    r = kg_cli("build", src, "--out", out)  # the strict default: nothing is built
    assert r.returncode == 1 and "broken.docx" in r.stderr.decode() and not out.exists()
    r = kg_cli("build", src, "--out", out, "--keep-going")
    err = r.stderr.decode().strip().splitlines()
    assert r.returncode == 3, r.stderr
    assert [x.split(":")[0] for x in err[:2]] == ["skipped", "skipped"]
    assert "broken.docx: not a valid .docx" in err[0] and "empty.txt: empty file" in err[1]
    assert err[2] == "2 files were left out; the graph holds the other 3"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [i["file"] for i in manifest["inputs"]] == ["plan0.txt", "plan1.txt", "plan2.txt"]
    res = pipeline.build([src], out, keep_going=True)  # again, incrementally
    assert [s.name for s in res.skipped] == ["broken.docx", "empty.txt"] and res.reused == 3
    with pytest.raises(KgError, match="empty file"):
        pipeline.build([src / "empty.txt"], tmp_path / "none", keep_going=True)

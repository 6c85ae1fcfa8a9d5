"""Incremental builds: a rebuild after one document changed reparses only that document, rewrites
only its named graph, the graphs of links and organisations that changed with it, and the corpus
graph, and ends byte for byte where a clean build of the same input ends. Also: parallel and serial parsing give the same records."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from kg.build import pipeline
from kg.build.cache import DocCache

DGR = "https://w3id.org/dutygraph/id/"
OUTPUTS = ("graph.ttl", "diagnostics.json", "manifest.json")


def quads_by_graph(out: Path) -> dict[str, set[str]]:
    import pyoxigraph as ox

    store = ox.Store.read_only(str(out / "store"))
    graphs: dict[str, set[str]] = {}
    for q in store:
        graphs.setdefault(str(q.graph_name), set()).add(str(q))
    return graphs


@pytest.fixture()
def corpus_copy(tmp_path, corpus_dir) -> Path:
    dst = tmp_path / "corpus"
    shutil.copytree(corpus_dir, dst)
    for p in dst.iterdir():
        p.chmod(0o644)
    return dst


def edit_000(corpus: Path) -> Path:
    """Change task 1's title in seed 000 (it aligns with its parent 001) and one lead unit of task 2."""
    path = next(corpus.glob("000_*"))
    text = path.read_text(encoding="utf-8")
    assert text.count("全面实行政府权责清单制度") >= 1
    text = text.replace("全面实行政府权责清单制度", "全面推行政府权责清单管理制度", 1)
    path.write_text(text, encoding="utf-8")
    return path


def test_rebuild_after_one_change_equals_clean_build(corpus_copy, tmp_path):
    out = tmp_path / "out"
    first = pipeline.build([corpus_copy], out)
    assert first.parsed == 5 and first.reused == 0
    before = quads_by_graph(out)

    # nothing changed: nothing is parsed, every output stays as it was
    ttl = (out / "graph.ttl").read_bytes()
    again = pipeline.build([corpus_copy], out)
    assert again.parsed == 0 and again.reused == 5
    assert again.changed_graphs == []
    assert (out / "graph.ttl").read_bytes() == ttl

    edited = edit_000(corpus_copy)
    doc_id = next(d.id for d in first.corpus.documents if d.source.name == edited.name)
    inc = pipeline.build([corpus_copy], out)
    assert inc.parsed == 1 and inc.reused == 4
    # the document's graph, links (evidence of the reports points into it), organisations, the run
    links_or_orgs = (f"{DGR}graph/links/", f"{DGR}graph/orgs/")
    assert f"{DGR}graph/{doc_id}" in inc.changed_graphs
    assert all(g in (f"{DGR}graph/{doc_id}", f"{DGR}graph/corpus") or g.startswith(links_or_orgs)
               for g in inc.changed_graphs), inc.changed_graphs
    assert len(inc.changed_graphs) < len(quads_by_graph(out))

    after = quads_by_graph(out)
    for g in set(before) | set(after):
        if g[1:-1] not in inc.changed_graphs:
            assert before.get(g) == after.get(g), f"{g} changed though it was not rewritten"
        if g[1:-1].startswith(f"{DGR}graph/") and not g[1:-1].startswith(links_or_orgs) \
                and g not in (f"<{DGR}graph/{doc_id}>", f"<{DGR}graph/corpus>"):
            assert before.get(g) == after.get(g), f"{g} changed though its document did not"
    assert before[f"<{DGR}graph/{doc_id}>"] != after[f"<{DGR}graph/{doc_id}>"]

    clean = tmp_path / "clean"
    pipeline.build([corpus_copy], clean, incremental=False)
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (clean / name).read_bytes(), f"{name} differs from a clean build"
    assert quads_by_graph(out) == quads_by_graph(clean)


def test_unchanged_documents_are_not_made_again(corpus_copy, tmp_path, monkeypatch):
    """A rebuild makes the triples of the changed document only: the graphs of the others are
    known unchanged from their records' fingerprints, and their Turtle is copied."""
    from kg.rdf import graphs as graph
    out = tmp_path / "out"
    first = pipeline.build([corpus_copy], out)
    edited = edit_000(corpus_copy)
    made = []
    real = graph.document_quads
    monkeypatch.setattr(graph, "document_quads", lambda b, doc: made.append(doc.source.name) or real(b, doc))
    pipeline.build([corpus_copy], out)
    assert made == [edited.name]
    assert len(first.corpus.documents) == 5
    clean = tmp_path / "clean"
    pipeline.build([corpus_copy], clean, incremental=False)
    assert (out / "graph.ttl").read_bytes() == (clean / "graph.ttl").read_bytes()


def test_removed_document_leaves_the_store(corpus_copy, tmp_path):
    out = tmp_path / "out"
    first = pipeline.build([corpus_copy], out)
    gone = next(corpus_copy.glob("004_*"))
    doc_id = next(d.id for d in first.corpus.documents if d.source.name == gone.name)
    gone.unlink()
    pipeline.build([corpus_copy], out)
    assert f"<{DGR}graph/{doc_id}>" not in quads_by_graph(out)
    clean = tmp_path / "clean"
    pipeline.build([corpus_copy], clean, incremental=False)
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (clean / name).read_bytes(), f"{name} differs from a clean build"
    assert quads_by_graph(out) == quads_by_graph(clean)


def test_changed_parser_code_invalidates_the_cache(corpus_copy, tmp_path, monkeypatch):
    out = tmp_path / "out"
    pipeline.build([corpus_copy], out)
    from kg.build import cache
    monkeypatch.setattr(cache, "parse_fingerprint", lambda: "another parser")
    assert DocCache(out).index == {}


def test_parallel_parse_equals_serial(tmp_path, corpus_dir, monkeypatch):
    # eight copies of the seeds under other names: enough files for two workers
    src = tmp_path / "many"
    src.mkdir()
    for k in range(2):
        for p in sorted(corpus_dir.iterdir()):
            shutil.copy(p, src / f"{k}{p.name}")
    monkeypatch.setenv("KG_WORKERS", "1")
    serial = pipeline.parse_paths([src])
    monkeypatch.setenv("KG_WORKERS", "2")
    parallel = pipeline.parse_paths([src])
    assert [d.source.name for d in parallel] == sorted(p.name for p in src.iterdir())
    assert parallel == serial


def test_parallel_build_equals_serial(tmp_path, monkeypatch):
    """Parse and alignment in two processes write the same bytes as in one (a small generated
    cascade: national, province, city and district plans naming their parents)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from generate import generate

    src = tmp_path / "cascade"
    generate(6, src)
    outs = {}
    for n in ("1", "2"):
        monkeypatch.setenv("KG_WORKERS", n)
        outs[n] = tmp_path / f"out{n}"
        res = pipeline.build([src], outs[n])
    assert len({a.child.split("#")[0] for a in res.corpus.alignments}) >= 3, "several plans align with parents"
    for name in OUTPUTS:
        assert (outs["1"] / name).read_bytes() == (outs["2"] / name).read_bytes(), name


def test_a_document_graph_is_made_from_the_document_alone(corpus_dir, tmp_path):
    """Each document's own graph in graph.ttl is what kg.rdf.graphs.make_document gives for that
    document parsed alone; what its named parents resolved to sits in its links graph."""
    import json

    import pyoxigraph as ox

    import kg.rdf as graph
    from kg.resolve.entities import read

    out = tmp_path / "out"
    pipeline.build([corpus_dir], out)
    from kg.build.cache import Seal

    state = json.loads(bytes(Seal(out / "cache").read("graphs.json")))["graphs"]
    ttl = (out / "graph.ttl").read_bytes()
    for path in sorted(corpus_dir.iterdir()):
        doc = pipeline.parse_file(str(path))
        read(doc, [])
        made = graph.make_document(doc)
        digest, offset, length, _fp, n = state[graph.graph_iri(doc.id)]
        assert (made.digest, made.triples, made.chunk) == (digest, n, ttl[offset:offset + length])
    store = ox.Store.read_only(str(out / "store"))
    d000 = next(d for d in pipeline.parse_paths([corpus_dir]) if d.source.name.startswith("000_"))
    based_on = ox.NamedNode("http://data.europa.eu/eli/ontology#based_on")
    where = {str(q.graph_name) for q in store.quads_for_pattern(ox.NamedNode(graph.doc_iri(d000.id)), based_on, None, None)}
    assert where == {f"<{graph.links_graph_iri(d000.id)}>"}



def _cascade(tmp_path, n: int) -> Path:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from generate import generate

    src = tmp_path / "cascade"
    generate(n, src)
    return src


def _edit_plan(path: Path, unit: str) -> None:
    """The first task gets another title and ``unit`` joins the first unit list (lead or
    responsible units: the generator writes several layouts)."""
    import re

    text = path.read_text(encoding="utf-8")
    text, n_task = re.subn(r"(?m)^(\s*(?:\d+[.．、]|（\d+）))", r"\1全面", text, count=1)
    text, n_unit = re.subn(r"(牵头单位|牵头部门|责任单位)([：:])", rf"\1\2{unit}、", text, count=1)
    assert n_task == n_unit == 1, path.name
    path.write_text(text, encoding="utf-8")


def test_quick_update_equals_clean_build_and_loads_few_documents(tmp_path, monkeypatch):
    """With few files changed, a build does not load the unchanged documents (kg.build.quick.
    quick_build): a city plan edited (its children align with it), a district plan edited (a new
    lead unit), a plan added, a plan removed. After each, the outputs and the store equal a clean
    build's, and most documents' records were never loaded."""
    from kg.build import quick as incremental
    from kg.build.stubs import Stub

    src = _cascade(tmp_path, 40)
    out = tmp_path / "out"
    first = pipeline.build([src], out)
    n = first.parsed
    assert n == 40 and (out / incremental.QUICK).is_file()
    loads: list[str] = []
    real_load = DocCache.load
    monkeypatch.setattr(DocCache, "load", lambda self, key: loads.append(key) or real_load(self, key))
    quick: list[bool] = []
    real_quick = incremental.quick_build
    monkeypatch.setattr(incremental, "quick_build", lambda *a, **k: quick.append(True) or real_quick(*a, **k))
    files = sorted(src.iterdir())
    city = next(p for p in files if p.name.endswith("_city.txt"))
    district = [p for p in files if p.name.endswith("_district.txt")]

    def add():
        shutil.copy(district[0], src / "00020a_district.txt")
        _edit_plan(src / "00020a_district.txt", "区审计局")

    steps = [("city", lambda: _edit_plan(city, "市科技局"), 1, n - 1),
             ("district", lambda: _edit_plan(district[1], "区科技局"), 1, n - 1),
             ("added", add, 1, n),
             ("removed", lambda: district[2].unlink(), 0, n)]
    for name, change, parsed, reused in steps:
        loads.clear()
        change()
        res = pipeline.build([src], out)
        assert (res.parsed, res.reused) == (parsed, reused), name
        # records loaded: the readings of the documents in the changed parts of the organisations
        # (here one province: most of the corpus), the documents of the pairs to align again
        loaded = [d.id for d in res.corpus.documents if isinstance(d, Stub) and "full" in d.__dict__]
        assert len(loaded) <= 10, (name, loaded)
        assert res.changed_graphs and len(res.changed_graphs) < n, name
        clean = tmp_path / f"clean-{name}"
        pipeline.build([src], clean, incremental=False)
        for f in OUTPUTS:
            assert (out / f).read_bytes() == (clean / f).read_bytes(), (name, f)
        assert quads_by_graph(out) == quads_by_graph(clean), name
        # the organisations of every part are there, loaded on use
        assert len(res.corpus.organisations) == len(pipeline.build([src]).corpus.organisations)
    assert quick == [True] * len(steps)


def test_many_changes_or_other_overrides_take_the_full_pass(corpus_copy, tmp_path):
    """The quick update applies to few changes: two of the five bundled files changed, or another
    override file, and the build reads every file again (the outputs still equal a clean build)."""
    out = tmp_path / "out"
    pipeline.build([corpus_copy], out)
    for p in sorted(corpus_copy.iterdir())[:2]:
        p.write_text(p.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    res = pipeline.build([corpus_copy], out)
    assert (res.parsed, res.reused) == (2, 3)  # the full pass, with the document cache
    rules = tmp_path / "rules.yaml"
    rules.write_text("units:\n  - name: 区政管办\n    same_as: 柳州市城中区政务服务管理办公室\n", encoding="utf-8")
    res = pipeline.build([corpus_copy], out, overrides=rules)
    assert res.parsed == 5  # other rules: other org ids, every document read again
    clean = tmp_path / "clean"
    pipeline.build([corpus_copy], clean, overrides=rules, incremental=False)
    for f in OUTPUTS:
        assert (out / f).read_bytes() == (clean / f).read_bytes(), f


def test_background_chunks_write_in_order_and_raise_in_the_caller(tmp_path):
    """graph.ttl's writer thread: copies of the previous file and new bytes land in the order
    given; a copy past the end of the previous file is a KgError raised by finish(), not lost in
    the thread; cancel() abandons what is queued."""
    from kg.errors import KgError
    from kg.build.sink import BackgroundChunks

    prev = tmp_path / "prev"
    prev.write_bytes(b"0123456789")
    with open(prev, "rb") as src, open(tmp_path / "new", "wb") as dst:
        w = BackgroundChunks(dst, src)
        w.copy(2, 3)
        w.write(b"-ab-")
        w.copy(0, 2)
        w.finish()
    assert (tmp_path / "new").read_bytes() == b"234-ab-01"
    with open(prev, "rb") as src, open(tmp_path / "bad", "wb") as dst:
        w = BackgroundChunks(dst, src)
        w.copy(8, 5)
        with pytest.raises(KgError, match="shorter than its state says"):
            w.finish()
    with open(prev, "rb") as src, open(tmp_path / "gone", "wb") as dst:
        w = BackgroundChunks(dst, src)
        w.cancel()
    assert (tmp_path / "gone").read_bytes() == b""


def test_remove_later_drops_files_and_folders_in_a_detached_process(tmp_path):
    """What a build leaves to remove (the old folder its stage replaced) goes without the build
    waiting: a detached process removes it."""
    import time

    from kg.atomic import remove_later

    old = tmp_path / "out.tmp-1"
    (old / "store").mkdir(parents=True)
    (old / "store" / "1.sst").write_bytes(b"old")
    (old / "graph.ttl").write_bytes(b"old")
    (tmp_path / "keep").write_bytes(b"kept")
    remove_later([old, None, tmp_path / "gone-already"])
    for _ in range(500):
        if not old.exists():
            break
        time.sleep(0.01)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep"]


def _pid_and(x):
    import os

    from kg.build import parallel
    return os.getpid(), parallel.shared()[x]


def _boom(x):
    raise ValueError(f"bad {x}")


def test_parallel_start_runs_in_a_forked_process_and_raises_in_the_caller(monkeypatch):
    """kg.build.parallel.start: results in input order, the shared data seen by the child, errors
    raised when the results are asked for; with KG_WORKERS=1, run in this process."""
    import os

    from kg.build import parallel
    got = parallel.start(_pid_and, [1, 0], shared=["a", "b"])()
    assert [v for _, v in got] == ["b", "a"] and {p for p, _ in got} != {os.getpid()}
    assert parallel.shared() is None
    run = parallel.start(_boom, [3])
    with pytest.raises(ValueError, match="bad 3"):
        run()
    monkeypatch.setenv("KG_WORKERS", "1")
    assert parallel.start(_pid_and, [0], shared=["c"])() == [(os.getpid(), "c")]


_PARENT = os.getpid()


def _slow_pid_and(x):
    import time

    time.sleep(0.002)  # both processes get chunks
    return _pid_and(x)


def _fail_at(x):
    """Fails on items 7 and 30; 30 fails at once, 7 after a while, so that the later item
    is met first whichever process works on it."""
    import time

    if x == 30:
        raise ValueError("bad 30")
    if x == 7:
        time.sleep(0.3)
        raise ValueError("bad 7")
    return x


class _Unpicklable(Exception):
    def __reduce__(self):
        raise TypeError("cannot pickle")


def _fail_unpicklably(x):
    import os

    if os.getpid() != _PARENT:
        raise _Unpicklable("deep trouble")
    import time

    time.sleep(0.01)
    return x


def _die_in_child(x):
    import os

    if os.getpid() != _PARENT:
        os._exit(3)
    import time

    time.sleep(0.01)
    return x


def test_pmap_shares_the_work_with_this_process_and_keeps_the_order():
    """kg.build.parallel.pmap on two processes: this one works too (the worker's results are
    received while it does), every item once, in input order, the shared data seen by both."""
    from kg.build import parallel
    items = list(range(200))
    got = parallel.pmap(_slow_pid_and, items, 2, shared=[f"v{i}" for i in items])
    assert [v for _, v in got] == [f"v{i}" for i in items]
    pids = {p for p, _ in got}
    assert os.getpid() in pids and len(pids) == 2
    assert parallel.shared() is None


def test_pmap_raises_the_first_failing_item_in_input_order():
    from kg.build import parallel
    for _ in range(3):
        with pytest.raises(ValueError, match="bad 7"):
            parallel.pmap(_fail_at, list(range(40)), 2)


def test_pmap_reports_a_worker_that_died_or_failed_unpicklably(monkeypatch):
    from kg.build import parallel
    from kg.errors import KgError

    monkeypatch.setattr(parallel, "CHUNK", 1)
    with pytest.raises(KgError, match="worker process stopped.*exit code 3.*KG_WORKERS=1"):
        parallel.pmap(_die_in_child, list(range(40)), 2)
    with pytest.raises(RuntimeError, match="_Unpicklable: deep trouble"):
        parallel.pmap(_fail_unpicklably, list(range(40)), 2)


def test_a_parsed_file_is_pickled_once_for_the_cache_and_the_way_back_from_a_worker(tmp_path, corpus_dir, monkeypatch):
    """pipeline.parse_read writes the document's cache file where it runs (a parse worker), and
    the Parsed it returns travels to the parent as those same bytes: one pickling, not two."""
    import pickle

    from kg.build import parallel
    from kg.build.cache import DocCache

    made = []
    dumps = DocCache.dumps
    monkeypatch.setattr(DocCache, "dumps", staticmethod(lambda d, r: made.append(d.id) or dumps(d, r)))
    cache = DocCache(tmp_path / "out")
    path = str(corpus_dir / "000_b7f676789088e75d.txt")
    [parsed] = parallel.pmap(pipeline.parse_read, [path], 1, shared=([], cache))
    doc, reading = parsed
    key = cache.source_key(doc.source)
    assert cache.file(key).is_file()
    assert bytes(cache.seal.read(f"docs/{key}.pkl")) == parsed.blob()  # the file: its seal, then the blob
    sent = pickle.dumps(parsed)
    assert len(made) == 1 and len(sent) < len(parsed.blob()) + 200
    back = pickle.loads(sent)
    assert back.doc == doc and back.reading == reading and len(doc.tasks) == 47
    assert cache.load(key) == (doc, reading)


FINGERPRINT_SCRIPT = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from kg.build import pipeline
pipeline.build([sys.argv[2]], sys.argv[3])
print(json.dumps(sorted(m.__file__ for n, m in sys.modules.items()
                        if (n == "kg" or n.startswith("kg.")) and getattr(m, "__file__", None))))
"""


def test_every_module_a_build_runs_is_in_a_stage_fingerprint(tmp_path, corpus_dir):
    """The kg modules loaded by a build (collected in a fresh process) are each in a stage's code
    fingerprint (kg.fingerprints): changing any of them (sections, pages, figures, themes …: an upgrade) gives
    another fingerprint, so no cached document or graph of the old code is served."""
    import importlib.util
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    script = tmp_path / "run.py"
    script.write_text(FINGERPRINT_SCRIPT, encoding="utf-8")
    r = subprocess.run([sys.executable, str(script), str(root), str(corpus_dir), str(tmp_path / "out")],
                       capture_output=True, text=True, timeout=300)
    loaded = [Path(f).resolve() for f in json.loads(r.stdout.splitlines()[-1])]
    pkg = (root / "kg").resolve()
    rel = sorted(str(f.relative_to(pkg)) for f in loaded)
    assert {"parse/sections.py", "parse/pages.py", "parse/figures.py", "parse/themes.py", "parse/plan.py"} <= set(rel), rel
    # a copy of the package whose files can be changed: the stages' fingerprints of the copy
    from kg import fingerprints

    copy = tmp_path / "copy" / "kg"
    shutil.copytree(pkg, copy, ignore=shutil.ignore_patterns("__pycache__"))

    def prints():
        return {s: fingerprints.fingerprint(s, copy) for s in fingerprints.STAGES}

    base = prints()
    for name in rel:
        f = copy / name
        before = f.read_bytes()
        f.write_bytes(before + b"\n# changed\n")
        now = prints()
        assert any(now[s] != base[s] for s in base), f"{name} runs in a build but is in no stage's fingerprint"
        f.write_bytes(before)
    data = copy / "data" / "units.dict"
    data.write_bytes(data.read_bytes() + "\n新单位 10 nt\n".encode())
    assert all(v != base[s] for s, v in prints().items())


def _package_copy(tmp_path):
    import kg

    copy = tmp_path / "copy" / "kg"
    shutil.copytree(Path(kg.__file__).resolve().parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_an_edit_to_any_parse_stage_module_changes_the_parse_fingerprint(tmp_path):
    from kg import fingerprints

    copy = _package_copy(tmp_path)
    base = fingerprints.fingerprint("parse", copy)
    files = sorted(p for d in ("read", "parse") for p in (copy / d).rglob("*.py") if "__pycache__" not in p.parts)
    assert len(files) > 10
    for f in files + [copy / "model.py", copy / "vocab.py"]:
        before = f.read_bytes()
        f.write_bytes(before + b"\n# changed\n")
        assert fingerprints.fingerprint("parse", copy) != base, f"{f.relative_to(copy)} is not in the parse fingerprint"
        f.write_bytes(before)
    assert fingerprints.fingerprint("parse", copy) == base


def test_an_edit_to_the_views_or_queries_leaves_the_parse_fingerprint_alone(tmp_path):
    from kg import fingerprints

    copy = _package_copy(tmp_path)
    base = {s: fingerprints.fingerprint(s, copy) for s in ("parse", "graph")}
    for f in sorted((copy / "viz").rglob("*.py")):
        f.write_bytes(f.read_bytes() + b"\n# changed\n")
    assert fingerprints.fingerprint("parse", copy) == base["parse"]
    assert fingerprints.fingerprint("graph", copy) == base["graph"]


def _ast_imports(name, path, known):
    """What ast finds a module to import (the reference kg.fingerprints.imports is checked against)."""
    import ast

    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_bytes())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            for a in node.names:
                found.add(f"{base}.{a.name}" if f"{base}.{a.name}" in known else base)
    out = set()
    for m in found:
        while m and m not in known:
            m = m.rpartition(".")[0]
        if m.startswith("kg"):
            out.add(m)
    return out


def test_the_import_scan_finds_what_ast_finds(tmp_path):
    """kg.fingerprints.imports reads imports with a regular expression; on every module of the
    package it finds what ast finds, and more only where a string holds an import statement
    (kg.build.loader's child command); on a module written with every form of import, the same."""
    import ast

    from kg import fingerprints

    known = fingerprints.modules()
    assert len(known) > 100
    for name, path in known.items():
        found, real = fingerprints.imports(name, path, known), _ast_imports(name, path, known)
        assert real <= found, name
        strings = " ".join(n.value for n in ast.walk(ast.parse(path.read_bytes()))
                           if isinstance(n, ast.Constant) and isinstance(n.value, str))
        assert all(f"import {m}" in strings or f"from {m} import" in strings for m in found - real), name
    copy = _package_copy(tmp_path)
    odd = copy / "parse" / "odd.py"
    odd.write_text("import os, kg.model as m\n"
                   "from kg.parse import (dates,  # a comment\n    titles)\n"
                   "from . import pages; import kg.vocab\n"
                   "from .. import errors\n"
                   "from kg.read.files \\\n    import list_documents\n"
                   "def f():\n    from kg.link.align import link\n"
                   "if True: import kg.identity\n", encoding="utf-8")
    known = fingerprints.modules(copy)
    found = fingerprints.imports("kg.parse.odd", odd, known)
    assert found == _ast_imports("kg.parse.odd", odd, known)
    assert found == {"kg.model", "kg.parse.dates", "kg.parse.titles", "kg.parse.pages", "kg.vocab", "kg.errors",
                     "kg.read.files", "kg.link.align", "kg.identity"}

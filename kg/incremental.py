"""Write a build directory incrementally: replace only the named graphs whose triples changed.

A build into a directory that already holds one (manifest.json, store/, graph.ttl and, in
cache/graphs.json, the digest of every named graph with the place of its chunk in graph.ttl)
does not rebuild the store. It streams the graphs again (kg.graph.emit) and, for each graph
whose digest differs (a changed document, the links that point into it, the organisations of
its region, the corpus graph), removes the old graph from the store and loads the new one;
graphs that are gone (a removed document) are removed. graph.ttl is rewritten by copying the
Turtle of unchanged graphs from the previous file; it, diagnostics.json and manifest.json go
through a temp file and a rename, so the directory ends byte for byte where a clean build ends.

The state file is deleted before the store is touched and written back after, so an
interrupted update leaves a directory that the next build rewrites in full.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Optional

STATE = Path("cache") / "graphs.json"
FORMAT = 3  # the state file's layout: {"format": 3, "graphs": {iri: [sha256, offset, length, fingerprint, triples]}}


def _load_state(out: Path) -> Optional[dict[str, list]]:
    """The previous build's per-graph state, when it matches the directory's graph.ttl."""
    try:
        if not ((out / "manifest.json").is_file() and (out / "store").is_dir()):
            return None
        data = json.loads((out / STATE).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            return None
        graphs = data["graphs"]
        end = max((v[1] + v[2] for v in graphs.values()), default=0)
        if end != (out / "graph.ttl").stat().st_size:
            return None
        return graphs
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _save_state(out: Path, state: dict[str, list]) -> None:
    from kg.atomic import write_atomic

    data = {"format": FORMAT, "graphs": dict(sorted(state.items()))}
    write_atomic(out / STATE, json.dumps(data, separators=(",", ":")).encode("utf-8"))


def _replace(tmp: Path, path: Path) -> Optional[Path]:
    """Put ``tmp`` in the place of ``path`` (hundreds of MB at national size) without waiting for
    the file system; return the old file, renamed aside (None when there was none), for
    ``discard``. Renaming over an existing file makes ext4 write the new file out at once
    (auto_da_alloc, ~0.3 s for graph.ttl), and unlinking the old one frees its blocks (up to
    ~0.4 s). So the old file is renamed aside first and the new one renamed in (no file is ever
    half-written: for an instant there is none), and the caller unlinks the old one last."""
    for left in path.parent.glob(f".{path.name}.*.old"):  # a run killed before discarding it
        left.unlink(missing_ok=True)
    spare = path.with_name(f".{path.name}.{os.getpid()}.old")
    try:
        os.rename(path, spare)
    except OSError:
        os.replace(tmp, path)
        return None
    try:
        os.rename(tmp, path)
    except OSError:
        os.rename(spare, path)
        raise
    return spare


def discard(paths: list[Path]) -> None:
    """Unlink ``paths`` (old files renamed aside by _replace) without waiting: a detached process
    does it (forked twice, so that none is left for this one to reap), or, where there is no
    fork, a thread that the interpreter waits for at exit. A file it misses (the machine stopped)
    is swept by the next build into the same directory."""
    paths = [p for p in paths if p is not None]
    if not paths:
        return

    def drop():
        for p in paths:
            try:
                os.unlink(p)
            except OSError:
                pass

    if not hasattr(os, "fork"):
        import threading

        threading.Thread(target=drop, name="kg-drop-old").start()
        return
    pid = os.fork()
    if pid == 0:  # pragma: no cover - in the forked processes
        try:
            if os.fork() == 0:
                drop()
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def write_outputs(corpus, out_dir: str | Path, reuse: bool = True, salt: str = "",
                  orgs=None, prepare=None, spares: Optional[list] = None) -> tuple[list[Path], list[str]]:
    """Write the build directory; return (files, IRIs of the named graphs written to the store).

    With ``reuse`` and a previous build in ``out_dir``, only changed graphs are written to the
    store; otherwise the directory is written in full (kg.graph.write_outputs), keeping cache/.
    ``salt`` names the override rules the org ids were resolved with (kg.graph.document_fingerprint);
    ``orgs``: the organisations' graphs (kg.graph.iter_graphs); ``prepare``: a callable that
    completes ``corpus`` and returns them, called once the documents' graphs are written when the
    directory is written in full (kg.graph.write_outputs), first otherwise. ``spares``: a list that
    receives the replaced graph.ttl, renamed aside, for the caller to ``discard`` once its own
    writes are done (default: discarded at once).
    """
    import pyoxigraph as ox

    from kg import graph as G

    out = Path(out_dir)
    old = _load_state(out) if reuse else None
    if old is None:
        state: dict[str, list] = {}
        files = G.write_outputs(corpus, out, keep=("cache",), state=state, salt=salt, orgs=orgs, prepare=prepare)
        _save_state(out, state)
        return files, sorted(state)
    if prepare is not None:
        orgs = prepare()

    ttl_tmp, nq_tmp = out / ".graph.ttl.tmp", out / ".changed.nq.tmp"
    tmps = {"graph.ttl": ttl_tmp}
    try:
        with open(out / "graph.ttl", "rb") as prev, open(ttl_tmp, "wb") as ttl:
            # unchanged graphs are copied from the previous graph.ttl by a thread, while this one
            # makes the changed graphs and updates the store
            chunks = G.BackgroundChunks(ttl, prev)
            try:
                with open(nq_tmp, "wb") as nq:
                    new, counts, n_triples = G.emit(corpus, chunks, nq, previous=(prev, old), salt=salt, orgs=orgs)
                for name, data in (("diagnostics.json", G._dump(G.diagnostics_json(corpus))),
                                   ("manifest.json", G._dump(G.manifest_json(corpus, counts, n_triples)))):
                    tmps[name] = out / f".{name}.tmp"
                    tmps[name].write_bytes(data)
                changed = sorted(g for g in set(old) | set(new) if (old.get(g) or [None])[0] != (new.get(g) or [None])[0])
                if changed:
                    (out / STATE).unlink(missing_ok=True)  # the store is about to change: dirty until done
                    store = ox.Store(str(out / "store"))
                    for g in changed:
                        if g in old:
                            store.remove_graph(ox.NamedNode(g))
                    if nq_tmp.stat().st_size:
                        store.bulk_load(path=str(nq_tmp), format=ox.RdfFormat.N_QUADS, lenient=True)
                    store.flush()
                    del store
                chunks.finish()
            finally:
                chunks.cancel()
        for name, tmp in tmps.items():
            if name == "graph.ttl":
                old_ttl = _replace(tmp, out / name)
                if spares is None:
                    discard([old_ttl])
                else:
                    spares.append(old_ttl)
            else:
                os.replace(tmp, out / name)
    finally:
        for tmp in list(tmps.values()) + [nq_tmp]:
            tmp.unlink(missing_ok=True)
    _save_state(out, new)
    return [out / "graph.ttl", out / "store", out / "diagnostics.json", out / "manifest.json"], changed


# ---------------------------------------------------------------------------- quick updates
#
# A build into a directory whose previous build was made by the same code and override file,
# with few input files changed, added or removed, does not load the corpus at all. The previous
# build left in cache/corpus.pkl a Stub of each document (kg.model.Stub: what the whole-corpus
# stages read), how the organisations split into parts (kg.resolve.partition) with the graphs of
# each part, and the national bodies' index; each part's organisations are in cache/parts/.
# The update parses the changed files, finishes again the parts that their units (as they were
# and as they are) fall in, aligns the pairs of plans they belong to (the other pairs come from
# kg.cache.PairCache), and writes the graphs as write_outputs does: unchanged ones are copied.
# Stubs load their document from the cache only when a stage needs its records (a report's
# evidence, a pair to align). The outputs are the same bytes as a full build's (tested).

QUICK = Path("cache") / "corpus.pkl"
PARTS = Path("cache") / "parts"
QUICK_FORMAT = 1
# Past this share of the corpus changed, the full pass (with its caches) is used instead.
QUICK_SHARE = 0.05


def state_key(salt: str, overrides) -> str:
    """What a quick update needs unchanged since the previous build: every module's code, the
    unit rules (``salt``) and the override file (its links)."""
    import hashlib

    import kg
    from kg import __version__
    from kg.cache import code_fingerprint

    mods = tuple(sorted(p.stem for p in Path(kg.__file__).resolve().parent.glob("*.py")))
    h = hashlib.sha256(f"{QUICK_FORMAT} {__version__} {code_fingerprint(mods)} {salt}".encode())
    if overrides:
        h.update(Path(overrides).read_bytes())
    return h.hexdigest()


def _part_file(out: Path, name: str) -> Path:
    import hashlib

    return out / PARTS / f"{hashlib.sha256(name.encode('utf-8')).hexdigest()[:20]}.pkl"


class Organisations(dict):
    """The organisations of a quick update, by id: those of the parts it finished again, and,
    loaded on first use, those of the other parts (from cache/parts/)."""

    def __init__(self, loaded: dict, files: list[Path]):
        super().__init__()
        self._parts = [loaded]
        self._files = files
        self._ready = False

    def _load(self) -> None:
        if self._ready:
            return
        import pickle

        self._ready = True
        for f in self._files:
            with open(f, "rb") as fh:
                self._parts.append(pickle.load(fh))
        merged = {i: o for part in self._parts for i, o in part.items()}
        for i in sorted(merged):
            dict.__setitem__(self, i, merged[i])
        self._parts = []


for _name in ("__getitem__", "__iter__", "__len__", "__contains__", "__setitem__", "__delitem__", "__eq__",
              "__repr__", "get", "items", "keys", "values", "pop", "setdefault", "update", "copy"):
    def _lazy(self, *a, _m=getattr(dict, _name), **k):
        self._load()
        return _m(self, *a, **k)

    setattr(Organisations, _name, _lazy)


def save_quick(out: Path, key: str, docs: list, readings: list, keys: dict[str, str], parts: dict[str, str],
               by_part: dict, graphs: dict[str, list], national: dict, written: Optional[set] = None) -> None:
    """Write cache/corpus.pkl and the part files (``written``: the names of the parts to write;
    all when None) for the next build's quick update."""
    import pickle

    from kg.atomic import write_atomic
    from kg.graph import document_counts
    from kg.model import Stub
    from kg.orgnames import pinyin_table

    stubs = [d if isinstance(d, Stub) else Stub(d, document_counts(d), keys[d.id], rd.ties)
             for d, rd in zip(docs, readings)]
    regions: dict[str, list[str]] = {}
    for r, name in parts.items():
        regions.setdefault(name, []).append(r)
    data = {"key": key, "docs": stubs, "national": national, "pinyin": pinyin_table(),
            "parts": {n: (tuple(sorted(regions.get(n, ()))), [g.bare() for g in graphs[n]]) for n in sorted(graphs)}}
    (out / QUICK).unlink(missing_ok=True)  # written last: a failure on the way leaves no stale state
    folder = out / PARTS
    folder.mkdir(parents=True, exist_ok=True)
    keep = {_part_file(out, n).name for n in graphs}
    for f in folder.iterdir():
        if f.name not in keep:
            f.unlink(missing_ok=True)
    for n in sorted(by_part if written is None else written):
        write_atomic(_part_file(out, n), pickle.dumps(by_part[n], protocol=pickle.HIGHEST_PROTOCOL))
    write_atomic(out / QUICK, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))


def part_graphs(by_part: dict) -> dict[str, list]:
    """Part name -> the graphs of its organisations (kg.graph.org_graphs)."""
    from kg.graph import org_graphs

    return {n: org_graphs(orgs) for n, orgs in by_part.items()}


def all_graphs(graphs: dict[str, list]) -> list:
    """The organisations' graphs of every part, by IRI (each region, hence each graph, is in one part)."""
    return sorted((g for gs in graphs.values() for g in gs), key=lambda g: g.iri)


def quick_build(paths, out: Path, rules: list, salt: str, overrides, key: str, spares: Optional[list] = None):
    """A quick update of ``out`` (see above) as a kg.pipeline.BuildResult, or None when it does
    not apply (no previous state, other code or overrides, too many changes). ``spares``: see
    write_outputs."""
    import pickle

    from kg import link, parallel
    from kg import orgnames as N
    from kg.cache import DocCache, PairCache
    from kg.model import Corpus, Stub
    from kg.pipeline import BuildResult, _parse_read, align_ahead, make_aligner
    from kg.read import list_files
    from kg.resolve import finish_split, partition

    try:
        with open(out / QUICK, "rb") as f:
            st = pickle.load(f)
        if st.get("key") != key or _load_state(out) is None:
            return None
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError, TypeError):
        return None
    N.learn_pinyin(st.get("pinyin") or {})
    files = list_files([str(p) for p in paths])
    cache = DocCache(out, salt=salt)
    by_path = {s.source.path: s for s in st["docs"]}
    docs: list = []
    todo: list[int] = []
    for f in files:
        s = by_path.get(f)
        if s is not None and cache.known_sha(f) == s.source.sha256 and cache.file(s.key).is_file():
            docs.append(s)
        else:
            todo.append(len(docs))
            docs.append(None)
    now = set(files)
    gone = [s for s in st["docs"] if s.source.path not in now]
    if len(todo) + len(gone) > max(1.0, QUICK_SHARE * len(files)):
        return None

    def load(stub):
        return cache.load(stub.key)[0]

    for d in docs:
        if d is not None:
            d.load = load
            cache.keep(d.source.path, d.id, d.key)
    readings: list = [None] * len(docs)
    with parallel.no_gc():
        for i, (doc, rd) in zip(todo, parallel.pmap(_parse_read, [files[i] for i in todo], 1, shared=(rules, cache))):
            docs[i], readings[i] = doc, rd
            cache.put(doc, rd)
    cache.misses = len(todo)
    # the pairs of plans the pair cache lacks (the changed plans with their parent and children)
    # are aligned in a forked process while this one finishes the organisations
    pairs = PairCache(out)
    ahead = align_ahead(docs, cache.keys, pairs)

    # resolve: finish again the parts the changed documents' units fall in
    ties = [d.ties if isinstance(d, Stub) else readings[i].ties for i, d in enumerate(docs)]
    parts = partition(t for ts in ties for t in ts)
    touched = {r for i in todo for t in ties[i] for r in t}
    touched |= {r for s in gone + [by_path[files[i]] for i in todo if files[i] in by_path] for t in s.ties for r in t}
    members: dict[str, list[str]] = {}
    for r, name in parts.items():
        members.setdefault(name, []).append(r)
    old_parts = st["parts"]
    affected = {parts[r] for r in touched if r in parts}
    affected |= {n for n, regs in members.items() if n not in old_parts or old_parts[n][0] != tuple(sorted(regs))}

    def effects_for(names: set[str]) -> dict[str, list]:
        found: dict[str, list] = {n: [] for n in names}
        for i, d in enumerate(docs):
            if not any(parts[r] in names for t in ties[i] for r in t):
                continue
            rd = readings[i] if readings[i] is not None else cache.load_reading(d.key)
            for eff in rd.effects:
                n = parts[eff[1].region or ""]
                if n in names:
                    found[n].append(eff)
        return found

    top = parts.get(N.NATIONAL)
    national = st["national"]
    with parallel.no_gc():
        by_part: dict = {}
        if top in affected:  # the national part first: the others look up its bodies
            by_part, index = finish_split(effects_for({top}), top)
            if index != national:
                affected = set(members)
            national = index
        rest, _ = finish_split(effects_for(affected - set(by_part)), None, national)
        by_part.update(rest)
    graphs = part_graphs(by_part)
    for n in members:
        if n not in affected:
            graphs[n] = old_parts[n][1]
    orgs = Organisations({i: o for found in by_part.values() for i, o in found.items()},
                         [_part_file(out, n) for n in sorted(members) if n not in affected])

    corpus = Corpus(documents=docs, organisations=orgs)
    link.link(corpus, overrides=overrides, aligner=make_aligner(cache.keys, pairs, ahead=ahead),
              parents=False)  # align_ahead linked them
    result = BuildResult(corpus=corpus, out=out)
    result.files, result.changed_graphs = write_outputs(corpus, out, reuse=True, salt=salt, orgs=all_graphs(graphs),
                                                        spares=spares)
    cache.save()
    pairs.save()
    save_quick(out, key, docs, readings, cache.keys, parts, by_part, graphs, national, written=set(by_part))
    result.parsed, result.reused = cache.misses, cache.hits
    return result

"""Write a build directory incrementally: replace only the named graphs whose triples changed.

A build into a directory that already holds one (manifest.json, store/, graph.ttl and, in
cache/graphs.json, the digest of every named graph with the place of its chunk in graph.ttl)
does not rebuild the store. It streams the graphs again (kg.build.sink.emit) and, for each graph
whose digest differs (a changed document, the links that point into it, the organisations of
its region, the corpus graph), removes the old graph from the store and loads the new one;
graphs that are gone (a removed document) are removed. graph.ttl is rewritten by copying the
Turtle of unchanged graphs from the previous file, so the directory ends byte for byte where a
clean build ends.

Nothing is changed in place: the new state is written in a stage beside the directory
(kg.atomic.Stage: the store a checkpoint of the old one, hard links sharing its files, then
updated; the cache hard links of the old one's files and the new ones), which kg.build.pipeline.build
swaps in at once. A build killed at any moment leaves the directory as the previous build left
it; the next build removes the stage.

The state file records what the build left (graph.ttl's size, time and inode; the store's files,
kg.query.store.listing): a directory whose graph.ttl or store is not as recorded (a damaged store, a
copied folder) is written again in full, with a note.
"""
from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Optional

from kg.build import sink
from kg.build import outputs
from kg.build.outputs import OUTPUTS, diagnostics_json, manifest_json, write_into

STATE = "graphs.json"  # under cache/
# the state file's layout: {"format": 4, "graphs": {iri: [sha256, offset, length, fingerprint, triples]},
# "ttl": [size, mtime_ns, inode], "store": kg.query.store.listing}
FORMAT = 4


def _is(path: Path, kind) -> bool:
    try:
        return kind(os.lstat(path).st_mode)
    except OSError:
        return False


def _ttl_stamp(folder: Path) -> list:
    st = os.lstat(folder / "graph.ttl")
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def _load_state(out: Path, seal, notes: Optional[list] = None) -> Optional[dict[str, list]]:
    """The previous build's per-graph state, when graph.ttl and the store are as it left them
    (never read through a symbolic link); else None, with a note when the store was changed."""
    from kg.query.store import listing

    try:
        if not (_is(out / "manifest.json", stat.S_ISREG) and _is(out / "graph.ttl", stat.S_ISREG)
                and _is(out / "store", stat.S_ISDIR)):
            return None
        data = seal.read(STATE)
        if data is None:
            return None
        data = json.loads(bytes(data))
        if data.get("format") != FORMAT:
            return None
        graphs = data["graphs"]
        if data.get("ttl") != _ttl_stamp(out):
            return None
        if data.get("store") != listing(out / "store"):
            if notes is not None:
                notes.append(f"{out}/store is not as the last build left it (damaged, or changed by another "
                             "program): written again in full")
            return None
        return graphs
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _save_state(folder: Path, state: dict[str, list], seal) -> None:
    """Record ``state`` and what graph.ttl and the store of ``folder`` are now (call it last)."""
    from kg.query.store import listing

    data = {"format": FORMAT, "graphs": dict(sorted(state.items())), "ttl": _ttl_stamp(folder),
            "store": listing(folder / "store")}
    seal.write(STATE, json.dumps(data, separators=(",", ":")).encode("utf-8"))


def restamp(folder: str | Path) -> None:
    """Record again what the store of ``folder`` is (after kg.query.store.optimize changed its files),
    when its state file checks; else nothing (the next build writes the folder in full)."""
    from kg.build.cache import Seal
    from kg.query.store import listing

    folder = Path(folder)
    seal = Seal(folder / "cache")
    data = seal.read(STATE)
    if data is None:
        return
    try:
        data = json.loads(bytes(data))
    except ValueError:
        return
    data["store"] = listing(folder / "store")
    seal.write(STATE, json.dumps(data, separators=(",", ":")).encode("utf-8"))


def write_outputs(corpus, out_dir: str | Path, into: str | Path, reuse: bool = True, salt: str = "",
                  orgs=None, prepare=None, seal=None, notes: Optional[list] = None,
                  optimize: bool = False) -> tuple[list[Path], list[str]]:
    """Write the outputs of a build of ``out_dir`` into ``into`` (its stage: kg.atomic.Stage,
    holding the cache already); return (files, IRIs of the named graphs written to the store).

    With ``reuse`` and a previous build in ``out_dir`` whose state checks, the store is a
    checkpoint of the previous one with only the changed graphs written, and graph.ttl copies the
    unchanged graphs' Turtle from the previous one; otherwise everything is written anew
    (kg.build.outputs.write_into). ``salt`` names the override rules the org ids were resolved with
    (kg.rdf.graphs.document_fingerprint); ``orgs``: the organisations' graphs (kg.rdf.graphs.iter_graphs);
    ``prepare``: a callable that completes ``corpus`` and returns them, called once the
    documents' graphs are written when everything is written anew, first otherwise. ``seal``:
    the folder's kg.build.cache.Seal; ``notes`` receives what the caller should tell; ``optimize``
    compacts the new store (kg.query.store.compact) before the state is recorded.
    """
    import pyoxigraph as ox

    from kg.build.cache import Seal
    from kg.query.store import checkpoint, compact

    out, into = Path(out_dir), Path(into)
    seal = seal if seal is not None else Seal(into / "cache")
    old = _load_state(out, seal, notes) if reuse else None
    if old is None:
        state = write_into(corpus, into, salt=salt, orgs=orgs, prepare=prepare)
        changed = sorted(state)
    else:
        if prepare is not None:
            orgs = prepare()
        nq_tmp = into / ".changed.nq"
        try:
            with open(out / "graph.ttl", "rb") as prev, open(into / "graph.ttl", "wb") as ttl:
                # unchanged graphs are copied from the previous graph.ttl by a thread, while this one
                # makes the changed graphs and updates the store
                chunks = sink.BackgroundChunks(ttl, prev)
                try:
                    with open(nq_tmp, "wb") as nq:
                        state, counts, n_triples = sink.emit(corpus, chunks, nq, previous=(prev, old), salt=salt,
                                                          orgs=orgs)
                    (into / "diagnostics.json").write_bytes(outputs.dump_json(diagnostics_json(corpus)))
                    (into / "manifest.json").write_bytes(outputs.dump_json(manifest_json(corpus, counts, n_triples)))
                    changed = sorted(g for g in set(old) | set(state)
                                     if (old.get(g) or [None])[0] != (state.get(g) or [None])[0])
                    # the new store starts as a checkpoint of the old one (hard links of its files)
                    checkpoint(out / "store", into / "store")
                    if changed:
                        store = ox.Store(str(into / "store"))
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
        finally:
            nq_tmp.unlink(missing_ok=True)
    if optimize:
        compact(into / "store")
    _save_state(into, state, seal)
    return [out / name for name in OUTPUTS], changed


# ---------------------------------------------------------------------------- quick updates
#
# A build into a directory whose previous build was made by the same code and override file,
# with few input files changed, added or removed, does not load the corpus at all. The previous
# build left in cache/corpus.pkl a Stub of each document (kg.model.Stub: what the whole-corpus
# stages read), how the organisations split into parts (kg.resolve.entities.partition) with the graphs of
# each part, and the national bodies' index; each part's organisations are in cache/parts/.
# The update parses the changed files, finishes again the parts that their units (as they were
# and as they are) fall in, aligns the pairs of plans they belong to (the other pairs come from
# kg.build.cache.PairCache), and writes the graphs as write_outputs does: unchanged ones are copied.
# Stubs load their document from the cache only when a stage needs its records (a report's
# evidence, a pair to align). The outputs are the same bytes as a full build's (tested).

QUICK = Path("cache") / "corpus.pkl"
PARTS = Path("cache") / "parts"
QUICK_FORMAT = 1
# Past this share of the corpus changed, the full pass (with its caches) is used instead.
QUICK_SHARE = 0.05


def state_key(salt: str, overrides) -> str:
    """What a quick update needs unchanged since the previous build: the code of every stage a
    build runs (kg.fingerprints.build_fingerprint), the unit rules (``salt``) and the override file (its links)."""
    import hashlib

    from kg import __version__
    from kg.fingerprints import build_fingerprint

    h = hashlib.sha256(f"{QUICK_FORMAT} {__version__} {build_fingerprint()} {salt}".encode())
    if overrides:
        h.update(Path(overrides).read_bytes())
    return h.hexdigest()


def _part_name(name: str) -> str:
    """The cache file (its path under cache/) of the organisations of part ``name``."""
    import hashlib

    return f"parts/{hashlib.sha256(name.encode('utf-8')).hexdigest()[:20]}.pkl"


def _part_file(out: Path, name: str) -> Path:
    return out / "cache" / _part_name(name)


class Organisations(dict):
    """The organisations of a quick update, by id: those of the parts it finished again, and,
    loaded on first use, those of the other parts (from cache/parts/, through ``seal``)."""

    def __init__(self, loaded: dict, files: list[str], seal=None):
        super().__init__()
        self._parts = [loaded]
        self._files = files
        self._seal = seal
        self._ready = False

    def _load(self) -> None:
        if self._ready:
            return
        from kg.build.cache import CacheDamaged

        self._ready = True
        for f in self._files:
            part = self._seal.load(f)
            if part is None:
                self._ready = False
                raise CacheDamaged(f"{self._seal.root}/{f}: a cache file is missing or its seal does not check; "
                                   "build again (with --full if this repeats)")
            self._parts.append(part)
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
               by_part: dict, graphs: dict[str, list], national: dict, written: Optional[set] = None,
               seal=None) -> None:
    """Write cache/corpus.pkl and the part files (``written``: the names of the parts to write;
    all when None) for the next build's quick update, sealed by ``seal`` (kg.build.cache.Seal)."""
    import pickle

    from kg.build.cache import Seal
    from kg.rdf.quads import document_counts
    from kg.model import Stub
    from kg.resolve.orgnames import pinyin_table

    stubs = [d if isinstance(d, Stub) else Stub(d, document_counts(d), keys[d.id], rd.ties)
             for d, rd in zip(docs, readings)]
    regions: dict[str, list[str]] = {}
    for r, name in parts.items():
        regions.setdefault(name, []).append(r)
    data = {"key": key, "docs": stubs, "national": national, "pinyin": pinyin_table(),
            "parts": {n: (tuple(sorted(regions.get(n, ()))), [g.bare() for g in graphs[n]]) for n in sorted(graphs)}}
    seal = seal if seal is not None else Seal(out / "cache")
    (out / QUICK).unlink(missing_ok=True)  # written last: a failure on the way leaves no stale state
    folder = out / PARTS
    if folder.is_symlink():
        folder.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    keep = {_part_file(out, n).name for n in graphs}
    for f in folder.iterdir():
        if f.name not in keep:
            f.unlink(missing_ok=True)
    for n in sorted(by_part if written is None else written):
        seal.write(_part_name(n), pickle.dumps(by_part[n], protocol=pickle.HIGHEST_PROTOCOL))
    seal.write("corpus.pkl", pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))


def part_graphs(by_part: dict) -> dict[str, list]:
    """Part name -> the graphs of its organisations (kg.rdf.graphs.org_graphs)."""
    from kg.rdf.graphs import org_graphs

    return {n: org_graphs(orgs) for n, orgs in by_part.items()}


def all_graphs(graphs: dict[str, list]) -> list:
    """The organisations' graphs of every part, by IRI (each region, hence each graph, is in one part)."""
    return sorted((g for gs in graphs.values() for g in gs), key=lambda g: g.iri)


def quick_build(paths, out: Path, into: Path, rules: list, salt: str, overrides, key: str, seal,
                notes: Optional[list] = None, keep_going: bool = False, optimize: bool = False):
    """A quick update of ``out`` (see above), written into its stage ``into`` (holding the
    cache), as a kg.build.pipeline.BuildResult, or None when it does not apply (no previous state,
    other code or overrides, too many changes, a cache file that is missing or does not check:
    then what it wrote in ``into`` is removed, for the full pass). ``seal``: the folder's
    kg.build.cache.Seal; ``notes``, ``optimize``: see write_outputs; ``keep_going``: see
    kg.build.pipeline.build."""
    import shutil

    from kg.build.cache import CacheDamaged

    started: list = []
    try:
        return _quick_build(paths, out, into, rules, salt, overrides, key, seal, notes, keep_going, optimize, started)
    except CacheDamaged:
        for wait in started:  # the alignment process started ahead: let it end
            try:
                wait()
            except Exception:  # noqa: BLE001 - its results are not used
                pass
        for name in OUTPUTS + (".changed.nq",):
            p = into / name
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            elif os.path.lexists(p):
                p.unlink()
        return None


def _quick_build(paths, out: Path, into: Path, rules: list, salt: str, overrides, key: str, seal,
                 notes: Optional[list], keep_going: bool, optimize: bool, started: list):
    """quick_build; ``started`` receives the callable that waits for the alignment started ahead."""
    import pickle

    from kg.link import align as link

    from kg.build import parallel
    from kg.resolve import orgnames as N
    from kg.build.cache import DocCache, PairCache
    from kg.model import Corpus, Skipped, Stub
    from kg.build.pipeline import BuildResult, parse_read, align_ahead, make_aligner
    from kg.read.files import list_documents
    from kg.resolve.entities import finish_split, partition

    try:
        st = seal.load("corpus.pkl")
        if st is None or st.get("key") != key or _load_state(out, seal, notes) is None:
            return None
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError, TypeError):
        return None
    N.learn_pinyin(st.get("pinyin") or {})
    inputs = list_documents([str(p) for p in paths])
    files = [path for path, _, _ in inputs]
    cache = DocCache(into, salt=salt, seal=seal)
    by_path = {s.source.path: s for s in st["docs"]}
    docs: list = []
    todo: list[int] = []
    for f, name, doc_id in inputs:
        s = by_path.get(f)
        if (s is not None and cache.known_sha(f) == s.source.sha256 and s.source.name == name and s.id == doc_id
                and cache.file(s.key).is_file()):
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
    skipped: list = []
    with parallel.no_gc():
        for i, got in zip(todo, parallel.pmap(parse_read, [inputs[i] for i in todo], 1,
                                              shared=(rules, cache, keep_going))):
            if isinstance(got, Skipped):
                skipped.append(got)
                continue
            doc, rd = got
            docs[i], readings[i] = doc, rd
            cache.put(doc, rd)
    cache.misses = len(todo)
    if skipped:
        return None  # rare: the full pass (with the document cache) builds without them
    # the pairs of plans the pair cache lacks (the changed plans with their parent and children)
    # are aligned in a forked process while this one finishes the organisations
    pairs = PairCache(into, seal=seal)
    ahead = align_ahead(docs, cache.keys, pairs)
    started.append(ahead)

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
                         [_part_name(n) for n in sorted(members) if n not in affected], seal)

    corpus = Corpus(documents=docs, organisations=orgs)
    link.link(corpus, overrides=overrides, aligner=make_aligner(cache.keys, pairs, ahead=ahead),
              parents=False)  # align_ahead linked them
    result = BuildResult(corpus=corpus, out=out)
    result.files, result.changed_graphs = write_outputs(corpus, out, into, reuse=True, salt=salt, orgs=all_graphs(graphs),
                                                        seal=seal, notes=notes, optimize=optimize)
    cache.save()
    pairs.save()
    save_quick(into, key, docs, readings, cache.keys, parts, by_part, graphs, national, written=set(by_part), seal=seal)
    result.parsed, result.reused = cache.misses, cache.hits
    return result

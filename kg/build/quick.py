"""Quick updates: when few files changed, the unchanged documents stay in the cache (stubs) and
only the parts of the resolution the change touches are finished again; see kg.build.pipeline."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from kg.build import parallel
from kg.build.cache import CacheDamaged, DocCache, PairCache, Seal
from kg.build.stubs import Organisations, Stub
from kg.build.outputs import OUTPUTS, Written, write
from kg.build.state import load_state
from kg.build.steps import BuildResult, align_ahead, make_aligner, parse_read
from kg.fingerprints import build_fingerprint
from kg.link import align as link
from kg.model import Corpus, Resolution, Skipped
from kg.rdf.graphs import org_graphs
from kg.read.files import list_documents
from kg.resolve import orgnames as N
from kg.resolve.entities import finish_split, partition
from kg.resolve.orgnames import pinyin_table
from kg.version import __version__


#
# A build into a directory whose previous build was made by the same code and override file,
# with few input files changed, added or removed, does not load the corpus at all. The previous
# build left in cache/corpus.pkl a Stub of each document (kg.build.stubs.Stub: what the whole-corpus
# stages read), how the organisations split into parts (kg.resolve.entities.partition) with the graphs of
# each part, and the national bodies' index; each part's organisations are in cache/parts/.
# The update parses the changed files, finishes again the parts that their units (as they were
# and as they are) fall in, aligns the pairs of plans they belong to (the other pairs come from
# kg.build.cache.PairCache), and writes the graphs as a full build does (kg.build.outputs.write,
# from the previous build: unchanged ones are copied).
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


def save_quick(out: Path, key: str, docs: list, readings: list, keys: dict[str, str], parts: dict[str, str],
               by_part: dict, graphs: dict[str, list], national: dict, written: Optional[set] = None,
               seal=None) -> None:
    """Write cache/corpus.pkl and the part files (``written``: the names of the parts to write;
    all when None) for the next build's quick update, sealed by ``seal`` (kg.build.cache.Seal)."""
    import pickle

    stubs = [d if isinstance(d, Stub) else Stub(d, d.counts, keys[d.id], rd.ties)
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


def saved(out: Path, into: Path, key: str, corpus: Corpus, readings: list, cache: DocCache, pairs: PairCache,
          res: Resolution, graphs: dict[str, list], written: Written, parts_written: Optional[set] = None,
          seal=None) -> BuildResult:
    """The end of a build of ``out`` into its stage ``into`` (a full one or a quick update): save what the
    next build reuses (the document and pair caches; the quick-update state, save_quick, with
    the part files ``parts_written``, all when None) and return the build's result."""
    cache.save()
    pairs.save()
    save_quick(into, key, corpus.documents, readings, cache.keys, res.parts, res.by_part, graphs, res.national,
               written=parts_written, seal=seal)
    return BuildResult(corpus=corpus, out=out, files=written.files,
                       changed_graphs=written.changed, parsed=cache.misses, reused=cache.hits)


def part_graphs(by_part: dict) -> dict[str, list]:
    """Part name -> the graphs of its organisations (kg.rdf.graphs.org_graphs)."""
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
    kg.build.cache.Seal; ``notes``: what the caller should tell; ``optimize``: see
    kg.build.outputs.write; ``keep_going``: see
    kg.build.pipeline.build."""
    import shutil

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

    try:
        st = seal.load("corpus.pkl")
        if st is None or st.get("key") != key:
            return None
        previous = load_state(out, seal, notes)
        if previous is None:
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
                n = parts[eff.parsed.region or ""]
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
    written = write(corpus, out, into, previous, salt=salt, orgs=all_graphs(graphs), optimize=optimize, seal=seal)
    return saved(out, into, key, corpus, readings, cache, pairs, Resolution(orgs, parts, by_part, national), graphs,
                 written, parts_written=set(by_part), seal=seal)

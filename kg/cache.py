"""The incremental-build cache: parsed documents kept in ``DIR/cache/`` between builds.

A build into a directory that already holds one reuses what did not change:

- ``DIR/cache/index.json`` maps each input path to ``[size, mtime_ns, sha256]``. A file whose
  size and modification time are unchanged is not read again (its recorded sha256 stands); any
  other file is read and hashed.
- ``DIR/cache/docs/{key}.pkl`` holds the ``kg.resolve.Reading`` of one input and its parsed
  ``Document`` (its org ids filled), two pickles one after the other: the Reading alone is
  read without the records (``load_reading``). ``key`` hashes the file's sha256, its path, the override
  rules (their digest) and the source code of the stages that produce them (read, clean,
  parse, report, resolve, model …), so a changed parser never serves stale records.

Nothing here changes the build's outputs: a build with a warm cache writes the same bytes as a
clean one. Delete ``DIR/cache/`` (or build with ``incremental=False``) to start from nothing.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
from functools import lru_cache
from pathlib import Path
from typing import Optional

from kg.atomic import write_atomic
from kg.model import Document

# The modules (and data) whose code decides what a parsed Document holds, and an alignment.
PARSE_MODULES = ("read", "clean", "parse", "report", "annotations", "bodies", "dates", "orgnames", "titles", "model",
                 "resolve", "pipeline", "cache")
ALIGN_MODULES = ("link", "similarity", "titles", "model", "cache")
FORMAT = 3  # bump when the cache layout changes


@lru_cache(maxsize=None)
def code_fingerprint(modules: tuple[str, ...] = PARSE_MODULES) -> str:
    """A hash of the source code of ``modules`` and of kg/data/ (absent modules count as empty)."""
    h = hashlib.sha256(f"format {FORMAT}".encode())
    pkg = Path(__file__).resolve().parent
    files = [pkg / f"{name}.py" for name in modules]
    data = pkg / "data"
    if data.is_dir():
        files += sorted(p for p in data.iterdir() if p.is_file())  # not the subfolders (viz assets)
    for p in files:
        h.update(str(p.relative_to(pkg)).encode() + b"\0")
        if p.exists():
            h.update(p.read_bytes())
    return h.hexdigest()


class DocCache:
    """Parsed documents of earlier builds, by input file."""

    def __init__(self, out: str | Path, reuse: bool = True, salt: str = ""):
        self.salt = salt  # the digest of the override rules (kg.resolve.rules_digest)
        self.root = Path(out) / "cache"
        self.docs = self.root / "docs"
        self.index: dict[str, list] = {}
        self.used: dict[str, list] = {}  # the index of this build
        self.keys: dict[str, str] = {}  # document id -> its cache key (what the document's records depend on)
        self.hits = 0
        self.misses = 0
        p = self.root / "index.json"
        if reuse and p.is_file():
            try:
                data = json.loads(p.read_text(encoding="utf-8"))
                if data.get("fingerprint") == code_fingerprint():
                    self.index = data.get("files", {})
            except (OSError, ValueError):
                self.index = {}

    # ------------------------------------------------------------------ lookups
    def key(self, path: str, sha256: str) -> str:
        return hashlib.sha256(f"{code_fingerprint()}\0{self.salt}\0{path}\0{sha256}".encode()).hexdigest()[:32]

    def file(self, key: str) -> Path:
        return self.docs / f"{key}.pkl"

    @staticmethod
    def dumps(doc: Document, reading) -> bytes:
        """A cache file's bytes: the Reading pickled, then the Document."""
        return pickle.dumps(reading, protocol=pickle.HIGHEST_PROTOCOL) + pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def loads(blob: bytes) -> tuple:
        """(Document, Reading) from a cache file's bytes (dumps)."""
        import io

        f = io.BytesIO(blob)
        reading = pickle.load(f)
        return pickle.load(f), reading

    def load(self, key: str) -> tuple:
        """(Document, Reading) stored under ``key``."""
        with open(self.file(key), "rb") as f:
            reading = pickle.load(f)
            return pickle.load(f), reading

    def load_reading(self, key: str):
        """The Reading stored under ``key``, without unpickling its document."""
        with open(self.file(key), "rb") as f:
            return pickle.load(f)

    def known_sha(self, path: str) -> Optional[str]:
        """The recorded sha256 of ``path`` when its size and mtime are unchanged, else None."""
        entry = self.index.get(path)
        if not entry:
            return None
        try:
            st = os.stat(path)
        except OSError:
            return None
        if [st.st_size, st.st_mtime_ns] != entry[:2]:
            return None
        return entry[2]

    def get(self, path: str) -> Optional[tuple]:
        """The cached (Document, Reading) of ``path`` when the file is unchanged, else None."""
        sha = self.known_sha(path)
        if sha is None:
            self.misses += 1
            return None
        try:
            got = self.load(self.key(path, sha))
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError, TypeError):
            self.misses += 1
            return None
        self.hits += 1
        self.used[path] = self.index[path]
        return got

    def keep(self, path: str, doc_id: str, key: str) -> None:
        """Record an unchanged input whose records stay in the cache under ``key`` (a Stub's)."""
        self.used[path] = self.index[path]
        self.keys[doc_id] = key
        self.hits += 1

    def put(self, doc: Document, reading) -> None:
        """Record a document of this build and its Reading (written to disk now when new)."""
        path = doc.source.path
        sha = doc.source.sha256
        key = self.key(path, sha)
        self.keys[doc.id] = key
        if path in self.used:
            return
        st = os.stat(path)
        self.used[path] = [st.st_size, st.st_mtime_ns, sha]
        self.store(doc, lambda: self.dumps(doc, reading))

    def store(self, doc: Document, blob) -> None:
        """Write the cache file of ``doc`` unless there is one (``blob``: a callable giving its
        bytes, see dumps). Only the file: ``put`` records the document. A parse worker calls
        this, so that the files are written in parallel."""
        target = self.file(self.key(doc.source.path, doc.source.sha256))
        if not target.exists():
            self.docs.mkdir(parents=True, exist_ok=True)
            write_atomic(target, blob())

    def save(self) -> None:
        """Write the index of this build and drop the records no input uses any more."""
        self.root.mkdir(parents=True, exist_ok=True)
        data = {"fingerprint": code_fingerprint(), "files": dict(sorted(self.used.items()))}
        write_atomic(self.root / "index.json", json.dumps(data, ensure_ascii=False).encode())
        keep = {f"{self.key(p, e[2])}.pkl" for p, e in self.used.items()}
        if self.docs.is_dir():
            for f in self.docs.iterdir():
                if f.name not in keep:
                    f.unlink(missing_ok=True)


class PairCache:
    """Task alignments of (child, parent) document pairs, by the two documents' cache keys.

    One file, ``DIR/cache/align.pkl``: {pair key: [(child task id, parent task id, score), ...]}.
    Valid while the alignment code (ALIGN_MODULES) is unchanged.
    """

    def __init__(self, out: str | Path, reuse: bool = True):
        self.path = Path(out) / "cache" / "align.pkl"
        self.pairs: dict[str, list] = {}
        self.used: dict[str, list] = {}
        self.hits = 0
        self.misses = 0
        try:
            if not reuse:
                return
            with open(self.path, "rb") as f:
                fp, pairs = pickle.load(f)
            if fp == code_fingerprint(ALIGN_MODULES):
                self.pairs = pairs
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError):
            self.pairs = {}

    @staticmethod
    def key(child_key: str, parent_key: str) -> str:
        return f"{child_key}>{parent_key}"

    def get(self, key: str) -> Optional[list]:
        value = self.pairs.get(key)
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
            self.used[key] = value
        return value

    def put(self, key: str, value: list) -> None:
        self.used[key] = value

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = (code_fingerprint(ALIGN_MODULES), dict(sorted(self.used.items())))
        write_atomic(self.path, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))



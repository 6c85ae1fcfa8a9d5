"""The incremental-build cache: parsed documents kept in ``DIR/cache/`` between builds.

A build into a directory that already holds one reuses what did not change:

- ``DIR/cache/index.json`` maps each input path to ``[size, mtime_ns, sha256]``. A file whose
  size and modification time are unchanged is not read again (its recorded sha256 stands); any
  other file is read and hashed.
- ``DIR/cache/docs/{key}.pkl`` holds the ``kg.model.Reading`` of one input and its parsed
  ``Document`` (its org ids filled), two pickles one after the other: the Reading alone is
  read without the records (``load_reading``). ``key`` hashes the file's sha256, its path, its
  name and document id (kg.identity), the override rules (their digest) and the code that
  produces them (``kg.fingerprints.parse_fingerprint``), so a changed parser never serves stale records.

The code fingerprints are the stages' (kg.fingerprints): a parsed document's covers the modules
of the parse stage and what they import, kg/data/, the Python version and the libraries whose
output a build keeps (pyoxigraph, jieba, pypinyin, the document readers, the scorers): after an
edit of that code or an upgrade, what the cache holds is made again.

**A handed-over build folder runs no code.** Every cache file is sealed (``Seal``): an HMAC-SHA256
of its bytes, with a key made for this folder on first build and kept outside it, under
``$XDG_CACHE_HOME/dutygraph/keys/`` (``~/.cache/dutygraph/keys/``); ``DIR/cache/id`` names the
key. A file is unpickled only when its seal checks; one that does not (a folder built by someone
else, or changed) is ignored, noted (``Seal.rejected``), and made again.

Nothing here changes the build's outputs: a build with a warm cache writes the same bytes as a
clean one. Delete ``DIR/cache/`` (or build with ``incremental=False``) to start from nothing.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import pickle
import secrets
import stat
from pathlib import Path
from typing import Optional

from kg.atomic import write_atomic
from kg.errors import KgError
from kg.fingerprints import graph_fingerprint, parse_fingerprint
from kg.model import Document


class CacheDamaged(KgError):
    """A cache file that should be there is missing, or its seal does not check."""

FORMAT = 4  # bump when the cache layout changes


# ---------------------------------------------------------------------------- seals

# A sealed file: a first line ``DGSEAL1 <HMAC-SHA256 in hex>``, then the data (a JSON file stays
# readable: ``sed 1d DIR/cache/graphs.json``).
MAGIC = b"DGSEAL1 "
_HEAD = len(MAGIC) + 64 + 1


def key_dir() -> Path:
    """Where the keys of build folders are kept: $XDG_CACHE_HOME/dutygraph/keys, else
    ~/.cache/dutygraph/keys."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dutygraph" / "keys"


class Seal:
    """Seals and checks the cache files of one build folder (``root``: its cache/ folder) with
    the folder's key. ``open`` gives a file's bytes when its seal checks, else None (and counts
    it in ``rejected``). Without a place for keys (no writable home), nothing is kept: every
    check fails and every build reads everything."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.rejected = 0
        self.key: Optional[bytes] = None
        self.id: Optional[str] = None
        ident = _read_small(self.root / "id")
        if ident is not None:
            ident = ident.decode("ascii", "replace").strip()
            if len(ident) == 32 and all(c in "0123456789abcdef" for c in ident):
                key = _read_small(key_dir() / ident)
                if key is not None and len(key) == 32:
                    self.key, self.id = key, ident

    def ensure(self) -> bool:
        """Make a key for this folder if it has none (written before any sealed file); False
        when no key can be kept."""
        if self.key is not None:
            return True
        ident, key = secrets.token_hex(16), secrets.token_bytes(32)
        try:
            d = key_dir()
            d.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(d / ident, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(key)
            write_atomic(self.root / "id", ident.encode() + b"\n")
        except OSError:
            return False
        self.key, self.id = key, ident
        return True

    def seal(self, name: str, data: bytes) -> bytes:
        """The bytes of the cache file ``name`` (its path under cache/) holding ``data``."""
        if not self.ensure():
            raise OSError("no key")
        mac = hmac.digest(self.key, name.encode("utf-8") + b"\0" + data, "sha256")
        return MAGIC + mac.hex().encode() + b"\n" + data

    def open(self, name: str, blob: Optional[bytes]) -> Optional[memoryview]:
        """The data of the cache file ``name`` whose bytes are ``blob``, when its seal checks."""
        if blob is None:
            return None
        if self.key is None or len(blob) < _HEAD or not blob.startswith(MAGIC) or blob[_HEAD - 1] != 10:
            self.rejected += 1
            return None
        view = memoryview(blob)[_HEAD:]
        h = hmac.new(self.key, name.encode("utf-8") + b"\0", "sha256")
        h.update(view)
        if not hmac.compare_digest(h.hexdigest().encode(), blob[len(MAGIC):_HEAD - 1]):
            self.rejected += 1
            return None
        return view

    def write(self, name: str, data: bytes) -> Optional[Path]:
        """Write the cache file ``name`` sealed (atomically); None when no key can be kept."""
        if not self.ensure():
            return None
        return write_atomic(self.root / name, self.seal(name, data))

    def read(self, name: str) -> Optional[memoryview]:
        """The data of the cache file ``name`` when it is a regular file whose seal checks."""
        return self.open(name, _read_regular(self.root / name))

    def load(self, name: str):
        """The object pickled in the cache file ``name``, or None (missing, or its seal fails)."""
        data = self.read(name)
        return None if data is None else pickle.loads(data)


def _read_regular(path: Path) -> Optional[bytes]:
    """The bytes of ``path`` when it is a regular file (never through a symbolic link), else None."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            return None
        return f.read()


def _read_small(path: Path) -> Optional[bytes]:
    data = _read_regular(path)
    return data if data is not None and len(data) < 4096 else None


# ---------------------------------------------------------------------------- documents

class DocCache:
    """Parsed documents of earlier builds, by input file. ``seal``: the folder's Seal (one is
    made for ``out/cache`` when not given)."""

    def __init__(self, out: str | Path, reuse: bool = True, salt: str = "", seal: Optional[Seal] = None):
        self.salt = salt  # the digest of the override rules (kg.resolve.entities.rules_digest)
        self.seal = seal if seal is not None else Seal(Path(out) / "cache")
        self.index: dict[str, list] = {}
        self.used: dict[str, list] = {}  # the index of this build
        self.keys: dict[str, str] = {}  # document id -> its cache key (what the document's records depend on)
        self.hits = 0
        self.misses = 0
        if reuse:
            data = self.seal.read("index.json")
            try:
                data = json.loads(bytes(data)) if data is not None else {}
                if data.get("fingerprint") == parse_fingerprint():
                    self.index = data.get("files", {})
            except (ValueError, AttributeError):
                self.index = {}

    @property
    def root(self) -> Path:
        """The cache folder (its seal's: a build moves it when it swaps its stage in)."""
        return self.seal.root

    @property
    def docs(self) -> Path:
        return self.seal.root / "docs"

    # ------------------------------------------------------------------ lookups
    def key(self, path: str, sha256: str, name: str = "", doc_id: str = "") -> str:
        """The key of the records of input ``path`` (its bytes' ``sha256``, its ``name`` and
        ``doc_id`` in the build: kg.identity)."""
        text = f"{parse_fingerprint()}\0{self.salt}\0{path}\0{sha256}\0{name}\0{doc_id}"
        return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32]

    def source_key(self, source) -> str:
        """The key of the records read from ``source`` (a kg.model.Source)."""
        return self.key(source.path, source.sha256, source.name, source.id or "")

    def file(self, key: str) -> Path:
        return self.docs / f"{key}.pkl"

    @staticmethod
    def _name(key: str) -> str:
        return f"docs/{key}.pkl"

    @staticmethod
    def dumps(doc: Document, reading) -> bytes:
        """A cache file's data: the Reading pickled, then the Document."""
        return pickle.dumps(reading, protocol=pickle.HIGHEST_PROTOCOL) + pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def loads(blob) -> tuple:
        """(Document, Reading) from a cache file's data (dumps)."""
        import io

        f = io.BytesIO(blob)
        reading = pickle.load(f)
        return pickle.load(f), reading

    def _data(self, key: str):
        data = self.seal.read(self._name(key))
        if data is None:
            raise CacheDamaged(f"{self.docs}/{key}.pkl: a cache file is missing or its seal does not check; "
                               "build again (with --full if this repeats)")
        return data

    def load(self, key: str) -> tuple:
        """(Document, Reading) stored under ``key`` (CacheDamaged when missing or not sealed by this folder)."""
        return self.loads(self._data(key))

    def load_reading(self, key: str):
        """The Reading stored under ``key``, without unpickling its document."""
        import io

        return pickle.load(io.BytesIO(self._data(key)))

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

    def get(self, path: str, name: str = "", doc_id: str = "") -> Optional[tuple]:
        """The cached (Document, Reading) of ``path`` (named ``name``, with id ``doc_id`` in this
        build) when the file is unchanged, else None."""
        sha = self.known_sha(path)
        if sha is None:
            self.misses += 1
            return None
        try:
            got = self.load(self.key(path, sha, name, doc_id))
        except (CacheDamaged, OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError,
                TypeError):
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
        key = self.source_key(doc.source)
        self.keys[doc.id] = key
        if path in self.used:
            return
        st = os.stat(path)
        self.used[path] = [st.st_size, st.st_mtime_ns, sha]
        self.store(doc, lambda: self.dumps(doc, reading))

    def store(self, doc: Document, blob) -> None:
        """Write the cache file of ``doc`` unless there is one (``blob``: a callable giving its
        data, see dumps). Only the file: ``put`` records the document. A parse worker calls
        this, so that the files are written in parallel."""
        key = self.source_key(doc.source)
        target = self.file(key)
        if not target.exists():
            self.docs.mkdir(parents=True, exist_ok=True)
            self.seal.write(self._name(key), blob())

    def save(self) -> None:
        """Write the index of this build and drop the records no input uses any more."""
        self.root.mkdir(parents=True, exist_ok=True)
        data = {"fingerprint": parse_fingerprint(), "files": dict(sorted(self.used.items()))}
        self.seal.write("index.json", json.dumps(data).encode())  # ASCII: a path that is not UTF-8 escaped
        keep = {f"{k}.pkl" for k in self.keys.values()}
        if self.docs.is_dir() and not self.docs.is_symlink():
            for f in self.docs.iterdir():
                if f.name not in keep:
                    f.unlink(missing_ok=True)


class PairCache:
    """Task alignments of (child, parent) document pairs, by the two documents' cache keys.

    One file, ``DIR/cache/align.pkl``: {pair key: [(child task id, parent task id, score), ...]}.
    Valid while the code is unchanged (kg.fingerprints.graph_fingerprint).
    """

    def __init__(self, out: str | Path, reuse: bool = True, seal: Optional[Seal] = None):
        self.seal = seal if seal is not None else Seal(Path(out) / "cache")
        self.pairs: dict[str, list] = {}
        self.used: dict[str, list] = {}
        self.hits = 0
        self.misses = 0
        if not reuse:
            return
        try:
            got = self.seal.load("align.pkl")
            if got is not None:
                fp, pairs = got
                if fp == graph_fingerprint():
                    self.pairs = pairs
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError):
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

    @property
    def path(self) -> Path:
        return self.seal.root / "align.pkl"

    def save(self) -> None:
        data = (graph_fingerprint(), dict(sorted(self.used.items())))
        self.seal.write("align.pkl", pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))

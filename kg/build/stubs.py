"""The stand-ins of a quick update (kg.build.quick) for what stays in the build's cache: a Stub
for each unchanged document, an Organisations dict that loads the unchanged parts'
organisations on first use. They are the build layer's: the records of kg.model know nothing
of the cache, and the stages read a stub as they read a Document (what they need of it is
held; anything else loads the document)."""
from __future__ import annotations

from kg.build.cache import CacheDamaged
from kg.model import Document, Source


class Stub:
    """An unchanged document of an earlier build, as the whole-corpus stages of an incremental
    update see it (kg.build.quick): what linking, the corpus graph and the manifest read (title,
    level, region, parents, diagnostics …), its counts, its cache key and the regions its units
    tie (kg.model.Reading.ties). Its records (tasks, sections, measures) are not held: any other
    attribute loads the whole document from the build's cache on first use (``load``), so code
    that needs them still gets them."""

    LIGHT = ("id", "kind", "title", "level", "region", "period", "parents", "diagnostics", "year",
             "reporting_body", "section_themes")

    def __init__(self, doc: "Document", counts: dict, key: str, ties: tuple):
        for name in self.LIGHT:
            setattr(self, name, getattr(doc, name))
        s = doc.source
        self.source = Source(s.path, s.name, s.sha256, s.format, "", s.encoding, s.id)
        self.counts = dict(counts)
        self.key = key
        self.ties = ties

    def __getattr__(self, name: str):
        if name.startswith("__") or name in ("load", "full"):
            raise AttributeError(name)
        full = self.__dict__.get("full")
        if full is None:
            load = self.__dict__.get("load")
            if load is None:
                raise AttributeError(f"{name}: the stub of {self.__dict__.get('id')} cannot load its document")
            full = self.full = load(self)
        return getattr(full, name)

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in ("load", "full")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)


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

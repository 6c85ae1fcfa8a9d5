"""Document identity: the name and the id of each file a build reads.

A file's *name* is its path relative to the folder the build was given (``城中区/实施方案.txt``),
or its base name when the file was given itself; it is what diagnostics, the manifest and
``dg:fileName`` show. A document's *id* is an ASCII slug of that name without its extension,
the same as ever for a file at the top of the folder (``000_b7f676789088e75d``), and hashed where
the name holds anything else (``doc-1a2b3c4d``, ``sub-plan-5e6f7a8b``). So files with the same
base name in different folders are different documents.

Within one build, names and ids are made unique: two inputs with the same name (the same file
name at the top of two folders given) are named by their path as given; two names with the same
id (``plan.docx`` and ``plan.pdf``) get their extension in the id (``plan-docx``, ``plan-pdf``);
what still collides gets a hash of its path. The same inputs always give the same ids.

File names that are not UTF-8 (a GBK name from a Windows zip) are shown decoded as GB18030, else
with U+FFFD for the bytes that cannot be read; the path itself keeps its bytes, to open the file.
"""
from __future__ import annotations

import hashlib
import os
import re
from collections import Counter

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def slug(stem: str) -> str:
    """An ASCII id for a name without its extension: the name itself when it is made of
    ``A-Za-z0-9_-`` only, else what is left of those (folders joined by ``-``) and a hash."""
    keep = _UNSAFE.sub("", stem)
    if keep == stem and keep:
        return keep
    if "/" in stem:
        keep = "-".join(x for x in (_UNSAFE.sub("", part) for part in stem.split("/")) if x)
    return (keep[:40] + "-" if keep else "doc-") + hashlib.sha1(stem.encode("utf-8")).hexdigest()[:8]


def name_id(name: str, with_extension: bool = False) -> str:
    """The id of a file named ``name`` (kg.model.Source.name): its slug without the extension,
    or with it (``plan.docx`` -> ``plan-docx``)."""
    stem, dot, ext = name.rpartition(".")
    if not dot or "/" in ext:
        stem, ext = name, ""
    if with_extension and ext:
        stem = f"{stem}-{ext.lower()}"
    return slug(stem)


def document_id(source) -> str:
    """The id of the document read from ``source`` (a kg.model.Source): the one its build gave
    it, else the id of its name."""
    return source.id or name_id(source.name)


def shown(path: str) -> str:
    """``path`` as text: a name that is not UTF-8 (os.fsdecode keeps its bytes as surrogates) is
    decoded as GB18030, else with U+FFFD for what cannot be read."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        pass
    raw = os.fsencode(path)
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")


def assign(found: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(path, name, id) of each input: ``found`` gives (path as given, path relative to the folder
    it was found in, or its base name), in the build's order."""
    names = [shown(rel).replace(os.sep, "/") for _, rel in found]
    count = Counter(names)
    names = [shown(path).replace(os.sep, "/") if count[n] > 1 else n for (path, _), n in zip(found, names)]
    ids = [name_id(n) for n in names]
    count = Counter(ids)
    ids = [name_id(n, with_extension=True) if count[i] > 1 else i for n, i in zip(names, ids)]
    count = Counter(ids)
    ids = [f"{i}-{hashlib.sha1(os.fsencode(path)).hexdigest()[:8]}" if count[i] > 1 else i
           for (path, _), i in zip(found, ids)]
    return [(path, n, i) for (path, _), n, i in zip(found, names, ids)]


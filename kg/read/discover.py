"""Which files a build reads: the paths given, folders walked in sorted order (hidden files and
folders and ``~$`` Office lock files skipped, documents only), regular files only (a FIFO or a
device named x.txt is not opened), one file reached twice (a link, a path given twice) once;
broken and looping symbolic links get their own error line."""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from kg.errors import KgError
from kg.identity import assign
from kg.read.failure import fail, short
from kg.read.formats import EXTENSIONS, SUPPORTED


def list_files(paths: list[str]) -> list[str]:
    """The files ``read_paths`` reads, in its order, without reading them."""
    return [path for path, _ in list_inputs(paths)]


def list_documents(paths: list[str]) -> list[tuple[str, str, str]]:
    """(path, name, document id) of every file a build of ``paths`` reads, in its order: the
    name is the path relative to the folder given (kg.identity)."""
    return assign(list_inputs(paths))


def stat_path(given: str) -> os.stat_result:
    """os.stat of a path given, or the KgError saying why there is none (no such file, a broken or
    looping symbolic link, no permission)."""
    try:
        return os.stat(given)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise fail(given, "is a symbolic link that loops (it points, in the end, at itself); "
                              "fix or remove the link") from None
        if os.path.lexists(given) and isinstance(e, FileNotFoundError):
            raise fail(given, "is a broken symbolic link (what it points to is gone); fix the link") from None
        if isinstance(e, FileNotFoundError):
            raise fail(given, "no such file or folder; check the path") from None
        raise fail(given, f"cannot be read ({e.strerror or short(e)}); check its permissions") from None


def list_inputs(paths: list[str]) -> list[tuple[str, str]]:
    """(path, path relative to the folder given, or the base name of a file given) of the files
    ``read_paths`` reads, in its order: folders walked in sorted order, regular files only."""
    if not paths:
        raise KgError("no documents given; name the files or folders to read")
    files: list[tuple[str, str]] = []
    for given in paths:
        given = os.fspath(given)
        st = stat_path(given)
        if stat.S_ISDIR(st.st_mode):
            found = _walk(given)
            if not found:
                raise fail(given, f"folder has no documents ({SUPPORTED}); "
                                  "point at a folder that holds plans or reports")
            files.extend(found)
        elif stat.S_ISREG(st.st_mode):
            files.append((given, os.path.basename(given)))
        else:
            raise fail(given, "not a regular file or folder (a pipe or a device?); give a document or a folder")
    seen: set = set()
    unique = []
    for f, rel in files:
        try:  # one file under two names (a link, a path given twice) is read once
            st = os.stat(f)
            key: tuple = (st.st_dev, st.st_ino)
        except OSError:  # a broken link: read_file says what is wrong with it
            key = (os.path.realpath(f),)
        if key in seen:
            continue
        seen.add(key)
        unique.append((f, rel))
    return unique


def _walk(folder: str) -> list[tuple[str, str]]:
    out = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        rel = os.path.relpath(dirpath, folder)
        for name in filenames:
            if name.startswith((".", "~$")):
                continue
            if os.path.splitext(name)[1].lower() in EXTENSIONS:
                try:  # regular files only: a FIFO named x.txt would block the build forever
                    if not stat.S_ISREG(os.stat(os.path.join(dirpath, name)).st_mode):
                        continue
                except OSError:
                    pass  # a broken link: read_file says what is wrong with it
                out.append(name if rel == os.curdir else os.path.join(rel, name))
    out.sort(key=lambda r: Path(r).as_posix())
    return [(os.path.join(folder, r), r) for r in out]

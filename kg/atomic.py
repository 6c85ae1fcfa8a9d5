"""Writing files and folders so that a failed or killed run never leaves them half-written.

- ``write_atomic(path, data)``: a file, through a temp file in the same folder and a rename;
  its mode follows the umask, like any file the user makes (0644 under the usual 022).
- ``FolderLock(dir)``: one build at a time into a folder (an exclusive ``flock`` on the folder
  itself); a second one fails at once with one line.
- ``Stage(dir)``: a build of ``dir`` written beside it (``NAME.tmp-XXXXXXXXXXXX``) and swapped in
  by ``commit()`` in one step (``renameat2(RENAME_EXCHANGE)`` on Linux), so that the path
  ``dir`` always names a whole build: the old one until the swap, the new one after it.
  ``carry(src, dst)`` fills a stage with hard links of what it keeps from the old folder.
- ``disk_full(exc)``: whether an error is the disk running out of space.

A run killed at any moment leaves the previous folder whole and, beside it, a stage that the
next build into the same folder removes (``sweep``).
"""
from __future__ import annotations

import errno
import os
import secrets
import shutil
import stat
from pathlib import Path
from typing import Iterable, Optional

from kg.errors import KgError

# A file every build folder holds, so that a stage (or an old folder swapped out) left by a killed
# run is known to be ours before it is removed. Constant content: a clean build writes the same.
MARK = ".kg-build"
MARK_TEXT = b"A folder written by `kg build` (DutyGraph). NAME.tmp-* folders beside it are unfinished builds.\n"


def write_atomic(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temp file in the same directory, then rename."""
    p = Path(path)
    if p.is_dir():
        raise KgError(f"{p} is a directory: give --out a file name")
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = create_temp(p.parent, "." + p.name + ".", ".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, p)
    except BaseException:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        raise
    return p


def create_temp(folder: str | Path, prefix: str, suffix: str = "") -> tuple[int, str]:
    """(fd, path) of a new file in ``folder``, open for writing, with the mode a new file gets
    from the umask (tempfile.mkstemp makes it 0600)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(100):
        name = os.path.join(folder, f"{prefix}{secrets.token_hex(6)}{suffix}")
        try:
            return os.open(name, flags, 0o666), name
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(folder))


def disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` (or the message of a child process it carries) says the disk is full."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return True
    text = str(exc)
    return "No space left on device" in text or "Disk quota exceeded" in text


# ---------------------------------------------------------------------------- folders

_HELD: set[int] = set()  # file descriptors of the FolderLocks of this process


def drop_inherited_locks() -> None:
    """In a forked child: close the FolderLock descriptors it inherited, so that it never keeps a
    folder locked after the build that forked it ends (a flock lasts while any copy is open)."""
    for fd in list(_HELD):
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD.clear()


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_renameat2 = None


def exchange(a: str | Path, b: str | Path) -> bool:
    """Swap the entries ``a`` and ``b`` in one step (Linux renameat2 RENAME_EXCHANGE); False
    where the system or the file system cannot (then nothing happened)."""
    global _renameat2
    if _renameat2 is None:
        _renameat2 = False
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            fn = libc.renameat2
            fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
            _renameat2 = (fn, ctypes)
        except (OSError, AttributeError, ImportError):
            pass
    if not _renameat2:
        return False
    fn, ctypes = _renameat2
    if fn(_AT_FDCWD, os.fsencode(str(a)), _AT_FDCWD, os.fsencode(str(b)), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, getattr(errno, "ENOTSUP", errno.EINVAL), errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def is_ours(folder: Path) -> bool:
    """A folder written by kg build: it holds MARK, or a dutygraph manifest (builds before MARK)."""
    try:
        if stat.S_ISREG(os.lstat(folder / MARK).st_mode):
            return True
        m = folder / "manifest.json"
        return stat.S_ISREG(os.lstat(m).st_mode) and b'"tool": "dutygraph"' in m.read_bytes()[:4096]
    except OSError:
        return False


def remove_ours(folder: Path) -> None:
    """Remove a folder written by kg build, its MARK last: a run killed while removing it leaves
    a folder still known as ours, which the next sweep finishes."""
    try:
        if not stat.S_ISREG(os.lstat(folder / MARK).st_mode):
            raise OSError
    except OSError:
        try:
            (folder / MARK).write_bytes(MARK_TEXT)  # known as ours from now on
        except OSError:
            pass
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for e in entries:
        if e.name == MARK:
            continue
        try:
            if e.is_dir(follow_symlinks=False):
                shutil.rmtree(e.path, ignore_errors=True)
            else:
                os.unlink(e.path)
        except OSError:
            pass
    try:
        os.unlink(folder / MARK)
        os.rmdir(folder)
    except OSError:
        pass


def back(moved: Path, home: Path) -> None:
    """Put the folder ``moved`` back at ``home`` (whose parent must be a folder) unless ``home``
    exists; nothing when ``moved`` is not a real folder."""
    try:
        if (stat.S_ISDIR(os.lstat(moved).st_mode) and not os.path.lexists(home)
                and stat.S_ISDIR(os.lstat(home.parent).st_mode)):
            os.rename(moved, home)
    except OSError:
        pass


def sweep(target: Path, keep: Iterable[str] = ()) -> None:
    """Remove what killed runs left beside ``target``: stages and old folders swapped out
    (``NAME.tmp-*``, ``NAME.old-*``) that are ours; the folders named in ``keep`` (paths inside
    them, such as cache/docs, that a build moves into its stage) are first put back into
    ``target`` when it lacks them. Call it holding the FolderLock."""
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return
    for e in entries:
        if not e.name.startswith((target.name + ".tmp-", target.name + ".old-")):
            continue
        p = Path(e.path)
        if not e.is_dir(follow_symlinks=False):
            continue
        if is_ours(p):
            for rel in keep:  # what a killed build had moved into its stage goes back
                back(p / rel, target / rel)
            remove_ours(p)
        else:
            try:
                os.rmdir(p)  # a stage killed before it was marked: empty
            except OSError:
                pass


def carry(src: Path, dst: Path, skip: Iterable[str] = (), unlinked: Iterable[str] = (), links: bool = True) -> None:
    """Put in ``dst`` what ``src`` holds (but the names in ``skip``) without copying data: hard
    links of regular files, the same symbolic links (never followed: nothing is written or
    deleted through a link), folders made anew and filled alike; other entries (FIFOs,
    sockets) are left. In the folders named in ``unlinked`` (the build's own, such as cache/),
    and everywhere when not ``links``, symbolic links are left out: what the build writes there
    stays in the folder. Where hard links fail (another file system), files are copied. A name in
    ``skip`` may be a path (``cache/docs``)."""
    skip, unlinked = set(skip), set(unlinked)
    inner: dict[str, set] = {}
    for name in [x for x in skip if "/" in x]:
        head, _, rest = name.partition("/")
        inner.setdefault(head, set()).add(rest)
        skip.discard(name)
    try:
        entries = list(os.scandir(src))
    except FileNotFoundError:
        return
    for e in entries:
        if e.name in skip:
            continue
        s, d = Path(e.path), dst / e.name
        try:
            st = os.lstat(s)
        except OSError:
            continue
        if stat.S_ISLNK(st.st_mode):
            if links and e.name not in unlinked:
                os.symlink(os.readlink(s), d)
        elif stat.S_ISDIR(st.st_mode):
            os.mkdir(d, 0o777)
            carry(s, d, skip=inner.get(e.name, ()), links=links and e.name not in unlinked)
        elif stat.S_ISREG(st.st_mode):
            try:
                os.link(s, d, follow_symlinks=False)
            except OSError as exc:
                if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP):
                    raise
                shutil.copy2(s, d, follow_symlinks=False)


def target_of(out: str | Path) -> Path:
    """The folder a build writes: ``out`` itself, or where it points when it is a symbolic link
    (the link stays; the folder it names is replaced)."""
    p = Path(out)
    if p.is_symlink():
        return Path(os.path.realpath(p))
    return Path(os.path.abspath(p))


class FolderLock:
    """An exclusive lock on a build folder (created when missing), held until ``release()`` (or
    the end of a ``with`` block, or the process). A second build into the same folder fails at
    once with one line. The lock is on the folder itself: when a build swaps a new folder in
    (Stage.commit), it holds the new one's lock too, and a build that was waiting locks the
    folder the path names now."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.created = False
        self._fds: list[int] = []

    def acquire(self) -> "FolderLock":
        try:
            import fcntl
        except ImportError:  # no flock (Windows): one build at a time is up to the user
            return self
        if self.folder.exists() and not self.folder.is_dir():
            raise KgError(f"{self.folder} is a file: give --out a directory")
        for _ in range(50):
            try:
                self.folder.parent.mkdir(parents=True, exist_ok=True)
                os.mkdir(self.folder, 0o777)
                self.created = True
            except FileExistsError:
                pass
            try:
                fd = os.open(self.folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
            except FileNotFoundError:
                continue  # swapped out that instant: try again
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise KgError(f"{self.folder}: another build is writing this folder; wait for it to finish, "
                              f"or build into another folder") from None
            held = os.fstat(fd)
            try:
                now = os.stat(self.folder)
            except FileNotFoundError:
                now = None
            if now is not None and (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino):
                self._fds.append(fd)
                _HELD.add(fd)
                return self
            os.close(fd)  # the folder we locked was swapped out meanwhile: lock the one there now
        raise KgError(f"{self.folder}: the folder keeps changing under this build; stop what writes it and retry")

    def hold(self, folder: Path) -> None:
        """Lock ``folder`` too (a stage about to become the build folder)."""
        try:
            import fcntl
        except ImportError:
            return
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._fds.append(fd)
        _HELD.add(fd)

    def release(self) -> None:
        for fd in self._fds:
            _HELD.discard(fd)
            os.close(fd)
        self._fds = []

    def __enter__(self) -> "FolderLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


class Stage:
    """A new state of the folder ``target``, written in a folder beside it and swapped in by
    ``commit()``. ``abort()`` removes it (a failed build leaves ``target`` as it was);
    ``old`` is, after commit, the previous folder (moved aside), for ``discard``."""

    def __init__(self, target: Path):
        self.target = Path(target)
        self.path = self.target.parent / f"{self.target.name}.tmp-{secrets.token_hex(6)}"
        os.mkdir(self.path, 0o777)
        (self.path / MARK).write_bytes(MARK_TEXT)
        self.old: Optional[Path] = None
        self.committed = False

    def commit(self) -> None:
        """Make the stage the folder ``target`` in one step (the old folder moves to the stage's
        name). Where the system cannot swap two folders at once, the old one is renamed aside and
        the stage renamed in: for an instant there is no folder."""
        if not os.path.lexists(self.target):
            os.rename(self.path, self.target)
        elif exchange(self.path, self.target):
            self.old = self.path
        elif self._is_empty_dir(self.target):
            os.rmdir(self.target)
            os.rename(self.path, self.target)
        else:
            old = self.target.parent / f"{self.target.name}.old-{secrets.token_hex(6)}"
            os.rename(self.target, old)
            try:
                os.rename(self.path, self.target)
            except BaseException:
                os.rename(old, self.target)
                raise
            self.old = old
        self.committed = True

    @staticmethod
    def _is_empty_dir(p: Path) -> bool:
        try:
            return p.is_dir() and not p.is_symlink() and not any(os.scandir(p))
        except OSError:
            return False

    def abort(self) -> None:
        if not self.committed:
            remove_ours(self.path)

    def discard(self, background: bool = False) -> None:
        """Remove the previous folder (after commit): at once, or by a detached process
        (``remove_later``) when the caller should not wait for the file system."""
        if self.old is None:
            return
        if background:
            remove_later([self.old])
        else:
            remove_ours(self.old)
        self.old = None


def remove_later(paths: list) -> None:
    """Remove ``paths`` (files or folders) without waiting: a detached process does it (forked
    twice, so that none is left for this one to reap), or, where there is no fork, a thread that
    the interpreter waits for at exit. What it misses (the machine stopped) the next build into
    the same folder sweeps."""
    paths = [Path(p) for p in paths if p is not None]
    if not paths:
        return

    def drop():
        for p in paths:
            try:
                if p.is_dir() and not p.is_symlink():
                    remove_ours(p) if is_ours(p) else shutil.rmtree(p, ignore_errors=True)
                else:
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
                drop_inherited_locks()
                drop()
        finally:
            os._exit(0)
    os.waitpid(pid, 0)

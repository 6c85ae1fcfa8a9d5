"""Bulk-load a store while its N-Quads are written, in a child process.

    >>> from kg.build.loader import Loader
    >>> with Loader(Path("out.tmp/store")) as loader:     # starts `python -m kg.build.loader out.tmp/store`
    ...     loader.file.write(nquads)                     # while the child loads what comes
    ... # on the way out: the input is closed, the child finishes, flushes the store and exits

The child reads each of its inputs (pipes; ``streams`` of them, written one after the other)
with pyoxigraph's bulk loader, in a thread each (lenient: the N-Quads are made by kg.rdf.graphs from
ASCII IRIs and escaped literals), so the store is loaded on the other core while this process
builds the triples. If the build dies, the child notices within half a second and exits.

It is a child process, not a thread, so that it can run with a faster memory allocator than the
C library's: the bulk loader sorts and frees millions of small keys. Loading the 11.9 million
quads of 3,200 plans took 111-126 CPU-seconds with glibc's malloc (six runs), 90-106 with
mimalloc (five) and 96 with jemalloc (one), on the same machine the same day. ``allocator()``
says which one it gets: $KG_MALLOC when set (a library path or name; ``system`` for none), else
mimalloc or jemalloc when installed (Debian packages libmimalloc2.0, libjemalloc2), else none.
The store is the same whichever is used.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

from kg.errors import KgError
from kg.build.parallel import PIPE_BYTES, die_with_parent, widen
from kg.resources import PACKAGE
PRELOADS = ("mimalloc", "jemalloc")  # tried in this order


def allocator() -> Optional[str]:
    """The allocator library the loader preloads, or None (the C library's malloc)."""
    want = os.environ.get("KG_MALLOC")
    if want is not None:
        return None if want.strip() in ("", "system") else want.strip()
    if not sys.platform.startswith("linux"):
        return None
    installed = _linker_cache()
    return next((installed[n] for n in PRELOADS if n in installed), None)


def _linker_cache() -> dict[str, str]:
    """Library name → soname, from the dynamic linker's cache (``ldconfig -p``, one call of a few
    milliseconds; ctypes.util.find_library would also try a compiler for each name it misses,
    30 ms apiece). Empty where ldconfig is missing."""
    try:
        out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        try:
            out = subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            return {}
    found: dict[str, str] = {}
    for line in out.splitlines():
        soname = line.strip().split(" ", 1)[0]
        if soname.startswith("lib") and ".so" in soname:
            found.setdefault(soname[3:soname.index(".so")], soname)
    return found


def _env() -> dict:
    env = dict(os.environ)
    root = str(PACKAGE.parent)  # the child imports this same kg
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    env["KG_LOADER_PARENT"] = str(os.getpid())
    lib = allocator()
    if lib:
        env["LD_PRELOAD"] = " ".join(p for p in (lib, env.get("LD_PRELOAD")) if p)
    return env


class Loader:
    """A child process bulk-loading into the store at ``location`` the N-Quads written to
    ``file``. With ``streams`` > 1, ``next()`` ends the current input and sends what follows to
    another, loaded side by side: the loader finishes what it holds of the first (a partial batch
    of up to a million quads) while this process works on what comes next, instead of at the end.

    ``end()`` closes the inputs; ``wait()`` waits for the child to finish and raises a KgError
    (one line: what the child said) if it failed; ``abort()`` stops it at once. As a context
    manager: ``wait()`` on the way out, ``abort()`` if the block raised."""

    def __init__(self, location: Path, streams: int = 1):
        self.location = Path(location)
        self._err = tempfile.TemporaryFile()
        pipes = [os.pipe() for _ in range(max(1, streams))] if os.name == "posix" else []
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", CHILD, str(PACKAGE.parent), str(self.location)] + [str(r) for r, _ in pipes],
                stdin=subprocess.DEVNULL if pipes else subprocess.PIPE, stdout=subprocess.DEVNULL,
                stderr=self._err, env=_env(), pass_fds=[r for r, _ in pipes], bufsize=PIPE_BYTES)
        except OSError as e:
            for r, w in pipes:
                os.close(r)
                os.close(w)
            self._err.close()
            raise KgError(f"could not start the store loader ({e}): check that {sys.executable} runs") from None
        for r, _ in pipes:
            os.close(r)
        self.inputs = [open(w, "wb", buffering=PIPE_BYTES) for _, w in pipes] or [self.proc.stdin]
        for f in self.inputs:
            widen(f)
        self.current = 0
        self.file = _Input(self)

    def _said(self) -> str:
        self._err.seek(0)
        lines = [x for x in self._err.read().decode("utf-8", "replace").splitlines() if x.strip()]
        return lines[-1].strip() if lines else f"exit status {self.proc.returncode}"

    def _failed(self) -> KgError:
        self.end()
        self.proc.wait()
        return KgError(f"the store loader stopped: {self._said()}")

    def _close(self, f) -> None:
        if not f.closed:
            try:
                f.close()
            except BrokenPipeError:
                pass

    def next(self) -> None:
        """End the current input; what is written next goes to the next one (if any is left)."""
        if self.current + 1 < len(self.inputs):
            try:
                self._close(self.inputs[self.current])
            except OSError:
                raise self._failed() from None
            self.current += 1

    def end(self) -> None:
        for f in self.inputs:
            self._close(f)

    def wait(self) -> None:
        try:
            self.end()
            if self.proc.wait() != 0:
                raise self._failed()
        finally:
            self._err.close()

    def abort(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.end()
        finally:
            self.proc.wait()
            self._err.close()

    def __enter__(self) -> "Loader":
        return self

    def __exit__(self, kind, *exc) -> None:
        if kind is None:
            self.wait()
        else:
            self.abort()


class _Input:
    """Where the writes go (the loader's current input), as a binary file: a write to a child
    that has stopped raises the KgError saying why."""

    def __init__(self, loader: Loader):
        self.loader = loader

    def write(self, data: bytes) -> int:
        try:
            return self.loader.inputs[self.loader.current].write(data)
        except (BrokenPipeError, ValueError):
            raise self.loader._failed() from None


def _load(store, fd: int) -> None:
    import pyoxigraph as ox

    if os.path.exists(f"/dev/fd/{fd}"):
        store.bulk_load(path=f"/dev/fd/{fd}", format=ox.RdfFormat.N_QUADS, lenient=True)
    else:
        with os.fdopen(fd, "rb", closefd=False) as f:
            store.bulk_load(f, format=ox.RdfFormat.N_QUADS, lenient=True)


def load(location: str, fds: list[int]) -> None:
    """Bulk-load the N-Quads read from file descriptors ``fds`` into the store at ``location``,
    each in its own thread, and flush it."""
    import threading

    import pyoxigraph as ox

    parent = int(os.environ.get("KG_LOADER_PARENT") or os.getppid())
    die_with_parent(parent)  # and, where prctl is missing, the watch below
    store = ox.Store(location)
    failed: list[BaseException] = []

    def orphaned() -> None:  # the build was killed: stop instead of loading what it left
        while True:
            if os.getppid() != parent:
                os._exit(1)
            time.sleep(0.5)

    threading.Thread(target=orphaned, daemon=True).start()

    def run(fd: int) -> None:
        try:
            _load(store, fd)
        except BaseException as e:  # noqa: BLE001 - raised below
            failed.append(e)

    threads = [threading.Thread(target=run, args=(fd,)) for fd in fds]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failed:
        raise failed[0]
    store.flush()


# The child imports this very package (the folder above PACKAGE first on its path), not a kg/ that
# happens to be in the folder it runs in, which ``python -m`` would put first.
CHILD = "import sys; sys.path.insert(0, sys.argv.pop(1)); from kg.build.loader import main; sys.exit(main(sys.argv[1:]))"


def main(argv: list[str]) -> int:
    if not argv or not all(x.isdigit() for x in argv[1:]):
        print("usage: python -m kg.build.loader STORE_DIR [FD ...]  (N-Quads on standard input, or on each FD)",
              file=sys.stderr)
        return 2
    try:
        load(argv[0], [int(x) for x in argv[1:]] or [0])
    except KeyboardInterrupt:
        return 130
    except BaseException as e:  # noqa: BLE001 - one line for the parent (Loader) to report
        print(f"{type(e).__name__}: {e}".splitlines()[0], file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Run one function over many items on every core, keeping the input order.

Used by the pipeline for the stages that work one document (or one pair of documents) at a
time: parsing and task alignment. Results come back in input order, so a parallel run gives
the same records, and the same output bytes, as a serial one.

Workers die with the process that forked them (``die_with_parent``: a build killed with
``kill -9`` leaves no worker behind), and hold no end of another worker's pipe.

Workers are forked, so they share the parent's memory as it was when they started, the items
and ``shared`` (read by the worker as ``kg.build.parallel.shared()``) included: nothing is pickled on
the way in, only results on the way back. The calling process works too (pmap). ``KG_WORKERS=1``
forces a serial run; ``KG_WORKERS=N`` sets the number of processes, the calling one included.
"""
from __future__ import annotations

import os
from typing import Any, Callable, Sequence

from kg.atomic import drop_inherited_locks
from kg.errors import KgError
from kg.nogc import no_gc  # noqa: F401  (kg.build.parallel.no_gc: the pause the workers share)

_SHARED: Any = None


def shared() -> Any:
    """What the parent passed as ``shared`` to ``pmap`` (inside a worker, or a serial run)."""
    return _SHARED


def workers(work: float, minimum: float, items: int) -> int:
    """Processes to use: $KG_WORKERS if set; 1 when ``work`` is below ``minimum`` (forking and
    pickling would cost more than they save) or there are few items; else one per core."""
    if not can_fork():
        return 1
    env = os.environ.get("KG_WORKERS")
    if env:
        return max(1, int(env))
    if work < minimum or items < 4:
        return 1
    return max(1, min(os.cpu_count() or 1, items))


def can_fork() -> bool:
    """Whether this process may start workers: it has fork, and is not itself a daemonic
    multiprocessing worker (which may have no children: kg used inside someone's Pool)."""
    if not hasattr(os, "fork"):
        return False
    import multiprocessing

    return not multiprocessing.current_process().daemon


def pmap(fn: Callable[[Any], Any], items: Sequence[Any], n_workers: int, shared: Any = None) -> list:
    """``[fn(x) for x in items]``, in ``n_workers`` processes when more than one: this one and
    ``n_workers - 1`` forked ones (_share)."""
    global _SHARED
    _SHARED = shared
    try:
        if n_workers <= 1 or len(items) < 2 or not can_fork():
            return [fn(x) for x in items]
        return _share(fn, items, n_workers)
    finally:
        _SHARED = None


# Items per chunk of pmap: one chunk of parsed plans (~100 KB pickled each) fits in a widened
# pipe, so a worker sends it without waiting for this process to read (CHUNK 16 and the default
# 64 KB pipe: parallel parsing 15-20% slower).
CHUNK = 4
PIPE_BYTES = 1 << 20


_LIBC = None


def die_with_parent(parent: int) -> None:
    """In a child process: have the kernel kill it (SIGKILL) when its parent dies (Linux
    ``prctl(PR_SET_PDEATHSIG)``), and exit at once if the parent ``parent`` is gone already. It
    also closes the folder locks it inherited (kg.atomic.drop_inherited_locks)."""
    global _LIBC
    drop_inherited_locks()
    try:
        import ctypes
        import signal

        if _LIBC is None:
            _LIBC = ctypes.CDLL(None, use_errno=True)
        _LIBC.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError, ImportError):
        pass
    if os.getppid() != parent:
        os._exit(1)


def widen(conn) -> None:
    """Make the pipe under ``conn`` (anything with ``fileno()``) hold PIPE_BYTES where the system
    lets it (Linux): a writer blocks less often on a reader that takes large pieces."""
    try:
        import fcntl

        fcntl.fcntl(conn.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError):
        pass


def _share(fn: Callable[[Any], Any], items: Sequence[Any], n_workers: int) -> list:
    """pmap's parallel run: this process and ``n_workers - 1`` forked ones take chunks of
    ``items`` in turn (a shared counter) until none is left. The forked ones send each chunk's
    results back at once, and a thread here unpickles them while this process works on its own
    chunks: unpickling the results (a fifth of a parse) is done on a core that works anyway,
    instead of by a third process competing with two workers. The items reach the workers by
    fork, unpickled. An error stops the others from taking more chunks; the one raised is that
    of the first failing item in input order, as a serial run raises."""
    import multiprocessing
    import threading

    ctx = multiprocessing.get_context("fork")
    n = len(items)
    size = max(1, min(CHUNK, n // (n_workers * 4)))
    n_chunks = (n + size - 1) // size
    counter = ctx.Value("q", 0)
    results: list = [None] * n_chunks
    errors: dict[int, BaseException] = {}

    def take() -> int:
        with counter.get_lock():
            k = counter.value
            counter.value = k + 1
        return k

    def stop() -> None:
        with counter.get_lock():
            counter.value = n_chunks

    def work(k: int) -> list:
        return [fn(x) for x in items[k * size:(k + 1) * size]]

    parent = os.getpid()

    def child(conn, others) -> None:  # pragma: no cover - in the forked processes
        die_with_parent(parent)
        for r in others:  # the read ends it inherited: held here, a full pipe would block it forever
            r.close()
        k = -1
        try:
            while (k := take()) < n_chunks:
                conn.send((k, work(k)))
            conn.send(None)
        except BaseException as e:  # noqa: BLE001 - sent to the parent, which raises it
            stop()
            try:
                conn.send((-1, (k, e)))
            except Exception:  # noqa: BLE001 - an exception that cannot be pickled
                conn.send((-1, (k, RuntimeError(f"{type(e).__name__}: {e}"))))
        finally:
            conn.close()

    def receive(conn, proc) -> None:
        try:
            while True:
                try:
                    msg = conn.recv()
                except EOFError:
                    stop()
                    proc.join(5)
                    errors.setdefault(n_chunks, KgError(
                        f"a worker process stopped before sending its results (exit code {proc.exitcode}): "
                        f"build again, or set KG_WORKERS=1 to work in one process"))
                    return
                if msg is None:
                    return
                k, value = msg
                if k < 0:
                    errors[value[0]] = value[1]
                    return
                results[k] = value
        finally:
            conn.close()

    procs, readers, ends = [], [], []
    try:
        for _ in range(n_workers - 1):
            r, w = ctx.Pipe(duplex=False)
            widen(w)
            ends.append(r)
            proc = ctx.Process(target=child, args=(w, list(ends)), daemon=True)
            proc.start()
            w.close()
            procs.append(proc)
            readers.append(threading.Thread(target=receive, args=(r, proc), daemon=True))
            readers[-1].start()
        k = -1
        try:
            while (k := take()) < n_chunks:
                results[k] = work(k)
        except BaseException as e:  # noqa: BLE001 - raised below, after the workers stop
            stop()
            errors[k] = e
        for t in readers:
            t.join()
        for proc in procs:
            proc.join()
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
                proc.join()
    if errors:
        raise errors[min(errors)]
    return [x for chunk in results for x in chunk]


def _run_all(fn: Callable[[Any], Any], items: list) -> list:
    return [fn(x) for x in items]


def start(fn: Callable[[Any], Any], items: Sequence[Any], shared: Any = None) -> Callable[[], list]:
    """``[fn(x) for x in items]`` in one forked process, started now, while the caller goes on;
    the callable returned waits for the results (and raises what the process raised). Without
    fork, the work is done when the results are asked for."""
    global _SHARED
    items = list(items)
    if not items:
        return lambda: []
    if not can_fork() or os.environ.get("KG_WORKERS") == "1":
        return lambda: pmap(fn, items, 1, shared=shared)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _SHARED = shared
    try:
        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"),
                                   initializer=die_with_parent, initargs=(os.getpid(),))
        future = pool.submit(_run_all, fn, items)  # forks here: the child has _SHARED
    finally:
        _SHARED = None

    def result() -> list:
        try:
            return future.result()
        finally:
            pool.shutdown()

    return result

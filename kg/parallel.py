"""Run one function over many items on every core, keeping the input order.

Used by the pipeline for the stages that work one document (or one pair of documents) at a
time: parsing and task alignment. Results come back in input order, so a parallel run gives
the same records, and the same output bytes, as a serial one.

Workers are forked, so they share the parent's memory as it was when the pool started: pass
large inputs through ``shared`` (read by the worker as ``kg.parallel.shared()``) rather than as
arguments, which would be pickled. ``KG_WORKERS=1`` forces a serial run; ``KG_WORKERS=N`` sets
the number of processes.
"""
from __future__ import annotations

import gc
import os
from contextlib import contextmanager
from typing import Any, Callable, Sequence

_SHARED: Any = None


def shared() -> Any:
    """What the parent passed as ``shared`` to ``pmap`` (inside a worker, or a serial run)."""
    return _SHARED


def workers(work: float, minimum: float, items: int) -> int:
    """Processes to use: $KG_WORKERS if set; 1 when ``work`` is below ``minimum`` (forking and
    pickling would cost more than they save) or there are few items; else one per core."""
    env = os.environ.get("KG_WORKERS")
    if env:
        return max(1, int(env))
    if work < minimum or items < 4 or not hasattr(os, "fork"):
        return 1
    return max(1, min(os.cpu_count() or 1, items))


@contextmanager
def no_gc():
    """Switch the cyclic garbage collector off for a block that builds many small records and
    no reference cycles (parsing; unpickling the workers' results): its passes over the
    growing heap cost ~15% of a parse, and ~5x the unpickling of parsed documents. Forked
    workers inherit the setting. Reference counting still frees everything."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def pmap(fn: Callable[[Any], Any], items: Sequence[Any], n_workers: int, shared: Any = None) -> list:
    """``[fn(x) for x in items]``, in ``n_workers`` forked processes when more than one."""
    global _SHARED
    _SHARED = shared
    try:
        if n_workers <= 1 or len(items) < 2:
            return [fn(x) for x in items]
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        chunk = max(1, min(16, len(items) // (n_workers * 4)))
        with ProcessPoolExecutor(n_workers, mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(fn, items, chunksize=chunk))
    finally:
        _SHARED = None


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
    if not hasattr(os, "fork") or os.environ.get("KG_WORKERS") == "1":
        return lambda: pmap(fn, items, 1, shared=shared)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _SHARED = shared
    try:
        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
        future = pool.submit(_run_all, fn, items)  # forks here: the child has _SHARED
    finally:
        _SHARED = None

    def result() -> list:
        try:
            return future.result()
        finally:
            pool.shutdown()

    return result

"""A pause of the cyclic garbage collector around blocks that make many records and no cycles."""
from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def no_gc():
    """Switch the cyclic garbage collector off for a block that builds many small records and
    no reference cycles (parsing, resolving; unpickling the workers' results): its passes over
    the growing heap cost ~15% of a parse, and ~5x the unpickling of parsed documents. Forked
    workers inherit the setting. Reference counting still frees everything."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()

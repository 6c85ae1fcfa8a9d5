"""How the read stage fails: one line, ``<path>: <what is wrong>; <what to do>`` (a ``KgError``)."""
from __future__ import annotations

from kg.errors import KgError
from kg.identity import shown


def fail(path: str, reason: str) -> KgError:
    """The one-line error naming the file and the reason (any line break in ``reason`` is flattened)."""
    msg = f"{shown(str(path))}: {reason}"
    return KgError(" ".join(msg.split()) if "\n" in msg or "\r" in msg else msg)


def short(exc: BaseException) -> str:
    """An exception as a short phrase for an error line: its type and at most 120 characters of it."""
    text = " ".join(str(exc).split())
    text = text[:120] + "…" if len(text) > 120 else text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__

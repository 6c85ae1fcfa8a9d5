"""Result values: SPARQL answers (pyoxigraph terms, SPARQL 1.1 JSON cells) as plain Python values,
and a final ORDER BY redone in Python exactly as pyoxigraph orders (kg.query.backend, kg.query.endpoint).

This module imports nothing heavy: pyoxigraph is imported inside the functions that need it.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Optional

from kg.vocab import XSD


# ----------------------------------------------------------------------------- result values

def python_value(kind: str, value: str, datatype: Optional[str] = None) -> Any:
    """A result term as a plain Python value: IRIs and most literals as str, numbers, booleans."""
    if kind != "literal" or not datatype:
        return value
    if datatype in (XSD + "integer", XSD + "int", XSD + "long", XSD + "nonNegativeInteger",
                    XSD + "positiveInteger", XSD + "short"):
        try:
            return int(value)
        except ValueError:
            return value
    if datatype in (XSD + "decimal", XSD + "double", XSD + "float"):
        try:
            return float(value)
        except ValueError:
            return value
    if datatype == XSD + "boolean":
        return value.strip() in ("true", "1")
    return value


def from_oxigraph(t) -> Any:
    """pyoxigraph term -> Python value (same rules as the remote JSON results)."""
    if t is None:
        return None
    import pyoxigraph as ox

    if isinstance(t, ox.Literal):
        dt = t.datatype.value if t.datatype is not None else None
        if t.language:
            dt = None
        return python_value("literal", t.value, dt)
    if isinstance(t, ox.NamedNode):
        return t.value
    if isinstance(t, ox.BlankNode):
        return "_:" + t.value
    return str(t)


def from_json(cell: Optional[dict]) -> Any:
    """One cell of SPARQL 1.1 JSON results -> Python value."""
    if cell is None:
        return None
    kind = cell.get("type")
    if kind == "uri":
        return cell["value"]
    if kind == "bnode":
        return "_:" + cell["value"]
    if kind in ("literal", "typed-literal"):
        if cell.get("xml:lang"):
            return cell["value"]
        return python_value("literal", cell["value"], cell.get("datatype"))
    return cell.get("value")


# ----------------------------------------------------------------------------- ORDER BY in Python

_ORDER_KEY = r"(?:(?:ASC|DESC)\s*\(\s*\?\w+\s*\)|\?\w+)"
_ORDER_TAIL = re.compile(r"\bORDER\s+BY\s+(" + _ORDER_KEY + r"(?:\s+" + _ORDER_KEY + r")*)\s*$", re.I)
_ORDER_ONE = re.compile(r"(ASC|DESC)?\s*\(?\s*\?(\w+)", re.I)
_NUMERIC = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
                              "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong",
                              "unsignedShort", "unsignedByte", "decimal", "double", "float")}


def split_order(text: str) -> Optional[tuple[str, list[tuple[str, bool]]]]:
    """``(text without its final ORDER BY, [(variable, descending), …])`` when the query ends with
    an ORDER BY of plain variables (``?v``, ``ASC(?v)``, ``DESC(?v)``); else None."""
    body = "\n".join(line for line in text.rstrip().split("\n") if not line.lstrip().startswith("#"))
    m = _ORDER_TAIL.search(body)
    if not m or body.count("{", 0, m.start()) != body.count("}", 0, m.start()) or "}" not in body[: m.start()]:
        return None  # not the outermost query's (a sub-select's ORDER BY stays where it is)
    keys = [(v, (d or "").upper() == "DESC") for d, v in _ORDER_ONE.findall(m.group(1))]
    return body[: m.start()].rstrip() + "\n", keys


def _sort_class(t) -> tuple[str, Any]:
    """(class, key) of a pyoxigraph term, ordered within its class as SPARQL ORDER BY orders it;
    class '?' when this module does not know how (the caller then leaves the ordering to SPARQL)."""
    import pyoxigraph as ox

    if t is None:
        return "", 0
    if isinstance(t, ox.BlankNode):
        return "?", 0  # blank node ids carry no order a caller could rely on
    if isinstance(t, ox.NamedNode):
        return "iri", t.value
    if isinstance(t, ox.Literal):
        if t.language:
            return "lang:" + t.language, t.value
        dt = t.datatype.value if t.datatype is not None else XSD + "string"
        v = t.value
        if dt == XSD + "string":
            return "str", v
        if dt in _NUMERIC:
            try:
                d = Decimal(v.strip())
                return ("num", d) if d.is_finite() else ("?", 0)
            except Exception:  # noqa: BLE001
                return "?", 0
        if dt == XSD + "date" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
            return "date", v
        if dt == XSD + "gYear" and re.fullmatch(r"\d{4}", v):
            return "gyear", v
        if dt == XSD + "boolean" and v in ("true", "false"):
            return "bool", v == "true"
    return "?", 0


_RANK = {"": 0, "iri": 1}  # unbound first, then IRIs, then literals (SPARQL 1.1 §15.1)


def sort_solutions(names: list[str], rows: list[list], keys: list[tuple[str, bool]]) -> Optional[list[list]]:
    """``rows`` (lists of pyoxigraph terms in ``names`` order) ordered by ``keys`` exactly as
    pyoxigraph's ORDER BY orders them, or None when that cannot be promised: a key not projected, a
    column mixing kinds of literal, or two rows equal on every key (SPARQL leaves their order to the
    engine, and pyoxigraph's sort is not stable)."""
    try:
        idx = [(names.index(v), desc) for v, desc in keys]
    except ValueError:
        return None
    if not rows:
        return rows
    cols = []
    for i, _ in idx:
        classes = set()
        col = []
        for r in rows:
            cls, k = _sort_class(r[i])
            classes.add(cls)
            col.append((_RANK.get(cls, 2), k))
        lits = classes - {"", "iri"}
        if "?" in classes or len(lits) > 1:
            return None
        cols.append(col)
    order = list(range(len(rows)))
    for (i, desc), col in reversed(list(zip(idx, cols))):
        order.sort(key=col.__getitem__, reverse=desc)
    for a, b in zip(order, order[1:]):
        if all(col[a] == col[b] for col in cols):
            return None
    return [rows[i] for i in order]

"""The query library: named SPARQL files in queries/, their header comments, and parameter binding.

Each ``queries/NAME.rq`` starts with a comment header::

    # Title line: what the question is.
    # more description ...
    #
    # @param label  zh      required  A name of the unit.
    # @param doc    iri     optional  A document.
    #
    # @return document  The document id.

Parameters are SPARQL variables of the query. They are bound as RDF terms, never pasted into
the text: locally through pyoxigraph ``substitutions=``; for a remote endpoint through a VALUES
block, written in N-Triples term syntax with proper escaping, put at the start of the outermost
WHERE group (so query files use parameters only in that group, not inside sub-selects, and every
parameter is projected, which pyoxigraph's substitution requires).

Parameter types: string (xsd:string), zh (a @zh literal), iri, date (xsd:date), integer, decimal,
boolean, gyear (xsd:gYear).

This module imports nothing heavy: pyoxigraph is imported inside the functions that need it.
"""
from __future__ import annotations

import datetime as _dt
from decimal import Decimal
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from kg.errors import KgError
from kg.resources import shipped_dir
from kg.query.store import code_only
from kg.vocab import PREFIXES as _ALL_PREFIXES, RDF, XSD

RDF_LANGSTRING = RDF + "langString"
# the prefixes a query may use without declaring them (one table for the project: kg.query.store)
PREFIXES = {k: v for k, v in _ALL_PREFIXES.items() if k in ("dg", "dgr", "eli", "org", "skos", "prov", "dcterms", "schema", "xsd")}
TYPES = ("string", "zh", "iri", "date", "integer", "decimal", "boolean", "gyear")
_DATATYPES = {"string": None, "date": XSD + "date", "integer": XSD + "integer",
              "decimal": XSD + "decimal", "boolean": XSD + "boolean", "gyear": XSD + "gYear"}


def query_dir() -> Path:
    """Where the named queries live: $KG_QUERIES, else the shipped ones (kg.resources: the
    checkout's queries/, or their copy inside an installed wheel)."""
    env = os.environ.get("KG_QUERIES")
    return Path(env) if env else shipped_dir("queries")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    required: bool
    description: str = ""


LIST_MARK = "joined with 、"  # a column documented so holds a GROUP_CONCAT: sorted for stable output
# What the query files' GROUP_CONCATs put between items (written "\u0000" in them): a character no
# name holds (kg.parse.clean drops it from every text), so that a name holding 、 (各县(市、区)人民政府)
# stays one item. tidy() sorts the items and joins them with 、 for the reader.
LIST_SEP = "\x00"


@dataclass(frozen=True)
class Column:
    name: str
    description: str = ""

    @property
    def joined(self) -> bool:
        return LIST_MARK in self.description


@dataclass
class NamedQuery:
    name: str
    text: str
    path: Optional[Path] = None
    title: str = ""
    description: str = ""
    params: list[Param] = field(default_factory=list)
    returns: list[Column] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        return [c.name for c in self.returns]

    def tidy(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Keep the documented columns (all when none are), with joined lists sorted.

        GROUP_CONCAT has no order in SPARQL, so servers differ; sorting keeps answers stable.
        The items are split on LIST_SEP (never on 、, which names hold) and joined with 、.
        """
        if not self.returns:
            return rows
        cols = self.columns
        joined = [c.name for c in self.returns if c.joined]
        out = []
        for r in rows:
            row = {c: r.get(c) for c in cols}
            for c in joined:
                v = row.get(c)
                if isinstance(v, str):
                    parts = sorted({p for p in v.split(LIST_SEP) if p},
                                   key=lambda p: (0, int(p), p) if p.isdigit() else (1, 0, p))
                    row[c] = "、".join(parts) if parts else None
            out.append(row)
        return out

    def param(self, name: str) -> Optional[Param]:
        return next((p for p in self.params if p.name == name), None)


# ----------------------------------------------------------------------------- header parsing

_PARAM = re.compile(r"@param\s+(\w+)\s+(\w+)\s+(required|optional)\s*(.*)$")
_RETURN = re.compile(r"@return\s+(\w+)\s*(.*)$")


def parse(text: str, name: str = "query", path: Optional[Path] = None) -> NamedQuery:
    """Read the header comment of a query: title, description, parameters, returned columns."""
    header: list[str] = []
    for line in text.splitlines():
        s = line.strip()
        if not s.startswith("#"):
            if s:
                break
            continue
        header.append(s[1:].strip() if s.startswith("# ") or s == "#" else s[1:])
    params: list[Param] = []
    returns: list[Column] = []
    prose: list[str] = []
    last: Optional[list] = None  # the list whose last entry a continuation line extends
    for line in header:
        m = _PARAM.match(line)
        if m:
            ptype = m.group(2).lower()
            if ptype not in TYPES:
                raise KgError(f"query {name}: parameter {m.group(1)} has unknown type {ptype!r} "
                              f"(use one of {', '.join(TYPES)})")
            params.append(Param(m.group(1), ptype, m.group(3) == "required", m.group(4).strip()))
            last = params
            continue
        m = _RETURN.match(line)
        if m:
            returns.append(Column(m.group(1), m.group(2).strip()))
            last = returns
            continue
        if last is not None and line and not line.startswith("@"):
            item = last[-1]  # a continuation line of a long description
            last[-1] = type(item)(**{**item.__dict__, "description": f"{item.description} {line}".strip()})
            continue
        last = None
        prose.append(line)
    while prose and not prose[-1]:
        prose.pop()
    first = prose[0] if prose else name
    head, colon, rest = first.partition(":")
    title = head.strip() if colon else first.rstrip(".")
    description = "\n".join(([rest.strip()] if colon and rest.strip() else []) + prose[1:]).strip()
    return NamedQuery(name=name, text=text, path=path, title=title, description=description,
                      params=params, returns=returns)


def available() -> list[NamedQuery]:
    """Every named query in the library, sorted by name."""
    d = query_dir()
    return [parse(p.read_text(encoding="utf-8"), p.stem, p) for p in sorted(d.glob("*.rq"))]


def find(name_or_file: str | os.PathLike) -> NamedQuery:
    """A named query (``tasks-of`` or ``tasks_of``) or a .rq file path."""
    s = str(name_or_file)
    p = Path(s)
    if s.endswith(".rq") or p.is_file():
        if not p.is_file():
            raise KgError(f"query file {s} does not exist")
        return parse(p.read_text(encoding="utf-8"), p.stem, p)
    stem = s.replace("_", "-")
    path = query_dir() / f"{stem}.rq"
    if not path.is_file():
        names = ", ".join(q.name for q in available())
        raise KgError(f"no query named {s!r}: use one of {names}, or a FILE.rq")
    return parse(path.read_text(encoding="utf-8"), stem, path)


# ----------------------------------------------------------------------------- parameter values

@dataclass(frozen=True)
class Term:
    """An RDF term as plain data: kind is 'iri' or 'literal'."""

    kind: str
    value: str
    datatype: Optional[str] = None
    language: Optional[str] = None

    def ntriples(self) -> str:
        """The term in N-Triples syntax, escaped."""
        if self.kind == "iri":
            return f"<{self.value}>"
        s = _escape_literal(self.value)
        if self.language:
            return f'"{s}"@{self.language}'
        if self.datatype and self.datatype != XSD + "string":
            return f'"{s}"^^<{self.datatype}>'
        return f'"{s}"'

    def oxigraph(self):
        import pyoxigraph as ox

        if self.kind == "iri":
            return ox.NamedNode(self.value)
        if self.language:
            return ox.Literal(self.value, language=self.language)
        if self.datatype:
            return ox.Literal(self.value, datatype=ox.NamedNode(self.datatype))
        return ox.Literal(self.value)


_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_IRI_BAD = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _escape_literal(s: str) -> str:
    return "".join(_ECHAR.get(c, c) for c in s)


def expand_iri(value: str) -> str:
    """An absolute IRI from ``<iri>``, ``http…`` or a known prefix (``dg:Lead``, ``dgr:doc/000``)."""
    v = value.strip()
    if v.startswith("<") and v.endswith(">"):
        v = v[1:-1]
    prefix, sep, local = v.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        v = PREFIXES[prefix] + local
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", v) or _IRI_BAD.search(v):
        raise KgError(f"{value!r} is not an IRI: give an absolute IRI or a prefixed name such as dg:Lead")
    return v


def term(value: Any, ptype: str, name: str = "value") -> Term:
    """Check a Python value against a parameter type and make it an RDF term."""
    if isinstance(value, Term):
        return value
    if ptype == "iri":
        return Term("iri", expand_iri(str(value)))
    if ptype == "zh":
        return Term("literal", str(value).strip(), language="zh")
    if ptype == "string":
        return Term("literal", str(value))
    if ptype == "date":
        if isinstance(value, _dt.datetime):
            value = value.date()
        if isinstance(value, _dt.date):
            return Term("literal", value.isoformat(), _DATATYPES["date"])
        s = str(value).strip()
        try:
            _dt.date.fromisoformat(s)
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
                raise ValueError
        except ValueError:
            raise KgError(f"{name}: {value!r} is not a date: write it as YYYY-MM-DD, e.g. 2023-01-01") from None
        return Term("literal", s, _DATATYPES["date"])
    if ptype == "integer":
        try:
            return Term("literal", str(int(str(value).strip())), _DATATYPES["integer"])
        except ValueError:
            raise KgError(f"{name}: {value!r} is not an integer") from None
    if ptype == "decimal":
        try:
            from decimal import Decimal, InvalidOperation

            d = Decimal(str(value).strip())
            if not d.is_finite():
                raise InvalidOperation
        except Exception:  # noqa: BLE001
            raise KgError(f"{name}: {value!r} is not a decimal number") from None
        return Term("literal", format(d, "f"), _DATATYPES["decimal"])
    if ptype == "boolean":
        s = str(value).strip().lower()
        if s in ("true", "1", "yes"):
            return Term("literal", "true", _DATATYPES["boolean"])
        if s in ("false", "0", "no"):
            return Term("literal", "false", _DATATYPES["boolean"])
        raise KgError(f"{name}: {value!r} is not a boolean: use true or false")
    if ptype == "gyear":
        s = str(value).strip()
        if not re.fullmatch(r"-?\d{4,}", s):
            raise KgError(f"{name}: {value!r} is not a year: write it as YYYY")
        return Term("literal", s, _DATATYPES["gyear"])
    raise KgError(f"unknown parameter type {ptype!r}")


def bind(query: NamedQuery, params: dict[str, Any]) -> dict[str, Term]:
    """Check ``params`` against the query's header and turn them into terms (None = unbound)."""
    declared = {p.name: p for p in query.params}
    out: dict[str, Term] = {}
    for key, value in params.items():
        p = declared.get(key)
        if p is None:
            known = ", ".join(declared) or "none"
            raise KgError(f"query {query.name} has no parameter {key!r} (its parameters: {known})")
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        out[key] = term(value, p.type, key)
    missing = [p.name for p in query.params if p.required and p.name not in out]
    if missing:
        raise KgError(f"query {query.name} needs {', '.join(missing)}: pass --param {missing[0]}=VALUE")
    return out


def parse_assignments(pairs: list[str]) -> dict[str, str]:
    """``['k=v', ...]`` from the command line into a dict."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise KgError(f"--param {pair!r}: write it as NAME=VALUE")
        out[key.strip()] = value
    return out


# ----------------------------------------------------------------------------- VALUES injection

def _where_brace(text: str) -> int:
    """Index of the ``{`` that opens the outermost WHERE group (skipping comments, IRIs, strings)."""
    i = code_only(text).find("{")
    if i == -1:
        raise KgError("the query has no WHERE group to bind parameters into")
    return i


def inject_values(text: str, bindings: dict[str, Term]) -> str:
    """The query with a one-row VALUES block for ``bindings`` at the start of its WHERE group."""
    if not bindings:
        return text
    names = sorted(bindings)
    for n in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", n):
            raise KgError(f"{n!r} is not a SPARQL variable name")
    at = _where_brace(text) + 1
    block = ("\n  VALUES (" + " ".join("?" + n for n in names) + ") { ("
             + " ".join(bindings[n].ntriples() for n in names) + ") }\n")
    return text[:at] + block + text[at:]


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

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
import functools
from decimal import Decimal, InvalidOperation
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from kg.errors import KgError
from kg.resources import shipped_dir
from kg.query.store import code_only
from kg.vocab import PREFIXES as _ALL_PREFIXES, RDF, XSD
# re-exported: results were read here before kg.query.results was split off
from kg.query.results import (from_json, from_oxigraph, python_value, sort_solutions,  # noqa: F401
                              split_order)

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


@functools.lru_cache(maxsize=None)
def internal_query(name: str) -> str:
    """The text of queries/internal/NAME.rq: a query the library runs itself (reading a corpus back
    from a store, the units table), not a named question of ``kg query`` (``available`` lists only
    the top-level files). Shipped in the wheel as kg/data/queries/internal/ (setup.py)."""
    path = shipped_dir("queries") / "internal" / f"{name}.rq"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        raise KgError(f"{path}: an internal query is missing; reinstall DutyGraph") from None


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

"""Triples as canonical N-Triples strings, one list per named graph (Builder), and the literal
forms they use (escapes, canonical decimals)."""
from __future__ import annotations

import re
from typing import Optional

from kg.vocab import DG, RDF, XSD

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


def decimal(x: float) -> str:
    """xsd:decimal in the canonical form the store keeps (177, 98.5), so store and Turtle agree."""
    s = f"{float(x):.6f}".rstrip("0").rstrip(".")
    return "0" if s in ("", "-0") else s


_ESC = {0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", 0x22: '\\"', 0x5C: "\\\\"}
for _i in list(range(0x20)) + [0x7F]:
    _ESC.setdefault(_i, f"\\u{_i:04X}")
_NEEDS_ESC = re.compile(r'[\x00-\x1f\x7f"\\]')


def _quote(text: str) -> str:
    """A string literal's body in canonical N-Triples (the same escapes as pyoxigraph's str())."""
    return text.translate(_ESC) if _NEEDS_ESC.search(text) else text


class Builder:
    """Collects triples as canonical N-Triples strings ("<s> <p> o"), one list per named graph.

    Strings, not pyoxigraph objects: building, sorting and loading them (bulk_load of N-Quads)
    never creates a Python object per term, which is what the scale target needs.
    """

    def __init__(self):
        self.blocks: dict[str, list[str]] = {}
        self.lines: list[str] = []

    def graph(self, iri: str) -> None:
        self.lines = self.blocks.setdefault(iri, [])

    def add(self, s: str, p: str, o: str) -> None:
        """``o`` is an IRI."""
        self.lines.append(f"<{s}> <{p}> <{o}>")

    def raw(self, s: str, p: str, o: str) -> None:
        """``o`` is an N-Triples term already."""
        self.lines.append(f"<{s}> <{p}> {o}")

    def zh(self, s: str, p: str, text: Optional[str]) -> None:
        if text:
            self.lines.append(f'<{s}> <{p}> "{_quote(text)}"@zh')

    def text(self, s: str, p: str, value: Optional[str]) -> None:
        """A short code as written (eli:number 12 / （一）): @zh when it holds Chinese, else a plain string."""
        if value:
            if _CJK.search(value):
                self.lines.append(f'<{s}> <{p}> "{_quote(value)}"@zh')
            else:
                self.lines.append(f'<{s}> <{p}> "{_quote(value)}"')

    def lit(self, s: str, p: str, value, dt: Optional[str] = None) -> None:
        if value is None or value == "":
            return
        if dt is None:
            self.lines.append(f'<{s}> <{p}> "{_quote(str(value))}"')
        else:
            self.lines.append(f'<{s}> <{p}> "{_quote(str(value))}"^^<{XSD}{dt}>')

    def a(self, s: str, cls: str) -> None:
        self.add(s, RDF + "type", cls)

    def part(self, owner: str, p: str, node: str, cls: str) -> str:
        """``node``, of class ``cls``, that ``owner`` points to by ``p`` (an assignment, a deadline
        … of a task); returns ``node``."""
        self.a(node, cls)
        self.add(owner, p, node)
        return node

    def span(self, s: str, span) -> None:
        """dg:sourceStart / dg:sourceEnd: character offsets into the source text, when known."""
        if span:
            self.lit(s, DG + "sourceStart", span[0], "integer")
            self.lit(s, DG + "sourceEnd", span[1], "integer")

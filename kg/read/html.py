"""The .html and .htm formats: the text of ``<body>``; block elements break lines, script and style
are dropped, entities decoded, tables laid out as for .docx (kg.read.tables)."""
from __future__ import annotations

import re
from typing import Optional

from kg.read.failure import fail
from kg.read.tables import table_lines
from kg.read.text import check_binary, utf16


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)


def read(path: str, data: bytes, fmt: str) -> tuple[str, Optional[str]]:
    """The reader of .html and .htm: (the text of its body as lines, the encoding it was decoded from)."""
    return read_html(path, data)


def read_html(path: str, data: bytes) -> tuple[str, str]:
    """(text, encoding) of an HTML page: a byte order mark, UTF-16 told by its NUL bytes, then
    UTF-8, the charset its <meta> declares, GB18030."""
    import codecs

    text = encoding = None
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        found = utf16(data)
        if found is None:
            raise fail(path, "is a binary file (contains NUL bytes), not HTML")
        text, encoding = found
    elif data.startswith(b"\xef\xbb\xbf"):
        text, encoding = data.decode("utf-8-sig", errors="replace"), "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, encoding = data.decode("utf-16", errors="replace"), "utf-16"
    else:
        declared = None
        m = _META_CHARSET.search(data[:4096])
        if m:
            try:
                declared = codecs.lookup(m.group(1).decode("ascii")).name
            except LookupError:
                declared = None
        if declared in ("gb2312", "gbk", "gb18030", "hz"):
            declared = "gb18030"  # the superset decodes all of them
        for enc in dict.fromkeys(("utf-8", declared or "utf-8", "gb18030")):
            try:
                text, encoding = data.decode(enc), enc
                break
            except UnicodeDecodeError:
                continue
        if text is None:
            raise fail(path, "is neither UTF-8 nor GB18030/GBK HTML; re-save it as UTF-8")
    check_binary(path, text)
    return "\n".join(html_to_lines(text)), encoding


_SKIP = {"script", "style", "noscript", "template", "head", "title", "svg", "iframe", "object",
         "canvas", "math", "select"}
_BLOCK = {"address", "article", "aside", "blockquote", "body", "br", "caption", "center", "dd",
          "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure",
          "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html",
          "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "ul", "option"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}


def html_to_lines(markup: str) -> list[str]:
    """The text of an HTML page's body as lines (block elements break lines, tables laid out)."""
    from html.parser import HTMLParser

    class _Parser(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.skip: list[str] = []
            self.pre = 0
            self.lines: list[str] = []  # finished lines (outside tables)
            self.buf: list[str] = []  # the line being built
            self.tables: list[dict] = []  # open tables, innermost last
            self.seen_body = False

        # where text goes: the current cell's paragraph, or the page line
        def _target(self) -> list[str]:
            t = self.tables[-1] if self.tables else None
            if t is not None and t["cell"] is not None:
                return t["cell"]["buf"]
            return self.buf

        def _break(self) -> None:
            t = self.tables[-1] if self.tables else None
            if t is not None and t["cell"] is not None:
                c = t["cell"]
                c["paras"].append("".join(c["buf"]))
                c["buf"] = []
            elif t is None:
                self.lines.append("".join(self.buf))
                self.buf = []

        def handle_starttag(self, tag, attrs):
            if tag == "body" and not self.seen_body:
                self.seen_body = True
                self.skip = []  # an unclosed <head> ends here
                self.lines, self.buf = [], []  # text before <body> is not the body
            if self.skip:
                if tag in _SKIP and tag not in _VOID:
                    self.skip.append(tag)
                return
            if tag in _SKIP:
                self.skip.append(tag)
                return
            a = dict(attrs)
            if tag == "table":
                self._break()
                self.tables.append({"rows": [], "row": None, "cell": None, "pending": {}})
            elif tag == "tr" and self.tables:
                self._close_row()
                self.tables[-1]["row"] = []
            elif tag in ("td", "th") and self.tables:
                t = self.tables[-1]
                self._close_cell()
                if t["row"] is None:
                    t["row"] = []
                t["cell"] = {"paras": [], "buf": [], "span": _int(a.get("colspan")),
                             "rows": _int(a.get("rowspan"))}
            elif tag in _BLOCK:
                self._break()
            if tag == "pre":
                self.pre += 1

        def handle_startendtag(self, tag, attrs):
            self.handle_starttag(tag, attrs)
            if tag not in _VOID:
                self.handle_endtag(tag)

        def handle_endtag(self, tag):
            if self.skip:
                if tag == self.skip[-1]:
                    self.skip.pop()
                elif tag in self.skip:
                    del self.skip[self.skip.index(tag):]
                return
            if tag == "table" and self.tables:
                self._close_row()
                t = self.tables.pop()
                lines = table_lines(t["rows"])
                if self.tables and self.tables[-1]["cell"] is not None:
                    self._break()
                    self.tables[-1]["cell"]["paras"].extend(lines)
                elif not self.tables:
                    self.lines.extend(lines)
            elif tag == "tr" and self.tables:
                self._close_row()
            elif tag in ("td", "th") and self.tables:
                self._close_cell()
            elif tag in _BLOCK:
                self._break()
            if tag == "pre" and self.pre:
                self.pre -= 1

        def handle_data(self, data):
            if self.skip:
                return
            if not self.pre:
                data = re.sub(r"[ \t\n\r\f\xa0]+", " ", data)
                self._target().append(data)
            else:
                parts = data.replace("\r\n", "\n").replace("\r", "\n").split("\n")
                self._target().append(parts[0])
                for part in parts[1:]:
                    self._break()
                    self._target().append(part)

        def _close_cell(self):
            t = self.tables[-1]
            c = t["cell"]
            if c is None:
                return
            c["paras"].append("".join(c["buf"]))
            t["row"].append(c)
            t["cell"] = None

        def _close_row(self):
            t = self.tables[-1]
            self._close_cell()
            if t["row"] is None:
                return
            cells, t["row"] = t["row"], None
            slots: list[tuple[object, list[str]]] = []
            pending = t["pending"]  # grid column -> [rows left, slot]
            it = iter(cells)
            while True:
                col = len(slots)
                if col in pending:
                    left, slot = pending[col]
                    slots.append(slot)
                    if left <= 1:
                        del pending[col]
                    else:
                        pending[col][0] = left - 1
                    continue
                c = next(it, None)
                if c is None:
                    if any(k >= col for k in pending):
                        slots.append((object(), []))
                        continue
                    break
                slot = (object(), [p.strip() for p in c["paras"]])
                for k in range(c["span"]):
                    if c["rows"] > 1:
                        pending[col + k] = [c["rows"] - 1, slot]
                    slots.append(slot)
            t["rows"].append(slots)

        def close(self):
            super().close()
            while self.tables:
                self.handle_endtag("table")
            self.lines.append("".join(self.buf))

    parser = _Parser()
    parser.feed(markup)
    parser.close()
    out = []
    for line in parser.lines:
        line = line.replace("\xa0", " ").strip()
        if line:
            out.append(line)
    return out


def _int(value) -> int:
    try:
        return max(1, min(int(str(value).strip()), 1000))
    except (TypeError, ValueError):
        return 1

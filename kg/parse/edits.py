"""The text the cleaner edits: a string with, for every character, its offset in the source, edited
by span replacement (what is removed, and why, is recorded), and the line spans of a text."""
from __future__ import annotations


class EditedText:
    """Text plus offsets (len+1) into the source, edited by span replacement."""

    def __init__(self, text: str):
        self.text = text
        self.offsets = list(range(len(text) + 1))
        self.removed: list[tuple[int, int, str]] = []

    def apply(self, edits: list[tuple[int, int, str, str]]) -> None:
        """Replace spans; ``edits`` are (start, end, replacement, why) in cleaned coordinates."""
        if not edits:
            return
        edits = sorted(edits)
        out: list[str] = []
        offs: list[int] = []
        pos = 0
        for start, end, rep, why in edits:
            if start < pos:  # overlapping edit: skip it
                continue
            out.append(self.text[pos:start])
            offs.extend(self.offsets[pos:start])
            src = self.offsets[start]
            if rep and len(rep) == end - start:
                offs.extend(self.offsets[start:end])
            else:
                offs.extend([src] * len(rep))
            out.append(rep)
            if why and end > start:
                self.removed.append((self.offsets[start], self.offsets[end - 1] + 1, why))
            pos = end
        out.append(self.text[pos:])
        offs.extend(self.offsets[pos:])
        self.text = "".join(out)
        self.offsets = offs


def line_spans(text: str):
    """(start, end) of each line, end excluding the newline."""
    pos = 0
    for line in text.split("\n"):
        yield pos, pos + len(line)
        pos += len(line) + 1

"""Page fragments put back: a unit line that stands on another page than its task (inside another
task's text after an unfinished sentence, or apart in a section's text) is placed with the task
whose title words it shares; the record of a task being built (``Piece``)."""
from __future__ import annotations

import bisect
import re
from array import array
from dataclasses import dataclass, field
from typing import Optional

from kg.model import Diagnostic, Document
from kg.parse.annotations import Annotation
from kg.parse.headings import CJK, Heading

@dataclass
class Piece:
    """A task being built: its heading, text range and annotations."""

    head: Heading
    end: int
    section: Optional[str]
    anns: list[Annotation] = field(default_factory=list)
    extra_text: list[tuple[int, int]] = field(default_factory=list)  # placed fragments
    cut: Optional[int] = None  # text after this belongs elsewhere
    new_section: bool = False  # a section heading stands between this task and the one before


def first_sentence(s: str) -> str:
    """A task's title: its heading line of its own, else its first sentence (at most 60 characters)."""
    s = s.strip()
    first, nl, rest = s.partition("\n")
    if nl and rest.strip() and not re.search(r"[。！？；，]", first) and len(first) <= 40:
        return first.strip()  # a heading line of its own: 1.推进简政放权\n内容……
    m = re.search(r"[。！？]", s)
    title = s[:m.start()] if m else re.sub(r"(?:\([^()]*\))+$", "", s)[:60]
    return title.strip().rstrip("，,、；;：:").strip()


def _grams(s: str) -> set[str]:
    s = re.sub(rf"[^{CJK}]", "", s)
    return {s[i:i + 4] for i in range(len(s) - 3)}


class _GramIndex:
    """Four-character grams of the Chinese text of a plan (punctuation and blanks left out, as
    _grams takes them): where each of the grams asked for occurs, for those that occur at most
    RARE times, found in one pass over the text."""

    RARE = 5

    def __init__(self, t: str, grams: set[str]):
        parts, pos = [], array("l")
        for m in re.finditer(rf"[{CJK}]+", t):
            parts.append(m.group(0))
            pos.extend(range(m.start(), m.end()))
        chars = "".join(parts)
        self.pos = pos
        hits: dict[str, list[int]] = {g: [] for g in grams}
        get = hits.get
        for i in range(len(chars) - 3):
            lst = get(chars[i:i + 4])
            if lst is not None and len(lst) <= self.RARE:
                lst.append(i)
        self.hits = {g: v for g, v in hits.items() if len(v) <= self.RARE}

    def rare(self, grams) -> set[str]:
        return {g for g in grams if g in self.hits}

    def spans(self, g: str) -> list[tuple[int, int]]:
        """Raw (start, end) of each occurrence of a rare gram."""
        return [(self.pos[q], self.pos[q + 3] + 1) for q in self.hits.get(g, ())]


def place_fragments(t: str, pieces: list[Piece], orphans, doc: Document, to_src) -> None:
    """Put unit lines that stand on another page than their task back with the task.

    1. A task with no unit line whose title words open a clause inside another task's text,
       right after an unfinished sentence (…，), takes that clause and the unit line after it.
    2. A task still without units takes an orphan unit line (one in a section's text, or after a
       run-on list) whose preceding sentence shares the task title's words.
    What is left is reported.

    Title words are the 4-character grams of a task's title (its first 60 characters) that occur
    at most five times in the plan. Each step looks only where those grams occur, so the work
    grows with the text, not with its square (one task of 160,000 characters, a plan of 4 MB).
    """
    if all(p.anns for p in pieces):
        return
    titles = {id(p): _grams(first_sentence(t[p.head.body:min(p.end, p.head.body + 2000)])[:60]) for p in pieces}
    index = _GramIndex(t, set().union(*titles.values()) if titles else set())

    def title_grams(p: Piece) -> set[str]:
        return index.rare(titles[id(p)])

    commas = [m.start() for m in re.finditer(r"[，,]", t)]
    ends = [m.start() for m in re.finditer(r"[。；]", t)]
    orphan_grams: dict[int, tuple[set[str], int]] = {}

    def first_clause(u_spans: list[tuple[int, int]], h: Piece) -> Optional[tuple[int, int]]:
        """The first comma in h's text before its first unit line after which a sentence holds
        some of u's title words while none of h's title words follow (the original test, comma
        by comma), and how many of u's title words that sentence holds."""
        lo, hi = h.head.body, h.anns[0].start
        last_h = max((a for g in title_grams(h) for a, b in index.spans(g) if lo <= a and b <= hi), default=lo - 1)
        best = None
        for p0, p1 in u_spans:
            if not (lo <= p0 and p1 <= hi):
                continue
            k = bisect.bisect_left(ends, p0)
            if k < len(ends) and ends[k] < p1:
                continue  # the gram runs over a full stop: in no one sentence
            sent_start = ends[k - 1] + 1 if k and ends[k - 1] >= lo else lo
            c = bisect.bisect_left(commas, max(sent_start, last_h + 1, lo))
            if c < len(commas) and commas[c] < p0 and (best is None or commas[c] < best):
                best = commas[c]
        if best is None:
            return None
        k = bisect.bisect_left(ends, best)
        sent_end = min(ends[k] if k < len(ends) else hi, hi)
        return best, sent_end

    changed = True
    rounds = 0
    while changed and rounds < 5:
        changed = False
        rounds += 1
        holders = [h for h in pieces if h.anns]
        starts = [h.head.body for h in holders]
        for u in pieces:
            if u.anns:
                continue
            ug = title_grams(u)
            if not ug:
                continue
            spans = {g: index.spans(g) for g in ug}
            near: dict[int, list[tuple[int, int]]] = {}
            for g, sp in spans.items():
                for p0, p1 in sp:
                    k = bisect.bisect_right(starts, p0) - 1
                    if k >= 0 and holders[k] is not u:
                        near.setdefault(k, []).append((p0, p1))
            best = None
            for k in sorted(near):
                h = holders[k]
                hit = first_clause(near[k], h)
                if hit is None:
                    continue
                comma, sent_end = hit
                score = sum(1 for g, sp in spans.items() if any(comma < p0 and p1 <= sent_end for p0, p1 in sp))
                if score and (best is None or score > best[0]):
                    best = (score, h, comma + 1)
            if best:
                _, h, cut_at = best
                a0 = h.anns.pop(0)
                u.anns.append(a0)
                u.extra_text.append((cut_at, a0.start))
                if h.cut is None or h.cut > cut_at:
                    h.cut = cut_at
                # the rest of h's annotations after a0 stay; h keeps its text before the cut
                doc.diagnostics.append(Diagnostic(
                    "fragment-placed",
                    f"text and unit line found inside task {h.head.value} placed with task "
                    f"{u.head.value if not u.head.lost else '(unnumbered)'} {first_sentence(t[u.head.body:u.end])[:20]}",
                    span=to_src(cut_at, a0.end), severity="info"))
                changed = True
                holders = [x for x in pieces if x.anns]
                starts = [x.head.body for x in holders]
        for u in pieces:
            if u.anns or not orphans:
                continue
            ug = title_grams(u)
            best = None
            for k, (a, rs, _ae) in enumerate(orphans):
                if id(a) not in orphan_grams:
                    before = t[rs:a.start].rstrip()
                    cut = max(before.rfind("。", 0, len(before) - 1), before.rfind("；", 0, len(before) - 1))
                    last = before[cut + 1:] if cut != -1 else before
                    if not last.strip():
                        last = ""
                    orphan_grams[id(a)] = (_grams(last), len(last))
                og, n_last = orphan_grams[id(a)]
                score = len(ug & og)
                if score and (best is None or score > best[0]):
                    best = (score, k, a.start - n_last)
            if best:
                _, k, fs = best
                a, rs, _ = orphans.pop(k)
                u.anns.append(a)
                u.extra_text.append((max(fs, rs), a.start))
                doc.diagnostics.append(Diagnostic(
                    "fragment-placed",
                    f"unit line standing apart placed with task "
                    f"{u.head.value if not u.head.lost else '(unnumbered)'} {first_sentence(t[u.head.body:u.end])[:20]}",
                    span=to_src(max(fs, rs), a.end), severity="info"))
                changed = True

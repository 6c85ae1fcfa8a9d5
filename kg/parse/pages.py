"""Page fragments of a preview-site scrape put back in order before parsing.

A scrape cuts the text into pages (the page markers ``kg.parse.clean`` removed; their places are
``CleanText.page_breaks``) and may show runs of pages out of order.  A run is a stretch of
consecutive fragments whose task numbers continue one another (a fragment with no task number
continues the one before it).  When the runs are out of order and sorting them by their first
task number gives one increasing numbering, the text is rebuilt in that order (offsets still
map every character back to the source).  Numbering that restarts (per section) is left alone.
"""
from __future__ import annotations

import bisect
from typing import Optional

from kg.model import CleanText


def reorder_pages(text: CleanText, numbers: list[tuple[int, Optional[int]]]) -> Optional[CleanText]:
    """``numbers``: (cleaned offset, task number) of every numbered task heading.
    Returns the reordered text, or None when nothing is to be moved."""
    t = text.text
    cuts = sorted({b for b in text.page_breaks if 0 < b < len(t)})
    if not cuts or not numbers:
        return None
    bounds = [0] + cuts + [len(t)]
    frags = [(bounds[k], bounds[k + 1]) for k in range(len(bounds) - 1)]
    starts = [s for s, _ in numbers]
    nums_of = []
    for a, b in frags:
        i, j = bisect.bisect_left(starts, a), bisect.bisect_left(starts, b)
        nums_of.append([n for _, n in numbers[i:j] if n is not None])
    runs: list[list[int]] = []  # fragment indexes
    last: Optional[int] = None
    for k, nums in enumerate(nums_of):
        if not runs:
            runs.append([k])
        elif not nums or (last is None and nums[0] == 1) or (last is not None and nums[0] == last + 1):
            runs[-1].append(k)
        else:
            runs.append([k])
        if nums:
            last = nums[-1]
    if len(runs) < 2:
        return None

    def first(run: list[int]) -> Optional[int]:
        return next((nums_of[k][0] for k in run if nums_of[k]), None)

    head, rest = runs[0], runs[1:]  # the first run holds the title and preamble: it stays first
    if any(first(r) is None for r in rest):
        return None
    ordered = [head] + sorted(rest, key=first)
    if ordered == runs:
        return None
    seq = [n for r in ordered for k in r for n in nums_of[k]]
    if any(b <= a for a, b in zip(seq, seq[1:])):
        return None  # numbering restarts or repeats: the order cannot be read from it
    out, offs, breaks = [], [], []
    for r in ordered:
        for k in r:
            a, b = frags[k]
            if out:
                breaks.append(sum(len(x) for x in out))
            out.append(t[a:b])
            offs.extend(text.offsets[a:b])
    offs.append(text.offsets[-1])
    return CleanText(text="".join(out), offsets=offs, removed=list(text.removed), page_breaks=breaks)

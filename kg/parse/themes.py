"""The national themes of rule-of-law government (kg/data/themes.yaml) and the keyword
classifier that files a text, or a section title with its text, under one of them.

A theme's own label (健全行政决策制度体系) in the text is the strongest signal; then its
keywords, each counted once, longer keywords weighing more. A title counts three times its text.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Optional

from kg.errors import KgError
from kg.resources import DATA


@dataclass(frozen=True)
class Theme:
    id: str
    label: str
    heading: str
    keywords: tuple[str, ...]


@functools.lru_cache(maxsize=1)
def themes() -> tuple[Theme, ...]:
    """The themes, in the order of the national 纲要."""
    import yaml

    path = DATA / "themes.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out = tuple(Theme(t["id"], t["label"], t["heading"], tuple(t.get("keywords") or ()))
                    for t in data["themes"])
    except (OSError, KeyError, TypeError, yaml.YAMLError) as e:
        raise KgError(f"{path}: cannot read the themes ({e}): restore kg/data/themes.yaml") from e
    return out


def theme(theme_id: str) -> Theme:
    for t in themes():
        if t.id == theme_id:
            return t
    raise KgError(f"no theme {theme_id!r}: use one of {', '.join(t.id for t in themes())}")


def _core(label: str) -> str:
    """健全行政决策制度体系 -> 行政决策制度体系 (the part a text repeats)."""
    for p in ("健全", "加强", "深入", "完善"):
        if label.startswith(p):
            return label[len(p):]
    return label


def keyword_scores(text: str) -> dict[str, float]:
    """Theme id -> score of ``text`` (0 when nothing matches)."""
    text = text or ""
    out: dict[str, float] = {}
    for t in themes():
        s = 0.0
        core = _core(t.label.split("，")[0])
        if core and core in text:
            s += 10.0
        taken: list[str] = []
        for k in sorted(t.keywords, key=lambda k: (-len(k), k)):
            if k in text and not any(k in x for x in taken):
                taken.append(k)
                s += 1.0 + 0.25 * max(0, len(k) - 2)
        out[t.id] = s
    return out


def classify(title: str, text: str = "", fallback: Optional[str] = None) -> Optional[str]:
    """The theme of a section (or passage): its title weighs three times its text.

    Returns ``fallback`` when nothing matches. Ties go to the theme listed first.
    """
    ts, xs = keyword_scores(title), keyword_scores(text)
    best, best_s = fallback, 0.0
    for t in themes():
        s = 3 * ts[t.id] + xs[t.id]
        if s > best_s:
            best, best_s = t.id, s
    return best

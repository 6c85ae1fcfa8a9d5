"""Text similarity for the genre: jieba segmentation with a stop list of plan boilerplate,
TF-IDF cosine and BM25 over candidate texts, and title similarity.

Shared by task alignment (plan vs plan, kg.link.align) and by report evidence (measures vs tasks).
The API is stable:

    >>> from kg.similarity import Similarity, title_similarity, tokens
    >>> scorer = Similarity(candidate_texts)            # e.g. the parent plan's task texts
    >>> scorer.scores("某项措施的文字")                  # one float in [0, 1] per candidate (TF-IDF cosine)
    >>> scorer.bm25("某项措施的文字")                    # BM25, divided by the best candidate's score: [0, 1]
    >>> scorer.ranked("某项措施的文字", top=3)           # [(candidate index, score), …] best first
    >>> scorer.matrix(["文字一", "文字二"])             # scores() of many queries at once
    >>> title_similarity("持续深化行政复议体制改革", "深化行政复议体制改革")   # [0, 1]

``Similarity(candidates, background=[…])`` counts the background texts too when weighting
words (IDF), e.g. the other plan's tasks when two plans are aligned, so that words common to the
whole genre weigh little on both sides. Same inputs give the same floats.

jieba is imported and initialised lazily, once per process; when kg/data/units.dict exists (the
unit dictionary written by the resolve stage) it is loaded as a user dictionary.
"""
from __future__ import annotations

import functools
import math
import re
import threading
from collections import Counter
from pathlib import Path
from typing import Iterable, Optional, Sequence

from kg.atomic import write_atomic
from kg.resources import DATA

# Boilerplate of the genre: verbs and nouns every plan uses on every task. They carry no
# information about what a task is about.
STOP_WORDS = frozenset("""
加强 推进 健全 进一步 完善 全面 深入 工作 建设 机制 制度 推动 深化 落实 坚持 建立 建立健全 不断 提高 提升
积极 切实 严格 依法 各级 有关 部门 单位 实现 确保 开展 强化 持续 着力 大力 加快 加大 充分 发挥 作用 有效
体系 水平 能力 要求 重要 主要 重点 情况 方面 相关 其他 以及 或者 按照 根据 通过 结合 围绕 实际 及时 做好
认真 努力 扎实 注重 统筹 各类 各项 相应 进行 形成 更加 更好 基本 全部 普遍 广泛 有序 稳步 逐步 着重
贯彻 贯彻落实 执行 组织 实施 工作机制 体制机制 责任 职责 分工 负责 牵头 配合 参加 协办 责任单位 牵头单位
配合单位 参加单位 按职责分工负责 市政府 区政府 县政府 政府部门 全市 全区 全县 全省 我市 我区 我县 本市 本区
本县 本地 本地区 本部门 本级 各地 各部门 市委 区委 县委 省委 各县 县市区 年底 年底前 之前 以上 以下 不少
为主 之间 同时 其中 一批 一系列 一是 二是 三是 四是 五是
""".split())

_CJK_OR_WORD = re.compile(r"[\u4e00-\u9fff]|[A-Za-z]{2,}")
_NOISE = re.compile(r"[\s\u3000]+")

_lock = threading.Lock()
_jieba = None


def _units_dict() -> Path:
    return DATA / "units.dict"


# Words of jieba's dictionary rarer than this are left out of the one used here: the genre's
# vocabulary is common words, rare entries (names, long compounds) only slow the start-up
# (the full dictionary takes ~0.7 s to load, this one ~0.2 s); unknown words still go to the HMM.
MIN_FREQ = 20


def _cache_dir() -> Path:
    import os
    import tempfile

    uid = os.getuid() if hasattr(os, "getuid") else 0
    return Path(tempfile.gettempdir()) / f"dutygraph-jieba-{uid}"


def _dictionary(jieba_module) -> Optional[Path]:
    """jieba's dictionary without its rare words, written once to a private cache dir."""

    src = Path(jieba_module.__file__).resolve().parent / "dict.txt"
    try:
        out = _cache_dir() / f"similarity-{MIN_FREQ}-{src.stat().st_size}.dict"
        if not out.is_file():
            out.parent.mkdir(mode=0o700, exist_ok=True)
            keep = []
            for line in src.read_text(encoding="utf-8").splitlines():
                parts = line.split(" ")
                if len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) >= MIN_FREQ:
                    keep.append(line)

            write_atomic(out, ("\n".join(keep) + "\n").encode("utf-8"))
        return out
    except OSError:
        return None


def import_jieba():
    """The jieba module. jieba only uses pkg_resources to find its own dictionary and falls back
    to a plain path without it; importing pkg_resources costs 0.07-0.3 s, so it is kept out."""
    import sys

    if "jieba" not in sys.modules and "pkg_resources" not in sys.modules:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]
        try:
            import jieba
        finally:
            del sys.modules["pkg_resources"]
    import jieba

    return jieba


def jieba_instance():
    """The jieba tokenizer, initialised once (with kg/data/units.dict when present)."""
    global _jieba
    if _jieba is None:
        with _lock:
            if _jieba is None:
                import logging

                jieba = import_jieba()
                jieba.setLogLevel(logging.WARNING)
                small = _dictionary(jieba)
                tk = jieba.Tokenizer(str(small)) if small else jieba.Tokenizer()
                if small:
                    tk.tmp_dir = str(small.parent)
                tk.initialize()
                ud = _units_dict()
                if ud.is_file():
                    tk.load_userdict(str(ud))
                _jieba = tk
    return _jieba


def tokens(text: str) -> list[str]:
    """Content words of ``text``: jieba words, without stop words, single characters,
    punctuation and numbers. Spaces inside the text (layout noise) are removed first."""
    return list(_tokens(text or ""))


@functools.lru_cache(maxsize=8192)
def _tokens(text: str) -> tuple[str, ...]:
    if not text:
        return ()
    text = _NOISE.sub("", text)
    out = []
    for w in jieba_instance().lcut(text, HMM=True):
        if len(w) < 2 or w in STOP_WORDS or not _CJK_OR_WORD.search(w):
            continue
        if any(ch.isdigit() for ch in w):
            continue
        out.append(w.lower())
    return tuple(out)


@functools.lru_cache(maxsize=8192)
def _bigrams(text: str) -> frozenset[str]:
    chars = [c for c in _NOISE.sub("", text or "") if "\u4e00" <= c <= "\u9fff"]
    return frozenset(chars[i] + chars[i + 1] for i in range(len(chars) - 1))


def title_similarity(a: str, b: str) -> float:
    """Similarity of two short titles in [0, 1]: the mean of the Dice coefficient of their
    content words (stop list applied) and of their character bigrams."""
    if not a or not b:
        return 0.0
    ta, tb = set(_tokens(a)), set(_tokens(b))
    words = 2 * len(ta & tb) / (len(ta) + len(tb)) if ta and tb else 0.0
    ba, bb = _bigrams(a), _bigrams(b)
    chars = 2 * len(ba & bb) / (len(ba) + len(bb)) if ba and bb else 0.0
    return (words + chars) / 2


def _idf(n: int, df: int) -> float:
    """Smoothed IDF of a word found in ``df`` of ``n`` texts."""
    return math.log((1 + n) / (1 + df)) + 1.0


# Words and character bigrams as integers (process-wide; only equality of ids is used, never
# their order, so results do not depend on what the process saw before).
_IDS: dict[str, int] = {}


def _ids(items) -> "np.ndarray":
    import numpy as np

    return np.array([_IDS.setdefault(x, len(_IDS)) for x in items], dtype=np.intp)


@functools.lru_cache(maxsize=1 << 17)
def _terms(text: str) -> tuple:
    """(word ids in first-occurrence order, 1 + log(count) of each) of ``text``'s tokens."""
    import numpy as np

    tf = Counter(_tokens(text or ""))
    return _ids(tf), np.array([1.0 + math.log(c) for c in tf.values()], dtype=float)


@functools.lru_cache(maxsize=1 << 17)
def _title_terms(text: str) -> tuple:
    """(content-word ids, character-bigram ids) of a title, as used by title_similarity."""
    if not text:
        return _ids(()), _ids(())
    return _ids(sorted(set(_tokens(text)))), _ids(sorted(_bigrams(text)))


_blas = None


def _one_blas_thread():
    """A context in which numpy's BLAS runs on one thread. The products here are small (tens of
    tasks by hundreds of words): BLAS threads cost far more than they save, and on a busy machine
    they spin (a 47 x 800 product took 18 ms instead of 0.1 ms). One thread gives the same floats."""
    global _blas
    if _blas is None:
        from threadpoolctl import ThreadpoolController

        _blas = ThreadpoolController()
    return _blas.limit(limits=1, user_api="blas")


def round_half_even(values, places: int):
    """``round(x, places)`` (Python's exact decimal rounding) of every element of a float array.
    numpy's round scales and rounds in binary, which differs only next to a half: those few
    values are rounded by Python."""
    import numpy as np

    values = np.asarray(values, dtype=float)
    out = np.round(values, places)
    scaled = values * 10.0 ** places
    near = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6
    if near.any():
        idx = np.nonzero(near)
        out[idx] = [round(float(x), places) for x in values[idx]]
    return out


def cosine_matrix(queries: Sequence[str], candidates: Sequence[str],
                  background: Optional[Sequence[str]] = None):
    """TF-IDF cosines (numpy array, queries x candidates, rounded to 6 places), equal to
    ``Similarity(candidates, background).matrix(queries)``; ``background`` defaults to the
    queries (two plans aligned: IDF over both). Tokens and term counts are cached per text."""
    import numpy as np

    bg = queries if background is None else background
    cand = [_terms(t) for t in candidates]
    quer = [_terms(t) for t in queries]
    back = quer if background is None else [_terms(t) for t in bg]
    if not cand or not queries:
        return np.zeros((len(queries), len(cand)))
    empty = np.zeros(0, dtype=np.intp)
    n = len(cand) + len(back)
    df = np.bincount(np.concatenate([ids for ids, _ in cand + back] + [empty]), minlength=len(_IDS))
    idf = np.array([_idf(n, k) for k in range(n + 1)])  # math.log, as Similarity._idf

    def vector(ids, logs):
        v = logs * idf[df[ids]]
        norm = math.sqrt(sum((v * v).tolist()))  # the builtin sum, in word order, as _vector
        return v / norm if norm else v[:0]

    c_vecs = [vector(*t) for t in cand]
    c_ids = [ids if len(v) else empty for (ids, _), v in zip(cand, c_vecs)]
    cat = np.concatenate(c_ids)
    if not len(cat):
        return np.zeros((len(queries), len(cand)))
    # columns: candidate words in order of first appearance (the order Similarity.matrix uses)
    uniq, first = np.unique(cat, return_index=True)
    vocab = uniq[np.argsort(first)]
    col = np.full(len(_IDS), -1, dtype=np.intp)
    col[vocab] = np.arange(len(vocab))
    c = np.zeros((len(cand), len(vocab)))
    c[np.repeat(np.arange(len(cand)), [len(i) for i in c_ids]), col[cat]] = np.concatenate(c_vecs)
    q = np.zeros((len(queries), len(vocab)))
    for i, t in enumerate(quer):
        v = vector(*t)
        if len(v):
            k = col[t[0]]
            keep = k >= 0
            q[i, k[keep]] = v[keep]
    with _one_blas_thread():
        cos = q @ c.T
    return round_half_even(cos, 6)


def title_matrix(a: Sequence[str], b: Sequence[str]):
    """``title_similarity(x, y)`` for every x of ``a`` and y of ``b`` (numpy array, same floats)."""
    import numpy as np

    def dice(sets_a, sets_b):
        cat = np.concatenate(sets_a + sets_b + [np.zeros(0, dtype=np.intp)])
        _, inv = np.unique(cat, return_inverse=True)
        size = int(inv.max()) + 1 if len(inv) else 1
        ma, mb = np.zeros((len(sets_a), size)), np.zeros((len(sets_b), size))
        at = 0
        for m, sets in ((ma, sets_a), (mb, sets_b)):
            for i, s in enumerate(sets):
                m[i, inv[at:at + len(s)]] = 1.0
                at += len(s)
        with _one_blas_thread():
            common = ma @ mb.T  # exact small integers
        la = np.array([len(s) for s in sets_a], dtype=float)[:, None]
        lb = np.array([len(s) for s in sets_b], dtype=float)[None, :]
        both = (la > 0) & (lb > 0)
        return np.where(both, 2 * common / np.where(both, la + lb, 1.0), 0.0)

    ta, tb = [_title_terms(t) for t in a], [_title_terms(t) for t in b]
    if not ta or not tb:
        return np.zeros((len(ta), len(tb)))
    words = dice([w for w, _ in ta], [w for w, _ in tb])
    chars = dice([c for _, c in ta], [c for _, c in tb])
    return (words + chars) / 2


class Similarity:
    """Score a query text against fixed candidate texts.

    ``scores`` is the TF-IDF cosine (sublinear term frequency, smoothed IDF over the candidates
    and any ``background`` texts); ``bm25`` uses rank-bm25's Okapi BM25 on the same tokens.
    """

    def __init__(self, candidates: Sequence[str], background: Iterable[str] = ()):
        self.candidates = list(candidates)
        self._background = list(background)
        self._tokens = [tokens(t) for t in self.candidates]
        bg = [tokens(t) for t in self._background]
        df: Counter = Counter()
        for toks in self._tokens + bg:
            df.update(set(toks))
        self._n = len(self._tokens) + len(bg)
        self._df = df
        self._vectors = [self._vector(toks) for toks in self._tokens]
        self._bm25 = None

    def _idf(self, word: str) -> float:
        return _idf(self._n, self._df.get(word, 0))

    def _vector(self, toks: list[str]) -> dict[str, float]:
        tf = Counter(toks)
        vec = {w: (1.0 + math.log(c)) * self._idf(w) for w, c in tf.items()}
        norm = math.sqrt(sum(v * v for v in vec.values()))
        return {w: v / norm for w, v in vec.items()} if norm else {}

    def scores(self, query: str) -> list[float]:
        """TF-IDF cosine of ``query`` with each candidate, in candidate order, each in [0, 1]."""
        q = self._vector(tokens(query))
        out = []
        for vec in self._vectors:
            small, big = (q, vec) if len(q) <= len(vec) else (vec, q)
            out.append(round(sum(v * big.get(w, 0.0) for w, v in small.items()), 6))
        return out

    def matrix(self, queries: Sequence[str]) -> list[list[float]]:
        """``[self.scores(q) for q in queries]``, computed at once (kg.similarity.cosine_matrix)."""
        return cosine_matrix(queries, self.candidates, self._background).tolist()

    def bm25(self, query: str) -> list[float]:
        """BM25 scores of ``query``, divided by the best one (all 0 when nothing matches)."""
        if not self.candidates:
            return []
        if self._bm25 is None:
            from rank_bm25 import BM25Okapi

            self._bm25 = BM25Okapi([t or ["\0"] for t in self._tokens])
        raw = [float(x) for x in self._bm25.get_scores(tokens(query))]
        top = max(raw) if raw else 0.0
        return [round(max(x, 0.0) / top, 6) if top > 0 else 0.0 for x in raw]

    def ranked(self, query: str, top: Optional[int] = None) -> list[tuple[int, float]]:
        """(candidate index, cosine) pairs, best first; ties keep candidate order."""
        s = self.scores(query)
        order = sorted(range(len(s)), key=lambda i: (-s[i], i))
        return [(i, s[i]) for i in (order if top is None else order[:top])]

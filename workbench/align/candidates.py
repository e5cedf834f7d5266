"""Candidate beads from an inverted index of rare character n-grams and anchors (never all N x M
sentence pairs), mutually best matches, and the longest monotone chain through them."""

from __future__ import annotations

import math
from bisect import bisect_left
from typing import Sequence

from workbench.align.features import PairView
from workbench.align.scorers import BeadScorer

def candidate_pairs(view: PairView, per_source: int = 8, max_df: int | None = None
                    ) -> dict[int, list[int]]:
    """For each source sentence, the rendering sentences sharing the most rare n-grams and anchors
    with it (at most `per_source`), found through an inverted index: never all N x M pairs."""
    m = len(view.tgt)
    if max_df is None:
        max_df = max(8, int(2 * math.sqrt(m)))
    index: dict[str, list[int]] = {}
    for j in range(m):
        for g in view.tgt.grams[j]:
            index.setdefault(g, []).append(j)
        for a in view.tgt.anchors[j]:
            index.setdefault(a, []).append(j)
    out: dict[int, list[int]] = {}
    for i in range(len(view.cmp)):
        hits: dict[int, float] = {}
        # sorted: float sums must not depend on the set's (hash-seeded) iteration order
        for g in sorted(view.cmp.grams[i] | view.cmp.anchors[i]):
            post = index.get(g)
            if post is None or len(post) > max_df:
                continue
            w = 1.0 / len(post) + (1.0 if g[0] in "#@$" else 0.0)
            for j in post:
                hits[j] = hits.get(j, 0.0) + w
        out[i] = sorted(hits, key=lambda j: (-hits[j], j))[:per_source]
    return out


def best_matches(score: BeadScorer, cands: dict[int, list[int]], threshold: float
                 ) -> list[tuple[int, int, float]]:
    """Mutually best 1-1 candidates scoring at least `threshold`, as (src, tgt, score) by src."""
    best_for_src: dict[int, tuple[float, int]] = {}
    best_for_tgt: dict[int, tuple[float, int]] = {}
    for i, js in cands.items():
        for j in js:
            s = score(i, i + 1, j, j + 1)
            if s > best_for_src.get(i, (-1.0, -1))[0]:
                best_for_src[i] = (s, j)
            if s > best_for_tgt.get(j, (-1.0, -1))[0]:
                best_for_tgt[j] = (s, i)
    return [(i, j, s) for i, (s, j) in sorted(best_for_src.items())
            if s >= threshold and best_for_tgt[j][1] == i]


def monotone_chain(points: Sequence[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """Longest chain of points increasing on both sides (patience sorting, O(n log n))."""
    pts = sorted(points, key=lambda p: (p[0], -p[1]))
    tails: list[int] = []
    tail_idx: list[int] = []
    prev: list[int] = [-1] * len(pts)
    for k, (_, j, _) in enumerate(pts):
        pos = bisect_left(tails, j)
        if pos == len(tails):
            tails.append(j)
            tail_idx.append(k)
        else:
            tails[pos] = j
            tail_idx[pos] = k
        prev[k] = tail_idx[pos - 1] if pos > 0 else -1
    chain: list[tuple[int, int, float]] = []
    k = tail_idx[-1] if tail_idx else -1
    while k >= 0:
        chain.append(pts[k])
        k = prev[k]
    return chain[::-1]


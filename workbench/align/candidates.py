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
    with it (at most `per_source`), found through an inverted index: never all N x M pairs.
    Equal shares go to the rendering sentence nearest the diagonal, then the first: a text that
    repeats itself (headings, dialogue, boilerplate) offers each repeated sentence many equally
    good partners, and the one at the expected place is the likely one."""
    import numpy as np

    n, m = len(view.cmp), len(view.rendering)
    if max_df is None:
        max_df = max(8, int(2 * math.sqrt(m)))
    # postings as one flat array sorted by item (CSR): a dict of lists costs ten times the memory
    ids: dict[str, int] = {}
    flat_item: list[int] = []
    flat_j: list[int] = []
    for j in range(m):
        # the n-gram counts' keys are the sentence's distinct n-grams (Side.grams is not built)
        for g in view.rendering.counts[j]:
            flat_item.append(ids.setdefault(g, len(ids)))
            flat_j.append(j)
        for a in view.rendering.anchors[j]:
            flat_item.append(ids.setdefault(a, len(ids)))
            flat_j.append(j)
    items = np.array(flat_item, dtype=np.int64)
    order = np.argsort(items, kind="stable")
    post_j = np.array(flat_j, dtype=np.int64)[order]
    ptr = np.concatenate([[0], np.cumsum(np.bincount(items, minlength=len(ids)))])
    del flat_item, flat_j, items, order
    df = np.diff(ptr)
    bonus = np.array([1.0 if g[0] in "#@$" else 0.0 for g in ids])
    out: dict[int, list[int]] = {}
    for i in range(n):
        # sorted: float sums must not depend on the set's (hash-seeded) iteration order;
        # bincount adds each sentence's weights in this same order
        got = [ids.get(g, -1) for g in sorted(view.cmp.counts[i].keys() | view.cmp.anchors[i])]
        ks = np.array(got, dtype=np.int64)
        ks = ks[ks >= 0]
        # n-grams in more than max_df sentences say little and make the work quadratic
        ks = ks[df[ks] <= max_df]
        if not len(ks):
            out[i] = []
            continue
        lens = df[ks]
        total = int(lens.sum())
        # the postings of every n-gram kept, one after the other
        offsets = np.repeat(ptr[ks] - np.concatenate([[0], np.cumsum(lens)[:-1]]), lens)
        js = post_j[offsets + np.arange(total)]
        w = np.repeat(1.0 / lens + bonus[ks], lens)
        hits = np.bincount(js, weights=w, minlength=m)
        found = np.flatnonzero(hits)
        score = hits[found]
        if 0 < per_source < len(found):
            # only those reaching the per_source-th best share can be among the first per_source
            kth = np.partition(score, len(score) - per_source)[len(score) - per_source]
            found, score = found[score >= kth], score[score >= kth]
        dist = np.abs(found * n - i * m)
        order = np.lexsort((found, dist, -score))[:per_source]
        out[i] = found[order].tolist()
    return out


def best_matches(score: BeadScorer, cands: dict[int, list[int]], threshold: float
                 ) -> list[tuple[int, int, float]]:
    """Mutually best 1-1 candidates scoring at least `threshold`, as (src, tgt, score) by src.
    Equal scores go to the pair nearest the diagonal, then the first, so that repeated sentences
    pair copy with copy instead of all with the first."""
    n, m = max(1, len(score.view.cmp)), max(1, len(score.view.rendering))
    best_for_src: dict[int, tuple[float, int, int]] = {}
    best_for_tgt: dict[int, tuple[float, int, int]] = {}
    for i in sorted(cands):
        for j in cands[i]:
            s = score(i, i + 1, j, j + 1)
            d = -abs(j * n - i * m)
            if (s, d) > best_for_src.get(i, (-1.0, 0, -1))[:2]:
                best_for_src[i] = (s, d, j)
            if (s, d) > best_for_tgt.get(j, (-1.0, 0, -1))[:2]:
                best_for_tgt[j] = (s, d, i)
    return [(i, j, s) for i, (s, _, j) in sorted(best_for_src.items())
            if s >= threshold and best_for_tgt[j][2] == i]


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


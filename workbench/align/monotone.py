"""The monotone search for full translations in the same order: a banded dynamic programme over
bead shapes, the band pinned by confident anchors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from workbench.align.features import MONOTONE_SHAPES, BEAD_TYPES  # noqa: F401
from workbench.align.scorers import BeadScorer

@dataclass(frozen=True)
class MonotoneParams:
    """Gain of a bead = score - threshold - penalty of its shape, where a merged span is scored as
    the concatenation of its sentences; an unmatched sentence costs up to `skip_penalty`."""

    threshold: float = 0.2
    merge_penalty: float = 0.05  # 1-2 and 2-1
    big_penalty: float = 0.05  # 2-2, 1-3, 3-1; times a + b - 3 for larger shapes
    anchor_threshold: float = 0.35
    width: int = 4  # slack around the anchored path, in sentences
    max_gap_box: int = 400  # gaps between anchors up to this size are searched whole
    skip_penalty: float = 0.2  # cost of leaving a sentence of `skip_length` characters or more unmatched
    skip_length: int = 60
    #: bead shapes searched (besides 0-1 and 1-0); merged spans are scored as concatenations
    shapes: tuple[tuple[int, int], ...] = MONOTONE_SHAPES

    def penalty(self, a: int, b: int) -> float:
        if a == 1 and b == 1:
            return 0.0
        return self.merge_penalty if a + b == 3 else self.big_penalty * (a + b - 3)


def _band(n: int, m: int, chain: Sequence[tuple[int, int, float]], p: MonotoneParams
          ) -> list[tuple[int, int]]:
    """Allowed rendering positions (lo, hi) for each DP row 0..n: the box between consecutive
    anchors widened by `width`, or a diagonal strip where the box would be too large."""
    pts = [(0, 0)]
    for i, j, _ in chain:
        pts.append((i, j))
        pts.append((i + 1, j + 1))
    pts.append((n, m))
    band: list[tuple[int, int]] = [(m, 0)] * (n + 1)
    w = p.width
    for (i0, j0), (i1, j1) in zip(pts, pts[1:]):
        di, dj = i1 - i0, j1 - j0
        box = (di + 1) * (abs(dj) + 1) <= p.max_gap_box ** 2 // 4 or dj <= p.max_gap_box // 4
        for i in range(i0, i1 + 1):
            if box:
                lo, hi = min(j0, j1) - w, max(j0, j1) + w
            else:
                centre = j0 + dj * (i - i0) / max(di, 1)
                half = w + int(0.1 * max(di, dj))
                lo, hi = int(centre) - half, int(centre) + half + 1
            olo, ohi = band[i]
            band[i] = (max(0, min(olo, lo)), min(m, max(ohi, hi)))
    band[0] = (0, band[0][1])
    band[n] = (band[n][0], m)
    # a path exists when each row starts inside the previous row (a 1-0 bead, then 0-1 beads)
    for i in range(1, n + 1):
        lo, hi = band[i]
        plo, phi = band[i - 1]
        lo = min(max(lo, plo), phi)
        band[i] = (lo, max(hi, lo))
    band[n] = (band[n][0], m)
    return band


def search_monotone(score: BeadScorer, n: int, m: int, chain: Sequence[tuple[int, int, float]],
                    p: MonotoneParams) -> list[tuple[int, int, int, int]]:
    """Best monotone segmentation into beads by dynamic programming inside the band; returns spans
    (s0, s1, t0, t1) in order."""
    band = _band(n, m, chain, p)
    neg = -1e30
    shapes = [(1, 0), (0, 1)] + list(p.shapes)
    pens = {ab: p.penalty(*ab) for ab in p.shapes}
    # a long sentence left out is unlikely in a translation; a short OCR fragment often is
    skip_src = [-p.skip_penalty * min(1.0, x / p.skip_length) for x in score.view.cmp.lengths]
    skip_tgt = [-p.skip_penalty * min(1.0, x / p.skip_length) for x in score.view.tgt.lengths]
    rows: list[list[float]] = []
    back: list[list[int]] = []
    for i in range(n + 1):
        lo, hi = band[i]
        row = [neg] * (hi - lo + 1)
        brow = [-1] * (hi - lo + 1)
        for j in range(lo, hi + 1):
            if i == 0 and j == 0:
                row[0] = 0.0
                continue
            best, arg = neg, -1
            for k, (a, b) in enumerate(shapes):
                pi, pj = i - a, j - b
                if pi < 0 or pj < 0:
                    continue
                plo, phi = band[pi]
                if not plo <= pj <= phi:
                    continue
                prev = (rows[pi] if pi < i else row)[pj - plo]
                if prev <= neg:
                    continue
                if b == 0:
                    v = prev + skip_src[pi]
                elif a == 0:
                    v = prev + skip_tgt[pj]
                else:
                    v = prev + score(pi, i, pj, j) - p.threshold - pens[(a, b)]
                if v > best:
                    best, arg = v, k
            row[j - lo] = best
            brow[j - lo] = arg
        rows.append(row)
        back.append(brow)
    spans: list[tuple[int, int, int, int]] = []
    i, j = n, m
    while i > 0 or j > 0:
        k = back[i][j - band[i][0]]
        a, b = shapes[k]
        spans.append((i - a, i, j - b, j))
        i, j = i - a, j - b
    return spans[::-1]


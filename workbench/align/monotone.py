"""The monotone search for full translations in the same order: a banded dynamic programme over
bead shapes, the band pinned by confident anchors."""

from __future__ import annotations

from dataclasses import dataclass, replace
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
    #: a band with more cells than this is placed by a coarse search first (`_coarse_band`)
    max_cells: int = 300_000
    #: bead shapes searched (besides 0-1 and 1-0); merged spans are scored as concatenations
    shapes: tuple[tuple[int, int], ...] = MONOTONE_SHAPES
    #: weight of the log of the rendering-length signal (the search's first `LengthScorer`),
    #: floored at `log_length_floor`, added to every bead's gain: a bead whose lengths are far
    #: apart loses much more than its share of the weighted mean says, so a 2-2 whose 1-1 parts
    #: have lengths that do not fit is preferred to the parts (0: the mean alone)
    log_length: float = 0.0
    log_length_floor: float = 1e-3

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
    return _connected(band, n, m)


def search_monotone(score: BeadScorer, n: int, m: int, chain: Sequence[tuple[int, int, float]],
                    p: MonotoneParams) -> list[tuple[int, int, int, int]]:
    """Best monotone segmentation into beads by dynamic programming inside the band; returns spans
    (s0, s1, t0, t1) in order. When the band holds more than `p.max_cells` cells (long documents
    with few anchors), it is replaced by one around the path found on sentences grouped by
    `COARSE_FACTOR` (searched the same way, recursively)."""
    band = _band(n, m, chain, p)
    if _cells(band) > p.max_cells and min(n, m) >= 2 * COARSE_FACTOR:
        band = _coarse_band(score, n, m, p)
    return _search(score, n, m, band, p)


def _cells(band: Sequence[tuple[int, int]]) -> int:
    return sum(hi - lo + 1 for lo, hi in band)


#: Sentences per group in the coarse search that places the band on long documents.
COARSE_FACTOR = 8
#: Bead shapes of the coarse search (groups of sentences rarely need more).
COARSE_SHAPES: tuple[tuple[int, int], ...] = ((1, 1), (1, 2), (2, 1), (2, 2))


def _coarse_band(score: BeadScorer, n: int, m: int, p: MonotoneParams) -> list[tuple[int, int]]:
    """The band around the path through groups of `COARSE_FACTOR` sentences: every row of a
    coarse bead may reach its rendering groups, widened by one group and `p.width`."""
    from workbench.align.features import grouped_view

    k = COARSE_FACTOR
    cview = grouped_view(score.view, k)
    coarse = BeadScorer(cview, score.scorers)
    spans = search_monotone(coarse, len(cview.cmp), len(cview.rendering), [],
                            replace(p, shapes=COARSE_SHAPES))
    slack = k + p.width
    band: list[tuple[int, int]] = [(m, 0)] * (n + 1)
    for s0, s1, t0, t1 in spans:
        lo, hi = max(0, t0 * k - slack), min(m, t1 * k + slack)
        for i in range(s0 * k, min(n, s1 * k) + 1):
            olo, ohi = band[i]
            band[i] = (min(olo, lo), max(ohi, hi))
    return _connected(band, n, m)


def _connected(band: list[tuple[int, int]], n: int, m: int) -> list[tuple[int, int]]:
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


def _search(score: BeadScorer, n: int, m: int, band: Sequence[tuple[int, int]],
            p: MonotoneParams) -> list[tuple[int, int, int, int]]:
    """The dynamic programme over `band`, one row at a time: every bead shape's gains for a whole
    row come from numpy (rowscore.RowScorer), only the 0-1 beads (which chain within a row) are
    taken cell by cell. Ties go to the first shape in (1-0, 0-1, p.shapes) order."""
    import numpy as np

    from workbench.align.rowscore import RowScorer
    from workbench.align.scorers import LengthScorer

    rows_scorer = RowScorer(score)
    length_at = next((k for k, w in enumerate(score.scorers)
                      if isinstance(w.scorer, LengthScorer) and not w.scorer.source
                      and not w.scorer.quotes), None) if p.log_length else None
    shapes = [(1, 0), (0, 1)] + list(p.shapes)
    by_a: dict[int, list[int]] = {}
    for a, b in p.shapes:
        by_a.setdefault(a, []).append(b)
    pens = {ab: p.penalty(*ab) for ab in p.shapes}
    # a long sentence left out is unlikely in a translation; a short OCR fragment often is
    skip_src = [-p.skip_penalty * min(1.0, x / p.skip_length) for x in score.view.cmp.lengths]
    skip_tgt = [-p.skip_penalty * min(1.0, x / p.skip_length) for x in score.view.rendering.lengths]
    neg = -np.inf
    rows: list[np.ndarray] = []
    back: list[list[int]] = []
    for i in range(n + 1):
        lo, hi = band[i]
        js = np.arange(lo, hi + 1)
        width = hi - lo + 1
        top = np.full(width, neg)
        if i > 0:
            plo, phi = band[i - 1]
            ok = (js >= plo) & (js <= phi)
            top[ok] = rows[i - 1][js[ok] - plo] + skip_src[i - 1]
        best = np.full(width, neg)
        arg = np.full(width, -1, dtype=np.int64)
        gains: dict[tuple[int, int], np.ndarray] = {}
        for a, bs in by_a.items():
            if i - a >= 0:
                if length_at is None:
                    got = rows_scorer.rows(i - a, i, bs, js)
                else:
                    parts = rows_scorer.parts(i - a, i, bs, js)
                    fit = np.log(np.maximum(parts[length_at][0], p.log_length_floor))
                    got = rows_scorer.combine(parts, bs, js) + p.log_length * fit
                for r, b in enumerate(bs):
                    gains[(a, b)] = got[r]
        for k, (a, b) in enumerate(shapes[2:], start=2):
            if (a, b) not in gains:
                continue
            plo, phi = band[i - a]
            pj = js - b
            ok = (pj >= plo) & (pj <= phi)
            prev = np.full(width, neg)
            prev[ok] = rows[i - a][pj[ok] - plo]
            v = prev + gains[(a, b)] - p.threshold - pens[(a, b)]
            better = v > best
            best = np.where(better, v, best)
            arg = np.where(better, k, arg)
        row = [0.0] * width
        brow = [-1] * width
        top_l, best_l, arg_l = top.tolist(), best.tolist(), arg.tolist()
        left = neg
        for c in range(width):
            j = lo + c
            if i == 0 and j == 0:
                row[c] = left = 0.0
                continue
            val = top_l[c]
            k = 0 if val > neg else -1
            if c > 0 and left > neg:
                v = left + skip_tgt[j - 1]
                if v > val:
                    val, k = v, 1
            if best_l[c] > val:
                val, k = best_l[c], arg_l[c]
            row[c] = left = val
            brow[c] = k
        rows.append(np.array(row))
        back.append(brow)
    spans: list[tuple[int, int, int, int]] = []
    i, j = n, m
    while i > 0 or j > 0:
        k = back[i][j - band[i][0]]
        a, b = shapes[k]
        spans.append((i - a, i, j - b, j))
        i, j = i - a, j - b
    return spans[::-1]

"""Candidate beads for the one search: which source spans each rendering span might express.

Never all N x M sentence pairs: each rendering sentence takes its nearest source sentences (by the
encoder's margin, or by shared rare n-grams and anchors without it) and each source sentence its
nearest rendering sentences; the best few of those also propose their neighbours (a translation
goes on in order where a short sentence finds no match of its own) and the merged spans that hold
them (1-2, 2-1, 2-2, 1-3, 3-1, ...)."""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

#: Bead shapes with sentences on both sides (source, rendering).
SHAPES: tuple[tuple[int, int], ...] = ((1, 1), (1, 2), (2, 1), (2, 2), (1, 3), (3, 1))


def pairs_from_tops(col_idx: np.ndarray, row_idx: np.ndarray) -> set[tuple[int, int]]:
    """(source, rendering) pairs: each rendering sentence's listed source sentences (`col_idx`, one
    row per rendering sentence) and each source sentence's listed rendering sentences (`row_idx`)."""
    out = {(int(i), t) for t, row in enumerate(col_idx) for i in row}
    out.update((i, int(t)) for i, row in enumerate(row_idx) for t in row)
    return out


def candidate_beads(n: int, m: int, near: Iterable[tuple[int, int]],
                    seeds: Iterable[tuple[int, int]],
                    shapes: Sequence[tuple[int, int]] = SHAPES, reach: int = 1) -> np.ndarray:
    """Candidate beads as rows (s0, s1, t0, t1), sorted by (t1, t0, s0, s1).

    `near`: 1-1 pairs worth scoring; `seeds`: the best of them, which also propose the pairs
    `reach` sentences before and after them on both sides and every bead of `shapes` that holds
    them."""
    ones = {(i, t) for i, t in near if 0 <= i < n and 0 <= t < m}
    rows: set[tuple[int, int, int, int]] = {(i, i + 1, t, t + 1) for i, t in ones}
    for i, t in seeds:
        for d in range(1, reach + 1):
            for di, dt in ((d, d), (-d, -d)):
                if 0 <= i + di < n and 0 <= t + dt < m:
                    rows.add((i + di, i + di + 1, t + dt, t + dt + 1))
        for a, b in shapes:
            if a == 1 and b == 1:
                continue
            for s0 in range(i - a + 1, i + 1):
                for t0 in range(t - b + 1, t + 1):
                    if s0 >= 0 and t0 >= 0 and s0 + a <= n and t0 + b <= m:
                        rows.add((s0, s0 + a, t0, t0 + b))
    if not rows:
        return np.zeros((0, 4), dtype=np.int64)
    out = np.array(sorted(rows, key=lambda r: (r[3], r[2], r[0], r[1])), dtype=np.int64)
    return out

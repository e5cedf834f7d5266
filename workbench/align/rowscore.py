"""Scores of a whole row of the monotone search at once: one source span against the rendering
spans ending at every position of a band row, for several rendering span sizes, with numpy.

The values are the very numbers `BeadScorer.__call__` gives cell by cell (same operations in the
same order, so the search's choices do not change); what differs is that the per-sentence n-gram
counts, anchors and lengths are turned once into integer arrays over a vocabulary shared by both
sides, and a rendering span's counts come from prefix sums over a dense window of the band instead
of a dictionary merge per cell. Scorers without a row form here are asked cell by cell.

numpy is imported here, so this module is loaded only by the searches.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from workbench.align.features import PairView, Side
from workbench.align.scorers import AnchorScorer, BeadScorer, CountNgramScorer, LengthScorer

_ERFC = np.frompyfunc(math.erfc, 1, 1)
_SQRT2 = math.sqrt(2.0)


class _Sparse:
    """Per-sentence {item: count} of both sides as CSR arrays over one shared vocabulary, ids in
    order of first appearance (so nothing depends on hashing)."""

    def __init__(self, left: Sequence[dict[str, int]], right: Sequence[dict[str, int]]) -> None:
        vocab: dict[str, int] = {}
        self.left = self._csr(left, vocab)
        self.right = self._csr(right, vocab)
        self.size = len(vocab)
        # scratch: position of a vocabulary id among the current source span's items, else -1
        self.pos = np.full(max(1, self.size), -1, dtype=np.int64)

    @staticmethod
    def _csr(per: Sequence[dict[str, int]], vocab: dict[str, int]
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        ids: list[int] = []
        cnt: list[int] = []
        ptr = [0]
        tot = [0]
        for c in per:
            for g, v in c.items():
                k = vocab.get(g)
                if k is None:
                    k = vocab[g] = len(vocab)
                ids.append(k)
                cnt.append(v)
            ptr.append(len(ids))
            tot.append(tot[-1] + sum(c.values()))
        ptr_a = np.array(ptr, dtype=np.int64)
        rows = np.repeat(np.arange(len(per), dtype=np.int64), np.diff(ptr_a))
        return (np.array(ids, dtype=np.int64), np.array(cnt, dtype=np.int32), ptr_a, rows,
                np.array(tot, dtype=np.int64))

    def source_span(self, s0: int, s1: int) -> tuple[np.ndarray, np.ndarray]:
        """Distinct ids of sentences s0..s1-1 of the left side and their summed counts."""
        ids, cnt, ptr, _, _ = self.left
        a, b = ptr[s0], ptr[s1]
        if s1 - s0 == 1:
            return ids[a:b], cnt[a:b]
        uniq, inv = np.unique(ids[a:b], return_inverse=True)
        return uniq, np.bincount(inv, weights=cnt[a:b], minlength=len(uniq)).astype(np.int32)

    def window_prefix(self, src_ids: np.ndarray, t_lo: int, t_hi: int) -> np.ndarray:
        """Prefix sums over right-side sentences t_lo..t_hi-1 of the counts of `src_ids`:
        row r holds the counts of sentences t_lo..t_lo+r-1 (shape (t_hi-t_lo+1, len(src_ids)))."""
        ids, cnt, ptr, rows, _ = self.right
        k = len(src_ids)
        dense = np.zeros((t_hi - t_lo + 1, k), dtype=np.int32)
        if k == 0 or t_hi <= t_lo:
            return dense
        self.pos[src_ids] = np.arange(k)
        sl = slice(ptr[t_lo], ptr[t_hi])
        p = self.pos[ids[sl]]
        hit = p >= 0
        dense[rows[sl][hit] - t_lo + 1, p[hit]] = cnt[sl][hit]
        self.pos[src_ids] = -1
        np.cumsum(dense, axis=0, out=dense)
        return dense


def _anchor_counts(side: Side) -> list[dict[str, int]]:
    # sorted: a frozenset's iteration order depends on the hash seed
    return [{a: 1 for a in sorted(x)} for x in side.anchors]


class RowScorer:
    """`BeadScorer` for whole band rows: `rows(s0, s1, bs, js)` scores source span s0..s1-1
    against rendering spans (j - b, j) for every b in `bs` and j in `js`."""

    def __init__(self, score: BeadScorer) -> None:
        self.score = score
        self.view: PairView = score.view
        self._sparse: dict[object, _Sparse] = {}
        self._lengths: dict[str, np.ndarray] = {}
        self._union: dict[int, np.ndarray] = {}
        self._window: tuple[object, ...] | None = None

    def _counts(self, key: object) -> _Sparse:
        got = self._sparse.get(key)
        if got is None:
            view = self.view
            if key == "anchors":
                got = _Sparse(_anchor_counts(view.cmp), _anchor_counts(view.rendering))
            else:
                order = view.cmp.n if key is None else key
                got = _Sparse(view.cmp.sentence_counts(order), view.rendering.sentence_counts(order))
            self._sparse[key] = got
        return got

    def _prefix_lengths(self, name: str, side: Side) -> np.ndarray:
        got = self._lengths.get(name)
        if got is None:
            got = np.concatenate([[0], np.cumsum(np.array(side.lengths, dtype=np.int64))])
            self._lengths[name] = got
        return got

    def _anchor_union(self, b: int) -> np.ndarray:
        """Distinct anchors of rendering spans of b sentences ending at each j (index j)."""
        got = self._union.get(b)
        if got is None:
            tgt = self.view.rendering.anchors
            got = np.zeros(len(tgt) + 1, dtype=np.int64)
            for j in range(b, len(tgt) + 1):
                got[j] = len(frozenset().union(*tgt[j - b:j])) if b > 1 else len(tgt[j - 1])
            self._union[b] = got
        return got

    def rows(self, s0: int, s1: int, bs: Sequence[int], js: np.ndarray) -> np.ndarray:
        """Scores, shape (len(bs), len(js)); cells with j - b < 0 are 0."""
        return self.combine(self.parts(s0, s1, bs, js), bs, js)

    def combine(self, parts: Sequence[tuple[np.ndarray, np.ndarray | None]], bs: Sequence[int],
                js: np.ndarray) -> np.ndarray:
        """The weighted mean of the scorers' `parts` (as `rows` gives it)."""
        shape = (len(bs), len(js))
        ok = js[None, :] - np.array(bs, dtype=np.int64)[:, None] >= 0
        total = np.zeros(shape)
        weights = np.zeros(shape)
        for w, (vals, valid) in zip(self.score.scorers, parts):
            # adding 0.0 where a scorer abstains keeps the cell's sum what the scalar path sums
            if valid is None:
                total = total + w.weight * vals
                weights = weights + w.weight
            else:
                total = total + np.where(valid, w.weight * vals, 0.0)
                weights = weights + np.where(valid, w.weight, 0.0)
        out = np.divide(total, weights, out=np.zeros(shape), where=weights > 0)
        return np.where(ok, np.maximum(out, 0.0), 0.0)

    def parts(self, s0: int, s1: int, bs: Sequence[int], js: np.ndarray
              ) -> list[tuple[np.ndarray, np.ndarray | None]]:
        """Each scorer's values, shape (len(bs), len(js)), and where it applies (None: everywhere);
        cells with j - b < 0 hold values of no meaning."""
        bsa = np.array(bs, dtype=np.int64)[:, None]
        starts = js[None, :] - bsa
        ok = starts >= 0
        t_lo = max(0, int(js[0]) - max(bs))
        t_hi = int(js[-1])
        self._window = (s0, s1, t_lo, t_hi)
        shape = (len(bs), len(js))
        out: list[tuple[np.ndarray, np.ndarray | None]] = []
        for w in self.score.scorers:
            got = self._row(w.scorer, s0, s1, bsa, js, np.where(ok, starts, t_lo), t_lo, t_hi)
            if got is None:
                vals = np.zeros(shape)
                valid = np.zeros(shape, dtype=bool)
                for r, b in enumerate(bs):
                    for c, j in enumerate(js.tolist()):
                        if j - b >= 0:
                            v = w.scorer.score(self.view, s0, s1, j - b, j)
                            if v is not None:
                                vals[r, c], valid[r, c] = v, True
                got = (vals, valid)
            out.append(got)
        return out

    def _row(self, scorer: object, s0: int, s1: int, bs: np.ndarray, js: np.ndarray,
             starts: np.ndarray, t_lo: int, t_hi: int
             ) -> tuple[np.ndarray, np.ndarray | None] | None:
        view = self.view
        if isinstance(scorer, CountNgramScorer):
            sp = self._counts(scorer.order)
            ids, cnt = sp.source_span(s0, s1)
            na = int(sp.left[4][s1] - sp.left[4][s0])
            pre = sp.window_prefix(ids, t_lo, t_hi)
            spans = pre[js - t_lo][None, :, :] - pre[starts - t_lo]
            inter = np.minimum(spans, cnt).sum(axis=2)
            tot = sp.right[4]
            nb = tot[js][None, :] - tot[starts]
            den = na + nb
            if na == 0:
                return np.zeros(inter.shape), None
            return np.divide(2.0 * inter, den, out=np.zeros(inter.shape), where=nb > 0), None
        if isinstance(scorer, LengthScorer) and not scorer.quotes:
            if scorer.source:
                if view.src is None:
                    return np.zeros(starts.shape), np.zeros(starts.shape, dtype=bool)
                l1, ratio = _span_length(view.src, s0, s1), view.src_ratio
            else:
                l1, ratio = _span_length(view.cmp, s0, s1), view.ratio
            lt = self._prefix_lengths("rendering", view.rendering)
            l2 = (lt[js][None, :] - lt[starts]) + bs - 1
            return _length_probability(l1, l2, ratio, scorer.variance), None
        if isinstance(scorer, AnchorScorer):
            sp = self._counts("anchors")
            ids, _ = sp.source_span(s0, s1)
            nb = np.stack([self._anchor_union(int(b))[js] for b in bs[:, 0]])
            na = len(ids)
            if na:
                pre = sp.window_prefix(ids, t_lo, t_hi)
                spans = pre[js - t_lo][None, :, :] - pre[starts - t_lo]
                inter = (spans > 0).sum(axis=2)
            else:
                inter = np.zeros(nb.shape, dtype=np.int64)
            if scorer.source_recall:
                if not na:
                    return np.zeros(nb.shape), np.zeros(nb.shape, dtype=bool)
                return inter / na, None
            valid = nb > 0 if na == 0 else None
            if na == 0:
                return np.zeros(nb.shape), valid
            vals = np.divide(2.0 * inter, na + nb, out=np.zeros(nb.shape), where=nb > 0)
            return vals, None
        return None


def _span_length(side: Side, s0: int, s1: int) -> int:
    """Side.span's length (sentences joined by one space), without building the span."""
    return sum(side.lengths[s0:s1]) + s1 - s0 - 1


def _length_probability(l1: int, l2: np.ndarray, ratio: float, variance: float) -> np.ndarray:
    """LengthScorer._probability over an array of rendering lengths, operation for operation."""
    mean = (l1 + l2 / ratio) / 2.0
    delta = (l2 - ratio * l1) / np.sqrt(variance * np.maximum(mean, 1.0))
    # math.erfc itself: numpy has no erfc, and an approximation could flip a tie in the search
    out = _ERFC(np.abs(delta) / _SQRT2).astype(np.float64)
    return np.where(mean <= 0, 0.0, out)

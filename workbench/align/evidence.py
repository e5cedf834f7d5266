"""The evidence of each candidate bead, as numbers: what the encoder, the lengths, the MT or the
source's own n-grams, and the anchors say, with nothing about order (order is the search's)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from workbench.align.features import PairView

#: Every feature a bead can have, in the order of a model's weights; a model uses a subset.
FEATURES = ("margin", "margin_min", "part", "background", "length", "lexical", "anchors",
            "merge", "big", "short", "lead", "names", "rank", "ratio")
#: Rows of candidates whose span vectors are computed at once: bounds memory on long documents.
BLOCK = 4096
#: A cut quote's parts are compared for a rendering sentence's this many best source sentences,
#: and not at all where its best match is mutual with at least this margin.
PART_RANK = 3
#: A rendering sentence this many times longer than the source sentence (by the document's length
#: ratio) may quote it inside words of its own.
QUOTE_LONGER = 2.0
PART_SURE = 1.04


@dataclass(frozen=True)
class LengthModel:
    """Gale-Church: a true bead's rendering length is about `ratio` times its source length, with a
    variance growing with the length; `logp` is the log of the two-sided tail probability of the
    difference."""

    ratio: float = 1.0
    variance: float = 6.8

    def logp(self, ls: np.ndarray, lt: np.ndarray) -> np.ndarray:
        mean = np.maximum((ls + lt / self.ratio) / 2.0, 1.0)
        delta = np.abs(lt - self.ratio * ls) / np.sqrt(self.variance * mean)
        return np.maximum(log_tail(delta), -30.0)


_ERFC = np.frompyfunc(math.erfc, 1, 1)


def log_tail(delta: np.ndarray) -> np.ndarray:
    """log P(|N(0, 1)| >= delta), exact where erfc is representable and by its asymptotic
    expansion beyond."""
    z = np.asarray(delta, dtype=np.float64) / math.sqrt(2.0)
    near = z < 5.0
    out = np.empty_like(z)
    out[near] = np.log(_ERFC(z[near]).astype(np.float64))
    far = z[~near]
    out[~near] = -far * far - np.log(far * math.sqrt(math.pi))
    return out


def fit_length(ls: np.ndarray, lt: np.ndarray, prior: LengthModel, weight: float = 20.0
               ) -> LengthModel:
    """The length model of a document from its confident 1-1 pairs' lengths, pulled towards
    `prior` as if it had `weight` pairs of its own: a short document says little."""
    ls, lt = np.asarray(ls, dtype=np.float64), np.asarray(lt, dtype=np.float64)
    keep = (ls > 0) & (lt > 0)
    ls, lt = ls[keep], lt[keep]
    k = len(ls)
    if k == 0:
        return prior
    # the median of the log ratios: a few wrong pairs do not move it
    own = float(np.exp(np.median(np.log(lt / ls))))
    ratio = math.exp((k * math.log(own) + weight * math.log(prior.ratio)) / (k + weight))
    resid = (lt - ratio * ls) ** 2 / np.maximum((ls + lt / ratio) / 2.0, 1.0)
    # robust: the median of squared residuals of a normal is 0.455 times its variance
    own_var = float(np.median(resid)) / 0.455
    variance = (k * own_var + weight * prior.variance) / (k + weight)
    return LengthModel(ratio=ratio, variance=max(variance, 1.0))


class Evidence:
    """Features of candidate beads of one document pair.

    `view` holds both sides' text features (the MT's, when there is one, as `view.cmp`); `sem` the
    encoder's vectors (align.semantic.SemanticView) or None; `lengths` the document's length model
    (source characters, not the MT's, against the rendering's)."""

    def __init__(self, view: PairView, sem, lengths: LengthModel, *, mt: bool) -> None:
        self.view, self.sem, self.lengths, self.mt = view, sem, lengths, mt
        own = view.src if view.src is not None else view.cmp
        self._ls = np.r_[0, np.cumsum(own.lengths)].astype(np.float64)
        self._lt = np.r_[0, np.cumsum(view.rendering.lengths)].astype(np.float64)
        if sem is not None:
            self._ps = np.vstack([np.zeros((1, sem.src.v.shape[1])),
                                  np.cumsum(sem.src.v, axis=0, dtype=np.float64)])
            self._pt = np.vstack([np.zeros((1, sem.tgt.v.shape[1])),
                                  np.cumsum(sem.tgt.v, axis=0, dtype=np.float64)])
            self._bs = np.r_[0, np.cumsum(sem.src.background)]
            self._bt = np.r_[0, np.cumsum(sem.tgt.background)]

    def span_lengths(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s0, s1, t0, t1 = rows.T
        return (self._ls[s1] - self._ls[s0] + (s1 - s0 - 1),
                self._lt[t1] - self._lt[t0] + (t1 - t0 - 1))

    def margins(self, rows: np.ndarray) -> np.ndarray:
        """The encoder's margin of each bead's span vectors (normalised sums of its sentences'),
        against the mean background of its sentences."""
        out = np.empty(len(rows))
        for a in range(0, len(rows), BLOCK):
            s0, s1, t0, t1 = rows[a:a + BLOCK].T
            u = self._ps[s1] - self._ps[s0]
            v = self._pt[t1] - self._pt[t0]
            cos = np.einsum("ij,ij->i", u, v) / np.maximum(
                np.linalg.norm(u, axis=1) * np.linalg.norm(v, axis=1), 1e-12)
            bg = ((self._bs[s1] - self._bs[s0]) / (s1 - s0) + (self._bt[t1] - self._bt[t0]) / (t1 - t0)) / 2
            out[a:a + BLOCK] = cos / bg
        return out

    def _pair_margins(self, i: np.ndarray, t: np.ndarray) -> np.ndarray:
        sem = self.sem
        out = np.empty(len(i))
        for a in range(0, len(i), BLOCK):
            ii, tt = i[a:a + BLOCK], t[a:a + BLOCK]
            cos = np.einsum("ij,ij->i", sem.src.v[ii], sem.tgt.v[tt])
            out[a:a + BLOCK] = cos / ((sem.src.background[ii] + sem.tgt.background[tt]) / 2)
        return out

    def weakest_member(self, rows: np.ndarray, margin: np.ndarray) -> np.ndarray:
        """For each bead the lowest, over its sentences, of the sentence's best margin against a
        sentence of the other side of the bead: a merged span with a sentence that belongs to
        none of the other side's is a glued neighbour. A 1-1 bead's own margin."""
        s0, s1, t0, t1 = rows.T
        a, b = s1 - s0, t1 - t0
        multi = np.flatnonzero((a > 1) | (b > 1))
        out = margin.copy()
        if not len(multi):
            return out
        amax, bmax = int(a[multi].max()), int(b[multi].max())
        grid = np.full((len(multi), amax, bmax), -np.inf)
        for di in range(amax):
            for dj in range(bmax):
                ok = (a[multi] > di) & (b[multi] > dj)
                sel = multi[ok]
                grid[np.flatnonzero(ok), di, dj] = self._pair_margins(s0[sel] + di, t0[sel] + dj)
        # each source sentence's best against the bead's rendering sentences, and the reverse;
        # places beyond a bead's shape stay -inf and are left out of the minimum
        src_best = grid.max(axis=2)
        tgt_best = grid.max(axis=1)
        src_best[np.isneginf(src_best)] = np.inf
        tgt_best[np.isneginf(tgt_best)] = np.inf
        out[multi] = np.minimum(src_best.min(axis=1), tgt_best.min(axis=1))
        return out

    def features(self, rows: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
        """One row of the named features per candidate bead."""
        cols: dict[str, np.ndarray] = {}
        s0, s1, t0, t1 = rows.T
        a, b = s1 - s0, t1 - t0
        ls, lt = self.span_lengths(rows)
        cols["length"] = self.lengths.logp(ls, lt)
        cols["merge"] = ((a + b) == 3).astype(np.float64)
        cols["big"] = np.maximum(a + b - 3, 0).astype(np.float64)
        cols["short"] = np.log1p(np.minimum(ls, lt))
        if self.sem is not None and {"margin", "margin_min", "part", "background", "lead"} & set(names):
            margin = self.margins(rows)
            cols["margin"] = margin
            cols["margin_min"] = self.weakest_member(rows, margin)
            cols["background"] = ((self._bt[t1] - self._bt[t0]) / b)
            if "part" in names:
                cols["part"] = self.part_margins(rows, margin)
            if "lead" in names:
                cols["lead"] = lead(rows, margin)
        if "lexical" in names:
            cols["lexical"] = self.lexical(rows)
        if "anchors" in names:
            cols["anchors"] = self.anchors(rows)
        if "names" in names:
            cols["names"] = self.names(rows)
        if "ratio" in names:
            # signed: a rendering shorter than its source is often a cut quote, a longer one not
            cols["ratio"] = np.log((lt + 10.0) / (self.lengths.ratio * ls + 10.0))
        if "rank" in names:
            cols["rank"] = rank(rows, cols["margin"])
        return np.column_stack([cols[k] for k in names]) if len(rows) else np.zeros((0, len(names)))

    def part_margins(self, rows: np.ndarray, margin: np.ndarray) -> np.ndarray:
        """For a 1-1 bead that may be a cut quote, the margin of the source sentence's best part
        (itself or a beginning or end at a clause boundary) against the rendering sentence:
        reporting quotes half a sentence. A bead may be one when its rendering sentence is shorter
        than the source sentence (by the document's length ratio), the pair is among the rendering
        sentence's PART_RANK best, and the rendering sentence has no sure match already (a mutual
        best with a margin above PART_SURE). Other beads keep their margin, so a full translation
        encodes few parts or none."""
        out = margin.copy()
        if self.sem is None:
            return out
        s0, s1, t0, t1 = rows.T
        one = (s1 - s0 == 1) & (t1 - t0 == 1)
        ls, lt = self.span_lengths(rows)
        short = lt < 0.8 * self.lengths.ratio * ls
        r = rank_in_rendering(rows, margin)
        sure = self.sure_renderings(rows, margin)
        pick = np.flatnonzero(one & short & (r < PART_RANK) & ~sure[t0])
        if len(pick):
            pairs = [(int(rows[k, 0]), int(rows[k, 2])) for k in pick]
            out[pick] = np.maximum(margin[pick], self.sem.some_part_margins(pairs))
        # the other way round: a rendering sentence that quotes a short source sentence (a title)
        # inside words of its own, the quote in quotation marks
        quotes = self.view.rendering.quotes
        if any(quotes):
            long = lt > QUOTE_LONGER * self.lengths.ratio * ls
            quoting = np.array([bool(q) for q in quotes], dtype=bool)
            pick = np.flatnonzero(one & long & quoting[t0] & (r < PART_RANK))
            if len(pick):
                pairs = [(int(rows[k, 0]), int(rows[k, 2])) for k in pick]
                out[pick] = np.maximum(out[pick], self.sem.quote_margins(pairs, quotes))
        return out

    def sure_renderings(self, rows: np.ndarray, margin: np.ndarray) -> np.ndarray:
        """Per rendering sentence: whether its best 1-1 candidate is also its source sentence's
        best and has a margin above PART_SURE."""
        m = len(self.view.rendering)
        sure = np.zeros(m, dtype=bool)
        one = np.flatnonzero((rows[:, 1] - rows[:, 0] == 1) & (rows[:, 3] - rows[:, 2] == 1))
        best_t: dict[int, tuple[float, int]] = {}
        best_s: dict[int, tuple[float, int]] = {}
        for k in one.tolist():
            i, t, v = int(rows[k, 0]), int(rows[k, 2]), float(margin[k])
            if t not in best_t or v > best_t[t][0]:
                best_t[t] = (v, i)
            if i not in best_s or v > best_s[i][0]:
                best_s[i] = (v, t)
        for t, (v, i) in best_t.items():
            if v > PART_SURE and best_s[i][1] == t:
                sure[t] = True
        return sure

    def lexical(self, rows: np.ndarray) -> np.ndarray:
        """Dice of the character n-grams of the MT (or of the source itself, transliterated) and of
        the rendering."""
        view = self.view
        out = np.empty(len(rows))
        for k, (s0, s1, t0, t1) in enumerate(rows.tolist()):
            if s1 - s0 == 1 and t1 - t0 == 1:
                x, y = view.cmp.counts[s0].keys(), view.rendering.counts[t0].keys()
            else:
                x, y = view.cmp.span(s0, s1)[0], view.rendering.span(t0, t1)[0]
            out[k] = 2.0 * len(x & y) / (len(x) + len(y)) if x and y else 0.0
        return out

    def names(self, rows: np.ndarray) -> np.ndarray:
        """+1 when the spans share a name (a capitalised word inside a sentence, transliterated),
        -1 when both have names and share none, 0 when either has none."""
        view = self.view
        out = np.zeros(len(rows))
        for k, (s0, s1, t0, t1) in enumerate(rows.tolist()):
            x = {a for a in view.cmp.span_anchors(s0, s1) if a[0] == "$"}
            y = {a for a in view.rendering.span_anchors(t0, t1) if a[0] == "$"}
            if x and y:
                out[k] = 1.0 if x & y else -1.0
        return out

    def anchors(self, rows: np.ndarray) -> np.ndarray:
        """+1 when the spans share a number or date, -1 when both have some and share none, 0 when
        either has none (names are left to the lexical signal)."""
        view = self.view
        out = np.zeros(len(rows))
        for k, (s0, s1, t0, t1) in enumerate(rows.tolist()):
            x = {a for a in view.cmp.span_anchors(s0, s1) if a[0] in "#@"}
            y = {a for a in view.rendering.span_anchors(t0, t1) if a[0] in "#@"}
            if x and y:
                out[k] = 1.0 if x & y else -1.0
        return out


def rank_in_rendering(rows: np.ndarray, margin: np.ndarray) -> np.ndarray:
    """For 1-1 beads, how many 1-1 candidates of the same rendering sentence have a higher margin
    (ties by source index); merged beads a large number."""
    out = np.full(len(rows), 99)
    one = np.flatnonzero((rows[:, 1] - rows[:, 0] == 1) & (rows[:, 3] - rows[:, 2] == 1))
    by_t: dict[int, list[int]] = {}
    for k in one.tolist():
        by_t.setdefault(int(rows[k, 2]), []).append(k)
    for ks in by_t.values():
        ks.sort(key=lambda k: (-float(margin[k]), int(rows[k, 0])))
        for place, k in enumerate(ks):
            out[k] = place
    return out


def rank(rows: np.ndarray, margin: np.ndarray) -> np.ndarray:
    """For 1-1 beads, how many other 1-1 candidates of its rendering sentence or of its source
    sentence have a higher margin (the larger count, at most 3); merged beads 0."""
    out = np.zeros(len(rows))
    one = np.flatnonzero((rows[:, 1] - rows[:, 0] == 1) & (rows[:, 3] - rows[:, 2] == 1))
    by_t: dict[int, list[float]] = {}
    by_s: dict[int, list[float]] = {}
    for k in one.tolist():
        by_t.setdefault(int(rows[k, 2]), []).append(float(margin[k]))
        by_s.setdefault(int(rows[k, 0]), []).append(float(margin[k]))
    for k in one.tolist():
        x = float(margin[k])
        above = max(sum(v > x for v in by_t[int(rows[k, 2])]), sum(v > x for v in by_s[int(rows[k, 0])]))
        out[k] = min(above, 3)
    return out


def lead(rows: np.ndarray, margin: np.ndarray) -> np.ndarray:
    """How far each 1-1 bead's margin leads the best other 1-1 candidate of its rendering sentence
    and of its source sentence (the smaller lead; 0 for merged beads)."""
    out = np.zeros(len(rows))
    one = np.flatnonzero((rows[:, 1] - rows[:, 0] == 1) & (rows[:, 3] - rows[:, 2] == 1))
    if not len(one):
        return out
    best_t: dict[int, list[float]] = {}
    best_s: dict[int, list[float]] = {}
    for k in one.tolist():
        best_t.setdefault(int(rows[k, 2]), []).append(float(margin[k]))
        best_s.setdefault(int(rows[k, 0]), []).append(float(margin[k]))
    top_t = {t: sorted(v, reverse=True)[:2] for t, v in best_t.items()}
    top_s = {s: sorted(v, reverse=True)[:2] for s, v in best_s.items()}
    for k in one.tolist():
        x = float(margin[k])
        leads = []
        for tops in (top_t[int(rows[k, 2])], top_s[int(rows[k, 0])]):
            other = tops[1] if len(tops) > 1 and tops[0] == x else (tops[0] if tops[0] != x else None)
            leads.append(x - other if other is not None else 0.05)
        out[k] = min(leads)
    return out

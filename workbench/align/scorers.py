"""Scorers: each signal gives a value in [0, 1] for a candidate bead (a source span against a
rendering span), or None when it has nothing to say; `BeadScorer` combines them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol, Sequence

from workbench.align.features import PairView, ngrams

class Scorer(Protocol):
    """One signal. `score` gives a value in [0, 1] for source span s0..s1-1 against rendering span
    t0..t1-1, or None when the signal does not apply (e.g. neither side has a number)."""

    name: str

    def score(self, view: PairView, s0: int, s1: int, t0: int, t1: int) -> float | None: ...


class NgramScorer:
    """Dice coefficient of the distinct character n-grams of both spans: with MT a chrF-like measure
    of how well the MT and the rendering agree, without MT a measure of shared names, numbers and
    cognates."""

    name = "ngram"

    def score(self, view: PairView, s0: int, s1: int, t0: int, t1: int) -> float | None:
        if s1 - s0 == 1 and t1 - t0 == 1:
            # the n-gram counts' keys are the same sets, and need no frozensets built
            a, b = view.cmp.counts[s0].keys(), view.rendering.counts[t0].keys()
        else:
            a, b = view.cmp.span(s0, s1)[0], view.rendering.span(t0, t1)[0]
        if not a or not b:
            return 0.0
        return 2.0 * len(a & b) / (len(a) + len(b))


class CountNgramScorer:
    """Dice coefficient over n-gram multisets (matches counted up to the smaller count), as chrF
    counts them: merging an unrelated sentence into a span dilutes the score as it should.
    `order` picks the n-gram length (None: the sides' own, 0: whole words); longer n-grams match
    less by chance between unrelated sentences."""

    def __init__(self, order: int | None = None) -> None:
        self.order = order
        self.name = ("ngram-count" if order is None else
                     "word-count" if order == 0 else f"ngram{order}-count")

    def score(self, view: PairView, s0: int, s1: int, t0: int, t1: int) -> float | None:
        a, na = view.cmp.span_counts(s0, s1, self.order)
        b, nb = view.rendering.span_counts(t0, t1, self.order)
        if not na or not nb:
            return 0.0
        inter = 0
        for g in a.keys() & b.keys():
            v, w = a[g], b[g]
            inter += v if v < w else w
        return 2.0 * inter / (na + nb)


class IdfNgramScorer:
    """Like NgramScorer, but each n-gram weighs its inverse document frequency over both sides, so
    that the trigrams every sentence shares (" de", "ent") do not make unrelated sentences similar."""

    name = "ngram-idf"

    def __init__(self) -> None:
        self._idf: dict[str, float] | None = None
        self._view: PairView | None = None

    def _weights(self, view: PairView) -> dict[str, float]:
        if self._idf is None or self._view is not view:
            df: dict[str, int] = {}
            sides = [view.cmp, view.rendering]
            for side in sides:
                for g in side.grams:
                    for x in g:
                        df[x] = df.get(x, 0) + 1
            total = sum(len(side) for side in sides) + 1
            self._idf = {x: math.log(total / c) for x, c in df.items()}
            self._view = view
        return self._idf

    def _mass(self, grams: frozenset[str], idf: dict[str, float]) -> float:
        # fsum is exact, so the result does not depend on the set's iteration order
        return math.fsum(idf.get(x, 0.0) for x in grams)

    def score(self, view: PairView, s0: int, s1: int, t0: int, t1: int) -> float | None:
        idf = self._weights(view)
        a, b = view.cmp.span(s0, s1)[0], view.rendering.span(t0, t1)[0]
        if not a or not b:
            return 0.0
        den = self._mass(a, idf) + self._mass(b, idf)
        return 2.0 * self._mass(a & b, idf) / den if den else 0.0


class LengthScorer:
    """Gale-Church: probability that the lengths are this far apart for a true translation pair,
    2 * (1 - Phi(|delta|)), with delta = (l2 - c*l1) / sqrt(s2 * l1)."""

    name = "length"

    def __init__(self, variance: float = 6.8, quotes: bool = False, source: bool = False) -> None:
        self.variance = variance
        # in reporting, a source sentence is often only the quoted part of a rendering sentence
        self.quotes = quotes
        # with MT, the source's own length is a second opinion: the MT's length errs differently
        self.source = source
        if source:
            self.name = "source-length"

    def score(self, view: PairView, s0: int, s1: int, t0: int, t1: int) -> float | None:
        if self.source:
            if view.src is None:
                return None
            l1, ratio = view.src.span_length(s0, s1), view.src_ratio
        else:
            l1, ratio = view.cmp.span_length(s0, s1), view.ratio
        lengths = [view.rendering.span_length(t0, t1)]
        if self.quotes:
            lengths += [len(q) for t in range(t0, t1) for q in view.rendering.quotes[t]]
        return max(self._probability(l1, l2, ratio) for l2 in lengths)

    def _probability(self, l1: int, l2: int, ratio: float) -> float:
        mean = (l1 + l2 / ratio) / 2.0
        if mean <= 0:
            return 0.0
        delta = (l2 - ratio * l1) / math.sqrt(self.variance * max(mean, 1.0))
        return math.erfc(abs(delta) / math.sqrt(2.0))


class AnchorScorer:
    """Shared numbers, dates and names (Dice over the anchor sets); None when neither side has any.
    With `source_recall` the share of the source's anchors found in the rendering, None when the
    source has none: reporting adds names and figures of its own."""

    name = "anchors"

    def __init__(self, source_recall: bool = False) -> None:
        self.source_recall = source_recall

    def score(self, view: PairView, s0: int, s1: int, t0: int, t1: int) -> float | None:
        a, b = view.cmp.span_anchors(s0, s1), view.rendering.span_anchors(t0, t1)
        if self.source_recall:
            return len(a & b) / len(a) if a else None
        if not a and not b:
            return None
        if not a or not b:
            return 0.0
        return 2.0 * len(a & b) / (len(a) + len(b))


class QuoteScorer:
    """Text in quotation marks in the rendering whose n-grams and length fit the source span: the
    rendering quotes this sentence. 0 for an unquoted span of a rendering that quotes elsewhere;
    None for merged source spans and for renderings without any quotation."""

    name = "quote"

    def score(self, view: PairView, s0: int, s1: int, t0: int, t1: int) -> float | None:
        quotes = [q for t in range(t0, t1) for q in view.rendering.quotes[t]]
        if s1 - s0 != 1:
            return None
        if not quotes:
            # in a rendering that quotes at all, an unquoted sentence is weaker evidence
            return 0.0 if view.rendering.has_quotes else None
        grams, length, _ = view.cmp.span(s0, s1)
        best = 0.0
        for q in quotes:
            qg = ngrams(q)
            dice = 2.0 * len(grams & qg) / (len(grams) + len(qg)) if grams and qg else 0.0
            fit = min(len(q), view.ratio * length) / max(len(q), view.ratio * length, 1)
            best = max(best, 0.5 * dice + 0.5 * fit * fit)
        return best


class EmbedScorer:
    """The encoder's opinion of a candidate bead (semantic.SemanticView.score: the margin of the
    span vectors mapped to [0, 1]); None when the pair has no vectors."""

    name = "embed"

    def score(self, view: PairView, s0: int, s1: int, t0: int, t1: int) -> float | None:
        if view.sem is None:
            return None
        return view.sem.score(s0, s1, t0, t1)


_TEXT_ONLY = (NgramScorer, CountNgramScorer, IdfNgramScorer, LengthScorer, AnchorScorer,
              QuoteScorer)


@dataclass
class Weighted:
    scorer: Scorer
    weight: float


class BeadScorer:
    """Weighted mean of the scorers that apply to a candidate; results cached per candidate."""

    def __init__(self, view: PairView, scorers: Sequence[Weighted]) -> None:
        self.view = view
        self.scorers = list(scorers)
        self._cache: dict[tuple[int, ...], float] = {}
        # every signal but the encoder's depends on the sentences' texts alone, so a 1-1 score is
        # cached by texts: a document that repeats itself asks for the same pair many times
        self._by_text = all(isinstance(w.scorer, _TEXT_ONLY) for w in self.scorers)
        #: maps the weighted mean to the probability that the bead is right (params.Calibration)
        self.calibration = None

    def __call__(self, s0: int, s1: int, t0: int, t1: int) -> float:
        # only 1-1 scores are asked for more than once (anchors, search, partial context pass)
        one = s1 - s0 == 1 and t1 - t0 == 1
        if one and self._by_text:
            v = self.view
            key: tuple[int, ...] = (v.cmp._which[s0], v.rendering._which[t0],
                                    v.src._which[s0] if v.src is not None else -1)
        else:
            key = (s0, s1, t0, t1)
        got = self._cache.get(key)
        if got is None:
            total = weights = 0.0
            for w in self.scorers:
                v = w.scorer.score(self.view, s0, s1, t0, t1)
                if v is not None:
                    total += w.weight * v
                    weights += w.weight
            # open above 1: the encoder's score grows with the margin (semantic.MarginCurve)
            got = max(0.0, total / weights) if weights else 0.0
            if one:
                self._cache[key] = got
        return got

    def probability(self, s0: int, s1: int, t0: int, t1: int) -> float:
        """The calibrated probability that this bead is right, rounded for storage."""
        v = self(s0, s1, t0, t1)
        return round(min(1.0, self.calibration(v) if self.calibration is not None else v), 4)

    def describe(self) -> str:
        return " ".join(f"{w.scorer.name}:{w.weight:g}" for w in self.scorers)

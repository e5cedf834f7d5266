"""Partial alignment on meaning: which source sentence does each rendering sentence quote, if any?

Each rendering sentence retrieves its nearest source sentences by the encoder's margin (`semantic`).
A first logistic model turns each candidate's evidence into a probability: its margin, how far it
leads the runner-up source sentence for this rendering sentence and the runner-up rendering
sentence for this source sentence, the n-gram overlap (with the MT when there is one, else cognates,
names and numbers of the source itself), the length fit and the shared anchors. A second model adds
the support of ordered neighbours: reporting quotes a passage in blocks, so a candidate whose
neighbouring rendering sentences quote nearby source sentences in the same order is more likely
right. Links are accepted greedily from the most probable down to a threshold, each sentence used
once, nothing forced; a sentence next to an accepted link that is better explained as its other half
joins it (1-2 or 2-1). Both models were fitted on partial renderings built from the Text+Berg
development article (scripts/fit_partial.py), so a bead's score is the probability that it is right.

numpy is imported here; this module is loaded only when the encoder is in use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from workbench.align.features import PairView
from workbench.align.params import RetrievalModel
from workbench.align.scorers import AnchorScorer, LengthScorer, NgramScorer
from workbench.align.semantic import SemanticView

NEUTRAL_MARGIN = 1.0
#: The most sentences one side of a joined link may have (1-2 and 2-1 beads; joining a third
#: gained nothing on dev).
MAX_JOIN = 2
FEATURES = ("margin", "lead_rendering", "lead_source", "lexical", "length", "anchors")


@dataclass
class Candidate:
    i: int
    j: int
    features: tuple[float, ...]
    first: float = 0.0
    p: float = 0.0
    support: float = 0.0


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z > -60 else 0.0


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


@dataclass
class _Tops:
    """Per rendering sentence its best source sentences by margin; per source sentence its best and
    second-best margin over the rendering."""

    col_idx: np.ndarray
    col_val: np.ndarray
    row_best: np.ndarray
    row_best_j: np.ndarray
    row_second: np.ndarray


def _tops(sem: SemanticView, k: int) -> _Tops:
    row_idx, row_val, col_idx, col_val = sem.margin_tops(2, k + 1)
    second = row_val[:, 1] if row_val.shape[1] > 1 else np.full(len(row_val), -np.inf)
    return _Tops(col_idx, col_val, row_val[:, 0], row_idx[:, 0], second)


def candidates(view: PairView, per_sentence: int) -> list[Candidate]:
    """Every rendering sentence's `per_sentence` nearest source sentences with their features, in
    rendering order, nearest first. `view` compares the source itself with the rendering (not the
    MT), at the language pair's expected length ratio."""
    sem: SemanticView = view.sem  # type: ignore[assignment]
    tops = _tops(sem, per_sentence)
    lexical = NgramScorer()
    length, anchors = LengthScorer(quotes=True), AnchorScorer(source_recall=True)
    out: list[Candidate] = []
    for j in range(len(sem.tgt)):
        vals, idx = tops.col_val[j], tops.col_idx[j]
        for r in range(min(per_sentence, len(idx))):
            i, margin = int(idx[r]), float(vals[r])
            # with no runner-up (a one-sentence side) compare with an average neighbour, whose
            # margin is 1 by construction
            runner = float(vals[1] if r == 0 else vals[0]) if len(vals) > 1 else NEUTRAL_MARGIN
            other_j = tops.row_second[i] if tops.row_best_j[i] == j else tops.row_best[i]
            lead_source = margin - (float(other_j) if np.isfinite(other_j) else NEUTRAL_MARGIN)
            a = anchors.score(view, i, i + 1, j, j + 1)
            out.append(Candidate(i, j, (
                margin, margin - runner, lead_source,
                float(lexical.score(view, i, i + 1, j, j + 1) or 0.0),
                float(length.score(view, i, i + 1, j, j + 1) or 0.0),
                0.5 if a is None else a)))
    return out


def score(cands: list[Candidate], model: RetrievalModel) -> None:
    """Both probabilities of every candidate (in place)."""
    w = model.first
    for c in cands:
        c.first = _sigmoid(sum(x * y for x, y in zip(c.features, w)) + w[-1])
    by_j: dict[int, list[Candidate]] = {}
    for c in cands:
        by_j.setdefault(c.j, []).append(c)
    a, b, bias = model.second
    for c in cands:
        best = 0.0
        for dj in range(1, model.window_rendering + 1):
            for sign in (-1, 1):
                for o in by_j.get(c.j + sign * dj, ()):
                    if 1 <= (o.i - c.i) * sign <= model.window_source and o.first > best:
                        best = o.first
        c.support = best
        # neighbours' support counts only for a candidate with evidence of its own; without it,
        # its probability is its own
        c.p = (_sigmoid(a * _logit(c.first) + b * best + bias) if c.first >= model.min_first
               else c.first)


def search(view: PairView, model: RetrievalModel
           ) -> tuple[list[tuple[int, int, int, int, float]], dict[int, Candidate]]:
    """Accepted links (s0, s1, t0, t1, probability), and each rendering sentence's best candidate
    (for the "closest source" suggestion of sentences left unmatched)."""
    cands = candidates(view, model.per_sentence)
    score(cands, model)
    best = _best_per_rendering(cands)
    used_s: dict[int, int] = {}
    used_t: dict[int, int] = {}
    links: list[list] = []
    for c in sorted(cands, key=lambda c: (-c.p, c.j, c.i)):
        if c.p < model.threshold:
            break
        if c.i in used_s or c.j in used_t or c.first < model.min_first:
            continue
        used_s[c.i] = used_t[c.j] = len(links)
        links.append([c.i, c.i + 1, c.j, c.j + 1, c.p])
    _join_halves(links, cands, used_s, used_t, model)
    return [tuple(x) for x in sorted(links, key=lambda x: (x[2], x[0]))], best


def _best_per_rendering(cands: list[Candidate]) -> dict[int, Candidate]:
    """Each rendering sentence's candidate with the most evidence of its own (the first model):
    a suggestion stands on the sentence itself, not on its neighbours, which in real reporting are
    often captions and credits between two quotes."""
    best: dict[int, Candidate] = {}
    for c in cands:
        if c.j not in best or c.first > best[c.j].first:
            best[c.j] = c
    return best


def closest_sources(view: PairView, model: RetrievalModel) -> dict[int, Candidate]:
    """Each rendering sentence's most probable source sentence under the partial search's models
    (for suggestions beside another search)."""
    cands = candidates(view, model.per_sentence)
    score(cands, model)
    return _best_per_rendering(cands)


def _join_halves(links: list[list], cands: list[Candidate], used_s: dict[int, int],
                 used_t: dict[int, int], model: RetrievalModel) -> None:
    """A free rendering sentence next to a link whose source sentence is also its own best
    candidate (a sentence rendered in two), or a free source sentence that is the best candidate of
    a linked rendering sentence's neighbour side, joins that link."""
    half = model.threshold / 2
    for c in sorted(cands, key=lambda c: (-c.p, c.j, c.i)):
        if c.p < half:
            break
        if c.first < model.min_first:
            continue
        if c.j in used_t and c.i not in used_s:
            k = used_t[c.j]
            s0, s1, t0, t1, p = links[k]
            if t1 - t0 == 1 and s1 - s0 < MAX_JOIN and c.i in (s0 - 1, s1):
                links[k] = [min(s0, c.i), max(s1, c.i + 1), t0, t1, (p + c.p) / 2]
                used_s[c.i] = k
        elif c.i in used_s and c.j not in used_t:
            k = used_s[c.i]
            s0, s1, t0, t1, p = links[k]
            if s1 - s0 == 1 and t1 - t0 < MAX_JOIN and c.j in (t0 - 1, t1):
                links[k] = [s0, s1, min(t0, c.j), max(t1, c.j + 1), (p + c.p) / 2]
                used_t[c.j] = k

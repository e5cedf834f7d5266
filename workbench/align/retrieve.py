"""Partial alignment on meaning: which source sentence does each rendering sentence quote, if any?

Each rendering sentence retrieves its nearest source sentences by the encoder's margin
(`semantic`), and the source sentences whose best part (a beginning or end at a clause boundary:
reporting quotes half a sentence) is nearest. A first logistic model turns each candidate's
evidence into a probability: its margin and its best part's, how far each leads the runner-up
source sentence for this rendering sentence, how far the margin leads the runner-up rendering
sentence for this source sentence, the n-gram overlap (with the MT when there is one, else
cognates, names and numbers of the source itself) and the share of the rendering's n-grams and
numbers found in the source (which a cut quote keeps whole), the length fit, the shared anchors and
the candidate's rank. A second model adds the support of ordered neighbours: reporting quotes a
passage in blocks, so a candidate whose neighbouring rendering sentences quote nearby source
sentences in the same order, on one side or on both, is more likely right. Links are accepted
greedily from the most probable down to a threshold, each sentence used once, nothing forced; a
sentence next to an accepted link that is better explained as its other half joins it (1-2 or 2-1).
Both models were fitted on partial renderings built from the Text+Berg development article
(scripts/fit_partial.py), so a bead's score is the probability that it is right.

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
FEATURES = ("margin", "lead_rendering", "lead_source", "lexical", "length", "anchors",
            "containment", "anchor_containment", "rank", "part_margin", "part_lead")
SECOND_FEATURES = ("first", "support", "both_sides")


@dataclass
class Candidate:
    i: int
    j: int
    features: tuple[float, ...]
    first: float = 0.0
    p: float = 0.0
    support: float = 0.0
    both: float = 0.0


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


def candidates(view: PairView, per_sentence: int, per_sentence_parts: int = 0,
               parts: bool = True) -> list[Candidate]:
    """Every rendering sentence's `per_sentence` nearest source sentences, then its
    `per_sentence_parts` source sentences with the nearest part (`SemanticView.part_tops`) not
    among them, with their features, in rendering order. `view` compares the source itself with
    the rendering (not the MT), at the language pair's expected length ratio. Without `parts` no
    part is encoded and every source sentence is its own only part."""
    sem: SemanticView = view.sem  # type: ignore[assignment]
    tops = _tops(sem, per_sentence)
    if parts:
        part_idx, part_val = sem.part_tops(max(per_sentence_parts, 2))
    else:
        part_idx, part_val, per_sentence_parts = tops.col_idx, tops.col_val, 0
    lexical = NgramScorer()
    length, anchors = LengthScorer(quotes=True), AnchorScorer(source_recall=True)
    out: list[Candidate] = []
    for j in range(len(sem.tgt)):
        vals, idx = tops.col_val[j], tops.col_idx[j]
        near = [int(i) for i in idx[:per_sentence]]
        extra = [int(i) for i in part_idx[j][:per_sentence_parts] if int(i) not in near]
        for r, i in enumerate(near + extra):
            margin = float(vals[r]) if r < len(near) else sem.margin(i, i + 1, j, j + 1)
            # with no runner-up (a one-sentence side) compare with an average neighbour, whose
            # margin is 1 by construction
            runner = (float(vals[1] if i == idx[0] else vals[0]) if len(vals) > 1
                      else NEUTRAL_MARGIN)
            other_j = tops.row_second[i] if tops.row_best_j[i] == j else tops.row_best[i]
            # positive only: a source sentence quoted elsewhere says nothing for this candidate
            other = float(other_j) if np.isfinite(other_j) else NEUTRAL_MARGIN
            lead_source = max(0.0, margin - other)
            part = sem.part_margin(i, j) if parts else margin
            part_runner = (float(part_val[j][1] if part_idx[j][0] == i else part_val[j][0])
                           if part_val.shape[1] > 1 else NEUTRAL_MARGIN)
            a = anchors.score(view, i, i + 1, j, j + 1)
            src_grams, tgt_grams = view.cmp.counts[i].keys(), view.rendering.counts[j].keys()
            # numbers and dates only: names are the reporting's own as often as the quote's
            tgt_anchors = {x for x in view.rendering.anchors[j] if not x.startswith("$")}
            src_anchors = view.cmp.anchors[i]
            out.append(Candidate(i, j, (
                margin, margin - runner, lead_source,
                float(lexical.score(view, i, i + 1, j, j + 1) or 0.0),
                float(length.score(view, i, i + 1, j, j + 1) or 0.0),
                0.5 if a is None else a,
                len(src_grams & tgt_grams) / len(tgt_grams) if tgt_grams else 0.0,
                len(src_anchors & tgt_anchors) / len(tgt_anchors) if tgt_anchors else 0.5,
                float(min(r, per_sentence)), part, part - part_runner)))
    return out


def score(cands: list[Candidate], model: RetrievalModel) -> None:
    """Both probabilities of every candidate (in place)."""
    w = model.first
    for c in cands:
        c.first = _sigmoid(sum(x * y for x, y in zip(c.features, w)) + w[-1])
    by_j: dict[int, list[Candidate]] = {}
    for c in cands:
        by_j.setdefault(c.j, []).append(c)
    a, b, both_w, bias = model.second
    _support(cands, by_j, model)
    for c in cands:
        # neighbours' support counts only for a candidate with evidence of its own; without it,
        # its probability is its own
        c.p = (_sigmoid(a * _logit(c.first) + b * c.support + both_w * c.both + bias)
               if c.first >= model.min_first else c.first)


def _support(cands: list[Candidate], by_j: dict[int, list[Candidate]], model: RetrievalModel
             ) -> None:
    """Each candidate's support: the highest first-model probability of a candidate of a nearby
    rendering sentence before it that quotes a source sentence shortly before it, and of one after
    that quotes one shortly after; `support` is the higher of both sides, `both` the lower (a quote
    between two quotes of the same passage)."""
    for c in cands:
        side = [0.0, 0.0]
        for dj in range(1, model.window_rendering + 1):
            for k, sign in enumerate((-1, 1)):
                for o in by_j.get(c.j + sign * dj, ()):
                    if 1 <= (o.i - c.i) * sign <= model.window_source and o.first > side[k]:
                        side[k] = o.first
        c.support, c.both = max(side), min(side)


def search(view: PairView, model: RetrievalModel
           ) -> tuple[list[tuple[int, int, int, int, float]], dict[int, Candidate]]:
    """Accepted links (s0, s1, t0, t1, probability), and each rendering sentence's best candidate
    (for the "closest source" suggestion of sentences left unmatched)."""
    cands = candidates(view, model.per_sentence, model.per_sentence_parts)
    score(cands, model)
    return accept(cands, model), _best_per_rendering(cands)


def accept(cands: list[Candidate], model: RetrievalModel) -> list[tuple[int, int, int, int, float]]:
    """The links of scored candidates: greedily from the most probable down to the threshold, each
    sentence used once, then the neighbouring halves joined; in rendering order."""
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
    return [tuple(x) for x in sorted(links, key=lambda x: (x[2], x[0]))]


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
    (for suggestions beside another search). Parts of source sentences are left out: encoding them
    would cost a full translation's alignment as much again as its source, for a suggestion."""
    cands = candidates(view, model.per_sentence, parts=False)
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



"""The monotone search's log length fit (MonotoneParams.log_length) and the row scorer's split into
per-scorer parts that it reads."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from workbench.align.features import PairView, Side
from workbench.align.monotone import MonotoneParams, search_monotone
from workbench.align.params import LOG_LENGTH, Signals, monotone_params
from workbench.align.rowscore import RowScorer
from workbench.align.scorers import (AnchorScorer, BeadScorer, CountNgramScorer, LengthScorer,
                                     Weighted)


def words(length: int) -> str:
    """A sentence of about `length` characters once normalised (four-letter words)."""
    return " ".join(["abcd"] * ((length + 1) // 5))


def lengths_only(src: list[str], tgt: list[str]) -> BeadScorer:
    view = PairView(cmp=Side(src), rendering=Side(tgt), ratio=1.0)
    return BeadScorer(view, [Weighted(LengthScorer(), 1.0)])


#: the defaults of MonotoneParams when this was written, spelled out so the case stays what it is
PARAMS = MonotoneParams(threshold=0.2, merge_penalty=0.05, big_penalty=0.05, skip_penalty=0.2)


def test_log_length_prefers_a_merge_whose_parts_lengths_do_not_fit():
    # 25 + 65 characters against 55 + 55: each 1-1 part is a poor length match (one very poor),
    # the 2-2 bead a fair one; the mean alone takes the parts, the log of the fit the merge
    score = lengths_only([words(25), words(65)], [words(55), words(55)])
    assert score(0, 1, 0, 1) < 0.1 and 0.5 < score(1, 2, 1, 2) < 0.7
    assert 0.4 < score(0, 2, 0, 2) < 0.5
    assert search_monotone(score, 2, 2, [], PARAMS) == [(0, 1, 0, 1), (1, 2, 1, 2)]
    assert search_monotone(score, 2, 2, [], replace(PARAMS, log_length=0.05)) == [(0, 2, 0, 2)]


def test_log_length_keeps_parts_whose_lengths_fit():
    score = lengths_only([words(40), words(60)], [words(40), words(60)])
    with_log = replace(PARAMS, log_length=0.05)
    assert search_monotone(score, 2, 2, [], with_log) == [(0, 1, 0, 1), (1, 2, 1, 2)]


def test_log_length_without_a_length_signal_changes_nothing():
    src = ["the cat sat on the mat today", "a dog barked twice at night"]
    tgt = ["the cat sat on the mat today", "a dog barked twice at night"]
    view = PairView(cmp=Side(src), rendering=Side(tgt), ratio=1.0)
    score = BeadScorer(view, [Weighted(CountNgramScorer(), 1.0)])
    with_log = replace(PARAMS, log_length=0.5)
    assert search_monotone(score, 2, 2, [], with_log) == search_monotone(score, 2, 2, [], PARAMS)


def test_row_parts_combine_to_the_row_scores():
    src = ["Le 9 mai Imanishi atteint le sommet.", "Deux jours plus tard, Kato.",
           "Le sommet est formé de quatre clochetons.", "Le plus élevé est aigu."]
    tgt = ["Le sommet fut atteint le 9 mai par Imanishi.", "Kato deux jours plus tard.",
           "Quatre clochetons forment le sommet.", "Le plus haut est si aigu.", "Fin."]
    view = PairView(cmp=Side(src), rendering=Side(tgt), ratio=1.0)
    score = BeadScorer(view, [Weighted(CountNgramScorer(5), 1.0), Weighted(LengthScorer(), 0.3),
                              Weighted(AnchorScorer(), 0.5)])
    rows = RowScorer(score)
    js = np.arange(0, 6)
    for s0, s1 in ((0, 1), (1, 3), (2, 4)):
        parts = rows.parts(s0, s1, [1, 2, 3], js)
        assert len(parts) == 3
        assert np.array_equal(rows.combine(parts, [1, 2, 3], js), rows.rows(s0, s1, [1, 2, 3], js))
        length = parts[1][0]
        for r, b in enumerate((1, 2, 3)):
            for c, j in enumerate(js.tolist()):
                if j - b >= 0:
                    assert length[r, c] == LengthScorer().score(view, s0, s1, j - b, j)


def test_log_length_is_used_with_the_encoder_without_mt_only():
    embed = monotone_params(Signals(embed=True, mt=False, lexical=False))
    embed_lexical = monotone_params(Signals(embed=True, mt=False, lexical=True))
    lexical = monotone_params(Signals(embed=False, mt=False, lexical=True))
    with_mt = monotone_params(Signals(embed=True, mt=True, lexical=False))
    assert embed.log_length == LOG_LENGTH["embed"] > 0
    assert embed_lexical.log_length == LOG_LENGTH["embed+anchors-length"] > 0
    assert lexical.log_length == with_mt.log_length == 0.0

"""The benchmarks' scores on hand-made link lists, and the partial cases built from a tiny article.

Every alignment figure the benchmarks print comes from these functions, so each is checked against
values worked out by hand."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from _textberg import (Article, LinkScore, PartialScore, link_hits, parse_links,  # noqa: E402
                       prf, sentence_pairs, strict_f1)
from align_partial import build_cases, choose_blocks, cut_at_comma  # noqa: E402

GOLD = [((0,), (0,)), ((1, 2), (1,)), ((), (2,)), ((3,), ())]
TEST = [((0,), (0,)), ((1,), (1,)), ((2,), ()), ((), (2,)), ((3,), (3,))]


def test_parse_links_reads_the_gold_format():
    assert parse_links(["[0]:[0, 1]", "", "[1, 2]:[]", "[]:[3]"]) == [
        ((0,), (0, 1)), ((1, 2), ()), ((), (3,))]


def test_link_hits_strict_and_lax():
    # [0]:[0] and []:[2] equal gold links; [1]:[1] overlaps [1, 2]:[1] on both sides (lax only);
    # [2]:[] and [3]:[3] overlap no gold link on both sides
    assert link_hits(GOLD, TEST) == (2, 3, 5)


def test_link_hits_judges_each_distinct_link_once_and_skips_empty_links():
    assert link_hits(GOLD, [((0,), (0,)), ((0,), (0,)), ((), ())]) == (1, 1, 1)


def test_lax_needs_one_gold_link_overlapping_on_both_sides():
    gold = [((0,), (0,)), ((1,), (1,))]
    assert link_hits(gold, [((0, 1), (1,))]) == (0, 1, 1)
    assert link_hits(gold, [((0,), (1,))]) == (0, 0, 1)


def test_link_score_one_document():
    got = LinkScore().add(GOLD, TEST).figures()
    # precision over the 5 predicted links: strict 2, lax 3; recall over the 2 gold links with both
    # sides: [0]:[0] found exactly, [1, 2]:[1] only overlapped by [1]:[1]
    assert got["precision_strict"] == pytest.approx(2 / 5)
    assert got["recall_strict"] == pytest.approx(1 / 2)
    assert got["f1_strict"] == pytest.approx(4 / 9)
    assert got["precision_lax"] == pytest.approx(3 / 5)
    assert got["recall_lax"] == pytest.approx(1.0)
    assert got["f1_lax"] == pytest.approx(0.75)
    assert strict_f1(GOLD, TEST) == pytest.approx(4 / 9)


def test_link_score_pools_counts_over_documents():
    score = LinkScore().add(GOLD, TEST).add([((0,), (0,))], [((0,), (1,))])
    got = score.figures()
    assert (score.p_strict, score.p_lax, score.p_total) == (2, 3, 6)
    assert (score.r_strict, score.r_lax, score.r_total) == (1, 2, 3)
    assert got["f1_strict"] == pytest.approx(1 / 3)
    assert got["f1_lax"] == pytest.approx(4 / 7)


def test_link_score_of_nothing_is_zero():
    assert LinkScore().add(GOLD, []).figures() == {
        "precision_strict": 0.0, "recall_strict": 0.0, "precision_lax": 0.0, "recall_lax": 0.0,
        "f1_strict": 0.0, "f1_lax": 0.0}


def test_prf():
    assert prf(2, 4, 5) == pytest.approx((0.5, 0.4, 4 / 9))
    assert prf(0, 0, 3) == (0.0, 0.0, 0.0)


def test_sentence_pairs_of_merged_links():
    assert sentence_pairs([((5, 6), (3,)), ((1,), (7, 8)), ((2,), ()), ((), (4,))]) == {
        (5, 3), (6, 3), (1, 7), (1, 8)}


def test_partial_score_pairs_beads_and_distractors():
    gold = [((2,), (1,)), ((5, 6), (3,))]
    test = [((2,), (1,)), ((5,), (3,)), ((7,), (4,)), ((), (0,)), ((), (2,)), ((6,), ())]
    score = PartialScore().add(gold, test, distractors={0, 2, 4})
    # pairs: gold {(2,1), (5,3), (6,3)}, predicted {(2,1), (5,3), (7,4)}
    assert score.pair == pytest.approx((2 / 3, 2 / 3, 2 / 3))
    # beads: only [2]:[1] equals a gold link, of 3 predicted and 2 gold
    assert score.bead == pytest.approx((1 / 3, 1 / 2, 0.4))
    # unrelated sentence 4 got a source; 0 and 2 stayed alone
    assert (score.distractors_linked, score.distractors) == (1, 3)
    assert score.distractor_rate == pytest.approx(1 / 3)


def test_partial_score_pools_over_cases():
    score = PartialScore().add([((0,), (0,))], [((0,), (0,))], {1})
    score.add([((0,), (0,)), ((1,), (1,))], [((0,), (1,))], {2})
    assert (score.pair_hits, score.pair_predicted, score.pair_gold) == (1, 2, 3)
    assert score.pair == pytest.approx((0.5, 1 / 3, 0.4))
    assert score.distractor_rate == 0.0


# --- the partial cases ---------------------------------------------------------------------------

def test_cut_at_comma_keeps_a_long_enough_head():
    assert cut_at_comma("Nous sommes partis très tôt , et il faisait nuit .") == "Nous sommes partis très tôt"
    assert cut_at_comma("Cependant , nous sommes partis .") == "Cependant , nous sommes partis ."
    assert cut_at_comma("Il fera beau aujourd' hui .") == "Il fera beau aujourd' hui ."


def tiny_article(name: str, n: int) -> Article:
    return Article(name=name, source=[f"{name} de {i}" for i in range(n)],
                   rendering=[f"{name} fr phrase {i}, avec une virgule ici" for i in range(n)],
                   gold=[((i,), (i,)) for i in range(n)])


def test_blocks_are_runs_of_consecutive_links_one_per_stretch():
    links = [((i,), (i,)) for i in range(50)]
    import random

    blocks = choose_blocks(links, random.Random(1), 5, 4)
    assert [len(b) for b in blocks] == [4] * 5
    for k, block in enumerate(blocks):
        starts = block[0][0][0]
        assert 10 * k <= starts <= 10 * k + 6
        assert [b[0][0] for b in block] == list(range(starts, starts + 4))


def test_build_cases_links_each_quote_to_its_own_source_sentence():
    article = tiny_article("a", 60)
    others = [tiny_article("b", 200), tiny_article("c", 200)]
    whole, cut = build_cases(article, others, seed=0)
    assert whole == build_cases(article, others, seed=0)[0]
    assert len(whole.gold) == 5 * 4  # 40% of 5 blocks of 10
    assert len(whole.distractors) == 2 * len(whole.gold)
    assert len(whole.rendering) == 3 * len(whole.gold)
    assert whole.source == article.source
    for (src,), (tgt,) in whole.gold:
        assert whole.rendering[tgt] == f"a fr phrase {src}, avec une virgule ici"
        assert cut.rendering[tgt] == f"a fr phrase {src}"
    for d in whole.distractors:
        assert whole.rendering[d].startswith(("b fr", "c fr"))
        assert cut.rendering[d] == whole.rendering[d]
    assert len(set(whole.rendering)) == len(whole.rendering)
    # quotes keep the source order inside a block, but the blocks are shuffled
    sources = [src[0] for src, _ in whole.gold]
    assert sources != sorted(sources)
    assert whole.gold != build_cases(article, others, seed=1)[0].gold

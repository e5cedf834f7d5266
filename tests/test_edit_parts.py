"""A merged bead remembers the beads it joined, so that a split gives each sentence back its partner
(with its own score and method), and unlinking one sentence of a bead leaves the rest linked."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from factories import make_pair_file
from workbench import edit, store
from workbench.errors import InputError, ParseError
from workbench.model import Bead

REPO = Path(__file__).resolve().parents[1]

SRC = ["Первое предложение.", "Второе предложение, длинное.", "Третье.", "Четвёртое?"]
TGT = ["The first sentence.", "An added remark.", "The second, long sentence.", "Third."]
MT = ["First sentence.", "Second sentence, long.", "Third.", "Fourth?"]


@pytest.fixture
def po(tmp_path: Path) -> Path:
    beads = [Bead((0,), (0,), 0.9, "embed"), Bead((), (1,), 0.0, "unmatched", closest=(1, 0.31)),
             Bead((1,), (2,), 0.84, "embed"), Bead((2, 3), (3,), 0.6, "embed")]
    path = tmp_path / "translations" / "src__tgt.po"
    make_pair_file(path, SRC, TGT, beads, ids=("src", "tgt"), separator="\n", mt=MT,
                   mt_model="test-model 1.0")
    return path


def beads(path: Path) -> list[tuple[str, float, str]]:
    return [(r.key, r.score, r.method) for r in store.load(path).records]


def test_merge_then_split_gives_each_bead_back_as_it_was(po):
    original = store.load(po)
    edit.perform(po, lambda pf: edit.merge_next(pf, "s:t1"), author="ak")
    merged = store.load(po).record("s1:t1,2")
    assert (merged.score, merged.method) == (1.0, "manual")
    assert merged.parts == (store.Part((), (1,), 0.0, "unmatched", (1, 0.31), 0),
                            store.Part((1,), (2,), 0.84, "embed", None, 0))
    assert ("#. merged src= tgt=1 score=0.0000 method=unmatched notes=0 closest=1/0.31\n"
            "#. merged src=1 tgt=2 score=0.8400 method=embed notes=0\n") in po.read_text("utf-8")
    edit.perform(po, lambda pf: edit.split(pf, "s1:t1,2"), author="ak")
    assert store.load(po).records == original.records


def test_the_review_day_walk_on_the_bundled_article(tmp_path):
    # unlink a link, merge its rendering sentence with the next link, split: the next link is the
    # original again (not its source with the first rendering sentence, called manual at 1.0)
    po = tmp_path / "translations" / "petition-ru__newsweek-en.po"
    po.parent.mkdir()
    shutil.copy(REPO / "translations" / po.name, po)
    original = store.load(po)
    links = [i for i, r in enumerate(original.records) if r.kind == "1-1"]
    first = next(i for i in links if i + 1 in links)
    a, b = original.records[first], original.records[first + 1]
    edit.perform(po, lambda pf: edit.unlink(pf, a.key), author="ak")
    alone = f"s:t{a.rendering[0]}"
    edit.perform(po, lambda pf: edit.merge_next(pf, alone), author="ak")
    edit.perform(po, lambda pf: edit.split(pf, f"s{b.source[0]}:t{a.rendering[0]},{b.rendering[0]}"),
                 author="ak")
    after = store.load(po)
    assert after.record(b.key) == store.with_checks(original, b)  # findings as a write stores them now
    assert [(r.key, r.score, r.method) for r in after.records] == [
        (r.key, r.score, r.method) for r in original.records[:first]] + [
        (f"s{a.source[0]}:t", 0.0, "unlinked"), (alone, 0.0, "unlinked"),
        (b.key, b.score, b.method)] + [
        (r.key, r.score, r.method) for r in original.records[first + 2:]]


def test_a_split_given_one_side_cuts_the_other_where_the_merged_beads_stay_whole(po):
    edit.perform(po, lambda pf: edit.merge_next(pf, "s:t1"), author="ak")
    # the rendering sentence t2 picked: the second part starts there, and s1 goes with it
    edit.perform(po, lambda pf: edit.split(pf, "s1:t1,2", None, 1), author="ak")
    assert beads(po)[1:3] == [("s:t1", 0.0, "unmatched"), ("s1:t2", 0.84, "embed")]


def test_a_cut_the_translator_chooses_is_theirs_and_a_one_sided_part_is_left_over(po):
    edit.perform(po, lambda pf: edit.merge_next(pf, "s:t1"), author="ak")
    edit.perform(po, lambda pf: edit.split(pf, "s1:t1,2", 1, 1), author="ak")
    assert beads(po)[1:3] == [("s1:t1", 1.0, "manual"), ("s:t2", 0.0, "unlinked")]
    assert store.load(po).record("s1:t1").parts == ()


def test_a_split_that_cannot_tell_asks_for_the_first_sentence_of_the_second_part(po):
    pf = store.load(po)
    with pytest.raises(InputError) as info:
        edit.split(pf, "s2,3:t3")
    assert str(info.value) == (
        "cannot tell where to split bead s2,3:t3: it was not made by merging beads (pick the "
        "first source or rendering sentence of the second part (click it), then split again)")
    edit.merge_next(pf, "s0:t0")
    with pytest.raises(InputError, match="no cut there keeps the beads it was merged from whole"):
        edit.split(pf, "s0:t0,1", 0, None)
    # the source sentence picked alone: only one rendering cut keeps both beads whole
    edit.split(pf, "s0:t0,1", 1, None)
    assert [(r.key, r.score, r.method) for r in pf.records[:2]] == [
        ("s0:t0", 0.9, "embed"), ("s:t1", 0.0, "unmatched")]


def test_split_gives_each_merged_bead_its_own_notes_back(po):
    edit.perform(po, lambda pf: edit.annotate(pf, "s0:t0", "exact", "accurate", "ak",
                                              "2026-01-01T00:00:00Z"), author="ak")
    edit.perform(po, lambda pf: edit.annotate(pf, "s1:t2", "long", "style", "bo",
                                              "2026-01-02T00:00:00Z"), author="bo")
    edit.perform(po, lambda pf: edit.merge_next(pf, "s:t1"), author="ak")
    edit.perform(po, lambda pf: edit.merge_next(pf, "s0:t0"), author="ak")
    merged = store.load(po).record("s0,1:t0,1,2")
    assert [(p.key, p.notes) for p in merged.parts] == [("s0:t0", 1), ("s:t1", 0), ("s1:t2", 1)]
    edit.perform(po, lambda pf: edit.annotate(pf, "s0,1:t0,1,2", "later", "", "ak",
                                              "2026-01-03T00:00:00Z"), author="ak")
    edit.perform(po, lambda pf: edit.split(pf, "s0,1:t0,1,2"), author="ak")
    pf = store.load(po)
    assert [(r.key, r.score, r.method, [a.text for a in r.annotations]) for r in pf.records] == [
        ("s0:t0", 0.9, "embed", ["exact", "later"]), ("s:t1", 0.0, "unmatched", []),
        ("s1:t2", 0.84, "embed", ["long"]), ("s2,3:t3", 0.6, "embed", [])]
    assert pf.record("s:t1").closest == (1, 0.31)


def test_undo_and_redo_of_a_merge_keep_what_it_remembers(po):
    edit.perform(po, lambda pf: edit.merge_next(pf, "s:t1"), author="ak")
    merged = store.load(po).record("s1:t1,2")
    edit.undo(po, author="ak")
    assert beads(po)[1:3] == [("s:t1", 0.0, "unmatched"), ("s1:t2", 0.84, "embed")]
    edit.redo(po, author="ak")
    assert store.load(po).record("s1:t1,2") == merged


def test_unlink_one_sentence_leaves_the_rest_of_the_bead_linked(po):
    edit.perform(po, lambda pf: edit.annotate(pf, "s2,3:t3", "check", "", "ak",
                                              "2026-01-01T00:00:00Z"), author="ak")
    out = edit.perform(po, lambda pf: edit.unlink(pf, "s2,3:t3", source=3), author="ak")
    assert out.change.summary == "unlink s3 from s2,3:t3"
    pf = store.load(po)
    assert [(r.key, r.score, r.method) for r in pf.records[3:]] == [
        ("s2:t3", 0.0, "unlinked"), ("s3:t", 0.0, "unlinked")]
    rest = pf.record("s2:t3")
    assert (rest.source_text, rest.rendering_text, rest.mt) == (SRC[2], TGT[3], MT[2])
    assert [a.text for a in rest.annotations] == ["check"]
    assert pf.record("s3:t").source_text == SRC[3]
    store.check_alignment([r.bead for r in pf.records], len(SRC), len(TGT))


def test_unlinking_a_rendering_sentence_puts_it_in_its_place(po):
    edit.perform(po, lambda pf: edit.merge_next(pf, "s:t1"), author="ak")
    edit.perform(po, lambda pf: edit.unlink(pf, "s1:t1,2", rendering=1), author="ak")
    # both what is left and the sentence taken out are beads the merge joined: each comes back
    assert beads(po)[1:3] == [("s:t1", 0.0, "unmatched"), ("s1:t2", 0.84, "embed")]
    assert store.load(po).record("s:t1").closest == (1, 0.31)


def test_unlink_one_sentence_refuses_what_is_not_in_the_bead(po):
    pf = store.load(po)
    with pytest.raises(InputError, match=r"source sentence 0 is not in bead s2,3:t3 \(its source "
                                         r"sentences are 2, 3\)"):
        edit.unlink(pf, "s2,3:t3", source=0)
    with pytest.raises(InputError, match="one sentence at a time"):
        edit.unlink(pf, "s2,3:t3", source=2, rendering=3)
    # the last sentence of a side: the bead falls apart as a whole unlink makes it
    edit.unlink(pf, "s1:t2", rendering=2)
    assert [r.key for r in pf.records[2:4]] == ["s1:t", "s:t2"]


def test_merged_lines_that_do_not_hold_the_bead_are_refused_with_the_line(po):
    edit.perform(po, lambda pf: edit.merge_next(pf, "s:t1"), author="ak")
    text = po.read_text("utf-8").replace("#. merged src=1 tgt=2 ", "#. merged src=1 tgt=3 ")
    po.write_text(text, "utf-8")
    with pytest.raises(ParseError) as info:
        store.load(po)
    line = text.splitlines().index("#. align 1-2 src=1 tgt=1,2 score=1.0000 method=manual") + 1
    assert (info.value.line, info.value.message) == (
        line, "the bead's 'merged' comments do not hold its sentences each once")

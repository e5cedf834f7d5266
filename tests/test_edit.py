"""Alignment correction (link, unlink, merge, split), review actions and the undo/redo history."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from workbench import edit, store
from workbench.model import Alignment, Bead
from workbench.corpus import Document, Sentence
from workbench.errors import ConflictError, InputError

SRC = ["Первое предложение.", "Второе предложение, длинное.", "Третье.", "Четвёртое?"]
TGT = ["The first sentence.", "The second, long sentence.", "Third.", "An added remark."]
MT = ["First sentence.", "Second sentence, long.", "Third.", "Fourth?"]


def sentences(texts: list[str]) -> list[Sentence]:
    out, pos = [], 0
    for i, t in enumerate(texts):
        out.append(Sentence(index=i, text=t, start=pos, end=pos + len(t), paragraph=i, line=i + 1))
        pos += len(t) + 1
    return out


@pytest.fixture
def po(tmp_path: Path) -> Path:
    src = Document(id="src", language="ru", path="corpora/src.txt", text="\n".join(SRC))
    tgt = Document(id="tgt", language="en", path="corpora/tgt.txt", text="\n".join(TGT))
    beads = [Bead((0,), (0,), 0.9, "test"), Bead((1, 2), (1, 2), 0.6, "test"),
             Bead((3,), (), 0.0, "test"), Bead((), (3,), 0.0, "test")]
    path = tmp_path / "translations" / "src__tgt.po"
    store.write_alignment(path, src, tgt, sentences(SRC), sentences(TGT), Alignment(beads),
                          mt=MT, mt_model="test-model 1.0")
    return path


def keys(path: Path) -> list[str]:
    return [r.key for r in store.load(path).records]


def covers_everything(pf: store.PairFile) -> None:
    store.check_alignment([r.bead for r in pf.records], len(SRC), len(TGT))


def test_link_moves_the_rendering_sentence_into_the_source_sentences_bead(po):
    out = edit.perform(po, lambda pf: edit.link(pf, 3, 3), expected_revision=1, author="ak")
    assert keys(po) == ["s0:t0", "s1,2:t1,2", "s3:t3"]
    rec = store.load(po).record("s3:t3")
    assert (rec.source_text, rec.rendering_text, rec.mt) == (SRC[3], TGT[3], MT[3])
    assert (rec.score, rec.method, rec.status) == (1.0, "manual", "unreviewed")
    assert rec.references == (("corpora/src.txt", "4"), ("corpora/tgt.txt", "4"))
    assert out.pair.revision == 2
    assert out.history == {"can_undo": True, "can_redo": False, "undo": "link s3 with t3",
                           "redo": None, "done": 1, "undone": 0}
    covers_everything(store.load(po))


def test_link_out_of_a_two_sentence_bead_leaves_the_rest_in_place(po):
    edit.perform(po, lambda pf: edit.link(pf, 3, 2))
    pf = store.load(po)
    assert [r.key for r in pf.records] == ["s0:t0", "s1,2:t1", "s3:t2", "s:t3"]
    left = pf.record("s1,2:t1")
    assert left.source_text == SRC[1] + " " + SRC[2]
    assert left.rendering_text == TGT[1]
    assert left.mt == MT[1] + " " + MT[2]
    assert (left.source_lengths, left.rendering_lengths, left.mt_lengths) == (
        (len(SRC[1]), len(SRC[2])), (len(TGT[1]),), (len(MT[1]), len(MT[2])))
    assert (left.score, left.method) == (0.0, "unlinked")
    assert pf.record("s3:t2").rendering_text == TGT[2]
    assert pf.record("s3:t2").mt == MT[3]
    covers_everything(pf)


def test_unlink_split_and_merge_rebuild_sentences_exactly(po):
    edit.perform(po, lambda pf: edit.unlink(pf, "s1,2:t1,2"))
    assert keys(po) == ["s0:t0", "s1:t", "s2:t", "s:t1", "s:t2", "s3:t", "s:t3"]
    pf = store.load(po)
    assert [pf.record(k).source_text or pf.record(k).rendering_text
            for k in ("s1:t", "s2:t", "s:t1", "s:t2")] == [SRC[1], SRC[2], TGT[1], TGT[2]]
    assert pf.record("s2:t").mt == MT[2]
    edit.perform(po, lambda pf: edit.merge_next(pf, "s0:t0"))
    assert keys(po)[:2] == ["s0,1:t0", "s2:t"]
    edit.perform(po, lambda pf: edit.split(pf, "s0,1:t0", 1, 1))
    assert keys(po)[:3] == ["s0:t0", "s1:t", "s2:t"]
    pf = store.load(po)
    assert pf.record("s0:t0").source_text == SRC[0]
    assert pf.record("s0:t0").mt == MT[0]
    covers_everything(pf)


def test_merge_keeps_both_beads_annotations_and_resets_the_status(po):
    edit.perform(po, lambda pf: edit.set_status(pf, "s0:t0", "approved"))
    edit.perform(po, lambda pf: edit.annotate(pf, "s1,2:t1,2", "word order", "style", "ak",
                                              "2026-01-02T03:04:05Z"))
    edit.perform(po, lambda pf: edit.merge_next(pf, "s0:t0"))
    rec = store.load(po).record("s0,1,2:t0,1,2")
    assert rec.status == "unreviewed"
    assert [a.text for a in rec.annotations] == ["word order"]
    assert rec.rendering_text == " ".join(TGT[:3])
    assert rec.rendering_lengths == tuple(len(t) for t in TGT[:3])


def test_undo_and_redo_survive_a_new_process_and_match_the_po_file(po):
    original = po.read_text(encoding="utf-8")
    edit.perform(po, lambda pf: edit.set_status(pf, "s0:t0", "approved"), author="ak")
    edit.perform(po, lambda pf: edit.annotate(pf, "s0:t0", "<script>alert(1)</script>", "accurate",
                                              "ak"), author="ak")
    edit.perform(po, lambda pf: edit.link(pf, 3, 3), author="ak")
    out = edit.undo(po, expected_revision=4)
    assert out.history["undo"] == "note on s0:t0" and out.history["redo"] == "link s3 with t3"
    pf = store.load(po)
    assert [r.key for r in pf.records] == ["s0:t0", "s1,2:t1,2", "s3:t", "s:t3"]
    assert pf.record("s0:t0").status == "approved"
    assert pf.record("s0:t0").annotations[0].text == "<script>alert(1)</script>"
    assert pf.revision == 5
    lines = edit.history_path(po).read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["format"] == 1
    assert [json.loads(line)["undone"] for line in lines[1:]] == [False, False, True]
    edit.redo(po)
    assert keys(po) == ["s0:t0", "s1,2:t1,2", "s3:t3"]
    for _ in range(3):
        edit.undo(po)
    after = store.load(po)
    assert store.render(after).split("\n\n", 1)[1] == original.split("\n\n", 1)[1]
    with pytest.raises(InputError, match="nothing to undo"):
        edit.undo(po)
    assert edit.history_state(po)["undone"] == 3


def test_a_new_action_drops_the_redo_stack(po):
    edit.perform(po, lambda pf: edit.link(pf, 3, 3))
    edit.undo(po)
    edit.perform(po, lambda pf: edit.set_status(pf, "s0:t0", "rejected"))
    assert edit.history_state(po) == {"can_undo": True, "can_redo": False, "undo": "rejected s0:t0",
                                      "redo": None, "done": 1, "undone": 0}


def test_stale_revision_is_a_conflict_and_nothing_is_written(po):
    edit.perform(po, lambda pf: edit.set_status(pf, "s0:t0", "approved"))
    before = po.read_bytes()
    with pytest.raises(ConflictError) as info:
        edit.perform(po, lambda pf: edit.set_status(pf, "s0:t0", "rejected"), expected_revision=1)
    assert info.value.current_revision == 2
    assert po.read_bytes() == before
    assert edit.history_state(po)["done"] == 1


def test_undo_refuses_when_the_bead_was_changed_behind_the_history(po):
    edit.perform(po, lambda pf: edit.link(pf, 3, 3))
    pf = store.load(po)
    store.add_annotation(pf, "s3:t3", "edited elsewhere", "", "cli")
    store.save(pf)
    with pytest.raises(ConflictError, match="bead s3:t3 was changed since this action"):
        edit.undo(po)
    assert keys(po) == ["s0:t0", "s1,2:t1,2", "s3:t3"]


def test_bad_requests_say_what_is_wrong(po):
    pf = store.load(po)
    with pytest.raises(InputError, match="already in the same bead"):
        edit.link(pf, 1, 2)
    with pytest.raises(InputError, match="no rendering sentence 9"):
        edit.link(pf, 0, 9)
    with pytest.raises(InputError, match="links nothing"):
        edit.unlink(pf, "s3:t")
    with pytest.raises(InputError, match="leaves one part empty"):
        edit.split(pf, "s1,2:t1,2", 2, 2)
    with pytest.raises(InputError, match="last one"):
        edit.merge_next(pf, "s:t3")
    with pytest.raises(InputError, match="unknown status"):
        edit.set_status(pf, "s0:t0", "done")
    with pytest.raises(InputError, match="unknown category"):
        edit.annotate(pf, "s0:t0", "x", "bad", "ak")
    assert [r.key for r in pf.records] == ["s0:t0", "s1,2:t1,2", "s3:t", "s:t3"]


def test_bead_without_recorded_lengths_cannot_be_unlinked_but_can_be_merged(po):
    pf = store.load(po)
    i = [r.key for r in pf.records].index("s1,2:t1,2")
    pf.records[i] = store.Record(**{**pf.records[i].__dict__, "source_lengths": (),
                                    "rendering_lengths": (), "mt_lengths": ()})
    store.save(pf)
    with pytest.raises(InputError, match="does not record where its 2 source sentences end"):
        edit.perform(po, lambda p: edit.unlink(p, "s1,2:t1,2"))
    edit.perform(po, lambda p: edit.merge_next(p, "s1,2:t1,2"))
    rec = store.load(po).record("s1,2,3:t1,2")
    assert rec.source_text == " ".join(SRC[1:4])
    assert rec.mt == " ".join(MT[1:4])
    assert rec.source_lengths == ()


def test_save_edit_checks_the_header_revision_and_writes_what_save_would(po, tmp_path):
    assert store.disk_revision(po) == 1
    pf = store.load(po)
    store.set_status(pf, "s0:t0", "approved")
    twin = tmp_path / "twin.po"
    twin.write_bytes(po.read_bytes())
    out = store.save_edit(pf, expected_revision=1)
    assert out.revision == 2 and store.disk_revision(po) == 2
    reference = store.load(twin)
    store.set_status(reference, "s0:t0", "approved")
    store.save(reference)
    strip = lambda text: "\n".join(l for l in text.splitlines() if "PO-Revision-Date" not in l)
    assert strip(po.read_text(encoding="utf-8")) == strip(twin.read_text(encoding="utf-8"))
    before = po.read_bytes()
    with pytest.raises(ConflictError, match=r"revision 2, this edit was based on 1") as info:
        store.save_edit(pf, expected_revision=1)
    assert info.value.current_revision == 2
    assert po.read_bytes() == before


def test_render_cached_gives_the_bytes_render_gives(po):
    pf = store.load(po)
    assert store.render_cached(pf) == store.render(pf) == po.read_text(encoding="utf-8")
    edit.link(pf, 3, 3)
    edit.annotate(pf, "s0:t0", "a \\ b\nc", "style", "ak")
    assert store.render_cached(pf) == store.render(pf)
    assert store.render_cached(store.PairFile(pf.header, [])) == store.render(store.PairFile(pf.header, []))


def test_concurrent_actions_are_serialised_and_all_recorded(po):
    errors: list[BaseException] = []

    def approve(key: str) -> None:
        try:
            edit.perform(po, lambda pf: edit.set_status(pf, key, "approved"), author=key)
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=approve, args=(k,)) for k in ("s0:t0", "s1,2:t1,2", "s3:t", "s:t3")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    pf = store.load(po)
    assert {r.status for r in pf.records} == {"approved"}
    assert pf.revision == 5
    assert edit.history_state(po)["done"] == 4

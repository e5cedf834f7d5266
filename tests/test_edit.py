"""Alignment correction (link, unlink, merge, split), review actions and the undo/redo history."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from factories import make_pair_file
from workbench import edit, history, store
from workbench.model import Bead
from workbench.errors import ConflictError, InputError

SRC = ["Первое предложение.", "Второе предложение, длинное.", "Третье.", "Четвёртое?"]
TGT = ["The first sentence.", "The second, long sentence.", "Third.", "An added remark."]
MT = ["First sentence.", "Second sentence, long.", "Third.", "Fourth?"]


@pytest.fixture
def po(tmp_path: Path) -> Path:
    beads = [Bead((0,), (0,), 0.9, "test"), Bead((1, 2), (1, 2), 0.6, "test"),
             Bead((3,), (), 0.0, "test"), Bead((), (3,), 0.0, "test")]
    path = tmp_path / "translations" / "src__tgt.po"
    make_pair_file(path, SRC, TGT, beads, ids=("src", "tgt"), separator="\n", mt=MT,
                   mt_model="test-model 1.0")
    return path


def keys(path: Path) -> list[str]:
    return [r.key for r in store.load(path).records]


def covers_everything(pf: store.PairFile) -> None:
    store.check_alignment([r.bead for r in pf.records], len(SRC), len(TGT))


def test_link_moves_the_rendering_sentence_into_the_source_sentences_bead(po):
    out = edit.perform(po, lambda pf: edit.link(pf, 3, 3), revision=1, author="ak")
    assert keys(po) == ["s0:t0", "s1,2:t1,2", "s3:t3"]
    rec = store.load(po).record("s3:t3")
    assert (rec.source_text, rec.rendering_text, rec.mt) == (SRC[3], TGT[3], MT[3])
    assert (rec.score, rec.method, rec.status) == (1.0, "manual", "unreviewed")
    assert rec.references == (("corpora/src.txt", "4"), ("corpora/tgt.txt", "4"))
    assert out.pair.revision == 2
    assert out.history == {"can_undo": True, "can_redo": False, "undo": "link s3 with t3",
                           "redo": None, "done": 1, "undone": 0,
                           "author": "ak", "notice": None, "recover": None}
    covers_everything(store.load(po))


def test_link_out_of_a_two_sentence_bead_leaves_the_rest_in_place(po):
    edit.perform(po, lambda pf: edit.link(pf, 3, 2), author="ak")
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
    edit.perform(po, lambda pf: edit.unlink(pf, "s1,2:t1,2"), author="ak")
    assert keys(po) == ["s0:t0", "s1:t", "s2:t", "s:t1", "s:t2", "s3:t", "s:t3"]
    pf = store.load(po)
    assert [pf.record(k).source_text or pf.record(k).rendering_text
            for k in ("s1:t", "s2:t", "s:t1", "s:t2")] == [SRC[1], SRC[2], TGT[1], TGT[2]]
    assert pf.record("s2:t").mt == MT[2]
    edit.perform(po, lambda pf: edit.merge_next(pf, "s0:t0"), author="ak")
    assert keys(po)[:2] == ["s0,1:t0", "s2:t"]
    edit.perform(po, lambda pf: edit.split(pf, "s0,1:t0", 1, 1), author="ak")
    assert keys(po)[:3] == ["s0:t0", "s1:t", "s2:t"]
    pf = store.load(po)
    assert pf.record("s0:t0").source_text == SRC[0]
    assert pf.record("s0:t0").mt == MT[0]
    covers_everything(pf)


def test_merge_keeps_both_beads_annotations_and_resets_the_status(po):
    edit.perform(po, lambda pf: edit.set_status(pf, "s0:t0", "approved"), author="ak")
    edit.perform(po, lambda pf: edit.annotate(pf, "s1,2:t1,2", "word order", "style", "ak",
                                              "2026-01-02T03:04:05Z"), author="ak")
    edit.perform(po, lambda pf: edit.merge_next(pf, "s0:t0"), author="ak")
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
    out = edit.undo(po, revision=4, author="ak")
    assert out.history["undo"] == "note on s0:t0" and out.history["redo"] == "link s3 with t3"
    pf = store.load(po)
    assert [r.key for r in pf.records] == ["s0:t0", "s1,2:t1,2", "s3:t", "s:t3"]
    assert pf.record("s0:t0").status == "approved"
    assert pf.record("s0:t0").annotations[0].text == "<script>alert(1)</script>"
    assert pf.revision == 5
    lines = [json.loads(line) for line in history.journal_path(po).read_bytes().splitlines()]
    assert lines[0]["format"] == 2
    assert [(d["op"], d["id"]) for d in lines[1:]] == [("do", 0), ("do", 1), ("do", 2), ("undo", 2)]
    # Each step holds only what changed: no whole records for a status or a note.
    assert lines[1]["change"] == {"bead": "s0:t0", "status": ["unreviewed", "approved"]}
    assert [n["text"] for n in lines[2]["change"]["notes"]] == ["<script>alert(1)</script>"]
    assert set(lines[2]["change"]) == {"bead", "notes"}
    edit.redo(po, author="ak")
    assert keys(po) == ["s0:t0", "s1,2:t1,2", "s3:t3"]
    for _ in range(3):
        edit.undo(po, author="ak")
    after = store.load(po)
    assert store.render(after).split("\n\n", 1)[1] == original.split("\n\n", 1)[1]
    with pytest.raises(InputError, match="nothing to undo"):
        edit.undo(po, author="ak")
    assert edit.history_state(po, "ak")["undone"] == 3


def test_a_new_action_drops_the_redo_stack(po):
    edit.perform(po, lambda pf: edit.link(pf, 3, 3), author="ak")
    edit.undo(po, author="ak")
    edit.perform(po, lambda pf: edit.set_status(pf, "s0:t0", "rejected"), author="ak")
    assert edit.history_state(po, "ak") == {"can_undo": True, "can_redo": False,
                                            "undo": "rejected s0:t0", "redo": None, "done": 1,
                                            "undone": 0, "author": "ak", "notice": None, "recover": None}


def test_stale_revision_is_a_conflict_and_nothing_is_written(po):
    edit.perform(po, lambda pf: edit.set_status(pf, "s0:t0", "approved"), author="ak")
    before = po.read_bytes()
    with pytest.raises(ConflictError) as info:
        edit.perform(po, lambda pf: edit.set_status(pf, "s0:t0", "rejected"), revision=1,
                     author="ak")
    assert info.value.current_revision == 2
    assert po.read_bytes() == before
    assert edit.history_state(po, "ak")["done"] == 1


def test_a_po_file_changed_outside_the_history_sets_the_history_aside(po):
    edit.perform(po, lambda pf: edit.link(pf, 3, 3), author="ak")
    journal = history.journal_path(po)
    kept = journal.read_bytes()
    pf = store.load(po)
    store.add_annotation(pf, "s3:t3", "edited elsewhere", "", "cli")
    store.save(pf)  # as a restore from git or another tool would: the history knows nothing of it
    # Reading says what the next change will do, and writes nothing.
    listing = sorted(p.name for p in po.parent.iterdir())
    state = edit.history_state(po, "ak")
    assert (state["can_undo"], state["done"]) == (False, 0)
    assert state["notice"] == (
        "The undo history will be set aside at the next change: it does not belong to this PO "
        "file, which is at revision 3 with other content than the history's revision 2 (changed "
        "outside the workbench, e.g. restored from git or re-aligned). Undo starts again from there.")
    assert sorted(p.name for p in po.parent.iterdir()) == listing
    assert journal.read_bytes() == kept
    with pytest.raises(InputError, match="nothing to undo for ak in this pair"):
        edit.undo(po, author="ak")
    aside = [p for p in po.parent.iterdir() if ".history.set-aside-" in p.name]
    assert len(aside) == 1 and aside[0].read_bytes() == kept  # renamed, never deleted
    assert edit.history_state(po, "ak")["notice"] == (
        f"The undo history was set aside as {aside[0].name}: it did not belong to this PO file, "
        "which is at revision 3 with other content than the history's revision 2 (changed outside "
        "the workbench, e.g. restored from git or re-aligned). Undo starts again from here.")
    assert keys(po) == ["s0:t0", "s1,2:t1,2", "s3:t3"]
    # Undo works again from the clean history.
    edit.perform(po, lambda pf: edit.set_status(pf, "s0:t0", "approved"), author="ak")
    assert edit.history_state(po, "ak")["notice"] is None
    edit.undo(po, author="ak")
    assert store.load(po).record("s0:t0").status == "unreviewed"
    assert store.load(po).record("s3:t3").annotations[0].text == "edited elsewhere"


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
        edit.perform(po, lambda p: edit.unlink(p, "s1,2:t1,2"), author="ak")
    edit.perform(po, lambda p: edit.merge_next(p, "s1,2:t1,2"), author="ak")
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
            edit.perform(po, lambda pf: edit.set_status(pf, key, "approved"), author="ak")
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
    assert edit.history_state(po, "ak")["done"] == 4


# --- the history: per author, per bead, belonging to its file, surviving crashes -----------------

def test_line_separators_in_notes_authors_and_sentences_keep_the_history_readable(tmp_path):
    odd = ["Первое\u2028предложение.", "Второе\u2029предложение.", "Третье\x85."]
    po = tmp_path / "translations" / "src__tgt.po"
    make_pair_file(po, odd, ["First.", "Second.", "Third."],
                   [Bead((0,), (0,), 0.9, "t"), Bead((1,), (), 0.0, "t"), Bead((2,), (1, 2), 0.5, "t")],
                   ids=("src", "tgt"), separator="\n")
    note = "line\u2028separator, paragraph\u2029separator, next\x85line"
    edit.perform(po, lambda pf: edit.annotate(pf, "s0:t0", note, "other", "Анна\u2028Б"),
                 author="Анна\u2028Б")
    edit.perform(po, lambda pf: edit.unlink(pf, "s2:t1,2"), author="Анна\u2028Б")  # whole records
    edit.perform(po, lambda pf: edit.set_status(pf, "s1:t", "approved"), author="ak")
    raw = history.journal_path(po).read_bytes()
    assert not any(c.encode("utf-8") in raw for c in "\u2028\u2029\x85")
    assert raw.count(b"\n") == 4
    # A new process reads it all back, and undo restores exactly.
    assert edit.history_state(po, "Анна Б")["undo"] == "unlink s2:t1,2"
    edit.undo(po, author="Анна Б")
    edit.undo(po, author="Анна Б")
    pf = store.load(po)
    assert pf.record("s0:t0").annotations == ()
    assert pf.record("s2:t1,2").source_text == odd[2]
    assert pf.record("s1:t").status == "approved"
    edit.redo(po, author="Анна Б")
    assert store.load(po).record("s0:t0").annotations[0].text == note


def test_undo_is_per_author_and_leaves_other_authors_changes_alone(po):
    edit.perform(po, lambda pf: edit.set_status(pf, "s0:t0", "approved"), author="ak")
    edit.perform(po, lambda pf: edit.annotate(pf, "s0:t0", "fine", "", "bo"), author="bo")
    edit.perform(po, lambda pf: edit.set_status(pf, "s3:t", "rejected"), author="bo")
    out = edit.undo(po, author="ak")
    assert out.change.summary == "approved s0:t0"
    pf = store.load(po)
    assert pf.record("s0:t0").status == "unreviewed"
    assert [a.text for a in pf.record("s0:t0").annotations] == ["fine"]  # bo's note stays
    assert pf.record("s3:t").status == "rejected"
    assert edit.history_state(po, "bo")["undo"] == "rejected s3:t"
    assert edit.history_state(po, "ak")["redo"] == "approved s0:t0"
    edit.undo(po, author="bo")
    edit.undo(po, author="bo")
    assert store.load(po).record("s0:t0").annotations == ()


def test_an_undo_that_would_revert_someone_elses_later_change_is_refused_naming_them(po):
    edit.perform(po, lambda pf: edit.set_status(pf, "s0:t0", "approved"), author="ak")
    edit.perform(po, lambda pf: edit.link(pf, 3, 3), author="ak")
    edit.perform(po, lambda pf: edit.set_status(pf, "s3:t3", "needs-work"), author="bo")
    before = po.read_bytes()
    with pytest.raises(ConflictError, match=r"cannot undo 'link s3 with t3': bead s3:t3 was "
                                            r"changed, changed later by bo \(needs-work s3:t3, "):
        edit.undo(po, author="ak")
    assert po.read_bytes() == before
    edit.undo(po, author="bo")
    edit.undo(po, author="ak")  # the link, now that bo's change of its bead is undone
    with pytest.raises(ConflictError, match=r"cannot redo 'needs-work s3:t3': bead s3:t3 no longer "
                                            r"exists, changed later by ak \(undo of link s3 with t3"):
        edit.redo(po, author="bo")
    edit.perform(po, lambda pf: edit.set_status(pf, "s0:t0", "rejected"), author="bo")
    with pytest.raises(ConflictError, match=r"bead s0:t0 is rejected now, changed later by bo"):
        edit.undo(po, author="ak")
    edit.undo(po, author="bo")
    edit.undo(po, author="ak")
    assert keys(po) == ["s0:t0", "s1,2:t1,2", "s3:t", "s:t3"]
    assert store.load(po).record("s0:t0").status == "unreviewed"


def test_edits_to_different_beads_never_conflict_and_the_same_bead_names_who_changed_it(po):
    seen = {r.key: edit.bead_revision(r) for r in store.load(po).records}
    edit.perform(po, lambda pf: edit.set_status(pf, "s0:t0", "approved"), author="bo",
                 beads={"s0:t0": seen["s0:t0"]})
    # ak's view is older than bo's change, but ak edits another bead: saved.
    edit.perform(po, lambda pf: edit.set_status(pf, "s3:t", "rejected"), author="ak",
                 beads={"s3:t": seen["s3:t"]})
    before = po.read_bytes()
    with pytest.raises(ConflictError, match=r"^bead s0:t0 was changed by bo \(approved s0:t0, "
                                            r"\d{4}-.*Z\) since your view of it"):
        edit.perform(po, lambda pf: edit.annotate(pf, "s0:t0", "x", "", "ak"), author="ak",
                     beads={"s0:t0": seen["s0:t0"]})
    # A structure edit checks every bead it touches: linking s3 takes t3 out of bead s:t3.
    edit.perform(po, lambda pf: edit.annotate(pf, "s:t3", "own sentence", "", "bo"), author="bo")
    with pytest.raises(ConflictError, match=r"bead s:t3 was changed by bo \(note on s:t3"):
        edit.perform(po, lambda pf: edit.link(pf, 3, 3), author="ak",
                     beads={"s3:t": edit.bead_revision(store.load(po).record("s3:t")),
                            "s:t3": seen["s:t3"]})
    assert store.load(po).record("s3:t").status == "rejected"
    assert po.read_bytes() != before  # bo's note was saved; ak's link was not
    assert keys(po) == ["s0:t0", "s1,2:t1,2", "s3:t", "s:t3"]


def test_changes_need_an_author(po):
    before = po.read_bytes()
    for name in ("", "  \n"):
        with pytest.raises(InputError, match="set your name first"):
            edit.perform(po, lambda pf: edit.set_status(pf, "s0:t0", "approved"), author=name)
    assert po.read_bytes() == before
    assert not history.journal_path(po).exists()


class Killed(BaseException):
    """What a SIGKILL between the history and the PO file write looks like to the code after it."""


def test_a_step_whose_po_file_was_never_written_is_dropped(po, monkeypatch):
    edit.perform(po, lambda pf: edit.set_status(pf, "s0:t0", "approved"), author="ak")
    before, journal = po.read_bytes(), history.journal_path(po).read_bytes()

    def killed(path, data):
        raise Killed

    monkeypatch.setattr(store, "write_atomic", killed)
    with pytest.raises(Killed):
        edit.perform(po, lambda pf: edit.set_status(pf, "s3:t", "rejected"), author="ak")
    monkeypatch.undo()
    assert po.read_bytes() == before
    assert history.journal_path(po).read_bytes().startswith(journal)
    assert len(history.journal_path(po).read_bytes()) > len(journal)
    state = edit.history_state(po, "ak")
    assert (state["undo"], state["done"], state["notice"]) == ("approved s0:t0", 1, None)
    assert len(history.journal_path(po).read_bytes()) > len(journal)  # a read repairs nothing
    edit.undo(po, author="ak")  # the next change drops the step first, then undoes the one before
    assert store.load(po).record("s0:t0").status == "unreviewed"
    edit.redo(po, author="ak")
    assert history.journal_path(po).read_bytes().startswith(journal)
    # A line cut short by a crash is dropped too.
    with open(history.journal_path(po), "ab") as f:
        f.write(b'{"op":"do","id":1,"act')
    edit.perform(po, lambda pf: edit.set_status(pf, "s3:t", "rejected"), author="ak")
    assert edit.history_state(po, "ak")["done"] == 2
    assert not [p for p in po.parent.iterdir() if "set-aside" in p.name]


def test_an_editor_reads_only_what_other_processes_appended(po):
    mine, theirs = edit.Editor(), edit.Editor()
    mine.perform(po, lambda pf: edit.set_status(pf, "s0:t0", "approved"), author="ak")
    journal = mine._pair(po)[1].journal
    first = journal.steps[0]
    theirs.perform(po, lambda pf: edit.set_status(pf, "s3:t", "rejected"), author="bo")
    assert mine.state(po, "bo")["undo"] == "rejected s3:t"
    assert journal.steps[0] is first  # the index grew; it was not read again
    assert journal.offset == history.journal_path(po).stat().st_size
    mine.undo(po, author="bo")
    assert theirs.load(po).record("s3:t").status == "unreviewed"


def test_an_editor_removes_the_temporary_files_a_killed_save_left(po):
    left = po.with_name("." + po.name + ".k2j3h4.tmp")
    left.write_bytes(b"half a PO file")
    other = po.with_name(".other.po.x.tmp")
    other.write_bytes(b"not ours")
    edit.Editor().load(po)
    assert not left.exists() and other.exists()


def test_two_editors_as_two_processes_share_the_pair_without_conflicts(po):
    editors = [edit.Editor(), edit.Editor()]
    errors: list[BaseException] = []
    texts = [f"e{e}-t{t}-{i}" for e in range(2) for t in range(4) for i in range(5)]

    def work(e: int, t: int) -> None:
        for i in range(5):
            key = ["s0:t0", "s1,2:t1,2", "s3:t", "s:t3"][(t + i) % 4]
            try:
                editors[e].perform(po, lambda pf, k=key, x=f"e{e}-t{t}-{i}": edit.annotate(
                    pf, k, x, "", f"e{e}"), author=f"e{e}")
            except BaseException as exc:  # collected for the assertion below
                errors.append(exc)

    threads = [threading.Thread(target=work, args=(e, t)) for e in range(2) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    pf = store.load(po)
    assert sorted(a.text for r in pf.records for a in r.annotations) == sorted(texts)
    assert pf.revision == 41
    assert [edit.history_state(po, f"e{e}")["done"] for e in range(2)] == [20, 20]


def test_undoing_a_link_after_someone_else_reshaped_earlier_beads_puts_it_back_in_place(po):
    edit.perform(po, lambda pf: edit.link(pf, 3, 3), author="ak")
    edit.perform(po, lambda pf: edit.unlink(pf, "s1,2:t1,2"), author="bo")
    assert keys(po) == ["s0:t0", "s1:t", "s2:t", "s:t1", "s:t2", "s3:t3"]
    edit.undo(po, author="ak")
    assert keys(po) == ["s0:t0", "s1:t", "s2:t", "s:t1", "s:t2", "s3:t", "s:t3"]
    edit.redo(po, author="ak")
    assert keys(po) == ["s0:t0", "s1:t", "s2:t", "s:t1", "s:t2", "s3:t3"]
    edit.undo(po, author="ak")
    edit.undo(po, author="bo")
    assert keys(po) == ["s0:t0", "s1,2:t1,2", "s3:t", "s:t3"]
    covers_everything(store.load(po))


def test_a_failed_write_refuses_its_change_and_the_same_editor_goes_on(po, monkeypatch):
    editor = edit.Editor()
    editor.perform(po, lambda pf: edit.set_status(pf, "s0:t0", "approved"), author="ak")
    before = po.read_bytes()

    def full(path, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "write_atomic", full)
    with pytest.raises(OSError, match="No space left"):
        editor.perform(po, lambda pf: edit.set_status(pf, "s3:t", "rejected"), author="ak")
    monkeypatch.undo()
    assert po.read_bytes() == before
    assert editor.load(po).record("s3:t").status == "unreviewed"
    assert editor.state(po, "ak")["undo"] == "approved s0:t0"  # the refused step was dropped
    editor.perform(po, lambda pf: edit.set_status(pf, "s3:t", "needs-work"), author="ak")
    assert edit.history_state(po, "ak")["done"] == 2
    editor.undo(po, author="ak")
    assert store.load(po).record("s3:t").status == "unreviewed"


def test_a_damaged_history_is_set_aside_and_never_locks_the_pair(po):
    edit.perform(po, lambda pf: edit.set_status(pf, "s0:t0", "approved"), author="ak")
    journal = history.journal_path(po)
    lines = journal.read_bytes().split(b"\n")
    lines[1] = b'{"op": "do", "id": 0, "broken'
    journal.write_bytes(b"\n".join(lines))
    state = edit.history_state(po, "ak")
    assert state["can_undo"] is False
    assert "line 2 of it is damaged (Unterminated string" in state["notice"]
    assert not [p for p in po.parent.iterdir() if "set-aside" in p.name]  # a read writes nothing
    edit.perform(po, lambda pf: edit.set_status(pf, "s3:t", "needs-work"), author="ak")
    aside = [p for p in po.parent.iterdir() if "set-aside" in p.name]
    assert len(aside) == 1 and aside[0].read_bytes() == b"\n".join(lines)
    edit.perform(po, lambda pf: edit.set_status(pf, "s3:t", "rejected"), author="ak")
    edit.undo(po, author="ak")
    assert store.load(po).record("s0:t0").status == "approved"  # the PO file kept everything

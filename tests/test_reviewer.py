"""The reviewer's signature in the PO record: who approved (or rejected, or marked for work) a
bead and when, written as `#. status ... by ... on ...`, read back, undone with the status, and
named by the translation memory."""

from __future__ import annotations

import subprocess
from pathlib import Path

from factories import PAIR, make_data_dir, post
from workbench import edit, store
from workbench.memory.segments import pair_segments


def test_a_status_set_on_the_page_is_signed_in_the_po_record(make_client, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    root = make_data_dir(tmp_path / "data")
    client = make_client(root)
    res = post(client, f"/pairs/{PAIR}/beads/s0:t1/status", {"status": "approved"}, author="Анна")
    assert res.status_code == 200
    assert res.get_json()["beads"][0]["reviewer"] == {"author": "Анна",
                                                      "time": "2023-11-14T22:13:20Z"}
    po = root / "translations" / f"{PAIR}.po"
    text = po.read_text(encoding="utf-8")
    assert "#. status approved by Анна on 2023-11-14T22:13:20Z\n" in text
    subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po)], check=True)
    assert store.load(po).record("s0:t1").reviewer == ("Анна", "2023-11-14T22:13:20Z")
    # the memory names the approver, though the bead has no note
    (segment,) = pair_segments(po)
    assert (segment.bead, segment.reviewer, segment.time) == ("s0:t1", "Анна",
                                                              "2023-11-14T22:13:20Z")
    assert 'title="status: approved by Анна, 2023-11-14 22:13"' in \
        client.get(f"/pairs/{PAIR}").get_data(as_text=True)
    # undo takes the signature with the status; redo brings both back
    post(client, f"/pairs/{PAIR}/undo", {}, author="Анна")
    assert store.load(po).record("s0:t1").reviewer is None
    assert "#. status " not in po.read_text(encoding="utf-8")
    post(client, f"/pairs/{PAIR}/redo", {}, author="Анна")
    assert store.load(po).record("s0:t1").reviewer == ("Анна", "2023-11-14T22:13:20Z")
    # back to unreviewed: no signature
    post(client, f"/pairs/{PAIR}/beads/s0:t1/status", {"status": "unreviewed"}, author="Бо")
    assert store.load(po).record("s0:t1").reviewer is None


def test_a_status_changed_in_another_po_editor_drops_the_stale_signature(tmp_path: Path):
    root = make_data_dir(tmp_path / "data")
    po = root / "translations" / f"{PAIR}.po"
    edit.perform(po, lambda pf: edit.set_status(pf, "s0:t1", "rejected", "bo"), author="bo")
    assert store.load(po).record("s0:t1").reviewer[0] == "bo"
    text = po.read_text(encoding="utf-8")
    # Poedit un-fuzzies the entry: the flags now say approved, the signature says rejected
    text = text.replace('#, fuzzy, rejected\nmsgctxt "speech-ru|report-en|s0:t1"',
                        'msgctxt "speech-ru|report-en|s0:t1"')
    po.write_text(text, encoding="utf-8")
    record = store.load(po).record("s0:t1")
    assert (record.status, record.reviewer) == ("approved", None)
    assert store.load(po).read_only is None  # our own line, not another tool's content

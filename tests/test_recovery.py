"""A PO file restored from an older version: the history is set aside, the reviewer is told what of
its work the restored file lacks, and can replay it (one undoable action), through the API and on
the page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from factories import PAIR, make_data_dir, post, start_server, stop
from workbench import store


@pytest.fixture
def restored(tmp_path: Path, make_client):
    """A pair reviewed in two rounds, whose PO file is then restored to its state between them:
    round one approved s0:t1; round two approved three more beads, added a note and linked
    s3 with t4. Returns the client and the PO file."""
    root = make_data_dir(tmp_path / "data")
    po = root / "translations" / f"{PAIR}.po"
    client = make_client(root)
    assert post(client, f"/pairs/{PAIR}/beads/s0:t1/status", {"status": "approved"}).status_code == 200
    shutil.copyfile(po, tmp_path / "round-one.po")
    for key in ("s:t0", "s1,2:t2,3", "s4:t5"):
        assert post(client, f"/pairs/{PAIR}/beads/{key}/status", {"status": "approved"},
                    author="bo").status_code == 200
    assert post(client, f"/pairs/{PAIR}/beads/s4:t5/annotations", {"text": "checked"},
                author="bo").status_code == 200
    assert post(client, f"/pairs/{PAIR}/link", {"source": 3, "rendering": 4}).status_code == 200
    # an approval undone: not work the history holds
    assert post(client, f"/pairs/{PAIR}/beads/s3:t4/status", {"status": "approved"}).status_code == 200
    assert post(client, f"/pairs/{PAIR}/undo", {}).status_code == 200
    client.round_two = po.read_bytes()
    shutil.copyfile(tmp_path / "round-one.po", po)  # the reviewer restores round one (from git)
    return client, po


def statuses(po: Path) -> dict[str, str]:
    return {r.key: r.status for r in store.load(po).records}


def test_the_history_notice_says_what_the_set_aside_history_holds(restored):
    client, po = restored
    # Reading writes nothing: until the next change the history stays where it is, and the
    # notice says what it holds that the restored file lacks.
    history = client.get(f"/api/pairs/{PAIR}/history?author=ak").get_json()["history"]
    assert not [p for p in po.parent.iterdir() if ".set-aside-" in p.name]
    journal = f".{PAIR}.po.history.jsonl"
    assert history["recover"] == {
        "aside": journal,
        "summary": "3 approvals, 1 note and 1 alignment correction after this version are in "
                   "the undo history",
        "counts": {"approval": 3, "note": 1, "alignment correction": 1}}
    assert history["notice"].startswith("The undo history will be set aside at the next change: "
                                        "it does not belong to this PO file")
    html = client.get(f"/pairs/{PAIR}").get_data(as_text=True)
    assert ('3 approvals, 1 note and 1 alignment correction after this version are in the '
            f'undo history ({journal}). <button type="button" data-act="replay" id="replay">'
            'Replay them</button>') in html
    # The next change (a note on a bead the history left alone) sets it aside and keeps the offer.
    assert post(client, f"/pairs/{PAIR}/beads/s0:t1/annotations", {"text": "seen"},
                author="cy").status_code == 200
    history = client.get(f"/api/pairs/{PAIR}/history?author=ak").get_json()["history"]
    aside = next(p.name for p in po.parent.iterdir() if ".set-aside-" in p.name)
    assert history["recover"] == {
        "aside": aside,
        "summary": "3 approvals, 1 note and 1 alignment correction after this version are in "
                   "the set-aside history",
        "counts": {"approval": 3, "note": 1, "alignment correction": 1}}
    html = client.get(f"/pairs/{PAIR}").get_data(as_text=True)
    assert ('3 approvals, 1 note and 1 alignment correction after this version are in the '
            f'set-aside history ({aside}). <button type="button" data-act="replay" id="replay">'
            'Replay them</button>') in html


def test_replaying_puts_back_every_change_the_restored_file_lacks_as_one_undoable_action(restored):
    client, po = restored
    restored_bytes = po.read_bytes()
    res = post(client, f"/pairs/{PAIR}/history/replay", {}, author="ak")
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["summary"] == ("replay 3 approvals, 1 note, 1 alignment correction "
                                         "from the set-aside history")
    pf = store.load(po)
    assert [r.key for r in pf.records] == ["s:t0", "s0:t1", "s1,2:t2,3", "s3:t4", "s4:t5"]
    assert {r.key: r.status for r in pf.records} == {
        "s:t0": "approved", "s0:t1": "approved", "s1,2:t2,3": "approved", "s3:t4": "unreviewed",
        "s4:t5": "approved"}
    assert [a.text for a in pf.record("s4:t5").annotations] == ["checked"]
    assert [r for r in store.load(po).records] == [r for r in store.parse(
        client.round_two.decode(), "round two").records]  # what round two had, bead for bead
    history = client.get(f"/api/pairs/{PAIR}/history?author=ak").get_json()["history"]
    assert history["recover"] is None and history["undo"] == res.get_json()["summary"]
    assert post(client, f"/pairs/{PAIR}/undo", {}, author="ak").status_code == 200
    assert store.load(po).records == store.parse(restored_bytes.decode(), "x").records


def test_a_bead_changed_since_the_restore_keeps_its_change_and_the_rest_is_replayed(restored):
    client, po = restored
    assert post(client, f"/pairs/{PAIR}/beads/s:t0/status", {"status": "rejected"},
                author="cy").status_code == 200
    res = post(client, f"/pairs/{PAIR}/history/replay", {}, author="ak")
    assert res.status_code == 200
    assert res.get_json()["summary"] == ("replay 2 approvals, 1 note, 1 alignment correction "
                                         "from the set-aside history")
    assert statuses(po)["s:t0"] == "rejected"
    assert statuses(po)["s4:t5"] == "approved"


def test_a_pair_without_a_set_aside_history_has_nothing_to_replay(tmp_path, make_client):
    root = make_data_dir(tmp_path / "data")
    client = make_client(root)
    before = (root / "translations" / f"{PAIR}.po").read_bytes()
    res = post(client, f"/pairs/{PAIR}/history/replay", {})
    assert res.status_code == 400
    assert res.get_json()["message"] == ("this pair has no set-aside history whose work could be "
                                         "replayed (the history notice says when there is one)")
    assert (root / "translations" / f"{PAIR}.po").read_bytes() == before


def test_the_page_offers_the_replay_and_it_works(restored, page, tmp_path):
    _, po = restored
    url, proc = start_server(po.parents[1], tmp_path)
    try:
        page.goto(f"{url}/pairs/{PAIR}")
        page.wait_for_selector("html[data-ready='1']")
        assert page.locator("#history-recover").inner_text().startswith(
            "3 approvals, 1 note and 1 alignment correction after this version are in the "
            "undo history")
        page.click("#replay")
        page.wait_for_selector("#author-dialog[open]")
        page.fill("#author-input", "Анна")
        page.click("#author-dialog button[value='save']")
        page.wait_for_selector("tr.bead[data-key='s3:t4']")
        assert page.locator("#history-recover").count() == 0
        assert page.locator("#message").inner_text().startswith(
            "Saved: replay 3 approvals, 1 note, 1 alignment correction from the set-aside history")
        assert statuses(po)["s1,2:t2,3"] == "approved"
    finally:
        stop(proc)



def test_a_name_decision_the_restored_file_lacks_is_offered_and_replayed(tmp_path, make_client):
    """A decision on the name map lives in the PO header: a file restored to before it lacks it,
    and replaying the set-aside history puts it back, with the findings it gives."""
    from factories import NAMES_PAIR, make_names_data_dir

    root = make_names_data_dir(tmp_path / "data")
    po = root / "translations" / f"{NAMES_PAIR}.po"
    client = make_client(root)
    shutil.copyfile(po, tmp_path / "before.po")
    assert post(client, f"/pairs/{NAMES_PAIR}/names", {"source": "Анна", "rendering": "Koznyshev",
                                                        "state": "confirmed"}).status_code == 200
    assert post(client, f"/pairs/{NAMES_PAIR}/beads/s0:t0/status", {"status": "approved"}
                ).status_code == 200
    decided = store.load(po)
    shutil.copyfile(tmp_path / "before.po", po)  # restored to before the decision
    history = client.get(f"/api/pairs/{NAMES_PAIR}/history?author=ak").get_json()["history"]
    assert history["recover"]["summary"] == ("1 name decision and 1 approval after this version "
                                             "are in the undo history")
    res = post(client, f"/pairs/{NAMES_PAIR}/history/replay", {}, author="ak")
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["summary"] == ("replay 1 name decision, 1 approval from the set-aside "
                                         "history")
    pf = store.load(po)
    assert pf.header["X-Workbench-Names"] == "confirmed Анна = Koznyshev"
    assert pf.records == decided.records
    # one action: undo takes the decision back out of the header
    assert post(client, f"/pairs/{NAMES_PAIR}/undo", {}, author="ak").status_code == 200
    assert "X-Workbench-Names" not in store.load(po).header

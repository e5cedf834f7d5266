"""A pair's name map: learned from its beads, confirmed or broken by a translator (through the API,
stored in the PO header, undone like any action), used by `workbench check` and the stored
findings, kept when the pair is re-aligned, and refused when damaged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from factories import NAMES_PAIR, NAMES_SRC, NAMES_TGT, make_names_data_dir, make_pair_file, post
from workbench import edit, store
from workbench.check import NameLink, from_pairs, parse_decisions
from workbench.model import Bead

LEARNED = [{"source": "Сергей Иванович", "rendering": "Koznyshev", "state": "learned", "beads": 3},
           {"source": "Стива", "rendering": "Stepan Arkadyevitch", "state": "learned", "beads": 3}]
ANNA = ("check name: source names Анна; rendering names Koznyshev (the name map gives Koznyshev "
        "for Сергей Иванович)")


@pytest.fixture
def names_dir(tmp_path: Path) -> Path:
    return make_names_data_dir(tmp_path / "data")


def po_of(root: Path) -> Path:
    return root / "translations" / f"{NAMES_PAIR}.po"


def checks(root: Path) -> dict[str, tuple[str, ...]]:
    return {r.key: r.checks for r in store.load(po_of(root)).records if r.checks}


def test_the_map_is_learned_from_the_beads(names_dir):
    pf = store.load(po_of(names_dir))
    assert [link.to_dict() for link in store.name_map(pf).links] == LEARNED
    # the explained beads carry no finding; Анna / Koznyshev contradicts the map
    assert checks(names_dir) == {"s5:t5": (ANNA,)}


def test_one_bead_teaches_nothing_and_a_broken_link_explains_nothing():
    one = from_pairs([("Стива засмеялся.", "Oblonsky laughed.", None)], "ru", "en")
    assert one.links == ()
    learned = from_pairs(list(zip(NAMES_SRC, NAMES_TGT, [None] * 7)), "ru", "en")
    assert learned.explains("Сергею Ивановичу", "Koznyshev")
    broken = learned.decide("Сергей Иванович", "Koznyshev", "broken")
    assert not broken.explains("Сергею Ивановичу", "Koznyshev")
    assert broken.decisions() == (NameLink("Сергей Иванович", "Koznyshev", "broken", 3),)


def test_workbench_check_uses_the_map(names_dir, runner, monkeypatch):
    monkeypatch.chdir(names_dir)
    po = f"translations/{NAMES_PAIR}.po"
    result = runner.invoke(["check", po, "--kinds", "name"])
    line = store.load(po_of(names_dir)).records[5]
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"{po}:{_line(names_dir, 's5:t5')}: bead s5:t5: error name: {ANNA[len('check name: '):]}")
    assert len(result.output.splitlines()) == 2  # and the summary line
    assert line.key == "s5:t5"


def _line(root: Path, key: str) -> int:
    from workbench.check import po_entry_lines

    return po_entry_lines(po_of(root).read_text(encoding="utf-8"))[key]


def test_a_confirmed_link_is_stored_in_the_header_and_explains_the_bead(names_dir, make_client,
                                                                         runner, monkeypatch):
    client = make_client(names_dir)
    res = post(client, f"/pairs/{NAMES_PAIR}/names",
               {"source": "Анна", "rendering": "Koznyshev", "state": "confirmed"})
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["summary"] == "confirmed the name link Анна = Koznyshev"
    assert [b["key"] for b in res.get_json()["beads"]] == ["s5:t5"]
    pf = store.load(po_of(names_dir))
    assert pf.header["X-Workbench-Names"] == "confirmed Анна = Koznyshev"
    assert checks(names_dir) == {}
    got = client.get(f"/api/pairs/{NAMES_PAIR}/names").get_json()
    assert got["decided"] == 1
    assert got["links"][-1] == {"source": "Анна", "rendering": "Koznyshev", "state": "confirmed",
                                "beads": 0}
    monkeypatch.chdir(names_dir)
    result = runner.invoke(["check", f"translations/{NAMES_PAIR}.po"])
    assert result.exit_code == 0, result.output


def test_a_broken_link_makes_its_beads_errors_and_undo_restores_it(names_dir, make_client):
    client = make_client(names_dir)
    res = post(client, f"/pairs/{NAMES_PAIR}/names",
               {"source": "Стива", "rendering": "Stepan Arkadyevitch", "state": "broken"})
    assert res.status_code == 200, res.get_json()
    assert checks(names_dir) == {
        "s3:t3": ("check name: source names Стива; rendering names Stepan Arkadyevitch",),
        "s4:t4": ("check name: source names Стиве; rendering names Stepan Arkadyevitch",),
        "s5:t5": (ANNA,),
        "s6:t6": ("check name: source names Стива; rendering names Stepan Arkadyevitch",)}
    names = client.get(f"/api/pairs/{NAMES_PAIR}").get_json()["names"]
    assert names["links"][1] == {"source": "Стива", "rendering": "Stepan Arkadyevitch",
                                 "state": "broken", "beads": 3}
    assert post(client, f"/pairs/{NAMES_PAIR}/undo", {}).status_code == 200
    assert "X-Workbench-Names" not in store.load(po_of(names_dir)).header
    assert checks(names_dir) == {"s5:t5": (ANNA,)}
    # and withdrawing a decision is the way back too
    post(client, f"/pairs/{NAMES_PAIR}/redo", {})
    post(client, f"/pairs/{NAMES_PAIR}/names",
         {"source": "Стива", "rendering": "Stepan Arkadyevitch", "state": "learned"})
    assert [link.to_dict() for link in store.name_map(store.load(po_of(names_dir))).links] == \
        LEARNED


@pytest.mark.parametrize("body, message", [
    ({"source": "Стива", "rendering": "Stiva", "state": "maybe"},
     "unknown state 'maybe': use one of learned, confirmed, broken"),
    ({"source": "Стива; Анна", "rendering": "Stiva", "state": "confirmed"},
     "'Стива; Анна' cannot be a name of the map (empty, or holds ; = or a line break)"),
    ({"source": "", "rendering": "Stiva", "state": "confirmed"},
     "'' cannot be a name of the map (empty, or holds ; = or a line break)"),
])
def test_a_bad_decision_is_a_400_and_writes_nothing(names_dir, make_client, body, message):
    before = po_of(names_dir).read_bytes()
    res = post(make_client(names_dir), f"/pairs/{NAMES_PAIR}/names", body)
    assert res.status_code == 400
    assert res.get_json()["message"] == message + (
        " (give the two names as the page shows them, and the state confirmed, broken or learned)")
    assert po_of(names_dir).read_bytes() == before


def test_a_damaged_decisions_field_names_the_line(names_dir, runner, monkeypatch):
    po = po_of(names_dir)
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('"X-Workbench-Revision:', '"X-Workbench-Names: confirmed Стива\\n"\n'
                                                          '"X-Workbench-Revision:'),
                  encoding="utf-8")
    line = po.read_text(encoding="utf-8").split("\n").index('"X-Workbench-Names: confirmed Стива\\n"')
    monkeypatch.chdir(names_dir)
    result = runner.invoke(["check", f"translations/{NAMES_PAIR}.po"])
    assert result.exit_code == 2
    assert f"translations/{NAMES_PAIR}.po:{line + 1}" in result.output
    assert "'confirmed Стива' is not 'confirmed|broken SOURCE = RENDERING'" in result.output
    assert "Traceback" not in result.output


def test_decisions_survive_a_re_alignment(names_dir):
    po = po_of(names_dir)
    edit.perform(po, lambda pf: edit.decide_name(pf, "Стива", "Stepan Arkadyevitch", "broken"),
                 author="ak")
    make_pair_file(po, NAMES_SRC, NAMES_TGT,
                   [Bead((i,), (i,), 0.8, "test") for i in range(len(NAMES_SRC))],
                   ids=("novel-ru", "novel-en"), settings={"method": "test"})
    pf = store.load(po)
    assert pf.header["X-Workbench-Names"] == "broken Стива = Stepan Arkadyevitch"
    assert pf.records[3].checks == (
        "check name: source names Стива; rendering names Stepan Arkadyevitch",)


def test_the_text_form_of_decisions_reads_back():
    links = (NameLink("Стива", "Stiva", "confirmed"), NameLink("Анна", "Betsy", "broken"))
    from workbench.check import decisions_text

    assert decisions_text(links) == "confirmed Стива = Stiva; broken Анна = Betsy"
    assert parse_decisions(decisions_text(links)) == links
    assert json.dumps([x.to_dict() for x in links], ensure_ascii=False).count("state") == 2

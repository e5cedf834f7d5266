"""workbench.project: the one core object for a data directory, and the one way a pair is prepared
(the CLI's `align` and the web's Prepare and Re-align go through it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench import edit, store
from workbench.errors import ConflictError, NotPreparedError
from workbench.project import Project, holds_work

PAIR = "petition-ru__newsweek-en"


@pytest.fixture
def project(data_dir: Path, argos_dir: Path) -> Project:
    return Project(data_dir)


def test_a_project_lists_its_pairs_and_reading_an_unprepared_one_writes_nothing(project, data_dir):
    assert [p.id for p in project.pairs] == [PAIR, "petition-ru__petition-en"]
    assert project.po_path(PAIR) == data_dir / "translations" / f"{PAIR}.po"
    assert project.is_prepared(PAIR) is False
    with pytest.raises(NotPreparedError) as caught:
        project.pair_file(PAIR)
    assert caught.value.http_status == 404
    assert str(caught.value) == (
        f"{data_dir}/translations/{PAIR}.po: the pair '{PAIR}' has no PO file yet (prepare it: the "
        f"pair page's Prepare button, POST /api/pairs/{PAIR}/prepare or `workbench align`)")
    assert sorted(p.name for p in (data_dir / "translations").iterdir()) == []


def test_prepare_writes_the_po_file_once_and_keeps_it_after(project, data_dir):
    pf = project.prepare(PAIR)
    path = data_dir / "translations" / f"{PAIR}.po"
    assert pf.path == path and pf.revision == 1
    assert project.pair_file(PAIR)[1].records == pf.records
    stamp = path.stat().st_mtime_ns
    again = project.prepare(PAIR)  # nothing to do: no model whose MT the file lacks
    assert (again.revision, path.stat().st_mtime_ns) == (1, stamp)


def test_the_cli_align_writes_the_records_the_project_prepares(project, data_dir, monkeypatch):
    from workbench.cli import main

    pf = project.prepare(PAIR)
    monkeypatch.chdir(data_dir)
    res = CliRunner().invoke(main, ["align", "corpora/petition.ru.txt", "corpora/newsweek.en.txt",
                                    "-o", "cli.po"])
    assert res.exit_code == 0, res.output
    assert store.load(data_dir / "cli.po").records == pf.records


def _approve_first_one_to_one(project: Project) -> str:
    path = project.po_path(PAIR)
    _, pf = project.pair_file(PAIR)
    key = next(r.key for r in pf.records if len(r.source) == 1 and len(r.rendering) == 1)
    project.editor.perform(path, lambda p: edit.set_status(p, key, "approved"), author="ak")
    return key


def test_realign_keeps_every_bead_s_status_and_notes(project):
    project.prepare(PAIR)
    key = _approve_first_one_to_one(project)
    pf = project.prepare(PAIR, realign=True)
    assert pf.record(key).status == "approved"
    assert [r.key for r in pf.records if holds_work(r)] == [key]


def test_realign_refuses_and_writes_nothing_when_a_hand_made_unlink_would_be_undone(project):
    project.prepare(PAIR)
    path = project.po_path(PAIR)
    _, pf = project.pair_file(PAIR)
    key = next(r.key for r in pf.records if len(r.source) == 1 and len(r.rendering) == 1)
    project.editor.perform(path, lambda p: edit.unlink(p, key), author="ak")
    before = path.read_bytes()
    with pytest.raises(ConflictError) as caught:
        project.prepare(PAIR, realign=True)
    assert "re-aligning would drop the work on 2 beads that the new alignment does not have" \
        in caught.value.message
    assert path.read_bytes() == before


def test_realign_through_the_web_refuses_with_409_and_the_page_offers_it(client, data_dir):
    from test_web import prepare

    prepare(client)
    html = client.get(f"/pairs/{PAIR}").get_data(as_text=True)
    assert 'id="realign"' in html and 'name="realign" value="1"' in html
    token = client.get("/api/session").get_json()["csrf_token"]
    view = client.get(f"/api/pairs/{PAIR}").get_json()
    bead = next(b for b in view["beads"] if len(b["source"]) == 1 and len(b["rendering"]) == 1)
    res = client.post(f"/api/pairs/{PAIR}/beads/{bead['key']}/unlink",
                      json={"author": "ak", "beads": {bead["key"]: bead["rev"]}},
                      headers={"X-CSRF-Token": token})
    assert res.status_code == 200, res.get_json()
    path = data_dir / "translations" / f"{PAIR}.po"
    before = path.read_bytes()
    res = client.post(f"/api/pairs/{PAIR}/prepare", json={"realign": True},
                      headers={"X-CSRF-Token": token})
    assert res.status_code == 409
    assert res.get_json()["error"] == "ConflictError"
    assert path.read_bytes() == before
    res = client.post(f"/api/pairs/{PAIR}/prepare", json={"realign": "yes"},
                      headers={"X-CSRF-Token": token})
    assert (res.status_code, res.get_json()["message"]) == (400, "'realign' must be true or false")


def test_prepare_with_a_model_fills_the_mt_and_a_new_model_is_added_on_request(data_dir, argos_dir):
    from conftest import RU_EN_PACKAGE
    from workbench.translate import install_package

    project = Project(data_dir)
    first = project.prepare(PAIR)
    assert {r.mt for r in first.records} == {None}
    install_package(RU_EN_PACKAGE)
    _, pf = project.pair_file(PAIR)
    assert project.needs_mt(pf) is True  # reading says so, and changes nothing
    assert project.pair_file(PAIR)[1].revision == 1
    filled = project.prepare(PAIR)
    assert filled.revision == 2
    assert filled.header["X-MT-Model"] == "translate-ru_en 1.0"
    title = next(r for r in filled.records if r.source == (0,))
    assert title.mt == "Protiv chastichnoy i vseobshchey mobilizatsi"
    assert project.needs_mt(filled) is False


def test_translate_document_keeps_the_layout_and_gives_one_record_per_sentence(ru_en_model):
    from workbench.translate import find_engine, translate_document

    text = "Москва, 21 сентября 1961 года.\n\n  Щукин и Жуков\n"
    doc = translate_document(text, find_engine("ru", "en"), "ru", name="t.txt")
    assert doc.layout() == "Moskva, 21 sentyabrya 1961 goda.\n\n  Shchukin i Zhukov\n"
    records = doc.records("translate-ru_en", "1.0")
    assert [(r["index"], r["start"], r["end"], r["paragraph"], r["translation"]) for r in records] == [
        (0, 0, 30, 0, "Moskva, 21 sentyabrya 1961 goda."), (1, 34, 47, 1, "Shchukin i Zhukov")]
    assert list(records[0]) == ["file", "index", "source_text", "translation", "start", "end",
                                "paragraph", "line", "model", "model_version"]


def test_cli_align_goes_on_without_mt_when_the_model_cannot_be_loaded(ru_en_model, tmp_path):
    from workbench.cli import main

    (ru_en_model.path / "model" / "model.bin").write_bytes(b"not a model")
    (tmp_path / "s.txt").write_text("Юрий Гагарин.\n", encoding="utf-8")
    (tmp_path / "r.txt").write_text("Yuri Gagarin.\n", encoding="utf-8")
    args = ["align", str(tmp_path / "s.txt"), str(tmp_path / "r.txt")]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    assert "workbench: no MT (cannot load the model of translate-ru_en 1.0: " in res.output
    assert "[0]:[0]:" in res.output
    res = CliRunner().invoke(main, args + ["--signals", "mt"])  # asked for: an error, no fallback
    assert res.exit_code == 2
    assert "error: " in res.output and "cannot load the model of translate-ru_en 1.0" in res.output


def test_a_refused_realign_on_the_page_leads_back_to_the_pair_and_its_command_works(
        client, data_dir, monkeypatch):
    import html as entities
    import re
    import shlex

    from factories import Runner
    from test_web import prepare

    prepare(client)
    token = client.get("/api/session").get_json()["csrf_token"]
    view = client.get(f"/api/pairs/{PAIR}").get_json()
    bead = next(b for b in view["beads"] if len(b["source"]) == 1 and len(b["rendering"]) == 1)
    client.post(f"/api/pairs/{PAIR}/beads/{bead['key']}/unlink",
                json={"author": "ak", "beads": {bead["key"]: bead["rev"]}},
                headers={"X-CSRF-Token": token})
    path = data_dir / "translations" / f"{PAIR}.po"
    before = path.read_bytes()
    res = client.post(f"/pairs/{PAIR}/prepare", data={"csrf_token": token, "realign": "1"})
    assert res.status_code == 409
    page = entities.unescape(res.get_data(as_text=True))
    assert "<h1>Nothing was changed</h1>" in page
    assert f'<a href="/pairs/{PAIR}" id="back">Back to {PAIR}</a>' in page
    assert path.read_bytes() == before
    # the command the message names re-aligns the pair, keeping the work on unchanged beads
    # (in the data directory, which a page names by no absolute path)
    command = re.search(r"re-align with `(\S+) align ([^`]*)` in the data directory", page)
    assert command and str(data_dir) not in page
    monkeypatch.chdir(data_dir)
    done = Runner().invoke(["align", *shlex.split(command[2])])
    assert done.exit_code == 0, done.output
    assert store.load(path).revision == store.parse(before.decode("utf-8")).revision + 1


def test_an_error_page_about_no_pair_leads_to_the_list_of_pairs(client):
    res = client.get("/pairs/nope__nothing")
    assert res.status_code == 404
    assert '<a href="/" id="back">Back to the list of pairs</a>' in res.get_data(as_text=True)

"""Triage on a reporting pair: the links most likely wrong come first, apart from the article's own
sentences, which have no source and so no link whose probability a score could give."""

from __future__ import annotations

from pathlib import Path

import pytest

from factories import make_pair_file, write_corpus
from workbench.model import Bead

PAIR = "letter-ru__report-en"
SRC = ["Мы просим сохранить сельскую библиотеку.",
       "Об этом сообщил директор библиотеки Иван Петров.",
       "Книги собирали сорок лет."]
OWN = [f"The report's own sentence number {i} about the village." for i in range(19)]
TGT = OWN[:8] + ["We ask to keep the village library open.",
                 "The administration said the books would be moved to a school."] + OWN[8:] + [
    "The books were collected over forty years."]
WRONG, RIGHT, LAST = 9, 8, len(TGT) - 1


@pytest.fixture
def client(tmp_path: Path, make_client):
    root = tmp_path / "data"
    write_corpus(root, ("letter-ru", "ru", "letter.ru.txt", None, SRC),
                 ("report-en", "en", "report.en.txt", None, TGT))
    beads = [Bead((), (j,), 0.0, "unmatched") for j in range(8)] + [
        Bead((0,), (RIGHT,), 0.97, "embed"), Bead((1,), (WRONG,), 0.65, "embed")] + [
        Bead((), (j,), 0.0, "unmatched") for j in range(10, LAST)] + [
        Bead((2,), (LAST,), 0.93, "embed")]
    make_pair_file(root / "translations" / f"{PAIR}.po", SRC, TGT, beads,
                   ids=("letter-ru", "report-en"), settings={"mode": "partial"})
    return make_client(root)


def keys(client, query: str) -> list[str]:
    res = client.get(f"/api/pairs/{PAIR}/beads?{query}")
    assert res.status_code == 200, res.get_json()
    return [b["key"] for b in res.get_json()["beads"]]


def test_the_first_screen_sorted_by_score_is_the_links_most_likely_wrong(client):
    # 19 sentences of the article's own score 0: they no longer fill the top
    assert keys(client, "sort=score&per_page=3") == [f"s1:t{WRONG}", f"s2:t{LAST}", f"s0:t{RIGHT}"]
    assert keys(client, "sort=score")[3:5] == ["s:t0", "s:t1"]


def test_links_to_check_and_sentences_with_no_source_are_shown_apart(client):
    assert keys(client, "show=links&sort=score") == [f"s1:t{WRONG}"]
    assert keys(client, "show=no-source") == [f"s:t{j}" for j in range(8)] + [
        f"s:t{j}" for j in range(10, LAST)]
    assert keys(client, "show=not-rendered") == []
    html = client.get(f"/pairs/{PAIR}").get_data(as_text=True)
    assert ('<option value="links">links to check (1)</option><option value="no-source">sentences '
            'with no source (19)</option><option value="not-rendered">source sentences not rendered '
            '(0)</option>') in html


def test_an_approved_link_is_no_longer_to_check_and_the_count_follows(client):
    view = {b["key"]: b for b in client.get(f"/api/pairs/{PAIR}/beads").get_json()["beads"]}
    key = f"s1:t{WRONG}"
    res = client.post(f"/api/pairs/{PAIR}/beads/{key}/status",
                      json={"status": "approved", "author": "ak", "beads": {key: view[key]["rev"]}},
                      headers={"X-CSRF-Token": client.csrf})
    assert res.status_code == 200
    assert keys(client, "show=links") == []
    rows = client.get(f"/pairs/{PAIR}/rows").get_data(as_text=True)
    assert '<option value="links">links to check (0)</option>' in rows


def test_an_unknown_selection_is_a_400_naming_the_choices(client):
    res = client.get(f"/api/pairs/{PAIR}/beads?show=wrong")
    assert res.status_code == 400
    assert res.get_json()["message"] == ("unknown selection show='wrong' (use one of links, "
                                         "no-source, not-rendered)")

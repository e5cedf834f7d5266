"""Severity tiers: a contradiction (both sides carry a value and they differ) is a finding, a
number, date or name on one side only is a note, left out unless asked for."""
from __future__ import annotations

from pathlib import Path

from factories import Runner, make_pair_file
from workbench import store
from workbench.align import Bead
from workbench.check import DEFAULT_SEVERITIES, SEVERITIES, check_pair

REPO = Path(__file__).resolve().parents[1]


def ru_en(source: str, rendering: str, **kw):
    return check_pair(source, rendering, src_lang="ru", tgt_lang="en", **kw)


def test_severities_and_the_default_tier():
    assert SEVERITIES == ("error", "warning", "note")
    assert DEFAULT_SEVERITIES == ("error", "warning")


def test_a_changed_number_is_an_error_in_the_default_tier():
    found = ru_en("Петицию подписали 5000 человек.", "The petition was signed by 50,000 people.")
    assert [(f.kind, f.severity, f.explanation) for f in found] == [
        ("number", "error", "source says 5000; rendering says 50,000")]


def test_a_number_on_one_side_only_is_a_note():
    source, rendering = "Петицию подписали люди.", "The petition was signed by 5000 people."
    assert ru_en(source, rendering) == []
    assert [(f.kind, f.severity, f.explanation) for f in ru_en(source, rendering, notes=True)] == [
        ("number", "note", "rendering says 5000; the source has no such number")]


def test_a_shifted_date_is_an_error_and_an_added_date_a_note():
    found = ru_en("21 сентября Путин объявил мобилизацию.",
                  "On 22 September Putin announced a mobilization.")
    assert [(f.kind, f.severity) for f in found] == [("date", "error")]
    added = ru_en("Путин объявил мобилизацию.", "On 22 September Putin announced a mobilization.",
                  notes=True)
    assert [(f.kind, f.severity, f.explanation) for f in added] == [
        ("date", "note", "rendering says 22 September; the source has no such date")]


def test_a_replaced_name_is_an_error_and_an_added_name_a_note():
    swapped = ru_en("Вчера Путин объявил мобилизацию.", "Yesterday Shoigu announced a mobilization.")
    assert [(f.kind, f.severity, f.explanation) for f in swapped] == [
        ("name", "error", "source names Путин; rendering names Shoigu")]
    added = ru_en("Путин объявил мобилизацию.", "In Moscow, Putin announced a mobilization.",
                  notes=True)
    assert [(f.kind, f.severity, f.explanation) for f in added] == [
        ("name", "note", "rendering names Moscow; the source does not")]
    assert ru_en("Путин объявил мобилизацию.", "In Moscow, Putin announced a mobilization.") == []


def test_a_german_name_without_mt_replaced_by_another_is_an_error():
    # no MT says which German nouns are names: a word the German lexicon does not know holds
    # the rendering's name in its place
    found = check_pair("Die Expedition erreichte den Gasherbrum am Morgen.",
                       "L'expédition atteignit le Makalu le matin.", src_lang="de", tgt_lang="fr")
    assert [(f.kind, f.severity, f.explanation) for f in found] == [
        ("name", "error", "source names Gasherbrum; rendering names Makalu")]
    kept = check_pair("Die Expedition erreichte den Gasherbrum am Morgen.",
                      "L'expédition atteignit le Gasherbrum le matin avec Hagen.",
                      src_lang="de", tgt_lang="fr", notes=True)
    assert [(f.kind, f.severity) for f in kept] == [("name", "note")]


def test_a_dropped_negation_stays_a_warning():
    found = ru_en("Мы не согласны с мобилизацией.", "We agree with the mobilization.")
    assert [(f.kind, f.severity) for f in found] == [("negation", "warning")]


def test_keys_are_the_same_with_and_without_notes():
    source = "Петицию подписали 5000 человек."
    rendering = "In 2022, the petition was signed by 50,000 people."
    default = ru_en(source, rendering)
    every = ru_en(source, rendering, notes=True)
    assert [f.severity for f in every] == ["error", "note"]
    assert default == [every[0]]


def test_the_store_writes_no_notes():
    assert store.findings("Путин объявил мобилизацию.",
                          "In Moscow, Putin announced a mobilization.", None,
                          src_lang="ru", tgt_lang="en") == ()
    assert store.findings("Вчера Путин объявил мобилизацию.",
                          "Yesterday Shoigu announced a mobilization.", None,
                          src_lang="ru", tgt_lang="en") == (
        "check name: source names Путин; rendering names Shoigu",)


def test_check_command_lists_notes_only_with_all(tmp_path):
    path = tmp_path / "petition-ru__report-en.po"
    make_pair_file(path, ["Путин объявил мобилизацию."],
                   ["In Moscow, Putin announced a mobilization."],
                   [Bead((0,), (0,), 0.8, "anchors-length")], ids=("petition-ru", "report-en"),
                   settings={"mode": "monotone"})
    plain = Runner().invoke(["check", str(path)])
    assert (plain.exit_code, plain.stdout) == (0, "")
    assert "check: 0 errors, 0 warnings, 0 dismissed in 1 file" in plain.stderr
    every = Runner().invoke(["check", "--all", str(path)])
    assert every.exit_code == 0
    assert every.stdout.splitlines() == [
        f"{path}:25: bead s0:t0: note name: rendering names Moscow; the source does not"]
    assert "check: 0 errors, 0 warnings, 1 note, 0 dismissed in 1 file" in every.stderr


def test_bundled_newsweek_pair_stores_no_notes():
    # the article names the petition's platform and slogan around its quote: notes, not stored
    pf = store.load(REPO / "translations" / "petition-ru__newsweek-en.po")
    lines = [c for r in pf.records for c in r.checks]
    assert not any(c.startswith("check name:") for c in lines)
    assert sum(c.startswith("check quote:") for c in lines) == 4


def test_an_abbreviated_second_year_is_that_year():
    # 1952/53 is 1952 and 1953, no contradiction of 1953 and 53
    assert check_pair("1952 und 1953 forschte Pugh.", "En 1952/53, Pugh fit des recherches.",
                      src_lang="de", tgt_lang="fr", notes=True) == []
    assert [f.explanation for f in check_pair(
        "1952 und 1954 forschte Pugh.", "En 1952/53, Pugh fit des recherches.", src_lang="de",
        tgt_lang="fr")] == ["source says 1954; rendering says 53"]
    assert check_pair("Seiten 12-15.", "Pages 12-15.", src_lang="de", tgt_lang="fr") == []

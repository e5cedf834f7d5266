"""Fidelity checks: each kind on hand-written sentence pairs in both directions, the traps, the
comment and dismissal formats, and `workbench check` on a PO file built by the store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from factories import Runner, make_pair_file
from workbench import store
from workbench.align import Bead
from workbench.check import (KINDS, Dismissal, Finding, check_pair, finding_key, format_comment,
                             parse_comment, parse_kinds)


def found(source: str, rendering: str, src: str, tgt: str, kinds=KINDS, mt=None) -> list[tuple]:
    """(severity, kind, explanation, source words, rendering words) of each finding."""
    out = []
    for f in check_pair(source, rendering, src_lang=src, tgt_lang=tgt, mt=mt, kinds=kinds,
                        notes=True):
        s = source[f.source_span[0]:f.source_span[1]] if f.source_span else None
        r = rendering[f.rendering_span[0]:f.rendering_span[1]] if f.rendering_span else None
        out.append((f.severity, f.kind, f.explanation, s, r))
    return out


# --- numbers ---

@pytest.mark.parametrize("rendering", [
    "More than 300,000 people signed the petition.",
    "More than 300 000 people signed the petition.",
    "More than 300 thousand people signed the petition.",
    "More than three hundred thousand people signed the petition.",
])
def test_number_ru_en_same_quantity_written_four_ways(rendering):
    assert found("Петицию подписали более 300 тыс. человек.", rendering, "ru", "en") == []


def test_number_ru_en_changed_quantity():
    assert found("Петицию подписали более 300 тыс. человек.",
                 "More than 30,000 people signed the petition.", "ru", "en") == [
        ("error", "number", "source says 300 тыс.; rendering says 30,000", "300 тыс.", "30,000")]


def test_number_en_ru_percent_and_words():
    assert found("Turnout was 45% and twenty-one regions voted.",
                 "Явка составила 45 процентов, голосовали двадцать один регион.", "en", "ru") == []
    assert found("Turnout was 45%.", "Явка составила 54 процента.", "en", "ru") == [
        ("error", "number", "source says 45%; rendering says 54 процента", "45%", "54 процента")]


def test_number_trap_thousand_with_a_point_in_english_reads_as_one():
    assert found("Петицию подписали 1 000 человек.", "The petition was signed by 1.000 people.",
                 "ru", "en") == [
        ("error", "number", "source says 1 000; rendering says 1.000, which in English reads as 1",
         "1 000", "1.000")]
    assert found("Петицию подписали 1 000 человек.", "The petition was signed by 1,000 people.",
                 "ru", "en") == []


def test_number_trap_thousand_with_a_comma_in_russian_reads_as_one():
    assert found("The petition was signed by 1,000 people.", "Петицию подписали 1.000 человек.",
                 "en", "ru") == []
    assert found("The petition was signed by 1,000 people.", "Петицию подписали 1,000 человек.",
                 "en", "ru") == [
        ("error", "number", "source says 1,000, which in English reads as 1000; rendering says "
                            "1,000, which in Russian reads as 1", "1,000", "1,000")]


def test_number_decimal_comma_and_point_agree():
    assert found("Инфляция составила 1,5 процента.", "Inflation was 1.5 percent.", "ru", "en") == []


def test_number_units_in_both_directions():
    assert found("Колонна растянулась на 5 км.", "The column stretched for 5 km.", "ru", "en") == []
    assert found("Колонна растянулась на 5 км.", "The column stretched for 5 miles.",
                 "ru", "en") == [
        ("error", "number", "source says 5 км; rendering says 5 miles", "5", "5")]
    assert found("The ticket costs $100.", "Билет стоит 100 рублей.", "en", "ru") == [
        ("error", "number", "source says $100; rendering says 100 рублей", "100", "100")]


def test_number_present_on_one_side_only_is_a_warning():
    assert found("Мы собрали 140 000 подписей.", "We collected signatures.", "ru", "en") == [
        ("note", "number", "source says 140 000; the rendering has no such number", "140 000",
         None)]


def test_number_de_fr_conventions():
    assert found("Der Gipfel ist 4.478 m hoch, die Wand 1'200 m.",
                 "Le sommet culmine à 4478 m, la paroi à 1 200 m.", "de", "fr") == []
    assert found("Es waren dreihundert Leute und fünfundzwanzig Hunde.",
                 "Il y avait 300 personnes et vingt-cinq chiens.", "de", "fr") == []


# --- dates ---

@pytest.mark.parametrize("rendering", [
    "On September 21, 2022, Vladimir Putin announced a mobilization.",
    "On 21 September 2022 Vladimir Putin announced a mobilization.",
    "On 9/21/22 Vladimir Putin announced a mobilization.",
])
def test_date_ru_en_same_day_written_three_ways(rendering):
    assert found("21 сентября 2022 г. Владимир Путин объявил о мобилизации.", rendering,
                 "ru", "en") == []


def test_date_ru_en_shifted_day():
    assert found("21 сентября 2022 г. Владимир Путин объявил о мобилизации.",
                 "On 22 September Vladimir Putin announced a mobilization.", "ru", "en") == [
        ("error", "date", "source says 21 September 2022; rendering says 22 September",
         "21 сентября 2022 г.", "22 September")]


def test_date_trap_day_and_month_order_by_locale():
    # 12/11/2022 is 11 December in American English, 12 November in Russian
    assert found("The meeting is on 12/11/2022.", "Встреча пройдёт 11 декабря 2022 года.",
                 "en", "ru") == []
    assert found("The meeting is on 12/11/2022.", "Встреча пройдёт 12/11/2022.", "en", "ru") == [
        ("error", "date", "source says 11 December 2022; rendering says 12 November 2022",
         "12/11/2022", "12/11/2022")]
    assert found("Встреча пройдёт 12/11/2022.", "The meeting is on 11/12/2022.", "ru", "en") == []
    assert found("Встреча пройдёт с 12/11.", "The meeting starts on 11/12.", "ru", "en") == []
    assert found("Встреча пройдёт с 12/11.", "The meeting starts on 12/11.", "ru", "en") == [
        ("error", "date", "source says 12 November; rendering says 11 December", "12/11", "12/11")]
    assert found("Add 1/2 cup.", "Добавьте 1/2 стакана.", "en", "ru") == []  # a half, no date


def test_date_weekdays_in_both_directions():
    assert found("Putin met Shoigu on Wednesday.", "Путин встретился с Шойгу в среду.",
                 "en", "ru") == []
    assert found("Путин встретился с Шойгу в среду.", "Putin met Shoigu on Thursday.",
                 "ru", "en") == [
        ("error", "date", "source says Wednesday; rendering says Thursday", "среду", "Thursday")]


def test_date_relative_dates_are_left_alone():
    assert found("Вчера Путин объявил мобилизацию.", "Today Putin announced a mobilization.",
                 "ru", "en", kinds=("date",)) == []


def test_date_time_of_day_de_fr():
    assert found("Es ist 4.45 Uhr morgens.", "Il est 4 h 45 du matin.", "de", "fr") == []
    assert found("Es ist 4.45 Uhr morgens.", "Il est 5 h 45 du matin.", "de", "fr") == [
        ("error", "date", "source says 4:45; rendering says 5:45", "4.45 Uhr", "5 h 45")]


# --- names ---

def test_name_across_scripts_and_the_genitive():
    assert found("Сергей Шойгу встретился с Путиным.", "Sergei Shoigu met Putin.", "ru", "en") == []
    assert found("У президента Владимира Путина нет правовых оснований.",
                 "President Vladimir Putin has no legal grounds.", "ru", "en") == []
    assert found("Shoigu reported to Putin.", "Шойгу доложил Путину.", "en", "ru") == []


def test_name_swapped_is_an_error_in_both_directions():
    assert found("Сергей Шойгу встретился с Путиным.", "Sergei Lavrov met Putin.", "ru", "en") == [
        ("error", "name", "source names Шойгу; rendering names Lavrov", "Шойгу", "Lavrov")]
    # sentence-initial names too: the lexicon knows neither as a common word
    assert found("Shoigu reported to Putin.", "Лавров доложил Путину.", "en", "ru",
                 kinds=("name",)) == [
        ("error", "name", "source names Shoigu; rendering names Лавров", "Shoigu", "Лавров")]
    assert found("Then Shoigu reported to Putin.", "Затем Лавров доложил Путину.", "en", "ru") == [
        ("error", "name", "source names Shoigu; rendering names Лавров", "Shoigu", "Лавров")]


def test_name_country_names_meet_through_cldr_territories():
    assert found("Die Österreicher und die Schweiz.", "Les Autrichiens et la Suisse.",
                 "de", "fr") == []
    assert found("Жители Японии и России.", "Residents of Japan and Russia.", "ru", "en") == []


def test_name_german_source_names_come_from_the_mt():
    source = "Unter Leitung von Albert Eggler erreichte die Mannschaft den Gipfel."
    rendering = "Sous la direction de Yuko Maki , l' équipe atteignit le sommet."
    mt = "Sous la direction d'Albert Eggler, l'équipe a atteint le sommet."
    # every German noun is capitalised: without an MT, a word the English lexicon knows only as a
    # name (Albert) holds the rendering's name in its place
    assert found(source, rendering, "de", "fr", kinds=("name",)) == [
        ("error", "name", "source names Albert; rendering names Yuko Maki", "Albert", "Yuko Maki")]
    assert found(source, rendering, "de", "fr", kinds=("name",), mt=mt) == [
        ("error", "name", "source names Albert Eggler; rendering names Yuko Maki", "Albert Eggler",
         "Yuko Maki")]


# --- negation ---

def test_negation_on_one_side_only_both_directions():
    assert found("Мы не готовы рисковать.", "We are ready to take risks.", "ru", "en") == [
        ("warning", "negation", "source negates ('не'); the rendering does not", "не", None)]
    assert found("We are ready to take risks.", "Мы не готовы рисковать.", "en", "ru") == [
        ("warning", "negation", "rendering negates ('не'); the source does not", None, "не")]
    assert found("Мы не готовы рисковать.", "We are not ready to take risks.", "ru", "en") == []


def test_negation_double_negation_counts_as_none():
    assert found("Мы не можем не протестовать.", "We must protest.", "ru", "en") == []
    assert found("We must protest.", "Мы не можем не протестовать.", "en", "ru") == []
    assert found("Мы не можем не протестовать.", "We cannot protest.", "ru", "en") == [
        ("warning", "negation", "rendering negates ('cannot'); the source does not (its 'не можем "
                                "не' is a double negation)", None, "cannot")]


def test_negation_concord_and_concessive_ni():
    assert found("Никто ничего не подписывал.", "Nobody signed anything.", "ru", "en") == []
    assert found("Мы против какой бы то ни было опасности.", "We oppose any danger.",
                 "ru", "en") == []


def test_negation_de_fr():
    assert found("Der Gipfel wurde nicht erreicht.", "Le sommet ne fut pas atteint.",
                 "de", "fr") == []
    assert found("Der Gipfel wurde nicht erreicht.", "Le sommet fut atteint.", "de", "fr") == [
        ("warning", "negation", "source negates ('nicht'); the rendering does not", "nicht", None)]
    assert found("Es gab nur eine Route.", "Il n' y avait qu' une voie.", "de", "fr") == []
    # litotes: "ne manque pas de" (does not fail to) says yes
    assert found("Das führt zu grossen Schwierigkeiten.",
                 "Cela ne manque pas de créer de grosses difficultés.", "de", "fr") == []


# --- quotes ---

def test_quote_rendering_quotes_an_unquoted_source():
    assert found("Мы против мобилизации.", "It says: \"We are against mobilization.\"",
                 "ru", "en") == [
        ("warning", "quote", "rendering quotes \"We are against mobilization.\"; the source has "
                             "no quotation marks", None, "\"We are against mobilization.\"")]
    assert found("Он сказал: «Мы против».", "He said we were against it.", "ru", "en") == [
        ("warning", "quote", "source quotes «Мы против»; the rendering has no quotation marks",
         "«Мы против»", None)]


def test_quote_marks_of_each_language_and_apostrophes():
    assert found("Он сказал: «Мы против».", "He said: \"We are against.\"", "ru", "en") == []
    assert found("Putin's decree was signed.", "Указ Путина подписан.", "en", "ru") == []
    assert found("L' équipe d' Eggler .", "Die Mannschaft Egglers .", "fr", "de",
                 kinds=("quote",)) == []


# --- MT content words ---

def test_mt_missing_content_words_of_the_mt():
    source = "Мы не готовы подвергать наших мужчин моральной и этической опасности."
    mt = "We are not ready to expose our men to moral and ethical danger."
    rendering = "We are not ready to expose our men to danger."
    findings = check_pair(source, rendering, src_lang="ru", tgt_lang="en", mt=mt,
                          kinds=("mt-missing",))
    assert [(f.explanation, mt[f.mt_span[0]:f.mt_span[1]]) for f in findings] == [
        ("the MT has moral, ethical; the rendering does not", "moral and ethical")]
    assert check_pair(source, mt, src_lang="ru", tgt_lang="en", mt=mt) == []
    # a translation of its own, not an edit of the MT: the diff is no evidence
    assert check_pair(source, "Our men shall not face danger.", src_lang="ru", tgt_lang="en",
                      mt=mt, kinds=("mt-missing",)) == []


# --- faithful pairs, determinism, formats ---

FAITHFUL = [
    ("21 сентября 2022 г. Владимир Путин объявил о начале частичной мобилизации по всей России.",
     "On September 21, 2022, Vladimir Putin announced the start of partial mobilization "
     "throughout Russia.", "ru", "en"),
    ("У президента Владимира Путина нет правовых оснований для ее объявления, и быть не может.",
     "President Vladimir Putin has no legal grounds for announcing it, and cannot have any.",
     "ru", "en"),
    ("More than 140,000 people signed the petition by Friday.",
     "К пятнице петицию подписали более 140 тысяч человек.", "en", "ru"),
    ("Die Expedition erreichte am 9. September 1988 den Gipfel ( 2621 m ) nicht .",
     "L' expédition n' atteignit pas le sommet ( 2621 m ) le 9 septembre 1988 .", "de", "fr"),
]


@pytest.mark.parametrize("source,rendering,src,tgt", FAITHFUL)
def test_faithful_pairs_give_no_finding(source, rendering, src, tgt):
    assert found(source, rendering, src, tgt) == []


def test_findings_are_deterministic_and_keyed_by_their_words():
    a = check_pair("Путин и Шойгу.", "Putin and Lavrov.", src_lang="ru", tgt_lang="en")
    b = check_pair("Вчера Путин и Шойгу.", "Yesterday Putin and Lavrov.", src_lang="ru",
                   tgt_lang="en")
    assert a == check_pair("Путин и Шойгу.", "Putin and Lavrov.", src_lang="ru", tgt_lang="en")
    assert [f.key for f in a] == [f.key for f in b] == [finding_key("name", "Шойгу", "Lavrov")]
    assert a[0].source_span != b[0].source_span


def test_comment_format_round_trip():
    f = Finding("date", "error", (0, 19), (3, 15),
                "source says 21 September 2022; rendering says 22 September")
    line = format_comment(f)
    assert line == "check date: source says 21 September 2022; rendering says 22 September"
    assert parse_comment(line) == ("date", "source says 21 September 2022; rendering says 22 September")
    assert parse_comment("check colour: red") is None
    assert parse_comment("align 1-1 src=1 tgt=1 score=0.5 method=x") is None


def test_dismissal_round_trip_and_as_written_back_by_the_store():
    d = Dismissal("number", "0123456789", "the article rounds the figure")
    assert d.to_comment() == "check-dismissed number 0123456789: the article rounds the figure"
    assert Dismissal.from_comment(d.to_comment()) == d
    stored = "[] check-dismissed number 0123456789: the article rounds the figure -- ak, " \
             "2026-11-25T03:00:00Z"
    assert Dismissal.from_comment(stored) == d
    # a plain translator comment, as the store writes it back after a save: no author, no time
    assert Dismissal.from_comment("[] " + d.to_comment() + " -- , ") == d
    assert Dismissal.from_comment("[omission] 'moral' dropped -- ak, 2026-11-25T03:00:00Z") is None


def test_parse_kinds():
    assert parse_kinds("date,number") == ("number", "date")
    with pytest.raises(ValueError, match="unknown check kind 'colour'"):
        parse_kinds("number,colour")


# --- the command ---

SRC = ["Петицию подписали более 300 тыс. человек.", "Мы против мобилизации.",
       "21 сентября 2022 г. Владимир Путин объявил о мобилизации."]
TGT = ["More than 30,000 people signed the petition.", "It says: \"We are against mobilization.\"",
       "On September 21, 2022, Vladimir Putin announced a mobilization."]


def pair_file(tmp_path: Path) -> Path:
    path = tmp_path / "petition-ru__report-en.po"
    make_pair_file(path, SRC, TGT, [Bead((0,), (0,), 0.8, "anchors-length"),
                                    Bead((1,), (1,), 0.7, "anchors-length"),
                                    Bead((2,), (2,), 0.9, "anchors-length")],
                   ids=("petition-ru", "report-en"), settings={"mode": "monotone"})
    return path


def run(*args: str):
    return Runner().invoke(["check", *args])


def test_check_command_text_output_and_exit_status(tmp_path):
    path = pair_file(tmp_path)
    before = path.read_bytes()
    result = run(str(path))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}:26: bead s0:t0: error number: source says 300 тыс.; rendering says 30,000",
        f"{path}:34: bead s1:t1: warning quote: rendering quotes \"We are against mobilization.\"; "
        "the source has no quotation marks"]
    assert result.stderr.strip() == "check: 1 error, 1 warning, 0 dismissed in 1 file"
    assert path.read_bytes() == before
    assert run(str(path), "--kinds", "quote,date").exit_code == 0


def test_check_command_jsonl(tmp_path):
    path = pair_file(tmp_path)
    result = run(str(path), "--format", "jsonl", "--kinds", "number")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 1
    assert rows == [{
        "file": str(path), "line": 26, "bead": "s0:t0", "kind": "number", "severity": "error",
        "key": finding_key("number", "300 тыс.", "30,000"), "source_span": [24, 32],
        "rendering_span": [10, 16], "mt_span": None,
        "explanation": "source says 300 тыс.; rendering says 30,000", "source": "300 тыс.",
        "rendering": "30,000", "mt": None, "dismissed": None}]


def test_check_command_honours_a_dismissal(tmp_path):
    path = pair_file(tmp_path)
    key = finding_key("number", "300 тыс.", "30,000")
    pf = store.load(path)
    store.add_annotation(pf, "s0:t0", f"check-dismissed number {key}: a misprint in the source",
                         "", "ak", time="2026-11-25T03:00:00Z")
    store.save(pf)
    result = run(str(path), "--kinds", "number")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"{path}:27: bead s0:t0: error number: source says 300 тыс.; rendering says 30,000 "
        "[dismissed: a misprint in the source]"]


def test_check_command_honours_a_plain_dismissal_comment_after_a_save(tmp_path):
    path = pair_file(tmp_path)
    key = finding_key("number", "300 тыс.", "30,000")
    text = path.read_text(encoding="utf-8").replace(
        "#. align 1-1 src=0", f"# check-dismissed number {key}: rounded\n#. align 1-1 src=0")
    path.write_text(text, encoding="utf-8")
    assert run(str(path), "--kinds", "number").exit_code == 0
    store.save(pf := store.load(path), expected_revision=pf.revision)
    store.set_status(pf, "s1:t1", "approved")
    store.save(pf)
    result = run(str(path), "--kinds", "number")
    assert result.exit_code == 0
    assert result.stdout.endswith("[dismissed: rounded]\n")


def test_check_command_bad_input_exits_2(tmp_path):
    bad = tmp_path / "bad.po"
    bad.write_text('msgid "a"\nmsgstr "b"\nmsgid\n', encoding="utf-8")
    result = run(str(bad))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"workbench: error: {bad}:")
    assert run(str(tmp_path / "missing.po")).exit_code == 2
    result = run(str(pair_file(tmp_path)), "--kinds", "colour")
    assert result.exit_code == 2
    assert "unknown check kind 'colour'" in result.stderr


def test_a_language_cldr_does_not_know_reads_plain_digits():
    assert found("Il y a 300 personnes.", "Es gibt 30 Leute.", "xx", "yy", kinds=("number",)) == [
        ("error", "number", "source says 300; rendering says 30", "300", "30")]


def test_explanations_stay_on_one_line():
    findings = check_pair("Путин и Шойгу.", "Putin and Soft\u2028Power.", src_lang="ru",
                          tgt_lang="en", kinds=("name",))
    assert [f.explanation for f in findings] == ["source names Шойгу; rendering names Soft Power"]


def test_number_words_join_only_when_adjacent():
    assert found("Two people came, then three.", "Пришли двое, потом 3.", "en", "ru",
                 kinds=("number",)) == []
    assert found("It cost three hundred and five roubles.", "Это стоило 305 рублей.",
                 "en", "ru") == []

"""Institution names made of common words (Вооруженных сил / the Armed Forces) are no person's or
place's name to transliterate: named in capitals on both sides, or in capitals on one side only,
they give no name finding, while a real name in their place still does. A negative determiner
repeated over coordinated nouns (no grounds and no reasons) is one negation."""

from __future__ import annotations

from test_check_precision_cases import found

RU = "Призыву подлежат те, кто проходил службу в рядах Вооруженных сил."
EN = "Those who have served in the Armed Forces will be called up."


def test_institution_in_capitals_on_both_sides_is_no_name_ru_en():
    assert found(RU, EN, "ru", "en") == []
    assert found(EN, RU, "en", "ru") == []


def test_institution_in_capitals_on_one_side_only_is_no_name():
    assert found(RU, "Those who have served in the armed forces will be called up.", "ru", "en") == []
    assert found("Those who have served in the army will be called up.", RU, "en", "ru") == []


def test_a_name_in_the_place_of_an_institution_is_still_an_error():
    assert found(RU, "Those who have served under Wagner will be called up.", "ru", "en") == [
        ("error", "name", "source names Вооруженных; rendering names Wagner", "Вооруженных",
         "Wagner")]
    assert found(EN, "Призыву подлежат те, кто проходил службу у Шойгу.", "en", "ru") == [
        ("error", "name", "source names Armed Forces; rendering names Шойгу", "Armed Forces",
         "Шойгу")]


PETITION_RU = ("У президента нет правовых оснований, взвешенных и аргументированных причин для ее "
               "объявления, и быть не может.")
PETITION_EN = ("The president has no legal grounds and no considered, well-argued reasons for "
               "declaring it, nor can he have any.")


def test_negation_repeated_over_coordinated_nouns_counts_once():
    assert found(PETITION_RU, PETITION_EN, "ru", "en") == []
    assert found(PETITION_EN, PETITION_RU, "en", "ru") == []


def test_negation_dropped_beside_coordinated_nouns_is_found():
    assert found(PETITION_RU, "The president has no legal grounds and no considered, well-argued "
                              "reasons for declaring it, and he may have some.", "ru", "en") == [
        ("warning", "negation", "source negates in 2 clauses ('нет'); rendering in 1 ('no')",
         "нет", "no")]

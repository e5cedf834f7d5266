"""The checks on Russian-English text: Russian number words in every case and gender (pymorphy3),
names at the start of a sentence in both languages, name lemmas, and negation as a translator
reads it (idioms without a logical negation, litotes, a negation moved into an antonym), in both
directions."""

from __future__ import annotations

import pytest

from workbench.check import check_pair
from workbench.check.morph import name_lemma, number_word


def found(source: str, rendering: str, src: str, tgt: str, kinds) -> list[tuple]:
    """(severity, kind, explanation) of each finding, notes included."""
    return [(f.severity, f.kind, f.explanation)
            for f in check_pair(source, rendering, src_lang=src, tgt_lang=tgt, kinds=kinds,
                                notes=True)]


# --- number words in oblique cases ---

@pytest.mark.parametrize("word, value", [
    ("пятьюдесятью", 50), ("двумястами", 200), ("полутора", 1.5), ("полторы", 1.5),
    ("трёх", 3), ("четырьмя", 4), ("сорока", 40), ("девяноста", 90), ("пятистах", 500),
    ("троих", 3), ("тысячами", 1000),
])
def test_russian_number_words_in_every_case_and_gender(word, value):
    read = number_word(word, "ru")
    assert read is not None and float(read[0]) == value


def test_a_verb_that_looks_like_a_number_is_none():
    assert number_word("стали", "ru") is None  # стать, not сталь
    assert number_word("окно", "ru") is None


@pytest.mark.parametrize("source, rendering, expected", [
    ("Он заплатил пятьюдесятью копейками.", "He paid with sixty kopecks.",
     [("error", "number", "source says пятьюдесятью; rendering says sixty")]),
    ("Он заплатил пятьюдесятью копейками.", "He paid with fifty kopecks.", []),
    ("Дом стоит двумястами метрами выше.", "The house stands 300 metres higher.",
     [("error", "number", "source says двумястами; rendering says 300")]),
    ("Дом стоит двумястами метрами выше.", "The house stands 200 metres higher.", []),
    ("Прошло полтора года.", "2.5 years passed.",
     [("error", "number", "source says полтора; rendering says 2.5")]),
    ("Прошло полтора года.", "1.5 years passed.", []),
    ("Собралось пять тысяч человек.", "6,000 people gathered.",
     [("error", "number", "source says пять тысяч; rendering says 6,000")]),
    ("Их было двое.", "There were three of them.",
     [("error", "number", "source says двое; rendering says three")]),
    ("Тысячи людей вышли на улицы.", "Thousands of people took to the streets.", []),
    ("Одной рукой он взял книгу.", "He took the book with one hand.", []),
])
def test_russian_number_words_against_english(source, rendering, expected):
    assert found(source, rendering, "ru", "en", ("number",)) == expected


def test_russian_number_words_in_the_rendering():
    assert found("He paid with fifty kopecks.", "Он заплатил шестьюдесятью копейками.", "en", "ru",
                 ("number",)) == [("error", "number", "source says fifty; rendering says "
                                                      "шестьюдесятью")]
    assert found("He paid with fifty kopecks.", "Он заплатил пятьюдесятью копейками.", "en", "ru",
                 ("number",)) == []


# --- names at a sentence's start, lemmas ---

def test_name_lemmas():
    assert name_lemma("Путина", "ru") == "Путин"
    assert name_lemma("Кознышева", "ru") == "Кознышев"
    assert name_lemma("прочла", "ru") == "прочла"  # no name reading: the word as it stands


@pytest.mark.parametrize("source, rendering, expected", [
    ("Долли прочла письмо.", "Betsy read the letter.",
     [("error", "name", "source names Долли; rendering names Betsy")]),
    ("Анна прочла письмо.", "Koznishev read the letter.",
     [("error", "name", "source names Анна; rendering names Koznishev")]),
    ("Долли прочла письмо.", "Dolly read the letter.", []),
    ("Анна прочла письмо.", "Anna read the letter.", []),
    # a first word its lexicon knows only in lower case is a word, in both languages
    ("Это письмо прочла Анна.", "This letter was read by Anna.", []),
    ("Прочла ли она письмо?", "Did she read the letter?", []),
])
def test_sentence_initial_names_ru_en(source, rendering, expected):
    assert found(source, rendering, "ru", "en", ("name",)) == expected


def test_sentence_initial_names_en_ru():
    assert found("Betsy read the letter.", "Долли прочла письмо.", "en", "ru", ("name",)) == [
        ("error", "name", "source names Betsy; rendering names Долли")]
    assert found("Tom found another job. Mary stayed.", "Том нашёл другую работу. Мэри осталась.",
                 "en", "ru", ("name",)) == []
    assert found("Tom found another job.", "Мэри нашла другую работу.", "en", "ru",
                 ("name",)) == [("error", "name", "source names Tom; rendering names Мэри")]


# --- negation as a translator reads it ---

@pytest.mark.parametrize("source, rendering", [
    ("Мне ничего.", "I am all right."),
    ("Ничего, я подожду.", "Never mind, I will wait."),
    ("Ничего.", "Nothing."),
    ("Спасибо! — Не за что.", "Thanks! — You're welcome."),
    ("Спасибо! — Не за что.", "Thanks! — Don't mention it."),
    ("Нельзя не признать, что он прав.", "One must admit that he is right."),
    ("Он чуть не упал.", "He almost fell."),
    ("Он чуть было не упал.", "He nearly fell."),
    ("Не хотите ли чаю?", "Would you like some tea?"),
    ("Не хотите ли чаю?", "Won't you have some tea?"),
    ("Он не мог не засмеяться.", "He could not help laughing."),
    ("Он не мог не засмеяться.", "He laughed."),
    ("Она была похожа на мать.", "She was not unlike her mother."),
    ("Он не может прийти.", "It is impossible for him to come."),
])
def test_negation_idioms_are_no_finding_in_both_directions(source, rendering):
    assert found(source, rendering, "ru", "en", ("negation",)) == []
    assert found(rendering, source, "en", "ru", ("negation",)) == []


@pytest.mark.parametrize("source, rendering, expected", [
    ("Она не пришла.", "She came.", "source negates ('не'); the rendering does not"),
    ("Он не может прийти.", "He can come.", "source negates ('не'); the rendering does not"),
    ("Я ничего не знаю.", "I know everything.", "source negates ('не'); the rendering does not"),
    ("Он не был похож на отца.", "He was not unlike his father.",
     "source negates ('не'); the rendering does not (its 'not unlike' is a double negation)"),
])
def test_a_dropped_negation_is_still_caught(source, rendering, expected):
    assert found(source, rendering, "ru", "en", ("negation",)) == [
        ("warning", "negation", expected)]


def test_a_dropped_negation_is_caught_in_the_russian_rendering():
    assert found("She did not come.", "Она пришла.", "en", "ru", ("negation",)) == [
        ("warning", "negation", "source negates ('not'); the rendering does not")]
    assert found("I could not help laughing.", "Я рассмеялся.", "en", "ru", ("negation",)) == []

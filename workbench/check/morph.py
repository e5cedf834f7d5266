"""Morphology for the checks: Russian and Ukrainian words through pymorphy3's analysers.

This module owns what the checks ask of a morphological analyser: the value of a number word in
any case and gender (пятьюдесятью = 50, двумястами = 200, полутора = 1.5), a name's lemma (Путина ->
Путин), whether a capitalised word is a name candidate or a common word, and whether a word of не-
is an antonym (недопустимо).
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

#: Languages with a pymorphy3 dictionary package (pymorphy3-dicts-ru, pymorphy3-dicts-uk).
MORPH_LANGS = frozenset({"ru", "uk"})


def _number_words(units: str, tens: str, hundreds: str, extra: dict[str, str]) -> dict[str, Decimal]:
    """Lemmas of 0-19 (`units`), 20-90 (`tens`) and 100-900 (`hundreds`), space-separated, with
    their values, and `extra` words with theirs."""
    words = {w: Decimal(v) for v, w in enumerate(units.split())}
    words |= {w: Decimal(20 + 10 * i) for i, w in enumerate(tens.split())}
    words |= {w: Decimal(100 * (i + 1)) for i, w in enumerate(hundreds.split())}
    return words | {w: Decimal(v) for w, v in extra.items()}


#: Lemmas of number words and their values; the analyser finds the lemma of every inflected form.
_NUMBER_LEMMAS: dict[str, dict[str, Decimal]] = {
    "ru": _number_words(
        "ноль один два три четыре пять шесть семь восемь девять десять одиннадцать двенадцать "
        "тринадцать четырнадцать пятнадцать шестнадцать семнадцать восемнадцать девятнадцать",
        "двадцать тридцать сорок пятьдесят шестьдесят семьдесят восемьдесят девяносто",
        "сто двести триста четыреста пятьсот шестьсот семьсот восемьсот девятьсот",
        {"нуль": "0", "полтора": "1.5", "полтораста": "150", "двое": "2", "трое": "3",
         "четверо": "4", "пятеро": "5", "шестеро": "6", "семеро": "7"}),
    "uk": _number_words(
        "нуль один два три чотири п'ять шість сім вісім дев'ять десять одинадцять дванадцять "
        "тринадцять чотирнадцять п'ятнадцять шістнадцять сімнадцять вісімнадцять дев'ятнадцять",
        "двадцять тридцять сорок п'ятдесят шістдесят сімдесят вісімдесят дев'яносто",
        "сто двісті триста чотириста п'ятсот шістсот сімсот вісімсот дев'ятсот",
        {"півтора": "1.5", "двоє": "2", "троє": "3"}),
}
#: Nouns that multiply what precedes them.
_SCALE_LEMMAS: dict[str, dict[str, Decimal]] = {
    "ru": {"тысяча": Decimal(1000), "миллион": Decimal(10**6), "миллиард": Decimal(10**9)},
    "uk": {"тисяча": Decimal(1000), "мільйон": Decimal(10**6), "мільярд": Decimal(10**9)},
}
#: Grammemes of proper names: first names, surnames, patronymics, places, organisations.
_PROPER = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad"})


@lru_cache(maxsize=None)
def analyser(lang: str):
    """pymorphy3's analyser of the language, loaded on first use, or None where it has none."""
    if lang not in MORPH_LANGS:
        return None
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang=lang)


@lru_cache(maxsize=65536)
def _parses(word: str, lang: str) -> tuple:
    morph = analyser(lang)
    return tuple(morph.parse(word)) if morph is not None else ()


@lru_cache(maxsize=65536)
def number_word(word: str, lang: str) -> tuple[Decimal, bool, bool] | None:
    """(value, multiplies, singular) of a number word in any case and gender, or None: пятьюдесятью
    -> 50; тысячами -> 1000, multiplying, plural. A word whose likeliest reading is another part of
    speech (стали, the verb) is none; a numeral among its noun readings counts (сорока)."""
    parses = _parses(word.lower().replace("ё", "е") if lang == "ru" else word.lower(), lang)
    if not parses or parses[0].tag.POS not in ("NUMR", "NOUN", "ADJF"):
        return None
    for p in parses:
        lemma = p.normal_form.replace("ё", "е")
        if p.tag.POS in ("NUMR", "ADJF") and lemma in _NUMBER_LEMMAS.get(lang, {}):
            if p.tag.POS == "ADJF" and "Anum" not in p.tag:
                continue
            return _NUMBER_LEMMAS[lang][lemma], False, True
        if p.tag.POS == "NOUN" and lemma in _SCALE_LEMMAS.get(lang, {}):
            return _SCALE_LEMMAS[lang][lemma], True, "sing" in p.tag
    return None


def _proper_parses(word: str, lang: str) -> list:
    return [p for p in _parses(word, lang) if _PROPER & set(p.tag.grammemes)]


@lru_cache(maxsize=65536)
def name_lemma(word: str, lang: str) -> str:
    """A name's dictionary form where the analyser reads it as one (Путина -> Путин, Кознышева ->
    Кознышев: of its name readings the shortest), else the word as it stands."""
    proper = _proper_parses(word, lang)
    if not proper:
        return word
    lemma = min((p.normal_form for p in proper), key=lambda w: (len(w), w))
    return lemma[:1].upper() + lemma[1:]


@lru_cache(maxsize=65536)
def name_candidate(word: str, lang: str) -> bool:
    """Whether a capitalised word at a sentence's start may be a name: the analyser reads it as a
    name (Анна, Долли, Москва) or does not know it (Кознышев); a word it knows only as a common
    word (Прочла, Это) is none."""
    morph = analyser(lang)
    if morph is None:
        return False
    if _proper_parses(word, lang):
        return True
    return not morph.word_is_known(word.lower())


#: Words of не- that are no antonym of the rest (несколько: several, not 'not how many').
_NOT_ANTONYMS = frozenset("несколько немного некоторый нечто некто некогда неделя небо нести "
                          "необходимый необходимо неужели невеста нерв нефть неба нельзя".split())


@lru_cache(maxsize=65536)
def antonym(word: str, lang: str) -> bool:
    """Whether a word of не- or без- says the opposite of a word the analyser knows (недопустимо:
    not allowed; бесполезно: of no use; not беспокойся, a verb): a negation said with a prefix."""
    morph = analyser(lang)
    prefix = next((p for p in ("не", "без", "бес") if word.startswith(p)), None)
    if morph is None or prefix is None or len(word) < 6:
        return False
    parses = _parses(word, lang)
    kinds = ("ADJF", "ADJS", "ADVB", "PRED", "PRTF", "PRTS")
    if not parses or parses[0].normal_form in _NOT_ANTONYMS or parses[0].tag.POS not in kinds:
        return False
    return morph.word_is_known(word[len(prefix):])

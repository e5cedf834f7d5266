"""Reading words from either side of a bead, the same way for every check.

This module owns what the checks share about text and languages: the language code of a tag,
Babel's locale for it, accent folding, the aligner's Cyrillic transliteration, tokens and words
(French elisions split off), function words per language, and pairing equal items of two sides.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterable, Sequence

from workbench.check.findings import Span

#: Languages that capitalise every noun: a capital letter there says nothing about a name.
NOUN_CAPITALISING = frozenset({"de", "lb"})


_LANG_NAMES = {"en": "English", "ru": "Russian", "de": "German", "fr": "French"}


def _locale(lang: str):
    """Babel's Locale for a language code, or None where CLDR does not know it."""
    try:
        from babel import Locale
        from babel.core import UnknownLocaleError

        try:
            return Locale.parse(lang.replace("-", "_"))
        except (UnknownLocaleError, ValueError, LookupError):
            return None
    except ImportError:
        return None


def _transliterate(text: str) -> str:
    """Cyrillic to Latin letters with the aligner's table (one table for matching names)."""
    try:
        from workbench.align.features import transliterate
    except ImportError:  # the aligner as a single module
        from workbench.align import transliterate
    return transliterate(text)


def _language_name(lang: str) -> str:
    if lang in _LANG_NAMES:
        return _LANG_NAMES[lang]
    english = _locale("en")
    return english.languages.get(lang, lang) if english is not None else lang


@lru_cache(maxsize=65536)
def _fold(text: str) -> str:
    """Lowercase without accents: März -> marz, Genève -> geneve."""
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c)).replace("й", "й")


def _common_prefix(words: Sequence[str]) -> str:
    first, last = min(words), max(words)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]


#: Roman numerals (II, XIV): numbers, not names (checked as a whole token).
_ROMAN = re.compile(r"(?=[IVXLC])(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")


def _lang(code: str) -> str:
    return code.split("-")[0].split("_")[0].lower()


_TOKEN = re.compile(r"\d+|[^\W\d_]+(?:[-'’][^\W\d_]+)*", re.UNICODE)


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[tuple[str, int, int], ...]:
    return tuple((m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text))


_ELISION = re.compile(r"^(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu)['’](?=\w)", re.I)


@lru_cache(maxsize=4096)
def _words(text: str) -> tuple[tuple[str, int, int], ...]:
    """Tokens with French elisions split off: d'Albert -> Albert, l'équipe -> équipe."""
    out = []
    for tok, s, e in _tokens(text):
        m = _ELISION.match(tok)
        if m and not tok[0].isdigit():
            tok, s = tok[m.end():], s + m.end()
        out.append((tok, s, e))
    return tuple(out)


def _gap(text: str, a: int, b: int, allowed: str = r"[\s.,]*") -> bool:
    return re.fullmatch(allowed, text[a:b]) is not None


def _overlaps(span: Span, spans: Iterable[Span]) -> bool:
    return any(span[0] < b and a < span[1] for a, b in spans)


def _match(a: list, b: list, same) -> tuple[list, list, list[tuple]]:
    """Pair equal items in order (each used once); returns (left a, left b, pairs)."""
    left_b = list(b)
    left_a, pairs = [], []
    for x in a:
        for y in left_b:
            if same(x, y):
                left_b.remove(y)
                pairs.append((x, y))
                break
        else:
            left_a.append(x)
    return left_a, left_b, pairs


_STOP = {
    "en": "the a an and or of to in on at by for with from as is are was were be been being this "
          "that these those it its they them their there here which who whom whose what when where "
          "will would shall should can could may might must have has had do does did not also than "
          "then into over such only very more most some any all each other about",
    "fr": "le la les un une des du de d l et ou à au aux en dans sur par pour avec sans ce cet "
          "cette ces il elle ils elles on nous vous qui que quoi dont est sont était être avoir "
          "a ont été plus très aussi comme mais leur leurs son sa ses se s comment pourquoi combien "
          "où quand puis alors ainsi donc enfin oui voici voilà",
    "de": "der die das ein eine einen einem einer und oder zu in im am an auf für mit von vom aus "
          "bei als ist sind war waren sein haben hat hatte es er sie wir ihr sich nicht auch noch "
          "sehr wie aber dem den des",
    "ru": "и в во на с со по к о об от до за из у а но же ли бы что как это этот эта эти он она "
          "они мы вы его ее её их был была были быть не так также только",
}


@lru_cache(maxsize=None)
def _stopwords(lang: str) -> frozenset[str]:
    return frozenset(_fold(w) for w in _STOP.get(lang, "").split())

"""How one name is spelt across scripts and languages, beyond transliteration.

This module owns the sound key of a name (its consonants as they sound, from its dictionary form:
Цезаря / Caesar, Моцарта / Mozart) and the tests built on it: two spellings that sound alike, and
one acronym in two scripts (ДНК / DNA).
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache

from workbench.check.morph import MORPH_LANGS, name_lemma
from workbench.check.text import _fold, _transliterate


def _is_cyrillic(word: str) -> bool:
    return bool(re.search(r"[а-яёіїєґА-ЯЁІЇЄҐ]", word))


#: Spellings that one sound has across scripts and languages, for _sound_key (in this order).
_SOUNDS = (("shch", "s"), ("dzh", "j"), ("tch", "c"), ("sch", "s"), ("ts", "c"), ("tz", "c"),
           ("ch", "c"), ("sh", "s"), ("zh", "j"), ("kh", "h"), ("ck", "k"), ("ph", "f"), ("th", "t"),
           ("ae", "e"), ("ew", "yu"), ("w", "v"), ("x", "ks"), ("q", "k"), ("z", "s"), ("j", "i"),
           ("y", "i"), ("c", "s"))


@lru_cache(maxsize=65536)
def _sound_key(word: str, lang: str) -> str:
    """A name's consonants as they sound, from its dictionary form: Цезаря / Caesar -> 'ssr',
    Моцарта / Mozart -> 'msrt', Ньютона / Newton -> 'nitn' (a Latin c before e, i, y is an s,
    else a k; ц, ts, tz are an s as well)."""
    w = _transliterate(_fold(name_lemma(word, lang) if lang in MORPH_LANGS else word))
    w = re.sub(r"['’]s$", "", w)
    w = re.sub(r"[^a-z]", "", w)
    w = re.sub(r"c(?![eiy]|ae)", "k", w.replace("ae", "e"))
    for a, b in _SOUNDS:
        w = w.replace(a, b)
    if not w:
        return ""
    return re.sub(r"(.)\1+", r"\1", w[0] + re.sub(r"[aeiouh]", "", w[1:]))


def _sound_alike(word: str, lang: str, other: str, other_lang: str) -> bool:
    """Two spellings of one name across scripts or languages (Цицерона / Cicero, Моцарта /
    Mozart, Эйнштейна / Einstein): their sound keys share the first letter and more than three in
    four of their consonants in order."""
    a, b = _sound_key(word, lang), _sound_key(other, other_lang)
    if not a or not b or a[0] != b[0]:
        return False
    if min(len(a), len(b)) < 3:  # few consonants: the same ones, in names of five letters or more
        short, long_ = sorted((a, b), key=len)
        return min(len(word), len(other)) >= 5 and len(short) == 2 and (
            a == b or len(long_) == 3 and long_.startswith(short))
    return SequenceMatcher(None, a, b, autojunk=False).ratio() > 0.75  # afrk / amrk: not alike


def _acronyms_alike(word: str, other: str) -> bool:
    """One acronym in two scripts (ДНК / DNA, НАТО / NATO): capitals of the same length."""
    return word.isupper() and other.isupper() and 2 <= len(word) == len(other) <= 5 and \
        (_transliterate(_fold(word)) == _fold(word)) != (_transliterate(_fold(other)) == _fold(other))

"""Person and place names on both sides of a bead.

This module owns finding names (capitalised words inside a sentence, short acronyms; in languages
that capitalise every noun, the words a name of the MT stands for, and without an MT the words its
lexicon does not know or the English lexicon knows only capitalised, as names a name or a common
noun of the other side may have replaced), matching them
across scripts through the Cyrillic transliteration and a consonant key, country names and their
derived words through CLDR's territory codes, and the name check (a name lost, added or replaced).
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache
from typing import TYPE_CHECKING, Sequence

from workbench.check.dates import _calendar, _month_of
from workbench.check.findings import Finding, Span
from workbench.check.morph import MORPH_LANGS, name_candidate
from workbench.check.spelling import _acronyms_alike, _is_cyrillic, _sound_alike, _sound_key
from workbench.check.text import (
    _ROMAN,
    _overlaps,
    NOUN_CAPITALISING,
    _common_prefix,
    _fold,
    _locale,
    _stopwords,
    _transliterate,
    _words,
)

if TYPE_CHECKING:
    from workbench.check.namemap import NameMap
    from workbench.check.side import _Side

#: Capitalised words that are not names in the middle of a sentence.
#: Titles and forms of address, which translations render, drop or change at will (Monsieur /
#: M., Milady / Lady, Cousin Porthos / mon cousin Porthos), and interjections.
_TITLES = ("sir lord lady madam madame monsieur mademoiselle messieurs mesdames milady milord miss "
           "cousin uncle aunt captain colonel general doctor king queen prince princess count "
           "countess baron baroness baronne duke duchess master mistress comte comtesse duc "
           "duchesse roi reine princesse capitaine docteur oncle tante cousine maître père mère "
           "oh ah eh hey alas bah hein hélas ô")
_NOT_NAMES: dict[str, frozenset[str]] = {
    "en": frozenset({"i", "mr", "mrs", "ms", "dr", "st", "no", "her", "ok", *_TITLES.split()}),
    "fr": frozenset({"m", "mm", "mme", "mlle", "st", "ste", "dr", *_TITLES.split()}),
    "ru": frozenset(),
}


def _initial_name(word: str, lang: str) -> bool:
    """Whether a capitalised word at a sentence's start is a name candidate: the language's lexicon
    (pymorphy3 for Russian and Ukrainian, simplemma's word forms for the others) knows it as a name
    or capitalised (Анна, Tom, Boston), or does not know it (Koznishev); a word it knows only in
    lower case (This, Прочла) is a word. Without a lexicon, none is."""
    if "-" in word:  # Mangerez-vous, Saint-Germain: by its parts
        return all(_initial_name(p, lang) for p in word.split("-") if p)
    if lang in MORPH_LANGS:
        return name_candidate(word, lang)
    lexicon = _lexicon(lang)
    if lexicon is None:
        return False
    lemma = lexicon.get(word)  # a capitalised form of a common word has a lower-case lemma (We)
    return lemma[:1].isupper() if lemma else word.lower() not in lexicon


def _names(text: str, lang: str) -> list[tuple[str, int, int]]:
    """Capitalised words (at a sentence's start only name candidates: _initial_name), all-capital
    words of at most five letters (acronyms); none in languages that capitalise every noun."""
    if lang in NOUN_CAPITALISING or _in_capitals(text):
        return []
    stop = _NOT_NAMES.get(lang, frozenset())
    _, _, days, _ = _calendar(lang)
    out = []
    for tok, s, e in _words(text):
        if not tok[0].isupper() or tok[0].isdigit() or len(tok) < 2:
            continue
        if tok.isupper() and not 3 <= len(tok) <= 5 or _ROMAN.fullmatch(tok):
            continue  # headings in capitals; NE, SE are compass points; camp III, Gasherbrum VI
        lead = text[:s]
        before = lead.rstrip(" \t\"'«»“”„‘’‚‹›([{—–-")
        opened = re.search(r"(?:[«“„\"‘‚]|(?<![^\W\d_])['’])\s*$", lead)
        if (not before or before[-1] in ".!?:…" or opened or re.fullmatch(r"[\W\d]*", before)) \
                and not _initial_name(tok, lang):
            # a sentence's first word (also inside a quotation that opens here or after a list
            # number: 1° Comment, 2) Die) that the language's lexicon knows only in lower case
            continue
        f = re.split(r"['’]", _fold(tok))[0]  # I'm, I'll: the pronoun
        if f in stop or f in _stopwords(lang) or _month_of(tok, lang, tok) is not None or f in days:
            continue
        out.append((tok, s, e))
    return out


@lru_cache(maxsize=65536)
def _name_key(word: str) -> str:
    """A consonant key that transliteration variants share: Шойгу / Shoigu / Shoygu -> 'sg',
    Путина / Putin -> 'ptn'. The first letter is kept even when it is a vowel."""
    w = _transliterate(_fold(word))
    w = re.sub(r"['’]s$", "", w)
    for a, b in (("shch", "sh"), ("dzh", "j"), ("zh", "j"), ("kh", "h"), ("ph", "f"), ("th", "t"),
                 ("ck", "k"), ("x", "ks"), ("q", "k"), ("w", "v"), ("z", "s"), ("c", "k")):
        w = w.replace(a, b)
    w = re.sub(r"[^a-z]", "", w)
    if not w:
        return ""
    key = w[0] + re.sub(r"[aeiouyh]", "", w[1:])
    return re.sub(r"(.)\1+", r"\1", key)


def _spelled_alike(a: str, b: str) -> bool:
    """Two spellings of one name of five letters or more, four in five letters the same in order
    (Pobjeda / Pobeda, Tschernezky / Tchernetzky)."""
    x, y = _transliterate(_fold(a)), _transliterate(_fold(b))
    if min(len(x), len(y)) < 5 or x[0] != y[0]:
        return False
    return SequenceMatcher(None, x, y, autojunk=False).ratio() >= 0.8


def _name_matches(word: str, other_tokens: Sequence[str], other_folded: str, lang: str = "",
                  other_lang: str = "") -> bool:
    key = _name_key(word)
    if not key:
        return True
    if lang and any(t[:1].isupper() and (_sound_alike(word, lang, t, other_lang)
                                         or _acronyms_alike(word, t)) for t in other_tokens):
        return True
    cyrillic = _is_cyrillic(word)
    for t in other_tokens:
        k = _name_key(t)
        if not k or k[0] != key[0] or _is_cyrillic(t) != cyrillic and not t[0].isupper():
            # across scripts, a name's spelling is another name (best is no Бостон)
            continue
        if k == key and (len(key) >= 3 or t[0].isupper()) and (
                len(key) >= 2 or _fold(t) == _fold(word)):
            # a key of one or two letters (Shah 's', Hayat 'ht') is shared by function words
            # (sie, hat): it holds only against a capitalised word, of one letter only the same
            return True
        short = min(len(k), len(key))
        common = len(_common_prefix([k, key]))
        if short >= 3 and common >= max(3, short - 2):
            return True
        if _spelled_alike(word, t):
            return True
    stem = _transliterate(_fold(word))
    stem = re.sub(r"['’]s$", "", stem)
    # the name's first five letters (less an ending), or a name of four inside a word (Asie in
    # Innerasien, Hima for Himalaya)
    n = min(5, len(stem) - 1) if len(stem) > 4 else len(stem)
    return n >= 4 and stem[:n] in other_folded


def _recount(side: _Side, names: list[tuple[str, int, int]], other: _Side,
             other_spans: Sequence[Span]) -> list[Span]:
    """The names of a side that the other side's capitalised words match fewer times than the
    side says them (Tom ... Tom / Tom ... Paris; Africa / Адам для африканцев): one span for
    each name said once more than matched. The other side's words in `other_spans` (its names
    no counterpart explains) match nothing."""
    if side.lang in NOUN_CAPITALISING:
        return []
    capitals = [t for t, s, e in _words(other.text) if t[0].isupper() and not any(
        a <= s < b for a, b in other_spans)]
    out: list[Span] = []
    groups: dict[str, list[tuple[str, int, int]]] = {}
    for w in names:
        groups.setdefault(_sound_key(w[0], side.lang) or w[0], []).append(w)
    for said in groups.values():
        matched = sum(1 for t in capitals if _name_matches(said[0][0], [t], _transliterate(
            _fold(t)), side.lang, other.lang))
        out += [(s, e) for _, s, e in said[matched:]]
    return out


def _merge_runs(text: str, words: list[tuple[str, int, int]]) -> list[Span]:
    """Adjacent words (space or hyphen between) as one span: 'Soft Power'."""
    spans: list[Span] = []
    for _, s, e in words:
        if spans and re.fullmatch(r"[\s-]", text[spans[-1][1]:s] or "x"):
            spans[-1] = (spans[-1][0], e)
        else:
            spans.append((s, e))
    return spans


def _source_names(src: _Side, mt_lang: str, mt: str | None) -> list[tuple[str, int, int]]:
    """The source's names. Where the source capitalises every noun (German), its names are the
    words that a name of the MT stands for, as the MT keeps names and lowercases nouns."""
    if src.lang not in NOUN_CAPITALISING:
        return _names(src.text, src.lang)
    if not mt:
        return []
    mt_names = {_transliterate(_fold(n)) for n, _, _ in _names(mt, mt_lang) if len(n) >= 3}
    out = []
    for tok, s, e in _words(src.text):
        word = _transliterate(_fold(tok))
        # the same word, or a compound that starts with it (Makalu-Gebiet)
        if tok[0].isupper() and any(word == n or word.startswith(n + "-") for n in mt_names):
            out.append((tok, s, e))
    return out


@lru_cache(maxsize=None)
def _territory_stems(lang: str) -> dict[str, tuple[tuple[str, str], ...]]:
    """(stem, territory code) of CLDR's country names in `lang`, by the stem's first four letters,
    longest first. A stem is the name less its last two letters, so that Autrichiens and
    Österreicher, Японии and Japon meet through AT and JP."""
    loc = _locale(lang)
    if loc is None:
        return {}
    names = loc.territories
    out: dict[str, set[tuple[str, str]]] = {}
    for code, name in names.items():
        if not code.isalpha() or " " in name or "-" in name:
            continue
        folded = _fold(name)
        stem = folded[:max(4, len(folded) - 2)]
        if len(stem) >= 4:
            out.setdefault(stem[:4], set()).add((stem, code))
    return {k: tuple(sorted(v, key=lambda x: (-len(x[0]), x))) for k, v in out.items()}


@lru_cache(maxsize=65536)
def _territory(word: str, lang: str) -> str | None:
    w = _fold(word)
    for stem, code in _territory_stems(lang).get(w[:4], ()):
        if w.startswith(stem):
            return code
    return None


def _in_capitals(text: str) -> bool:
    """A heading set in capitals: four letters in five or more are capitals."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 8 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


@lru_cache(maxsize=None)
def _lexicon(lang: str):
    """Simplemma's word forms of the language (they keep names capitalised and other words in
    lower case), loaded on first use, or None where it has none."""
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    try:
        return DefaultDictionaryFactory().get_dictionary(lang)
    except (ValueError, KeyError, OSError):
        return None


def _common_word(word: str, lang: str) -> bool:
    """A capitalised word its language knows only in lower case (Gouvernement, Tour, Change): an
    institution's word or a title set in capitals, no name. Acronyms are left alone (USA is also
    a verb form in French)."""
    if word.isupper() or lang in NOUN_CAPITALISING:
        return False
    lexicon = _lexicon(lang)
    return lexicon is not None and word not in lexicon and word.lower() in lexicon


#: Determiners before a common noun: the word after one is a noun phrase, a name only in a run
#: of capitals (la Tour; but la Place de la Concorde, le Haut Baltoro, the Royal Air Force).
_DETERMINERS = re.compile(
    r"(?i:\b(?:le|la|les|du|des|au|aux|ce|cet|cette|ces|son|sa|ses|leur|leurs|notre|nos|votre|vos|"
    r"un|une|nous|vous|the|a|an|this|that|these|those|its|their|our|his|her|we|us)\s+|\bl['’]\s*)"
    r"(?:[^\W\d_A-ZÀ-ÝА-Я]\w*\s+)?$")


#: Languages without articles: no determiner marks a common noun there, so a capitalised word its
#: lexicon knows in lower case is weak evidence of a name wherever it stands (в рядах Вооруженных
#: сил, Правительство России).
_ARTICLELESS = frozenset({"ru", "uk", "be", "pl", "cs", "sk"})


def _common_noun_at(word: tuple[str, int, int], text: str, lang: str) -> bool:
    """Whether a capitalised word is weak evidence of a name: its language knows it only in lower
    case, a determiner stands before it (in a language that has them) and no capitalised word or
    domain follows (le Gouvernement népalais, la Tour de Muztagh, the Government's; not the
    Change.org site)."""
    tok, s, e = word
    if re.match(r"[\s-]+[A-ZÀ-ÝА-Я]|\.[a-z]{2,}\b", text[e:]):
        return False  # in a run of capitals, or a site's name (Change.org)
    return (lang in _ARTICLELESS or _DETERMINERS.search(text[:s]) is not None) and \
        _common_word(tok, lang)


def _of_common_words(text: str, span: Span, lang: str) -> bool:
    """A run of capitalised words that its language knows each in lower case (Armed Forces, State
    Duma is not): an institution's name made of common words, not a person's or a place's."""
    words = [t for t, _, _ in _words(text[span[0]:span[1]])]
    return bool(words) and all(_common_word(t, lang) for t in words)


def _institutions_met(strong: list[Span], text: str, lang: str, weak_other: list[Span]
                      ) -> tuple[list[Span], list[Span]]:
    """The runs of `strong` and the other side's common nouns in capitals left once each run of
    common words meets one of those (Вооруженных сил / the Armed Forces): one institution named on
    both sides in its own language's words, no name lost or replaced."""
    left, other = list(strong), list(weak_other)
    while other:
        run = next((x for x in left if _of_common_words(text, x, lang)), None)
        if run is None:
            break
        left.remove(run)
        other.pop(0)
    return left, other


def _compound_of_known(word: str, lexicon) -> bool:
    """A German compound whose last part the lexicon knows as a noun, of four letters or more
    (Trägerstreik) or of three after a known first part (Gletscherarm; not Kondus, Karakorum)."""
    def known(part: str) -> bool:
        return any(x in lexicon for x in (part, part.capitalize(), part.lower()))

    for i in range(2, len(word) - 2):
        head, tail = word[:i], word[i:].capitalize()
        if tail in lexicon and (len(tail) >= 4 or known(head) or known(head.rstrip("s"))):
            return True
    return False


def _unknown_words(side: _Side) -> list[tuple[str, int, int]]:
    """Where a side capitalises every noun and no MT says which words are names: the capitalised
    words inside a sentence (a compound's parts each) that its lexicon knows in no form, not even as
    a compound's last part (Baltoro, Siachen in Kondus-Gletscher). They may be names; they serve only
    as a name the other side may have replaced with another name or a common noun, never as a
    finding alone."""
    lexicon = _lexicon(side.lang)
    if lexicon is None:
        return []
    out = []
    for tok, s, e in _words(side.text):
        before = side.text[:s].rstrip(" \t\"'«»“”„‘’‚‹›([{—–-")
        if not tok[0].isupper() or not before or before[-1] in ".!?:…" or tok.isupper():
            continue
        start = s
        for part in tok.split("-"):
            if (len(part) >= 4 and part[0].isupper() and part not in lexicon
                    and part.lower() not in lexicon and not _compound_of_known(part, lexicon)):
                out.append((part, start, start + len(part)))
            start += len(part) + 1
    return out


def _english_names(side: _Side) -> list[tuple[str, int, int]]:
    """Where a side capitalises every noun and no MT says which words are names: the capitalised
    words inside a sentence, not function words of the side's language, that the English lexicon
    knows as names (Hagen, Nepal, Tom: English keeps only its names capitalised).
    Like _unknown_words, only to hold the other side's name in their place."""
    en = _lexicon("en")
    if en is None:
        return []
    stop = _stopwords(side.lang)
    out = []
    for tok, s, e in _words(side.text):
        before = side.text[:s].rstrip(" \t\"'«»“”„‘’‚‹›([{—–-")
        if not tok[0].isupper() or not before or before[-1] in ".!?:…" or tok.isupper() \
                or len(tok) < 3 or _fold(tok) in stop:
            continue
        lemma = en.get(tok)  # Tom: also a word in lower case (tom), a name by its lemma
        if lemma and lemma[:1].isupper() and lemma[:1] == tok[:1]:
            out.append((tok, s, e))
    return out


def _unmatched(names: list[tuple[str, int, int]], side: _Side, other_tokens: list[str],
               other_folded: str, other_places: set[str], other_lang: str = ""
               ) -> tuple[list[tuple[str, int, int]], list[tuple[str, int, int]]]:
    """The names of a side the other side has no counterpart for: (those that are names, the
    common nouns after a determiner, which are names only where the other side lost one)."""
    def matched(word: str) -> bool:  # a compound name by any of its parts (Saint-Germain)
        return any(_name_matches(p, other_tokens, other_folded, side.lang, other_lang)
                   for p in [word] + [x for x in word.split("-") if len(x) >= 3 and "-" in word])

    out = [w for w in names if not matched(w[0])
           and (_territory(w[0], side.lang) or "-") not in other_places]
    weak = [w for w in out if _common_noun_at(w, side.text, side.lang)]
    return [w for w in out if w not in weak], weak


def _spans(src: _Side, ren: _Side, mt: str | None) -> tuple[list[Span], list[Span]]:
    """The runs of names of the source that the rendering has no counterpart for, and of the
    rendering that the source has none for (common nouns only where they pair with a name)."""
    def pool(text: str) -> tuple[list[str], str]:
        # a compound's parts (Alai-Pamir, Sia-Kangri-Massivs) are words of their own
        words = [p for t, _, _ in _words(text) if not t[0].isdigit() for p in t.split("-") if p]
        return words, _transliterate(_fold(text))

    s_tokens, s_folded = pool(src.text + (" " + mt if mt else ""))
    r_tokens, r_folded = pool(ren.text)
    # country names and the words made from them meet through CLDR's territory codes
    s_places = {c for t, _, _ in _words(src.text) if (c := _territory(t, src.lang))}
    s_places |= {c for t, _, _ in _words(mt or "") if (c := _territory(t, ren.lang))}
    r_places = {c for t in r_tokens if (c := _territory(t, ren.lang))}
    lost, lost_weak = _unmatched(_source_names(src, ren.lang, mt), src, r_tokens, r_folded,
                                 r_places, ren.lang)
    added, added_weak = _unmatched(_names(ren.text, ren.lang), ren, s_tokens, s_folded, s_places,
                                   src.lang)
    lost_spans, added_spans = _merge_runs(src.text, lost), _merge_runs(ren.text, added)
    lost_weak_spans, added_weak_spans = _merge_runs(src.text, lost_weak), _merge_runs(ren.text,
                                                                                     added_weak)
    added_spans, lost_weak_spans = _institutions_met(added_spans, ren.text, ren.lang,
                                                     lost_weak_spans)
    lost_spans, added_weak_spans = _institutions_met(lost_spans, src.text, src.lang,
                                                     added_weak_spans)
    if src.lang in NOUN_CAPITALISING and not mt and (added_spans or added_weak_spans):
        # no MT to say which of the source's nouns are names: its words no lexicon knows stand in
        # for them, to hold a name or a common noun of the rendering to (a name in the place of
        # another), never as findings of their own
        candidates = sorted(set(_unknown_words(src)) | set(_english_names(src)),
                            key=lambda w: w[1])
        unknown, _ = _unmatched(candidates, src, r_tokens, r_folded, r_places)
        lost_spans = _merge_runs(src.text, unknown)
    lost_slots = len(lost_spans)
    # a common noun in the place of a name the other side lost: the pair is the evidence
    added_spans += added_weak_spans[:max(0, lost_slots - len(added_spans))]
    lost_spans += lost_weak_spans[:max(0, len(added_spans) - len(lost_spans))]
    return lost_spans, added_spans


@lru_cache(maxsize=65536)
def unexplained(source: str, rendering: str, src_lang: str, tgt_lang: str,
                mt: str | None = None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The names of a bead's source and rendering that nothing but a name map could explain (what
    workbench.check.namemap learns from)."""
    from workbench.check.side import _Side

    src, ren = _Side(source, src_lang, (), ()), _Side(rendering, tgt_lang, (), ())
    lost, added = _spans(src, ren, mt)
    return tuple(source[a:b] for a, b in lost), tuple(rendering[a:b] for a, b in added)


def _explained(lost: list[Span], added: list[Span], src: _Side, ren: _Side,
               names: "NameMap") -> tuple[list[Span], list[Span]]:
    """`lost` and `added` less the pairs the name map says are one person or place."""
    lost, added = list(lost), list(added)
    for x in list(lost):
        y = next((y for y in added if names.explains(src.text[x[0]:x[1]], ren.text[y[0]:y[1]])),
                 None)
        if y is not None:
            lost.remove(x)
            added.remove(y)
    return lost, added


def check_names(src: _Side, ren: _Side, mt: str | None, names: "NameMap | None" = None
                ) -> list[Finding]:
    """Names lost, added or replaced between the two sides; a pair the name map explains is no
    finding, and an error says which name the map gives for the source's."""
    lost_spans, added_spans = _spans(src, ren, mt)
    if len(added_spans) > len(lost_spans):
        lost_spans += [x for x in _recount(src, _source_names(src, ren.lang, mt), ren, added_spans)
                       if not _overlaps(x, lost_spans)][:len(added_spans) - len(lost_spans)]
    elif len(lost_spans) > len(added_spans):
        added_spans += [y for y in _recount(ren, _names(ren.text, ren.lang), src, lost_spans)
                        if not _overlaps(y, added_spans)][:len(lost_spans) - len(added_spans)]
    if names is not None:
        lost_spans, added_spans = _explained(lost_spans, added_spans, src, ren, names)
    out = []
    for x, y in zip(lost_spans, added_spans):
        named, other = src.text[x[0]:x[1]], ren.text[y[0]:y[1]]
        given = names.counterparts(named) if names is not None else []
        taken = names.sources_of(other) if names is not None else []
        by_map = f" (the name map gives {' or '.join(given)} for {named})" if given else \
            f" (the name map gives {other} for {' or '.join(taken)})" if taken else ""
        out.append(Finding("name", "error", x, y,
                           f"source names {named}; rendering names {other}{by_map}"))
    # a German word the MT left alone may be a name or an untranslated noun: alone, it says little
    unpaired = [] if src.lang in NOUN_CAPITALISING else lost_spans[len(added_spans):]
    for x in unpaired:
        out.append(Finding("name", "note", x, None,
                           f"source names {src.text[x[0]:x[1]]}; the rendering does not"))
    for y in added_spans[len(lost_spans):]:
        out.append(Finding("name", "note", None, y,
                           f"rendering names {ren.text[y[0]:y[1]]}; the source does not"))
    return out

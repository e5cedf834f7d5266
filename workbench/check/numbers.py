"""Numbers and quantities on both sides of a bead.

This module owns reading numbers written in digits with the language's decimal and grouping symbols
(CLDR's, through Babel), in words (number, scale and connector words per language, German compounds,
French hyphenated forms), with percent signs and units, and the number check that compares the two
sides' numbers (a different value, a different unit, a number on one side only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import TYPE_CHECKING

from workbench.check.findings import Finding, Span
from workbench.check.morph import MORPH_LANGS, number_word
from workbench.check.text import (
    _ROMAN,
    _fold,
    _gap,
    _language_name,
    _locale,
    _match,
    _overlaps,
    _tokens,
)

if TYPE_CHECKING:
    from workbench.check.side import _Side

#: Number words: value, and whether the word multiplies what precedes it (hundred, thousand).
_UNITS = {
    "en": "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
          "fifteen sixteen seventeen eighteen nineteen",
    "de": "null eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf dreizehn vierzehn "
          "fünfzehn sechzehn siebzehn achtzehn neunzehn",
    "fr": "zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze "
          "seize dix-sept dix-huit dix-neuf",
}
_TENS = {
    "en": "twenty thirty forty fifty sixty seventy eighty ninety",
    "de": "zwanzig dreissig vierzig fünfzig sechzig siebzig achtzig neunzig",
    "fr": "vingt trente quarante cinquante soixante soixante-dix quatre-vingt quatre-vingt-dix",
}
_EXTRA_WORDS: dict[str, dict[str, int]] = {
    "de": {"ein": 1, "eine": 1, "dreißig": 30, "zwo": 2},
    "fr": {"une": 1, "vingts": 20, "quatre-vingts": 80},
}
#: Words that multiply: hundred (x100 of the units before it) and scales (thousand, million...).
_SCALES: dict[str, dict[str, int]] = {
    "en": {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9, "bn": 10**9,
           "mln": 10**6},
    "de": {"hundert": 100, "tausend": 1000, "million": 10**6, "millionen": 10**6, "mio": 10**6,
           "milliarde": 10**9, "milliarden": 10**9, "mrd": 10**9},
    "fr": {"cent": 100, "cents": 100, "mille": 1000, "million": 10**6, "millions": 10**6,
           "milliard": 10**9, "milliards": 10**9},
    # Russian and Ukrainian scale nouns in every form come from the analyser (workbench.check.morph)
    "ru": {"тыс": 1000, "млн": 10**6, "млрд": 10**9},
    "uk": {"тис": 1000, "млн": 10**6, "млрд": 10**9},
}
#: Words for "one" that are also articles or pronouns: a number only before hundred or a scale.
_ONE_ALONE_NOT_A_NUMBER = frozenset({"one", "ein", "eine", "eins", "un", "une"})
#: Scale words that are a number on their own (singular): hundert Jahre, a thousand metres.
_LONE_SCALES = frozenset({"hundred", "thousand", "hundert", "tausend", "cent", "mille"})
_CONNECTORS = {"en": {"and"}, "fr": {"et"}}
_PERCENT_WORDS = {"en": ("percent", "per cent"), "de": ("prozent",), "fr": ("pour cent",),
                  "ru": ("процент", "процента", "процентов")}


@lru_cache(maxsize=None)
def _number_symbols(lang: str) -> tuple[str, frozenset[str]]:
    """(decimal symbol, grouping symbols) of the language: CLDR's, plus the spaces and the Swiss
    apostrophe every language's texts use for grouping, plus '.' where the decimal is a comma."""
    decimal, group = ".", ","
    loc = _locale(lang)
    if loc is not None:
        decimal = loc.number_symbols.get("latn", {}).get("decimal", decimal)
        group = loc.number_symbols.get("latn", {}).get("group", group)
    groups = {group, " ", "\u00a0", "\u202f", "\u2009", "'", "’"}
    groups.add("." if decimal == "," else ",")
    groups.discard(decimal)
    return decimal, frozenset(groups)


@lru_cache(maxsize=None)
def _number_words(lang: str) -> dict[str, int]:
    words: dict[str, int] = {}
    for i, w in enumerate(_UNITS.get(lang, "").split()):
        words[w] = i
    tens = _TENS.get(lang, "").split()
    if lang == "fr":
        words.update(dict(zip(tens, (20, 30, 40, 50, 60, 70, 80, 90))))
    else:
        words.update({w: 20 + 10 * i for i, w in enumerate(tens)})
    words.update(_EXTRA_WORDS.get(lang, {}))
    return {_word_form(w, lang): v for w, v in words.items()}


def _word_form(word: str, lang: str) -> str:
    """How number words are compared: lowercase; without accents except in Russian (й, ё)."""
    return word.lower().replace("ё", "е") if lang == "ru" else _fold(word)


@lru_cache(maxsize=None)
def _scale_words(lang: str) -> dict[str, int]:
    return {_word_form(w, lang): v for w, v in _SCALES.get(lang, {}).items()}


@dataclass(frozen=True)
class _Number:
    span: Span
    text: str
    value: Decimal
    percent: bool = False
    #: Canonical unit of the number (km, m, ft, mi, kg, lb, h, min, °C, °F, USD, EUR, RUB, CHF,
    #: GBP) and its words as written: " km" after it, or "$" + NUL before it; "" where none.
    unit: str = ""
    unit_text: str = ""


_FRACTIONS = {"½": Decimal("0.5"), "¼": Decimal("0.25"), "¾": Decimal("0.75"),
              "⅓": Decimal("0.3333"), "⅔": Decimal("0.6667")}
_NUM = re.compile(r"(?<![\w,])(?<![\d,]\.)\d+(?:(?:[.,'’]|[ \u00a0\u202f\u2009](?=\d{3}(?!\d)))\d+)*")


def _read_digits(raw: str, lang: str) -> Decimal | None:
    """The value of a digit string written with the language's symbols: '1,000' is 1000 in English
    and 1 in Russian; '1.000' the other way round. A separator the convention cannot explain
    (257.04 in German) is read as a decimal point."""
    decimal, groups = _number_symbols(lang)
    parts = re.split(r"([^\d])", raw)
    digits, seps = parts[0::2], parts[1::2]
    out = digits[0]
    for i, sep in enumerate(seps):
        nxt = digits[i + 1]
        later_ok = all(len(g) == 3 for g in digits[i + 1:])
        if sep in groups and later_ok and sep != decimal and not (i == 0 and len(digits[0]) > 3):
            out += nxt
        elif i == len(seps) - 1 and "." not in out:
            out += "." + nxt
        else:
            return None
    try:
        return Decimal(out).normalize()
    except InvalidOperation:
        return None


def _split_spaced(m: re.Match) -> list[tuple[int, str]]:
    """A match joined by spaces ('1938 580'?) only when it is a grouped number: first group of one
    to three digits, then groups of three. Otherwise the pieces are separate numbers."""
    raw, start = m.group(), m.start()
    pieces = re.split(r"([ \u00a0\u202f\u2009])", raw)
    out: list[tuple[int, str]] = []
    pos = start
    cur, cur_start = pieces[0], start
    pos += len(pieces[0])
    for k in range(1, len(pieces), 2):
        sep, nxt = pieces[k], pieces[k + 1]
        first = re.split(r"[.,'’]", cur)[0]
        if len(first) <= 3 and re.fullmatch(r"\d{3}", nxt) and not re.search(r"[.,'’]", cur):
            cur += sep + nxt
        else:
            out.append((cur_start, cur))
            cur, cur_start = nxt, pos + len(sep)
        pos += len(sep) + len(nxt)
    out.append((cur_start, cur))
    return out


def _word_numbers(text: str, lang: str, taken: list[Span]) -> list[_Number]:
    """Numbers written in words (three hundred thousand, триста тысяч, dreihundert)."""
    words = _number_words(lang)
    scales = _scale_words(lang)
    connectors = _CONNECTORS.get(lang, set())
    toks = [t for t in _tokens(text) if not _overlaps((t[1], t[2]), taken)]
    out: list[_Number] = []
    i = 0
    while i < len(toks):
        run: list[tuple[str, int, int, int | Decimal, bool]] = []
        j = i
        last_end = toks[i][1]  # end of the last word taken, number word or connector
        while j < len(toks):
            w = _word_form(toks[j][0], lang)
            pieces = _decompose(w, words, scales, lang)
            if pieces is None and lang == "de":
                # Achttausender, Sechstausendern, Achttausender-Status: a mountain class
                stem = re.sub(r"(?:ern|ers|er)$", "", w.split("-")[0])
                if stem != w.split("-")[0] and re.search(r"(?:tausend|hundert)$", stem):
                    pieces = _decompose(stem, words, scales, lang)
            if pieces is None:
                # "three hundred and five", "vingt et un": a connector before a small number
                nxt = _decompose(_word_form(toks[j + 1][0], lang), words, scales, lang) \
                    if run and w in connectors and j + 1 < len(toks) else None
                if nxt and len(nxt) == 1 and not nxt[0][1] and nxt[0][0] < 100 and _gap(
                        text, last_end, toks[j][1], r"[\s-]*"):
                    last_end = toks[j][2]
                    j += 1
                    continue
                break
            if run and not _gap(text, last_end, toks[j][1], r"[\s-]*"):
                break
            for v, is_scale in pieces:
                run.append((toks[j][0], toks[j][1], toks[j][2], v, is_scale))
            last_end = toks[j][2]
            j += 1
        if run:
            value = _compose([(v, sc) for _, _, _, v, sc in run])
            lone_one = len(run) == 1 and (_fold(run[0][0]) in _ONE_ALONE_NOT_A_NUMBER or (
                lang in MORPH_LANGS and run[0][3] == 1))  # один, одной: also 'a', 'alone'
            # 'hundert Jahre' is a hundred, 'тысячи людей' (thousands) no number
            scale_only = all(sc for *_, sc in run) and not (
                len(run) == 1 and _lone_scale(run[0][0], lang))
            if value is not None and not lone_one and not scale_only:
                s, e = run[0][1], run[-1][2]
                out.append(_Number(span=(s, e), text=text[s:e], value=Decimal(value)))
            i = j
        else:
            i += 1
    return out


def _lone_scale(word: str, lang: str) -> bool:
    """A scale word that is a number on its own: singular (a thousand, тысячу; not тысячи людей)."""
    if lang in MORPH_LANGS:
        read = number_word(_word_form(word, lang), lang)
        return read is not None and read[1] and read[2]
    return _word_form(word, lang) in _LONE_SCALES


def _morph_scale(word: str, lang: str) -> Decimal | None:
    read = number_word(word, lang) if lang in MORPH_LANGS and word else None
    return read[0] if read is not None and read[1] else None


def _decompose(word: str, words: dict[str, int], scales: dict[str, int], lang: str
               ) -> list[tuple[int | Decimal, bool]] | None:
    """A number word as (value, multiplies) pieces; German compounds (fünfundzwanzig,
    dreihunderttausend) and French hyphenated words (vingt-cinq) are split into their words."""
    if word in words:
        return [(words[word], False)]
    if lang in MORPH_LANGS and word not in scales:
        read = number_word(word, lang)  # every case and gender: пятьюдесятью, двумястами
        return [(read[0], read[1])] if read is not None else None
    if word in scales:
        return [(scales[word], True)]
    if lang == "fr" and "-" in word:
        parts = [p for p in word.split("-") if p != "et"]
        if word in ("quatre-vingt", "quatre-vingts"):
            return [(80, False)]
        out = []
        for p in parts:
            sub = _decompose(p, words, scales, lang)
            if sub is None:
                return None
            out += sub
        return out
    if lang == "de" and len(word) > 5:
        for piece in sorted(list(words) + list(scales) + ["und"], key=len, reverse=True):
            if len(piece) >= 3 and word.startswith(piece) and len(word) > len(piece):
                rest = _decompose(word[len(piece):], words, scales, lang)
                if rest is None:
                    continue
                head = [] if piece == "und" else _decompose(piece, words, scales, lang) or []
                if piece == "und" and not rest:
                    return None
                # fünfundzwanzig: units before tens add up
                return head + rest
    return None


def _compose(pieces: list[tuple[int | Decimal, bool]]) -> int | Decimal | None:
    total, current = 0, 0
    for v, scale in pieces:
        if scale and v == 100:
            current = max(current, 1) * 100
        elif scale:
            total += max(current, 1) * v
            current = 0
        else:
            current += v
    return total + current


#: Units by canonical name: the forms after a number, lowercased, in any of the languages (a
#: trailing full stop is dropped). Forms that are also common words (fr "mille", en "m" in "5 m
#: people"?) are left out where they would mislead.
_UNITS_BY_NAME = {
    "km": "km км kilometer kilometers kilometre kilometres kilometern kilomètre kilomètres "
          "километр километра километров",
    "m": "m м meter meters metre metres metern mètre mètres метр метра метров",
    "mi": "mi mile miles meile meilen миля мили миль",
    "ft": "ft feet foot fuss fuß pied pieds фут фута футов",
    "kg": "kg кг kilogram kilograms kilogramm kilogramme kilogrammes килограмм килограмма "
          "килограммов",
    "lb": "lb lbs pound pounds pfund livre livres фунт фунта фунтов",
    "h": "h ч std stunde stunden hour hours heure heures час часа часов",
    "min": "min minute minutes minuten мин минута минуты минут",
    "°C": "°c",
    "°F": "°f",
    "USD": "$ dollar dollars usd доллар доллара долларов долл",
    "EUR": "€ euro euros eur евро",
    "RUB": "руб рубль рубля рублей rouble roubles ruble rubles rubel",
    "CHF": "chf franken fr francs",
    "GBP": "£",
}
_UNIT_OF = {form: name for name, forms in _UNITS_BY_NAME.items() for form in forms.split()}


def _unit(word: str, lang: str) -> str:
    w = word.lower().rstrip(".").replace(" ", "")
    return _UNIT_OF.get(w, "")


def _numbers(text: str, lang: str, taken: list[Span]) -> list[_Number]:
    out: list[_Number] = []
    scales = _scale_words(lang)
    for m in _NUM.finditer(text):
        for start, raw in _split_spaced(m):
            span = (start, start + len(raw))
            if _overlaps(span, taken):
                continue
            value = _read_digits(raw, lang)
            if value is None:
                continue
            short = re.search(r"(?<!\d)(1[5-9]|20)(\d\d)\s?[/–-]\s?$", text[:span[0]])
            if short and re.fullmatch(r"\d\d", raw) and raw > short.group(2):
                value = Decimal(short.group(1) + raw)  # 1952/53: the second year, abbreviated
            end = span[1]
            after = text[end:]
            sm = re.match(r"[\s\u00a0\u202f]*([^\W\d_]+)\.?", after)
            word = _word_form(sm.group(1), lang) if sm else ""
            scale = scales.get(word) or _morph_scale(word, lang)
            if scale and scale >= 1000:
                value = (value * scale).normalize()
                end += sm.end()
            fm = re.match(r"\s?([½¼¾⅓⅔])", after)
            if fm and value == value.to_integral():  # 1 ½ m
                value = (value + _FRACTIONS[fm.group(1)]).normalize()
                end += fm.end()
                after = text[end:]
            percent = False
            pm = re.match(r"[\s\u00a0\u202f]*%", after)
            if pm:
                percent, end = True, end + pm.end()
            else:
                for w in _PERCENT_WORDS.get(lang, ()):
                    wm = re.match(r"[\s\u00a0\u202f]*" + re.escape(w) + r"\w*", after, re.I)
                    if wm:
                        percent, end = True, end + wm.end()
                        break
            unit, unit_text = "", ""
            if not percent:
                um = re.match(r"[\s\u00a0\u202f]*(°\s?[CF]|[$€£]|[^\W\d_]+\.?)", text[end:])
                if um:
                    unit = _unit(um.group(1), lang)
                    unit_text = " " + um.group(1).rstrip(".") if unit else ""
            if not unit and span[0] > 0 and text[span[0] - 1] in "$€£":
                unit, unit_text = _unit(text[span[0] - 1], lang), text[span[0] - 1] + "\x00"
            out.append(_Number(span=(span[0], end), text=text[span[0]:end], value=value,
                               percent=percent, unit=unit, unit_text=unit_text))
    out += _word_numbers(text, lang, taken + [n.span for n in out])
    return sorted(out, key=lambda n: n.span)


def _with_unit(n: _Number) -> str:
    """'5 km', '$100': the number with the unit where the text has it."""
    if n.unit_text.endswith("\x00"):
        return n.unit_text[:-1] + _num_text(n)
    return _num_text(n) + n.unit_text


def _num_text(n: _Number) -> str:
    return " ".join(n.text.split())


def _reads_as(n: _Number, side: _Side, other: _Side, counterpart: Decimal) -> str:
    """', which in English reads as 1' where the digits would mean the other side's value by the
    other side's convention (1.000 is one in English and a thousand in German)."""
    raw = re.match(r"\d[\d.,'’ \u00a0\u202f\u2009]*\d", n.text)
    if raw is None or not re.search(r"[.,]", raw.group()):
        return ""
    theirs = _read_digits(raw.group(), other.lang)
    if theirs is None or theirs != counterpart or theirs == n.value:
        return ""
    return f", which in {_language_name(side.lang)} reads as {_plain(n.value)}"


def _plain(v: Decimal | None) -> str:
    if v is None:
        return "?"
    return format(v, "f") if v == v.to_integral() else format(v.normalize(), "f")


#: A reference's number: page, issue, volume (S. 81, p. 295-298, Nr. 292, n° 293, Bd. XI).
_REFERENCE = re.compile(r"(?:\b(?:S|Seite|Seiten|p|pp|page|pages|Nr|No|n°|N°|Bd|vol|Vol|Heft|"
                        r"fasc)\.?\s*(?:\d+\s*[-–/]\s*)?|n°\s*)$")


def _said(n: _Number, side: _Side, other: _Side) -> bool:
    """Whether a number on one side only is a statement the other side leaves out, rather than
    context a free translation drops: not a number word (deux, beide), a reference's page or issue
    number, a quantity set apart in brackets (Makalu (8481 m), 3 yards (2,75 m)), or a year on
    its own (the article's dates frame it) unless the other side names a year this side does not
    (1956 / novembre 1955)."""
    if not re.search(r"\d", n.text):
        return False
    if _REFERENCE.search(side.text[:n.span[0]]):
        return False
    if re.search(r"\(\s*(?:\w+\.?\s+)?$", side.text[:n.span[0]]) and re.match(
            r"\s*(?:\w+\.?\s*)?\)", side.text[n.span[1]:]):
        return False
    if _year_of(n) is None:
        return True
    mine = {_year_of(m) for m in side.numbers} | {d.year for d in side.dates}
    theirs = {_year_of(m) for m in other.numbers} | {d.year for d in other.dates}
    return bool(theirs - mine - {None})


def _year_of(n: _Number) -> int | None:
    if re.fullmatch(r"\d{4}", n.text) and 1000 <= n.value <= 2199:
        return int(n.value)
    return None


def _roman_numbers(side: _Side) -> list[Decimal]:
    """Values of the side's Roman numerals of two letters or more, and of a lone I, V or X after a
    capitalised word (Lager I, Gasherbrum V)."""
    out = []
    for tok, s, _ in _tokens(side.text):
        if not _ROMAN.fullmatch(tok):
            continue
        if len(tok) == 1 and not re.search(r"[A-ZÀ-ÝА-Я]\w*\s+$", side.text[:s]):
            continue
        out.append(Decimal(_roman_value(tok)))
    return out


def _roman_value(numeral: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    total = 0
    for a, b in zip(numeral, numeral[1:] + " "):
        total += -values[a] if values.get(b, 0) > values[a] else values[a]
    return total


def check_numbers(src: _Side, ren: _Side) -> list[Finding]:
    left_s, left_r, pairs = _match(list(src.numbers), list(ren.numbers),
                                   lambda x, y: x.value == y.value)
    out = []
    for x, y in pairs:
        if x.unit and y.unit and x.unit != y.unit:  # 5 km / 5 miles
            out.append(Finding("number", "error", x.span, y.span,
                               f"source says {_with_unit(x)}; rendering says {_with_unit(y)}"))
    # a number may stand in a date or time on the other side (1 Std. 30 / 1 h 30, 1956 / mai 1956)
    r_parts = [v for d in ren.dates for v in d.numbers()]
    s_parts = [v for d in src.dates for v in d.numbers()]
    # and in Roman numerals (Camp 2 und 3 / camp II et III)
    r_parts += _roman_numbers(ren)
    s_parts += _roman_numbers(src)
    left_s = [n for n in left_s if n.value not in r_parts]
    left_r = [n for n in left_r if n.value not in s_parts]
    for x, y in zip(left_s, left_r):
        out.append(Finding("number", "error", x.span, y.span,
                           f"source says {_num_text(x)}{_reads_as(x, src, ren, y.value)}; "
                           f"rendering says {_num_text(y)}{_reads_as(y, ren, src, x.value)}"))
    # a number word alone on one side (deux, beide, vier) is mostly a turn of phrase
    for x in [n for n in left_s[len(left_r):] if _said(n, src, ren)]:
        out.append(Finding("number", "note", x.span, None,
                           f"source says {_num_text(x)}; the rendering has no such number"))
    for y in [n for n in left_r[len(left_s):] if _said(n, ren, src)]:
        out.append(Finding("number", "note", None, y.span,
                           f"rendering says {_num_text(y)}; the source has no such number"))
    return out

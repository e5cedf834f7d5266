"""Fidelity checks: does a rendering say what its source says?

This module owns the comparison of one source text (a bead's source sentences) with its rendering
(and, where there is one, the machine translation of the source) on facts a reader can verify:
numbers and quantities, dates, times and weekdays, person and place names, negation, quotation
marks, and content words of the MT that the rendering does not carry. Each check reads both sides
with the conventions of its language: decimal and grouping symbols and month and weekday names come
from Babel's locale data (CLDR) for any language Babel knows; number words, scale words, negation
cues and a few month forms CLDR lacks (Russian prepositional case) are small tables per language
code below. Names are compared across scripts through the workbench's Cyrillic transliteration and
a consonant key. A finding carries its kind, a severity ("error" or "warning"), character offsets
on both sides (None where a side has nothing to mark), a one-line explanation and a key that stays
the same while the marked words do. Findings are plain data, deterministic and byte-stable; they
are written as `check KIND: explanation` comment lines (format_comment / parse_comment), and a
translator's dismissal of one is a Dismissal (kind, key, reason).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Iterable, Sequence

KINDS = ("number", "date", "name", "negation", "quote", "mt-missing")
SEVERITIES = ("error", "warning")

Span = tuple[int, int]


@dataclass(frozen=True)
class Finding:
    """One disagreement between a source and its rendering (or the MT and the rendering)."""

    kind: str
    severity: str
    source_span: Span | None
    rendering_span: Span | None
    explanation: str
    mt_span: Span | None = None
    #: Stable id within the bead: kind and the marked words, not their offsets (see finding_key).
    key: str = ""

    def to_dict(self) -> dict:
        return {"kind": self.kind, "severity": self.severity, "key": self.key,
                "source_span": list(self.source_span) if self.source_span else None,
                "rendering_span": list(self.rendering_span) if self.rendering_span else None,
                "mt_span": list(self.mt_span) if self.mt_span else None,
                "explanation": self.explanation}


@dataclass(frozen=True)
class Dismissal:
    """A translator's decision that a finding is not a fault, with the reason; it holds while the
    finding's key does (the same kind on the same words)."""

    kind: str
    key: str
    reason: str

    def to_comment(self) -> str:
        reason = " ".join(self.reason.split())
        return f"check-dismissed {self.kind} {self.key}: {reason}"

    @classmethod
    def from_comment(cls, line: str) -> "Dismissal | None":
        """The dismissal in a translator comment or annotation text, or None."""
        m = _DISMISSED_RE.match(line.strip())
        if not m or m["kind"] not in KINDS:
            return None
        return cls(kind=m["kind"], key=m["key"], reason=m["reason"])


_COMMENT_RE = re.compile(r"^check (?P<kind>[a-z-]+): (?P<text>.+)$")
#: Also found inside an annotation the store wrote back ("[] check-dismissed ... -- AUTHOR, TIME").
_DISMISSED_RE = re.compile(r"(?:^|^\[[a-z-]*\] )check-dismissed (?P<kind>[a-z-]+) "
                           r"(?P<key>[0-9a-f]{10}(?:-\d+)?): (?P<reason>.*?)"
                           r"(?: -- [^\n]*,\s*(?:\d{4}-\d\d-\d\dT[\d:]+Z)?)?$")


def format_comment(finding: Finding) -> str:
    """The one-line PO comment text of a finding: `check KIND: explanation`."""
    text = " ".join(finding.explanation.split())
    return f"check {finding.kind}: {text}"


def parse_comment(line: str) -> tuple[str, str] | None:
    """(kind, explanation) of a `check KIND: explanation` comment line, or None for other lines."""
    m = _COMMENT_RE.match(line.strip())
    if not m or m["kind"] not in KINDS:
        return None
    return m["kind"], m["text"]


def finding_key(kind: str, source: str, rendering: str, mt: str = "") -> str:
    """Ten hex digits of SHA-1 over the kind and the marked words of each side."""
    data = "\x1f".join((kind, " ".join(source.split()), " ".join(rendering.split()),
                        " ".join(mt.split())))
    return hashlib.sha1(data.encode("utf-8")).hexdigest()[:10]


def parse_kinds(text: str) -> tuple[str, ...]:
    """`number,date` -> ('number', 'date'), in KINDS order; ValueError names an unknown kind."""
    asked = [k.strip() for k in text.split(",") if k.strip()]
    unknown = [k for k in asked if k not in KINDS]
    if unknown or not asked:
        raise ValueError(f"unknown check kind '{unknown[0] if unknown else text}'")
    return tuple(k for k in KINDS if k in asked)


# --- language data --------------------------------------------------------------------------------

#: Languages that capitalise every noun: a capital letter there says nothing about a name.
NOUN_CAPITALISING = frozenset({"de", "lb"})

#: Number words: value, and whether the word multiplies what precedes it (hundred, thousand).
_UNITS = {
    "en": "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
          "fifteen sixteen seventeen eighteen nineteen",
    "de": "null eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf dreizehn vierzehn "
          "fünfzehn sechzehn siebzehn achtzehn neunzehn",
    "fr": "zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze "
          "seize dix-sept dix-huit dix-neuf",
    "ru": "ноль один два три четыре пять шесть семь восемь девять десять одиннадцать двенадцать "
          "тринадцать четырнадцать пятнадцать шестнадцать семнадцать восемнадцать девятнадцать",
}
_TENS = {
    "en": "twenty thirty forty fifty sixty seventy eighty ninety",
    "de": "zwanzig dreissig vierzig fünfzig sechzig siebzig achtzig neunzig",
    "fr": "vingt trente quarante cinquante soixante soixante-dix quatre-vingt quatre-vingt-dix",
    "ru": "двадцать тридцать сорок пятьдесят шестьдесят семьдесят восемьдесят девяносто",
}
_EXTRA_WORDS: dict[str, dict[str, int]] = {
    "de": {"ein": 1, "eine": 1, "dreißig": 30, "zwo": 2},
    "fr": {"une": 1, "vingts": 20, "quatre-vingts": 80},
    "ru": {"одна": 1, "одно": 1, "одного": 1, "две": 2, "двух": 2, "трех": 3, "трёх": 3,
           "четырех": 4, "четырёх": 4, "пяти": 5, "шести": 6, "семи": 7, "восьми": 8, "девяти": 9,
           "десяти": 10, "двадцати": 20, "тридцати": 30, "сорока": 40, "пятидесяти": 50,
           "шестидесяти": 60, "семидесяти": 70, "восьмидесяти": 80, "девяноста": 90,
           "сто": 100, "ста": 100, "двести": 200, "двухсот": 200, "триста": 300, "трехсот": 300,
           "трёхсот": 300, "четыреста": 400, "четырехсот": 400, "пятьсот": 500, "пятисот": 500,
           "шестьсот": 600, "семьсот": 700, "восемьсот": 800, "девятьсот": 900},
}
#: Words that multiply: hundred (x100 of the units before it) and scales (thousand, million...).
_SCALES: dict[str, dict[str, int]] = {
    "en": {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9, "bn": 10**9,
           "mln": 10**6},
    "de": {"hundert": 100, "tausend": 1000, "million": 10**6, "millionen": 10**6, "mio": 10**6,
           "milliarde": 10**9, "milliarden": 10**9, "mrd": 10**9},
    "fr": {"cent": 100, "cents": 100, "mille": 1000, "million": 10**6, "millions": 10**6,
           "milliard": 10**9, "milliards": 10**9},
    "ru": {"тыс": 1000, "тысяча": 1000, "тысячи": 1000, "тысяч": 1000, "тысячу": 1000,
           "тысячами": 1000, "млн": 10**6, "миллион": 10**6, "миллиона": 10**6,
           "миллионов": 10**6, "млрд": 10**9, "миллиард": 10**9, "миллиарда": 10**9,
           "миллиардов": 10**9},
}
#: Words for "one" that are also articles or pronouns: a number only before hundred or a scale.
_ONE_ALONE_NOT_A_NUMBER = frozenset({"one", "ein", "eine", "eins", "un", "une", "один", "одна",
                                     "одно", "одного"})
#: Scale words that are a number on their own (singular): hundert Jahre, a thousand metres.
_LONE_SCALES = frozenset({"hundred", "thousand", "hundert", "tausend", "cent", "mille", "сто",
                          "тысяча", "тысячу"})
_CONNECTORS = {"en": {"and"}, "fr": {"et"}}
_PERCENT_WORDS = {"en": ("percent", "per cent"), "de": ("prozent",), "fr": ("pour cent",),
                  "ru": ("процент", "процента", "процентов")}

#: Month forms CLDR does not list (it has the format and stand-alone cases only).
_EXTRA_MONTHS: dict[str, dict[str, int]] = {
    "ru": {"мае": 5, "марте": 3},
    "de": {"jänner": 1, "maerz": 3},
}
#: Month words that are also common words: dates only next to a day or a year.
_AMBIGUOUS_MONTHS = frozenset({"may", "march", "mars", "mai", "august", "jun", "jan", "mar", "sept",
                               "juli", "juni"})

_NEGATION: dict[str, list[str]] = {
    "en": [r"\bnot\b", r"n['’]t\b", r"\bcannot\b", r"\bno\b", r"\bnever\b", r"\bnothing\b",
           r"\bnobody\b", r"\bnone\b", r"\bneither\b", r"\bnor\b", r"\bnowhere\b",
           r"\bno one\b"],
    "de": [r"\bnicht\b", r"\bkein(?:e|en|em|er|es)?\b", r"\bnie\b", r"\bniemals\b", r"\bnichts\b",
           r"\bniemand(?:en|em)?\b", r"\bweder\b", r"\bnirgends\b", r"\bnirgendwo\b"],
    "fr": [r"\b(?:ne|n['’])\s*(?:[\w'’-]+\s+){0,5}?(?:pas|plus|jamais|rien|personne|aucun|aucune|"
           r"guère|point|nullement|nulle)\b",
           r"\bni\b", r"\bnulle part\b", r"\b(?:personne|rien)\s+(?:ne|n['’])",
           r"^\W*rien\s+de\b",
           r"\bnullement\b", r"(?<!sans )\baucun(?:e|s|es)?\b", r"\bnon\b(?!-)",
           r"\b(?:même pas|pas même|pas question|pas du tout|pas encore)\b",
           # literary negation without pas: nous ne pouvons gagner, il n'ose avancer
           r"\b(?:ne|n['’])\s*(?:[\w'’-]+\s+)?(?:peux|peut|pouvons|pouvez|peuvent|pouvait|"
           r"pouvaient|pourrait|pourraient|pus|put|pûmes|purent|sais|sait|savait|saurait|ose|"
           r"osait|cesse|cessait)\b(?!\s+(?:pas|plus|jamais|rien|guère|point)\b)"],
    "ru": [r"(?<!\w)не(?!\w)", r"(?<!\w)нет(?!\w)", r"(?<!\w)ни(?!\w)", r"(?<!\w)никогда(?!\w)",
           r"(?<!\w)ничего(?!\w)", r"(?<!\w)ничто(?!\w)", r"(?<!\w)никто(?!\w)",
           r"(?<!\w)никого(?!\w)", r"(?<!\w)нигде(?!\w)", r"(?<!\w)никак(?:ой|ая|ое|ие|их)?(?!\w)",
           r"(?<!\w)нельзя(?!\w)"],
}
#: Two negations that cancel out ("не может не" = must, "not without", "nicht ohne", "pas sans").
_DOUBLE_NEGATION: dict[str, list[str]] = {
    "en": [r"\b(?:can|could)(?:not|n['’]t| not)\s+(?:help but|but|fail to|not)\b",
           r"\bnot\s+(?:without|un\w+|in\w+able)\b", r"\bnever\s+fails? to\b"],
    "de": [r"\bnicht\s+(?:ohne|un\w+)\b", r"\bnicht\s+umhin\b",
           r"\bkann\s+nicht\s+(?:\w+\s+){0,3}nicht\b"],
    "fr": [r"\b(?:ne|n['’])\s*(?:[\w'’-]+\s+){0,3}?pas\s+sans\b", r"\bnon\s+sans\b",
           r"\b(?:ne|n['’])\s*(?:[\w'’-]+\s+)?manqu\w*\s+pas\s+d(?:e\b|['’])",
           r"\b(?:ne|n['’])\s*(?:peut|pouvait|pourra|pourrait|peux|pouvons|pouvez|peuvent)\s+"
           r"(?:pas\s+)?(?:ne\s+pas|s['’]empêcher)\b"],
    "ru": [r"(?<!\w)не\s+(?:\w+\s+){1,2}?не(?!\w)", r"(?<!\w)не\s+без(?!\w)",
           r"(?<!\w)нельзя\s+не(?!\w)"],
}
#: French "ne ... que" (only) and "ne" after "avant que", "à moins que" are not negations.
_NOT_NEGATION: dict[str, list[str]] = {
    "fr": [r"\b(?:ne|n['’])\s*(?:(?!(?:pas|jamais|rien|personne|aucune?|guère|point)\b)"
           r"[\w'’-]+\s+){0,4}?qu(?:e\b|['’])"],
    # concessive ни: какой бы то ни было (whatever), что бы ни, как ни
    "ru": [r"(?<!\w)бы\s+(?:то\s+)?ни(?!\w)", r"(?<!\w)(?:как|сколько|где|куда)\s+ни(?!\w)"],
}

#: Capitalised words that are not names in the middle of a sentence.
_NOT_NAMES: dict[str, frozenset[str]] = {
    "en": frozenset({"i", "mr", "mrs", "ms", "dr", "st"}),
    "fr": frozenset({"m", "mm", "mme", "mlle", "st", "ste"}),
    "ru": frozenset(),
}

#: Double quotation marks of every language; single ones are handled in _quotes (apostrophes).
_DOUBLE_QUOTES = re.compile(r"[«»“”„‟‹›\"]")
_SINGLE_OPEN = re.compile(r"(?<![\w])['‘‚,](?=[^\W\d_])")
_SINGLE_CLOSE = re.compile(r"(?<=[^\W\d_.,!?…])\s?['’](?![\w])|(?<=[.,!?…])['’](?![\w])")

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
def _calendar(lang: str) -> tuple[dict[str, int], list[tuple[str, int]], dict[str, int], frozenset[str]]:
    """Month words -> month number, month stems (for inflected forms), weekday words -> 0..6 (wide
    forms only: 'mer.' for mercredi is also the sea), and the month words that are abbreviations
    only (a date only next to a day or a year)."""
    months: dict[str, int] = {}
    days: dict[str, int] = {}
    wide: set[str] = set()
    abbreviated: set[str] = set()
    loc = _locale(lang)
    if loc is not None:
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for m, name in loc.months[context][width].items():
                    word = _fold(name).rstrip(".")
                    months.setdefault(word, m)
                    (wide if width == "wide" else abbreviated).add(word)
            for d, name in loc.days[context]["wide"].items():
                days.setdefault(_fold(name), d)
    months.update(_EXTRA_MONTHS.get(lang, {}))
    stems: list[tuple[str, int]] = []
    by_month: dict[int, list[str]] = {}
    for word, m in months.items():
        by_month.setdefault(m, []).append(word)
    for m, words in sorted(by_month.items()):
        long = [w for w in words if len(w) >= 4]
        if len(long) >= 2:
            stem = _common_prefix(long)
            if len(stem) >= 4:
                stems.append((stem, m))
    return months, stems, days, frozenset(abbreviated - wide)


def _common_prefix(words: Sequence[str]) -> str:
    first, last = min(words), max(words)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]


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


def _lang(code: str) -> str:
    return code.split("-")[0].split("_")[0].lower()


# --- reading one side -----------------------------------------------------------------------------

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


@dataclass(frozen=True)
class _Date:
    """A calendar date (any of day, month, year), a time of day, or a weekday."""

    span: Span
    text: str
    day: int | None = None
    month: int | None = None
    year: int | None = None
    hour: int | None = None
    minute: int | None = None
    weekday: int | None = None

    @property
    def what(self) -> str:
        if self.weekday is not None:
            return "weekday"
        return "time" if self.hour is not None else "date"

    def numbers(self) -> list[Decimal]:
        return [Decimal(v) for v in (self.day, self.year, self.hour, self.minute) if v is not None]


_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _describe_date(d: _Date) -> str:
    if d.weekday is not None:
        return _DAY_NAMES[d.weekday]
    if d.hour is not None:
        return f"{d.hour}:{d.minute or 0:02d}"
    parts = []
    if d.day is not None:
        parts.append(str(d.day))
    if d.month is not None:
        parts.append(_MONTH_NAMES[d.month - 1])
    if d.year is not None:
        parts.append(str(d.year))
    return " ".join(parts)


_TOKEN = re.compile(r"\d+|[^\W\d_]+(?:[-'’][^\W\d_]+)*", re.UNICODE)
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


def _month_of(word: str, lang: str, original: str) -> int | None:
    months, stems, _, _ = _calendar(lang)
    w = _fold(word)
    if lang == "en" and not original[:1].isupper():
        return None  # English months are capitalised; 'may' and 'march' are verbs
    if w in months:
        return months[w]
    for stem, m in stems:
        if w.startswith(stem) and len(w) - len(stem) <= 3:
            return m
    return None


def _weekday_of(word: str, days: dict[str, int]) -> int | None:
    """Weekday number of a word; inflected forms (в среду, в пятницу) through the name's stem."""
    w = _fold(word)
    if w in days:
        return days[w]
    for name, d in sorted(days.items()):
        if len(name) >= 5 and w.startswith(name[:-1]) and len(w) - len(name) <= 2:
            return d
    return None


def _year(tok: str) -> int | None:
    if tok.isdigit() and len(tok) == 4 and 1000 <= int(tok) <= 2199:
        return int(tok)
    return None


def _day(tok: str) -> int | None:
    if tok.isdigit() and len(tok) <= 2 and 1 <= int(tok) <= 31:
        return int(tok)
    return None


_NUMERIC_DATE = re.compile(r"(?<![\d.,/-])(\d{1,4})([./-])(\d{1,2})\2(\d{2,4})(?![\d/-]|[.,]\d)")
_CLOCK = r"(?<![\d.,])(\d{1,2}):(\d{2})(?![\d:])"  # 16:30 in every language
_TIME = {
    "en": re.compile(r"(?<![\d.,])(\d{1,2})(?::(\d{2}))?\s*([ap])\.?\s?m\b\.?|" + _CLOCK, re.I),
    "de": re.compile(r"(?<![\d.,])(\d{1,2})(?:[.:](\d{2}))?\s*Uhr\b|" + _CLOCK),
    "fr": re.compile(r"(?<![\d.,])(\d{1,2})\s?(?:h\.?|heures?)(?:\s?(\d{2}))?(?!\w)"
                     r"|(?<![\d.,])(\d{1,2})[:.](\d{2})\s?(?=heures?\b)|" + _CLOCK),
    "ru": re.compile(_CLOCK),
}


def _times(text: str, lang: str) -> list[_Date]:
    out = []
    pattern = _TIME.get(lang, _TIME["ru"])
    for m in pattern.finditer(text):
        groups = [g for g in m.groups()]
        if lang == "en" and groups[0] is not None:
            hour, minute = int(groups[0]), int(groups[1] or 0)
            if hour > 12:
                continue
            hour = hour % 12 + (12 if groups[2].lower() == "p" else 0)
        else:
            nums = [g for g in groups if g is not None]
            hour, minute = int(nums[0]), int(nums[1]) if len(nums) > 1 else 0
        if hour > 24 or minute > 59:
            continue
        out.append(_Date(span=(m.start(), m.end()), text=m.group(), hour=hour, minute=minute))
    return out


#: Words before a day-month date written without its year ("on 12/11"); without one, 1/2 is a half.
_DATE_PREPOSITIONS = {"en": "on by from until till since before after", "de": "am vom bis zum seit",
                      "fr": "le du au dès depuis avant après", "ru": "с по до на к от"}
_SHORT_DATE = re.compile(r"(?<![\d.,/-])(\d{1,2})/(\d{1,2})(?![\d/]|[.,]\d)")


def _short_dates(text: str, lang: str) -> list[_Date]:
    out = []
    preps = set(_DATE_PREPOSITIONS.get(lang, "").split())
    for m in _SHORT_DATE.finditer(text):
        before = re.search(r"([^\W\d_]+)\s+$", text[:m.start()])
        after = re.match(r"\s*([^\W\d_]+)", text[m.end():])
        if before is None or before.group(1).lower() not in preps:
            continue
        if after and _month_of(after.group(1), lang, after.group(1)) is not None:
            continue  # 9/10 septembre: two days of one month
        a, b = int(m.group(1)), int(m.group(2))
        month, day = (a, b) if lang == "en" else (b, a)
        if 1 <= month <= 12 and 1 <= day <= 31:
            out.append(_Date(span=m.span(), text=m.group(), day=day, month=month))
    return out


def _numeric_dates(text: str, lang: str) -> list[_Date]:
    out = _short_dates(text, lang)
    for m in _NUMERIC_DATE.finditer(text):
        a, sep, b, c = m.group(1), m.group(2), m.group(3), m.group(4)
        if len(a) == 4:  # ISO 2022-09-21
            if sep != "-":
                continue
            year, month, day = int(a), int(b), int(c)
        else:
            if len(c) == 3:
                continue
            year = int(c) + (2000 if len(c) == 2 and int(c) < 50 else 1900 if len(c) == 2 else 0)
            # month first in American English (9/21/22), day first everywhere else (21.09.2022)
            if lang == "en" and sep == "/":
                month, day = int(a), int(b)
            else:
                day, month = int(a), int(b)
        if not (1 <= month <= 12 and 1 <= day <= 31):
            continue
        out.append(_Date(span=(m.start(), m.end()), text=m.group(), day=day, month=month, year=year))
    return out


def _word_dates(text: str, lang: str) -> list[_Date]:
    """Dates with month names: 21 сентября 2022 г., September 21, 2022, am 9. September, mai 1956;
    and weekdays. Relative dates (yesterday, вчера) are left alone."""
    toks = _tokens(text)
    _, _, days, _ = _calendar(lang)
    out: list[_Date] = []
    used: set[int] = set()
    for i, (tok, s, e) in enumerate(toks):
        if tok[0].isdigit():
            continue
        month = _month_of(tok, lang, tok)
        if month is None:
            wd = _weekday_of(tok, days)
            if wd is not None and (lang != "en" or tok[0].isupper()) and len(tok) >= 3:
                out.append(_Date(span=(s, e), text=tok, weekday=wd))
            continue
        start, end = s, e
        if s < len(text) and text[e:e + 1] == "." and len(tok) <= 5:
            end = e + 1  # an abbreviation's full stop (Sept., févr.)
        day = year = None
        j = i - 1
        if j >= 0 and j not in used and _day(toks[j][0]) and _gap(text, toks[j][2], s,
                                                                  r"(?:\.|er|-?го)?\s*"):
            day, start = _day(toks[j][0]), toks[j][1]
            used.add(j)
        elif (j >= 0 and toks[j][0].lower() in ("er", "го") and j - 1 >= 0
              and _day(toks[j - 1][0]) and _gap(text, toks[j - 1][2], toks[j][1], "-?")):
            day, start = _day(toks[j - 1][0]), toks[j - 1][1]
        k = i + 1
        if day is None and k < len(toks) and _day(toks[k][0]) and _gap(text, end, toks[k][1], r"\s*"):
            day, end = _day(toks[k][0]), toks[k][2]
            k += 1
            if k < len(toks) and toks[k][0] in ("st", "nd", "rd", "th") and toks[k][1] == end:
                end = toks[k][2]
                k += 1
        if k < len(toks) and _year(toks[k][0]) and _gap(text, end, toks[k][1], r"[\s,]*"):
            year, end = _year(toks[k][0]), toks[k][2]
            tail = re.match(r"\s*(?:г\.|года|году|г\b)", text[end:])
            if tail:
                end += tail.end()
        if day is None and year is None and (_fold(tok) in _AMBIGUOUS_MONTHS
                                             or _fold(tok) in _calendar(lang)[3]):
            continue
        out.append(_Date(span=(start, end), text=text[start:end], day=day, month=month, year=year))
    return out


def _overlaps(span: Span, spans: Iterable[Span]) -> bool:
    return any(span[0] < b and a < span[1] for a, b in spans)


def _dates(text: str, lang: str) -> list[_Date]:
    found = _numeric_dates(text, lang)
    for d in _word_dates(text, lang) + _times(text, lang):
        if not _overlaps(d.span, [x.span for x in found]):
            found.append(d)
    return sorted(found, key=lambda d: d.span)


def _word_numbers(text: str, lang: str, taken: list[Span]) -> list[_Number]:
    """Numbers written in words (three hundred thousand, триста тысяч, dreihundert)."""
    words = _number_words(lang)
    scales = _scale_words(lang)
    connectors = _CONNECTORS.get(lang, set())
    toks = [t for t in _tokens(text) if not _overlaps((t[1], t[2]), taken)]
    out: list[_Number] = []
    i = 0
    while i < len(toks):
        run: list[tuple[str, int, int, int, bool]] = []
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
            lone_one = len(run) == 1 and _fold(run[0][0]) in _ONE_ALONE_NOT_A_NUMBER
            # 'hundert Jahre' is a hundred, 'тысячи людей' (thousands) no number
            scale_only = all(sc for *_, sc in run) and not (
                len(run) == 1 and _word_form(run[0][0], lang) in _LONE_SCALES)
            if value is not None and not lone_one and not scale_only:
                s, e = run[0][1], run[-1][2]
                out.append(_Number(span=(s, e), text=text[s:e], value=Decimal(value)))
            i = j
        else:
            i += 1
    return out


def _decompose(word: str, words: dict[str, int], scales: dict[str, int], lang: str
               ) -> list[tuple[int, bool]] | None:
    """A number word as (value, multiplies) pieces; German compounds (fünfundzwanzig,
    dreihunderttausend) and French hyphenated words (vingt-cinq) are split into their words."""
    if word in words:
        return [(words[word], False)]
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


def _compose(pieces: list[tuple[int, bool]]) -> int | None:
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
            end = span[1]
            after = text[end:]
            sm = re.match(r"[\s\u00a0\u202f]*([^\W\d_]+)\.?", after)
            word = _word_form(sm.group(1), lang) if sm else ""
            if word in scales and scales[word] >= 1000:
                value = (value * scales[word]).normalize()
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


def _names(text: str, lang: str) -> list[tuple[str, int, int]]:
    """Capitalised words inside a sentence (not after . ! ? : or at the start), all-capital words
    of at most five letters (acronyms); none in languages that capitalise every noun."""
    if lang in NOUN_CAPITALISING:
        return []
    stop = _NOT_NAMES.get(lang, frozenset())
    _, _, days, _ = _calendar(lang)
    out = []
    for tok, s, e in _words(text):
        if not tok[0].isupper() or tok[0].isdigit() or len(tok) < 2:
            continue
        if tok.isupper() and not 3 <= len(tok) <= 5:
            continue  # headings in capitals; NE, SE are compass points
        lead = text[:s]
        before = lead.rstrip(" \t\"'«»“”„‘’‚‹›([{—–-")
        opened = re.search(r"(?:[«“„\"‘‚]|(?<![^\W\d_])['’])\s*$", lead)
        if not before or before[-1] in ".!?:…" or opened:
            continue  # a sentence's first word, also inside a quotation that opens here
        f = _fold(tok)
        if f in stop or f in _stopwords(lang) or _month_of(tok, lang, tok) is not None or f in days:
            continue
        out.append((tok, s, e))
    return out


@lru_cache(maxsize=None)
def _stopwords(lang: str) -> frozenset[str]:
    return frozenset(_fold(w) for w in _STOP.get(lang, "").split())


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


def _name_matches(word: str, other_tokens: Sequence[str], other_folded: str) -> bool:
    key = _name_key(word)
    if not key:
        return True
    for t in other_tokens:
        k = _name_key(t)
        if not k or k[0] != key[0]:
            continue
        if k == key:
            return True
        short = min(len(k), len(key))
        common = len(_common_prefix([k, key]))
        if short >= 3 and common >= max(3, short - 2):
            return True
    stem = _transliterate(_fold(word))
    stem = re.sub(r"['’]s$", "", stem)
    n = min(5, len(stem) - 1)
    return n >= 4 and stem[:n] in other_folded


def _negations(text: str, lang: str) -> tuple[list[Span], list[Span]]:
    """(negation cue spans, double-negation spans) of a side. A double negation ('не может не')
    counts as none; French 'ne ... que' (only) is no negation."""
    low = text.lower()
    doubles = [(m.start(), m.end()) for p in _DOUBLE_NEGATION.get(lang, [])
               for m in re.finditer(p, low)]
    excluded = [(m.start(), m.end()) for p in _NOT_NEGATION.get(lang, []) for m in re.finditer(p, low)]
    spans = sorted({(m.start(), m.end()) for p in _NEGATION.get(lang, []) for m in re.finditer(p, low)})
    cues: list[Span] = []
    for sp in spans:
        if _overlaps(sp, doubles):
            continue
        if any(a <= sp[0] and sp[1] <= b for a, b in cues):
            continue
        if lang != "fr" and any(a <= sp[0] and sp[1] <= b for a, b in excluded):
            continue
        if lang == "fr" and re.match(r"(?:ne|n['’])\b", low[sp[0]:sp[1]]) is None and \
                _overlaps(sp, excluded) and not re.search(r"\b(?:sans|jamais|aucun\w*|ni|non)\b",
                                                          low[sp[0]:sp[1]]):
            continue
        if lang == "fr" and re.match(r"(?:ne|n['’])", low[sp[0]:sp[1]]) and any(
                a == sp[0] for a, b in excluded):
            continue
        cues.append(sp)
    return cues, sorted(doubles)


def _quotes(text: str) -> list[Span]:
    """Quotation mark spans. A single quote counts only as one of a pair, an opening one at a
    word's start before a closing one at a word's end: l' est and Putin's are apostrophes."""
    marks = [(m.start(), m.end()) for m in _DOUBLE_QUOTES.finditer(text)]
    # OCR reads a low opening quote as a comma: ,The Alpine Journal '
    opens = [m for m in _SINGLE_OPEN.finditer(text)
             if m.group() != "," or text[m.end():m.end() + 1].isupper()]
    for o in opens:
        close = next((c for c in _SINGLE_CLOSE.finditer(text, o.end() + 2)), None)
        if close is not None and close.start() - o.end() >= 3:
            marks += [(o.start(), o.end()), (close.end() - 1, close.end())]
            break
    return sorted(set(marks))


# --- the checks -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Side:
    text: str
    lang: str
    dates: tuple[_Date, ...]
    numbers: tuple[_Number, ...]


def _side(text: str, lang: str) -> _Side:
    dates = _dates(text, lang)
    numbers = _numbers(text, lang, [d.span for d in dates])
    return _Side(text, lang, tuple(dates), tuple(numbers))


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
    left_s = [n for n in left_s if n.value not in r_parts]
    left_r = [n for n in left_r if n.value not in s_parts]
    for x, y in zip(left_s, left_r):
        out.append(Finding("number", "error", x.span, y.span,
                           f"source says {_num_text(x)}{_reads_as(x, src, ren, y.value)}; "
                           f"rendering says {_num_text(y)}{_reads_as(y, ren, src, x.value)}"))
    # a number word alone on one side (deux, beide, vier) is mostly a turn of phrase
    for x in [n for n in left_s[len(left_r):] if re.search(r"\d", n.text)]:
        out.append(Finding("number", "warning", x.span, None,
                           f"source says {_num_text(x)}; the rendering has no such number"))
    for y in [n for n in left_r[len(left_s):] if re.search(r"\d", n.text)]:
        out.append(Finding("number", "warning", None, y.span,
                           f"rendering says {_num_text(y)}; the source has no such number"))
    return out


def _compatible(x: _Date, y: _Date) -> bool:
    if x.what != y.what:
        return False
    fields = ("day", "month", "year", "hour", "minute", "weekday")
    return all(getattr(x, f) is None or getattr(y, f) is None or getattr(x, f) == getattr(y, f)
               for f in fields)


def _same_date(x: _Date, y: _Date) -> bool:
    fields = ("day", "month", "year", "hour", "minute", "weekday")
    return x.what == y.what and all(getattr(x, f) == getattr(y, f) for f in fields)


def check_dates(src: _Side, ren: _Side) -> list[Finding]:
    left_s, left_r, _ = _match(list(src.dates), list(ren.dates), _same_date)
    left_s, left_r, _ = _match(left_s, left_r, _compatible)
    # a date's numbers may stand as plain numbers on the other side (9. und 10. September / 9/10)
    s_nums = [n.value for n in src.numbers]
    r_nums = [n.value for n in ren.numbers]
    left_s = [d for d in left_s if not (d.numbers() and all(v in r_nums for v in d.numbers())
                                        and d.month is None)]
    left_r = [d for d in left_r if not (d.numbers() and all(v in s_nums for v in d.numbers())
                                        and d.month is None)]
    out = []
    for what in ("date", "time", "weekday"):
        xs = [d for d in left_s if d.what == what]
        ys = [d for d in left_r if d.what == what]
        for x, y in zip(xs, ys):
            out.append(Finding("date", "error", x.span, y.span,
                               f"source says {_describe_date(x)}; rendering says {_describe_date(y)}"))
        for x in xs[len(ys):]:
            if what == "date" and x.day is None and x.year is None:
                continue  # a bare month name is often paraphrased away
            out.append(Finding("date", "warning", x.span, None,
                               f"source says {_describe_date(x)}; the rendering has no such {what}"))
        for y in ys[len(xs):]:
            if what == "date" and y.day is None and y.year is None:
                continue
            out.append(Finding("date", "warning", None, y.span,
                               f"rendering says {_describe_date(y)}; the source has no such {what}"))
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


def check_names(src: _Side, ren: _Side, mt: str | None) -> list[Finding]:
    def pool(text: str) -> tuple[list[str], str]:
        return [t for t, _, _ in _words(text) if not t[0].isdigit()], _transliterate(_fold(text))

    s_tokens, s_folded = pool(src.text + (" " + mt if mt else ""))
    r_tokens, r_folded = pool(ren.text)
    # country names and the words made from them meet through CLDR's territory codes
    s_places = {c for t, _, _ in _words(src.text) if (c := _territory(t, src.lang))}
    s_places |= {c for t, _, _ in _words(mt or "") if (c := _territory(t, ren.lang))}
    r_places = {c for t in r_tokens if (c := _territory(t, ren.lang))}
    lost = [w for w in _source_names(src, ren.lang, mt) if not _name_matches(w[0], r_tokens, r_folded)
            and (_territory(w[0], src.lang) or "-") not in r_places]
    added = [w for w in _names(ren.text, ren.lang) if not _name_matches(w[0], s_tokens, s_folded)
             and (_territory(w[0], ren.lang) or "-") not in s_places]
    lost_spans, added_spans = _merge_runs(src.text, lost), _merge_runs(ren.text, added)
    out = []
    for x, y in zip(lost_spans, added_spans):
        out.append(Finding("name", "error", x, y, f"source names {src.text[x[0]:x[1]]}; "
                                                  f"rendering names {ren.text[y[0]:y[1]]}"))
    # a German word the MT left alone may be a name or an untranslated noun: alone, it says little
    unpaired = [] if src.lang in NOUN_CAPITALISING else lost_spans[len(added_spans):]
    for x in unpaired:
        out.append(Finding("name", "warning", x, None,
                           f"source names {src.text[x[0]:x[1]]}; the rendering does not"))
    for y in added_spans[len(lost_spans):]:
        out.append(Finding("name", "warning", None, y,
                           f"rendering names {ren.text[y[0]:y[1]]}; the source does not"))
    return out


def _clauses_with(text: str, spans: Sequence[Span]) -> int:
    """How many clauses (between , ; : dashes and and/but) hold a negation cue: negative concord
    (никто ничего не) is one negation, as is French ne ... pas."""
    bounds = [m.start() for m in re.finditer(
        r"[,;:—–()]|\s-|-\s|\s(?:and|but|und|aber|sondern|et|mais|и|но|а)\s", text)]
    return len({sum(1 for b in bounds if b < s) for s, _ in spans})


def check_negation(src: _Side, ren: _Side) -> list[Finding]:
    s_cues, s_double = _negations(src.text, src.lang)
    r_cues, r_double = _negations(ren.text, ren.lang)
    ns, nr = _clauses_with(src.text, s_cues), _clauses_with(ren.text, r_cues)
    if ns == nr:
        return []

    def cue(side: _Side, span: Span) -> str:
        return " ".join(side.text[span[0]:span[1]].split())

    if ns and nr:
        return [Finding("negation", "warning", s_cues[0], r_cues[0],
                        f"source negates in {ns} clauses ('{cue(src, s_cues[0])}'); rendering "
                        f"in {nr} ('{cue(ren, r_cues[0])}')")]
    if s_cues:
        extra = f" (its '{cue(ren, r_double[0])}' is a double negation)" if r_double else ""
        return [Finding("negation", "warning", s_cues[0], None,
                        f"source negates ('{cue(src, s_cues[0])}'); the rendering does not{extra}")]
    extra = f" (its '{cue(src, s_double[0])}' is a double negation)" if s_double else ""
    return [Finding("negation", "warning", None, r_cues[0],
                    f"rendering negates ('{cue(ren, r_cues[0])}'); the source does not{extra}")]


def _excerpt(text: str, span: Span, limit: int = 40) -> str:
    part = " ".join(text[span[0]:span[1]].split())
    return part if len(part) <= limit else part[:limit - 1].rstrip() + "…"


def check_quotes(src: _Side, ren: _Side) -> list[Finding]:
    s_marks, r_marks = _quotes(src.text), _quotes(ren.text)
    if bool(s_marks) == bool(r_marks):
        return []
    side, marks, name, other = (ren, r_marks, "rendering", "source") if r_marks else \
        (src, s_marks, "source", "rendering")
    span = (marks[0][0], marks[-1][1] if len(marks) > 1 else len(side.text))
    what = _excerpt(side.text, span)
    finding_span = span
    return [Finding("quote", "warning", None if r_marks else finding_span,
                    finding_span if r_marks else None,
                    f"{name} quotes {what}; the {other} has no quotation marks")]


_STOP = {
    "en": "the a an and or of to in on at by for with from as is are was were be been being this "
          "that these those it its they them their there here which who whom whose what when where "
          "will would shall should can could may might must have has had do does did not also than "
          "then into over such only very more most some any all each other about",
    "fr": "le la les un une des du de d l et ou à au aux en dans sur par pour avec sans ce cet "
          "cette ces il elle ils elles on nous vous qui que quoi dont est sont était être avoir "
          "a ont été plus très aussi comme mais leur leurs son sa ses se s",
    "de": "der die das ein eine einen einem einer und oder zu in im am an auf für mit von vom aus "
          "bei als ist sind war waren sein haben hat hatte es er sie wir ihr sich nicht auch noch "
          "sehr wie aber dem den des",
    "ru": "и в во на с со по к о об от до за из у а но же ли бы что как это этот эта эти он она "
          "они мы вы его ее её их был была были быть не так также только",
}


#: Below this share of equal words the rendering is a translation of its own rather than an edit
#: of the MT, and a word of the MT it lacks says nothing (on Text+Berg's human French against
#: Google's MT, the median share is 0.35 and nine pairs in ten would be flagged).
MT_MISSING_MIN_RATIO = 0.5


def check_mt_missing(ren: _Side, mt: str | None) -> list[Finding]:
    """Content words of the MT (four letters or more, not function words) with no counterpart
    anywhere in the rendering: one finding per run the word diff marks missing or replaced, where
    the rendering follows the MT closely enough (MT_MISSING_MIN_RATIO) for the diff to count."""
    if not mt or not ren.text.strip():
        return []
    from workbench.worddiff import diff

    d = diff(mt, ren.text)
    if d.ratio < MT_MISSING_MIN_RATIO:
        return []
    stop = _stopwords(ren.lang)
    have = {_fold(t)[:5] for t, _, _ in _words(ren.text)}
    out = []
    pos = 0
    for sp in d.mt:
        start = pos
        pos += len(sp.text)
        if sp.tag not in ("missing", "replaced"):
            continue
        words = [(t, s + start, e + start) for t, s, e in _words(sp.text)
                 if (len(t) >= 4 or t.isdigit()) and _fold(t) not in stop
                 and _fold(t)[:5] not in have]
        if not words:
            continue
        span = (words[0][1], words[-1][2])
        listed = ", ".join(dict.fromkeys(t for t, _, _ in words))
        out.append(Finding("mt-missing", "warning", None, None,
                           f"the MT has {listed}; the rendering does not", mt_span=span))
    return out


def _with_keys(findings: list[Finding], source: str, rendering: str, mt: str | None) -> list[Finding]:
    seen: dict[str, int] = {}
    out = []
    for f in findings:
        def part(text: str | None, span: Span | None) -> str:
            return text[span[0]:span[1]] if text is not None and span else ""

        key = finding_key(f.kind, part(source, f.source_span), part(rendering, f.rendering_span),
                          part(mt, f.mt_span))
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key = f"{key}-{seen[key]}"
        # one line, whatever the quoted words held (line or paragraph separators, tabs)
        out.append(Finding(f.kind, f.severity, f.source_span, f.rendering_span,
                           " ".join(f.explanation.split()), f.mt_span, key))
    return out


def check_pair(source: str, rendering: str, *, src_lang: str, tgt_lang: str, mt: str | None = None,
               kinds: Sequence[str] = KINDS) -> list[Finding]:
    """Every finding of the asked `kinds` between `source` and its `rendering` (and the MT of the
    source, where there is one), in KINDS order and then by position. Offsets are into the given
    texts. An empty side gives no findings: a sentence with no counterpart is the aligner's matter."""
    if not source.strip() or not rendering.strip():
        return []
    src, ren = _side(source, _lang(src_lang)), _side(rendering, _lang(tgt_lang))
    found: list[Finding] = []
    for kind in KINDS:
        if kind not in kinds:
            continue
        if kind == "number":
            found += check_numbers(src, ren)
        elif kind == "date":
            found += check_dates(src, ren)
        elif kind == "name":
            found += check_names(src, ren, mt)
        elif kind == "negation":
            found += check_negation(src, ren)
        elif kind == "quote":
            found += check_quotes(src, ren)
        elif kind == "mt-missing":
            found += check_mt_missing(ren, mt)
    return _with_keys(found, source, rendering, mt)


def unresolved(findings: Iterable[Finding], dismissals: Iterable[Dismissal]) -> list[Finding]:
    """The findings no dismissal covers (same kind and key)."""
    gone = {(d.kind, d.key) for d in dismissals}
    return [f for f in findings if (f.kind, f.key) not in gone]


# --- pairs' PO files ------------------------------------------------------------------------------

@dataclass(frozen=True)
class BeadFindings:
    """The findings of one bead of a pair file, with the dismissals its comments carry."""

    key: str
    findings: tuple[Finding, ...]
    dismissals: tuple[Dismissal, ...]

    def dismissal(self, finding: Finding) -> Dismissal | None:
        for d in self.dismissals:
            if (d.kind, d.key) == (finding.kind, finding.key):
                return d
        return None


def check_records(records: Iterable, *, src_lang: str, tgt_lang: str,
                  kinds: Sequence[str] = KINDS) -> list[BeadFindings]:
    """Findings for every record (workbench.store.Record) with both sides, in record order; the
    dismissals are read from the records' annotations (`check-dismissed KIND KEY: reason`)."""
    out = []
    for r in records:
        if not r.source or not r.target:
            continue
        findings = check_pair(r.source_text, r.rendering_text, src_lang=src_lang, tgt_lang=tgt_lang,
                              mt=r.mt, kinds=kinds)
        dismissals = tuple(d for a in r.annotations if (d := Dismissal.from_comment(a.text)))
        if findings or dismissals:
            out.append(BeadFindings(r.key, tuple(findings), dismissals))
    return out


def po_entry_lines(text: str) -> dict[str, int]:
    """Line (1-based) of each entry's msgctxt in PO text, by the bead key that ends it."""
    out = {}
    for n, line in enumerate(text.split("\n"), 1):
        m = re.match(r'^msgctxt ".*\|(s[\d,]*:t[\d,]*)"$', line)
        if m:
            out.setdefault(m[1], n)
    return out

"""Dates, times of day and weekdays on both sides of a bead.

This module owns reading calendar dates (numeric, ISO, and with month names from CLDR plus the
forms it lacks), times of day (16:30, 4 p.m., 16 Uhr, 16 h 30) and weekdays, and the date check that
compares the two sides' dates (a different date, time or weekday, or one on one side only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

from workbench.check.findings import Finding, Span
from workbench.check.text import (
    _common_prefix,
    _fold,
    _gap,
    _locale,
    _match,
    _overlaps,
    _tokens,
)

if TYPE_CHECKING:
    from workbench.check.side import _Side

#: Month forms CLDR does not list (it has the format and stand-alone cases only).
_EXTRA_MONTHS: dict[str, dict[str, int]] = {
    "ru": {"мае": 5, "марте": 3},
    "de": {"jänner": 1, "maerz": 3},
}
#: Month words that are also common words: dates only next to a day or a year.
_AMBIGUOUS_MONTHS = frozenset({"may", "march", "mars", "mai", "august", "jun", "jan", "mar", "sept",
                               "juli", "juni"})


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


def _dates(text: str, lang: str) -> list[_Date]:
    found = _numeric_dates(text, lang)
    for d in _word_dates(text, lang) + _times(text, lang):
        if not _overlaps(d.span, [x.span for x in found]):
            found.append(d)
    return sorted(found, key=lambda d: d.span)


def _compatible(x: _Date, y: _Date) -> bool:
    if x.what != y.what:
        return False
    fields = ("day", "month", "year", "hour", "minute", "weekday")
    return all(getattr(x, f) is None or getattr(y, f) is None or getattr(x, f) == getattr(y, f)
               for f in fields)


def _same_date(x: _Date, y: _Date) -> bool:
    fields = ("day", "month", "year", "hour", "minute", "weekday")
    return x.what == y.what and all(getattr(x, f) == getattr(y, f) for f in fields)


def _told(d: _Date, other: _Side) -> bool:
    """Whether the other side gives every part of a date, spread out: the day as a number and the
    month in another of its dates (am 11. Juli / le 10 juillet ... le 11)."""
    if d.what != "date" or d.month is None:
        return False
    numbers = {n.value for n in other.numbers} | {v for o in other.dates for v in o.numbers()}
    return any(o.month == d.month for o in other.dates) and all(
        v in numbers for v in d.numbers())


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
            if what == "date" and x.day is None and x.year is None or _told(x, ren):
                continue  # a bare month name is often paraphrased away
            out.append(Finding("date", "note", x.span, None,
                               f"source says {_describe_date(x)}; the rendering has no such {what}"))
        for y in ys[len(xs):]:
            if what == "date" and y.day is None and y.year is None or _told(y, src):
                continue
            out.append(Finding("date", "note", None, y.span,
                               f"rendering says {_describe_date(y)}; the source has no such {what}"))
    return out

"""One side of a bead as the checks read it.

This module owns _Side: a side's text and language with its dates and numbers read once, as the
number and date checks each look at both.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.check.dates import _Date, _dates
from workbench.check.numbers import _Number, _numbers


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

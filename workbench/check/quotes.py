"""Quotation marks on both sides of a bead.

This module owns finding quotation marks (double ones of every language; single ones only as a
pair, so apostrophes do not count) and the quote check (one side quotes, the other has no marks;
a rendering that reports on its source quotes it by nature, so its own marks are no finding).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from workbench.check.findings import Finding, Span

if TYPE_CHECKING:
    from workbench.check.side import _Side

#: Double quotation marks of every language; single ones are handled in _quotes (apostrophes).
_DOUBLE_QUOTES = re.compile(r"[«»“”„‟‹›\"]")
_SINGLE_OPEN = re.compile(r"(?<![\w])['‘‚,](?=[^\W\d_])")
_SINGLE_CLOSE = re.compile(r"(?<=[^\W\d_.,!?…])\s?['’](?![\w])|(?<=[.,!?…])['’](?![\w])")


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


def _excerpt(text: str, span: Span, limit: int = 40) -> str:
    part = " ".join(text[span[0]:span[1]].split())
    return part if len(part) <= limit else part[:limit - 1].rstrip() + "…"


def check_quotes(src: _Side, ren: _Side, reporting: bool = False) -> list[Finding]:
    """A warning where one side has quotation marks and the other none. `reporting`: the rendering
    reports on the source (workbench.store.PairFile.reporting), and quotation marks are how it
    quotes it: marks on the rendering side alone are then no finding."""
    s_marks, r_marks = _quotes(src.text), _quotes(ren.text)
    if bool(s_marks) == bool(r_marks) or (reporting and r_marks):
        return []
    side, marks, name, other = (ren, r_marks, "rendering", "source") if r_marks else \
        (src, s_marks, "source", "rendering")
    span = (marks[0][0], marks[-1][1] if len(marks) > 1 else len(side.text))
    what = _excerpt(side.text, span)
    finding_span = span
    return [Finding("quote", "warning", None if r_marks else finding_span,
                    finding_span if r_marks else None,
                    f"{name} quotes {what}; the {other} has no quotation marks")]

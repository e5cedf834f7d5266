"""Word-level differences between a machine translation and a human rendering of the same source.

The pair page marks which words of the MT the rendering kept, which it replaced, which it dropped
and which it added. This module owns the tokenisation (words and punctuation, each token keeping
the whitespace that follows it so the texts can be rebuilt exactly) and the comparison (difflib over
case-folded tokens). The result is plain data: one list of spans per side, each span a text and one
of the tags in TAGS; the web view turns the tags into <mark>, <del> and <ins>.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

#: equal = the same word on both sides; replaced = a word stands where the other side has other
#: words; missing = an MT word with no counterpart in the rendering; added = a rendering word with no
#: counterpart in the MT.
TAGS = ("equal", "replaced", "missing", "added")

_TOKEN = re.compile(r"(\w+(?:['’-]\w+)*|[^\w\s])(\s*)", re.UNICODE)


@dataclass(frozen=True)
class Span:
    """A run of tokens with one tag; `text` includes the whitespace after each token."""

    text: str
    tag: str


@dataclass(frozen=True)
class WordDiff:
    """Both sides as spans; joining the texts of `mt` gives the MT back, likewise `rendering`."""

    mt: tuple[Span, ...]
    rendering: tuple[Span, ...]
    #: Share of tokens of both sides that are equal, in [0, 1]: a rough "how close" figure.
    ratio: float


def tokens(text: str) -> list[str]:
    """Tokens with their trailing whitespace; leading whitespace is kept on the first token."""
    out: list[str] = []
    lead = len(text) - len(text.lstrip())
    for m in _TOKEN.finditer(text):
        out.append(m.group(0))
    if out and lead:
        out[0] = text[:lead] + out[0]
    if "".join(out) != text:
        # Characters the pattern does not cover (there should be none): keep the text whole.
        return [text] if text else []
    return out


def _key(token: str) -> str:
    return token.strip().casefold()


def _spans(toks: list[str], tag: str) -> list[Span]:
    return [Span("".join(toks), tag)] if toks else []


def _merge(spans: list[Span]) -> tuple[Span, ...]:
    out: list[Span] = []
    for s in spans:
        if out and out[-1].tag == s.tag:
            out[-1] = Span(out[-1].text + s.text, s.tag)
        else:
            out.append(s)
    return tuple(out)


def diff(mt: str, rendering: str) -> WordDiff:
    """Compare `mt` with `rendering` word by word (case-insensitive)."""
    a, b = tokens(mt), tokens(rendering)
    matcher = difflib.SequenceMatcher(None, [_key(t) for t in a], [_key(t) for t in b],
                                      autojunk=False)
    left: list[Span] = []
    right: list[Span] = []
    equal = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            equal += i2 - i1
            left += _spans(a[i1:i2], "equal")
            right += _spans(b[j1:j2], "equal")
        elif op == "replace":
            left += _spans(a[i1:i2], "replaced")
            right += _spans(b[j1:j2], "replaced")
        elif op == "delete":
            left += _spans(a[i1:i2], "missing")
        else:
            right += _spans(b[j1:j2], "added")
    total = len(a) + len(b)
    ratio = round(2 * equal / total, 4) if total else 1.0
    return WordDiff(mt=_merge(left), rendering=_merge(right), ratio=ratio)

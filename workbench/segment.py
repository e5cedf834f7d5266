"""Sentence segmentation with character offsets, per language.

This module owns turning a document's text into Sentence records (see `workbench.corpus`) whose
`text` is always exactly `original[start:end]`, so any later stage can show the original. The work
is done in three layers: the text is cut into paragraphs (blocks separated by blank lines) and, where
a paragraph is a stack of separate lines (a headline over a photo caption), into lines; each piece is
split by a language's splitter (razdel for Russian and its Cyrillic neighbours, pysbd for the
languages it supports, a small rule-based splitter for the rest); the splitter's output is then
repaired so that quotations spanning several sentences are cut at their sentence ends, quote marks
stay with the sentence they open or close, and nothing of the text is dropped.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from typing import Iterator

from workbench.corpus import Sentence, check_language

#: Languages split by razdel. razdel's rules are written for Russian; Ukrainian and Belarusian share
#: its punctuation and abbreviation habits closely enough that it beats the generic rules there.
RAZDEL_LANGUAGES = frozenset({"ru", "uk", "be"})

#: Languages pysbd 0.3.4 has rules for (its own `ru` is not used: razdel is better at Russian).
PYSBD_LANGUAGES = frozenset({
    "am", "ar", "bg", "da", "de", "el", "en", "es", "fa", "fr", "hi", "hy", "it", "ja", "kk", "mr",
    "my", "nl", "pl", "sk", "ur", "zh",
})

# Double quotation marks of all the usual styles. pysbd refuses to split inside them, which glues a
# quotation of several sentences into one; they are hidden from it (replaced by spaces, so offsets
# do not move) and put back afterwards.
_DOUBLE_QUOTES = '"“”„‟«»❝❞〝〞＂'
_MASK = str.maketrans({q: " " for q in _DOUBLE_QUOTES})
# Marks that open something and so belong to the sentence after them when they stand alone.
_OPENERS = set("“„‟«‚‹‘([{❝〝¿¡")
# A line ending in one of these continues on the next line: the paragraph is wrapped prose.
_CONTINUATION_END = re.compile(r"[,;(\[/\-‐‑–—]$")
_TERMINAL = "。！？"  # sentence ends that need no following space


def segmenter_name(lang: str) -> str:
    """Which splitter `segment` uses for a language: 'razdel', 'pysbd' or 'rules'."""
    code = check_language(lang)
    if code in RAZDEL_LANGUAGES:
        return "razdel"
    if code in PYSBD_LANGUAGES:
        return "pysbd"
    return "rules"


def segment(text: str, lang: str) -> list[Sentence]:
    """Split `text` into sentences. Raises LanguageError for an unknown language code.

    Sentences never cross a paragraph boundary (a blank line). Inside a paragraph whose line breaks
    are not wrapping (no line ends mid-phrase, none starts in lower case), every line stands on its
    own, so a headline or a credit line without a full stop is a sentence of its own.
    """
    code = check_language(lang)
    name = segmenter_name(code)
    spans: list[tuple[int, int, int]] = []
    for p_index, (p_start, p_end) in enumerate(_paragraphs(text)):
        block = text[p_start:p_end]
        lines = _line_spans(block)
        if len(lines) > 1 and not _is_wrapped(block, lines):
            units = [(p_start + s, p_start + e) for s, e in lines]
        else:
            units = [(p_start, p_end)]
        for u_start, u_end in units:
            for s, e in _split_unit(text[u_start:u_end], code, name):
                spans.append((u_start + s, u_start + e, p_index))
    return _sentences(text, spans)


def segment_lines(text: str) -> list[Sentence]:
    """Sentences of presegmented text: one per non-blank line, surrounding whitespace excluded.

    Paragraphs are counted as in `segment` (blocks separated by blank lines), so the records of a
    presegmented file and of a segmented one look alike.
    """
    spans: list[tuple[int, int, int]] = []
    for p_index, (p_start, p_end) in enumerate(_paragraphs(text)):
        for s, e in _line_spans(text[p_start:p_end]):
            spans.append((p_start + s, p_start + e, p_index))
    return _sentences(text, spans)


# --- paragraphs and lines ---


def _sentences(text: str, spans: list[tuple[int, int, int]]) -> list[Sentence]:
    out = []
    line, counted = 1, 0  # line numbers counted incrementally: spans come in text order
    for i, (s, e, p) in enumerate(spans):
        line += text.count("\n", counted, s)
        counted = s
        out.append(Sentence(index=i, text=text[s:e], start=s, end=e, paragraph=p, line=line))
    return out


def _lines(text: str) -> list[tuple[int, int] | None]:
    """(start, end) of each line without the whitespace at its ends; None for a blank line."""
    out: list[tuple[int, int] | None] = []
    pos = 0
    for raw in text.split("\n"):
        s, e = _strip(raw, 0, len(raw))
        out.append((pos + s, pos + e) if s < e else None)
        pos += len(raw) + 1
    return out


def _line_spans(text: str) -> list[tuple[int, int]]:
    return [span for span in _lines(text) if span is not None]


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each block of non-blank lines, surrounding whitespace excluded."""
    out: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    for span in _lines(text):
        if span is None:
            if current is not None:
                out.append(current)
                current = None
        else:
            current = span if current is None else (current[0], span[1])
    if current is not None:
        out.append(current)
    return out


def _is_wrapped(block: str, lines: list[tuple[int, int]]) -> bool:
    """True when the paragraph's line breaks fall inside sentences (hard-wrapped prose)."""
    for (s1, e1), (s2, _e2) in zip(lines, lines[1:]):
        if _CONTINUATION_END.search(block[s1:e1]):
            return True
        first = _first_letter(block, s2, len(block))
        if first is not None and first.islower():
            return True
    return False


def _first_letter(text: str, start: int, end: int) -> str | None:
    """The first alphanumeric character at or after `start`, skipping only punctuation."""
    for c in text[start:end]:
        if c.isalnum():
            return c
        if c.isspace():
            return None
    return None


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# --- splitting one unit (a line, or a whole paragraph of wrapped prose) ---


def _split_unit(unit: str, code: str, name: str) -> list[tuple[int, int]]:
    flat = unit.replace("\n", " ").replace("\r", " ")
    if name == "pysbd":
        masked = flat.translate(_MASK)
        pieces = []
        for c_start, c_end in _chunks(masked):
            pieces += [(c_start + s, c_start + e)
                       for s, e in _pysbd_spans(masked[c_start:c_end], code)]
        pieces = _tight(masked, pieces)
        pieces = _merge_lowercase_starts(masked, pieces)
    elif name == "razdel":
        pieces = _tight(flat, _razdel_spans(flat))
    else:
        pieces = _tight(flat, _rule_spans(flat))
    pieces = _reattach_quotes(flat, pieces)
    pieces = _cover(flat, pieces)
    return _merge_punctuation_only(flat, pieces)


def _tight(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    for s, e in spans:
        s, e = _strip(text, s, e)
        if s < e:
            out.append((s, e))
    return out


# pysbd's time grows faster than linearly with the length of its input (a 65,000-character paragraph
# takes ten seconds), so long units are cut first, every 2000 characters or so, where a sentence all
# but certainly ends: after a lower-case word of five letters or more and . ! or ?, before a capital.
# Abbreviations are rarely that long and lower case ("approx." is one of the few).
_CHUNK = 2000
_SAFE_END = re.compile(r"(?<=[^\W\d_]{5}[.!?])\s+(?=[^\W\d_])")


def _chunks(text: str) -> list[tuple[int, int]]:
    if len(text) <= _CHUNK:
        return [(0, len(text))]
    out = []
    start = 0
    for m in _SAFE_END.finditer(text):
        word_end = m.start() - 1
        if m.end() - start < _CHUNK or not text[m.end()].isupper():
            continue
        if not text[word_end - 5:word_end].islower():
            continue
        out.append((start, m.start()))
        start = m.end()
    out.append((start, len(text)))
    return out


def _razdel_spans(text: str) -> list[tuple[int, int]]:
    import razdel

    return [(s.start, s.stop) for s in razdel.sentenize(text)]


@lru_cache(maxsize=None)
def _pysbd_segmenter(code: str):
    import pysbd

    return pysbd.Segmenter(language=code, clean=False, char_span=True)


def _pysbd_spans(text: str, code: str) -> list[tuple[int, int]]:
    """pysbd's sentences as offsets into `text`.

    pysbd's own spans are trusted only where they reproduce the text in order; its span search is
    known to land on the first occurrence of a repeated sentence. Otherwise each sentence is
    placed by counting its non-space characters forward from the end of the previous one, which
    holds whatever pysbd did to the whitespace.
    """
    spans = _pysbd_segmenter(code).segment(text)
    out: list[tuple[int, int]] = []
    pos = 0
    for span in spans:
        if span.start >= pos and text[span.start:span.end] == span.sent:
            out.append((span.start, span.end))
            pos = span.end
            continue
        located = _locate_by_characters(text, pos, span.sent)
        if located is None:
            # pysbd changed characters, not just whitespace: its split cannot be mapped back.
            return _rule_spans(text)
        out.append(located)
        pos = located[1]
    return out


def _locate_by_characters(text: str, pos: int, sentence: str) -> tuple[int, int] | None:
    wanted = [c for c in sentence if not c.isspace()]
    if not wanted:
        return (pos, pos)
    i = pos
    start = None
    k = 0
    while i < len(text) and k < len(wanted):
        c = text[i]
        if not c.isspace():
            if c != wanted[k]:
                return None
            if start is None:
                start = i
            k += 1
        i += 1
    if k < len(wanted) or start is None:
        return None
    return (start, i)


# Rule-based splitting for languages neither library covers: a sentence ends at . ! ? or an ellipsis
# (closing quotes and brackets included, French « » also after a space) before a space and a word that does not start in lower
# case, unless the word before the full stop is a single letter (an initial) or holds inner full
# stops (an abbreviation such as "t.j."). CJK full stops end a sentence without a following space.
_RULE_END = re.compile(r"(?:[.!?…]+|[。！？]+)[\"'”’“‘»›)\]」』]*(?:[ \u00a0\u202f]+[»›])?")


def _rule_spans(text: str) -> list[tuple[int, int]]:
    cuts = [0]
    for m in _RULE_END.finditer(text):
        end = m.end()
        if end >= len(text):
            continue
        ends_cjk = any(c in _TERMINAL for c in m.group())
        if not ends_cjk:
            if not text[end].isspace():
                continue
            nxt = _first_letter(text, _strip(text, end, len(text))[0], len(text))
            if nxt is not None and nxt.islower():
                continue
            if m.group() == "." and _looks_abbreviated(text, m.start()):
                continue
        cuts.append(end)
    cuts.append(len(text))
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if a < b]


def _looks_abbreviated(text: str, dot: int) -> bool:
    start = dot
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    word = text[start:dot].lstrip("\"'“„«([")
    return (len(word) == 1 and word.isalpha()) or ("." in word and any(c.isalpha() for c in word))


# --- repairs common to all splitters ---


def _merge_lowercase_starts(text: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Undo cuts before a lower-case word: with the quotes hidden, pysbd cuts '"Stop!" he said'."""
    out: list[tuple[int, int]] = []
    for s, e in pieces:
        first = _first_letter(text, s, e)
        if out and first is not None and first.islower():
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _reattach_quotes(text: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Give quote marks touching a sentence to it: closing ones first, then opening ones."""
    ends = []
    for s, e in pieces:
        while e < len(text) and text[e] in _DOUBLE_QUOTES:
            e += 1
        ends.append((s, e))
    out = []
    prev_end = 0
    for s, e in ends:
        while s > prev_end and text[s - 1] in _DOUBLE_QUOTES:
            s -= 1
        out.append((s, e))
        prev_end = e
    return out


def _cover(text: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Make every non-space character belong to a sentence.

    Whatever a splitter left between two sentences (a quote mark standing apart, as in French
    « ... », or a stray bracket) goes to the following sentence if it opens something, else to the
    preceding one.
    """
    if not pieces:
        s, e = _strip(text, 0, len(text))
        return [(s, e)] if s < e else []
    out = [list(p) for p in pieces]
    bounds = [0] + [e for _, e in pieces]
    starts = [s for s, _ in pieces] + [len(text)]
    for i in range(len(bounds)):
        gap_s, gap_e = _strip(text, bounds[i], starts[i])
        if gap_s >= gap_e:
            continue
        gap = text[gap_s:gap_e]
        to_next = i < len(pieces) and (i == 0 or gap[0] in _OPENERS)
        if to_next:
            out[i][0] = gap_s
        else:
            out[i - 1][1] = gap_e
    return [(s, e) for s, e in out]


def _merge_punctuation_only(text: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A 'sentence' with no letter or digit (a lone quote mark, a dash) joins its neighbour."""
    out: list[tuple[int, int]] = []
    pending: int | None = None  # start of punctuation waiting for a following sentence
    for s, e in pieces:
        if not any(c.isalnum() for c in text[s:e]):
            if out:
                out[-1] = (out[-1][0], e)
            elif pending is None:
                pending = s
            continue
        if pending is not None:
            s, pending = pending, None
        out.append((s, e))
    if pending is not None:
        # nothing but punctuation in the whole unit: keep it rather than lose it
        out.append((pending, pieces[-1][1]))
    return out


def segment_in_pieces(text: str, lang: str, first: int = 4096) -> Iterator[list[Sentence]]:
    """segment(text, lang) in pieces cut at empty lines, the first about `first` characters and each
    later one 16 times the one before: the records are exactly those of segment(text, lang), since
    sentences never cross a blank line and every paragraph gives at least one sentence."""
    start, size, index, paragraph, line = 0, first, 0, 0, 0
    while start < len(text):
        cut = text.find("\n\n", start + size) if len(text) - start > 2 * size else -1
        end = len(text) if cut < 0 else cut + 1
        piece = segment(text[start:end], lang)
        yield [replace(s, index=s.index + index, start=s.start + start, end=s.end + start,
                       paragraph=s.paragraph + paragraph, line=s.line + line) for s in piece]
        if piece:
            index, paragraph = index + len(piece), paragraph + piece[-1].paragraph + 1
        line += text.count("\n", start, end)
        start, size = end, size * 16

"""Sentence alignment of a source with a rendering that may only partly reproduce it.

This module owns the bead types (Bead, Alignment), the similarity signals that score a candidate bead
(a span of source sentences against a span of rendering sentences), and the two searches over them:
a banded dynamic programme for full translations in the same order ("monotone") and a candidate
search for reporting that quotes or paraphrases some source sentences anywhere, in any order, among
sentences of its own ("partial"). Candidates always come from an inverted index of character
n-grams and anchors, never from all N x M sentence pairs, so long documents stay fast.

Scoring is a weighted mean of scorer objects (`Scorer`): each gives a value in [0, 1] for a candidate
(src span, tgt span), or None when it has nothing to say; a new signal is one more scorer in the list.
"""

from __future__ import annotations

import math
import re
import unicodedata
from bisect import bisect_left
from sys import intern
from dataclasses import dataclass, field
from typing import Protocol, Sequence

from workbench.errors import InputError


@dataclass(frozen=True)
class Bead:
    """An aligned unit: source sentence ids, rendering sentence ids (0-based, ascending, either may be
    empty), a score in [0, 1] where low means "look here first", and the method that produced it."""

    source: tuple[int, ...]
    target: tuple[int, ...]
    score: float
    method: str

    @property
    def kind(self) -> str:
        return f"{len(self.source)}-{len(self.target)}"


@dataclass
class Alignment:
    """Beads in display order, plus the settings that produced them (recorded in PO headers)."""

    beads: list[Bead]
    settings: dict[str, str] = field(default_factory=dict)


MODES = ("auto", "monotone", "partial")

#: Bead shapes with sentences on both sides that the searches consider, and their prior penalty.
#: Merges cost a little so that a split is preferred when it explains the text as well.
BEAD_TYPES: tuple[tuple[int, int], ...] = ((1, 1), (1, 2), (2, 1), (2, 2), (1, 3), (3, 1))

#: The monotone search also tries the larger shapes that OCR-split sentences and free renderings
#: produce (2-3, 3-2, 1-4, 4-1, 3-3); on the Text+Berg development article they are 5% of the links.
MONOTONE_SHAPES: tuple[tuple[int, int], ...] = BEAD_TYPES + ((2, 3), (3, 2), (1, 4), (4, 1), (3, 3))


# --- text features -------------------------------------------------------------------------------

_CYRILLIC = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґў",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r",
     "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya", "i", "yi",
     "ye", "g", "u"]))

_MONTHS = {
    # ru (nominative and genitive stems), en, de, fr, abbreviations
    1: ("январ", "january", "jan", "januar", "janvier", "janv"),
    2: ("феврал", "february", "feb", "februar", "février", "fevrier", "févr", "fevr"),
    3: ("март", "марта", "march", "mar", "märz", "marz", "mars"),
    4: ("апрел", "april", "apr", "avril"),
    5: ("май", "мая", "may", "mai"),
    6: ("июн", "june", "jun", "juni", "juin"),
    7: ("июл", "july", "jul", "juli", "juillet"),
    8: ("август", "august", "aug", "août", "aout"),
    9: ("сентябр", "september", "sept", "sep", "septembre"),
    10: ("октябр", "october", "oct", "oktober", "octobre"),
    11: ("ноябр", "november", "nov", "novembre"),
    12: ("декабр", "december", "dec", "dezember", "décembre", "decembre", "déc"),
}
_MONTH_WORDS: dict[str, int] = {}
_MONTH_STEMS: list[tuple[str, int]] = []
for _m, _names in _MONTHS.items():
    for _n in _names:
        if _n[0] in "абвгдежзийклмнопрстуфхцчшщэюя" and len(_n) >= 5:
            _MONTH_STEMS.append((_n, _m))
        else:
            _MONTH_WORDS[_n] = _m

_WORD = re.compile(r"\w+", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_QUOTED = re.compile(r"[«\"“„'‘‹]([^«»\"“”„'‘’‹›]{8,}?)[»\"”“'’›]")


def transliterate(text: str) -> str:
    """Cyrillic to Latin letters (a simple reversible-enough scheme for matching names, not display)."""
    return "".join(_CYRILLIC.get(c, c) for c in text)


def normalize(text: str) -> str:
    """Lowercase, Latin letters without accents, punctuation to spaces: what the n-grams are taken of.
    OCR noise (stray punctuation, broken hyphenation) mostly disappears here."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = transliterate(text.replace("й", "й"))
    return " ".join(w for w in _WORD.findall(text.replace("_", " ")))


def _month(word: str) -> int | None:
    w = word.lower().rstrip(".")
    if w in _MONTH_WORDS:
        return _MONTH_WORDS[w]
    for stem, m in _MONTH_STEMS:
        if w.startswith(stem):
            return m
    return None


def _skeleton(word: str) -> str:
    """Consonants only, so that transliteration variants meet (rossi/russi, shoig/shoyg)."""
    return "".join(c for c in word if c not in "aeiouy") or word


def anchors_of(text: str, names: bool = True) -> frozenset[str]:
    """Model-free anchors: numbers (with digit grouping removed), day-month dates in any of the known
    languages, and (with `names`) capitalised words inside a sentence, transliterated to Latin letters.
    Names are off for German, where every noun is capitalised."""
    out: set[str] = set()
    for m in _NUMBER.finditer(text):
        digits = re.sub(r"[.,](?=\d{3}\b)", "", m.group())
        out.add("#" + digits.replace(",", "."))
    words = re.findall(r"[^\W\d_]+\.?|\d+", text)
    for k, w in enumerate(words):
        month = _month(w) if len(w) >= 3 else None
        if month is None:
            continue
        for near in words[max(0, k - 2):k] + words[k + 1:k + 3]:
            if near.isdigit() and len(near) <= 2 and 1 <= int(near) <= 31:
                out.add(f"@{month}-{int(near)}")
        out.add(f"@{month}")
    if names:
        for m in re.finditer(r"[^\W\d_][^\W\d_'’-]{2,}", text):
            # sentence-initial capitals say nothing; a name keeps its first five letters so that
            # case endings (Путина, Putin's) still meet
            before = text[:m.start()].rstrip(" \"«“„'‘(—-")
            if (m.group()[0].isupper() and before and before[-1] not in ".!?:"
                    and _month(m.group()) is None):
                out.add("$" + _skeleton(normalize(m.group())[:5]))
    return frozenset(out)


def quoted_parts(text: str) -> list[str]:
    """Text inside quotation marks (at least a few words), normalised. A quotation opened and not
    closed in the sentence (one that runs over several sentences) counts up to the sentence end."""
    parts = [q for q in _QUOTED.findall(text) if len(q.split()) >= 2]
    rest = _QUOTED.sub(" ", text)
    opened = re.search(r"[«\"“„]([^«»\"“”„]{8,})$", rest.strip())
    if opened and len(opened.group(1).split()) >= 2:
        parts.append(opened.group(1))
    return [normalize(q) for q in parts]


def ngram_counts(norm: str, n: int = 3) -> dict[str, int]:
    """Character n-grams of each word padded with spaces, with their counts."""
    out: dict[str, int] = {}
    for w in norm.split():
        w = f" {w} "
        for k in range(max(1, len(w) - n + 1)):
            # interned: the same n-gram recurs in thousands of sentences of a long document
            g = intern(w[k:k + n])
            out[g] = out.get(g, 0) + 1
    return out


def word_counts(norm: str) -> dict[str, int]:
    """Words with their counts."""
    out: dict[str, int] = {}
    for w in norm.split():
        w = intern(w)
        out[w] = out.get(w, 0) + 1
    return out


def ngrams(norm: str, n: int = 3) -> frozenset[str]:
    """Distinct character n-grams of each word padded with spaces (so short words count too)."""
    out: set[str] = set()
    for w in norm.split():
        w = f" {w} "
        for k in range(max(1, len(w) - n + 1)):
            out.add(intern(w[k:k + n]))
    return frozenset(out)


#: Merged spans cached per side. The searches move forward through both documents and ask for the
#: same span only while they are near it, so the cache is emptied when it reaches this size: memory
#: stays bounded on long documents (each entry holds a span's n-gram counts) at the price of
#: recomputing the few spans still in use.
SPAN_CACHE_LIMIT = 4096


class Side:
    """Features of one side's sentences, with spans of merged sentences cached on demand."""

    def __init__(self, texts: Sequence[str], n: int = 3, names: bool = True) -> None:
        self.texts = list(texts)
        self.norm = [normalize(t) for t in self.texts]
        self.grams = [ngrams(t, n) for t in self.norm]
        self.lengths = [len(t) for t in self.norm]
        self.anchors = [anchors_of(t, names) for t in self.texts]
        self.quotes = [quoted_parts(t) for t in self.texts]
        self.n = n
        self.counts = [ngram_counts(t, n) for t in self.norm]
        self._cache: dict[tuple[int, int], tuple[frozenset[str], int, frozenset[str]]] = {}
        self._orders: dict[int, list[dict[str, int]]] = {n: self.counts}
        self._count_cache: dict[tuple[int, int, int], tuple[dict[str, int], int]] = {}

    def span_counts(self, start: int, end: int, n: int | None = None) -> tuple[dict[str, int], int]:
        """Counts of the character n-grams (of order `n`, default the side's; 0 for whole words) of
        sentences start..end-1 taken together, and their total."""
        n = self.n if n is None else n
        key = (start, end, n)
        got = self._count_cache.get(key)
        if got is None:
            per = self._orders.get(n)
            if per is None:
                per = [word_counts(t) if n == 0 else ngram_counts(t, n) for t in self.norm]
                self._orders[n] = per
            if end - start == 1:
                merged = per[start]
            else:
                merged = {}
                for c in per[start:end]:
                    for g, v in c.items():
                        merged[g] = merged.get(g, 0) + v
            got = (merged, sum(merged.values()))
            if len(self._count_cache) >= SPAN_CACHE_LIMIT:
                self._count_cache.clear()
            self._count_cache[key] = got
        return got

    def __len__(self) -> int:
        return len(self.texts)

    def span(self, start: int, end: int) -> tuple[frozenset[str], int, frozenset[str]]:
        """(n-grams, length, anchors) of sentences start..end-1 taken together."""
        if end - start == 1:
            return self.grams[start], self.lengths[start], self.anchors[start]
        key = (start, end)
        got = self._cache.get(key)
        if got is None:
            got = (frozenset().union(*self.grams[start:end]),
                   sum(self.lengths[start:end]) + end - start - 1,
                   frozenset().union(*self.anchors[start:end]))
            if len(self._cache) >= SPAN_CACHE_LIMIT:
                self._cache.clear()
            self._cache[key] = got
        return got


@dataclass
class PairView:
    """What scorers see: the side compared with the rendering (the MT of the source when there is
    one, else the source itself), the rendering, and the expected length ratio rendering/compared;
    with MT also the source itself and the length ratio rendering/source."""

    cmp: Side
    tgt: Side
    ratio: float
    src: Side | None = None
    src_ratio: float = 1.0


# --- scorers -------------------------------------------------------------------------------------

class Scorer(Protocol):
    """One signal. `score` gives a value in [0, 1] for source span s0..s1-1 against rendering span
    t0..t1-1, or None when the signal does not apply (e.g. neither side has a number)."""

    name: str

    def score(self, view: PairView, s0: int, s1: int, t0: int, t1: int) -> float | None: ...


class NgramScorer:
    """Dice coefficient of the distinct character n-grams of both spans: with MT a chrF-like measure
    of how well the MT and the rendering agree, without MT a measure of shared names, numbers and
    cognates."""

    name = "ngram"

    def score(self, view: PairView, s0: int, s1: int, t0: int, t1: int) -> float | None:
        a, b = view.cmp.span(s0, s1)[0], view.tgt.span(t0, t1)[0]
        if not a or not b:
            return 0.0
        return 2.0 * len(a & b) / (len(a) + len(b))


class CountNgramScorer:
    """Dice coefficient over n-gram multisets (matches counted up to the smaller count), as chrF
    counts them: merging an unrelated sentence into a span dilutes the score as it should.
    `order` picks the n-gram length (None: the sides' own, 0: whole words); longer n-grams match
    less by chance between unrelated sentences."""

    def __init__(self, order: int | None = None) -> None:
        self.order = order
        self.name = ("ngram-count" if order is None else
                     "word-count" if order == 0 else f"ngram{order}-count")

    def score(self, view: PairView, s0: int, s1: int, t0: int, t1: int) -> float | None:
        a, na = view.cmp.span_counts(s0, s1, self.order)
        b, nb = view.tgt.span_counts(t0, t1, self.order)
        if not na or not nb:
            return 0.0
        inter = 0
        for g in a.keys() & b.keys():
            v, w = a[g], b[g]
            inter += v if v < w else w
        return 2.0 * inter / (na + nb)


class IdfNgramScorer:
    """Like NgramScorer, but each n-gram weighs its inverse document frequency over both sides, so
    that the trigrams every sentence shares (" de", "ent") do not make unrelated sentences similar."""

    name = "ngram-idf"

    def __init__(self) -> None:
        self._idf: dict[str, float] | None = None
        self._view: PairView | None = None

    def _weights(self, view: PairView) -> dict[str, float]:
        if self._idf is None or self._view is not view:
            df: dict[str, int] = {}
            sides = [view.cmp, view.tgt]
            for side in sides:
                for g in side.grams:
                    for x in g:
                        df[x] = df.get(x, 0) + 1
            total = sum(len(side) for side in sides) + 1
            self._idf = {x: math.log(total / c) for x, c in df.items()}
            self._view = view
        return self._idf

    def _mass(self, grams: frozenset[str], idf: dict[str, float]) -> float:
        return sum(idf.get(x, 0.0) for x in grams)

    def score(self, view: PairView, s0: int, s1: int, t0: int, t1: int) -> float | None:
        idf = self._weights(view)
        a, b = view.cmp.span(s0, s1)[0], view.tgt.span(t0, t1)[0]
        if not a or not b:
            return 0.0
        den = self._mass(a, idf) + self._mass(b, idf)
        return 2.0 * self._mass(a & b, idf) / den if den else 0.0


class LengthScorer:
    """Gale-Church: probability that the lengths are this far apart for a true translation pair,
    2 * (1 - Phi(|delta|)), with delta = (l2 - c*l1) / sqrt(s2 * l1)."""

    name = "length"

    def __init__(self, variance: float = 6.8, quotes: bool = False, source: bool = False) -> None:
        self.variance = variance
        # in reporting, a source sentence is often only the quoted part of a rendering sentence
        self.quotes = quotes
        # with MT, the source's own length is a second opinion: the MT's length errs differently
        self.source = source
        if source:
            self.name = "source-length"

    def score(self, view: PairView, s0: int, s1: int, t0: int, t1: int) -> float | None:
        if self.source:
            if view.src is None:
                return None
            l1, ratio = view.src.span(s0, s1)[1], view.src_ratio
        else:
            l1, ratio = view.cmp.span(s0, s1)[1], view.ratio
        lengths = [view.tgt.span(t0, t1)[1]]
        if self.quotes:
            lengths += [len(q) for t in range(t0, t1) for q in view.tgt.quotes[t]]
        return max(self._probability(l1, l2, ratio) for l2 in lengths)

    def _probability(self, l1: int, l2: int, ratio: float) -> float:
        mean = (l1 + l2 / ratio) / 2.0
        if mean <= 0:
            return 0.0
        delta = (l2 - ratio * l1) / math.sqrt(self.variance * max(mean, 1.0))
        return math.erfc(abs(delta) / math.sqrt(2.0))


class AnchorScorer:
    """Shared numbers, dates and names (Dice over the anchor sets); None when neither side has any.
    With `source_recall` the share of the source's anchors found in the rendering, None when the
    source has none: reporting adds names and figures of its own."""

    name = "anchors"

    def __init__(self, source_recall: bool = False) -> None:
        self.source_recall = source_recall

    def score(self, view: PairView, s0: int, s1: int, t0: int, t1: int) -> float | None:
        a, b = view.cmp.span(s0, s1)[2], view.tgt.span(t0, t1)[2]
        if self.source_recall:
            return len(a & b) / len(a) if a else None
        if not a and not b:
            return None
        if not a or not b:
            return 0.0
        return 2.0 * len(a & b) / (len(a) + len(b))


class QuoteScorer:
    """Text in quotation marks in the rendering whose n-grams and length fit the source span: the
    rendering quotes this sentence. 0 for an unquoted span of a rendering that quotes elsewhere;
    None for merged source spans and for renderings without any quotation."""

    name = "quote"

    def score(self, view: PairView, s0: int, s1: int, t0: int, t1: int) -> float | None:
        quotes = [q for t in range(t0, t1) for q in view.tgt.quotes[t]]
        if s1 - s0 != 1:
            return None
        if not quotes:
            # in a rendering that quotes at all, an unquoted sentence is weaker evidence
            return 0.0 if any(view.tgt.quotes) else None
        grams, length, _ = view.cmp.span(s0, s1)
        best = 0.0
        for q in quotes:
            qg = ngrams(q)
            dice = 2.0 * len(grams & qg) / (len(grams) + len(qg)) if grams and qg else 0.0
            fit = min(len(q), view.ratio * length) / max(len(q), view.ratio * length, 1)
            best = max(best, 0.5 * dice + 0.5 * fit * fit)
        return best


@dataclass
class Weighted:
    scorer: Scorer
    weight: float


class BeadScorer:
    """Weighted mean of the scorers that apply to a candidate; results cached per candidate."""

    def __init__(self, view: PairView, scorers: Sequence[Weighted]) -> None:
        self.view = view
        self.scorers = list(scorers)
        self._cache: dict[tuple[int, int, int, int], float] = {}

    def __call__(self, s0: int, s1: int, t0: int, t1: int) -> float:
        # only 1-1 scores are asked for more than once (anchors, search, partial context pass)
        key = (s0, s1, t0, t1)
        got = self._cache.get(key)
        if got is None:
            total = weights = 0.0
            for w in self.scorers:
                v = w.scorer.score(self.view, s0, s1, t0, t1)
                if v is not None:
                    total += w.weight * v
                    weights += w.weight
            got = min(1.0, max(0.0, total / weights)) if weights else 0.0
            if s1 - s0 == 1 and t1 - t0 == 1:
                self._cache[key] = got
        return got

    def describe(self) -> str:
        return " ".join(f"{w.scorer.name}:{w.weight:g}" for w in self.scorers)


# --- candidates from an index --------------------------------------------------------------------

def candidate_pairs(view: PairView, per_source: int = 8, max_df: int | None = None
                    ) -> dict[int, list[int]]:
    """For each source sentence, the rendering sentences sharing the most rare n-grams and anchors
    with it (at most `per_source`), found through an inverted index: never all N x M pairs."""
    m = len(view.tgt)
    if max_df is None:
        max_df = max(8, int(2 * math.sqrt(m)))
    index: dict[str, list[int]] = {}
    for j in range(m):
        for g in view.tgt.grams[j]:
            index.setdefault(g, []).append(j)
        for a in view.tgt.anchors[j]:
            index.setdefault(a, []).append(j)
    out: dict[int, list[int]] = {}
    for i in range(len(view.cmp)):
        hits: dict[int, float] = {}
        for g in view.cmp.grams[i] | view.cmp.anchors[i]:
            post = index.get(g)
            if post is None or len(post) > max_df:
                continue
            w = 1.0 / len(post) + (1.0 if g[0] in "#@$" else 0.0)
            for j in post:
                hits[j] = hits.get(j, 0.0) + w
        out[i] = sorted(hits, key=hits.__getitem__, reverse=True)[:per_source]
    return out


def best_matches(score: BeadScorer, cands: dict[int, list[int]], threshold: float
                 ) -> list[tuple[int, int, float]]:
    """Mutually best 1-1 candidates scoring at least `threshold`, as (src, tgt, score) by src."""
    best_for_src: dict[int, tuple[float, int]] = {}
    best_for_tgt: dict[int, tuple[float, int]] = {}
    for i, js in cands.items():
        for j in js:
            s = score(i, i + 1, j, j + 1)
            if s > best_for_src.get(i, (-1.0, -1))[0]:
                best_for_src[i] = (s, j)
            if s > best_for_tgt.get(j, (-1.0, -1))[0]:
                best_for_tgt[j] = (s, i)
    return [(i, j, s) for i, (s, j) in sorted(best_for_src.items())
            if s >= threshold and best_for_tgt[j][1] == i]


def monotone_chain(points: Sequence[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """Longest chain of points increasing on both sides (patience sorting, O(n log n))."""
    pts = sorted(points, key=lambda p: (p[0], -p[1]))
    tails: list[int] = []
    tail_idx: list[int] = []
    prev: list[int] = [-1] * len(pts)
    for k, (_, j, _) in enumerate(pts):
        pos = bisect_left(tails, j)
        if pos == len(tails):
            tails.append(j)
            tail_idx.append(k)
        else:
            tails[pos] = j
            tail_idx[pos] = k
        prev[k] = tail_idx[pos - 1] if pos > 0 else -1
    chain: list[tuple[int, int, float]] = []
    k = tail_idx[-1] if tail_idx else -1
    while k >= 0:
        chain.append(pts[k])
        k = prev[k]
    return chain[::-1]


# --- monotone search -----------------------------------------------------------------------------

@dataclass(frozen=True)
class MonotoneParams:
    """Gain of a bead = score - threshold - penalty of its shape, where a merged span is scored as
    the concatenation of its sentences; an unmatched sentence costs up to `skip_penalty`."""

    threshold: float = 0.2
    merge_penalty: float = 0.05  # 1-2 and 2-1
    big_penalty: float = 0.05  # 2-2, 1-3, 3-1; times a + b - 3 for larger shapes
    anchor_threshold: float = 0.35
    width: int = 4  # slack around the anchored path, in sentences
    max_gap_box: int = 400  # gaps between anchors up to this size are searched whole
    skip_penalty: float = 0.2  # cost of leaving a sentence of `skip_length` characters or more unmatched
    skip_length: int = 60
    #: bead shapes searched (besides 0-1 and 1-0); merged spans are scored as concatenations
    shapes: tuple[tuple[int, int], ...] = MONOTONE_SHAPES

    def penalty(self, a: int, b: int) -> float:
        if a == 1 and b == 1:
            return 0.0
        return self.merge_penalty if a + b == 3 else self.big_penalty * (a + b - 3)


#: Without MT, 1-1 matches of German and French are too unreliable to pin the band (a wrong anchor
#: forces the path off the diagonal), so none are taken (scores never exceed 1): documents up to a
#: few hundred sentences are searched whole, longer ones in a diagonal strip. Tuned on dev.
MONOTONE_WITHOUT_MT = MonotoneParams(threshold=0.1, merge_penalty=0.1, big_penalty=0.1,
                                     anchor_threshold=1.01)


def _band(n: int, m: int, chain: Sequence[tuple[int, int, float]], p: MonotoneParams
          ) -> list[tuple[int, int]]:
    """Allowed rendering positions (lo, hi) for each DP row 0..n: the box between consecutive
    anchors widened by `width`, or a diagonal strip where the box would be too large."""
    pts = [(0, 0)]
    for i, j, _ in chain:
        pts.append((i, j))
        pts.append((i + 1, j + 1))
    pts.append((n, m))
    band: list[tuple[int, int]] = [(m, 0)] * (n + 1)
    w = p.width
    for (i0, j0), (i1, j1) in zip(pts, pts[1:]):
        di, dj = i1 - i0, j1 - j0
        box = (di + 1) * (abs(dj) + 1) <= p.max_gap_box ** 2 // 4 or dj <= p.max_gap_box // 4
        for i in range(i0, i1 + 1):
            if box:
                lo, hi = min(j0, j1) - w, max(j0, j1) + w
            else:
                centre = j0 + dj * (i - i0) / max(di, 1)
                half = w + int(0.1 * max(di, dj))
                lo, hi = int(centre) - half, int(centre) + half + 1
            olo, ohi = band[i]
            band[i] = (max(0, min(olo, lo)), min(m, max(ohi, hi)))
    band[0] = (0, band[0][1])
    band[n] = (band[n][0], m)
    # a path exists when each row starts inside the previous row (a 1-0 bead, then 0-1 beads)
    for i in range(1, n + 1):
        lo, hi = band[i]
        plo, phi = band[i - 1]
        lo = min(max(lo, plo), phi)
        band[i] = (lo, max(hi, lo))
    band[n] = (band[n][0], m)
    return band


def search_monotone(score: BeadScorer, n: int, m: int, chain: Sequence[tuple[int, int, float]],
                    p: MonotoneParams) -> list[tuple[int, int, int, int]]:
    """Best monotone segmentation into beads by dynamic programming inside the band; returns spans
    (s0, s1, t0, t1) in order."""
    band = _band(n, m, chain, p)
    neg = -1e30
    shapes = [(1, 0), (0, 1)] + list(p.shapes)
    pens = {ab: p.penalty(*ab) for ab in p.shapes}
    # a long sentence left out is unlikely in a translation; a short OCR fragment often is
    skip_src = [-p.skip_penalty * min(1.0, x / p.skip_length) for x in score.view.cmp.lengths]
    skip_tgt = [-p.skip_penalty * min(1.0, x / p.skip_length) for x in score.view.tgt.lengths]
    rows: list[list[float]] = []
    back: list[list[int]] = []
    for i in range(n + 1):
        lo, hi = band[i]
        row = [neg] * (hi - lo + 1)
        brow = [-1] * (hi - lo + 1)
        for j in range(lo, hi + 1):
            if i == 0 and j == 0:
                row[0] = 0.0
                continue
            best, arg = neg, -1
            for k, (a, b) in enumerate(shapes):
                pi, pj = i - a, j - b
                if pi < 0 or pj < 0:
                    continue
                plo, phi = band[pi]
                if not plo <= pj <= phi:
                    continue
                prev = (rows[pi] if pi < i else row)[pj - plo]
                if prev <= neg:
                    continue
                if b == 0:
                    v = prev + skip_src[pi]
                elif a == 0:
                    v = prev + skip_tgt[pj]
                else:
                    v = prev + score(pi, i, pj, j) - p.threshold - pens[(a, b)]
                if v > best:
                    best, arg = v, k
            row[j - lo] = best
            brow[j - lo] = arg
        rows.append(row)
        back.append(brow)
    spans: list[tuple[int, int, int, int]] = []
    i, j = n, m
    while i > 0 or j > 0:
        k = back[i][j - band[i][0]]
        a, b = shapes[k]
        spans.append((i - a, i, j - b, j))
        i, j = i - a, j - b
    return spans[::-1]


# --- partial search ------------------------------------------------------------------------------

@dataclass(frozen=True)
class PartialParams:
    """A candidate bead is accepted when score - shape penalty reaches `threshold`; a sentence
    between two matched neighbours only needs `context_threshold` at the matching place."""

    threshold: float = 0.3
    context_threshold: float = 0.1
    merge_penalty: float = 0.15
    big_penalty: float = 0.2
    per_source: int = 12

    def penalty(self, a: int, b: int) -> float:
        if a == 1 and b == 1:
            return 0.0
        return self.merge_penalty if a + b == 3 else self.big_penalty


#: With MT the similarity of a true pair is much higher, and so is that of unrelated sentences.
PARTIAL_WITH_MT = PartialParams(threshold=0.45, context_threshold=0.35, merge_penalty=0.05,
                                big_penalty=0.1)


def search_partial(score: BeadScorer, n: int, m: int, cands: dict[int, list[int]],
                   p: PartialParams) -> list[tuple[int, int, int, int, bool]]:
    """Quoted or paraphrased source sentences anywhere in the rendering, in any order: greedy
    acceptance of the best-scoring candidate beads whose sentences are still free, then a context
    pass for source sentences whose neighbours are matched. Returns (s0, s1, t0, t1, by_context)."""
    scored: list[tuple[float, int, int, int, int]] = []
    seen: set[tuple[int, int, int, int]] = set()
    for i, js in cands.items():
        for j in js:
            for a, b in BEAD_TYPES:
                for da in range(a):
                    for db in range(b):
                        s0, t0 = i - da, j - db
                        s1, t1 = s0 + a, t0 + b
                        key = (s0, s1, t0, t1)
                        if s0 < 0 or t0 < 0 or s1 > n or t1 > m or key in seen:
                            continue
                        seen.add(key)
                        v = score(*key) - p.penalty(a, b)
                        if v >= p.threshold:
                            scored.append((v, s0, s1, t0, t1))
    scored.sort(key=lambda x: (-x[0], x[1], x[3]))
    src_used: dict[int, int] = {}
    tgt_used: set[int] = set()
    accepted: list[tuple[int, int, int, int, bool]] = []
    for v, s0, s1, t0, t1 in scored:
        if any(k in src_used for k in range(s0, s1)) or any(k in tgt_used for k in range(t0, t1)):
            continue
        accepted.append((s0, s1, t0, t1, False))
        for k in range(s0, s1):
            src_used[k] = t0
        tgt_used.update(range(t0, t1))
    changed = True
    while changed:
        changed = False
        for i in range(n):
            if i in src_used:
                continue
            before = src_used.get(i - 1)
            after = src_used.get(i + 1)
            if before is None and after is None:
                continue
            # the neighbours' places say where a quote of this sentence would stand
            places: list[int] = []
            if before is not None:
                last = max(t1 for s0, s1, t0, t1, _ in accepted if s0 <= i - 1 < s1)
                places += [last, last + 1]
            if after is not None:
                places += [after - 1, after - 2]
            best: tuple[float, int] | None = None
            for j in places:
                if 0 <= j < m and j not in tgt_used:
                    v = score(i, i + 1, j, j + 1)
                    if v >= p.context_threshold and (best is None or v > best[0]):
                        best = (v, j)
            if best is not None:
                accepted.append((i, i + 1, best[1], best[1] + 1, True))
                src_used[i] = best[1]
                tgt_used.add(best[1])
                changed = True
    return accepted


def display_order(beads: list[Bead], n: int, m: int) -> list[Bead]:
    """Order beads for display. Beads with rendering sentences are ordered by their first rendering
    sentence, i.e. the rendering is walked in order and each bead is emitted at its first rendering
    sentence; every source-only (1-0) bead follows the bead holding the nearest preceding source
    sentence, or comes first when no earlier source sentence is placed. For a monotone alignment
    this is the usual order with both sides ascending."""
    with_tgt = sorted((b for b in beads if b.target), key=lambda b: b.target[0])
    src_only = sorted((b for b in beads if not b.target), key=lambda b: b.source[0])
    holder: dict[int, int] = {}
    for k, b in enumerate(with_tgt):
        for s in b.source:
            holder[s] = k
    after: dict[int, list[Bead]] = {}
    for b in src_only:
        prev = -1
        for s in range(b.source[0] - 1, -1, -1):
            if s in holder:
                prev = holder[s]
                break
        after.setdefault(prev, []).append(b)
    out = list(after.get(-1, []))
    for k, b in enumerate(with_tgt):
        out.append(b)
        out.extend(after.get(k, []))
    return out


# --- the public entry point ----------------------------------------------------------------------

def default_scorers(with_mt: bool, mode: str = "monotone") -> list[Weighted]:
    """The signals and weights, tuned on the Text+Berg development article (never on test)."""
    if with_mt and mode == "monotone":
        # 5-grams and whole words: fewer chance matches than trigrams between neighbouring
        # sentences, so merged spans gain less by accident
        return [Weighted(CountNgramScorer(5), 1.0), Weighted(CountNgramScorer(0), 0.3),
                Weighted(LengthScorer(), 0.3), Weighted(LengthScorer(source=True), 0.2),
                Weighted(AnchorScorer(), 0.5)]
    if with_mt:
        return [Weighted(CountNgramScorer(), 1.0), Weighted(LengthScorer(quotes=True), 0.2),
                Weighted(AnchorScorer(source_recall=True), 0.3), Weighted(QuoteScorer(), 0.3)]
    if mode == "monotone":
        return [Weighted(CountNgramScorer(), 1.0), Weighted(LengthScorer(), 1.0),
                Weighted(AnchorScorer(), 1.0)]
    # reporting without MT: cognates are rare, quotes and anchors carry more
    return [Weighted(NgramScorer(), 1.0), Weighted(LengthScorer(quotes=True), 0.35),
            Weighted(AnchorScorer(source_recall=True), 0.3), Weighted(QuoteScorer(), 0.5)]


def choose_mode(view: PairView, matches: Sequence[tuple[int, int, float]]) -> tuple[str, str]:
    """Partial when the documents differ in sentence count or length by more than 1.8 times, or when
    at least 5 confident 1-1 matches (mutually best, scoring at least the anchor threshold) exist
    and fewer than 60% of them are in order. Otherwise monotone when both ratios are at most 1.3;
    in between, monotone only when confident matches cover at least 30% of the shorter document
    and at least 80% of them are in order. Returns the mode and the reason."""
    n, m = len(view.cmp), len(view.tgt)
    count_ratio = max(n, m) / max(1, min(n, m))
    len_cmp = sum(view.cmp.lengths) * view.ratio
    len_tgt = sum(view.tgt.lengths)
    length_ratio = max(len_cmp, len_tgt) / max(1.0, min(len_cmp, len_tgt))
    ordered = len(monotone_chain(matches)) / len(matches) if matches else 1.0
    facts = (f"sentences {n}:{m}, length ratio {length_ratio:.2f}, "
             f"{len(matches)} confident matches, {ordered:.0%} in order")
    if count_ratio > 1.8 or length_ratio > 1.8:
        return "partial", f"documents differ in size ({facts})"
    if len(matches) >= 5 and ordered < 0.6:
        return "partial", f"matches out of order ({facts})"
    if count_ratio <= 1.3 and length_ratio <= 1.3:
        return "monotone", f"documents of the same size ({facts})"
    if len(matches) < 0.3 * min(n, m):
        return "partial", f"few confident matches ({facts})"
    if ordered < 0.8:
        return "partial", f"matches out of order ({facts})"
    return "monotone", f"documents look like full translations ({facts})"


def align(source: Sequence[str], rendering: Sequence[str], *, src_lang: str, tgt_lang: str,
          mt: Sequence[str] | None = None, mode: str = "auto",
          monotone: MonotoneParams | None = None, partial: PartialParams | None = None,
          scorers: Sequence[Weighted] | None = None) -> Alignment:
    """Align source sentences with rendering sentences.

    `mt`, when given, holds one machine translation per source sentence; the similarity is then
    measured between the MT and the rendering ("mt-ngram"); without it, between the source (Cyrillic
    transliterated) and the rendering, where names, numbers, dates, quotes, cognates and lengths
    carry the match ("anchors-length").

    mode: "monotone" (full translations in order: banded dynamic programme over 0-1, 1-0, 1-1, 1-2,
    2-1, 2-2, 1-3, 3-1, 2-3, 3-2, 1-4, 4-1 and 3-3 beads), "partial" (reporting: quoted or paraphrased source sentences found
    anywhere and in any order, unrelated rendering sentences left unmatched, no forced matches), or
    "auto", which picks one by `choose_mode` from the sentence-count and length ratios of the two
    documents, the share of sentences with a confident 1-1 match and how many of those matches are
    in order (see there); the reason goes into settings["mode-reason"].

    Every source and rendering sentence is in exactly one bead. Beads are in display order: for
    monotone alignments both sides ascend; otherwise the rendering is walked in order and each bead
    is emitted at its first rendering sentence, and a source-only (1-0) bead comes right after the
    bead holding the nearest preceding source sentence (first when there is none). Scores are in
    [0, 1], low meaning "look here first"; unmatched sentences have score 0 and method "unmatched".
    `settings` records mode (and why), method and parameters as strings.
    """
    if mode not in MODES:
        raise InputError(f"unknown alignment mode '{mode}'", hint=f"use one of {', '.join(MODES)}")
    if mt is not None and len(mt) != len(source):
        raise InputError(f"the MT has {len(mt)} sentences but the source has {len(source)}",
                         hint="give exactly one translation per source sentence")
    names = "de" not in (src_lang, tgt_lang)
    src_side = Side(source, names=names)
    cmp_side = Side(mt, names=names) if mt is not None else src_side
    tgt_side = Side(rendering, names=names)
    n, m = len(source), len(rendering)
    method = "mt-ngram" if mt is not None else "anchors-length"
    if mt is not None:
        ratio = 1.0
    else:
        ratio = max(1, sum(tgt_side.lengths)) / max(1, sum(src_side.lengths))
    view = PairView(cmp=cmp_side, tgt=tgt_side, ratio=ratio,
                    src=src_side if mt is not None else None,
                    src_ratio=max(1, sum(tgt_side.lengths)) / max(1, sum(src_side.lengths)))
    mp = monotone or (MonotoneParams() if mt is not None else MONOTONE_WITHOUT_MT)
    pp = partial or (PartialParams() if mt is None else PARTIAL_WITH_MT)
    settings = {"aligner": "workbench.align", "method": method}
    beads: list[Bead] = []
    cands: dict[int, list[int]] = {}
    if n == 0 or m == 0:
        chosen, why = (mode if mode != "auto" else "monotone"), "one side is empty"
    else:
        cands = candidate_pairs(view, per_source=pp.per_source)
        if mode == "auto":
            # the size test must not use the length ratio measured on these very documents
            view.ratio = 1.0 if mt is not None else _expected_ratio(src_lang, tgt_lang)
            probe = BeadScorer(view, default_scorers(mt is not None, "partial"))
            chosen, why = choose_mode(view, best_matches(
                probe, cands, mp.anchor_threshold if mt is not None else pp.threshold))
        else:
            chosen, why = mode, "chosen by the caller"
    if chosen == "partial" and mt is None:
        view.ratio = _expected_ratio(src_lang, tgt_lang)
    else:
        view.ratio = ratio
    bead_scorer = BeadScorer(view, scorers if scorers is not None
                             else default_scorers(mt is not None, chosen))
    settings["scorers"] = bead_scorer.describe()
    if n and m and chosen == "monotone":
        chain = monotone_chain(best_matches(bead_scorer, cands, mp.anchor_threshold))
        for s0, s1, t0, t1 in search_monotone(bead_scorer, n, m, chain, mp):
            matched = s1 > s0 and t1 > t0
            beads.append(Bead(tuple(range(s0, s1)), tuple(range(t0, t1)),
                              round(bead_scorer(s0, s1, t0, t1), 4) if matched else 0.0,
                              method if matched else "unmatched"))
        settings.update({"threshold": f"{mp.threshold:g}", "merge-penalty": f"{mp.merge_penalty:g}",
                         "big-penalty": f"{mp.big_penalty:g}", "anchors": str(len(chain)),
                         "anchor-threshold": f"{mp.anchor_threshold:g}", "band-width": str(mp.width)})
    elif n and m:
        found = search_partial(bead_scorer, n, m, cands, pp)
        src_seen: set[int] = set()
        tgt_seen: set[int] = set()
        for s0, s1, t0, t1, by_context in found:
            beads.append(Bead(tuple(range(s0, s1)), tuple(range(t0, t1)),
                              round(bead_scorer(s0, s1, t0, t1), 4),
                              method + ("+context" if by_context else "")))
            src_seen.update(range(s0, s1))
            tgt_seen.update(range(t0, t1))
        beads += [Bead((i,), (), 0.0, "unmatched") for i in range(n) if i not in src_seen]
        beads += [Bead((), (j,), 0.0, "unmatched") for j in range(m) if j not in tgt_seen]
        settings.update({"threshold": f"{pp.threshold:g}",
                         "context-threshold": f"{pp.context_threshold:g}",
                         "merge-penalty": f"{pp.merge_penalty:g}", "big-penalty": f"{pp.big_penalty:g}",
                         "candidates-per-sentence": str(pp.per_source)})
    else:
        beads += [Bead((i,), (), 0.0, "unmatched") for i in range(n)]
        beads += [Bead((), (j,), 0.0, "unmatched") for j in range(m)]
    settings["mode"] = chosen
    settings["mode-reason"] = why if mode == "auto" else "chosen by the caller"
    settings["length-ratio"] = f"{view.ratio:.3f}"
    return Alignment(beads=display_order(beads, n, m), settings=settings)


#: Characters of rendering per character of source, for language pairs where the documents cannot
#: tell (partial renderings); 1.0 otherwise.
_RATIOS = {("ru", "en"): 1.0, ("de", "fr"): 1.1, ("de", "en"): 0.95}


def _expected_ratio(src_lang: str, tgt_lang: str) -> float:
    if (src_lang, tgt_lang) in _RATIOS:
        return _RATIOS[(src_lang, tgt_lang)]
    if (tgt_lang, src_lang) in _RATIOS:
        return 1.0 / _RATIOS[(tgt_lang, src_lang)]
    return 1.0

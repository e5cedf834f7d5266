"""Text features of sentences and spans: normalisation and transliteration, character n-grams
and word counts, model-free anchors (numbers, dates, names), quoted parts, and `Side`, which holds one
document's features with merged spans cached on demand."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from sys import intern
from typing import Sequence

#: Bead shapes with sentences on both sides that the searches consider, and their prior penalty.
#: Merges cost a little so that a split is preferred when it explains the text as well.
BEAD_TYPES: tuple[tuple[int, int], ...] = ((1, 1), (1, 2), (2, 1), (2, 2), (1, 3), (3, 1))

#: The monotone search also tries the larger shapes that OCR-split sentences and free renderings
#: produce (2-3, 3-2, 1-4, 4-1, 3-3); on the Text+Berg development article they are 5% of the links.
MONOTONE_SHAPES: tuple[tuple[int, int], ...] = BEAD_TYPES + ((2, 3), (3, 2), (1, 4), (4, 1), (3, 3))


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


def ngram_counts(norm: str, n: int = 3, words: dict[str, tuple[str, ...]] | None = None
                 ) -> dict[str, int]:
    """Character n-grams of each word padded with spaces, with their counts. `words` caches each
    word's n-grams across the sentences of a document (words recur far more than sentences)."""
    out: dict[str, int] = {}
    for w in norm.split():
        grams = words.get(w) if words is not None else None
        if grams is None:
            p = f" {w} "
            # interned: the same n-gram recurs in thousands of sentences of a long document
            grams = tuple(intern(p[k:k + n]) for k in range(max(1, len(p) - n + 1)))
            if words is not None:
                words[w] = grams
        for g in grams:
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
        # a text that repeats itself (headings, dialogue, boilerplate) has its features computed
        # once and shared by every copy
        first: dict[str, int] = {}
        self._which = [first.setdefault(t, len(first)) for t in self.texts]
        unique = list(first)
        norm = [normalize(t) for t in unique]
        self.norm = self._spread(norm)
        self._grams: list[frozenset[str]] | None = None
        self.lengths = [len(t) for t in self.norm]
        self.anchors = self._spread([anchors_of(t, names) for t in unique])
        self.quotes = self._spread([quoted_parts(t) for t in unique])
        #: whether any sentence quotes at all (asked for every candidate by the quote signal)
        self.has_quotes = any(self.quotes)
        self.n = n
        self.names = names
        self._unique_norm = norm
        words: dict[str, tuple[str, ...]] = {}
        self.counts = self._spread([ngram_counts(t, n, words) for t in norm])
        self._cache: dict[tuple[int, int], tuple[frozenset[str], int, frozenset[str]]] = {}
        self._orders: dict[int, list[dict[str, int]]] = {n: self.counts}
        self._count_cache: dict[tuple[int, int, int], tuple[dict[str, int], int]] = {}

    def grouped(self, k: int) -> "Side":
        """This side with every `k` consecutive sentences joined into one (the last group may be
        shorter), its features merged from the sentences' own rather than computed again."""
        out = object.__new__(Side)
        bounds = [(g, min(len(self), g + k)) for g in range(0, len(self), k)]
        out.texts = [" ".join(self.texts[a:b]) for a, b in bounds]
        first: dict[str, int] = {}
        out._which = [first.setdefault(t, len(first)) for t in out.texts]
        norm = [" ".join(t for t in self.norm[a:b] if t) for a, b in bounds]
        out.norm = norm
        seen: dict[int, str] = {}
        for u, t in zip(out._which, norm):
            seen.setdefault(u, t)
        out._unique_norm = list(seen.values())
        out._grams = None
        out.lengths = [len(t) for t in norm]
        out.anchors = [frozenset().union(*self.anchors[a:b]) for a, b in bounds]
        out.quotes = [[q for qs in self.quotes[a:b] for q in qs] for a, b in bounds]
        out.has_quotes = self.has_quotes
        out.n, out.names = self.n, self.names
        counts = []
        for a, b in bounds:
            merged: dict[str, int] = {}
            for c in self.counts[a:b]:
                for g, v in c.items():
                    merged[g] = merged.get(g, 0) + v
            counts.append(merged)
        out.counts = counts
        out._cache, out._orders, out._count_cache = {}, {self.n: counts}, {}
        return out

    def _spread(self, per_unique: list) -> list:
        return [per_unique[k] for k in self._which]

    @property
    def grams(self) -> list[frozenset[str]]:
        """Each sentence's distinct n-grams (made on first use: the monotone search and the coarse
        search on grouped sentences count n-grams instead)."""
        if self._grams is None:
            self._grams = self._spread([ngrams(t, self.n) for t in self._unique_norm])
        return self._grams

    def sentence_counts(self, n: int | None = None) -> list[dict[str, int]]:
        """Each sentence's n-gram counts (order `n`, default the side's; 0 for whole words)."""
        n = self.n if n is None else n
        per = self._orders.get(n)
        if per is None:
            words: dict[str, tuple[str, ...]] = {}
            per = self._spread([word_counts(t) if n == 0 else ngram_counts(t, n, words)
                                for t in self._unique_norm])
            self._orders[n] = per
        return per

    def span_counts(self, start: int, end: int, n: int | None = None) -> tuple[dict[str, int], int]:
        """Counts of the character n-grams (of order `n`, default the side's; 0 for whole words) of
        sentences start..end-1 taken together, and their total."""
        n = self.n if n is None else n
        key = (start, end, n)
        got = self._count_cache.get(key)
        if got is None:
            per = self.sentence_counts(n)
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

    def span_length(self, start: int, end: int) -> int:
        """The length of sentences start..end-1 joined by spaces (`span(...)[1]`)."""
        if end - start == 1:
            return self.lengths[start]
        return sum(self.lengths[start:end]) + end - start - 1

    def span_anchors(self, start: int, end: int) -> frozenset[str]:
        """The anchors of sentences start..end-1 (`span(...)[2]`)."""
        if end - start == 1:
            return self.anchors[start]
        return frozenset().union(*self.anchors[start:end])

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
    rendering: Side
    ratio: float
    src: Side | None = None
    src_ratio: float = 1.0
    #: the encoder's vectors of both sides (align.semantic.SemanticView), when the encoder is used
    sem: object | None = None


#: Characters of rendering per character of source, for language pairs where the documents cannot
#: tell (partial renderings); 1.0 otherwise.
_RATIOS = {("ru", "en"): 1.0, ("de", "fr"): 1.1, ("de", "en"): 0.95}


def _expected_ratio(src_lang: str, tgt_lang: str) -> float:
    if (src_lang, tgt_lang) in _RATIOS:
        return _RATIOS[(src_lang, tgt_lang)]
    if (tgt_lang, src_lang) in _RATIOS:
        return 1.0 / _RATIOS[(tgt_lang, src_lang)]
    return 1.0


def grouped_view(view: PairView, k: int) -> PairView:
    """The same pair with every `k` consecutive sentences of each side joined into one (the last
    group may be shorter): what the coarse search that places the band on long documents sees."""

    cmp_side = view.cmp.grouped(k)
    src_side = None
    if view.src is not None:
        src_side = cmp_side if view.src is view.cmp else view.src.grouped(k)
    sem = None
    if view.sem is not None:
        import numpy as np

        from workbench.align.semantic import SemanticView

        def vectors(v: np.ndarray) -> np.ndarray:
            sums = np.add.reduceat(v.astype(np.float64), np.arange(0, len(v), k), axis=0)
            return sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)

        sem = SemanticView(vectors(view.sem.src.v), vectors(view.sem.tgt.v))
    return PairView(cmp=cmp_side, rendering=view.rendering.grouped(k), ratio=view.ratio,
                    src=src_side, src_ratio=view.src_ratio, sem=sem)

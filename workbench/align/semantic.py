"""The meaning signal: sentence vectors from the multilingual encoder, compared span against span.

Raw cosine similarity between e5 vectors is high for any two sentences of the same register (0.80 on
average between unrelated Text+Berg sentences, 0.92 for a true pair), so every comparison is
chance-corrected by a ratio margin, as margin-based bitext mining does: the cosine divided by the
mean of how similar each side is to its own `k` nearest neighbours on the other side (never less
than 0.80). A true pair stands out from its neighbourhood (margin above 1); an unrelated sentence
that is merely "on topic" does not. The margin is mapped linearly to a score (`MarginCurve`, its
ends set on the Text+Berg development article). Merged spans are scored by the normalised sum of
their sentence vectors (the vectors of the joined text, as Vecalign uses, did no better on dev).
For reporting that quotes half a sentence, the partial search also compares rendering sentences
with parts of source sentences (their beginnings and ends at clause boundaries), encoded on first
use, against the whole sentence's background.

numpy is imported here, so this module is loaded only when the encoder is in use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

#: Nearest neighbours whose mean similarity is a sentence's "background".
KNN = 5
#: Background of a sentence with too few neighbours to measure one, and the floor of every
#: background: the mean cosine of unrelated sentence pairs (0.80 on the Text+Berg development
#: article).
BACKGROUND_PRIOR = 0.80
#: Rows of the similarity matrix computed at once: bounds memory on long documents.
BLOCK = 256
#: Span vectors cached per side (spans of up to four sentences around the search path).
SPAN_CACHE_LIMIT = 8192
#: Where reporting cuts a sentence it quotes in part: after a comma, semicolon or colon.
_CLAUSE_END = re.compile(r"[,;:](?=\s)")
#: The fewest words a part of a sentence needs to be compared on its own.
MIN_PART_WORDS = 4


def sentence_parts(text: str) -> list[str]:
    """The sentence's beginnings and ends at clause boundaries (not the whole sentence), each of at
    least MIN_PART_WORDS words, in order of their cut point: what a rendering that quotes half a
    sentence keeps of it."""
    out: list[str] = []
    for m in _CLAUSE_END.finditer(text):
        head, tail = text[:m.start()].strip(), text[m.end():].strip()
        for part in (head, tail):
            if len(part.split()) >= MIN_PART_WORDS and part not in out:
                out.append(part)
    return out


@dataclass(frozen=True)
class MarginCurve:
    """margin -> 0 at `low`, 1 at `high`, linear and open above (clean text reaches margins well
    beyond `high`; the bead's probability is clamped later, the searches compare raw values).
    Linear rather than S-shaped: the searches compare a merged span with its parts, and a true 2-1
    bead beats its best 1-1 part by only a few hundredths of margin, which a saturating curve would
    flatten."""

    low: float = 0.95
    high: float = 1.08

    def __call__(self, margin: float) -> float:
        return max(0.0, (margin - self.low) / (self.high - self.low))


class Vectors:
    """One side's sentence vectors (rows L2-normalised) with merged-span vectors on demand."""

    def __init__(self, vectors: np.ndarray) -> None:
        self.v = np.ascontiguousarray(vectors, dtype=np.float32)
        self.background = np.zeros(len(self.v), dtype=np.float64)
        self._cache: dict[tuple[int, int], np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.v)

    def span(self, start: int, end: int) -> np.ndarray:
        if end - start == 1:
            return self.v[start]
        key = (start, end)
        got = self._cache.get(key)
        if got is None:
            s = self.v[start:end].sum(axis=0, dtype=np.float64)
            got = (s / max(float(np.linalg.norm(s)), 1e-12)).astype(np.float32)
            if len(self._cache) >= SPAN_CACHE_LIMIT:
                self._cache.clear()
            self._cache[key] = got
        return got

    def span_background(self, start: int, end: int) -> float:
        return float(self.background[start:end].mean())


def _background(top: np.ndarray) -> np.ndarray:
    """Mean of each row's similarities (a sentence's nearest neighbours), never below the prior;
    the prior alone when a row has fewer than two."""
    if top.shape[1] < 2:
        return np.full(top.shape[0], BACKGROUND_PRIOR)
    # never below the prior: in a short document of unrelated sentences the neighbours are all
    # far, and the least far must not stand out as a match
    return np.maximum(top.mean(axis=1, dtype=np.float64), BACKGROUND_PRIOR)


def _blocks(n: int) -> list[tuple[int, int]]:
    return [(a, min(n, a + BLOCK)) for a in range(0, n, BLOCK)]


class SemanticView:
    """Both sides' vectors, their neighbourhood backgrounds and nearest-neighbour candidates, all
    computed blockwise so that no full N x M matrix is held at once."""

    def __init__(self, src: np.ndarray, tgt: np.ndarray, k: int = KNN,
                 curve: MarginCurve | None = None, source: Sequence[str] | None = None,
                 embedder=None) -> None:
        self.src = Vectors(src)
        # the source's texts and the encoder, for the vectors of parts of source sentences, which
        # only the partial search asks for
        self._source, self._embedder = source, embedder
        self._parts: tuple[np.ndarray, np.ndarray] | None = None
        self._some_parts: dict[int, np.ndarray] | None = None
        self._quotes: dict[int, np.ndarray] | None = None
        self.tgt = Vectors(tgt)
        self.curve = curve or MarginCurve()
        self.k = k
        self._cache: dict[tuple[int, int, int, int], float] = {}
        self._neighbours()

    def _neighbours(self) -> None:
        """Backgrounds of every sentence of both sides: the mean similarity of its `k` nearest
        neighbours on the other side (the best included: leaving it out made unrelated sentences
        look like matches on partial renderings), floored at the prior."""
        n, m = len(self.src), len(self.tgt)
        k_src, k_tgt = min(self.k, m), min(self.k, n)
        tgt_best = np.full((m, max(k_tgt, 1)), -2.0, dtype=np.float32)
        for a, b in _blocks(n):
            sims = self.src.v[a:b] @ self.tgt.v.T
            top = np.sort(sims, axis=1)[:, ::-1][:, :k_src]
            self.src.background[a:b] = _background(top)
            merged = np.concatenate([tgt_best, sims.T], axis=1)
            tgt_best = -np.sort(-merged, axis=1)[:, :tgt_best.shape[1]]
        if n:
            self.tgt.background[:] = _background(tgt_best[:, :k_tgt])

    def margin(self, s0: int, s1: int, t0: int, t1: int) -> float:
        cos = float(np.dot(self.src.span(s0, s1), self.tgt.span(t0, t1)))
        bg = (self.src.span_background(s0, s1) + self.tgt.span_background(t0, t1)) / 2.0
        return cos / bg if bg > 0 else cos

    def score(self, s0: int, s1: int, t0: int, t1: int) -> float:
        key = (s0, s1, t0, t1)
        got = self._cache.get(key)
        if got is None:
            got = self.curve(self.margin(s0, s1, t0, t1))
            if len(self._cache) >= SPAN_CACHE_LIMIT * 4:
                self._cache.clear()
            self._cache[key] = got
        return got

    def margin_tops(self, k_row: int, k_col: int
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The `k_row` highest margins of every source sentence over the rendering and the `k_col`
        highest of every rendering sentence over the source, as (row indices, row margins, column
        indices, column margins), best first, ties by index; one blockwise pass, so no N x M
        matrix is held at once."""
        n, m = len(self.src), len(self.tgt)
        k_row, k_col = min(k_row, m), min(k_col, n)
        row_idx = np.zeros((n, k_row), dtype=np.int64)
        row_val = np.full((n, k_row), -np.inf)
        col_idx = np.zeros((m, k_col), dtype=np.int64)
        col_val = np.full((m, k_col), -np.inf)
        bg_t = self.tgt.background
        for a, b in _blocks(n):
            margins = (self.src.v[a:b] @ self.tgt.v.T) / (
                (self.src.background[a:b, None] + bg_t[None, :]) / 2.0)
            order = np.argsort(-margins, axis=1, kind="stable")[:, :k_row]
            row_idx[a:b] = order
            row_val[a:b] = np.take_along_axis(margins, order, axis=1)
            # the best of this block merged with the best so far (a stable sort keeps equal
            # margins in index order)
            merged = np.concatenate([col_val, margins.T], axis=1)
            merged_idx = np.concatenate(
                [col_idx, np.broadcast_to(np.arange(a, b), (m, b - a))], axis=1)
            pick = np.argsort(-merged, axis=1, kind="stable")[:, :k_col]
            col_val = np.take_along_axis(merged, pick, axis=1)
            col_idx = np.take_along_axis(merged_idx, pick, axis=1)
        return row_idx, row_val, col_idx, col_val

    def parts(self) -> tuple[np.ndarray, np.ndarray]:
        """(vectors, owners): every source sentence and its parts (`sentence_parts`), grouped by
        owner in source order, each sentence first; encoded on first use."""
        if self._parts is None:
            texts: list[str] = []
            owners: list[int] = []
            if self._source is not None and self._embedder is not None:
                for i, text in enumerate(self._source):
                    parts = sentence_parts(text)
                    texts += parts
                    owners += [i] * len(parts)
            extra = (self._embedder.embed(texts) if texts
                     else np.zeros((0, self.src.v.shape[1]), dtype=np.float32))
            order = np.argsort(np.r_[np.arange(len(self.src)), np.array(owners, dtype=np.int64)],
                               kind="stable")
            vectors = np.concatenate([self.src.v, extra.astype(np.float32)])[order]
            owner = np.r_[np.arange(len(self.src)), np.array(owners, dtype=np.int64)][order]
            self._parts = (np.ascontiguousarray(vectors), owner)
        return self._parts

    def part_tops(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Every rendering sentence's `k` source sentences with the highest margin of their best
        part (the sentence itself or one of its parts), as (indices, margins), best first, ties by
        index. The background is the sentence's, so a part's margin compares with the sentence's."""
        vectors, owner = self.parts()
        starts = np.r_[0, np.flatnonzero(np.diff(owner)) + 1]
        n, m = len(self.src), len(self.tgt)
        k = min(k, n)
        idx = np.zeros((m, k), dtype=np.int64)
        val = np.full((m, k), -np.inf)
        for a, b in _blocks(m):
            best = np.maximum.reduceat(self.tgt.v[a:b] @ vectors.T, starts, axis=1)
            margins = best / ((self.src.background[None, :] + self.tgt.background[a:b, None]) / 2.0)
            order = np.argsort(-margins, axis=1, kind="stable")[:, :k]
            idx[a:b] = order
            val[a:b] = np.take_along_axis(margins, order, axis=1)
        return idx, val

    def some_part_margins(self, pairs: Sequence[tuple[int, int]]) -> np.ndarray:
        """The margin of source sentence i's best part (itself included) against rendering
        sentence j, for each (i, j): only the parts of the source sentences named are encoded
        (once per view), so a document where nothing needs them costs nothing."""
        if self._some_parts is None:
            self._some_parts = {}
        wanted = sorted({i for i, _ in pairs} - set(self._some_parts))
        if wanted and self._source is not None and self._embedder is not None:
            texts, owners = [], []
            for i in wanted:
                for part in sentence_parts(self._source[i]):
                    texts.append(part)
                    owners.append(i)
            vectors = self._embedder.embed(texts) if texts else np.zeros((0, self.src.v.shape[1]))
            for i in wanted:
                self._some_parts[i] = np.asarray(
                    [vectors[k] for k, o in enumerate(owners) if o == i], dtype=np.float32
                ).reshape(-1, self.src.v.shape[1])
        return self._margins_with(pairs, self._some_parts, of_source=True)

    def quote_margins(self, pairs: Sequence[tuple[int, int]],
                      quotes: Sequence[Sequence[str]]) -> np.ndarray:
        """The margin of source sentence i against the best of rendering sentence j's quoted parts
        (`quotes[j]`, itself included), for each (i, j): a sentence that quotes a short source
        sentence inside its own words ("titled 'Against ...,' was created"). Only the quotes of
        the rendering sentences named are encoded, once per view."""
        if self._quotes is None:
            self._quotes = {}
        wanted = sorted({j for _, j in pairs if quotes[j]} - set(self._quotes))
        if wanted and self._embedder is not None:
            texts = [q for j in wanted for q in quotes[j]]
            vectors = self._embedder.embed(texts)
            at = 0
            for j in wanted:
                self._quotes[j] = np.asarray(vectors[at:at + len(quotes[j])], dtype=np.float32)
                at += len(quotes[j])
        return self._margins_with(pairs, self._quotes, of_source=False)

    def _margins_with(self, pairs: Sequence[tuple[int, int]], extra: dict[int, np.ndarray], *,
                      of_source: bool) -> np.ndarray:
        """The margin of each pair (i, j), the cosine being the best of the two sentences' own and
        of the `extra` vectors (parts of source sentence i, or of rendering sentence j when not
        `of_source`) against the other sentence."""
        out = np.empty(len(pairs))
        for k, (i, j) in enumerate(pairs):
            cos = float(self.src.v[i] @ self.tgt.v[j])
            more = extra.get(i if of_source else j)
            if more is not None and len(more):
                cos = max(cos, float((more @ (self.tgt.v[j] if of_source else self.src.v[i])).max()))
            out[k] = self._scaled(cos, i, j)
        return out

    def _scaled(self, cos: float, i: int, j: int) -> float:
        """A cosine of source sentence i (or a part) and rendering sentence j as a ratio margin."""
        bg = (self.src.background[i] + self.tgt.background[j]) / 2.0
        return cos / bg if bg > 0 else cos

    def part_margin(self, i: int, j: int) -> float:
        """The margin of source sentence i's best part (itself included) against rendering j."""
        vectors, owner = self.parts()
        lo, hi = np.searchsorted(owner, [i, i + 1])
        return self._scaled(float((vectors[lo:hi] @ self.tgt.v[j]).max()), i, j)

    def candidates(self, per_sentence: int) -> dict[int, list[int]]:
        """For each source sentence, the rendering sentences with the highest margin, found from both
        directions: its own nearest rendering sentences and the rendering sentences whose nearest
        source sentences include it. Ordered by margin, ties by index."""
        row_idx, _, col_idx, _ = self.margin_tops(per_sentence, per_sentence)
        found: dict[int, set[int]] = {i: {int(j) for j in row} for i, row in enumerate(row_idx)}
        for j, column in enumerate(col_idx):
            for i in column:
                found[int(i)].add(j)
        return {i: sorted(js, key=lambda j: (-self.margin(i, i + 1, j, j + 1), j))
                for i, js in found.items()}


def semantic_view(source: Sequence[str], rendering: Sequence[str], embedder) -> SemanticView:
    """Encode both sides (the embedder caches) and build their view."""
    return SemanticView(embedder.embed(list(source)), embedder.embed(list(rendering)),
                        source=list(source), embedder=embedder)

"""Lookups in the translation memory's index: fuzzy matches scored 0-100 from the candidates the
trigram and word postings give (see workbench.memory), and semantic ones from sentence vectors
where they stand out (a ratio margin, as the aligner's).
`Lookups` is the part of workbench.memory.Memory that only reads the index."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from typing import Collection, Sequence

from workbench.memory.segments import (_COLUMNS, CANDIDATE_BUDGET, DEFAULT_MIN, MAX_CANDIDATES,
                                       WORD_BUDGET, WORD_CANDIDATES, Match, _hash, _row_segment,
                                       language, normalize, trigrams, words)


#: A semantic match stands out from both neighbourhoods by this ratio margin or more. On the bundled
#: petition's sentences a paraphrase of one (Путин объявил мобилизацию 21 сентября) reaches 1.07,
#: the same wish in other words 1.05 to 1.10, while a sentence that only shares a word or the topic
#: stays at 1.04 or below.
SEMANTIC_MARGIN = 1.05
#: Nearest sources whose mean similarity is the query's, and a source's, background.
SEMANTIC_NEIGHBOURS = 5
#: The floor of a background, as the aligner's (workbench.align.semantic: unrelated sentences).
BACKGROUND_PRIOR = 0.80
#: Sources nearest the query whose margins are measured.
SEMANTIC_CANDIDATES = 50


class Lookups:
    """Reading the index: exact and fuzzy lookups, their candidates, semantic lookups. The
    class that mixes it in provides the connection (`db`) and the vector cache (`_vectors`)."""

    db: sqlite3.Connection
    _vectors: dict[tuple[str, str], tuple[list[int], object, object, dict[int, float]]]

    def lookup(self, text: str, source_language: str, rendering_language: str, *,
               min_score: float = DEFAULT_MIN, limit: int = 5) -> list[Match]:
        """The best matches for `text` at or above `min_score`: exact ones (100) first, then fuzzy
        by score; ties by newest, then pair and bead."""
        from rapidfuzz import fuzz

        src, tgt = language(source_language), language(rendering_language)
        query = normalize(text)
        if not query:
            return []
        rows = [r for r in self.db.execute(f"SELECT {_COLUMNS} FROM segments WHERE src = ? AND "
                                           "tgt = ? AND nhash = ?", (src, tgt, _hash(query)))
                if normalize(r[1]) == query]
        scored: dict[int, tuple[float, Sequence]] = {r[0]: (100.0, r) for r in rows}
        ids = [i for i in self.candidates(query, src, tgt) if i not in scored]
        if ids:
            from rapidfuzz import process

            marks = ",".join("?" * len(ids))
            found = self.db.execute(f"SELECT id, source FROM segments WHERE id IN ({marks})",
                                    ids).fetchall()
            scores = process.cdist([query], [normalize(r[1]) for r in found], scorer=fuzz.ratio,
                                   score_cutoff=min_score)[0]
            ranked = sorted((-round(float(x), 2), r[0]) for x, r in zip(scores, found)
                            if x >= min_score and x > 0)
            if len(ranked) > limit:  # keep every tie of the last place: the order below decides
                ranked = [r for r in ranked if r[0] <= ranked[limit - 1][0]]
            if ranked:
                marks = ",".join("?" * len(ranked))
                rows = {r[0]: r for r in self.db.execute(
                    f"SELECT {_COLUMNS} FROM segments WHERE id IN ({marks})", [i for _, i in ranked])}
                for neg, i in ranked:
                    scored[i] = (-neg, rows[i])
        best = sorted(scored.values(), key=lambda x: (-x[0], _neg_time(x[1][9]), x[1][6], x[1][7],
                                                      x[1][0]))[:limit]
        return [self._match("exact" if score == 100 else "fuzzy", score, text, row)
                for score, row in best]

    def candidates(self, query: str, src: str, tgt: str, limit: int = MAX_CANDIDATES) -> list[int]:
        """Ids of the segments that share the most of the query's trigrams, best first (ties by
        id), then of those that share the most of its words. The most common trigrams (words) are
        left out until at most CANDIDATE_BUDGET (WORD_BUDGET) postings are read: they say little
        about which segment is closest. The words find the sentences that differ from the query
        in a few whole words even where the trigram budget only reached its rarest trigrams."""
        folded = query.casefold()
        lp = f"{src}>{tgt}"
        by_grams = self._sharing(lp, trigrams(folded), CANDIDATE_BUDGET, limit)
        by_words = self._sharing(lp, words(folded), WORD_BUDGET, WORD_CANDIDATES)
        seen = set(by_grams)
        return by_grams + [i for i in by_words if i not in seen]

    def _sharing(self, lp: str, grams: list[str], budget: int, limit: int) -> list[int]:
        """Ids of the `limit` segments holding most of `grams` (within the postings `budget`)."""
        import numpy as np

        if not grams:
            return []
        marks = ",".join("?" * len(grams))
        known = sorted((n, g, gid) for g, n, gid in self.db.execute(
            f"SELECT gram, n, id FROM grams WHERE lp = ? AND gram IN ({marks})", [lp, *grams]))
        chosen, total = [], 0
        for n, _, gid in known:
            if chosen and total + n > budget:
                break
            chosen.append(gid)
            total += n
        parts = []
        if chosen:
            marks = ",".join("?" * len(chosen))
            parts = [np.frombuffer(b, dtype=np.int32) for (b,) in self.db.execute(
                f"SELECT ids FROM postings WHERE id IN ({marks})", chosen)]
        marks = ",".join("?" * len(grams))
        pending = np.array([i for (i,) in self.db.execute(
            f"SELECT id FROM pending WHERE lp = ? AND gram IN ({marks})", [lp, *grams])],
            dtype=np.int32)
        if not parts and not len(pending):
            return []
        # Counting by sorting what was read costs the number of postings read (a radix sort of
        # int32); a bincount would cost the number of segments, a million, on every lookup.
        every = np.sort(np.concatenate(parts + [pending]))
        starts = np.flatnonzero(np.concatenate(([True], every[1:] != every[:-1])))
        ids = every[starts]
        hits = np.diff(np.append(starts, len(every)))
        if len(ids) > limit:  # keep every id that ties with the limit-th
            kth = np.partition(hits, len(hits) - limit)[len(hits) - limit]
            keep = hits >= kth
            ids, hits = ids[keep], hits[keep]
        order = np.lexsort((ids, -hits))[:limit]
        return [int(i) for i in ids[order]]

    def _match(self, kind: str, score: float | None, query: str, row: Sequence) -> Match:
        from workbench.worddiff import diff

        d = diff(query, row[1])
        return Match(kind=kind, score=score, segment=_row_segment(row),
                     diff=(tuple((s.text, s.tag) for s in d.mt),
                           tuple((s.text, s.tag) for s in d.rendering)))

    def semantic_lookup(self, text: str, source_language: str, rendering_language: str, *,
                        limit: int = 5, embedder=None, exclude: Collection[tuple[str, str]] = (),
                        min_margin: float = SEMANTIC_MARGIN) -> list[Match]:
        """Earlier renderings of sources that say the same as `text` in other words: those whose
        sentence vector (workbench.embed, loaded now) stands out, as the aligner's ratio margin
        measures it: the cosine divided by the mean of how close the query is to its
        SEMANTIC_NEIGHBOURS nearest sources and that source to its own nearest others (each never
        below BACKGROUND_PRIOR), at `min_margin` or more, best first. Sentences merely on the same
        topic do not stand out. Labelled "semantic", with no score (a margin is no fuzzy score);
        the (pair, bead) in `exclude` (the exact and fuzzy hits shown already) are left out."""
        import numpy as np

        src, tgt = language(source_language), language(rendering_language)
        query = normalize(text)
        if not query:
            return []
        if embedder is None:
            from workbench.embed import Embedder

            embedder = Embedder()
        key = (src, tgt)
        if key not in self._vectors:
            rows = self.db.execute("SELECT id, source FROM segments WHERE src = ? AND tgt = ? "
                                   "ORDER BY id", key).fetchall()
            vectors = embedder.embed([normalize(r[1]) for r in rows]) if rows else np.zeros((0, 1))
            self._vectors[key] = ([r[0] for r in rows], vectors,
                                  np.array([normalize(r[1]) for r in rows], dtype=object), {})
        ids, vectors, texts, backgrounds = self._vectors[key]
        if not ids:
            return []
        sims = vectors @ embedder.embed([query])[0]
        own = _background(sims[texts != query])  # copies of the query are its exact matches
        out = []
        for i in sorted(range(len(ids)), key=lambda i: (-float(sims[i]), ids[i]))[:SEMANTIC_CANDIDATES]:
            if i not in backgrounds:
                # its nearest other sources, a copy of its own text (approved in two pairs) aside
                backgrounds[i] = _background((vectors @ vectors[i])[texts != texts[i]])
            margin = float(sims[i]) / ((own + backgrounds[i]) / 2)
            if margin < min_margin:
                continue
            row = self.db.execute(f"SELECT {_COLUMNS} FROM segments WHERE id = ?",
                                  (ids[i],)).fetchone()
            if (row[6], row[7]) in exclude:
                continue
            out.append((-round(margin, 4), ids[i], row))
        return [replace(self._match("semantic", None, text, row), margin=-neg)
                for neg, _, row in sorted(out)[:limit]]


def _background(sims) -> float:
    """The mean of the SEMANTIC_NEIGHBOURS highest similarities, never below BACKGROUND_PRIOR;
    the prior alone for fewer than two (as the aligner's backgrounds)."""
    import numpy as np

    if len(sims) < 2:
        return BACKGROUND_PRIOR
    return max(float(np.sort(sims)[::-1][:SEMANTIC_NEIGHBOURS].mean()), BACKGROUND_PRIOR)


def _neg_time(time: str) -> tuple:
    # newest first: compare the negated code points of the ISO time
    return tuple(-ord(c) for c in time)


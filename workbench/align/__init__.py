"""Sentence alignment of a source with a rendering that may only partly reproduce it.

The package owns the similarity signals that score a candidate bead (a span of source sentences
against a span of rendering sentences) and the two searches over them: a banded dynamic programme
for full translations in the same order ("monotone", `monotone.py`) and a candidate search for
reporting that quotes or paraphrases some source sentences anywhere, in any order, among sentences
of its own ("partial", `partial.py`). `features.py` holds the text features, `scorers.py` the
signals, `candidates.py` the candidate index, `mode.py` the automatic choice between the searches,
and this module the public entry point `align()`.
"""

from __future__ import annotations

from typing import Sequence

from workbench.align.candidates import best_matches, candidate_pairs, monotone_chain
from workbench.align.features import (PairView, Side, _expected_ratio, anchors_of,
                                      quoted_parts)
from workbench.align.mode import choose_mode
from workbench.align.monotone import MONOTONE_WITHOUT_MT, MonotoneParams, search_monotone
from workbench.align.partial import PARTIAL_WITH_MT, PartialParams, display_order, search_partial
from workbench.align.scorers import BeadScorer, Weighted, default_scorers
from workbench.errors import InputError
from workbench.model import Alignment, Bead

__all__ = ["Alignment", "Bead", "MODES", "Side", "align", "anchors_of", "display_order",
           "quoted_parts"]

MODES = ("auto", "monotone", "partial")


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

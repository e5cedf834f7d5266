"""Sentence alignment of a source with a rendering: a full translation, or reporting that quotes
some source sentences, in order or not, whole or cut, among sentences of its own.

The default is one search for every shape (`one.py`): candidate beads (`beads.py`), their evidence
(`evidence.py`: the encoder's margins, Gale-Church lengths fitted on the document, n-grams,
anchors, names), a model of that evidence fitted on many language pairs (`fitted.json`, made by
scripts/fit_align.py with `fitting.py` and `learn.py`) and a search in which order is evidence and
every sentence may stay unmatched (`search.py`). A data directory's translators can refit the
probabilities (`calibrate.py`). The older searches stay as overrides (`--mode monotone`: a banded
dynamic programme for full translations in order, `monotone.py`; `--mode partial`: candidate search
and retrieval for reporting, `partial.py` and `retrieve.py`), and serve when the encoder cannot be
loaded: `features.py` holds their text features, `scorers.py` their signals, `candidates.py` their
candidate index, `mode.py` their automatic choice. This module holds the public entry point
`align()`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from workbench.align.candidates import best_matches, candidate_pairs, monotone_chain
from workbench.align.features import PairView, Side, _expected_ratio, anchors_of, quoted_parts
from workbench.align.mode import choose_mode
from workbench.align.monotone import MonotoneParams, search_monotone
from workbench.align.params import (EMBED_NEIGHBOURS, RETRIEVAL, RetrievalModel, Signals,
                                    confident_threshold, default_scorers,
                                    monotone_params, partial_params)
from workbench.align.params import calibration as search_calibration
from workbench.align.partial import PartialParams, display_order, search_partial
from workbench.align.scorers import BeadScorer, EmbedScorer, Weighted
from workbench.errors import InputError, ModelError
from workbench.model import Alignment, Bead

__all__ = ["Alignment", "Bead", "MODES", "Side", "align", "anchors_of", "display_order",
           "quoted_parts"]

MODES = ("auto", "monotone", "partial")
#: The similarity signals: the sentence encoder, n-grams of the MT against the rendering, and the
#: model-free n-grams, anchors and quotes of the source itself against the rendering.
SIGNALS = ("embed", "mt", "lexical")


def parse_signals(text: str | Sequence[str]) -> tuple[str, ...]:
    """"auto" or a comma-separated subset of SIGNALS, in SIGNALS order; ("auto",) for auto."""
    parts = [s.strip() for s in (text.split(",") if isinstance(text, str) else text) if s.strip()]
    if parts == ["auto"]:
        return ("auto",)
    unknown = [s for s in parts if s not in SIGNALS]
    if unknown or not parts:
        raise InputError(f"unknown alignment signal '{', '.join(unknown) or text}'",
                         hint=f"use auto or a comma-separated list of {', '.join(SIGNALS)}")
    return tuple(s for s in SIGNALS if s in parts)


def _resolve_signals(signals: str | Sequence[str], mt: Sequence[str] | None,
                     embedder) -> tuple[tuple[str, ...], object | None]:
    """The signals actually used, and the embedder (made here when the encoder is asked for or
    available and none was given). auto = every signal available: the encoder when it can be
    loaded, the MT when given, and the model-free signals when there is no MT."""
    wanted = parse_signals(signals)
    auto = wanted == ("auto",)
    if "mt" in wanted and mt is None:
        raise InputError("the signal 'mt' needs a machine translation of the source",
                         hint="give the MT (--mt FILE), or leave 'mt' out of --signals")
    if auto or "embed" in wanted:
        if embedder is None:
            try:
                from workbench.embed import Embedder
                embedder = Embedder()
            except ModelError:
                if not auto:
                    raise
                embedder = None
    if auto:
        wanted = tuple(s for s in SIGNALS if (s == "embed" and embedder is not None)
                       or (s == "mt" and mt is not None) or (s == "lexical" and mt is None))
    return wanted, (embedder if "embed" in wanted else None)


def align(source: Sequence[str], rendering: Sequence[str], *, src_lang: str, tgt_lang: str,
          mt: Sequence[str] | None = None, mode: str = "auto", signals: str | Sequence[str] = "auto",
          embedder=None, monotone: MonotoneParams | None = None,
          partial: PartialParams | None = None,
          scorers: Sequence[Weighted] | None = None,
          model_path: str | None = None, calibration=None) -> Alignment:
    """Align source sentences with rendering sentences.

    signals: "auto" (every signal available) or a comma-separated subset of "embed" (the bundled
    multilingual sentence encoder, `embedder` or a default `workbench.embed.Embedder`), "mt" (`mt`
    holds one machine translation per source sentence, compared with the rendering by n-grams) and
    "lexical" (the source itself, Cyrillic transliterated, against the rendering: names, numbers,
    dates, quotes and cognates). Lengths always count.

    mode: "auto" (the default): the one search (`one.py`) for every shape, with the fitted model
    (`model_path`: another one written by scripts/fit_align.py) and the data directory's refit
    probabilities (`calibration`, workbench.align.calibrate), when the encoder is among the
    signals; settings["mode"] is "one" and settings["shape"] says what the search found
    ("translation" or "reporting"). Without the encoder, auto picks one of the two older searches
    by `choose_mode`. Overrides: "monotone" (full translations in order: banded dynamic programme
    over 0-1, 1-0, 1-1, 1-2, 2-1, 2-2, 1-3, 3-1, 2-3, 3-2, 1-4, 4-1 and 3-3 beads), "partial"
    (reporting: quoted or paraphrased source sentences found anywhere and in any order, unrelated
    rendering sentences left unmatched, no forced matches). The reason goes into
    settings["mode-reason"].

    Every source and rendering sentence is in exactly one bead. Beads are in display order: for
    monotone alignments both sides ascend; otherwise the rendering is walked in order and each bead
    is emitted at its first rendering sentence, and a source-only (1-0) bead comes right after the
    bead holding the nearest preceding source sentence (first when there is none). Scores are
    probabilities in [0, 1] that the bead is right, low meaning "look here first"; unmatched
    sentences have score 0 and method "unmatched". `settings` records signals, mode (and why),
    method and parameters as strings.
    """
    if mode not in MODES:
        raise InputError(f"unknown alignment mode '{mode}'", hint=f"use one of {', '.join(MODES)}")
    if mt is not None and len(mt) != len(source):
        raise InputError(f"the MT has {len(mt)} sentences but the source has {len(source)}",
                         hint="give exactly one translation per source sentence")
    used, embedder = _resolve_signals(signals, mt, embedder)
    if "mt" not in used:
        mt = None
    view = _view(source, rendering, src_lang, tgt_lang, mt, embedder)
    n, m = len(source), len(rendering)
    sig = Signals(embed="embed" in used, mt=mt is not None, lexical="lexical" in used)
    mp = monotone or monotone_params(sig)
    pp = partial or partial_params(sig)
    settings = {"aligner": "workbench.align", "signals": ",".join(used) or "length",
                "method": sig.method}
    if embedder is not None:
        settings["encoder"] = str(getattr(embedder, "model_id", type(embedder).__name__))
    if n == 0 or m == 0:
        chosen, why = (mode if mode != "auto" else "monotone"), "one side is empty"
        beads = [Bead((i,), (), 0.0, "unmatched") for i in range(n)]
        beads += [Bead((), (j,), 0.0, "unmatched") for j in range(m)]
    elif mode == "auto" and view.sem is not None and scorers is None and monotone is None \
            and partial is None:
        from workbench.align import one

        model = one.load_model(model_path)
        own = _own_view(view, src_lang, tgt_lang)
        beads = one.search(own, model, sig.method, settings)
        if calibration is not None and calibration.decisions:
            beads = [replace(b, score=calibration(b.score)) if b.source and b.rendering else b
                     for b in beads]
            settings["calibration"] = calibration.describe()
        chosen = "one"
        why = (f"one search over every shape; {settings['linked']} rendering sentences linked, "
               f"read as {settings['shape']}")
        view.ratio = own.ratio
    else:
        cands = _candidates(view, sig, pp.per_source)
        if mode == "auto":
            chosen, why = _auto_mode(view, sig, cands, src_lang, tgt_lang, mp, pp)
        else:
            chosen, why = mode, "chosen by the caller"
        view.ratio = _search_ratio(view, sig, chosen, src_lang, tgt_lang)
        bead_scorer = BeadScorer(view, scorers if scorers is not None
                                 else default_scorers(sig, chosen))
        bead_scorer.calibration = search_calibration(sig, chosen)
        if chosen == "partial" and view.sem is not None and scorers is None and partial is None:
            beads = _retrieve(_own_view(view, src_lang, tgt_lang), RETRIEVAL,
                              sig.method, settings)
        else:
            settings["scorers"] = bead_scorer.describe()
            search = _monotone if chosen == "monotone" else _partial
            beads = search(bead_scorer, view, cands, mp, pp, sig, src_lang, tgt_lang, settings)
    settings["mode"] = chosen
    settings["mode-reason"] = why if mode == "auto" else "chosen by the caller"
    settings["length-ratio"] = f"{view.ratio:.3f}"
    return Alignment(beads=display_order(beads, n, m), settings=settings)


def _view(source: Sequence[str], rendering: Sequence[str], src_lang: str, tgt_lang: str,
          mt: Sequence[str] | None, embedder) -> PairView:
    names = "de" not in (src_lang, tgt_lang)
    src_side = Side(source, names=names)
    cmp_side = Side(mt, names=names) if mt is not None else src_side
    tgt_side = Side(rendering, names=names)
    measured = max(1, sum(tgt_side.lengths)) / max(1, sum(src_side.lengths))
    view = PairView(cmp=cmp_side, rendering=tgt_side, ratio=1.0 if mt is not None else measured,
                    src=src_side if mt is not None else None, src_ratio=measured)
    if embedder is not None and source and rendering:
        from workbench.align.semantic import semantic_view
        view.sem = semantic_view(source, rendering, embedder)
    return view


def _candidates(view: PairView, sig: Signals, per_source: int) -> dict[int, list[int]]:
    """Lexical candidates from the n-gram index, joined by the encoder's nearest neighbours."""
    cands = candidate_pairs(view, per_source=per_source)
    if view.sem is not None:
        near = view.sem.candidates(EMBED_NEIGHBOURS)
        keep = per_source if sig.mt else 0
        cands = {i: near[i] + [j for j in cands[i][:keep] if j not in near[i]] for i in cands}
    return cands


def _auto_mode(view: PairView, sig: Signals, cands: dict[int, list[int]], src_lang: str,
               tgt_lang: str, mp: MonotoneParams, pp: PartialParams) -> tuple[str, str]:
    # the size test must not use the length ratio measured on these very documents
    view.ratio = 1.0 if sig.mt else _expected_ratio(src_lang, tgt_lang)
    # with the encoder its matches alone decide: the other signals' scales differ per document
    probe = BeadScorer(view, [Weighted(EmbedScorer(), 1.0)] if sig.embed
                       else default_scorers(sig, "partial"))
    threshold = confident_threshold(sig, mp, pp)
    return choose_mode(view, best_matches(probe, cands, threshold), semantic=sig.embed,
                       reliable=sig.mt)


def _search_ratio(view: PairView, sig: Signals, chosen: str, src_lang: str, tgt_lang: str
                  ) -> float:
    if sig.mt:
        return 1.0
    if chosen == "partial":
        return _expected_ratio(src_lang, tgt_lang)
    return view.src_ratio


def _monotone(score: BeadScorer, view: PairView, cands: dict[int, list[int]],
              mp: MonotoneParams, pp: PartialParams, sig: Signals, src_lang: str, tgt_lang: str,
              settings: dict[str, str]) -> list[Bead]:
    method = sig.method
    n, m = len(view.cmp), len(view.rendering)
    chain = monotone_chain(best_matches(score, cands, mp.anchor_threshold))
    spans = search_monotone(score, n, m, chain, mp)
    closest = {}
    if view.sem is not None and any(s0 == s1 for s0, s1, _, _ in spans):
        # the suggestion's probability comes from the model fitted on unrelated sentences too;
        # the monotone calibration only ever saw beads the search had chosen
        from workbench.align.retrieve import closest_sources

        closest = closest_sources(_own_view(view, src_lang, tgt_lang), RETRIEVAL)
    beads = []
    for s0, s1, t0, t1 in spans:
        matched = s1 > s0 and t1 > t0
        c = closest.get(t0) if not matched and t1 > t0 else None
        beads.append(Bead(tuple(range(s0, s1)), tuple(range(t0, t1)),
                          score.probability(s0, s1, t0, t1) if matched else 0.0,
                          method if matched else "unmatched",
                          closest=(c.i, round(c.first, 4)) if c is not None else None))
    settings.update({"threshold": f"{mp.threshold:g}", "merge-penalty": f"{mp.merge_penalty:g}",
                     "big-penalty": f"{mp.big_penalty:g}", "anchors": str(len(chain)),
                     "anchor-threshold": f"{mp.anchor_threshold:g}", "band-width": str(mp.width)})
    return beads


def _partial(score: BeadScorer, view: PairView, cands: dict[int, list[int]],
             mp: MonotoneParams, pp: PartialParams, sig: Signals, src_lang: str, tgt_lang: str,
             settings: dict[str, str]) -> list[Bead]:
    method = sig.method
    n, m = len(view.cmp), len(view.rendering)
    beads = []
    src_seen: set[int] = set()
    tgt_seen: set[int] = set()
    for s0, s1, t0, t1, by_context in search_partial(score, n, m, cands, pp):
        beads.append(Bead(tuple(range(s0, s1)), tuple(range(t0, t1)),
                          score.probability(s0, s1, t0, t1),
                          method + ("+context" if by_context else "")))
        src_seen.update(range(s0, s1))
        tgt_seen.update(range(t0, t1))
    beads += [Bead((i,), (), 0.0, "unmatched") for i in range(n) if i not in src_seen]
    beads += [Bead((), (j,), 0.0, "unmatched") for j in range(m) if j not in tgt_seen]
    settings.update({"threshold": f"{pp.threshold:g}",
                     "context-threshold": f"{pp.context_threshold:g}",
                     "merge-penalty": f"{pp.merge_penalty:g}", "big-penalty": f"{pp.big_penalty:g}",
                     "candidates-per-sentence": str(pp.per_source)})
    return beads


def _own_view(view: PairView, src_lang: str, tgt_lang: str) -> PairView:
    """The source itself (not its MT) against the rendering, at the language pair's expected
    length ratio: what the partial search's models were fitted on."""
    return PairView(cmp=view.src if view.src is not None else view.cmp, rendering=view.rendering,
                    sem=view.sem, ratio=_expected_ratio(src_lang, tgt_lang))


def _retrieve(view: PairView, model: RetrievalModel, method: str,
              settings: dict[str, str]) -> list[Bead]:
    """The partial search on meaning (retrieve.py): links with their probabilities; a rendering
    sentence left unmatched keeps its closest source sentence and that one's probability."""
    from workbench.align.retrieve import search

    n, m = len(view.cmp), len(view.rendering)
    links, closest = search(view, model)
    beads = []
    src_seen: set[int] = set()
    tgt_seen: set[int] = set()
    for s0, s1, t0, t1, p in links:
        beads.append(Bead(tuple(range(s0, s1)), tuple(range(t0, t1)), round(p, 4), method))
        src_seen.update(range(s0, s1))
        tgt_seen.update(range(t0, t1))
    beads += [Bead((i,), (), 0.0, "unmatched") for i in range(n) if i not in src_seen]
    for j in range(m):
        if j not in tgt_seen:
            c = closest.get(j)
            beads.append(Bead((), (j,), 0.0, "unmatched",
                              closest=(c.i, round(c.first, 4)) if c is not None else None))
    settings["search"] = "retrieve " + model.describe()
    # one value of the X-Aligner header, whose items are "key=value" joined by "; "
    settings["features"] = ("margin best-part lead lexical containment length anchors rank, "
                            "neighbour support")
    return beads

"""Every shape of rendering on every development text: what `workbench align A B` answers.

Cases come from benchmarks/_devsets.py (the nine OPUS Books gold alignments and the Text+Berg
articles in ../shared/eval, read where they lie): full translations (250-link passages), reporting
that quotes in source order (60% quoted), reporting that quotes little (20%), shuffled quotes, each
partial shape also with cut quotes. The seeds default to 10 and 11, which the model's fitting
(scripts/fit_align.py, seeds 0-3) never saw: other passages of the same books. For figures on
language pairs the model never saw, use `scripts/fit_align.py --lopo` (leave one pair out).

Each case is aligned exactly as the CLI does with its defaults (mode auto, signals auto, no MT),
with a cold encoder cache (a fresh temporary directory) unless --warm. PyPI's galechurch (lengths
only) runs on every full case in the same process, as the named baseline.

Per set (text and shape): full cases strict F1 (workbench and galechurch); partial cases pair F1
and the share of unrelated (own) sentences linked; per set and pooled: the precision of links
given >= 0.9 and the expected calibration error of the links' probabilities.

    .venv/bin/python benchmarks/align_shapes.py [--texts opus/de-en,textberg/test] [--seeds 10,11] [--warm]

Targets (issue "one search"): partial pair F1 >= 0.92 whole, >= 0.85 cut, <= 2% unrelated linked;
full F1 >= galechurch + 0.02; links given >= 0.9 right >= 97%; ECE <= 0.05. The last line is one
JSON object: per set and per shape.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import tempfile
import time

import numpy as np

import _devsets
from _textberg import LinkScore, PartialScore, missing_data, run_galechurch


def ece(p: np.ndarray, right: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: equal-width bins of probability, weighted by their counts."""
    total = 0.0
    which = np.minimum((p * bins).astype(int), bins - 1)
    for b in range(bins):
        sel = which == b
        if sel.any():
            total += sel.sum() * abs(float(p[sel].mean()) - float(right[sel].mean()))
    return total / max(len(p), 1)


class Tally:
    def __init__(self) -> None:
        self.full = LinkScore()
        self.gale = LinkScore()
        self.part = PartialScore()
        self.probs: list[float] = []
        self.right: list[bool] = []
        self.seconds = 0.0

    def summary(self) -> dict:
        out: dict = {}
        if self.full.p_total:
            out["f1"] = round(self.full.figures()["f1_strict"], 4)
            out["galechurch_f1"] = round(self.gale.figures()["f1_strict"], 4)
        if self.part.pair_gold:
            out["f1"] = round(self.part.pair[2], 4)
            out["unrelated_linked"] = round(self.part.distractor_rate, 4)
        if self.probs:
            p, r = np.array(self.probs), np.array(self.right, dtype=float)
            high = p >= 0.9
            out["p_at_0.9"] = round(float(r[high].mean()), 4) if high.any() else None
            out["links_at_0.9"] = int(high.sum())
            out["ece"] = round(ece(p, r), 4)
        out["seconds"] = round(self.seconds, 1)
        return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--texts", help="comma-separated: opus/PAIR, textberg/dev, textberg/ARTICLE")
    ap.add_argument("--seeds", default="10,11")
    ap.add_argument("--warm", action="store_true",
                    help="use the default encoder cache instead of a cold one")
    args = ap.parse_args(argv)
    why = missing_data()
    if why:
        print(f"skipped: {why}", file=sys.stderr)
        return 0
    from workbench.align import align
    from workbench.embed import Embedder

    cold = None if args.warm else tempfile.TemporaryDirectory(prefix="align-shapes-")
    embedder = Embedder(cache_dir=cold.name) if cold else Embedder()
    seeds = [int(s) for s in args.seeds.split(",")]
    names = args.texts.split(",") if args.texts else None
    sets: dict[str, Tally] = collections.defaultdict(Tally)
    for text in _devsets.texts(names):
        for case in _cases(text, seeds):
            start = time.perf_counter()
            al = align(case.source, case.rendering, src_lang=case.src_lang,
                       tgt_lang=case.tgt_lang, embedder=embedder)
            seconds = time.perf_counter() - start
            links = [(b.source, b.rendering) for b in al.beads]
            gold = {g for g in case.gold if g[0] and g[1]}
            for key in (f"{text.name}|{case.kind}", f"*|{case.kind}"):
                t = sets[key]
                t.seconds += seconds
                for b in al.beads:
                    if b.source and b.rendering:
                        t.probs.append(b.score)
                        t.right.append((b.source, b.rendering) in gold)
                if case.shape == "full":
                    t.full.add(case.gold, links)
                    t.gale.add(case.gold, run_galechurch(case.source, case.rendering).links)
                else:
                    t.part.add(case.gold, [x for x in links if x[0] and x[1]], case.distractors)
        for key in sorted(k for k in sets if k.startswith(text.name + "|")):
            print(f"{key:28} {json.dumps(sets[key].summary())}", flush=True)
    pooled = {k: sets[k].summary() for k in sorted(sets) if k.startswith("*|")}
    for k, v in pooled.items():
        print(f"{k:28} {json.dumps(v)}", flush=True)
    if cold:
        cold.cleanup()
    print(json.dumps({"sets": {k: sets[k].summary() for k in sorted(sets)}}))
    return 0


def _cases(text, seeds: list[int]):
    """The text's cases for the given seeds (every shape, partial ones whole and cut)."""
    for shape in _devsets.SHAPES:
        for seed in seeds:
            if shape == "full":
                yield _devsets.full_case(text, seed)
            else:
                yield from _devsets.partial_cases(text, shape, seed)


if __name__ == "__main__":
    sys.exit(main())

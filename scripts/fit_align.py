"""Fit the one search's evidence model on the development cases and check it leave-one-pair-out.

    python scripts/fit_align.py [--cache DIR] [--lopo] [--write]

The cases (benchmarks/_devsets.py) are built from the nine OPUS Books gold alignments and the
Text+Berg development article in ../shared/eval, read where they lie: full translations, reporting
in order, reporting that quotes little, shuffled quotes, each also with cut quotes. `--lopo` fits
on every language pair but one and measures the one left out (strict F1 of full translations,
pair F1 and unrelated sentences linked for the partial shapes, expected calibration error and the
precision of links given >= 0.9). `--write` fits on everything and writes
workbench/align/fitted.json. The same cases always give the same model.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import _devsets  # noqa: E402
from _textberg import LinkScore, PartialScore  # noqa: E402

from workbench.align.evidence import FEATURES  # noqa: E402
from workbench.align.features import PairView, Side  # noqa: E402
from workbench.align.fitting import Example, fit  # noqa: E402
from workbench.align.learn import expected_calibration_error  # noqa: E402
from workbench.align.one import OneModel, load_model, prepare  # noqa: E402
from workbench.align.search import decode, fit_document  # noqa: E402
from workbench.align.semantic import SemanticView  # noqa: E402

#: The features the model weighs (see evidence.py).
NAMES = ("margin", "margin_min", "background", "length", "lexical", "anchors", "merge", "big",
         "short", "lead", "part")
ALL = FEATURES


def example(case, embedder, base: OneModel) -> Example:
    names = "de" not in (case.src_lang, case.tgt_lang)
    view = PairView(cmp=Side(case.source, names=names), rendering=Side(case.rendering, names=names),
                    ratio=1.0)
    view.sem = SemanticView(embedder.embed(case.source), embedder.embed(case.rendering),
                            source=case.source, embedder=embedder)
    prep = prepare(view, base)
    x = prep.evidence.features(prep.rows, ALL)
    group = case.pair + ("*" if case.name.startswith("textberg") else "")
    return Example(prep, x, ALL, [g for g in case.gold if g[0] and g[1]] if case.shape != "full"
                   else list(case.gold), group), case


class Tally:
    def __init__(self) -> None:
        self.full = LinkScore()
        self.part: dict[str, PartialScore] = collections.defaultdict(PartialScore)
        self.probs: list[float] = []
        self.right: list[bool] = []

    def add(self, ex: Example, case, model: OneModel) -> None:
        p = ex.prepared
        cols = [ex.names.index(k) for k in model.emission.names]
        llr = model.emission.logit(ex.x[:, cols])
        post, _ = fit_document(p.n, p.m, p.rows, llr, model.prior, model.rounds)
        chosen = decode(p.rows, post, p.m, model.gain)
        rows = p.rows.tolist()
        links = [(tuple(range(rows[k][0], rows[k][1])), tuple(range(rows[k][2], rows[k][3])))
                 for k in chosen]
        gold = {g for g in case.gold if g[0] and g[1]}
        for k, link in zip(chosen, links):
            self.probs.append(float(post.bead[k]))
            self.right.append(link in gold)
        if case.shape == "full":
            s_used = {s for link in links for s in link[0]}
            t_used = {t for link in links for t in link[1]}
            full = links + [((i,), ()) for i in range(p.n) if i not in s_used]
            full += [((), (t,)) for t in range(p.m) if t not in t_used]
            self.full.add(case.gold, full)
        else:
            self.part[case.kind].add(case.gold, links, case.distractors)

    def summary(self) -> dict:
        out: dict = {}
        if self.full.p_total:
            out["full"] = round(self.full.figures()["f1_strict"], 3)
        for kind, score in sorted(self.part.items()):
            out[kind] = round(score.pair[2], 3)
            out[kind + ":unrelated"] = round(score.distractor_rate, 3)
        if self.probs:
            p, r = np.array(self.probs), np.array(self.right, dtype=float)
            out["ece"] = round(expected_calibration_error(p, r), 3)
            high = p >= 0.9
            out["p@0.9"] = round(float(r[high].mean()), 3) if high.any() else None
        return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", help="the encoder's cache directory")
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--lopo", action="store_true")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--names", default=",".join(NAMES))
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--gain", type=float, help="the decoding gain (default: the model's)")
    args = ap.parse_args(argv)
    from workbench.embed import Embedder

    embedder = Embedder(cache_dir=args.cache) if args.cache else Embedder()
    base = load_model()
    if args.gain is not None:
        base = replace(base, gain=args.gain)
    names = tuple(args.names.split(","))
    data = []
    for text in _devsets.texts():
        for case in _devsets.cases(text, seeds=args.seeds):
            data.append(example(case, embedder, base))
        print(f"{text.name}: {time.strftime('%X')}", file=sys.stderr, flush=True)
    report = {}
    if args.lopo:
        total = Tally()
        for group in sorted({ex.group for ex, _ in data}):
            model = fit([ex for ex, _ in data if ex.group != group], names, base, args.l2)
            tally = Tally()
            for ex, case in data:
                if ex.group == group:
                    tally.add(ex, case, model)
                    total.add(ex, case, model)
            report[group] = tally.summary()
            print(group, json.dumps(report[group]), flush=True)
        report["all"] = total.summary()
        print("all", json.dumps(report["all"]), flush=True)
    if args.write:
        pairs = sorted({ex.group for ex, _ in data})
        model = fit([ex for ex, _ in data], names, base, args.l2,
                    provenance=f"one-search fitted on {len(data)} cases of {len(pairs)} pairs "
                               f"({', '.join(pairs)})")
        out = ROOT / "workbench" / "align" / "fitted.json"
        out.write_text(json.dumps(model.to_json()) + "\n", encoding="utf-8")
        print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Sentence alignment on the Text+Berg German->French gold standard, beside the published figures.

Aligns the seven test articles (or the development article with --split dev) in auto mode, which is
what users get, with four sets of signals: the Google MT with the encoder (signals auto), the
Europarl MT with the encoder (signals auto), the encoder alone (signals embed, no MT) and the
lexical signals alone (signals lexical, no MT, no encoder). Scores strict and lax precision, recall
and F1 pooled over the articles, as defined in ../shared/eval/README.md (Bleualign's evaluation,
Vecalign's score.py), beside the published figures and beside PyPI's `galechurch` (lengths only,
the named peer) run in the same process on the same files.

Each variant is also run in forced monotone and forced partial mode: per article, the strict F1 of
auto and of the better forced mode are printed, and auto_gap_max is the largest amount by which the
better forced mode beats auto on one article in any variant (target <= 0.01). Seconds are the sum
of the align() calls; the encoder's vectors of every sentence are computed first (or found in the
disk cache, $WORKBENCH_CACHE_DIR or ~/.cache/workbench) and that time is printed apart. Lexical
monotone alignment must take at most twice galechurch's time.

Targets, strict F1 on test: >= 0.94 with Google MT + encoder, >= 0.90 with the encoder alone,
>= 0.80 lexical alone.

    .venv/bin/python benchmarks/align_textberg.py [--split test|dev] [--no-forced]

The last line is one JSON object: strict_f1_google, strict_f1_europarl, strict_f1_embed,
strict_f1_lexical, auto_gap_max, and more.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from typing import Any

from _textberg import (PUBLISHED, Article, LinkScore, Run, Unavailable, articles_of, load_article,
                       make_embedder, missing_data, run_galechurch, run_workbench, strict_f1,
                       warm_cache)

#: (label, MT system or None, signals, JSON key)
VARIANTS: tuple[tuple[str, str | None, str, str], ...] = (
    ("google MT + encoder", "google", "auto", "strict_f1_google"),
    ("europarl MT + encoder", "europarlfull", "auto", "strict_f1_europarl"),
    ("encoder alone", None, "embed", "strict_f1_embed"),
    ("lexical alone", None, "lexical", "strict_f1_lexical"),
)
TARGETS = {"strict_f1_google": 0.94, "strict_f1_embed": 0.90, "strict_f1_lexical": 0.80}
FORCED = ("monotone", "partial")


@dataclass
class Result:
    """One aligner in one mode over the articles: pooled scores, per-article strict F1, time."""

    score: LinkScore = field(default_factory=LinkScore)
    article_f1: dict[str, float] = field(default_factory=dict)
    modes: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, article: Article, run: Run) -> None:
        self.score.add(article.gold, run.links)
        self.article_f1[article.name] = strict_f1(article.gold, run.links)
        self.modes[run.mode] = self.modes.get(run.mode, 0) + 1
        self.seconds += run.seconds


def run_variant(articles: list[Article], mt: str | None, signals: str, mode: str,
                embedder: Any) -> Result:
    result = Result()
    for article in articles:
        result.add(article, run_workbench(article.source, article.rendering,
                                          mt=article.mt[mt] if mt else None, mode=mode,
                                          signals=signals, embedder=embedder))
    return result


def line(label: str, res: Result, target: float | None = None) -> str:
    f = res.score.figures()
    modes = ", ".join(f"{m} {n}" for m, n in sorted(res.modes.items()))
    aim = f">= {target:.2f}" if target is not None else ""
    return (f"{label:36} {f['precision_strict']:6.3f} {f['recall_strict']:6.3f} {f['f1_strict']:6.3f}  "
            f"{f['precision_lax']:6.3f} {f['recall_lax']:6.3f} {f['f1_lax']:6.3f} {res.seconds:8.2f}  "
            f"{aim:>7}  {modes}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", default="test", choices=["test", "dev"],
                    help="test: the seven reported articles; dev: the tuning article")
    ap.add_argument("--no-forced", action="store_true",
                    help="skip the forced-mode runs (no per-article auto check, no auto_gap_max)")
    ap.add_argument("--threads", type=int, default=2, help="encoder threads (default 2)")
    args = ap.parse_args(argv)
    if (problem := missing_data()) is not None:
        print(problem, file=sys.stderr)
        return 2
    articles = [load_article(name) for name in articles_of(args.split)]
    label = "dev" if args.split == "dev" else "test (7 articles, pooled)"
    print(f"Text+Berg de->fr, {label}, auto mode unless said otherwise")
    embedder, note = make_embedder(args.threads)
    count, secs = warm_cache(embedder, (s for a in articles for s in a.source + a.rendering))
    print(f"{note}; {count} sentences encoded or found there in {secs:.1f} s")
    print(f"{'':36} {'strict':^20}  {'lax':^20}")
    print(f"{'system':36} {'P':>6} {'R':>6} {'F1':>6}  {'P':>6} {'R':>6} {'F1':>6} {'seconds':>8}  "
          f"{'target':>7}  modes chosen")
    auto: dict[str, Result] = {}
    forced: dict[str, dict[str, Result]] = {}
    for name, mt, signals, key in VARIANTS:
        if embedder is None:
            name = name.replace(" + encoder", ", no encoder")
        try:
            auto[key] = run_variant(articles, mt, signals, "auto", embedder)
        except Unavailable as exc:
            print(f"{'workbench, ' + name:36} n/a: {exc}")
            continue
        print(line(f"workbench, {name}", auto[key], TARGETS.get(key)), flush=True)
        if not args.no_forced:
            forced[key] = {m: run_variant(articles, mt, signals, m, embedder) for m in FORCED}
    peer = Result()
    for article in articles:
        peer.add(article, run_galechurch(article.source, article.rendering))
    print(line("galechurch (PyPI, lengths only)", peer))
    print("published (test set, strict F1):")
    for name, f in PUBLISHED:
        print(f"{name:36} {'':13} {f:6.3f}")

    out: dict[str, Any] = {key: (round(auto[key].score.figures()["f1_strict"], 4) if key in auto else None)
                           for _, _, _, key in VARIANTS}
    if forced:
        print("forced modes (pooled strict F1) and, per article, strict F1 of auto / the better "
              "forced mode:")
        names = [a.name for a in articles]
        print(f"{'':36} {'monotone':>8} {'partial':>8}  " + " ".join(f"{n:>11}" for n in names))
        gaps: list[tuple[float, str]] = []
        for name, _, _, key in VARIANTS:
            if key not in forced:
                continue
            mono, part = forced[key]["monotone"], forced[key]["partial"]
            cells = []
            for n in names:
                best = max(mono.article_f1[n], part.article_f1[n])
                gaps.append((best - auto[key].article_f1[n], f"{name}, {n}"))
                cells.append(f"{auto[key].article_f1[n]:.3f}/{best:.3f}")
            print(f"{'workbench, ' + name:36} {mono.score.figures()['f1_strict']:8.3f} "
                  f"{part.score.figures()['f1_strict']:8.3f}  " + " ".join(f"{c:>11}" for c in cells))
        gap, where = max(gaps, key=lambda g: g[0])
        print(f"auto gap (better forced mode's strict F1 minus auto's): max {gap:+.3f} on {where} "
              f"(target <= 0.01)")
        out["auto_gap_max"] = round(max(0.0, gap), 4)
        if "strict_f1_lexical" in forced:
            lex = forced["strict_f1_lexical"]["monotone"].seconds
            ratio = lex / peer.seconds if peer.seconds else float("inf")
            print(f"time, lexical monotone over galechurch: {lex:.2f} s / {peer.seconds:.3f} s = "
                  f"{ratio:.1f}x (target <= 2x)")
            out["seconds_lexical_monotone"] = round(lex, 3)
            out["lexical_monotone_over_galechurch_time"] = round(ratio, 2)
    best_name, best = max(PUBLISHED, key=lambda nf: nf[1])
    peer_f1 = peer.score.figures()["f1_strict"]
    ratios = ", ".join(f"{name} {auto[key].score.figures()['f1_strict'] / best:.3f}"
                       for name, _, _, key in VARIANTS if key in auto)
    print(f"strict F1 over the best published ({best_name}, {best}): {ratios}")
    ratios = ", ".join(f"{name} {auto[key].score.figures()['f1_strict'] / peer_f1:.3f}"
                       for name, _, _, key in VARIANTS if key in auto and peer_f1)
    print(f"strict F1 over galechurch's measured here ({peer_f1:.3f}): {ratios}")
    if "strict_f1_google" in auto:
        out["lax_f1_google"] = round(auto["strict_f1_google"].score.figures()["f1_lax"], 4)
    out["strict_f1_galechurch"] = round(peer_f1, 4)
    out["seconds_galechurch"] = round(peer.seconds, 4)
    out.update({f"seconds_{key[len('strict_f1_'):]}": round(res.seconds, 3) for key, res in auto.items()})
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())

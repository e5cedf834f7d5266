"""Sentence alignment on the Text+Berg German->French gold standard, beside the published figures.

Aligns the seven test articles (or the development article with --dev) with the Google MT, with the
Europarl MT and with no MT, and scores strict and lax precision, recall and F1 pooled over the
articles, as defined in ../shared/eval/README.md (the definition of Bleualign's evaluation and of
Vecalign's score.py). The last line is one JSON object with the headline figures.

    .venv/bin/python benchmarks/align_textberg.py [--dev]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

from workbench.align import align

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "eval" / "textberg-de-fr"

PUBLISHED = [  # system, strict F1 on test
    ("Gale-Church (length only)", 0.68),
    ("Bleualign, mt-google", 0.809),
    ("Bleualign, mt-europarlfull", 0.807),
    ("Vecalign (LASER)", 0.902),
    ("SentAlign", 0.932),
    ("Bertalign (LaBSE)", 0.936),
]

Link = tuple[tuple[int, ...], tuple[int, ...]]


def parse_links(lines: list[str]) -> list[Link]:
    """`[0, 1]:[2]` lines into links."""
    out: list[Link] = []
    for line in lines:
        if not line.strip():
            continue
        left, right = line.split(":")
        out.append((tuple(int(x) for x in re.findall(r"\d+", left)),
                    tuple(int(x) for x in re.findall(r"\d+", right))))
    return out


def _counts(gold: list[Link], test: list[Link]) -> tuple[int, int, int, int]:
    """(strict hits, strict misses, lax hits, lax misses) of `test` judged against `gold`."""
    gold_set = {g for g in gold if g[0] or g[1]}
    tgt_of_src: dict[int, set[int]] = {}
    for gs, gt in gold_set:
        for s in gs:
            tgt_of_src.setdefault(s, set()).update(gt)
    sh = sm = lh = lm = 0
    for link in {t for t in test if t[0] or t[1]}:
        if link in gold_set:
            sh += 1
            lh += 1
            continue
        sm += 1
        near = set().union(*(tgt_of_src.get(s, set()) for s in link[0])) if link[0] else set()
        if near & set(link[1]):
            lh += 1
        else:
            lm += 1
    return sh, sm, lh, lm


def score(pairs: list[tuple[list[Link], list[Link]]]) -> dict[str, float]:
    """Pooled strict/lax P, R, F1 over (gold, test) pairs. Precision over every predicted link;
    recall over the gold links with both sides non-empty, against predicted links likewise."""
    p = [0, 0, 0, 0]
    r = [0, 0, 0, 0]
    for gold, test in pairs:
        p = [a + b for a, b in zip(p, _counts(gold, test))]
        full = lambda links: [x for x in links if x[0] and x[1]]  # noqa: E731
        r = [a + b for a, b in zip(r, _counts(full(test), full(gold)))]

    def ratio(hit: int, miss: int) -> float:
        return hit / (hit + miss) if hit + miss else 0.0

    def f1(a: float, b: float) -> float:
        return 2 * a * b / (a + b) if a + b else 0.0

    out = {"precision_strict": ratio(p[0], p[1]), "recall_strict": ratio(r[0], r[1]),
           "precision_lax": ratio(p[2], p[3]), "recall_lax": ratio(r[2], r[3])}
    out["f1_strict"] = f1(out["precision_strict"], out["recall_strict"])
    out["f1_lax"] = f1(out["precision_lax"], out["recall_lax"])
    return out


def read_lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def run(articles: list[str], mt: str | None, mode: str = "monotone") -> tuple[dict[str, float], float]:
    pairs = []
    start = time.perf_counter()
    for name in articles:
        src = read_lines(DATA / f"{name}.de")
        tgt = read_lines(DATA / f"{name}.fr")
        trans = read_lines(DATA / f"{name}.mt-{mt}.fr") if mt else None
        gold = parse_links(read_lines(DATA / f"{name}.gold"))
        alignment = align(src, tgt, src_lang="de", tgt_lang="fr", mt=trans, mode=mode)
        pairs.append((gold, [(b.source, b.target) for b in alignment.beads]))
    return score(pairs), time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dev", action="store_true", help="score the development article instead of test")
    ap.add_argument("--mode", default="monotone", choices=["auto", "monotone", "partial"])
    args = ap.parse_args(argv)
    if not DATA.is_dir():
        print(f"no evaluation data at {DATA}", file=sys.stderr)
        return 2
    articles = ["dev"] if args.dev else [f"test{k}" for k in range(7)]
    label = "dev" if args.dev else "test (7 articles, pooled)"
    print(f"Text+Berg de->fr, {label}, mode {args.mode}")
    print(f"{'system':34} {'P strict':>8} {'R strict':>8} {'F1 strict':>9} {'F1 lax':>7} {'seconds':>8}")
    results = {}
    for mt in ("google", "europarlfull", None):
        res, secs = run(articles, mt, args.mode)
        results[mt] = res
        name = f"workbench, mt-{mt}" if mt else "workbench, no MT"
        print(f"{name:34} {res['precision_strict']:8.3f} {res['recall_strict']:8.3f} "
              f"{res['f1_strict']:9.3f} {res['f1_lax']:7.3f} {secs:8.2f}")
    print("published (test set, strict F1):")
    for name, f in PUBLISHED:
        print(f"{name:34} {'':8} {'':8} {f:9.3f}")
    best = max(f for _, f in PUBLISHED)
    print(f"ratio to the best published figure ({best}): mt-google "
          f"{results['google']['f1_strict'] / best:.3f}, mt-europarlfull "
          f"{results['europarlfull']['f1_strict'] / best:.3f}; no MT over Gale-Church "
          f"{results[None]['f1_strict'] / 0.68:.3f}")
    print(json.dumps({"strict_f1_google": round(results["google"]["f1_strict"], 4),
                      "strict_f1_europarl": round(results["europarlfull"]["f1_strict"], 4),
                      "strict_f1_nomt": round(results[None]["f1_strict"], 4),
                      "lax_f1_google": round(results["google"]["f1_lax"], 4)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

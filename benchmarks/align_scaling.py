"""How alignment time and memory grow with document length.

Builds synthetic document pairs of 1,000, 10,000 and 50,000 sentences a side with precomputed MT
(random Zipf-distributed words; the MT is the rendering with a fifth of its words replaced; some
rendering sentences are split in two and some are the rendering's own), aligns each in monotone
mode in a fresh child process, and prints seconds, the child's peak resident memory (including the
interpreter, about 30 MB) and strict F1 against the known links. The baseline is the 1k run: the
growth ratio 10k/1k would be 10 for linear growth.

    .venv/bin/python benchmarks/align_scaling.py [--sizes 1000,10000,50000]

The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time

from _textberg import Link, strict_f1
from workbench.align import align


def synthetic_pair(n: int, seed: int = 7) -> tuple[list[str], list[str], list[str], list[Link]]:
    """(source, mt, rendering, gold links) with n source sentences."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocab = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 9))) for _ in range(20000)]
    cum: list[float] = []
    total = 0.0
    for k in range(len(vocab)):
        total += 1.0 / (k + 1)
        cum.append(total)

    def sentence() -> list[str]:
        words = rng.choices(vocab, cum_weights=cum, k=rng.randint(6, 24))
        if rng.random() < 0.1:
            words.insert(rng.randrange(len(words)), str(rng.randint(2, 9999)))
        return words

    def noisy(words: list[str], rate: float) -> list[str]:
        return [rng.choices(vocab, cum_weights=cum)[0] if rng.random() < rate else w for w in words]

    source, mt, rendering, gold = [], [], [], []
    for i in range(n):
        words = sentence()
        source.append("Q " + " ".join(rng.choices(vocab, cum_weights=cum, k=len(words))) + ".")
        mt.append(" ".join(words) + ".")
        tgt = noisy(words, 0.2)
        if rng.random() < 0.03:
            rendering.append(" ".join(sentence()) + ".")
            gold.append(((), (len(rendering) - 1,)))
        if len(tgt) > 12 and rng.random() < 0.08:
            cut = len(tgt) // 2
            rendering += [" ".join(tgt[:cut]) + ".", " ".join(tgt[cut:]) + "."]
            gold.append(((i,), (len(rendering) - 2, len(rendering) - 1)))
        else:
            rendering.append(" ".join(tgt) + ".")
            gold.append(((i,), (len(rendering) - 1,)))
    return source, mt, rendering, gold


def measure(n: int) -> dict[str, float]:
    source, mt, rendering, gold = synthetic_pair(n)
    start = time.perf_counter()
    alignment = align(source, rendering, src_lang="de", tgt_lang="fr", mt=mt, mode="monotone")
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux
    f1 = strict_f1(gold, [(b.source, b.target) for b in alignment.beads])
    return {"sentences": n, "targets": len(rendering), "seconds": seconds, "peak_mb": peak / 2**20,
            "strict_f1": f1}


def measure_in_child(n: int) -> dict[str, float]:
    """Run `measure` in a new interpreter so that each size's peak memory is its own."""
    done = subprocess.run([sys.executable, __file__, "--one", str(n)], check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1000,10000,50000")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(measure(args.one)))
        return 0
    sizes = [int(x) for x in args.sizes.split(",")]
    print(f"{'source':>8} {'rendering':>9} {'seconds':>8} {'peak MB':>8} {'strict F1':>9} {'x time of first':>15}")
    rows = {}
    for n in sizes:
        r = measure_in_child(n)
        rows[n] = r
        base = rows[sizes[0]]["seconds"]
        print(f"{n:8d} {r['targets']:9d} {r['seconds']:8.2f} {r['peak_mb']:8.1f} {r['strict_f1']:9.3f} "
              f"{r['seconds'] / base:15.2f}", flush=True)
    out = {f"seconds_{n // 1000}k": round(rows[n]["seconds"], 3) for n in sizes}
    if 1000 in rows and 10000 in rows:
        out["growth_10k_over_1k"] = round(rows[10000]["seconds"] / rows[1000]["seconds"], 2)
        out["peak_mb_10k"] = round(rows[10000]["peak_mb"], 1)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())

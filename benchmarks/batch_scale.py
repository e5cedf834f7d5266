"""Batch runs at scale: the sequential loop against a Dask LocalCluster of 1 and of 2 worker processes.

Synthetic document pairs (Russian-looking source of Cyrillic words; the rendering is the source's
transliteration with a fifth of its words replaced, so the tiny ru->en test model's MT matches it)
go through `workbench.batch.run` with the steps segment, translate (the tiny test model installed
from tests/fixtures), embed (the bundled encoder) and align, three times in one run, each with an
empty translation and encoder cache and an empty output directory:

* sequential: every pair in this process, one after another (the baseline);
* local-1 / local-2: `--scheduler local` with 1 and 2 worker processes of one thread each.

Printed: seconds per configuration (the cluster's start-up reported apart), the speed-up of
local-2 over local-1 (target on 2 cores: >= 1.7x) and over the sequential loop, and the per-task
overhead of local-1: its
wall time minus the time spent inside the tasks, per task, as a share of the mean task time (target
<= 5%). The three outputs are compared byte for byte.

The loop is not strictly one core: it runs in this process, where numpy's BLAS may use every core
for the encoder's and aligner's matrix products, while Dask starts its worker processes with
OMP_NUM_THREADS=OPENBLAS_NUM_THREADS=MKL_NUM_THREADS=1 and MALLOC_TRIM_THRESHOLD_=65536 (its
defaults, right for one worker per core). So local-1 trails the loop by more than its overhead; the
overhead figure is measured inside local-1 and does not depend on that.

The issue's full size is 200 pairs of 200 sentences (`--full`): 80,000 sentences to encode per
configuration, at about 25 sentences/s per core on this machine that is close to an hour each. The
default, 16 pairs of 24 sentences, takes a few minutes.

Usage: .venv/bin/python benchmarks/batch_scale.py [--pairs N] [--sentences S] [--full]
The last line printed is one JSON object: {"speedup_2_workers": ..., "overhead_share": ...}.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
MODEL = REPO / "tests" / "fixtures" / "translate-ru_en-test.argosmodel"

CYR = "абвгдеклмнопрстуфхцчшыэюя"
TRANSLIT = {"а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "к": "k", "л": "l", "м": "m",
            "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh",
            "ц": "ts", "ч": "ch", "ш": "sh", "ы": "y", "э": "e", "ю": "yu", "я": "ya"}


def synthetic_pairs(root: Path, pairs: int, sentences: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    vocab = ["".join(rng.choice(CYR) for _ in range(rng.randint(3, 8))) for _ in range(3000)]
    for p in range(pairs):
        src, ren = [], []
        for _ in range(sentences):
            words = rng.choices(vocab, k=rng.randint(5, 14))
            src.append(" ".join(words).capitalize() + ".")
            latin = ["".join(TRANSLIT[c] for c in w) for w in words]
            latin = [rng.choice(["the", "of", "and", "news"]) if rng.random() < 0.2 else w
                     for w in latin]
            ren.append(" ".join(latin).capitalize() + ".")
        (root / f"doc{p:04d}.ru.txt").write_text(paragraphs(src), encoding="utf-8")
        (root / f"doc{p:04d}.en.txt").write_text(paragraphs(ren), encoding="utf-8")


def paragraphs(lines: list[str]) -> str:
    """Four sentences a paragraph."""
    return "\n\n".join(" ".join(lines[i:i + 4]) for i in range(0, len(lines), 4)) + "\n"


def configuration(name: str, work: Path, scheduler: str, workers: int | None) -> dict:
    from workbench import batch

    os.environ["WORKBENCH_CACHE_DIR"] = str(work / f"cache-{name}")  # empty; worker processes inherit it
    manifest = batch.load_manifest(work / "manifest.toml")
    manifest = batch.Manifest(manifest.path, work / f"out-{name}", manifest.mode, manifest.pairs)
    t0 = time.perf_counter()
    ex = batch.executor(scheduler, workers)
    start_up = time.perf_counter() - t0
    try:
        summary = batch.run(manifest, ex)
    finally:
        ex.close()
    if summary.failures:
        sys.exit(f"{name}: failures: {summary.failures}")
    n = summary.status.done
    print(f"{name:>10}: {summary.seconds:7.1f} s for {n} pairs ({summary.status.sentences} "
          f"sentences), {summary.task_seconds:7.1f} s inside tasks, start-up {start_up:.1f} s")
    return {"seconds": summary.seconds, "task_seconds": summary.task_seconds, "tasks": n,
            "start_up": start_up, "out": work / f"out-{name}"}


def same_output(a: Path, b: Path) -> bool:
    names = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    other = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    return names == other and all(filecmp.cmp(a / n, b / n, shallow=False) for n in names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=16, help="document pairs (default 16)")
    parser.add_argument("--sentences", type=int, default=24, help="sentences per document (default 24)")
    parser.add_argument("--full", action="store_true", help="the issue's size: 200 pairs of 200")
    args = parser.parse_args()
    if args.full:
        args.pairs, args.sentences = 200, 200

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        os.environ["ARGOS_PACKAGES_DIR"] = str(work / "argos")
        os.environ["SOURCE_DATE_EPOCH"] = "1700000000"  # the three outputs must be comparable
        from workbench.translate import install_package

        install_package(MODEL)
        (work / "texts").mkdir()
        synthetic_pairs(work / "texts", args.pairs, args.sentences)
        (work / "manifest.toml").write_text(
            'output = "out"\nsource_lang = "ru"\nrendering_lang = "en"\n'
            'steps = ["segment", "translate", "embed", "align"]\n\n'
            '[[pairs]]\nsource = "texts/*.ru.txt"\nrendering = "texts/*.en.txt"\n', encoding="utf-8")
        load = os.getloadavg()
        print(f"{args.pairs} pairs of {args.sentences} sentences a side; translate (tiny test model), "
              f"encode, align; {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f}")
        seq = configuration("sequential", work, "sequential", None)
        one = configuration("local-1", work, "local", 1)
        two = configuration("local-2", work, "local", 2)
        identical = same_output(seq["out"], one["out"]) and same_output(seq["out"], two["out"])

    speedup_1 = seq["seconds"] / one["seconds"]
    speedup_2 = seq["seconds"] / two["seconds"]
    two_over_one = one["seconds"] / two["seconds"]
    per_task = (one["seconds"] - one["task_seconds"]) / one["tasks"]
    mean_task = one["task_seconds"] / one["tasks"]
    share = per_task / mean_task
    print(f"speed-up of local-2 over local-1: {two_over_one:.2f}x (target >= 1.7x)")
    print(f"speed-up over the sequential loop: local-1 {speedup_1:.2f}x, local-2 {speedup_2:.2f}x")
    print(f"overhead per task (local-1): {per_task * 1000:.0f} ms on a mean task of "
          f"{mean_task:.2f} s = {share:.1%} (target <= 5%)")
    busy = two["task_seconds"] / two["seconds"]
    print(f"local-2 kept {busy:.2f} workers busy on average (task time / wall time); the speed-up "
          "can reach that only when the machine gives both workers a core")
    print(f"outputs identical byte for byte: {identical}")
    print(json.dumps({"speedup_2_over_1_worker": round(two_over_one, 3),
                      "speedup_2_workers": round(speedup_2, 3), "overhead_share": round(share, 4),
                      "speedup_1_worker": round(speedup_1, 3),
                      "overhead_per_task_ms": round(per_task * 1000, 1),
                      "busy_workers_2": round(busy, 3),
                      "sequential_s": round(seq["seconds"], 2), "local_1_s": round(one["seconds"], 2),
                      "local_2_s": round(two["seconds"], 2), "pairs": args.pairs,
                      "sentences": args.sentences, "identical": identical,
                      "load_at_end": round(os.getloadavg()[0], 2)}))


if __name__ == "__main__":
    main()

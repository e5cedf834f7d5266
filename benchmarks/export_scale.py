"""Export at scale: 200,000 beads to every format, time and peak memory of each, and TMX against
translate-toolkit's po2tmx on the same PO file.

The PO file is written by the store (all beads approved, since po2tmx leaves fuzzy entries out,
every tenth one annotated), in a process of its own. Each export runs as `workbench export` in a
process of its own too, and its peak resident memory is ru_maxrss from wait4. (Linux carries the
high-water mark of a forked parent into the child, so this script itself stays small: it never
holds the corpus.) The last line is one JSON object:
{"tmx_seconds": ..., "tmx_vs_po2tmx": po2tmx seconds / workbench seconds, "peak_mb_max": ...}.

    .venv/bin/python benchmarks/export_scale.py [--beads N] [--work DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from workbench import store
from workbench.model import Alignment, Bead
from workbench.corpus import Document, Sentence

RU = ("мобилизация против всеобщей частичной сентября года Путин объявил начале мы «важно» "
      "граждан войны петиция подписали тысячи").split()
EN = ("mobilization against general partial September year Putin announced start we \"important\" "
      "citizens war petition signed thousands").split()


def make_po(path: Path, n: int) -> None:
    rng = random.Random(6)

    def sentences(words: list[str]) -> list[Sentence]:
        out = []
        for i in range(n):
            text = " ".join(rng.choice(words) for _ in range(rng.randint(8, 24))) + "."
            out.append(Sentence(index=i, text=text, start=0, end=len(text), paragraph=i, line=i + 1))
        return out

    src, tgt = sentences(RU), sentences(EN)
    pf = store.build_pair_file(
        Document(id="bench-ru", language="ru", path="corpora/bench.ru.txt", text="-"),
        Document(id="bench-en", language="en", path="corpora/bench.en.txt", text="-"),
        src, tgt, Alignment([Bead((i,), (i,), round(rng.random(), 4), "mt-chrf") for i in range(n)],
                            {"method": "mt-chrf"}),
        mt=[s.text for s in tgt], mt_model="translate-ru_en 1.9")
    note = store.Annotation("checked & fine", "accurate", "ak", "2026-11-25T03:00:00Z")
    pf.records = [replace(r, status="approved", annotations=(note,) if i % 10 == 0 else ())
                  for i, r in enumerate(pf.records)]
    store.save(pf, path, create=True)


def run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err}")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--beads", type=int, default=200_000)
    ap.add_argument("--work", type=Path, default=None, help="keep the PO file and outputs here")
    ap.add_argument("--make-po", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.make_po:
        make_po(args.make_po, args.beads)
        return
    work = args.work or Path(tempfile.mkdtemp(prefix="export-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    po = work / f"bench-{args.beads}.po"
    if not po.exists():
        t = time.perf_counter()
        run([sys.executable, __file__, "--make-po", str(po), "--beads", str(args.beads)])
        print(f"wrote {po} ({po.stat().st_size / 1e6:.1f} MB, {args.beads} beads) in "
              f"{time.perf_counter() - t:.1f} s", flush=True)

    bin_dir = Path(sys.executable).parent
    _, baseline = run([sys.executable, "-c", "import workbench.export"])
    print(f"interpreter + workbench.export imported: {baseline:.1f} MB resident", flush=True)
    print(f"{'format':8} {'seconds':>8} {'peak MB':>8}  output", flush=True)
    results: dict[str, tuple[float, float]] = {}
    for fmt in ("tmx", "xliff", "xliff2", "tsv", "jsonl", "moses", "po"):
        out = work / f"out-{fmt}"
        results[fmt] = run([sys.executable, "-m", "workbench", "export", str(po), "--format", fmt,
                            "-o", str(out)])
        size = sum(p.stat().st_size for p in [*work.glob(f"out-{fmt}"), *work.glob(f"out-{fmt}.*")])
        print(f"{fmt:8} {results[fmt][0]:8.1f} {results[fmt][1]:8.1f}  {size / 1e6:.1f} MB", flush=True)

    po2tmx = run([str(bin_dir / "po2tmx"), "--source-language", "ru", "-l", "en", str(po),
                  str(work / "po2tmx.tmx")])
    print(f"{'po2tmx':8} {po2tmx[0]:8.1f} {po2tmx[1]:8.1f}  "
          f"{(work / 'po2tmx.tmx').stat().st_size / 1e6:.1f} MB  (translate-toolkit, same PO file)")
    ratio = po2tmx[0] / results["tmx"][0]
    print(f"TMX: po2tmx time / workbench time = {ratio:.2f} (target >= 1)")
    print(json.dumps({"tmx_seconds": round(results["tmx"][0], 2), "tmx_vs_po2tmx": round(ratio, 2),
                      "peak_mb_max": round(max(mb for _, mb in results.values()), 1)}))


if __name__ == "__main__":
    main()

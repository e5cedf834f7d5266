"""Translation memory lookup at a million segments: the trigram index against a full scan.

Builds a memory of --size segments (default 1,000,000) from Text+Berg (../shared/eval/textberg-de-fr:
the German articles as sources, their line-parallel French MT as renderings) and the bundled
corpus texts, expanded deterministically: each base sentence is repeated with one to four of its
words replaced by words drawn from the whole vocabulary, so that every sentence has hundreds of
fuzzy neighbours. --queries (default 1,000) queries are base sentences with their own fresh
substitutions (one to three words), so their best matches are close but seldom identical.

For every query it times Memory.lookup (the FTS5 trigram index, then rapidfuzz on the candidates)
and, as the named baseline, `rapidfuzz.process.extract` with the same scorer (fuzz.ratio on the
same normalized sources) over every segment of the language pair, and checks that the top score
the index finds equals the full scan's (both above --min; below it both count as "no match").
Prints build time, index size, peak memory, p50/p95 latency of both, and as its last line
{"p95_ms": ..., "vs_full_scan": ..., "top1_agreement": ...}; vs_full_scan is the full scan's mean
time per query over the index's.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from workbench.memory import DEFAULT_MIN, Memory, Segment, normalize  # noqa: E402

TEXTBERG = REPO.parent / "shared" / "eval" / "textberg-de-fr"
ARTICLES = ["dev"] + [f"test{i}" for i in range(7)]


def base_sentences() -> list[tuple[str, str, str, str]]:
    """(source, rendering, source language, rendering language) of every Text+Berg line and every
    sentence of the bundled corpus (each its own rendering, in its own language pair)."""
    from workbench.segment import segment

    out = []
    for name in ARTICLES:
        de = (TEXTBERG / f"{name}.de").read_text(encoding="utf-8").splitlines()
        fr = (TEXTBERG / f"{name}.mt-google.fr").read_text(encoding="utf-8").splitlines()
        out += [(s, t, "de", "fr") for s, t in zip(de, fr) if len(s.split()) >= 3]
    for path, lang, other in ((REPO / "corpora" / "petition.ru.txt", "ru", "en"),
                              (REPO / "corpora" / "newsweek.en.txt", "en", "ru")):
        for s in segment(path.read_text(encoding="utf-8"), lang):
            text = normalize(s.text)
            if len(text.split()) >= 3:
                out.append((text, text, lang, other))
    return out


def substitute(words: list[str], vocabulary: list[str], rng: random.Random, most: int) -> str:
    out = list(words)
    for i in rng.sample(range(len(out)), min(len(out), rng.randint(1, most))):
        out[i] = rng.choice(vocabulary)
    return " ".join(out)


def expanded(base, size: int, seed: int = 1):
    """`size` segments: the base sentences first, then their variants, round-robin."""
    rng = random.Random(seed)
    vocab = sorted({w for s, *_ in base for w in s.split()})
    n = 0
    for s, t, a, b in base:
        yield Segment(s, t, a, b, "tmx", "bench", str(n), "", "")
        n += 1
    while n < size:
        for s, t, a, b in base:
            if n >= size:
                return
            yield Segment(substitute(s.split(), vocab, rng, 4), t, a, b, "tmx", "bench", str(n), "", "")
            n += 1


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=1_000_000, help="segments in the memory")
    ap.add_argument("--queries", type=int, default=1000, help="lookups timed on both sides")
    ap.add_argument("--min", dest="min_score", type=float, default=DEFAULT_MIN,
                    help="lowest score counted (default: the lookup's own, %(default)s)")
    ap.add_argument("--dir", default=None, help="keep the index here (default: a temporary one)")
    ap.add_argument("--reuse", action="store_true",
                    help="with --dir: time lookups on the index already there instead of building one")
    args = ap.parse_args()
    from rapidfuzz import fuzz, process

    base = base_sentences()
    work = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="tm-bench-"))
    (work / "translations").mkdir(parents=True, exist_ok=True)
    index = work / "memory-index.sqlite3"  # beside the data, not in the user's cache
    build = None
    if args.reuse and index.exists():
        memory = Memory(work, index=index)
    else:
        if index.exists():
            index.unlink()
        t0 = time.perf_counter()
        memory = Memory(work, index=index)
        memory.add_segments(expanded(base, args.size), "bench")
        build = time.perf_counter() - t0
    size_mb = index.stat().st_size / 1e6
    built = f"build {build:.1f} s" if build is not None else "index reused"
    print(f"memory: {memory.count():,} segments from {len(base):,} base sentences; {built}, "
          f"index {size_mb:.0f} MB", file=sys.stderr)

    rng = random.Random(7)
    vocab = sorted({w for s, *_ in base for w in s.split()})
    german = [b for b in base if b[2] == "de"]
    queries = [substitute(rng.choice(german)[0].split(), vocab, rng, 3) for _ in range(args.queries)]
    choices = [normalize(r[0]) for r in memory.db.execute(
        "SELECT source FROM segments WHERE src = 'de' AND tgt = 'fr' ORDER BY id")]
    for q in queries[:20]:  # warm the page cache and the rapidfuzz import
        memory.lookup(q, "de", "fr", min_score=args.min_score, limit=1)

    index_ms, scan_ms, agree = [], [], 0
    for q in queries:
        t = time.perf_counter()
        found = memory.lookup(q, "de", "fr", min_score=args.min_score, limit=1)
        index_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        full = process.extract(normalize(q), choices, scorer=fuzz.ratio, limit=1,
                               score_cutoff=args.min_score)
        scan_ms.append((time.perf_counter() - t) * 1000)
        mine = found[0].score if found else None
        theirs = round(full[0][1], 2) if full else None
        agree += mine == theirs
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ratio = statistics.fmean(scan_ms) / statistics.fmean(index_ms)
    print(f"index lookup  p50 {percentile(index_ms, 0.5):.2f} ms  p95 {percentile(index_ms, 0.95):.2f} ms"
          f"  mean {statistics.fmean(index_ms):.2f} ms", file=sys.stderr)
    print(f"full scan     p50 {percentile(scan_ms, 0.5):.2f} ms  p95 {percentile(scan_ms, 0.95):.2f} ms"
          f"  mean {statistics.fmean(scan_ms):.2f} ms  (rapidfuzz.process.extract over "
          f"{len(choices):,} de>fr segments)", file=sys.stderr)
    print(f"index vs full scan: {ratio:.0f}x faster; top match scores the same for {agree}/"
          f"{len(queries)}; peak memory {peak_mb:.0f} MB", file=sys.stderr)
    print(json.dumps({"p95_ms": round(percentile(index_ms, 0.95), 2), "vs_full_scan": round(ratio, 1),
                      "top1_agreement": round(agree / len(queries), 4),
                      "p50_ms": round(percentile(index_ms, 0.5), 2),
                      "full_scan_p95_ms": round(percentile(scan_ms, 0.95), 2),
                      "build_s": round(build, 1) if build is not None else None, "index_mb": round(size_mb, 1),
                      "peak_mb": round(peak_mb), "segments": memory.count(),
                      "queries": len(queries)}))


if __name__ == "__main__":
    main()

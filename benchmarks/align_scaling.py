"""How alignment time and memory grow with document length, beside PyPI galechurch.

Every run happens in a fresh child process, so that its peak resident memory (ru_maxrss, including
the interpreter and numpy, about 40 MB) is its own. Runs:

- synthetic pairs of 1,000, 10,000 and 50,000 sentences a side (random Zipf-distributed words; the
  source is a word-for-word substitution of the MT with numbers kept, the rendering is the MT with a
  fifth of its words replaced, some rendering sentences are split in two and some are the
  rendering's own), aligned model-free (signals lexical, auto mode); galechurch (Gale-Church on
  character lengths, the named peer) aligns the same pairs;
- the Text+Berg test articles, lexical against galechurch (strict F1 pooled as in align_textberg.py);
- the Text+Berg test articles concatenated 1x and 10x (991 and 9,910 sentences a side: real text
  that repeats itself), with the google MT (signals mt, auto mode);
- the encoder path (signals embed, MT against rendering of the synthetic pair) at 1,000 sentences a
  side, and at 10,000 with --embed-10k (cold encoding of 20,000 sentences takes about 15 minutes on
  two cores), each with a cold and then a warm vector cache; encoding time is measured apart from
  the rest of the alignment.

    .venv/bin/python benchmarks/align_scaling.py [--sizes 1000,10000,50000] [--embed-10k]

Ratios are against galechurch measured in the same run. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _textberg import DATA, Link, LinkScore, parse_links, read_lines, strict_f1  # noqa: E402

TEST = [f"test{k}" for k in range(7)]


def synthetic_pair(n: int, seed: int = 7) -> tuple[list[str], list[str], list[str], list[Link]]:
    """(source, mt, rendering, gold links) with n source sentences."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocab = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 9))) for _ in range(20000)]
    # the source language: each MT word has one source word of about its length
    foreign = {w: "".join(rng.choice(letters) for _ in range(max(2, len(w) + rng.randint(-1, 2))))
               for w in vocab}
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
        source.append("Q " + " ".join(foreign.get(w, w) for w in words) + ".")
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


def textberg(copies: int) -> tuple[list[str], list[str], list[str], list[Link]]:
    """The seven test articles concatenated, the whole `copies` times: (source, google MT,
    rendering, gold links)."""
    src: list[str] = []
    mt: list[str] = []
    tgt: list[str] = []
    gold: list[Link] = []
    for _ in range(copies):
        for name in TEST:
            s0, t0 = len(src), len(tgt)
            src += read_lines(DATA / f"{name}.de")
            mt += read_lines(DATA / f"{name}.mt-google.fr")
            tgt += read_lines(DATA / f"{name}.fr")
            gold += [(tuple(s0 + x for x in a), tuple(t0 + x for x in b))
                     for a, b in parse_links(read_lines(DATA / f"{name}.gold"))]
    return src, mt, tgt, gold


def _galechurch(src: list[str], tgt: list[str]) -> list[Link]:
    import galechurch

    block = galechurch.align(src, tgt, max_block_size=(len(src) + 1) * (len(tgt) + 1))
    return [(tuple(range(b.source_start, b.source_end)), tuple(range(b.target_start, b.target_end)))
            for b in block.beads]


class TimedEmbedder:
    """The Embedder, with the time spent in its `embed` calls counted."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.seconds = 0.0

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    def embed(self, texts, progress=None):
        start = time.perf_counter()
        try:
            return self.inner.embed(texts)
        finally:
            self.seconds += time.perf_counter() - start


def run(spec: dict) -> dict:
    """One measurement, in this process: spec["kind"] is synthetic, galechurch, textberg,
    textberg-galechurch, repeated or embed."""
    from workbench.align import align

    kind = spec["kind"]
    out: dict = {}
    if kind in ("textberg", "textberg-galechurch"):
        pairs = []
        start = time.perf_counter()
        for name in TEST:
            src, tgt = read_lines(DATA / f"{name}.de"), read_lines(DATA / f"{name}.fr")
            gold = parse_links(read_lines(DATA / f"{name}.gold"))
            if kind == "textberg":
                al = align(src, tgt, src_lang="de", tgt_lang="fr", signals="lexical")
                test = [(b.source, b.rendering) for b in al.beads]
            else:
                test = _galechurch(src, tgt)
            pairs.append((gold, test))
        out["seconds"] = time.perf_counter() - start
        pooled = LinkScore()
        for gold, test in pairs:
            pooled.add(gold, test)
        out["strict_f1"] = pooled.figures()["f1_strict"]
    else:
        if kind == "repeated":
            src, mt, tgt, gold = textberg(spec["n"])
        else:
            src, mt, tgt, gold = synthetic_pair(spec["n"])
        embedder = None
        if kind == "embed":
            from workbench.embed import Embedder
            embedder = TimedEmbedder(Embedder(cache_dir=spec["cache"]))
        start = time.perf_counter()
        if kind == "galechurch":
            test = _galechurch(src, tgt)
        else:
            if kind == "embed":
                al = align(mt, tgt, src_lang="fr", tgt_lang="fr", signals="embed",
                           embedder=embedder)
            elif kind == "repeated":
                al = align(src, tgt, src_lang="de", tgt_lang="fr", mt=mt, signals="mt")
            else:
                al = align(src, tgt, src_lang="de", tgt_lang="fr", signals="lexical")
            out["mode"] = al.settings["mode"]
            test = [(b.source, b.rendering) for b in al.beads]
        out["seconds"] = time.perf_counter() - start
        if embedder is not None:
            out["embed_seconds"] = embedder.seconds
        out["strict_f1"] = strict_f1(gold, test)
        out["targets"] = len(tgt)
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    return out


def in_child(spec: dict) -> dict:
    """Run `run(spec)` in a new interpreter so that its peak memory is its own."""
    done = subprocess.run([sys.executable, __file__, "--one", json.dumps(spec)], check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _row(label: str, r: dict, base: dict | None = None) -> None:
    ratio = f"{r['seconds'] / base['seconds']:9.2f}" if base else f"{'':9}"
    print(f"{label:38} {r['seconds']:8.2f} {r['peak_mb']:8.1f} {r['strict_f1']:9.3f} {ratio} "
          f"{r.get('mode', '')}", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1000,10000,50000",
                    help="synthetic sizes for the lexical runs (sentences a side)")
    ap.add_argument("--embed-10k", action="store_true",
                    help="also run the encoder at 10k sentences a side (about 15 minutes cold)")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(run(json.loads(args.one))))
        return 0
    sizes = [int(x) for x in args.sizes.split(",")]
    out: dict = {}
    print(f"{'run':38} {'seconds':>8} {'peak MB':>8} {'strict F1':>9} {'x peer':>9} mode")

    print("-- synthetic pairs, model-free (signals lexical, auto mode); peer: galechurch")
    lex: dict[int, dict] = {}
    for n in sizes:
        peer = in_child({"kind": "galechurch", "n": n}) if n <= 10000 else None
        if peer:
            _row(f"galechurch {n}", peer)
        lex[n] = in_child({"kind": "synthetic", "n": n})
        _row(f"workbench lexical {n}", lex[n], peer)
        out[f"seconds_{n // 1000}k"] = round(lex[n]["seconds"], 3)
        if n == 10000 and peer:
            out["lexical_vs_galechurch_time_10k"] = round(lex[n]["seconds"] / peer["seconds"], 3)
            out["strict_f1_lexical_10k"] = round(lex[n]["strict_f1"], 4)
            out["strict_f1_galechurch_10k"] = round(peer["strict_f1"], 4)
            out["peak_mb_10k"] = round(lex[n]["peak_mb"], 1)
    if 1000 in lex and 10000 in lex:
        out["growth_10k_over_1k"] = round(lex[10000]["seconds"] / lex[1000]["seconds"], 2)

    print("-- Text+Berg test, 7 articles (signals lexical, auto mode); peer: galechurch")
    if DATA.is_dir():
        peer = in_child({"kind": "textberg-galechurch"})
        _row("galechurch Text+Berg", peer)
        mine = in_child({"kind": "textberg"})
        _row("workbench lexical Text+Berg", mine, peer)
        out["lexical_vs_galechurch_time_textberg"] = round(mine["seconds"] / peer["seconds"], 3)
        out["strict_f1_lexical_textberg"] = round(mine["strict_f1"], 4)
        out["strict_f1_galechurch_textberg"] = round(peer["strict_f1"], 4)

        print("-- Text+Berg test concatenated (signals mt, google, auto mode); baseline: 1x")
        once = in_child({"kind": "repeated", "n": 1})
        _row("repeated 1x (991 sentences)", once)
        ten = in_child({"kind": "repeated", "n": 10})
        _row("repeated 10x (9,910 sentences)", ten, once)
        out["seconds_textberg_x1"] = round(once["seconds"], 3)
        out["seconds_textberg_x10"] = round(ten["seconds"], 3)
        out["growth_textberg_x10"] = round(ten["seconds"] / once["seconds"], 2)
        out["peak_mb_textberg_x10"] = round(ten["peak_mb"], 1)
        out["strict_f1_textberg_x10"] = round(ten["strict_f1"], 4)
    else:
        print(f"skipped: no evaluation data at {DATA}")
        out.update(seconds_textberg_x10=None, growth_textberg_x10=None)

    print("-- encoder (signals embed, MT against rendering); seconds = whole alignment")
    embed_sizes = [1000] + ([10000] if args.embed_10k else [])
    if not args.embed_10k:
        print("skipped: embed at 10,000 sentences (pass --embed-10k; about 15 minutes cold)")
    for n in (1000, 10000):
        out[f"embed_seconds_{n // 1000}k_cold"] = out[f"embed_seconds_{n // 1000}k_warm"] = None
        out[f"peak_mb_{n // 1000}k_embed"] = None
    try:
        import workbench.embed  # noqa: F401
    except ImportError as exc:
        print(f"skipped: the encoder is not available ({exc})")
        embed_sizes = []
    for n in embed_sizes:
        with tempfile.TemporaryDirectory() as cache:
            for state in ("cold", "warm"):
                r = in_child({"kind": "embed", "n": n, "cache": cache})
                _row(f"embed {n} {state} cache", r)
                rest = r["seconds"] - r["embed_seconds"]
                print(f"{'':38} encoding {r['embed_seconds']:.2f} s, the rest {rest:.2f} s"
                      + (f" ({rest / r['embed_seconds']:.0%} of encoding)" if state == "cold"
                         else ""))
                out[f"embed_seconds_{n // 1000}k_{state}"] = round(r["seconds"], 3)
                if state == "cold":
                    out[f"embed_rest_over_encoding_{n // 1000}k"] = round(
                        rest / max(r["embed_seconds"], 1e-9), 3)
                out[f"peak_mb_{n // 1000}k_embed"] = max(out[f"peak_mb_{n // 1000}k_embed"] or 0,
                                                         round(r["peak_mb"], 1))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())

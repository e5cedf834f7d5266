"""What `workbench align A B` costs a user with the CLI's defaults, cold and warm, beside galechurch and
Bleualign run in the same run.

The defaults are auto mode and auto signals (the encoder, the MT when one is given or installed,
else the model-free signals). Every run is a fresh child process, so its wall time includes start-up
and model loading, and its peak resident memory (from wait4) is its own:

- novel, defaults, cold / warm: an OPUS Books novel made into two plain texts by
  benchmarks/_books.py (default: Master and Margarita, Russian source, French rendering, about 9,000
  sentences a side; no ru-fr MT is installed, so the signals are the encoder and the model-free
  ones), `workbench align RU FR --src-lang ru --rendering-lang fr -o LINKS` with an empty cache
  directory (cold), then again with the cache it filled (warm);
- galechurch, novel: PyPI galechurch (Gale-Church on character lengths, the named peer) on the
  same sentences as the workbench segments them (segmentation not timed);
- Text+Berg 10x, defaults (google MT), cold: the seven test articles concatenated ten times (9,910
  sentences a side, 991 distinct), one per line, `workbench align DE FR --presegmented --mt GOOGLE
  --src-lang de --rendering-lang fr -o LINKS` with an empty cache; strict F1 against the gold;
- Bleualign, Text+Berg 10x (google MT): rsennrich/Bleualign's bleualign.py on the same three files,
  from a checkout given by --bleualign DIR or $BLEUALIGN_DIR (it is not on PyPI; the benchmark
  never ships its code); skipped without one.

With --model-free, the earlier model-free scaling runs follow (synthetic pairs of 1k, 10k and 50k
sentences and the Text+Berg articles with signals lexical, named so, not the defaults).

    .venv/bin/python benchmarks/align_scaling.py [--bleualign DIR] [--book NAME] [--model-free]

The last line is one JSON object with the seconds, peak MB and the ratios against the peers:
novel_cold_over_galechurch (target <= 13), novel_warm_over_galechurch (target <= 3),
bleualign_over_textberg10_cold (target >= 3) and the peaks (target <= 400 MB).
"""

from __future__ import annotations

import argparse
import json
import os
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


def model_free(args: argparse.Namespace, out: dict) -> None:
    """The earlier model-free scaling runs (signals lexical: not the defaults)."""
    sizes = [int(x) for x in args.sizes.split(",")]
    print(f"{'run':38} {'seconds':>8} {'peak MB':>8} {'strict F1':>9} {'x peer':>9} mode")

    print("-- synthetic pairs, model-free (signals lexical, auto mode); peer: galechurch")
    lex: dict[int, dict] = {}
    for n in sizes:
        peer = in_child({"kind": "galechurch", "n": n}) if n <= 10000 else None
        if peer:
            _row(f"galechurch {n}", peer)
        lex[n] = in_child({"kind": "synthetic", "n": n})
        _row(f"lexical (not defaults) {n}", lex[n], peer)
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
        _row("lexical (not defaults) Text+Berg", mine, peer)
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



# --- the CLI's defaults ---------------------------------------------------------------------------

def timed(cmd: list[str], env: dict[str, str] | None = None) -> dict:
    """Run `cmd` as a child process: its wall seconds and its own peak resident memory (wait4)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    err = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{err.decode(errors='replace')}")
    return {"seconds": seconds, "peak_mb": usage.ru_maxrss / 1024,
            "last_line": err.decode(errors="replace").strip().splitlines()[-1:]}


def workbench_align(args: list[str], cache: Path) -> dict:
    env = dict(os.environ, WORKBENCH_CACHE_DIR=str(cache))
    env.pop("WORKBENCH_EMBED_CACHE_DIR", None)
    return timed([sys.executable, "-m", "workbench", "align", *args], env)


def read_links(path: Path) -> list[Link]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        src, tgt, _ = line.split(":")
        ids = lambda part: tuple(int(x) for x in part.strip("[]").split(",") if x)
        out.append((ids(src), ids(tgt)))
    return out


def galechurch_child(src_file: Path, tgt_file: Path) -> dict:
    """galechurch on two one-sentence-per-line files, in a child process of its own."""
    code = ("import sys, galechurch\n"
            "src = open(sys.argv[1], encoding='utf-8').read().splitlines()\n"
            "tgt = open(sys.argv[2], encoding='utf-8').read().splitlines()\n"
            "galechurch.align(src, tgt, max_block_size=(len(src) + 1) * (len(tgt) + 1))\n")
    return timed([sys.executable, "-c", code, str(src_file), str(tgt_file)])


def bleualign_dir(given: str | None) -> Path | None:
    where = given or os.environ.get("BLEUALIGN_DIR")
    if not where:
        return None
    path = Path(where)
    if not (path / "bleualign.py").is_file():
        sys.exit(f"no bleualign.py in {path} (give a checkout of rsennrich/Bleualign)")
    return path


def defaults(args: argparse.Namespace, out: dict, work: Path) -> None:
    """The novel and Text+Berg 10x with the CLI's defaults, and the peers on the same input."""
    from _books import write_pair

    from workbench.segment import segment

    print(f"{'run':44} {'seconds':>8} {'peak MB':>8} {'ratio':>8}")

    def row(label: str, r: dict, ratio: str = "") -> None:
        print(f"{label:44} {r['seconds']:8.2f} {r['peak_mb']:8.1f} {ratio:>8}", flush=True)

    src, src_lang, tgt, tgt_lang = write_pair(work / "novel", args.book)
    sides = []
    for path, lang in ((src, src_lang), (tgt, tgt_lang)):
        sentences = [" ".join(s.text.split()) for s in segment(path.read_text(encoding="utf-8"), lang)]
        lines = work / f"{path.name}.lines"
        lines.write_text("\n".join(sentences) + "\n", encoding="utf-8")
        sides.append((lines, len(sentences)))
    print(f"-- {args.book}: {sides[0][1]:,} {src_lang} x {sides[1][1]:,} {tgt_lang} sentences")
    peer = galechurch_child(sides[0][0], sides[1][0])
    row("galechurch, novel", peer)
    cache = work / "cache-novel"
    call = [str(src), str(tgt), "--src-lang", src_lang, "--rendering-lang", tgt_lang,
            "-o", str(work / "novel.links")]
    for state in ("cold", "warm"):
        r = workbench_align(call, cache)
        ratio = r["seconds"] / peer["seconds"]
        row(f"workbench novel, defaults, {state}", r, f"{ratio:.2f}x")
        print(f"{'':44} {' '.join(r['last_line'])}")
        out[f"novel_{state}_seconds"] = round(r["seconds"], 2)
        out[f"novel_{state}_peak_mb"] = round(r["peak_mb"], 1)
        out[f"novel_{state}_over_galechurch"] = round(ratio, 2)
    out["galechurch_novel_seconds"] = round(peer["seconds"], 2)
    out["novel_sentences"] = [sides[0][1], sides[1][1]]

    if not DATA.is_dir():
        print(f"skipped Text+Berg: no evaluation data at {DATA}")
        return
    source, mt, rendering, gold = textberg(10)
    files = {}
    for name, lines in (("de", source), ("mt", mt), ("fr", rendering)):
        files[name] = work / f"textberg10.{name}"
        files[name].write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"-- Text+Berg test x10: {len(source):,} sentences a side, google MT")
    links = work / "textberg10.links"
    mine = workbench_align([str(files["de"]), str(files["fr"]), "--presegmented", "--mt",
                            str(files["mt"]), "--src-lang", "de", "--rendering-lang", "fr",
                            "-o", str(links)], work / "cache-textberg")
    f1 = strict_f1(gold, read_links(links))
    row("workbench Text+Berg 10x, defaults, cold", mine)
    print(f"{'':44} {' '.join(mine['last_line'])}; strict F1 {f1:.3f}")
    out.update(textberg10_cold_seconds=round(mine["seconds"], 2),
               textberg10_cold_peak_mb=round(mine["peak_mb"], 1), textberg10_strict_f1=round(f1, 4))
    home = bleualign_dir(args.bleualign)
    if home is None:
        print("skipped Bleualign: give --bleualign DIR or set BLEUALIGN_DIR (a checkout of "
              "rsennrich/Bleualign)")
        out["bleualign_over_textberg10_cold"] = None
        return
    peer = timed([sys.executable, str(home / "bleualign.py"), "-s", str(files["de"]), "-t",
                  str(files["fr"]), "--srctotarget", str(files["mt"]), "-o",
                  str(work / "bleualign-out")])
    ratio = peer["seconds"] / mine["seconds"]
    row("Bleualign, Text+Berg 10x (google MT)", peer, f"{ratio:.2f}x")
    out.update(bleualign_textberg10_seconds=round(peer["seconds"], 2),
               bleualign_over_textberg10_cold=round(ratio, 2))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bleualign", default=None,
                    help="a checkout of rsennrich/Bleualign (default: $BLEUALIGN_DIR)")
    ap.add_argument("--book", default="FR-RU-Bulgakov_Mikhail-Master_and_Margarita",
                    help="the OPUS Books file (without .jsonl) the novel-sized pair is made from")
    ap.add_argument("--model-free", action="store_true",
                    help="also run the model-free scaling runs (signals lexical, not the defaults)")
    ap.add_argument("--sizes", default="1000,10000,50000",
                    help="with --model-free: synthetic sizes (sentences a side)")
    ap.add_argument("--embed-10k", action="store_true",
                    help="with --model-free: also the encoder at 10k sentences a side")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(run(json.loads(args.one))))
        return 0
    load = os.getloadavg()
    print(f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")
    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        defaults(args, out, Path(tmp))
    if args.model_free:
        model_free(args, out)
    load = os.getloadavg()
    out["load_at_end"] = round(load[0], 2)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())

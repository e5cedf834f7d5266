"""Throughput of `workbench translate` against ctranslate2 itself and against Argos Translate's own path.

Measured in one run (the machine is shared, so runs are repeated and interleaved, and the median
of each is used), on N (default 2,000) distinct generated Russian sentences (one per paragraph,
so the workbench's own segmentation finds exactly these sentences) with the ru->en test package
from tests/fixtures, the same beam size (4, Argos's default) and the same threads:

* workbench: `workbench translate --from ru --to en FILE` as a whole process (start-up, imports,
  segmentation, model load, translation, cache writes) with an empty cache; sentences per second.
* vs_ctranslate2: that rate divided by the rate of `ctranslate2.Translator.translate_batch` called
  directly on the pre-tokenized sentences with the workbench's options (model already loaded) - the
  limit; target >= 0.95. The options are the same on both sides: beam size, length penalty, unknown
  replacement, max_batch_size (32 examples, batch_type "examples"), decoding bound, compute type and
  the replica layout (inter_threads x intra_threads). The workbench makes its calls asynchronously,
  in two pieces of the document (its first ~4 KB of paragraphs, so the model starts while the rest
  is segmented, then the rest); the baseline sorts and batches all sentences in one call, which
  can only pack its batches as well or better.
* vs_argos_default: the workbench's rate divided by `argostranslate.translate.translate()` called one
  sentence at a time with Argos's default settings (intra_threads 0 = all cores, inter_threads 1,
  compute type auto, beam 4) - what Argos and LibreTranslate users get; target >= 10. Argos is slow,
  so its rate is measured on the first --argos-sample sentences (default 200), after one untimed
  warm-up call that finds the package and loads the model.
* first_sentence_vs_argos_cli: time from process start to the first translated line on stdout for
  one sentence on stdin, `argos-translate --from-lang ru --to-lang en` divided by
  `workbench translate --from ru --to en`; target >= 5.

The only change made to Argos so that it runs offline: its default sentence splitter (MiniSBD)
downloads a model on first use, which fails without network access, so
`argostranslate.translate.MiniSBDSentencizer.split_sentences` is replaced by one that returns the
text whole (each call gets exactly one sentence, so this is what a working splitter returns, minus
its cost). The `argos-translate` command is run as `python -c` with that one patch, then Argos's own
`argostranslate.cli.main()`. Packages are installed into a temporary ARGOS_PACKAGES_DIR set before
Argos is imported (Argos reads it at import time); XDG_DATA_HOME, XDG_CONFIG_HOME and XDG_CACHE_HOME
point into the same temporary directory, so neither program writes into the home directory.

Bytecode: every program run as a process here runs with compiled bytecode, as an installed program
does from its second run on: PYTHONDONTWRITEBYTECODE is removed from the child processes'
environment, PYTHONPYCACHEPREFIX points into the temporary directory (nothing is written into the
repository or the virtualenv), and one untimed run of `workbench translate` and of `argos-translate`
compiles what they import. Without this, an environment that sets PYTHONDONTWRITEBYTECODE (with an
editable install, whose sources have no __pycache__ of their own) recompiles the workbench's modules
on every run, a cost no installed copy has.

Usage: .venv/bin/python benchmarks/translate_throughput.py [--sentences N] [--argos-sample K]
The last line printed is one JSON object with the three ratios (higher is better for the workbench).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "tests" / "fixtures" / "translate-ru_en-test.argosmodel"
BIN = Path(sys.executable).parent

ARGOS_PATCH = (
    "import argostranslate.translate as _t\n"
    "_t.MiniSBDSentencizer.split_sentences = lambda self, text: [text]\n"
)

ARGOS_LOOP = ARGOS_PATCH + r"""
import json, sys, time
sentences = json.loads(sys.stdin.read())
_t.translate(sentences[-1], "ru", "en")  # warm-up, not timed: package discovery and model load
t0 = time.perf_counter()
out = [_t.translate(s, "ru", "en") for s in sentences]
elapsed = time.perf_counter() - t0
print(json.dumps({"elapsed": elapsed, "out": out}))
"""

ARGOS_CLI = ARGOS_PATCH + r"""
import sys
from argostranslate.cli import main
sys.argv = ["argos-translate", "--from-lang", "ru", "--to-lang", "en"]
main()
"""


def make_sentences(n: int) -> list[str]:
    """Distinct sentences from the test model's own generator, capitalised, with a full stop,
    kept only where the workbench's segmenter also sees exactly one sentence."""
    from workbench.segment import segment

    spec = importlib.util.spec_from_file_location("build_test_model", REPO / "scripts" / "build_test_model.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    rng = random.Random(2024)
    seen: dict[str, None] = {}
    while len(seen) < n:
        s = gen.cyrillic_phrase(rng).rstrip(".!?… ")
        s = s[:1].upper() + s[1:] + rng.choice([".", ".", "!", "?"])
        if len(s) > 3 and s[0].isalpha() and len(segment(s, "ru")) == 1:
            seen[s] = None
    return list(seen)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def first_line_seconds(cmd: list[str], stdin: str, env: dict[str, str]) -> tuple[float, str]:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    proc.stdin.write(stdin)
    proc.stdin.close()
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - t0
    proc.stdin = None  # already closed; communicate() must not flush it
    proc.communicate(timeout=300)
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed: {proc.stderr.strip()}")
    return elapsed, line.rstrip("\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="translation throughput against named baselines")
    ap.add_argument("--sentences", type=int, default=2000)
    ap.add_argument("--argos-sample", type=int, default=200)
    ap.add_argument("--beam-size", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=5, help="best of R runs for workbench and ctranslate2")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="wb-bench-") as name:
        return run(args, Path(name))


def run(args: argparse.Namespace, tmp: Path) -> int:
    env = dict(os.environ, ARGOS_PACKAGES_DIR=str(tmp / "packages"), WORKBENCH_CACHE_DIR=str(tmp / "cache"),
               XDG_DATA_HOME=str(tmp / "xdg-data"), XDG_CONFIG_HOME=str(tmp / "xdg-config"),
               XDG_CACHE_HOME=str(tmp / "xdg-cache"))
    os.environ.update(env)  # before anything imports argostranslate
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # children only; see "Bytecode" above
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")

    from workbench.segment import segment
    from workbench.translate import EngineOptions, install_package

    pkg = install_package(PACKAGE)
    sentences = make_sentences(args.sentences)
    text = "\n\n".join(sentences) + "\n"
    doc = tmp / "doc.ru.txt"
    doc.write_text(text, encoding="utf-8")
    if [s.text for s in segment(text, "ru")] != sentences:
        raise SystemExit("segmentation does not give back the generated sentences")
    opts = EngineOptions(beam_size=args.beam_size).resolved()
    threads = opts.inter_threads
    print(f"{len(sentences)} sentences, {sum(map(len, sentences)) / len(sentences):.1f} characters "
          f"on average; beam {args.beam_size}; {threads} replicas x {opts.intra_threads} thread; "
          f"compute type {opts.compute_type}", file=sys.stderr)

    # --- interleaved: workbench translate as a whole process with a cold cache, then ctranslate2
    # translate_batch on pre-tokenized input with the same options, R times; best of each
    import ctranslate2
    from argostranslate.tokenizer import SentencePieceTokenizer

    tok = SentencePieceTokenizer(pkg.path / "sentencepiece.model")
    tokens = [tok.encode(s) for s in sentences]
    translator = ctranslate2.Translator(str(pkg.path / "model"), device="cpu",
                                        compute_type=opts.compute_type, inter_threads=opts.inter_threads,
                                        intra_threads=opts.intra_threads)
    longest = max(map(len, tokens))
    # untimed: compile the bytecode of both commands (and bring their files into the page cache)
    subprocess.run([str(BIN / "workbench"), "translate", "--from", "ru", "--to", "en", str(doc), "-o",
                    str(tmp / "warm-up.txt"), "--no-cache"], check=True, env=env)
    first_line_seconds([sys.executable, "-c", ARGOS_CLI], sentences[0] + "\n", env)
    wb_times, ct2_times, wb_cpu, ct2_cpu = [], [], [], []
    for r in range(args.repeat):
        out = tmp / f"out{r}.txt"
        c0 = _children_cpu()
        t0 = time.perf_counter()
        subprocess.run([str(BIN / "workbench"), "translate", "--from", "ru", "--to", "en", str(doc),
                        "-o", str(out), "--cache-dir", str(tmp / f"cold-cache-{r}"),
                        "--beam-size", str(args.beam_size), "--threads", str(threads)],
                       check=True, env=env)
        wb_times.append(time.perf_counter() - t0)
        wb_cpu.append(_children_cpu() - c0)
        c0 = time.process_time()
        t0 = time.perf_counter()
        results = translator.translate_batch(
            tokens, replace_unknowns=True, max_batch_size=opts.max_batch_size, beam_size=opts.beam_size,
            length_penalty=opts.length_penalty,
            max_decoding_length=min(opts.max_decoding_length, int(longest * opts.decoding_ratio) + 16))
        ct2_times.append(time.perf_counter() - t0)
        ct2_cpu.append(time.process_time() - c0)
    wb_out = out.read_text(encoding="utf-8").rstrip("\n").split("\n\n")
    wb_rate = len(sentences) / statistics.median(wb_times)
    ct2_out = [tok.decode(r.hypotheses[0]).lstrip(" ") for r in results]
    ct2_rate = len(sentences) / statistics.median(ct2_times)
    same = sum(a == b for a, b in zip(wb_out, ct2_out))

    # --- Argos's own translate(), one sentence at a time, default settings
    sample = sentences[: args.argos_sample]
    proc = subprocess.run([sys.executable, "-c", ARGOS_LOOP], input=json.dumps(sample), text=True,
                          capture_output=True, env=env, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"argos baseline failed: {proc.stderr.strip()[-2000:]}")
    argos = json.loads(proc.stdout.strip().splitlines()[-1])
    argos_rate = len(sample) / argos["elapsed"]
    argos_same = sum(a == b for a, b in zip(argos["out"], wb_out))

    # --- time to the first translated sentence, one sentence on stdin
    one = sentences[0] + "\n"
    wb_firsts, argos_firsts = [], []
    for r in range(3):
        t, wb_line = first_line_seconds(
            [str(BIN / "workbench"), "translate", "--from", "ru", "--to", "en", "--cache-dir",
             str(tmp / f"first-cache-{r}")], one, env)
        wb_firsts.append(t)
        t, argos_line = first_line_seconds([sys.executable, "-c", ARGOS_CLI], one, env)
        argos_firsts.append(t)
    wb_first, argos_first = statistics.median(wb_firsts), statistics.median(argos_firsts)

    print(f"workbench translate (process, cold cache): median {statistics.median(wb_times):.2f} s = {wb_rate:.1f} sentences/s "
          f"(runs: {', '.join(f'{t:.2f}' for t in wb_times)}; CPU s: "
          f"{', '.join(f'{t:.2f}' for t in wb_cpu)})", file=sys.stderr)
    print(f"ctranslate2 translate_batch (pre-tokenized): median {statistics.median(ct2_times):.2f} s = {ct2_rate:.1f} "
          f"sentences/s (runs: {', '.join(f'{t:.2f}' for t in ct2_times)}; CPU s: "
          f"{', '.join(f'{t:.2f}' for t in ct2_cpu)}); outputs equal to the workbench's: "
          f"{same}/{len(sentences)}", file=sys.stderr)
    print(f"argostranslate.translate.translate() per sentence: {argos['elapsed']:.2f} s for "
          f"{len(sample)} = {argos_rate:.2f} sentences/s ({1000 / argos_rate:.0f} ms per sentence); "
          f"outputs equal to the workbench's: {argos_same}/{len(sample)}", file=sys.stderr)
    print(f"first sentence (median of 3): workbench {wb_first:.2f} s ({wb_line!r}), argos-translate "
          f"{argos_first:.2f} s ({argos_line!r})", file=sys.stderr)
    print(json.dumps({"vs_ctranslate2": round(wb_rate / ct2_rate, 3),
                      "vs_argos_default": round(wb_rate / argos_rate, 1),
                      "first_sentence_vs_argos_cli": round(argos_first / wb_first, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

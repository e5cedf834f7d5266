"""What the Text+Berg alignment benchmarks share: the gold standard, the scores, and the aligners.

This module owns reading the Text+Berg German-French evaluation set (../shared/eval/textberg-de-fr,
read where it lies, never copied), scoring predicted links against gold links (strict and lax
precision, recall and F1 pooled over documents, as Bleualign's evaluation and Vecalign's score.py
define them; pair- and bead-level scores and the share of unrelated sentences linked, for partial
renderings), and running the two aligners being compared on the same sentences: the workbench, with
the signals it is asked for, and PyPI's `galechurch`, the named length-only peer. The scores are
plain functions over link lists, tested in tests/test_bench_scoring.py.
"""

from __future__ import annotations

import inspect
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Iterable, Sequence
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "eval" / "textberg-de-fr"
TEST_ARTICLES = tuple(f"test{k}" for k in range(7))
DEV_ARTICLES = ("dev",)
MT_SYSTEMS = ("google", "europarlfull")

#: Published strict F1 on the test articles (../shared/eval/README.md says where each comes from).
PUBLISHED: tuple[tuple[str, float], ...] = (
    ("Gale-Church (length only)", 0.68),
    ("Bleualign, mt-google", 0.809),
    ("Bleualign, mt-europarlfull", 0.807),
    ("Vecalign (LASER)", 0.902),
    ("SentAlign", 0.932),
    ("Bertalign (LaBSE)", 0.936),
)

#: (source sentence ids, rendering sentence ids); either side may be empty (a deletion or insertion).
Link = tuple[tuple[int, ...], tuple[int, ...]]


# --- the gold standard ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Article:
    """One article of the set: its sentences, the MT of its source and the gold links."""

    name: str
    source: list[str]
    rendering: list[str]
    gold: list[Link]
    mt: dict[str, list[str]] = field(default_factory=dict)


def read_lines(path: Path) -> list[str]:
    """The file's lines, one sentence each (a final newline does not make an empty sentence)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def parse_links(lines: Iterable[str]) -> list[Link]:
    """`[0, 1]:[2]` lines into links; blank lines are skipped."""
    out: list[Link] = []
    for line in lines:
        if not line.strip():
            continue
        left, right = line.split(":")
        out.append((tuple(int(x) for x in re.findall(r"\d+", left)),
                    tuple(int(x) for x in re.findall(r"\d+", right))))
    return out


def articles_of(split: str) -> tuple[str, ...]:
    """The article names of a split: "test" (the seven reported articles) or "dev" (for tuning)."""
    return TEST_ARTICLES if split == "test" else DEV_ARTICLES


def missing_data() -> str | None:
    """A one-line message when the evaluation set is not where the benchmarks read it, else None."""
    if not (DATA / "dev.gold").is_file():
        return f"no Text+Berg evaluation data at {DATA}: the benchmarks read it from ../shared/eval"
    return None


def load_article(name: str, data: Path = DATA) -> Article:
    return Article(name=name, source=read_lines(data / f"{name}.de"),
                   rendering=read_lines(data / f"{name}.fr"),
                   gold=parse_links(read_lines(data / f"{name}.gold")),
                   mt={mt: read_lines(data / f"{name}.mt-{mt}.fr") for mt in MT_SYSTEMS})


# --- scores --------------------------------------------------------------------------------------

def prf(hits: int, predicted: int, gold: int) -> tuple[float, float, float]:
    """(precision, recall, F1) from counts; 0.0 where a denominator is 0."""
    p = hits / predicted if predicted else 0.0
    r = hits / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def f1_of(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def link_hits(gold: Sequence[Link], test: Sequence[Link]) -> tuple[int, int, int]:
    """(strict hits, lax hits, links judged) of the distinct links of `test` against `gold`.

    Strict: the link equals a gold link. Lax: it does, or it shares a source and a target sentence
    with one gold link. Links empty on both sides are not judged."""
    gold_set = {g for g in gold if g[0] or g[1]}
    targets_of: dict[int, set[int]] = {}
    for g_src, g_tgt in gold_set:
        for s in g_src:
            targets_of.setdefault(s, set()).update(g_tgt)
    strict = lax = judged = 0
    for src, tgt in {t for t in test if t[0] or t[1]}:
        judged += 1
        if (src, tgt) in gold_set:
            strict += 1
            lax += 1
        elif any(targets_of.get(s, set()).intersection(tgt) for s in src):
            # some gold link holds source s, and some gold link holding s holds one of these targets:
            # that is the same as one gold link overlapping on both sides
            lax += 1
    return strict, lax, judged


def _both_sides(links: Sequence[Link]) -> list[Link]:
    return [x for x in links if x[0] and x[1]]


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


@dataclass
class LinkScore:
    """Strict and lax P/R/F1 pooled over documents (Bleualign's evaluation, Vecalign's score.py).

    Precision is over every predicted link, insertions and deletions included; recall is over the
    gold links with both sides non-empty, judged against the predicted links likewise."""

    p_strict: int = 0
    p_lax: int = 0
    p_total: int = 0
    r_strict: int = 0
    r_lax: int = 0
    r_total: int = 0

    def add(self, gold: Sequence[Link], test: Sequence[Link]) -> LinkScore:
        s, lx, n = link_hits(gold, test)
        self.p_strict, self.p_lax, self.p_total = self.p_strict + s, self.p_lax + lx, self.p_total + n
        s, lx, n = link_hits(_both_sides(test), _both_sides(gold))
        self.r_strict, self.r_lax, self.r_total = self.r_strict + s, self.r_lax + lx, self.r_total + n
        return self

    def figures(self) -> dict[str, float]:
        out = {"precision_strict": _ratio(self.p_strict, self.p_total),
               "recall_strict": _ratio(self.r_strict, self.r_total),
               "precision_lax": _ratio(self.p_lax, self.p_total),
               "recall_lax": _ratio(self.r_lax, self.r_total)}
        out["f1_strict"] = f1_of(out["precision_strict"], out["recall_strict"])
        out["f1_lax"] = f1_of(out["precision_lax"], out["recall_lax"])
        return out


def strict_f1(gold: Sequence[Link], test: Sequence[Link]) -> float:
    """Strict F1 of one document."""
    return LinkScore().add(gold, test).figures()["f1_strict"]


def sentence_pairs(links: Iterable[Link]) -> set[tuple[int, int]]:
    """Every (source sentence, target sentence) pair that the links with both sides put together."""
    return {(s, t) for src, tgt in links for s in src for t in tgt}


@dataclass
class PartialScore:
    """Scores of partial renderings, pooled over cases.

    Pair level: over the (source sentence, target sentence) pairs the links imply. Bead level: a
    predicted link with both sides non-empty is right when it equals a gold link. Distractors: the
    share of the rendering's unrelated sentences that some predicted link gives a source."""

    pair_hits: int = 0
    pair_predicted: int = 0
    pair_gold: int = 0
    bead_hits: int = 0
    bead_predicted: int = 0
    bead_gold: int = 0
    distractors_linked: int = 0
    distractors: int = 0

    def add(self, gold: Sequence[Link], test: Sequence[Link], distractors: Iterable[int] = ()
            ) -> PartialScore:
        gold_pairs, test_pairs = sentence_pairs(gold), sentence_pairs(test)
        self.pair_hits += len(gold_pairs & test_pairs)
        self.pair_predicted += len(test_pairs)
        self.pair_gold += len(gold_pairs)
        gold_beads = {g for g in gold if g[0] and g[1]}
        test_beads = {t for t in test if t[0] and t[1]}
        self.bead_hits += len(gold_beads & test_beads)
        self.bead_predicted += len(test_beads)
        self.bead_gold += len(gold_beads)
        unrelated = set(distractors)
        linked = {t for _, t in test_pairs}
        self.distractors_linked += len(unrelated & linked)
        self.distractors += len(unrelated)
        return self

    @property
    def pair(self) -> tuple[float, float, float]:
        return prf(self.pair_hits, self.pair_predicted, self.pair_gold)

    @property
    def bead(self) -> tuple[float, float, float]:
        return prf(self.bead_hits, self.bead_predicted, self.bead_gold)

    @property
    def distractor_rate(self) -> float:
        return self.distractors_linked / self.distractors if self.distractors else 0.0


# --- the aligners --------------------------------------------------------------------------------

class Unavailable(Exception):
    """The aligner cannot run the variant asked for (said in one line, printed beside the row)."""


@dataclass
class Run:
    """One alignment: its links, the bead scores by link, the mode chosen, and the seconds taken."""

    links: list[Link]
    scores: dict[Link, float]
    mode: str
    seconds: float


def make_embedder(threads: int) -> tuple[Any, str]:
    """(the workbench's Embedder with its default disk cache, or None; what it is or why not)."""
    if "embedder" not in _align_parameters():
        return None, "no encoder: the aligner takes no embedder"
    try:
        from workbench.embed import Embedder
    except ModuleNotFoundError as exc:
        if exc.name != "workbench.embed":
            raise
        return None, "no workbench.embed in this tree"
    from workbench.translate import default_cache_dir

    cache = default_cache_dir()
    return Embedder(num_threads=threads, cache_dir=cache), f"encoder cache in {cache}"


def _align_parameters() -> frozenset[str]:
    from workbench.align import align

    return frozenset(inspect.signature(align).parameters)


def run_workbench(source: Sequence[str], rendering: Sequence[str], *, mt: Sequence[str] | None = None,
                  mode: str = "auto", signals: str = "auto", embedder: Any = None) -> Run:
    """Align with the workbench (German to French) and time it.

    Signals and the embedder are passed when the aligner takes them; an aligner that does not has
    only its lexical and MT signals, so asking it for the encoder raises Unavailable."""
    from workbench.align import align

    params = _align_parameters()
    kwargs: dict[str, Any] = {"mt": mt, "mode": mode}
    if "signals" in params:
        kwargs["signals"] = signals
    elif "embed" in signals.split(","):
        raise Unavailable("this aligner takes no signals (no encoder)")
    if "embedder" in params and embedder is not None:
        kwargs["embedder"] = embedder
    start = time.perf_counter()
    result = align(list(source), list(rendering), src_lang="de", tgt_lang="fr", **kwargs)
    seconds = time.perf_counter() - start
    links = [(b.source, b.rendering) for b in result.beads]
    return Run(links=links, scores={(b.source, b.rendering): b.score for b in result.beads},
               mode=result.settings.get("mode", mode), seconds=seconds)


def run_galechurch(source: Sequence[str], rendering: Sequence[str]) -> Run:
    """Align with PyPI's galechurch (lengths only, its default parameters) and time it."""
    import galechurch

    start = time.perf_counter()
    block = galechurch.align(list(source), list(rendering))
    seconds = time.perf_counter() - start
    links = [(tuple(range(b.source_start, b.source_end)), tuple(range(b.target_start, b.target_end)))
             for b in block.beads]
    return Run(links=links, scores={}, mode="monotone", seconds=seconds)


def warm_cache(embedder: Any, texts: Iterable[str]) -> tuple[int, float]:
    """Encode the distinct texts once, so that the timed runs find them in the cache.

    Returns (texts, seconds); (0, 0.0) without an embedder. The aligner may still encode spans of
    several sentences during the runs; that time is the runs' own."""
    if embedder is None:
        return 0, 0.0
    distinct = sorted({t for t in texts if t.strip()})
    start = time.perf_counter()
    embedder.embed(distinct)
    return len(distinct), time.perf_counter() - start

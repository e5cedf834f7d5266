"""The default alignment: one search for every shape a rendering takes.

A full translation, reporting that quotes its source in order among sentences of its own, quotes
shuffled and cut quotes all come out of the same steps, with no guess about the document first:

1. candidate beads (`beads.py`): each sentence's nearest sentences of the other side by the
   encoder's margin, their neighbours, and the merged spans (1-2, 2-1, 2-2, 1-3, 3-1) around the best;
2. their evidence (`evidence.py`): margins of the span vectors, the weakest member of a merged
   span, the Gale-Church length model fitted on the document's own confident pairs, shared n-grams,
   anchors and names, shape and size;
3. a log-likelihood ratio per bead from a model fitted on many language pairs and genres
   (`fitted.json`, made by `scripts/fit_align.py`; leave-one-pair-out figures in docs/alignment.md);
4. the search (`search.py`): order is evidence, every rendering sentence may stay unmatched, the
   document's own order and null probabilities are re-estimated from it, and each bead's posterior
   probability is the probability it is right.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import numpy as np

from workbench.align.beads import candidate_beads, pairs_from_tops
from workbench.align.evidence import Evidence, LengthModel, fit_length
from workbench.align.features import PairView
from workbench.align.learn import Logistic
from workbench.align.search import OrderPrior, decode, fit_document
from workbench.errors import InputError
from workbench.model import Bead

#: A rendering sentence's margin above which its mutual best match counts as a sure pair when the
#: document's length model is fitted.
SURE_MARGIN = 1.04


@dataclass(frozen=True)
class OneModel:
    """Everything the one search needs besides the texts: the evidence model, the order prior the
    document's own is re-estimated from, the decoding gain, the candidate counts, the length model's
    prior, and where the model came from."""

    emission: Logistic
    prior: OrderPrior = OrderPrior()
    gain: float = 1.0
    rounds: int = 3
    neighbours: int = 8
    seeds: int = 3
    length: LengthModel = LengthModel(1.0, 6.8)
    provenance: str = "unfitted"

    def to_json(self) -> dict:
        e = self.emission
        return {"emission": {"names": list(e.names), "weights": list(e.weights), "bias": e.bias,
                             "mean": list(e.mean), "scale": list(e.scale)},
                "prior": {k: getattr(self.prior, k) for k in
                          ("null", "cont", "skip", "jump", "decay", "strength")},
                "gain": self.gain, "rounds": self.rounds, "neighbours": self.neighbours,
                "seeds": self.seeds,
                "length": {"ratio": self.length.ratio, "variance": self.length.variance},
                "provenance": self.provenance}

    @classmethod
    def from_json(cls, data: dict) -> "OneModel":
        e = data["emission"]
        return cls(emission=Logistic(tuple(e["names"]), tuple(map(float, e["weights"])),
                                     float(e["bias"]), tuple(map(float, e["mean"])),
                                     tuple(map(float, e["scale"]))),
                   prior=OrderPrior(**{k: float(v) for k, v in data["prior"].items()}),
                   gain=float(data["gain"]), rounds=int(data["rounds"]),
                   neighbours=int(data["neighbours"]), seeds=int(data["seeds"]),
                   length=LengthModel(**{k: float(v) for k, v in data["length"].items()}),
                   provenance=str(data.get("provenance", "")))


def load_model(path: str | Path | None = None) -> OneModel:
    """The fitted model shipped with the package, or one written by `scripts/fit_align.py`."""
    where = "the package's fitted.json" if path is None else str(path)
    try:
        if path is None:
            text = resources.files("workbench.align").joinpath("fitted.json").read_text("utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        return OneModel.from_json(json.loads(text))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"cannot read the alignment model {where}: {exc}",
                         hint="refit it with scripts/fit_align.py") from None


@dataclass
class Prepared:
    """One document pair's candidate beads (rows s0, s1, t0, t1) and their evidence."""

    n: int
    m: int
    rows: np.ndarray
    evidence: Evidence
    lengths: LengthModel


def prepare(view: PairView, model: OneModel) -> Prepared:
    """Candidate beads and the document's length model. `view` holds the source itself (not its
    MT) against the rendering, with the encoder's vectors in `view.sem`."""
    sem = view.sem
    n, m = len(view.cmp), len(view.rendering)
    row_idx, _, col_idx, col_val = sem.margin_tops(model.neighbours, model.neighbours)
    near = pairs_from_tops(col_idx, row_idx)
    seeds = pairs_from_tops(col_idx[:, :model.seeds], row_idx[:, :model.seeds])
    rows = candidate_beads(n, m, near, seeds)
    lengths = document_lengths(view, row_idx, col_idx, col_val, model.length)
    return Prepared(n, m, rows, Evidence(view, sem, lengths, mt=False), lengths)


def document_lengths(view: PairView, row_idx: np.ndarray, col_idx: np.ndarray,
                     col_val: np.ndarray, prior: LengthModel) -> LengthModel:
    """Gale-Church's length model fitted on the document's sure pairs (mutual best matches with a
    clear margin), drawn towards `prior` when there are few."""
    best_t, best_s = col_idx[:, 0], row_idx[:, 0]
    sure = [(int(best_t[t]), t) for t in range(len(col_idx))
            if best_s[best_t[t]] == t and col_val[t, 0] > SURE_MARGIN]
    ls = np.array([view.cmp.lengths[i] for i, _ in sure], dtype=np.float64)
    lt = np.array([view.rendering.lengths[t] for _, t in sure], dtype=np.float64)
    return fit_length(ls, lt, prior)


def search(view: PairView, model: OneModel, method: str, settings: dict[str, str]) -> list[Bead]:
    """The one search over `view` (see the module's text). Every sentence ends in exactly one bead;
    a linked bead's score is its posterior probability."""
    n, m = len(view.cmp), len(view.rendering)
    prep = prepare(view, model)
    x = prep.evidence.features(prep.rows, model.emission.names)
    llr = model.emission.logit(x) if len(prep.rows) else np.zeros(0)
    post, prior = fit_document(n, m, prep.rows, llr, model.prior, model.rounds)
    chosen = decode(prep.rows, post, m, model.gain)
    beads: list[Bead] = []
    src_seen: set[int] = set()
    tgt_seen: set[int] = set()
    for k in chosen:
        s0, s1, t0, t1 = (int(v) for v in prep.rows[k])
        beads.append(Bead(tuple(range(s0, s1)), tuple(range(t0, t1)),
                          round(float(post.bead[k]), 4), method))
        src_seen.update(range(s0, s1))
        tgt_seen.update(range(t0, t1))
    closest = _closest(prep, llr, post)
    beads += [Bead((i,), (), 0.0, "unmatched") for i in range(n) if i not in src_seen]
    for t in range(m):
        if t not in tgt_seen:
            c = closest.get(t)
            beads.append(Bead((), (t,), 0.0, "unmatched", closest=c))
    linked = len(tgt_seen)
    order = _in_order(beads)
    settings.update({
        "search": "one", "model": model.provenance,
        "candidates": str(len(prep.rows)),
        "length-model": f"ratio {prep.lengths.ratio:.3f} variance {prep.lengths.variance:.2f}",
        "order": (f"unmatched {prior.null:.3f} continue {prior.share('cont'):.3f} "
                  f"forward {prior.share('skip'):.3f} jump {prior.share('jump'):.3f}"),
        "linked": f"{linked}/{m}",
    })
    # the shape found, for what reads the header (quote findings, the page): a rendering that
    # leaves a fifth of its sentences unmatched or quotes out of order is reporting
    reporting = m and (linked < 0.8 * m or order < 0.8)
    settings["shape"] = "reporting" if reporting else "translation"
    return beads


def _in_order(beads: list[Bead]) -> float:
    """The share of consecutive links (in rendering order) whose source goes forward."""
    links = sorted((b.rendering[0], b.source[0]) for b in beads if b.source and b.rendering)
    if len(links) < 2:
        return 1.0
    return sum(b[1] > a[1] for a, b in zip(links, links[1:])) / (len(links) - 1)


def _closest(prep: Prepared, llr: np.ndarray, post) -> dict[int, tuple[int, float]]:
    """For each rendering sentence the 1-1 candidate with the highest posterior (the strongest
    evidence among those the search gave none), as a suggestion for one left unmatched:
    (source sentence, its posterior)."""
    best: dict[int, tuple[float, float, int]] = {}
    for k, (s0, s1, t0, t1) in enumerate(prep.rows.tolist()):
        if s1 - s0 == 1 and t1 - t0 == 1:
            key = (float(post.bead[k]), float(llr[k]), -s0)
            if t0 not in best or key > best[t0]:
                best[t0] = key
    return {t: (-s, round(p, 4)) for t, (p, _, s) in best.items()}


def with_strength(model: OneModel, **changes) -> OneModel:
    """A copy of the model with prior fields changed (for `--mode` overrides and experiments)."""
    return replace(model, prior=replace(model.prior, **changes))


def logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))

"""The one search: which candidate beads form the alignment, and how probable each is.

The rendering is read in order. Each step either leaves a rendering sentence unmatched or takes a
candidate bead that starts there; a bead's start in the source depends on where the last bead
ended: it continues there, skips a few source sentences forward, or jumps anywhere (a 1 in n
guess). The probabilities of these moves and of an unmatched sentence are the document's own: they
start from priors fitted on many language pairs and are re-estimated from the document itself
(expectation maximisation), so a full translation, where nearly everything continues, and
reporting that quotes in any order among sentences of its own come out of the same search.
Forward and backward sums over every path give each bead's posterior probability; the alignment is
the set of beads whose posteriors make the largest expected gain (each above the threshold), with
every sentence in at most one bead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

#: Paths whose probability falls this far (in nats) below the best at the same place are dropped.
PRUNE = 30.0
NEG = -math.inf


@dataclass(frozen=True)
class OrderPrior:
    """The moves' probabilities: a rendering sentence unmatched (`null`); a bead that continues
    where the last one ended (`cont`), skips d = 1..`max_skip` source sentences (`skip`, shared
    geometrically with ratio `decay`) or starts anywhere (`jump`, spread over the source).
    cont + skip + jump = 1. `strength` is how many moves' worth the prior counts when the document
    re-estimates them."""

    null: float = 0.3
    cont: float = 0.6
    skip: float = 0.2
    jump: float = 0.2
    decay: float = 0.5
    max_skip: int = 8
    strength: float = 10.0

    def logs(self, n: int) -> tuple[float, float, list[float], float]:
        """(log null, log link, log skip by d (index 0 unused), log jump per source position)."""
        total = self.cont + self.skip + self.jump
        norm = sum(self.decay ** (d - 1) for d in range(1, self.max_skip + 1))
        skips = [NEG] + [math.log(self.skip / total * self.decay ** (d - 1) / norm)
                         for d in range(1, self.max_skip + 1)]
        return (math.log(self.null), math.log(1.0 - self.null), skips,
                math.log(self.jump / total / max(n, 1)))


@dataclass
class Posteriors:
    """Per candidate bead its posterior probability; per rendering sentence the probability that it
    is unmatched; the expected moves (for re-estimating the prior); the log of the total."""

    bead: np.ndarray
    null: np.ndarray
    moves: dict[str, float]
    log_z: float


def _lse(a: float, b: float) -> float:
    if a == NEG:
        return b
    if b == NEG:
        return a
    return a + math.log1p(math.exp(b - a)) if a >= b else b + math.log1p(math.exp(a - b))


def _lse_all(values) -> float:
    values = list(values)
    if not values:
        return NEG
    top = max(values)
    if top == NEG:
        return NEG
    return top + math.log(math.fsum(math.exp(v - top) for v in values))


def posteriors(n: int, m: int, rows: np.ndarray, llr: np.ndarray, prior: OrderPrior) -> Posteriors:
    """Forward and backward over every path through the candidate beads `rows` (s0, s1, t0, t1;
    sorted by t1), each with its log-likelihood ratio against being unmatched."""
    lnull, llink, lskip, ljump = prior.logs(n)
    lcont = math.log(prior.cont / (prior.cont + prior.skip + prior.jump))
    G = prior.max_skip
    R = rows.tolist()
    L = (np.asarray(llr, dtype=np.float64) + llink).tolist()
    ends: list[list[int]] = [[] for _ in range(m + 1)]
    starts: list[list[int]] = [[] for _ in range(m + 1)]
    for k, (_, _, t0, t1) in enumerate(R):
        ends[t1].append(k)
        starts[t0].append(k)
    fwd: list[dict[int, float]] = [{0: 0.0}]
    fwd_all: list[float] = []
    into = [NEG] * len(R)  # log of the paths' mass arriving at each bead's start, by its move
    for t in range(m):
        here = fwd[t]
        fwd_all.append(_lse_all(here.values()))
        new = {e: v + lnull for e, v in here.items()}
        for k in ends[t + 1]:
            s0, s1, t0, _ = R[k]
            into[k] = _arrive(fwd[t0], fwd_all[t0], s0, lcont, lskip, ljump, G)
            v = into[k] + L[k]
            new[s1] = _lse(new.get(s1, NEG), v)
        top = max(new.values())
        fwd.append({e: v for e, v in new.items() if v >= top - PRUNE})
    log_z = _lse_all(fwd[m].values())
    bwd: list[dict[int, float]] = [dict() for _ in range(m + 1)]
    bwd[m] = {e: 0.0 for e in fwd[m]}
    out = [NEG] * len(R)  # each bead's mass from its end to the document's end
    null = np.zeros(m)
    for t in range(m - 1, -1, -1):
        later = bwd[t + 1]
        by_s0: dict[int, float] = {}
        jump = NEG
        for k in starts[t]:
            s0, s1, _, t1 = R[k]
            b = bwd[t1].get(s1)
            if b is None:
                continue
            out[k] = L[k] + b
            by_s0[s0] = _lse(by_s0.get(s0, NEG), out[k])
            jump = _lse(jump, out[k])
        mass = {}
        for e, f in fwd[t].items():
            v = ljump + jump
            if e in later:
                v = _lse(v, lnull + later[e])
            got = by_s0.get(e)
            if got is not None:
                v = _lse(v, lcont + got)
            for d in range(1, G + 1):
                got = by_s0.get(e + d)
                if got is not None:
                    v = _lse(v, lskip[d] + got)
            mass[e] = v
        bwd[t] = mass
        null[t] = math.fsum(math.exp(f + lnull + later[e] - log_z)
                            for e, f in fwd[t].items() if e in later)
    bead = np.zeros(len(R))
    moves = {"cont": 0.0, "skip": 0.0, "jump": 0.0}
    for k, (s0, _, t0, _) in enumerate(R):
        if out[k] == NEG or into[k] == NEG:
            continue
        bead[k] = math.exp(into[k] + out[k] - log_z)
        here = fwd[t0]
        f = here.get(s0)
        if f is not None:
            moves["cont"] += math.exp(f + lcont + out[k] - log_z)
        for d in range(1, G + 1):
            f = here.get(s0 - d)
            if f is not None:
                moves["skip"] += math.exp(f + lskip[d] + out[k] - log_z)
        moves["jump"] += math.exp(fwd_all[t0] + ljump + out[k] - log_z)
    moves["null"] = float(null.sum())
    moves["link"] = float(bead.sum())
    return Posteriors(np.minimum(bead, 1.0), np.minimum(null, 1.0), moves, log_z)


def _arrive(here: dict[int, float], here_all: float, s0: int, lcont: float, lskip: list[float],
            ljump: float, G: int) -> float:
    v = here_all + ljump
    f = here.get(s0)
    if f is not None:
        v = _lse(v, f + lcont)
    for d in range(1, G + 1):
        f = here.get(s0 - d)
        if f is not None:
            v = _lse(v, f + lskip[d])
    return v


def reestimate(prior: OrderPrior, moves: dict[str, float]) -> OrderPrior:
    """The prior moved towards the document's expected moves, the prior counting `strength` moves."""
    w = prior.strength
    steps = moves["null"] + moves["link"]
    null = (moves["null"] + w * prior.null) / (steps + w)
    total = prior.cont + prior.skip + prior.jump
    linked = moves["cont"] + moves["skip"] + moves["jump"]
    cont = (moves["cont"] + w * prior.cont / total) / (linked + w)
    skip = (moves["skip"] + w * prior.skip / total) / (linked + w)
    jump = (moves["jump"] + w * prior.jump / total) / (linked + w)
    return replace(prior, null=min(max(null, 1e-4), 1 - 1e-4), cont=cont, skip=skip, jump=jump)


def fit_document(n: int, m: int, rows: np.ndarray, llr: np.ndarray, prior: OrderPrior,
                 rounds: int = 3) -> tuple[Posteriors, OrderPrior]:
    """Posteriors under the prior re-estimated `rounds` times from the document itself."""
    post = posteriors(n, m, rows, llr, prior)
    for _ in range(rounds):
        prior = reestimate(prior, post.moves)
        post = posteriors(n, m, rows, llr, prior)
    return post, prior


def decode(rows: np.ndarray, post: np.ndarray, m: int, threshold: float) -> list[int]:
    """The candidate beads (indices into rows) with the largest total of (posterior - threshold),
    no two sharing a rendering sentence; then, where two share a source sentence, the less
    probable is dropped."""
    R = rows.tolist()
    best = [0.0] * (m + 1)
    back: list[int] = [-1] * (m + 1)
    by_end: list[list[int]] = [[] for _ in range(m + 1)]
    for k, (_, _, _, t1) in enumerate(R):
        if post[k] > threshold:
            by_end[t1].append(k)
    for t in range(1, m + 1):
        best[t], back[t] = best[t - 1], -1
        for k in by_end[t]:
            v = best[R[k][2]] + float(post[k]) - threshold
            if v > best[t]:
                best[t], back[t] = v, k
    chosen: list[int] = []
    t = m
    while t > 0:
        k = back[t]
        if k < 0:
            t -= 1
        else:
            chosen.append(k)
            t = R[k][2]
    used: set[int] = set()
    kept: list[int] = []
    for k in sorted(chosen, key=lambda k: (-float(post[k]), R[k][2], R[k][0])):
        span = range(R[k][0], R[k][1])
        if not used.intersection(span):
            used.update(span)
            kept.append(k)
    return sorted(kept, key=lambda k: (R[k][2], R[k][0]))

"""The one search: which candidate beads form the alignment, and how probable each is.

The rendering is read in order. Each step either leaves a rendering sentence unmatched or takes a
candidate bead that starts there. Where a bead starts in the source depends on where the last one
ended: it continues there, goes forward over d >= 1 source sentences (geometrically less likely
the further), or jumps anywhere (a 1 in n guess). The probabilities of these moves, of the
distance forward and of an unmatched sentence are the document's own: they start from priors
fitted on many language pairs and are re-estimated from the document itself (expectation
maximisation), so a full translation, where nearly everything continues, and reporting that
quotes in any order among sentences of its own come out of the same search. Forward and backward
sums over every path give each bead's posterior probability; the alignment is the set of beads
whose posteriors make the largest expected gain, with every sentence in at most one bead.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass, replace

import numpy as np

#: Paths whose probability falls this far (in nats) below the best at the same place are dropped.
PRUNE = 30.0
NEG = -math.inf


@dataclass(frozen=True)
class OrderPrior:
    """The moves' probabilities: a rendering sentence unmatched (`null`); a bead that continues
    where the last one ended (`cont`), goes forward over d >= 1 source sentences (`skip`, with
    probability (1 - decay) * decay ** (d - 1) for each d) or starts anywhere (`jump`, spread
    evenly over the source); cont + skip + jump need not sum to 1 (they are normalised).
    `strength` is how many moves' worth the prior counts when a document re-estimates it."""

    null: float = 0.3
    cont: float = 0.6
    skip: float = 0.2
    jump: float = 0.2
    decay: float = 0.5
    strength: float = 10.0

    def share(self, move: str) -> float:
        """The normalised probability of a linking move: "cont", "skip" or "jump"."""
        return getattr(self, move) / (self.cont + self.skip + self.jump)

    def logs(self, n: int) -> "_Logs":
        total = self.cont + self.skip + self.jump
        return _Logs(null=math.log(self.null), link=math.log(1.0 - self.null),
                     cont=math.log(self.cont / total),
                     skip=math.log(self.skip / total * (1.0 - self.decay)),
                     decay=math.log(self.decay), jump=math.log(self.jump / total / max(n, 1)))


@dataclass(frozen=True)
class _Logs:
    null: float
    link: float
    cont: float
    skip: float  # log of the first step forward; each further step adds `decay`
    decay: float
    jump: float


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


class _Place:
    """The paths' mass at one place of the rendering, by the source position where the last bead
    ended, with what arriving at a source start from there costs."""

    def __init__(self, mass: dict[int, float], lg: _Logs) -> None:
        self.mass = mass
        self.all = _lse_all(mass.values())
        self.keys = sorted(mass)
        # prefix sums of mass * decay ** -e, for the forward moves into any later start
        acc, prefix, prefix_e = NEG, [], []
        acc_e = NEG
        for e in self.keys:
            v = mass[e] - e * lg.decay
            acc = _lse(acc, v)
            acc_e = _lse(acc_e, v + math.log(e + 1))
            prefix.append(acc)
            prefix_e.append(acc_e)
        self.prefix, self.prefix_e = prefix, prefix_e

    def forward(self, s0: int, lg: _Logs) -> tuple[float, float]:
        """(log mass of the forward moves into s0, expected distance d of those moves)."""
        k = bisect_left(self.keys, s0)
        if k == 0:
            return NEG, 0.0
        v = self.prefix[k - 1] + (s0 - 1) * lg.decay + lg.skip
        mean_e = math.exp(self.prefix_e[k - 1] - self.prefix[k - 1]) - 1.0
        return v, s0 - mean_e

    def arrive(self, s0: int, lg: _Logs) -> float:
        v = self.all + lg.jump
        f = self.mass.get(s0)
        if f is not None:
            v = _lse(v, f + lg.cont)
        return _lse(v, self.forward(s0, lg)[0])


def posteriors(n: int, m: int, rows: np.ndarray, llr: np.ndarray, prior: OrderPrior) -> Posteriors:
    """Forward and backward over every path through the candidate beads `rows` (s0, s1, t0, t1),
    each with its log-likelihood ratio against being unmatched."""
    lg = prior.logs(n)
    R = rows.tolist()
    L = (np.asarray(llr, dtype=np.float64) + lg.link).tolist()
    ends: list[list[int]] = [[] for _ in range(m + 1)]
    starts: list[list[int]] = [[] for _ in range(m + 1)]
    for k, (_, _, t0, t1) in enumerate(R):
        ends[t1].append(k)
        starts[t0].append(k)
    places: list[_Place] = []
    into = [NEG] * len(R)
    mass: dict[int, float] = {0: 0.0}
    for t in range(m + 1):
        places.append(_Place(mass, lg))
        if t == m:
            break
        new = {e: v + lg.null for e, v in mass.items()}
        for k in ends[t + 1]:
            s0, s1, t0, _ = R[k]
            into[k] = places[t0].arrive(s0, lg)
            new[s1] = _lse(new.get(s1, NEG), into[k] + L[k])
        top = max(new.values())
        mass = {e: v for e, v in new.items() if v >= top - PRUNE}
    log_z = places[m].all
    bwd: list[dict[int, float]] = [dict() for _ in range(m + 1)]
    bwd[m] = {e: 0.0 for e in places[m].mass}
    out = [NEG] * len(R)
    null = np.zeros(m)
    for t in range(m - 1, -1, -1):
        later = bwd[t + 1]
        by_s0: dict[int, float] = {}
        for k in starts[t]:
            s0, s1, _, t1 = R[k]
            b = bwd[t1].get(s1)
            if b is None:
                continue
            out[k] = L[k] + b
            by_s0[s0] = _lse(by_s0.get(s0, NEG), out[k])
        jump = _lse_all(by_s0.values())
        # suffix sums of the beads' mass * decay ** s0, for forward moves from any earlier end
        s_keys = sorted(by_s0)
        suffix = [NEG] * (len(s_keys) + 1)
        for i in range(len(s_keys) - 1, -1, -1):
            suffix[i] = _lse(suffix[i + 1], by_s0[s_keys[i]] + s_keys[i] * lg.decay)
        here: dict[int, float] = {}
        nulls = []
        for e, f in places[t].mass.items():
            v = lg.jump + jump
            if e in later:
                v = _lse(v, lg.null + later[e])
                nulls.append(f + lg.null + later[e])
            got = by_s0.get(e)
            if got is not None:
                v = _lse(v, lg.cont + got)
            i = bisect_left(s_keys, e + 1)
            if i < len(s_keys):
                v = _lse(v, suffix[i] + lg.skip - (e + 1) * lg.decay)
            here[e] = v
        bwd[t] = here
        null[t] = math.exp(_lse_all(nulls) - log_z) if nulls else 0.0
    bead = np.zeros(len(R))
    moves = {"cont": 0.0, "skip": 0.0, "jump": 0.0, "distance": 0.0}
    for k, (s0, _, t0, _) in enumerate(R):
        if out[k] == NEG or into[k] == NEG:
            continue
        bead[k] = math.exp(into[k] + out[k] - log_z)
        place = places[t0]
        f = place.mass.get(s0)
        if f is not None:
            moves["cont"] += math.exp(f + lg.cont + out[k] - log_z)
        fwd, mean_d = place.forward(s0, lg)
        if fwd != NEG:
            w = math.exp(fwd + out[k] - log_z)
            moves["skip"] += w
            moves["distance"] += w * mean_d
        moves["jump"] += math.exp(place.all + lg.jump + out[k] - log_z)
    moves["null"] = float(null.sum())
    moves["link"] = float(bead.sum())
    return Posteriors(np.minimum(bead, 1.0), np.minimum(null, 1.0), moves, log_z)


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
    # the mean distance forward of a geometric law is 1 / (1 - decay)
    prior_mean = 1.0 / (1.0 - prior.decay)
    mean = (moves["distance"] + w * prior_mean) / (moves["skip"] + w)
    decay = min(max(1.0 - 1.0 / max(mean, 1.0 + 1e-6), 0.01), 0.99)
    return replace(prior, null=min(max(null, 1e-4), 1 - 1e-4), cont=cont, skip=skip, jump=jump,
                   decay=decay)


#: Reporting that quotes in source order: a document that leaves more than REPORTING_NULL of its
#: sentences unmatched and whose links mostly continue (more than REPORTING_ORDER of its moves).
REPORTING_NULL = 0.2
REPORTING_ORDER = 0.4
#: There, order may say which source sentence a rendering sentence expresses but not whether it
#: expresses one: a bead whose own evidence (llr) is below this is no candidate. Without the rule
#: a reporter's sentence between two quotes was glued to the unquoted source sentence between
#: theirs, the continuing order outweighing evidence against (leave-one-pair-out on the
#: development cases, scripts/fit_align.py: 10.7% of own sentences linked in order, 6.2% with it;
#: full translations unchanged, as they leave few sentences unmatched).
REPORTING_FLOOR = 0.0


def fit_document(n: int, m: int, rows: np.ndarray, llr: np.ndarray, prior: OrderPrior,
                 rounds: int = 3) -> tuple[Posteriors, OrderPrior]:
    """Posteriors under the prior re-estimated `rounds` times from the document itself; for
    reporting in source order, again with the beads below REPORTING_FLOOR left out."""
    start = prior
    post = posteriors(n, m, rows, llr, prior)
    for _ in range(rounds):
        prior = reestimate(prior, post.moves)
        post = posteriors(n, m, rows, llr, prior)
    if prior.null > REPORTING_NULL and prior.share("cont") > REPORTING_ORDER \
            and bool((llr < REPORTING_FLOOR).any()):
        # every bead left is above the floor, so the rule does not apply twice
        kept = llr >= REPORTING_FLOOR
        post, prior = fit_document(n, m, rows[kept], llr[kept], start, rounds)
        post = _spread(post, kept)
    return post, prior


def _spread(post: Posteriors, kept: np.ndarray) -> Posteriors:
    """Posteriors over a subset of the candidates put back in the places of all of them (0 for the
    ones left out)."""
    bead = np.zeros(len(kept))
    bead[kept] = post.bead
    return Posteriors(bead, post.null, post.moves, post.log_z)


def decode(rows: np.ndarray, post: Posteriors, m: int, gain: float = 1.0) -> list[int]:
    """The candidate beads (indices into rows) that make the most sentences expectedly right: each
    rendering sentence counts its bead's posterior (times `gain`) when it is in one, and its
    probability of being unmatched when it is not. No two beads share a rendering sentence; where
    two share a source sentence, the less probable is dropped. `gain` below 1 links less."""
    R = rows.tolist()
    bead = post.bead
    best = [0.0] * (m + 1)
    back: list[int] = [-1] * (m + 1)
    by_end: list[list[int]] = [[] for _ in range(m + 1)]
    for k, (_, _, t0, t1) in enumerate(R):
        if bead[k] * gain > float(post.null[t0:t1].mean()):
            by_end[t1].append(k)
    null = post.null.tolist()
    for t in range(1, m + 1):
        best[t], back[t] = best[t - 1] + null[t - 1], -1
        for k in by_end[t]:
            v = best[R[k][2]] + gain * float(bead[k]) * (R[k][3] - R[k][2])
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
    for k in sorted(chosen, key=lambda k: (-float(bead[k]), R[k][2], R[k][0])):
        span = range(R[k][0], R[k][1])
        if not used.intersection(span):
            used.update(span)
            kept.append(k)
    return sorted(kept, key=lambda k: (R[k][2], R[k][0]))

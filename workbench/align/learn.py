"""Fitting the aligner's models from labelled examples: logistic regression for the evidence of a
bead, and the monotone (isotonic) map from a posterior to the probability of being right. Plain
numpy, deterministic: the same examples always give the same weights."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Logistic:
    """p = sigmoid(x . weights + bias), on features standardised by `mean` and `scale`."""

    names: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]

    def logit(self, x: np.ndarray) -> np.ndarray:
        z = (x - np.asarray(self.mean)) / np.asarray(self.scale)
        return z @ np.asarray(self.weights) + self.bias


def fit_logistic(x: np.ndarray, y: np.ndarray, names: tuple[str, ...], l2: float = 1.0,
                 sample_weight: np.ndarray | None = None, iterations: int = 50) -> Logistic:
    """Newton's method on the L2-penalised log-likelihood (the bias is not penalised)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w_s = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = np.column_stack([(x - mean) / scale, np.ones(len(x))])
    beta = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ beta, -35, 35)))
        grad = z.T @ (w_s * (p - y)) + penalty * beta
        hess = (z * (w_s * p * (1 - p))[:, None]).T @ z + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if float(np.abs(step).max()) < 1e-9:
            break
    return Logistic(names, tuple(float(b) for b in beta[:-1]), float(beta[-1]),
                    tuple(float(v) for v in mean), tuple(float(v) for v in scale))


@dataclass(frozen=True)
class Isotonic:
    """A non-decreasing step map from a score to a probability: (score at which a step starts,
    probability from there on)."""

    knots: tuple[float, ...]
    values: tuple[float, ...]

    def __call__(self, score: np.ndarray | float) -> np.ndarray:
        if not self.knots:
            return np.asarray(score, dtype=np.float64)
        idx = np.searchsorted(np.asarray(self.knots), np.asarray(score, dtype=np.float64),
                              side="right") - 1
        return np.asarray(self.values)[np.clip(idx, 0, len(self.values) - 1)]


def fit_isotonic(score: np.ndarray, right: np.ndarray, min_count: int = 20) -> Isotonic:
    """Pool-adjacent-violators on the examples sorted by score; blocks of fewer than `min_count`
    examples are merged with a neighbour so that no step rests on a handful."""
    order = np.lexsort((np.asarray(right), np.asarray(score)))
    s = np.asarray(score, dtype=np.float64)[order]
    r = np.asarray(right, dtype=np.float64)[order]
    blocks: list[list[float]] = []  # [sum of right, count, first score]
    for v, x in zip(r.tolist(), s.tolist()):
        blocks.append([v, 1.0, x])
        while len(blocks) > 1 and (blocks[-2][0] / blocks[-2][1] >= blocks[-1][0] / blocks[-1][1]
                                   or blocks[-2][1] < min_count):
            top = blocks.pop()
            blocks[-1][0] += top[0]
            blocks[-1][1] += top[1]
    while len(blocks) > 1 and blocks[-1][1] < min_count:
        top = blocks.pop()
        blocks[-1][0] += top[0]
        blocks[-1][1] += top[1]
    return Isotonic(tuple(b[2] for b in blocks), tuple(b[0] / b[1] for b in blocks))


def expected_calibration_error(p: np.ndarray, right: np.ndarray, bins: int = 10) -> float:
    """The mean over equal-width probability bins of |mean probability - share right|, weighted by
    the bin's size."""
    p = np.asarray(p, dtype=np.float64)
    right = np.asarray(right, dtype=np.float64)
    if not len(p):
        return 0.0
    which = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        sel = which == b
        if sel.any():
            total += sel.sum() * abs(float(p[sel].mean()) - float(right[sel].mean()))
    return total / len(p)


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z > -35 else 0.0


@dataclass(frozen=True)
class Choices:
    """Labelled choice sets: row k is an option of set `group[k]` with features `x[k]` (all zero
    for "unmatched") and a fixed log-prior `offset[k]`; `chosen[k]` marks the right option of its
    set; `has_bias[k]` whether the intercept applies (not to "unmatched")."""

    x: np.ndarray
    offset: np.ndarray
    group: np.ndarray
    chosen: np.ndarray
    has_bias: np.ndarray


def fit_choices(c: Choices, names: tuple[str, ...], l2: float = 1.0, iterations: int = 60
                ) -> Logistic:
    """Weights that make the right option of each set most probable under a softmax over the
    options' scores x . w + bias + offset (Newton's method, L2-penalised, bias free): each option is
    judged against what it competes with at the same place, under the same order prior."""
    x = np.asarray(c.x, dtype=np.float64)
    real = c.has_bias.astype(bool)
    mean = x[real].mean(axis=0)
    scale = x[real].std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = np.where(real[:, None], (x - mean) / scale, 0.0)
    z = np.column_stack([z, real.astype(np.float64)])
    beta = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[-1] = 0.0
    groups = np.asarray(c.group)
    starts = np.r_[0, np.flatnonzero(np.diff(groups)) + 1]
    count = len(starts)
    gold = np.asarray(c.chosen, dtype=np.float64)
    for _ in range(iterations):
        s = z @ beta + c.offset
        top = np.maximum.reduceat(s, starts)
        e = np.exp(s - np.repeat(top, np.diff(np.r_[starts, len(s)])))
        tot = np.add.reduceat(e, starts)
        p = e / np.repeat(tot, np.diff(np.r_[starts, len(s)]))
        mean_z = np.add.reduceat(z * p[:, None], starts)  # per set
        grad = (z * (p - gold)[:, None]).sum(axis=0) + penalty * beta
        hess = (z * p[:, None]).T @ z - mean_z.T @ mean_z + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    del count
    return Logistic(names, tuple(float(b) for b in beta[:-1]), float(beta[-1]),
                    tuple(float(v) for v in mean), tuple(float(v) for v in scale))

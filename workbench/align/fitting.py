"""Fitting the one search's evidence model from gold alignments (`scripts/fit_align.py`).

Each gold alignment is walked in rendering order. At each place the search chooses between every
candidate bead that starts there and leaving the sentence unmatched; the model learns to give the
gold choice the highest probability under the softmax the search itself uses, with the order prior
of that gold alignment as a fixed offset (what a maximum-entropy Markov model does). The weights
therefore mean what the search needs: how much more likely this bead is than an unmatched
sentence at the same place, given what order alone says."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from workbench.align.learn import Choices, Logistic, fit_choices
from workbench.align.one import OneModel, Prepared
from workbench.align.search import OrderPrior

Link = tuple[tuple[int, ...], tuple[int, ...]]


@dataclass
class Example:
    """One document pair for fitting: its candidates, every feature of them, and its gold links."""

    prepared: Prepared
    x: np.ndarray
    names: tuple[str, ...]
    gold: list[Link]
    group: str = ""


def gold_prior(n: int, m: int, gold: Sequence[Link], base: OrderPrior = OrderPrior()
               ) -> OrderPrior:
    """The order prior a gold alignment itself shows (add-one smoothed)."""
    links = sorted((g for g in gold if g[0] and g[1]), key=lambda g: g[1][0])
    covered = {t for g in links for t in g[1]}
    nulls = m - len(covered)
    end = cont = skip = jump = distance = 0
    for g in links:
        s0 = g[0][0]
        if s0 == end:
            cont += 1
        elif s0 > end:
            skip += 1
            distance += s0 - end
        else:
            jump += 1
        end = g[0][-1] + 1
    mean = (distance + 2) / (skip + 1)
    return replace(base, null=(nulls + 1) / (len(links) + nulls + 2), cont=cont + 1,
                   skip=skip + 1, jump=jump + 1, decay=1 - 1 / mean)


def choices(ex: Example, cols: Sequence[int]) -> tuple[np.ndarray, ...]:
    """The choice sets of one example: features, offsets, set ids, the gold option, and whether
    an option is a bead (not "unmatched")."""
    p = ex.prepared
    lg = gold_prior(p.n, p.m, ex.gold).logs(p.n)
    rows = p.rows.tolist()
    by_t0: dict[int, list[int]] = {}
    for k, r in enumerate(rows):
        by_t0.setdefault(r[2], []).append(k)
    index = {tuple(r): k for k, r in enumerate(rows)}
    gold = {g[1][0]: g for g in ex.gold if g[0] and g[1]}
    xs, off, grp, ch, real = [], [], [], [], []
    t = end = gid = 0
    zero = np.zeros(len(cols))

    def move(s0: int) -> float:
        v = lg.jump
        if s0 == end:
            v = float(np.logaddexp(v, lg.cont))
        elif s0 > end:
            v = float(np.logaddexp(v, lg.skip + (s0 - end - 1) * lg.decay))
        return v

    while t < p.m:
        g = gold.get(t)
        target = None
        if g is not None:
            target = index.get((g[0][0], g[0][-1] + 1, g[1][0], g[1][-1] + 1), -2)
        if target == -2:  # the gold bead is no candidate: nothing to learn at this place
            end, t = g[0][-1] + 1, g[1][-1] + 1
            continue
        for k in by_t0.get(t, []):
            xs.append(ex.x[k, cols])
            off.append(lg.link + move(rows[k][0]))
            grp.append(gid)
            ch.append(k == target)
            real.append(True)
        xs.append(zero)
        off.append(lg.null)
        grp.append(gid)
        ch.append(target is None)
        real.append(False)
        gid += 1
        if g is not None:
            end, t = g[0][-1] + 1, g[1][-1] + 1
        else:
            t += 1
    return (np.array(xs).reshape(-1, len(cols)), np.array(off), np.array(grp), np.array(ch),
            np.array(real))


def fit_emission(examples: Sequence[Example], names: tuple[str, ...], l2: float = 1.0
                 ) -> Logistic:
    """The evidence model over the named features, fitted on every example's choice sets."""
    cols = [examples[0].names.index(k) for k in names]
    parts = [choices(ex, cols) for ex in examples]
    groups, shift = [], 0
    for part in parts:
        if len(part[2]):
            groups.append(part[2] + shift)
            shift = int(groups[-1].max()) + 1
        else:
            groups.append(part[2])
    c = Choices(np.vstack([x[0] for x in parts]), np.concatenate([x[1] for x in parts]),
                np.concatenate(groups), np.concatenate([x[3] for x in parts]),
                np.concatenate([x[4] for x in parts]))
    return fit_choices(c, names, l2=l2)


def fit(examples: Sequence[Example], names: tuple[str, ...], base: OneModel, l2: float = 1.0,
        provenance: str = "") -> OneModel:
    return replace(base, emission=fit_emission(examples, names, l2), provenance=provenance)

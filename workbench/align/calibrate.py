"""Learning from review: the aligner's probabilities refit on what translators decided.

A data directory's PO files say which of the aligner's links translators kept and which they did
not: an approved bead the aligner made was right; a rejected one was wrong, and so was each
machine-made bead a translator merged into a larger one (the `merged` parts). Those decisions refit
the map from the aligner's probability to the probability of being right, as
logit(p') = a * logit(p) + b (Platt scaling, drawn towards a = 1, b = 0 so that a few decisions
move it little). The fit is judged on held-out folds of the decisions before it is kept, and is
stored in the data directory (`aligner-calibration.json`); every later alignment in that data
directory (Prepare, Re-align, `workbench align --data`, batch runs) applies it and records it in
the PO header's X-Aligner (`calibration=...`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from workbench.errors import InputError

#: Where a data directory keeps its refit map.
FILE = "aligner-calibration.json"
#: Fewer decisions than this (or fewer than MIN_EACH right or wrong) are not enough to refit.
MIN_DECISIONS = 30
MIN_EACH = 5
FOLDS = 5
#: Methods that are not the aligner's: the translator's own links and what edits leave.
NOT_MACHINE = {"manual", "unlinked", "unmatched"}


@dataclass(frozen=True)
class Decision:
    """One machine-made bead a translator judged: its probability then, and whether it was right."""

    probability: float
    right: bool
    where: str


@dataclass(frozen=True)
class Calibration:
    a: float = 1.0
    b: float = 0.0
    decisions: int = 0
    provenance: str = "none"

    def __call__(self, p: float) -> float:
        if self.decisions == 0 or p <= 0.0:
            return p
        z = self.a * _logit(p) + self.b
        return round(1.0 / (1.0 + math.exp(-z)), 4)

    def describe(self) -> str:
        return f"a={self.a:.3f} b={self.b:.3f} from {self.decisions} decisions"


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def decisions_of(records: Iterable, where: str) -> list[Decision]:
    """The decisions one PO file's records hold (workbench.store.Record)."""
    out = []
    for r in records:
        if r.source and r.rendering and r.method not in NOT_MACHINE and r.score > 0:
            if r.status == "approved":
                out.append(Decision(r.score, True, f"{where} {r.key}"))
            elif r.status == "rejected":
                out.append(Decision(r.score, False, f"{where} {r.key}"))
        for part in getattr(r, "parts", ()):
            if part.source and part.rendering and part.method not in NOT_MACHINE \
                    and part.score > 0:
                out.append(Decision(part.score, False, f"{where} {part.key} (merged)"))
    return out


def fit(decisions: Sequence[Decision], l2: float = 1.0) -> tuple[float, float]:
    """Platt's a and b by damped Newton steps on the log-loss, penalised towards (1, 0)."""
    x = np.array([_logit(d.probability) for d in decisions])
    y = np.array([1.0 if d.right else 0.0 for d in decisions])
    prior = np.array([1.0, 0.0])
    z = np.column_stack([x, np.ones_like(x)])

    def loss(beta: np.ndarray) -> float:
        s = z @ beta
        return float(np.sum(np.logaddexp(0.0, s) - y * s) + l2 / 2 * np.sum((beta - prior) ** 2))

    beta = prior.copy()
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(z @ beta)))
        grad = z.T @ (p - y) + l2 * (beta - prior)
        hess = (z * (p * (1 - p))[:, None]).T @ z + l2 * np.eye(2)
        step = np.linalg.solve(hess, grad)
        t, now = 1.0, loss(beta)
        while t > 1e-6 and loss(beta - t * step) > now:
            t /= 2
        beta = beta - t * step
        if float(np.abs(t * step).max()) < 1e-10:
            break
    return float(beta[0]), float(beta[1])


def _scores(p: np.ndarray, y: np.ndarray) -> dict[str, float]:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    loss = float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).mean())
    from workbench.align.learn import expected_calibration_error

    return {"log-loss": round(loss, 4), "ece": round(expected_calibration_error(p, y), 4),
            "brier": round(float(((p - y) ** 2).mean()), 4)}


def held_out(decisions: Sequence[Decision]) -> dict[str, dict[str, float]]:
    """Before and after on held-out folds: each decision is predicted by a map fitted on the
    other folds (folds by position in a fixed order, so the same decisions give the same figures)."""
    ordered = sorted(decisions, key=lambda d: d.where)
    before = np.array([d.probability for d in ordered])
    after = np.empty(len(ordered))
    y = np.array([1.0 if d.right else 0.0 for d in ordered])
    for f in range(FOLDS):
        test = [k for k in range(len(ordered)) if k % FOLDS == f]
        train = [ordered[k] for k in range(len(ordered)) if k % FOLDS != f]
        a, b = fit(train)
        c = Calibration(a, b, len(train))
        after[test] = [c(ordered[k].probability) for k in test]
    return {"before": _scores(before, y), "after": _scores(after, y)}


def shortfall(decisions: Sequence[Decision]) -> str | None:
    """Why these decisions are not enough to refit, or None."""
    right = sum(d.right for d in decisions)
    wrong = len(decisions) - right
    needs = []
    if len(decisions) < MIN_DECISIONS:
        needs.append(f"{MIN_DECISIONS - len(decisions)} more decisions")
    if right < MIN_EACH:
        needs.append(f"{MIN_EACH - right} more approved links")
    if wrong < MIN_EACH:
        needs.append(f"{MIN_EACH - wrong} more rejected (or merged) links")
    if not needs:
        return None
    return (f"{len(decisions)} decisions ({right} approved, {wrong} rejected or merged); "
            f"refitting needs {' and '.join(needs)}")


def load(data_dir: str | Path) -> Calibration:
    """The data directory's refit map, or the identity when it has none."""
    path = Path(data_dir) / FILE
    if not path.is_file():
        return Calibration()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Calibration(float(data["a"]), float(data["b"]), int(data["decisions"]),
                           str(data.get("provenance", "")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"cannot read the aligner's calibration: {exc}", path=str(path),
                         hint="run `workbench calibrate` again, or remove the file") from None


def to_json(c: Calibration) -> bytes:
    return (json.dumps({"a": round(c.a, 6), "b": round(c.b, 6), "decisions": c.decisions,
                        "provenance": c.provenance}, indent=1) + "\n").encode("utf-8")

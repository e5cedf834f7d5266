"""The partial search for reporting: quoted or paraphrased source sentences found anywhere in the
rendering, in any order, among sentences of its own; nothing is forced. Also the display order of
beads that such an alignment needs."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.align.features import BEAD_TYPES
from workbench.align.scorers import BeadScorer
from workbench.model import Bead

@dataclass(frozen=True)
class PartialParams:
    """A candidate bead is accepted when score - shape penalty reaches `threshold`; a sentence
    between two matched neighbours only needs `context_threshold` at the matching place."""

    threshold: float = 0.3
    context_threshold: float = 0.1
    merge_penalty: float = 0.15
    big_penalty: float = 0.2
    per_source: int = 12

    def penalty(self, a: int, b: int) -> float:
        if a == 1 and b == 1:
            return 0.0
        return self.merge_penalty if a + b == 3 else self.big_penalty


def search_partial(score: BeadScorer, n: int, m: int, cands: dict[int, list[int]],
                   p: PartialParams) -> list[tuple[int, int, int, int, bool]]:
    """Quoted or paraphrased source sentences anywhere in the rendering, in any order: greedy
    acceptance of the best-scoring candidate beads whose sentences are still free, then a context
    pass for source sentences whose neighbours are matched. Returns (s0, s1, t0, t1, by_context)."""
    scored: list[tuple[float, int, int, int, int]] = []
    seen: set[tuple[int, int, int, int]] = set()
    for i, js in cands.items():
        for j in js:
            for a, b in BEAD_TYPES:
                for da in range(a):
                    for db in range(b):
                        s0, t0 = i - da, j - db
                        s1, t1 = s0 + a, t0 + b
                        key = (s0, s1, t0, t1)
                        if s0 < 0 or t0 < 0 or s1 > n or t1 > m or key in seen:
                            continue
                        seen.add(key)
                        v = score(*key) - p.penalty(a, b)
                        if v >= p.threshold:
                            scored.append((v, s0, s1, t0, t1))
    scored.sort(key=lambda x: (-x[0], x[1], x[3]))
    src_used: dict[int, int] = {}
    tgt_used: set[int] = set()
    accepted: list[tuple[int, int, int, int, bool]] = []
    for v, s0, s1, t0, t1 in scored:
        if any(k in src_used for k in range(s0, s1)) or any(k in tgt_used for k in range(t0, t1)):
            continue
        accepted.append((s0, s1, t0, t1, False))
        for k in range(s0, s1):
            src_used[k] = t0
        tgt_used.update(range(t0, t1))
    changed = True
    while changed:
        changed = False
        for i in range(n):
            if i in src_used:
                continue
            before = src_used.get(i - 1)
            after = src_used.get(i + 1)
            if before is None and after is None:
                continue
            # the neighbours' places say where a quote of this sentence would stand
            places: list[int] = []
            if before is not None:
                last = max(t1 for s0, s1, t0, t1, _ in accepted if s0 <= i - 1 < s1)
                places += [last, last + 1]
            if after is not None:
                places += [after - 1, after - 2]
            best: tuple[float, int] | None = None
            for j in places:
                if 0 <= j < m and j not in tgt_used:
                    v = score(i, i + 1, j, j + 1)
                    if v >= p.context_threshold and (best is None or v > best[0]):
                        best = (v, j)
            if best is not None:
                accepted.append((i, i + 1, best[1], best[1] + 1, True))
                src_used[i] = best[1]
                tgt_used.add(best[1])
                changed = True
    return accepted


def display_order(beads: list[Bead], n: int, m: int) -> list[Bead]:
    """Order beads for display. Beads with rendering sentences are ordered by their first rendering
    sentence, i.e. the rendering is walked in order and each bead is emitted at its first rendering
    sentence; every source-only (1-0) bead follows the bead holding the nearest preceding source
    sentence, or comes first when no earlier source sentence is placed. For a monotone alignment
    this is the usual order with both sides ascending."""
    with_tgt = sorted((b for b in beads if b.rendering), key=lambda b: b.rendering[0])
    src_only = sorted((b for b in beads if not b.rendering), key=lambda b: b.source[0])
    holder: dict[int, int] = {}
    for k, b in enumerate(with_tgt):
        for s in b.source:
            holder[s] = k
    after: dict[int, list[Bead]] = {}
    for b in src_only:
        prev = -1
        for s in range(b.source[0] - 1, -1, -1):
            if s in holder:
                prev = holder[s]
                break
        after.setdefault(prev, []).append(b)
    out = list(after.get(-1, []))
    for k, b in enumerate(with_tgt):
        out.append(b)
        out.extend(after.get(k, []))
    return out


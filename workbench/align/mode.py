"""The automatic choice between the monotone and the partial search, with its reason."""

from __future__ import annotations

from typing import Sequence

from workbench.align.candidates import monotone_chain
from workbench.align.features import PairView

def choose_mode(view: PairView, matches: Sequence[tuple[int, int, float]], *,
                semantic: bool = False, reliable: bool = True) -> tuple[str, str]:
    """Partial when the documents differ in sentence count or length by more than 1.8 times, or when
    at least 5 confident 1-1 matches (mutually best, scoring at least the anchor threshold) exist
    and fewer than 60% of them are in order (without MT or encoder (`reliable` False), documents
    of the same size are taken as monotone first). Otherwise monotone when both ratios are at most 1.3;
    in between, monotone only when confident matches cover at least 30% of the shorter document
    and at least 80% of them are in order. Returns the mode and the reason."""
    n, m = len(view.cmp), len(view.rendering)
    count_ratio = max(n, m) / max(1, min(n, m))
    len_cmp = sum(view.cmp.lengths) * view.ratio
    len_tgt = sum(view.rendering.lengths)
    length_ratio = max(len_cmp, len_tgt) / max(1.0, min(len_cmp, len_tgt))
    ordered = len(monotone_chain(matches)) / len(matches) if matches else 1.0
    facts = (f"sentences {n}:{m}, length ratio {length_ratio:.2f}, "
             f"{len(matches)} confident matches, {ordered:.0%} in order")
    if semantic:
        if count_ratio > 1.8 or length_ratio > 1.8:
            return "partial", f"documents differ in size ({facts})"
        return _semantic_choice(n, m, len(matches), ordered, facts)
    if count_ratio > 1.8 or length_ratio > 1.8:
        return "partial", f"documents differ in size ({facts})"
    if count_ratio <= 1.3 and length_ratio <= 1.3 and not reliable:
        # model-free 1-1 matches between languages are too often wrong to judge order by
        return "monotone", f"documents of the same size ({facts})"
    if len(matches) >= 5 and ordered < 0.6:
        return "partial", f"matches out of order ({facts})"
    if count_ratio <= 1.3 and length_ratio <= 1.3:
        return "monotone", f"documents of the same size ({facts})"
    if len(matches) < 0.3 * min(n, m):
        return "partial", f"few confident matches ({facts})"
    if ordered < 0.8:
        return "partial", f"matches out of order ({facts})"
    return "monotone", f"documents look like full translations ({facts})"



def _semantic_choice(n: int, m: int, confident: int, ordered: float, facts: str
                     ) -> tuple[str, str]:
    """With the encoder, confident matches are reliable enough to decide alone: a full translation
    has one for most sentences of the longer side (a rendering that adds sentences of its own does
    not), nearly all in order."""
    share = confident / max(1, n, m)
    if share >= SEMANTIC_SHARE and ordered >= SEMANTIC_ORDER:
        return "monotone", f"most sentences match, in order ({facts})"
    if share < SEMANTIC_SHARE:
        return "partial", f"few sentences match ({facts})"
    return "partial", f"matches out of order ({facts})"


#: Share of the longer side's sentences with a confident match, and share of those in order, at
#: which the encoder's matches say "full translation".
SEMANTIC_SHARE = 0.5
SEMANTIC_ORDER = 0.8

"""Parts of source sentences: what the partial search compares a quote of half a sentence with."""

from __future__ import annotations

import pytest

from workbench.align import _own_view, _view
from workbench.align.semantic import sentence_parts

SOURCE = [
    "The glacier above the village retreated by forty metres during the dry summer.",
    ("A new hut with twenty beds opened near the pass in early July, and its warden bakes bread "
     "every morning for the climbers who stay overnight."),
    "Heavy snow closed the road to the valley for three whole weeks in March.",
    "Farmers brought their cattle down from the alpine meadows before the storm.",
]
RENDERING = [
    "Parliament debated the new pension law until late at night yesterday.",
    "Its warden bakes bread every morning for the climbers who stay overnight.",
    "Heavy snow closed the road to the valley for three whole weeks in March.",
]


def test_sentence_parts_are_beginnings_and_ends_at_clause_boundaries():
    text = ("The hut opened in July, and its warden bakes bread every morning; climbers love it.")
    assert sentence_parts(text) == [
        "The hut opened in July",
        "and its warden bakes bread every morning; climbers love it.",
        "The hut opened in July, and its warden bakes bread every morning",
    ]


@pytest.mark.parametrize("text", ["Yes, she said.", "About 1,5 million people came today.",
                                  "No clause boundary in this one at all."])
def test_sentence_parts_skip_short_parts_and_numbers(text):
    assert sentence_parts(text) == []


@pytest.fixture(scope="module")
def view():
    from workbench.embed import Embedder

    return _own_view(_view(SOURCE, RENDERING, "en", "en", None, Embedder()), "en", "en")


def test_a_quoted_half_finds_its_sentence_by_its_part(view):
    sem = view.sem
    idx, val = sem.part_tops(2)
    assert int(idx[1][0]) == 1 and int(idx[2][0]) == 2
    # the part says more than the whole sentence; a sentence without parts is its own best part
    assert sem.part_margin(1, 1) > sem.margin(1, 2, 1, 2)
    assert sem.part_margin(2, 2) == pytest.approx(sem.margin(2, 3, 2, 3))
    assert float(val[1][0]) == pytest.approx(sem.part_margin(1, 1))



def test_suggestions_beside_another_search_encode_no_parts():
    from workbench.align.params import RETRIEVAL
    from workbench.align.retrieve import candidates, closest_sources, score
    from workbench.embed import Embedder

    fresh = _own_view(_view(SOURCE, RENDERING, "en", "en", None, Embedder()), "en", "en")
    closest = closest_sources(fresh, RETRIEVAL)
    assert fresh.sem._parts is None
    assert [closest[j].i for j in range(3)] == [closest[0].i, 1, 2]
    # sentence 2 has no clause boundary: its probability is the same with the parts encoded
    full = candidates(fresh, RETRIEVAL.per_sentence, RETRIEVAL.per_sentence_parts)
    score(full, RETRIEVAL)
    assert fresh.sem._parts is not None
    same = next(c for c in full if (c.i, c.j) == (2, 2))
    assert same.first == pytest.approx(closest[2].first)

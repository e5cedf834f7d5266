"""The one search (workbench.align.one): every shape a rendering takes, from the same defaults."""

from __future__ import annotations

from dataclasses import replace

import pytest

from workbench.align import align
from workbench.align.one import load_model

SOURCE = [
    "Мы, жители города Самары, обращаемся к губернатору области.",
    "В сентябре в нашем городе закрыли последнюю детскую библиотеку.",
    "Здание библиотеки передали коммерческой компании под офисы.",
    "Тысячи детей остались без книг и без места, где можно заниматься после школы.",
    "Мы собрали более восьми тысяч подписей за три недели.",
    "Мы требуем вернуть библиотеку детям и сохранить её фонды.",
    "Если ничего не изменится, мы выйдем на пикет у здания администрации.",
    "Просим всех неравнодушных поддержать наше обращение.",
]
QUOTES = {
    0: "We, the residents of the city of Samara, are appealing to the governor of the region.",
    1: "In September the last children's library in our city was closed.",
    3: "Thousands of children were left without books and without a place to study after school.",
    5: "We demand that the library be returned to the children and its collections preserved.",
    6: "If nothing changes, we will picket the administration building.",
}
OWN = [
    "Residents of a Volga city are fighting to save a library.",
    "The regional government did not answer a request for comment.",
    "Similar disputes have flared up across the country this year.",
    "Local shop owners fear the street will lose its last public space.",
]


def links(al):
    return sorted((b.source, b.rendering) for b in al.beads if b.source and b.rendering)


def test_reporting_that_quotes_in_source_order_links_the_quotes_and_nothing_else():
    rendering = [OWN[0], QUOTES[0], OWN[1], QUOTES[1], QUOTES[3], OWN[2], QUOTES[5], OWN[3],
                 QUOTES[6]]
    al = align(SOURCE, rendering, src_lang="ru", tgt_lang="en")
    assert links(al) == [((0,), (1,)), ((1,), (3,)), ((3,), (4,)), ((5,), (6,)), ((6,), (8,))]
    assert al.settings["search"] == "one" and al.settings["shape"] == "reporting"
    # the reporter's own sentences stay unmatched, each one in a 0-1 bead
    own = {b.rendering[0] for b in al.beads if not b.source}
    assert own == {0, 2, 5, 7}


def test_shuffled_quotes_come_out_of_the_same_search():
    rendering = [OWN[0], QUOTES[5], OWN[2], QUOTES[1], QUOTES[6], OWN[1], QUOTES[0]]
    al = align(SOURCE, rendering, src_lang="ru", tgt_lang="en")
    assert links(al) == [((0,), (6,)), ((1,), (3,)), ((5,), (1,)), ((6,), (4,))]
    assert all(b.score >= 0.5 for b in al.beads if b.source and b.rendering)


def test_a_full_translation_links_everything_in_order():
    rendering = [QUOTES.get(i) for i in range(len(SOURCE))]
    rendering[2] = "The library building was handed over to a commercial company for offices."
    rendering[4] = "We collected more than eight thousand signatures in three weeks."
    rendering[7] = "We ask everyone who cares to support our appeal."
    al = align(SOURCE, rendering, src_lang="ru", tgt_lang="en")
    assert links(al) == [((i,), (i,)) for i in range(len(SOURCE))]
    assert al.settings["shape"] == "translation"


def _without(model, feature):
    e = model.emission
    k = e.names.index(feature)
    weights = tuple(0.0 if i == k else w for i, w in enumerate(e.weights))
    return replace(model, emission=replace(e, weights=weights))


def test_the_length_model_carries_a_full_translation_where_meaning_cannot(tmp_path):
    """Sentences the encoder cannot tell apart (the same words, counted) are placed by their
    lengths: the 2-1 bead is the one whose lengths add up."""
    ten = "Раз, два, три, четыре, пять, шесть, семь, восемь, девять, десять."
    src = ["Раз.", ten, ten, "Раз, два, три.", "Раз."]
    ten_en = "One, two, three, four, five, six, seven, eight, nine, ten."
    ren = ["One.", f"{ten_en} {ten_en}", "One, two, three.", "One."]
    al = align(src, ren, src_lang="ru", tgt_lang="en")
    assert ((1, 2), (1,)) in links(al)
    model = load_model()
    path = tmp_path / "model.json"
    import json

    path.write_text(json.dumps(_without(model, "length").to_json()), encoding="utf-8")
    blind = align(src, ren, src_lang="ru", tgt_lang="en", model_path=str(path))
    assert ((1, 2), (1,)) not in links(blind)


@pytest.mark.parametrize("generic", ["He nodded.", "Thank you.", "'Excuse me!'"])
def test_a_short_generic_sentence_stays_unlinked(generic):
    rendering = [OWN[0], QUOTES[1], generic, OWN[1], QUOTES[5]]
    al = align(SOURCE, rendering, src_lang="ru", tgt_lang="en")
    linked = {t for b in al.beads if b.source for t in b.rendering}
    assert 2 not in linked
    assert {1, 4} <= linked


def test_the_model_says_where_it_came_from():
    al = align(SOURCE[:2], [QUOTES[0], QUOTES[1]], src_lang="ru", tgt_lang="en")
    assert "fitted on" in al.settings["model"]
    assert al.settings["mode"] == "one"

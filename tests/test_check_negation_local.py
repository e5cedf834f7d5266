"""Negation check: a limit or a lack stands for a negation only near it and only where the other
side does not have it too; French non before a word and German keinesfalls read as they mean."""

from __future__ import annotations

from test_check_precision_cases import found


def test_negation_a_lack_the_other_side_also_has_stands_for_no_dropped_negation():
    # ohne / sans translate each other: the French lost its negation, not said it with 'sans'
    assert found("Sie stiegen ohne Seil auf , aber der Grat war nicht leicht .",
                 "Ils montèrent sans corde , mais l' arête était difficile .") == [
        ("warning", "negation", "source negates ('nicht'); the rendering does not", "nicht", None)]
    assert found("Sie stiegen ohne Seil auf , aber der Grat war nicht leicht .",
                 "Ils montèrent sans corde , mais l' arête n' était pas facile .") == []


def test_negation_a_lack_far_from_the_dropped_negation_does_not_stand_for_it():
    assert found("Der Aufstieg war nicht leicht , und nach vielen langen Stunden im Sturm kehrten "
                 "sie ins Lager zurück , das Zelt blieb oben .",
                 "L' ascension fut facile , et après de longues heures dans la tempête ils "
                 "rentrèrent au camp sans leur tente .") == [
        ("warning", "negation", "source negates ('nicht'); the rendering does not", "nicht", None)]


def test_negation_a_limit_where_the_other_side_negates_is_no_finding():
    assert found("Sie kamen nur bis 7000 m .", "Ils ne dépassèrent pas 7000 m .") == []


def test_negation_french_non_before_a_word_is_a_lack_and_non_loin_none():
    assert found("Sie gingen seilfrei , um sich nicht zu gefährden .",
                 "Ils allaient non encordés , afin de ne pas se gêner .") == []
    assert found("Sie gingen seilfrei , um sich nicht zu gefährden .",
                 "Ils allaient non encordés , afin de se gêner .") == [
        ("warning", "negation", "source negates ('nicht'); the rendering does not", "nicht", None)]
    assert found("Der Berg liegt unweit von Gilgit .", "La montagne se dresse non loin de Gilgit .") == []


def test_negation_keinesfalls_negates_and_peut_etre_is_no_literary_negation():
    assert found("Dafür reichte die Zeit keinesfalls aus .", "On n' en avait pas le temps .") == []
    assert found("Der Berg wird wohl lange still bleiben .",
                 "La montagne ne sera peut-être pas inquiétée de longtemps .") == [
        ("warning", "negation", "rendering negates ('ne sera peut-être pas'); the source does not",
         None, "ne sera peut-être pas")]

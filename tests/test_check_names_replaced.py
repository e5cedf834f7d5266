"""Name check on a German source without MT: a capitalised French common noun (Journal, le
Gouvernement) is weak evidence of a name, and a finding only where it stands in the place of a
German word no lexicon knows (a name the rendering lost), not of a compound of known words."""

from __future__ import annotations

from test_check_precision_cases import found


def test_name_common_noun_in_the_place_of_an_unknown_source_word_is_found():
    assert found("Sie hatten Verdruss mit den Baltis .",
                 "Ils eurent des ennuis avec les Journal .") == [
        ("error", "name", "source names Baltis; rendering names Journal", "Baltis", "Journal")]
    assert found("Sie hatten Verdruss mit den Baltis .",
                 "Ils eurent des ennuis avec les Baltis .") == []


def test_name_common_noun_beside_a_kept_name_or_a_compound_is_no_name():
    assert found("Der Streik am Baltoro traf die Regierung .",
                 "La grève au Baltoro toucha le Gouvernement .") == []
    # Gletscherarm and Trägerstreik are compounds of known words, no lost names
    assert found("Sie gingen über den Gletscherarm zum Turm .",
                 "Ils allèrent par la branche du glacier jusqu' à la Tour .") == []
    assert found("Der Trägerstreik traf die Regierung .",
                 "La grève des porteurs toucha le Gouvernement .") == []

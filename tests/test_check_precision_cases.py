"""Fidelity checks on free translations: weak evidence gives no finding, a real change still does.

Each case is a pair of the kind the Text+Berg German-French gold pairs hold (a free translation that
drops context, names an institution with a capital, says 'only' with a negation), written small,
next to the same pair with a change planted that the checks must still find."""

from __future__ import annotations

from workbench.check import check_pair


def found(source: str, rendering: str, src: str = "de", tgt: str = "fr") -> list[tuple]:
    """(severity, kind, explanation, source words, rendering words) of each finding."""
    out = []
    for f in check_pair(source, rendering, src_lang=src, tgt_lang=tgt, notes=True):
        s = source[f.source_span[0]:f.source_span[1]] if f.source_span else None
        r = rendering[f.rendering_span[0]:f.rendering_span[1]] if f.rendering_span else None
        out.append((f.severity, f.kind, f.explanation, s, r))
    return out


# --- names ---

def test_name_common_noun_after_a_determiner_is_no_name():
    assert found("Die Regierung von Nepal prüft den Antrag.",
                 "Le Gouvernement du Népal examine la demande.") == []
    assert found("Правительство России объявило мобилизацию.",
                 "The Government of Russia announced a mobilisation.", "ru", "en") == []


def test_name_beside_a_common_noun_is_still_found():
    assert found("Die Regierung von Nepal prüft den Antrag.",
                 "Le Gouvernement du Makalu examine la demande.") == [
        ("error", "name", "source names Nepal; rendering names Makalu", "Nepal", "Makalu")]
    assert found("Er traf den Turm.", "Il vit la Tour de Muztagh.") == [
        ("note", "name", "rendering names Muztagh; the source does not", None, "Muztagh")]


def test_name_common_words_in_a_run_of_capitals_are_a_name():
    assert found("Sie flogen mit der Luftwaffe .", "Ils volaient avec la Royal Air Force .") == [
        ("note", "name", "rendering names Royal Air Force; the source does not", None,
         "Royal Air Force")]


def test_name_roman_numerals_are_numbers_and_stand_for_digits():
    assert found("Sie standen im Lager II und im Camp 3.", "Ils étaient au camp II et au camp III.") == []


def test_name_spelled_alike_compound_part_and_short_name_inside_a_word():
    assert found("Der Pik Pobeda wurde 1943 vermessen.", "Le Pik Pobjeda fut mesuré en 1943.") == []
    assert found("Der Asien-Gipfel ist hoch.", "Le sommet de l' Asie est haut.") == []


def test_name_short_key_does_not_match_a_function_word():
    # 'Shah' and 'sie' share the key 's'; 'Hayat' and 'hat' the key 'ht'
    assert found("Dann sah sie den Pass .", "Puis Shah vit le col .") == [
        ("note", "name", "rendering names Shah; the source does not", None, "Shah")]
    assert found("Er hat den Pass gesehen .", "Il a vu le col avec Hayat .") == [
        ("note", "name", "rendering names Hayat; the source does not", None, "Hayat")]


def test_name_heading_in_capitals_and_word_after_a_list_number_are_no_names():
    assert found("MIT NACHTRÄGEN VON G. O. DYHRENFURTH",
                 "AVEC NOTES COMPLÉMENTAIRES PAR G. O. DYHRENFURTH") == []
    assert found("( 1 ) Wie kam die Zahl zustande ?", "1° Comment ce chiffre a-t-il été obtenu ?") == []


# --- numbers ---

def test_number_year_omitted_is_no_finding_a_year_changed_is():
    source = "Die Höhe 8603 m , die Kurz 1930 eingesetzt hat , stimmt ."
    assert found(source, "L' altitude de 8603 m qui figure sur la carte de Kurz est exacte .") == []
    assert found(source, "L' altitude de 8603 m que Kurz a fixée en 1931 est exacte .") == [
        ("error", "number", "source says 1930; rendering says 1931", "1930", "1931")]


def test_number_year_omitted_where_the_other_side_names_another_year():
    assert found("Die Alpen 1956 ( November ) bringen einen Bericht .",
                 "Les Alpes ont publié un rapport ( novembre 1955 ) .") == [
        ("note", "number", "source says 1956; the rendering has no such number", "1956", None)]


def test_number_in_brackets_or_a_reference_omitted_is_no_finding():
    assert found("Der Makalu ( 8481 m ) ist schön .", "Le Makalu est beau .") == []
    assert found("Siehe Die Alpen , S. 81 .", "Voir Les Alpes .") == []
    assert found("Der Makalu ist 8481 m hoch .", "Le Makalu est haut .") == [
        ("note", "number", "source says 8481; the rendering has no such number", "8481", None)]


# --- dates ---

def test_date_given_spread_out_on_the_other_side_is_no_finding():
    source = "Am Abend des 10. Juli klarte es auf , und am 11. Juli , morgens , gingen sie los ."
    assert found(source, "Le soir du 10 juillet le ciel s' éclaircit , et le 11 au matin ils "
                         "repartent .") == []
    assert found(source, "Le soir du 10 juillet le ciel s' éclaircit , et le 12 au matin ils "
                         "repartent .") == [
        ("note", "number", "rendering says 12; the source has no such number", None, "12"),
        ("note", "date", "source says 11 July; the rendering has no such date", "11. Juli",
         None)]


# --- negation ---

def test_negation_said_with_a_limit_a_lack_or_a_verb_of_not_doing():
    assert found("Es wurde nur eine Höhe von 7200 m erreicht .", "On n' a pas dépassé 7200 m.") == []
    assert found("Die Wände sind hoffnungslos .", "Les parois ne laissent aucun espoir .") == []
    assert found("Die Expedition soll nichts tun , was die Gefühle verletzt .",
                 "L' expédition évitera de faire ce qui blesse les sentiments .") == []
    assert found("Die Wände sind steil .", "Les parois ne sont pas raides .") == [
        ("warning", "negation", "rendering negates ('ne sont pas'); the source does not", None,
         "ne sont pas")]


def test_negation_aucun_after_avant_que_is_no_negation():
    assert found("Die Fotos sind vorzulegen , bevor etwas publiziert wird .",
                 "Les photos doivent être soumises avant qu' aucune ne soit publiée .") == []


def test_negation_clauses_end_with_a_sentence():
    rendering = "Il ne dépassa pas 7000 m. Le sommet n' est pas facile ."
    assert found("Er kam nur bis 7000 m. Der Berg ist nicht leicht .", rendering) == []
    assert found("Er kam bis 7000 m. Der Berg ist leicht .", rendering) == [
        ("warning", "negation", "rendering negates ('ne dépassa pas'); the source does not", None,
         "ne dépassa pas")]


def test_name_common_noun_in_the_place_of_a_lost_name_is_a_swap():
    source, mt = "Sie erreichten den Baltoro-Gletscher .", "Ils ont atteint le glacier du Baltoro ."
    assert [(f.severity, f.kind, f.explanation) for f in check_pair(
        source, "Ils atteignirent le glacier du Journal .", src_lang="de", tgt_lang="fr", mt=mt,
        kinds=("name",))] == [
        ("error", "name", "source names Baltoro-Gletscher; rendering names Journal")]
    assert check_pair(source, "Ils atteignirent le glacier du Baltoro .", src_lang="de",
                      tgt_lang="fr", mt=mt, kinds=("name",)) == []


def test_name_common_word_of_a_site_name_is_a_name():
    assert found("Петицию создали на сайте.", "The petition was created on the Change.org site.",
                 "ru", "en") == [
        ("note", "name", "rendering names Change; the source does not", None, "Change")]

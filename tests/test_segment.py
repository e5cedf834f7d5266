"""Sentence segmentation: the exact sentences of both bundled texts, the tricky cases one by one,
offsets, and the `workbench segment` command (in process and as a real subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import main
from workbench.corpus import LANGUAGES, Sentence, read_text
from workbench.errors import LanguageError
from workbench.segment import segment, segment_in_pieces, segment_lines, segmenter_name

REPO = Path(__file__).resolve().parents[1]

NEWSWEEK_EN = [
    "Over 140,000 Sign Petition Against Mobilization in Russia",
    "More than 140,000 people have signed a petition opposing Vladimir Putin's announcement of a "
    "partial mobilization in Russia, which will see thousands of reservists called up.",
    "The Russian president announced the mobilization order in a televised address on Wednesday, "
    "with Defense Minister Sergei Shoigu saying it will provide another 300,000 troops.",
    "The Russian-language petition against conscription, titled 'Against partial and total "
    "mobilization,' was created on the Change.org petition site by a user with the pseudonym "
    "'Soft Power.'",
    'It says: "On September 21, 2022, Vladimir Putin announced the start of partial mobilization '
    "throughout Russia.",
    "Only those citizens who are in the reserve and, above all, those who served in the ranks of "
    "the armed forces, have certain military specialties, will be subject to conscription for "
    "military service.",
    "Putin orders partial Russian mobilization for Ukraine",
    "Municipal workers remove debris from around a residential building hit by a missile in Kharkiv "
    "on September 21, 2022, amid the Russian invasion of Ukraine.",
    "A petition against Putin's planned Russian mobilization has attracted more than 140,000 "
    "signatories.",
    "YASUYOSHI CHIBA/AFP/GETTY",
    '"We, the citizens of Russia, women and men, oppose general and partial mobilization.',
    "President Vladimir Putin has no legal grounds, weighted and well-reasoned reasons for "
    "announcing it, and cannot have any.",
    '"In the current state of uncertainty we are not prepared to expose our men - brothers, sons, '
    'husbands, fathers and grandfathers - to any moral, ethical or physical danger."',
    "Protests against the mobilization have been announced for 7 p.m. local time on Wednesday, in "
    "city centers across Russia.",
    "Thousands of Russians were arrested for attending anti-war demonstrations in February and "
    "March, after the invasion of Ukraine began on February 24.",
    "As part of the mobilization order, the contracts of Russian soldiers already serving in "
    "Ukraine have been extended indefinitely.",
    'In his address, Putin claimed the West "wants to destroy our country" and threatened to use '
    '"all the means at our disposal," to defend Russia\'s "territorial integrity," in a possible '
    "allusion to nuclear weapons.",
    "Lithuania put its rapid reaction force on heightened readiness in response to the Russian "
    "announcement.",
    "British Defense Secretary Ben Wallace said Putin's mobilization is \"an admission that his "
    'invasion is failing."',
    "He said: \"President Putin's breaking of his own promises not to mobilize parts of his "
    "population and the illegal annexation of parts of Ukraine, are an admission that his invasion "
    "is failing.",
    '"He and his Defense Minister have sent tens of thousands of citizens to their deaths, '
    "ill-equipped and badly led.",
    "No amount of threats and propaganda can hide the fact that Ukraine is winning this war, the "
    'international community are united and Russia is becoming a global pariah."',
    "On Tuesday, pro-Russian authorities announced referendums on joining Russia will be held in "
    "four Ukrainian provinces they partially occupy.",
    "The White House branded planned polls in Donetsk, Luhansk, Kherson and Zaporizhzhia \"sham "
    'referenda" that "will be manipulated."',
    "Update 9/21/22, 8:48 PM ET: This story has been updated with additional information.",
]

PETITION_RU = [
    "Против частичной и всеобщей мобилизации",
    "21 сентября 2022 г. Владимир Путин объявил о начале частичной мобилизации по всей России.",
    "Призыву на военную службу будут подлежать только те граждане, которые находятся в запасе, и "
    "прежде всего те, кто проходил службу в рядах Вооруженных сил, имеет определенные "
    "военно-учетные специальности.",
    "Мы, граждане России, женщины и мужчины, выступаем против всеобщей и частичной мобилизации.",
    "У президента Владимира Путина нет правовых оснований, взвешенных и аргументированных причин "
    "для ее объявления, и быть не может.",
    "В условиях нынешней неопределенности мы не готовы подвергать наших мужчин — братьев, "
    "сыновей, мужей, отцов и дедов — какой бы то ни было моральной, этической или физической "
    "опасности.",
]


def texts(sentences: list[Sentence]) -> list[str]:
    return [s.text for s in sentences]


def check_offsets(text: str, sentences: list[Sentence]) -> None:
    """Every sentence is its exact slice of the text, stripped, in order, numbered from 0, and
    together they hold every non-space character of the text."""
    assert [s.index for s in sentences] == list(range(len(sentences)))
    for s in sentences:
        assert text[s.start:s.end] == s.text
        assert s.text == s.text.strip() and s.text
        assert s.line == text.count("\n", 0, s.start) + 1
    for a, b in zip(sentences, sentences[1:]):
        assert a.end <= b.start
        assert a.paragraph <= b.paragraph
    assert "".join("".join(s.text.split()) for s in sentences) == "".join(text.split())


# --- the bundled texts ---

def test_newsweek_article_sentences_exactly():
    text = read_text(REPO / "corpora" / "newsweek.en.txt")
    sentences = segment(text, "en")
    assert texts(sentences) == NEWSWEEK_EN
    assert len(sentences) == 25
    check_offsets(text, sentences)


def test_newsweek_article_paragraphs_and_lines():
    sentences = segment(read_text(REPO / "corpora" / "newsweek.en.txt"), "en")
    assert [s.paragraph for s in sentences] == [
        0, 1, 2, 3, 4, 4, 5, 5, 5, 5, 6, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 15, 16, 17, 18]
    assert [s.line for s in sentences] == [
        1, 3, 5, 7, 9, 9, 11, 12, 12, 12, 14, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 32, 34, 36, 38]
    assert (sentences[0].start, sentences[0].end) == (0, 57)
    assert (sentences[-1].start, sentences[-1].end) == (3210, 3294)


def test_petition_sentences_exactly():
    text = read_text(REPO / "corpora" / "petition.ru.txt")
    sentences = segment(text, "ru")
    assert texts(sentences) == PETITION_RU
    assert [s.paragraph for s in sentences] == [0, 1, 1, 2, 2, 3]
    assert [s.line for s in sentences] == [1, 3, 3, 5, 5, 7]
    check_offsets(text, sentences)


# --- quotations ---

def test_quotation_of_several_sentences_is_cut_at_each_sentence_end():
    text = 'He said: "First one. Second one. Third one." Then he left.'
    assert texts(segment(text, "en")) == [
        'He said: "First one.', "Second one.", 'Third one."', "Then he left."]


def test_quotation_opened_in_one_paragraph_and_closed_in_the_next():
    text = 'He said: "First. Second.\n\n"Third. Fourth."\n\nAfter.'
    sentences = segment(text, "en")
    assert texts(sentences) == ['He said: "First.', "Second.", '"Third.', 'Fourth."', "After."]
    assert [s.paragraph for s in sentences] == [0, 0, 1, 1, 2]


def test_short_quotation_inside_a_sentence_is_not_cut():
    assert texts(segment('"Stop!" he said. Then he left.', "en")) == [
        '"Stop!" he said.', "Then he left."]
    assert texts(segment('He said "Stop!" and left. Then he came.', "en")) == [
        'He said "Stop!" and left.', "Then he came."]
    assert texts(segment('The film "Mr. Bean" was shown. It was late.', "en")) == [
        'The film "Mr. Bean" was shown.', "It was late."]


def test_quote_mark_standing_apart_joins_a_sentence_and_is_never_one_itself():
    assert texts(segment('A sentence. " Another one.', "en")) == ['A sentence. "', "Another one."]
    assert texts(segment('"\n\nText.', "en")) == ['"', "Text."]  # a paragraph of its own stays
    assert texts(segment("Il a dit : « Premier. Deuxième. » Puis M. Dupont est parti.", "fr")) == [
        "Il a dit : « Premier.", "Deuxième. »", "Puis M. Dupont est parti."]


def test_russian_quotations():
    assert texts(segment("Он сказал: «Первое. Второе. Третье». Потом ушел.", "ru")) == [
        "Он сказал: «Первое.", "Второе.", "Третье».", "Потом ушел."]
    assert texts(segment("«Стоп!» — сказал он. Потом ушел.", "ru")) == [
        "«Стоп!» — сказал он.", "Потом ушел."]


def test_german_low_high_quotes():
    assert texts(segment("Er sagte: „Erstens. Zweitens.“ Dann ging er.", "de")) == [
        "Er sagte: „Erstens.", "Zweitens.“", "Dann ging er."]


# --- abbreviations, dates, times ---

def test_english_abbreviations():
    assert texts(segment("Mr. Smith went to the U.S. in Sept. 2021. He stayed.", "en")) == [
        "Mr. Smith went to the U.S. in Sept. 2021.", "He stayed."]
    assert texts(segment("He lives in the U.S. He likes it.", "en")) == [
        "He lives in the U.S.", "He likes it."]
    assert texts(segment("They met at 7 p.m. on Wednesday. It rained.", "en")) == [
        "They met at 7 p.m. on Wednesday.", "It rained."]


def test_russian_abbreviations():
    text = ("21 сентября 2022 г. Владимир Путин выступил. Это т.е. важно. "
            "Около 140 тыс. человек подписали. Ок. 300 тыс. резервистов.")
    assert texts(segment(text, "ru")) == [
        "21 сентября 2022 г. Владимир Путин выступил.", "Это т.е. важно.",
        "Около 140 тыс. человек подписали.", "Ок. 300 тыс. резервистов."]


def test_dates_and_times_do_not_end_sentences():
    assert texts(segment("Update 9/21/22, 8:48 PM ET: This story has been updated. Next.", "en")) == [
        "Update 9/21/22, 8:48 PM ET: This story has been updated.", "Next."]
    assert texts(segment("Протесты назначены на 19:00 21.09.2022. Многие пришли.", "ru")) == [
        "Протесты назначены на 19:00 21.09.2022.", "Многие пришли."]


# --- lines and paragraphs ---

def test_headline_caption_and_credit_lines():
    text = ("Putin orders partial Russian mobilization for Ukraine\n"
            "Workers remove debris in Kharkiv on September 21, 2022. A petition has attracted "
            "signatories. YASUYOSHI CHIBA/AFP/GETTY\n")
    sentences = segment(text, "en")
    assert texts(sentences) == [
        "Putin orders partial Russian mobilization for Ukraine",
        "Workers remove debris in Kharkiv on September 21, 2022.",
        "A petition has attracted signatories.", "YASUYOSHI CHIBA/AFP/GETTY"]
    assert [s.line for s in sentences] == [1, 2, 2, 2]
    assert {s.paragraph for s in sentences} == {0}


def test_line_without_terminal_punctuation_is_its_own_sentence_in_russian_too():
    assert texts(segment("Заголовок петиции\nПервое предложение. Второе.", "ru")) == [
        "Заголовок петиции", "Первое предложение.", "Второе."]


def test_sentences_never_cross_a_paragraph():
    sentences = segment("An unfinished thought\n\n  \nand its end.", "en")
    assert texts(sentences) == ["An unfinished thought", "and its end."]
    assert [(s.paragraph, s.line) for s in sentences] == [(0, 1), (1, 4)]


def test_hard_wrapped_prose_is_joined_across_lines():
    text = ("This paragraph is wrapped at a fixed width and goes on\nand on across lines. It has "
            "two sentences\nin it.")
    sentences = segment(text, "en")
    assert texts(sentences) == [
        "This paragraph is wrapped at a fixed width and goes on\nand on across lines.",
        "It has two sentences\nin it."]
    assert [s.line for s in sentences] == [1, 2]
    wrapped_ru = "Мы, граждане России, женщины и мужчины,\nвыступаем против мобилизации. Это всё."
    assert texts(segment(wrapped_ru, "ru")) == [
        "Мы, граждане России, женщины и мужчины,\nвыступаем против мобилизации.", "Это всё."]


def test_crlf_and_surrounding_whitespace():
    text = "  First line\r\nSecond sentence. Third.\r\n\r\nNew paragraph.  \r\n"
    sentences = segment(text, "en")
    assert texts(sentences) == ["First line", "Second sentence.", "Third.", "New paragraph."]
    assert [(s.paragraph, s.line) for s in sentences] == [(0, 1), (0, 2), (0, 2), (1, 4)]
    check_offsets(text, sentences)


def test_empty_text_has_no_sentences():
    assert segment("", "en") == []
    assert segment(" \n\n\t\n", "ru") == []


# --- languages ---

def test_segmenter_per_language():
    assert segmenter_name("ru") == "razdel"
    assert segmenter_name("uk") == "razdel"
    assert segmenter_name("en") == "pysbd"
    assert segmenter_name("de-AT") == "pysbd"
    assert segmenter_name("fi") == "rules"
    with pytest.raises(LanguageError, match="unknown language code 'xx'"):
        segment("Text.", "xx")


def test_rule_based_languages():
    assert texts(segment("On jo 3. lokakuuta. Se on hyvä. J. K. Rowling kirjoitti sen.", "fi")) == [
        "On jo 3. lokakuuta.", "Se on hyvä.", "J. K. Rowling kirjoitti sen."]
    assert texts(segment("Merhaba dünya. Bu bir test! Nasılsın? Evet.", "tr")) == [
        "Merhaba dünya.", "Bu bir test!", "Nasılsın?", "Evet."]
    assert texts(segment("Řekl: „Ano. Ne.“ Pak odešel. To je t.j. vše.", "cs")) == [
        "Řekl: „Ano.", "Ne.“", "Pak odešel.", "To je t.j. vše."]


def test_cjk_full_stops_need_no_space():
    assert texts(segment("这是第一句。这是第二句！第三句？", "zh")) == ["这是第一句。", "这是第二句！", "第三句？"]


def test_repeated_sentences_get_their_own_offsets():
    text = "Yes. No. Yes. No. Yes."
    sentences = segment(text, "en")
    assert [(s.start, s.end) for s in sentences] == [(0, 4), (5, 8), (9, 13), (14, 17), (18, 22)]


def test_a_long_paragraph_is_split_as_its_sentences_would_be_one_by_one():
    # The article's full sentences run together into one paragraph of about 14,000 characters,
    # long enough that it goes to pysbd in pieces; the pieces must not change the result.
    body = [s for s in NEWSWEEK_EN if s[-1] in ".\"'"]
    assert len(body) == 22
    text = " ".join(body * 5)
    assert len(text) > 10_000
    sentences = segment(text, "en")
    assert texts(sentences) == body * 5
    check_offsets(text, sentences)


MIXED = ('Er sagte: „Erstens. Zweitens.“ Dann ging er.\n\n« Bon. » Puis.\r\nZweite Zeile!!! '
         'Und... dann?\n\n这是第一句。这是第二句！ (Note.) "A" "B." C d. E.\nمرحبا. Ἀλλά. a.b.c. d'
         '\n\n\n...\n\n"\n\n«»')


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_offsets_hold_for_every_language(lang):
    for text in (MIXED, read_text(REPO / "corpora" / "newsweek.en.txt"),
                 read_text(REPO / "corpora" / "petition.ru.txt")):
        check_offsets(text, segment(text, lang))


# --- presegmented input ---

def test_segment_lines_keeps_each_line_with_its_offsets():
    text = "First sentence. Still first.\n  Second line  \n\n\nThird\n"
    sentences = segment_lines(text)
    assert texts(sentences) == ["First sentence. Still first.", "Second line", "Third"]
    assert [(s.start, s.end, s.paragraph, s.line) for s in sentences] == [
        (0, 28, 0, 1), (31, 42, 0, 2), (47, 52, 1, 5)]
    check_offsets(text, sentences)


# --- the command ---

def run(*args: str, input: bytes | None = None):
    return CliRunner().invoke(main, list(args), input=input)


def test_cli_text_format_prints_one_sentence_per_line():
    result = run("segment", str(REPO / "corpora" / "petition.ru.txt"), "--lang", "ru")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == PETITION_RU


def test_cli_text_format_puts_a_wrapped_sentence_on_one_line(tmp_path):
    path = tmp_path / "wrapped.txt"
    path.write_text("A sentence that was wrapped,\nacross two lines. Next.\n", encoding="utf-8")
    result = run("segment", str(path), "--lang", "en")
    assert result.stdout == "A sentence that was wrapped, across two lines.\nNext.\n"


def test_cli_jsonl_format():
    result = run("segment", str(REPO / "corpora" / "newsweek.en.txt"), "--lang", "en",
                 "--format", "jsonl")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["text"] for r in records] == NEWSWEEK_EN
    assert records[9] == {"index": 9, "text": "YASUYOSHI CHIBA/AFP/GETTY", "start": 1221,
                          "end": 1246, "paragraph": 5, "line": 12}


def test_cli_presegmented_and_stdin_and_output_file(tmp_path):
    out = tmp_path / "out.txt"
    result = run("segment", "-", "--lang", "en", "--presegmented", "-o", str(out),
                 input="One. Two.\nThree\n".encode())
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == "One. Two.\nThree\n"


def bad_inputs(tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    """Each failing case: arguments and the exact one-line message."""
    cp1251 = tmp_path / "not_utf8_cp1251.txt"
    cp1251.write_bytes("Мы, граждане России.\nПротив мобилизации.\n".encode("cp1251"))
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "binary.bin"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    missing = tmp_path / "missing.txt"
    good = REPO / "corpora" / "petition.ru.txt"
    return {
        "missing": ([str(missing), "--lang", "ru"],
                    f"workbench: error: {missing}: no such file (check the path)"),
        "not utf-8": ([str(cp1251), "--lang", "ru"],
                      f"workbench: error: {cp1251}:1: not valid UTF-8 at byte offset 0 (byte 0xcc, "
                      f"column 1) (convert the file to UTF-8, e.g. iconv -f cp1251 -t UTF-8 "
                      f"{cp1251} > {cp1251}.utf8)"),
        "empty": ([str(empty), "--lang", "en"],
                  f"workbench: error: {empty}: file is empty (give a text file with at least one "
                  f"sentence)"),
        "binary": ([str(binary), "--lang", "en"],
                   f"workbench: error: {binary}:3: file looks binary (NUL byte at byte offset 8) "
                   f"(give a plain UTF-8 text file)"),
        "unknown language": ([str(good), "--lang", "xx"],
                             "workbench: error: unknown language code 'xx' (use an ISO 639-1 code; "
                             "known: " + ", ".join(sorted(LANGUAGES)) + ")"),
    }


@pytest.mark.parametrize("case", ["missing", "not utf-8", "empty", "binary", "unknown language"])
def test_cli_errors_are_one_line_with_status_2(tmp_path, case):
    args, message = bad_inputs(tmp_path)[case]
    result = run("segment", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == message + "\n"
    assert "Traceback" not in result.output


def test_cli_errors_through_a_real_process(tmp_path):
    for case in ("not utf-8", "missing"):
        args, message = bad_inputs(tmp_path)[case]
        proc = subprocess.run([sys.executable, "-m", "workbench", "segment", *args],
                              capture_output=True, text=True, timeout=60, cwd=tmp_path)
        assert proc.returncode == 2
        assert proc.stdout == ""
        assert proc.stderr == message + "\n"


def test_cli_segments_through_a_real_process():
    proc = subprocess.run([sys.executable, "-m", "workbench", "segment",
                           str(REPO / "corpora" / "petition.ru.txt"), "--lang", "ru"],
                          capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode("utf-8").splitlines() == PETITION_RU


def test_segmenting_in_pieces_gives_the_records_of_the_whole_text() -> None:
    paragraphs = ["Привет мир.", "   ", "—", "Это тест. Второе предложение.", "***",
                  "строка\nперенос", "", "\n", "1.", "Ещё один абзац!"]
    text = "\n\n".join(paragraphs * 7) + "\n"
    pieces = list(segment_in_pieces(text, "ru", first=20))
    assert len(pieces) > 2
    assert [s for piece in pieces for s in piece] == segment(text, "ru")

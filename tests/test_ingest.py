"""Text out of translators' files (workbench.ingest): each format's fixture, built here, gives its
text with paragraphs kept; each kind of bad file gives one line that names the file and says
what to do; languages are told offline or asked for."""

from __future__ import annotations

import io
import zipfile

import pytest

from documents import (PAGE_NOISE, article_paragraphs, docx_bytes, news_page, odt_bytes,
                       pdf_bytes, scanned_pdf_bytes, srt_text, vtt_text, zip_bomb_docx)
from workbench.errors import (ExtractError, ExtractTimeoutError, NoTextError,
                              UndetectedLanguageError, UnknownFormatError, UnsafeFileError)
from workbench.ingest import Cue, Limits, detect_format, extract
from workbench.ingest.language import detect, language_of

TITLE = "Over 140,000 Sign Petition Against Mobilization in Russia"
PETITION = ["Против частичной и всеобщей мобилизации",
            "21 сентября 2022 г. Владимир Путин объявил о начале частичной мобилизации.",
            "Мы, граждане России, выступаем против всеобщей и частичной мобилизации."]


def one_line(exc: pytest.ExceptionInfo) -> str:
    text = str(exc.value)
    assert "\n" not in text and "Traceback" not in text
    return text


# --- saved web pages ---

def test_a_saved_news_page_gives_the_article_alone_with_its_paragraphs():
    paragraphs = article_paragraphs()
    out = extract(news_page(TITLE, paragraphs), "article.html")
    assert (out.format, out.title, out.date) == ("html", TITLE, "2022-09-21")
    assert out.text == "\n\n".join([TITLE, *paragraphs])
    assert [noise for noise in PAGE_NOISE + ["Jane Reporter", "Home"] if noise in out.text] == []


def test_a_page_in_windows_1251_is_read_in_its_charset():
    page = news_page("Петиция против мобилизации", PETITION[1:], lang="ru", charset="windows-1251")
    out = extract(page, "petition.htm")
    assert out.text == "\n\n".join(["Петиция против мобилизации", *PETITION[1:]])


def test_a_page_with_no_article_is_refused_in_one_line():
    page = (b"<html><head><title>Menu</title></head><body><nav><a href='/'>Home</a> "
            b"<a href='/world'>World News</a></nav><footer>All rights reserved.</footer></body></html>")
    with pytest.raises(NoTextError) as exc:
        extract(page, "menu.html")
    assert one_line(exc).startswith("menu.html: no article text found in this web page (save the page")


# --- office documents ---

def test_a_docx_gives_its_heading_paragraphs_and_table_cells_in_order():
    data = docx_bytes(PETITION[1:], heading=PETITION[0], table=[["Подписи", "140 000"]])
    out = extract(data, "petition.docx")
    assert (out.format, out.title) == ("docx", PETITION[0])
    assert out.text == "\n\n".join(PETITION + ["Подписи", "140 000"])


def test_a_docx_title_comes_from_its_properties_first():
    out = extract(docx_bytes(PETITION[1:], title="Петиция", heading=PETITION[0]), "p.docx")
    assert out.title == "Петиция"


def test_an_odt_gives_its_heading_paragraphs_and_list_items():
    out = extract(odt_bytes(PETITION[1:], heading=PETITION[0], items=["первое", "второе"]),
                  "petition.odt")
    assert (out.format, out.title) == ("odt", PETITION[0])
    assert out.text == "\n\n".join(PETITION + ["первое", "второе"])


@pytest.mark.parametrize("name, what", [("broken.docx", ".docx"), ("broken.odt", ".odt")])
def test_an_office_file_that_is_no_zip_is_damaged(name, what):
    with pytest.raises(ExtractError) as exc:
        extract(b"PK\x03\x04 this was cut off", name)
    assert one_line(exc) == (f"{name}: damaged {what}: not a zip archive (open it in the program "
                             f"that wrote it and save it as {what} again)")


@pytest.mark.parametrize("name, make, part", [("cut.docx", docx_bytes, "word/document.xml"),
                                              ("cut.odt", odt_bytes, "content.xml")])
def test_an_office_file_with_a_broken_part_names_the_part(name, make, part):
    original = zipfile.ZipFile(io.BytesIO(make(["Hello world."])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in original.infolist():
            data = original.read(info.filename)
            z.writestr(info, data[:len(data) // 2] if info.filename == part else data)
    with pytest.raises(ExtractError) as exc:
        extract(out.getvalue(), name)
    assert one_line(exc).startswith(f"{name}: damaged .{name.split('.')[1]}: {part} is not "
                                    "well-formed XML (")


def test_a_docx_zip_bomb_is_refused_before_it_is_unpacked():
    bomb = zip_bomb_docx(250 * 1024 * 1024)
    assert len(bomb) < 1024 * 1024
    with pytest.raises(UnsafeFileError) as exc:
        extract(bomb, "bomb.docx")
    assert one_line(exc) == (f"bomb.docx: the .docx unpacks to more than 209,715,200 bytes from "
                             f"{len(bomb):,} (a zip bomb?) (refused unread; save the document "
                             "again from the program that wrote it)")
    assert exc.value.http_status == 413


def test_a_zip_that_is_no_document_is_an_unknown_format():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("photo.jpg", b"\xff\xd8\xff")
    with pytest.raises(UnknownFormatError) as exc:
        detect_format(out.getvalue(), "upload")
    assert one_line(exc) == ("upload: the file is a zip archive, not a document (unpack it and "
                             "add the documents inside)")


# --- PDF ---

def test_a_pdf_with_a_text_layer_gives_its_lines_and_pages():
    data = pdf_bytes([[PETITION[0], PETITION[1]], [PETITION[2]]], title="Петиция")
    out = extract(data, "petition.pdf")
    assert (out.format, out.title) == ("pdf", "Петиция")
    assert out.text == f"{PETITION[0]}\n\n{PETITION[1]}\n\n{PETITION[2]}"


def test_a_scanned_pdf_says_it_has_no_text_layer():
    with pytest.raises(NoTextError) as exc:
        extract(scanned_pdf_bytes(pages=2), "scan.pdf")
    assert one_line(exc) == ("scan.pdf: the PDF has no text layer (2 pages of images only: a "
                             "scan?) (run OCR on it first (e.g. ocrmypdf IN.pdf OUT.pdf), or give "
                             "the text in another format)")


def test_a_damaged_pdf_is_one_line():
    data = pdf_bytes([["Hello world."]])
    with pytest.raises(ExtractError) as exc:
        extract(data[:200], "cut.pdf")
    assert one_line(exc).startswith("cut.pdf: damaged PDF: ")


def test_a_pdf_is_parsed_under_a_time_limit():
    """The parser runs in a child process that is killed at the limit (here one too short for
    any PDF: starting Python alone takes longer)."""
    with pytest.raises(ExtractTimeoutError) as exc:
        extract(pdf_bytes([["Hello world."]]), "slow.pdf", limits=Limits(pdf_seconds=0.001))
    assert one_line(exc) == ("slow.pdf: reading the PDF took longer than 0.001 s (it may be "
                             "damaged or built to stall readers; save its text another way (e.g. "
                             "as .docx))")


# --- subtitles ---

CUES = [("00:00:01,000", "00:00:03,500", "Мы, граждане России,\n<i>против мобилизации.</i>"),
        ("00:00:04,000", "00:00:06,000", "Подписывайте петицию.")]


def test_srt_gives_one_cue_a_line_with_its_timings():
    out = extract(srt_text(CUES).encode("cp1251"), "talk.srt")
    assert (out.format, out.encoding) == ("srt", "cp1251")
    assert out.text == "Мы, граждане России, против мобилизации.\nПодписывайте петицию."
    assert out.cues == (Cue(1, "00:00:01.000", "00:00:03.500"), Cue(2, "00:00:04.000", "00:00:06.000"))


def test_vtt_gives_one_cue_a_line_with_its_timings():
    cues = [(a.replace(",", "."), b.replace(",", "."), t) for a, b, t in CUES]
    out = extract(vtt_text(cues).encode("utf-8"), "talk.vtt")
    assert out.text == "Мы, граждане России, против мобилизации.\nПодписывайте петицию."
    assert out.cues == (Cue(1, "00:00:01.000", "00:00:03.500"), Cue(2, "00:00:04.000", "00:00:06.000"))


def test_a_broken_srt_cue_names_its_line():
    text = srt_text(CUES).replace("00:00:04,000 --> 00:00:06,000", "00:00:04 -> later")
    with pytest.raises(ExtractError) as exc:
        extract(text.encode(), "talk.srt")
    assert one_line(exc) == ("talk.srt:6: not a SubRip cue: '2' (each cue is a number, a line "
                             "00:00:01,000 --> 00:00:02,000 and its text, cues split by a blank line)")


def test_a_vtt_without_its_header_or_with_a_broken_timing_names_the_line():
    with pytest.raises(ExtractError) as exc:
        extract(b"00:01.000 --> 00:02.000\nHello.\n", "talk.vtt")
    assert one_line(exc) == ("talk.vtt:1: not a WebVTT file: its first line is not WEBVTT (a .vtt "
                             "file starts with the line WEBVTT)")
    with pytest.raises(ExtractError) as exc:
        extract(b"WEBVTT\n\n00:01.000 --> 00:02.000\nHello.\n\n00:03 --> soon\nBye.\n", "talk.vtt")
    assert one_line(exc) == ("talk.vtt:6: not a WebVTT cue timing: '00:03 --> soon' (timings read "
                             "00:00:01.000 --> 00:00:02.000)")


# --- Markdown and plain text ---

def test_markdown_gives_its_text_without_markup():
    md = ("---\ntitle: Петиция\n---\n# Против мобилизации\n\nМы, *граждане* России, "
          "[против](https://example.org) мобилизации.\nВторая строка.\n\n- первое\n- второе\n\n"
          "```\ncode()\n```\n\n![photo](a.png)\n")
    out = extract(md.encode("utf-8"), "petition.md")
    assert (out.format, out.title) == ("markdown", "Петиция")
    assert out.text == ("Против мобилизации\n\nМы, граждане России, против мобилизации.\n"
                        "Вторая строка.\n\nпервое\n\nвторое")


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-r", "utf-16", "utf-8-sig"])
def test_plain_text_in_any_encoding(encoding):
    text = "\n\n".join(PETITION)
    out = extract(text.encode(encoding), "petition.txt")
    assert out.text == text
    assert out.format == "text"


def test_plain_text_that_is_binary_is_refused():
    with pytest.raises(ExtractError) as exc:
        extract(bytes(range(256)) * 40, "data.txt")
    assert one_line(exc).startswith("data.txt: ")


@pytest.mark.parametrize("data, what", [(b"\x89PNG\r\n\x1a\n\0\0", "a PNG image"),
                                        (b"\xd0\xcf\x11\xe0\xa1\xb1", "an old Office file (.doc, .xls)")])
def test_an_image_or_old_office_file_is_an_unknown_format(data, what):
    with pytest.raises(UnknownFormatError) as exc:
        extract(data, "upload")
    assert one_line(exc) == (f"upload: the file is {what}, not a text (save it as .docx, .odt, "
                             "PDF with a text layer, .html, .srt, .vtt, Markdown or plain text)")


@pytest.mark.parametrize("name", ["empty.html", "empty.docx", "empty.pdf", "empty.srt", "empty.md",
                                  "empty.txt"])
def test_an_empty_file_of_any_format_is_one_line(name):
    with pytest.raises(NoTextError) as exc:
        extract(b"  \n", name)
    assert one_line(exc) == f"{name}: file is empty (give a file with at least one sentence)"


def test_formats_are_told_by_content_without_an_extension():
    assert detect_format(pdf_bytes([["x"]]), "upload") == "pdf"
    assert detect_format(docx_bytes(["x"]), "upload") == "docx"
    assert detect_format(odt_bytes(["x"]), "upload") == "odt"
    assert detect_format(news_page("T", ["x"]), "upload") == "html"
    assert detect_format(b"WEBVTT\n\n", "upload") == "vtt"
    assert detect_format(srt_text(CUES).encode(), "upload") == "srt"
    assert detect_format("Просто текст.".encode(), "upload") == "text"


# --- languages ---

def test_languages_are_told_offline():
    assert language_of("\n\n".join(PETITION), "petition.txt") == "ru"
    assert language_of("\n\n".join(article_paragraphs()), "article.html") == "en"
    found = detect("Wir, die Bürger Russlands, sind gegen die allgemeine und teilweise Mobilmachung.")
    assert found is not None and found.language == "de" and found.confidence >= 0.75


def test_a_text_too_short_to_tell_asks_for_its_language():
    with pytest.raises(UndetectedLanguageError) as exc:
        language_of("Привет!", "hi.txt", "--src-lang")
    assert one_line(exc) == ("hi.txt: the text is too short to tell its language (give it with "
                             "--src-lang CODE (e.g. --src-lang ru))")
    assert exc.value.http_status == 422


def test_extract_file_reads_through_the_inputs_checks(tmp_path):
    from workbench.errors import InputError
    from workbench.ingest import extract_file

    (tmp_path / "speech.md").write_text("# Speech\n\nWe are against the mobilization.\n",
                                        encoding="utf-8")
    assert extract_file(tmp_path / "speech.md").text == "Speech\n\nWe are against the mobilization."
    with pytest.raises(InputError) as refused:
        extract_file(tmp_path)
    assert str(refused.value) == f"{tmp_path}: is a directory, not a text file (give a file)"
    with pytest.raises(InputError) as refused:
        extract_file("/dev/zero")
    assert str(refused.value).startswith("/dev/zero: is a character device, not a regular file")

"""Reading texts and corpora/corpora.toml: the bundled corpus, and every way an input can be wrong."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workbench.corpus import (LANGUAGES, Corpus, Document, Pair, check_language, decode_text,
                              load_corpus, read_text)
from workbench.errors import InputError, LanguageError, NotFoundError, ParseError

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


# --- the bundled corpus ---

def test_bundled_article_is_the_seed_byte_for_byte():
    seed = SHARED / "seeds" / "000_64776d19cc04f54a.txt"
    assert (REPO / "corpora" / "newsweek.en.txt").read_bytes() == seed.read_bytes()


def test_bundled_corpus_metadata():
    corpus = load_corpus(REPO)
    assert isinstance(corpus, Corpus)
    assert list(corpus.documents) == ["petition-ru", "newsweek-en", "petition-en"]
    ru, en = corpus.documents["petition-ru"], corpus.documents["newsweek-en"]
    assert (ru.language, ru.path, ru.date) == ("ru", "corpora/petition.ru.txt", "2022-09-21")
    assert ru.title == "Против частичной и всеобщей мобилизации"
    assert "reconstruction" in ru.provenance and "English quotations" in ru.provenance
    assert "Replace it with the original" in ru.provenance
    assert "\n" not in ru.provenance
    assert (en.language, en.path, en.date) == ("en", "corpora/newsweek.en.txt", "2022-09-21")
    assert en.title == "Over 140,000 Sign Petition Against Mobilization in Russia"
    assert en.provenance.startswith("Newsweek, 21 September 2022")
    assert corpus.pairs == [Pair("petition-ru", "newsweek-en", "petition-ru__newsweek-en.po"),
                            Pair("petition-ru", "petition-en", "petition-ru__petition-en.po")]
    assert corpus.pair("petition-ru__newsweek-en").po == "petition-ru__newsweek-en.po"
    with pytest.raises(NotFoundError, match="no document pair 'x__y'"):
        corpus.pair("x__y")


def test_bundled_petition_holds_the_quoted_passages():
    text = (REPO / "corpora" / "petition.ru.txt").read_text(encoding="utf-8")
    assert text.startswith("Против частичной и всеобщей мобилизации\n\n21 сентября 2022 г.")
    paragraphs = text.strip().split("\n\n")
    assert len(paragraphs) == 4
    assert paragraphs[2].startswith("Мы, граждане России, женщины и мужчины,")
    assert "братьев, сыновей, мужей, отцов и дедов" in paragraphs[3]
    assert text.endswith("опасности.\n")


# --- decoding ---

def test_decode_strips_bom_and_normalises_line_ends():
    assert decode_text("\ufeffПервая\r\nвторая\rтретья\n".encode(), "f.txt") == \
        "Первая\nвторая\nтретья\n"


def test_not_utf8_names_byte_offset_line_and_column():
    data = "Строка один.\nДве: ".encode() + "мобилизация".encode("cp1251")
    with pytest.raises(InputError) as info:
        decode_text(data, "not_utf8_cp1251.txt")
    offset = len("Строка один.\nДве: ".encode())
    assert info.value.line == 2
    assert info.value.message == (f"not valid UTF-8 at byte offset {offset} (byte 0xec, column 6)")
    assert str(info.value).startswith(f"not_utf8_cp1251.txt:2: not valid UTF-8 at byte offset {offset}")


def test_truncated_utf8_at_end():
    with pytest.raises(InputError, match=r"not valid UTF-8 at byte offset 3 \(byte 0xd0, column 4\)"):
        decode_text(b"abc\xd0", "cut.txt")


@pytest.mark.parametrize("data, message", [
    (b"", "file is empty"),
    (b" \n\t\r\n", "file holds only whitespace"),
    (b"\xef\xbb\xbf\n", "file holds only whitespace"),
    (b"GIF89a\x01\x00\x00", "file looks binary (NUL byte at byte offset 7)"),
    ("Текст".encode("utf-16"), "file is UTF-16 (byte-order mark at byte offset 0), not UTF-8"),
    ("Текст".encode("utf-32"), "file is UTF-32 (byte-order mark at byte offset 0), not UTF-8"),
    (bytes(range(1, 32)) * 3, "file looks binary (81 control characters in its first 93 characters)"),
])
def test_unusable_bytes(data, message):
    with pytest.raises(InputError) as info:
        decode_text(data, "bad.txt")
    assert info.value.message == message
    assert info.value.path == "bad.txt"


def test_a_few_control_characters_are_text():
    assert decode_text(b"Page one.\x0cPage two.\x1b", "ff.txt") == "Page one.\x0cPage two.\x1b"


def test_read_text_missing_and_directory(tmp_path):
    with pytest.raises(InputError, match=r"missing\.txt: no such file \(check the path\)$"):
        read_text(tmp_path / "missing.txt")
    with pytest.raises(InputError, match="is a directory, not a text file"):
        read_text(tmp_path)
    good = tmp_path / "good.txt"
    good.write_bytes("Привет.\r\n".encode())
    assert read_text(good) == "Привет.\n"


# --- language codes ---

def test_check_language():
    assert check_language("ru") == "ru"
    assert check_language(" EN-us ") == "en"
    assert check_language("pt_BR") == "pt"
    for bad in ("xx", "", "english"):
        with pytest.raises(LanguageError) as info:
            check_language(bad)
        assert info.value.message == f"unknown language code '{bad}'"
        assert info.value.hint == "use an ISO 639-1 code; known: " + ", ".join(sorted(LANGUAGES))


# --- corpora.toml ---

def make_data(tmp_path: Path, toml: str, files: dict[str, str] | None = None) -> Path:
    root = tmp_path / "data"
    (root / "corpora").mkdir(parents=True)
    (root / "corpora" / "corpora.toml").write_text(toml, encoding="utf-8")
    for name, text in (files or {"a.txt": "Один.\n", "b.txt": "One.\n"}).items():
        (root / "corpora" / name).write_text(text, encoding="utf-8")
    return root


GOOD = """\
[documents.a]
file = "a.txt"
language = "ru"

[documents.b]
file = "b.txt"
language = "en"
date = 2022-09-21

[[pairs]]
source = "a"
rendering = "b"
"""


def test_minimal_corpus_with_defaults(tmp_path):
    corpus = load_corpus(make_data(tmp_path, GOOD))
    assert corpus.documents["a"] == Document(id="a", language="ru", path="corpora/a.txt",
                                             text="Один.\n")
    assert corpus.documents["b"].date == "2022-09-21"
    assert corpus.pairs == [Pair("a", "b", "a__b.po")]


def test_no_metadata_file(tmp_path):
    with pytest.raises(InputError, match=r"corpora\.toml: no corpus metadata file"):
        load_corpus(tmp_path)


def meta_error(tmp_path: Path, toml: str, files: dict[str, str] | None = None):
    root = make_data(tmp_path, toml, files)
    with pytest.raises((ParseError, InputError)) as info:
        load_corpus(root)
    return info.value


@pytest.mark.parametrize("toml, line, message", [
    (GOOD + "[[pairs]\n", 13, "invalid TOML"),
    (GOOD.replace('language = "ru"', 'langauge = "ru"'), 1, "document 'a' has unknown key 'langauge'"),
    (GOOD.replace('language = "ru"', 'language = "xx"'), 3, "document 'a': unknown language code 'xx'"),
    (GOOD.replace('language = "ru"', "language = 7"), 1, "document 'a': 'language' must be a string"),
    (GOOD.replace('file = "b.txt"', 'file = "../b.txt"'), 6,
     "document 'b': file '../b.txt' is outside corpora/"),
    (GOOD.replace('file = "b.txt"', 'file = "/etc/hostname"'), 6,
     "document 'b': file '/etc/hostname' is outside corpora/"),
    (GOOD.replace('file = "b.txt"', 'file = "b\\u0000.txt"'), 6,
     "document 'b': file holds a NUL character"),
    (GOOD.replace('file = "a.txt"\n', ""), 1, "document 'a' has no 'file'"),
    (GOOD.replace('rendering = "b"', 'rendering = "c"'), 12,
     "pair 1 names unknown document 'c' as rendering"),
    (GOOD.replace('rendering = "b"', 'rendering = "a"'), 12,
     "pair 1 compares document 'a' with itself"),
    (GOOD + '\n[[pairs]]\nsource = "a"\nrendering = "b"\n', 14, "pair 2 repeats the pair 'a__b'"),
    (GOOD + 'po = "../x.po"\n', 13, "pair 1: po '../x.po' must be a plain file name ending in .po"),
    (GOOD.replace("[documents.b]", '[documents."b__c"]').replace('"b"', '"b__c"'), 5,
     "document id 'b__c' is not usable"),
    (GOOD + "[extra]\n", None, "unknown top-level entry 'extra'"),
])
def test_metadata_mistakes_name_the_line(tmp_path, toml, line, message):
    error = meta_error(tmp_path, toml)
    assert isinstance(error, ParseError)
    assert error.path == str(tmp_path / "data" / "corpora" / "corpora.toml")
    assert error.line == line
    assert error.message.startswith(message)


def test_a_missing_text_names_the_metadata_line(tmp_path):
    error = meta_error(tmp_path, GOOD, files={"a.txt": "Один.\n"})
    assert isinstance(error, InputError)
    assert str(error) == (f"{tmp_path / 'data' / 'corpora' / 'b.txt'}: no such file (named by "
                          f"document 'b' in {tmp_path / 'data' / 'corpora' / 'corpora.toml'}:6)")


def test_a_bad_text_is_refused_when_the_corpus_loads(tmp_path):
    root = make_data(tmp_path, GOOD)
    (root / "corpora" / "b.txt").write_bytes("Против".encode("cp1251"))
    with pytest.raises(InputError, match=r"b\.txt:1: not valid UTF-8 at byte offset 0"):
        load_corpus(root)


def test_bundled_corpus_copy_loads_from_another_directory(tmp_path):
    shutil.copytree(REPO / "corpora", tmp_path / "corpora")
    corpus = load_corpus(tmp_path)
    assert corpus.root == tmp_path
    assert corpus.documents["newsweek-en"].text == (REPO / "corpora" / "newsweek.en.txt").read_text(
        encoding="utf-8")

"""`workbench init` and `workbench add`: a data directory, and a translator's own files into it
(every format, bad files of each kind, duplicates), with corpora.toml's comments and order kept
and each pair prepared as the page's Prepare button does."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from documents import (PAGE_NOISE, article_paragraphs, docx_bytes, news_page, odt_bytes,
                       pdf_bytes, scanned_pdf_bytes, srt_text, vtt_text, zip_bomb_docx)
from workbench import store
from workbench.corpus import load_corpus

REPO = Path(__file__).resolve().parents[1]
TITLE = "Over 140,000 Sign Petition Against Mobilization in Russia"
PETITION = (REPO / "corpora" / "petition.ru.txt").read_text(encoding="utf-8").strip().split("\n\n")


def write(tmp_path: Path, name: str, data: bytes | str) -> str:
    path = tmp_path / "files" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return str(path)


def test_init_makes_a_data_directory_that_serve_and_add_take(runner, tmp_path):
    res = runner.invoke(["init", str(tmp_path / "work")])
    assert res.exit_code == 0, res.output
    assert sorted(p.relative_to(tmp_path / "work").as_posix()
                  for p in (tmp_path / "work").rglob("*")) == ["corpora", "corpora/corpora.toml",
                                                                "translations"]
    toml = (tmp_path / "work" / "corpora" / "corpora.toml").read_text(encoding="utf-8")
    assert toml.startswith("# The texts of this data directory, and which are compared with which.")
    assert load_corpus(tmp_path / "work").pairs == []


def test_init_refuses_a_data_directory_and_leaves_it_as_it_is(runner, data_dir):
    before = (data_dir / "corpora" / "corpora.toml").read_bytes()
    res = runner.invoke(["init", str(data_dir)])
    assert res.exit_code == 2
    assert res.output == (f"workbench: error: {data_dir}/corpora/corpora.toml: already a data "
                          "directory: corpora/corpora.toml exists (nothing was changed; add texts "
                          f"with `workbench add --data {data_dir} SOURCE RENDERING`)\n")
    assert (data_dir / "corpora" / "corpora.toml").read_bytes() == before


def test_add_a_docx_source_and_a_saved_page_in_one_command_with_no_language_flags(
        runner, tmp_path, argos_dir):
    """The issue's target: one command, no language flags; the pair is prepared and its page's
    address printed; the originals are kept with their hash and name in the provenance."""
    source = write(tmp_path, "petition.docx", docx_bytes(PETITION[1:], heading=PETITION[0]))
    page = news_page(TITLE, article_paragraphs())
    article = write(tmp_path, "article.html", page)
    data = tmp_path / "work"
    res = runner.invoke(["add", "--data", str(data), source, article])
    assert res.exit_code == 0, res.output
    assert res.stdout == "http://127.0.0.1:5000/pairs/petition-ru__article-en\n"
    corpus = load_corpus(data)
    doc = corpus.documents["article-en"]
    assert (doc.language, doc.title, doc.date, doc.path, doc.original) == (
        "en", TITLE, "2022-09-21", "corpora/article.en.txt", "corpora/article.en.html")
    assert (data / "corpora" / "article.en.html").read_bytes() == page
    assert f"from the file 'article.html' (saved web page, sha256 " \
           f"{hashlib.sha256(page).hexdigest()}); kept as corpora/article.en.html." in doc.provenance
    assert corpus.documents["petition-ru"].text == "\n\n".join(PETITION) + "\n"
    pf = store.load(data / "translations" / "petition-ru__article-en.po")
    assert [n for n in PAGE_NOISE if any(n in r.rendering_text for r in pf.records)] == []
    linked = {r.source_text: r.rendering_text for r in pf.records if r.source and r.rendering}
    # the article quotes the petition's sentences: those links are made
    assert any("Мы, граждане России" in s and "We, the citizens of Russia" in t
               for s, t in linked.items())


FORMATS = {
    "petition.odt": lambda: odt_bytes(PETITION[1:], heading=PETITION[0]),
    "petition.pdf": lambda: pdf_bytes([PETITION]),
    "petition.md": lambda: ("# " + PETITION[0] + "\n\n" + "\n\n".join(PETITION[1:])).encode(),
    "petition.txt": lambda: "\n\n".join(PETITION).encode("cp1251"),
    "petition.srt": lambda: srt_text([(f"00:00:0{i},000", f"00:00:0{i},900", p[:80])
                                      for i, p in enumerate(PETITION)]).encode("utf-8"),
    "petition.vtt": lambda: vtt_text([(f"00:00:0{i}.000", f"00:00:0{i}.900", p[:80])
                                      for i, p in enumerate(PETITION)]).encode("utf-8"),
}


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_add_takes_every_format(runner, tmp_path, name):
    source = write(tmp_path, name, FORMATS[name]())
    article = write(tmp_path, "article.html", news_page(TITLE, article_paragraphs()))
    res = runner.invoke(["add", "--data", str(tmp_path / "work"), "--no-prepare", source, article])
    assert res.exit_code == 0, res.output
    corpus = load_corpus(tmp_path / "work")
    assert [p.id for p in corpus.pairs] == ["petition-ru__article-en"]
    doc = corpus.documents["petition-ru"]
    assert doc.language == "ru"
    assert PETITION[2][:40] in doc.text
    ext = Path(name).suffix
    if ext == ".txt":
        assert doc.original == "corpora/petition.ru.original.txt"  # cp1251: kept as it came
        assert "(plain text, encoding cp1251, sha256 " in doc.provenance
    else:
        assert doc.original == f"corpora/petition.ru{ext}"
    if ext in (".srt", ".vtt"):
        cues = (tmp_path / "work" / "corpora" / "petition.ru.cues.tsv").read_text(encoding="utf-8")
        sep = "," if ext == ".srt" else "."
        assert cues.split("\n")[:3] == ["line\tstart\tend", "1\t00:00:00.000\t00:00:00.900",
                                        "2\t00:00:01.000\t00:00:01.900"]
        assert sep in FORMATS[name]().decode()[:40]
        assert "Each line is one subtitle cue; their timings are in corpora/petition.ru.cues.tsv." \
            in doc.provenance


BAD = {
    "page.html": (b"<html><body><nav><a href='/'>Home</a></nav></body></html>",
                  "no article text found in this web page"),
    "cut.docx": (b"PK\x03\x04 cut off", "damaged .docx: not a zip archive"),
    "bomb.docx": (None, "the .docx unpacks to more than 209,715,200 bytes"),
    "cut.odt": (b"PK\x03\x04 cut off", "damaged .odt: not a zip archive"),
    "scan.pdf": (None, "the PDF has no text layer (1 page of images only: a scan?)"),
    "cut.pdf": (b"%PDF-1.4\n1 0 obj <<", "damaged PDF: "),
    "bad.srt": (b"1\n00:00:01 -> soon\nHello.\n", "talk"),
    "bad.vtt": (b"00:01.000 --> 00:02.000\nHello.\n", "not a WebVTT file: its first line is not WEBVTT"),
    "empty.md": (b"```\ncode only\n```\n", "no text found in this Markdown"),
    "photo.txt": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "the file is a PNG image, not a text"),
    "data.txt": (bytes(range(256)) * 40, "the file is no text in any encoding the workbench can tell"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_file_of_each_kind_is_one_line_and_nothing_is_written(runner, tmp_path, name):
    data, expected = BAD[name]
    if name == "bomb.docx":
        data = zip_bomb_docx(250 * 1024 * 1024)
    elif name == "scan.pdf":
        data = scanned_pdf_bytes(pages=1)
    bad = write(tmp_path, name, data)
    good = write(tmp_path, "article.html", news_page(TITLE, article_paragraphs()))
    runner.invoke(["init", str(tmp_path / "work")])
    before = (tmp_path / "work" / "corpora" / "corpora.toml").read_bytes()
    res = runner.invoke(["add", "--data", str(tmp_path / "work"), "--src-lang", "ru", bad, good])
    assert res.exit_code == 2
    lines = res.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"workbench: error: {bad}")
    if name == "bad.srt":
        assert lines[0] == (f"workbench: error: {bad}:1: not a SubRip cue: '1' (each cue is a "
                            "number, a line 00:00:01,000 --> 00:00:02,000 and its text, cues split "
                            "by a blank line)")
    else:
        assert expected in lines[0]
    assert sorted(p.name for p in (tmp_path / "work" / "corpora").iterdir()) == ["corpora.toml"]
    assert (tmp_path / "work" / "corpora" / "corpora.toml").read_bytes() == before


def test_a_text_too_short_to_tell_asks_for_the_flag_and_the_flag_gives_it(runner, tmp_path):
    short = write(tmp_path, "hi.txt", "Привет, мир!")
    article = write(tmp_path, "article.html", news_page(TITLE, article_paragraphs()))
    res = runner.invoke(["add", "--data", str(tmp_path / "w"), "--no-prepare", short, article])
    assert res.exit_code == 2
    assert res.output == (f"workbench: error: {short}: the text is too short to tell its language "
                          "(give it with --src-lang CODE (e.g. --src-lang ru))\n")
    res = runner.invoke(["add", "--data", str(tmp_path / "w"), "--no-prepare", "--src-lang", "ru",
                         "--src-title", "Привет", short, article])
    assert res.exit_code == 0, res.output
    assert load_corpus(tmp_path / "w").documents["hi-ru"].title == "Привет"


def test_several_renderings_become_one_source_with_a_pair_each(runner, tmp_path):
    source = write(tmp_path, "petition.txt", "\n\n".join(PETITION))
    full = write(tmp_path, "translation.txt", (REPO / "corpora" / "petition.en.txt").read_bytes())
    article = write(tmp_path, "article.html", news_page(TITLE, article_paragraphs()))
    res = runner.invoke(["add", "--data", str(tmp_path / "w"), "--no-prepare", source, article,
                         full, "--rendering-id", "newsweek-en", "--rendering-id", "full-en"])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == ["http://127.0.0.1:5000/pairs/petition-ru__newsweek-en",
                                       "http://127.0.0.1:5000/pairs/petition-ru__full-en"]
    corpus = load_corpus(tmp_path / "w")
    assert [(p.source, p.rendering) for p in corpus.pairs] == [("petition-ru", "newsweek-en"),
                                                               ("petition-ru", "full-en")]
    # a UTF-8 text file is its own original: no copy is kept
    assert corpus.documents["petition-ru"].original == ""
    assert sorted(p.name for p in (tmp_path / "w" / "corpora").iterdir()) == [
        ".corpora.toml.lock", "corpora.toml", "full.en.txt", "newsweek.en.html", "newsweek.en.txt",
        "petition.ru.txt"]


def test_add_keeps_the_users_comments_and_order_and_refuses_duplicates(runner, data_dir, tmp_path):
    meta = data_dir / "corpora" / "corpora.toml"
    before = meta.read_text(encoding="utf-8")
    article = write(tmp_path, "article.html", news_page(TITLE, article_paragraphs()))
    res = runner.invoke(["add", "--data", str(data_dir), "--no-prepare", "petition-ru", article])
    assert res.exit_code == 0, res.output
    after = meta.read_text(encoding="utf-8")
    head, tail = before.split("[[pairs]]", 1)
    # the new document comes after the others, the new pair after the others; nothing else moves
    assert after.startswith(head.rstrip("\n") + "\n\n[documents.article-en]\n")
    assert after.endswith("[[pairs]]" + tail.rstrip("\n") + "\n\n[[pairs]]\nsource = \"petition-ru\"\n"
                          "rendering = \"article-en\"\npo = \"petition-ru__article-en.po\"\n")
    assert after.startswith("# The bundled corpus: which texts there are and which are compared with "
                            "which.\n# The format is described in README.md in this directory.\n")
    # the same file again: the same id, refused, nothing written
    snapshot = sorted(p.name for p in (data_dir / "corpora").iterdir())
    res = runner.invoke(["add", "--data", str(data_dir), "petition-ru", article])
    assert res.exit_code == 2
    line = after.split("\n").index("[documents.article-en]") + 1
    assert res.output == (f"workbench: error: {meta}: the document id 'article-en' (article.html) is "
                          f"already in corpora.toml (line {line}) (give it another id (workbench add "
                          "--src-id or --rendering-id; the id field of the New comparison page), or "
                          "name the document already there as the source)\n")
    assert sorted(p.name for p in (data_dir / "corpora").iterdir()) == snapshot
    assert meta.read_text(encoding="utf-8") == after


def test_a_file_already_there_is_refused(runner, data_dir, tmp_path):
    (data_dir / "corpora" / "story.en.txt").write_text("Someone's own file.\n", encoding="utf-8")
    article = write(tmp_path, "story.html", news_page(TITLE, article_paragraphs()))
    res = runner.invoke(["add", "--data", str(data_dir), "--no-prepare", "petition-ru", article])
    assert res.exit_code == 2
    assert res.output == (f"workbench: error: {data_dir}/corpora/story.en.txt: a file of that name is "
                          "already there (give the document another id (workbench add --src-id or "
                          "--rendering-id), or remove the file)\n")
    assert (data_dir / "corpora" / "story.en.txt").read_text(encoding="utf-8") == "Someone's own file.\n"


def test_the_same_file_as_source_and_rendering_is_refused(runner, tmp_path):
    a = write(tmp_path, "a.txt", "\n\n".join(PETITION))
    b = write(tmp_path, "b.txt", "\n\n".join(PETITION))
    res = runner.invoke(["add", "--data", str(tmp_path / "w"), "--no-prepare", a, b])
    assert res.exit_code == 2
    assert res.output == ("workbench: error: 'a.txt' and 'b.txt' are the same file (give the source "
                          "and each rendering once)\n")


def test_a_flag_given_for_some_renderings_only_is_refused(runner, tmp_path):
    a = write(tmp_path, "a.txt", "\n\n".join(PETITION))
    res = runner.invoke(["add", "--data", str(tmp_path / "w"), a, "x.txt", "y.txt", "z.txt",
                         "--rendering-id", "x", "--rendering-id", "y"])
    assert res.exit_code == 2
    assert res.output == ("workbench: error: --rendering-id was given 2 times for 3 renderings "
                          "(give it once for each rendering, in order)\n")


@pytest.mark.parametrize("kind", ["directory", "device", "fifo"])
def test_add_names_an_input_that_is_no_file_for_what_it_is_and_reads_a_pipe(runner, tmp_path, kind):
    import os
    import threading

    runner.invoke(["init", str(tmp_path / "work")])
    article = write(tmp_path, "article.html", news_page(TITLE, article_paragraphs()))
    if kind == "directory":
        given, expected = str(tmp_path / "files"), "is a directory, not a text file (give a file)"
    elif kind == "device":
        given, expected = "/dev/zero", ("is a character device, not a regular file (give the file "
                                        "of a text (or, for the source, the id of a document in "
                                        "corpora.toml))")
    else:  # a pipe, as `<(command)` gives one: read to its end, like a file
        given = str(tmp_path / "petition.pipe")
        os.mkfifo(given)
        text = "\n\n".join(PETITION).encode("utf-8")

        def feed() -> None:
            with open(given, "wb") as f:
                f.write(text)

        threading.Thread(target=feed, daemon=True).start()
        res = runner.invoke(["add", "--data", str(tmp_path / "work"), "--no-prepare",
                             "--src-lang", "ru", given, article])
        assert res.exit_code == 0, res.output
        source = load_corpus(tmp_path / "work").documents["petition-ru"]
        assert source.language == "ru"
        assert source.text.split("\n\n") == PETITION
        return
    res = runner.invoke(["add", "--data", str(tmp_path / "work"), "--src-lang", "ru", given,
                         article])
    assert res.exit_code == 2
    assert res.output.splitlines() == [f"workbench: error: {given}: {expected}"]

"""Bad input, CLI and web, in one matrix: each input with its one-line error or its lossless result.

The rules the cases check: a file the workbench cannot represent losslessly is opened read-only
with a message saying why and never rewritten; text that JSON or PO cannot carry is refused with
400 before anything is written; no input reaches a traceback or a 500; an output never replaces
an input, a link, a pipe or a device. The PO files under fixtures/po-wild/ are small workbench
files with what other gettext tools write added (msgmerge's obsolete entries and previous msgids,
Babel's python-format flags and fuzzy headers, translate-toolkit's header comments, plural forms),
damaged ones (cut off, duplicate msgctxt, ids out of range) and foreign ones, named after the case.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import threading
from pathlib import Path

import polib
import pytest
from click.testing import CliRunner

from factories import write_corpus
from workbench import files, store
from workbench.cli import main
from workbench.errors import ParseError, ReadOnlyError, WorkbenchError

WILD = Path(__file__).parent / "fixtures" / "po-wild"
PAIR = "speech-ru__report-en"
SRC = ["Мы против мобилизации.", "Президент объявил мобилизацию.", "Подписывайте петицию."]
TGT = ["We oppose mobilization.", "The president announced it.", "Sign the petition.", "Read more."]


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file below `root` with its bytes (links as their target's name)."""
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_symlink():
            out[str(p)] = os.readlink(p).encode()
        elif p.is_file():
            out[str(p)] = p.read_bytes()
    return out


# --- PO files from the wild ----------------------------------------------------------------------

#: fixture -> ("read-only", what the message names) | ("writable", None) | (error class, line,
#: message pattern)
WILD_CASES = {
    "workbench_written.po": ("writable", None),
    "foreign_translator_comment.po": ("writable", None),
    "bare_comment_line.po": ("writable", None),
    "wrapped_lines.po": ("writable", None),
    "ufeff.po": ("writable", None),
    "crlf_line_ends.po": ("writable", None),
    "line_separators_in_strings.po": ("writable", None),
    "obsolete_entries.po": ("read-only", "obsolete (#~) entries"),
    "previous_msgid.po": ("read-only", "previous msgids (#|)"),
    "python_format_flag.po": ("read-only", "the flag 'python-format'"),
    "c_format_flag.po": ("read-only", "the flag 'c-format'"),
    "plural_forms.po": ("read-only", "plural forms"),
    "extracted_comment_of_another_tool.po": ("read-only", "extracted comments (#.) of another tool"),
    "header_comment_of_another_tool.po": ("read-only", "a header comment of another tool"),
    "fuzzy_header.po": ("read-only", "a fuzzy header"),
    "truncated_mid_entry.po": ("ParseError", 35, r"the entry at line 34 has no msgstr"),
    "truncated_mid_string.po": ("ParseError", 36, r"a string is not closed"),
    "truncated_between_entries.po": ("ParseError", 37,
                                     r"1 of the 3 source sentences have no bead \(from sentence 2\)"),
    "syntax_error_garbage_line.po": ("ParseError", 45, r"Syntax error, unexpected line 'garbage line'"),
    "duplicate_msgctxt.po": ("ParseError", 30, r"msgctxt '.*s0:t0' is given twice \(also at line 22\)"),
    "sentence_out_of_range.po": ("ParseError", 38,
                                 r"bead names source sentence 99, but the source has 3 sentences"),
    "score_not_a_number.po": ("ParseError", 30, r"score '1\.2\.3' is not a number"),
    "revision_not_a_number.po": ("ParseError", 20,
                                 r"field 'X-Workbench-Revision' is 'abc', not a whole number"),
    "empty_source_document.po": ("ParseError", 17, r"field 'X-Source-Document' is empty"),
    "huge_sentence_id.po": ("ParseError", 30, r"\(5000 digits\) is not a sentence id"),
    "sticky_flags_comment.po": ("ParseError", 33, r"not a valid PO file: Syntax error"),
    "not_written_by_the_workbench.po": ("ParseError", 1, r"has no 'X-Source-Document' field"),
    # the one reader reads the header first: a foreign file is refused for its header there
    "iso-8859-15.po": ("ParseError", 1, r"has no 'X-Source-Document' field"),
}


def test_every_wild_fixture_is_in_the_matrix():
    assert sorted(p.name for p in WILD.glob("*.po")) == sorted(WILD_CASES)


def _polib_fields(text: str) -> tuple:
    """Everything polib reads from a PO text, for comparing two files' content."""
    po = polib.pofile(store._PoText(text), wrapwidth=0)
    entries = [(e.msgctxt, e.msgid, e.msgid_plural, e.msgstr, sorted(e.msgstr_plural.items()),
                e.tcomment, e.comment, e.flags, e.occurrences, e.previous_msgctxt,
                e.previous_msgid, e.previous_msgid_plural, e.obsolete) for e in po]
    return po.header.strip(), po.metadata_is_fuzzy, sorted(po.metadata.items()), entries


@pytest.mark.parametrize("name", sorted(WILD_CASES))
def test_wild_po_file_is_kept_losslessly_opened_read_only_or_refused_with_its_line(name, tmp_path):
    path = tmp_path / name
    shutil.copyfile(WILD / name, path)
    before = path.read_bytes()
    expected = WILD_CASES[name]
    if expected[0] in ("writable", "read-only"):
        pf = store.load(path)
        if expected[0] == "writable":
            assert pf.read_only is None
            # what a save writes holds everything polib reads in the original
            original = before.decode("utf-8-sig").replace("\r\n", "\n")
            assert _polib_fields(store.render(pf)) == _polib_fields(original)
        else:
            assert pf.read_only is not None and expected[1] in pf.read_only
            with pytest.raises(ReadOnlyError, match="open read-only: it holds"):
                store.save_edit(pf, expected_revision=pf.revision)
            with pytest.raises(ReadOnlyError):
                store.save(pf)
            assert path.read_bytes() == before
    else:
        cls, line, pattern = expected
        with pytest.raises(WorkbenchError) as info:
            store.load(path)
        assert type(info.value).__name__ == cls
        assert (info.value.path, info.value.line) == (str(path), line)
        assert re.search(pattern, info.value.message)
        assert path.read_bytes() == before


@pytest.mark.parametrize("name", sorted(n for n, e in WILD_CASES.items() if e[0] not in ("writable",
                                                                                       "read-only")))
def test_cli_export_of_a_damaged_po_file_is_one_line_with_its_line(name, tmp_path):
    path = tmp_path / name
    shutil.copyfile(WILD / name, path)
    res = CliRunner().invoke(main, ["export", str(path), "--format", "tmx", "-o",
                                    str(tmp_path / "out.tmx")])
    assert res.exit_code == 2
    assert res.stderr.startswith(f"workbench: error: {path}:{WILD_CASES[name][1]}: ")
    assert res.stderr.count("\n") == 1
    assert not (tmp_path / "out.tmx").exists()
    assert [p.name for p in tmp_path.iterdir()] == [name]


# --- the command line ----------------------------------------------------------------------------

@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A directory with a pair's PO file, its two texts and an MT file."""
    shutil.copyfile(WILD / "workbench_written.po", tmp_path / f"{PAIR}.po")
    (tmp_path / "src.txt").write_text("\n".join(SRC) + "\n", encoding="utf-8")
    (tmp_path / "tgt.txt").write_text("\n".join(TGT) + "\n", encoding="utf-8")
    (tmp_path / "mt.txt").write_text("a\nb\nc\n", encoding="utf-8")
    return tmp_path


PO = f"{PAIR}.po"
ALIGN = ["align", "src.txt", "tgt.txt", "--presegmented", "--mt", "mt.txt"]

#: arguments (run in the `work` directory) -> the one line on stderr (a pattern), exit status 2,
#: every file left as it was
CLI_ERRORS = {
    "export -o the reviewed PO file": (
        ["export", PO, "--format", "tmx", "-o", PO],
        rf"{PO}: the output is also an input \({PO}\) \(choose another -o"),
    "export -o the PO file through a link": (
        ["export", PO, "--format", "tsv", "-o", "link.tsv"],
        rf"link.tsv: the output is also an input \({PO}\)"),
    "export moses -o naming an input": (
        ["export", "corpus.en", "--format", "moses", "-o", "corpus"],
        r"corpus.en: the output is also an input \(corpus.en\)"),
    "align -o the source": (ALIGN + ["-o", "src.txt"], r"src.txt: the output is also an input"),
    "align -o the MT file": (ALIGN + ["-o", "mt.txt"], r"mt.txt: the output is also an input"),
    "segment -o its input": (["segment", "src.txt", "--lang", "ru", "-o", "src.txt"],
                             r"src.txt: the output is also an input"),
    "translate -o its input": (["translate", "src.txt", "--from", "ru", "--to", "en", "-o",
                                "src.txt"], r"src.txt: the output is also an input"),
    "align -o in a missing directory": (
        ALIGN + ["-o", "missing/dir/x.po"],
        r"missing/dir/x.po: the directory .*missing/dir does not exist \(create it first"),
    "segment -o in a missing directory": (
        ["segment", "src.txt", "--lang", "ru", "-o", "missing/x.txt"],
        r"missing/x.txt: the directory .*missing does not exist"),
    "align --overwrite onto a PO file with other tools' content": (
        ALIGN + ["-o", "obsolete.po", "--overwrite"],
        r"obsolete.po: the PO file is open read-only: it holds obsolete \(#~\) entries"),
    "export -o in a missing directory": (
        ["export", PO, "--format", "tmx", "-o", "missing/x.tmx"],
        r"missing/x.tmx: the directory .*missing does not exist"),
    "segment -o a directory": (["segment", "src.txt", "--lang", "ru", "-o", "sub"],
                               r"sub: is a directory, not a file"),
    "export a directory (click usage error)": (
        ["export", "sub", "--format", "tmx", "-o", "x.tmx"],
        r"Invalid value for 'PO_FILES...': File 'sub' is a directory\. \(see '.*export --help'\)"),
    "align a directory (click usage error)": (
        ["align", "sub", "tgt.txt", "-o", "x.po"],
        r"Invalid value for 'SOURCE': File 'sub' is a directory\. \(see '.*align --help'\)"),
    "export --kinds with a 5,000-digit count": (
        ["export", PO, "--format", "tsv", "-o", "x.tsv", "--kinds", "9" * 5000 + "-1"],
        r"bad --kinds value '9{5000}-1' \(give bead kinds such as 1-1,1-2,2-1"),
    "an unknown option (click usage error)": (
        ["segment", "src.txt", "--lang", "ru", "--bogus"],
        r"No such option '--bogus'\. \(see '.*segment --help'\)"),
}


@pytest.mark.parametrize("case", list(CLI_ERRORS))
def test_cli_bad_input_is_one_line_exit_2_and_touches_nothing(case, work, monkeypatch):
    monkeypatch.chdir(work)
    (work / "sub").mkdir()
    os.symlink(PO, work / "link.tsv")
    shutil.copyfile(work / PO, work / "corpus.en")
    shutil.copyfile(WILD / "obsolete_entries.po", work / "obsolete.po")
    before = snapshot(work)
    args, pattern = CLI_ERRORS[case]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2, res.output
    assert res.stderr.count("\n") == 1, res.stderr
    assert re.fullmatch(r"workbench: error: " + pattern + r".*\n", res.stderr), res.stderr
    assert snapshot(work) == before
    assert not (work / "missing").exists()


def test_a_document_given_as_text_is_named_with_how_to_get_its_text(work, monkeypatch):
    # a PDF's binary comment line would otherwise read as cp1251 text in need of iconv
    import zipfile

    monkeypatch.chdir(work)
    (work / "petition.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n")
    with zipfile.ZipFile(work / "petition.docx", "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    res = CliRunner().invoke(main, ["segment", "petition.pdf", "--lang", "ru"])
    assert (res.exit_code, res.stderr) == (2, (
        "workbench: error: petition.pdf: file is a PDF document, not plain text (extract its text "
        "first, e.g. pdftotext -enc UTF-8 petition.pdf petition.utf8.txt (Debian package "
        "poppler-utils), and give that file)\n"))
    res = CliRunner().invoke(main, ["align", "src.txt", "petition.docx"])
    assert (res.exit_code, res.stderr) == (2, (
        "workbench: error: petition.docx: file is a ZIP archive (a .docx, .odt or .epub document "
        "is one), not plain text (extract its text first, e.g. pandoc petition.docx -t plain -o "
        "petition.utf8.txt (Debian package pandoc), and give that file)\n"))


def test_export_keeps_the_mode_of_the_file_it_replaces_and_a_new_file_gets_the_umask_default(work):
    out = work / "out.tsv"
    out.write_text("old\n")
    out.chmod(0o640)
    res = CliRunner().invoke(main, ["export", str(work / PO), "--format", "tsv", "-o", str(out)])
    assert res.exit_code == 0, res.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert out.read_text().startswith("pair\tbead\t")
    new = work / "new.tsv"
    old_mask = os.umask(0o027)
    try:
        assert CliRunner().invoke(main, ["export", str(work / PO), "--format", "tsv", "-o",
                                         str(new)]).exit_code == 0
    finally:
        os.umask(old_mask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o640  # 0666 & ~027, not mkstemp's 0600


def test_a_web_save_keeps_the_po_files_mode(work):
    po = work / PO
    po.chmod(0o664)
    pf = store.load(po)
    store.set_status(pf, "s0:t0", "approved")
    store.save_edit(pf, expected_revision=1)
    assert stat.S_IMODE(po.stat().st_mode) == 0o664
    assert store.load(po).record("s0:t0").status == "approved"


def test_output_through_a_symlink_writes_the_target_and_keeps_the_link(work):
    target = work / "real.tsv"
    target.write_text("old\n")
    os.symlink("real.tsv", work / "link.tsv")
    res = CliRunner().invoke(main, ["export", str(work / PO), "--format", "tsv", "-o",
                                    str(work / "link.tsv")])
    assert res.exit_code == 0, res.stderr
    assert (work / "link.tsv").is_symlink() and os.readlink(work / "link.tsv") == "real.tsv"
    assert target.read_text().startswith("pair\tbead\t")


@pytest.mark.parametrize("command", ["export", "segment"])
def test_output_to_a_fifo_is_written_into_it_not_replaced(command, work):
    fifo = work / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    args = (["export", str(work / PO), "--format", "tsv"] if command == "export"
            else ["segment", str(work / "src.txt"), "--lang", "ru"])
    res = CliRunner().invoke(main, args + ["-o", str(fifo)])
    reader.join(10)
    assert res.exit_code == 0, res.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    expected = "\n".join(SRC) + "\n" if command == "segment" else "pair\tbead\t"
    assert got[0].decode().startswith(expected)
    assert not [p for p in work.iterdir() if p.name.startswith(".pipe")]


def test_devices_are_written_directly_never_replaced(tmp_path):
    # Checked without writing to /dev: a regression would replace the machine's /dev/null.
    for device in ("/dev/null", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"):
        assert files._is_special(Path(device)), device
    assert not files._is_special(tmp_path / "plain.txt")
    written = tmp_path / "sink"
    os.mkfifo(written)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(written.read_bytes()))
    reader.start()
    with files.AtomicOutput(written) as out:
        assert out.direct and out.tmp is None
        out.file.write(b"through\n")
    reader.join(10)
    assert got == [b"through\n"]


def test_export_reads_a_po_file_from_a_fifo(work):
    fifo = work / "in.po"
    os.mkfifo(fifo)
    data = (work / PO).read_bytes()

    def feed() -> None:
        with open(fifo, "wb") as f:
            f.write(data)

    writer = threading.Thread(target=feed)
    writer.start()
    res = CliRunner().invoke(main, ["export", str(fifo), "--format", "tsv", "-o", str(work / "o.tsv")])
    writer.join(10)
    assert res.exit_code == 0, res.stderr
    direct = CliRunner().invoke(main, ["export", str(work / PO), "--format", "tsv", "-o", "-"])
    assert (work / "o.tsv").read_text(encoding="utf-8") == direct.stdout


def test_temporary_files_left_by_a_killed_writer_are_removed_on_the_next_write(work):
    out = work / "out.tsv"
    dead = work / ".out.tsv.999999999.abcd1234.tmp"  # no such process
    dead.write_text("half")
    legacy = work / ".out.tsv.k3j4h5g6.tmp"  # the writer before PIDs were in the names
    legacy.write_text("half")
    os.utime(legacy, (1, 1))
    live = work / f".out.tsv.{os.getppid()}.abcd1234.tmp"  # a running process: left alone
    live.write_text("in progress")
    files.write_atomic(out, b"x\n")
    assert out.read_bytes() == b"x\n"
    assert not dead.exists() and not legacy.exists() and live.exists()


def test_align_replaces_a_po_file_without_reviewed_work_and_keeps_one_with_it(work, monkeypatch):
    monkeypatch.chdir(work)
    out = work / "pair.po"
    assert CliRunner().invoke(main, ALIGN + ["-o", "pair.po"]).exit_code == 0
    assert CliRunner().invoke(main, ALIGN + ["-o", "pair.po"]).exit_code == 0  # nothing reviewed
    pf = store.load(out)
    store.set_status(pf, pf.records[0].key, "approved")
    store.save(pf)
    before = out.read_bytes()
    res = CliRunner().invoke(main, ALIGN + ["-o", "pair.po"])
    assert res.exit_code == 2 and "PO file exists (1 bead reviewed or annotated)" in res.stderr
    assert out.read_bytes() == before


def test_align_po_into_a_missing_directory_creates_nothing(work, monkeypatch):
    monkeypatch.chdir(work)
    res = CliRunner().invoke(main, ALIGN + ["-o", "nodir/x.po"])
    assert res.exit_code == 2
    assert not (work / "nodir").exists()
    assert not list(work.glob(".*.lock")) and not list(work.glob("**/.x.po.lock"))


# --- the web API ---------------------------------------------------------------------------------

@pytest.fixture
def web(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A data directory whose pair's PO file is a copy of the fixture `request.param` names (the
    workbench's own file by default), and a client with its CSRF token."""
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "argos-packages"))
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "data"
    write_corpus(root, ("speech-ru", "ru", "speech.ru.txt", None, SRC),
                 ("report-en", "en", "report.en.txt", None, TGT), separator="\n")
    shutil.copyfile(WILD / "workbench_written.po", root / "translations" / f"{PAIR}.po")
    return root


def _client(root: Path):
    from workbench.web import create_app

    client = create_app({"TESTING": True, "DATA_DIR": str(root)}).test_client()
    client.csrf = client.get("/api/session").get_json()["csrf_token"]
    return client


def _post(client, path: str, body: str | dict):
    headers = {"X-CSRF-Token": client.csrf}
    if isinstance(body, dict):
        return client.post("/api/pairs/" + PAIR + path, json=body, headers=headers)
    return client.post("/api/pairs/" + PAIR + path, data=body, headers=headers,
                       content_type="application/json")


NOTE = "/beads/s0:t0/annotations"
#: (path, raw JSON body) -> 400 and the message
WEB_REFUSED = {
    "NUL in an annotation": (NOTE, '{"text": "a\\u0000b", "author": "ak"}',
                             r"'text' holds a control character \(U\+0000 at character 2\)"),
    "lone surrogate in an annotation": (NOTE, '{"text": "\\ud800", "author": "ak"}',
                                        r"'text' holds a lone surrogate \(U\+D800 at character 1\)"),
    "NUL in an author name": (NOTE, '{"text": "ok", "author": "a\\u0000"}',
                              r"'author' holds a control character \(U\+0000"),
    "lone surrogate in an author name": ("/beads/s0:t0/status",
                                         '{"status": "approved", "author": "\\udfff"}',
                                         r"'author' holds a lone surrogate \(U\+DFFF"),
    "lone surrogate in a category": (NOTE, '{"text": "ok", "category": "\\ud83d", "author": "a"}',
                                     r"'category' holds a lone surrogate"),
    "malformed JSON": (NOTE, '{"text": "ok", "author": ', r"request body is not valid JSON"),
    "a body that is not UTF-8": (NOTE, b'{"text": "\xff"}', r"request body is not valid JSON"),
    "a JSON array": (NOTE, '["text"]', r"the request body must be a JSON object"),
    "a 5,000-digit sentence id": ("/link", '{"source": ' + "9" * 5000 + ', "rendering": 1}',
                                  r"'source' has 5000 digits: too long for a sentence number"),
    "a 5,000-digit revision": (NOTE, '{"text": "ok", "author": "a", "revision": ' + "1" * 5000 + "}",
                               r"'revision' has 5000 digits: too long for a revision number"),
    "a negative sentence id": ("/link", '{"source": -1, "rendering": 1}',
                               r"'source' is -1: a sentence number is 0 or more"),
}


@pytest.mark.parametrize("case", list(WEB_REFUSED))
def test_web_refuses_what_json_or_po_cannot_carry_before_writing(case, web):
    client = _client(web)
    before = snapshot(web)
    path, body, pattern = WEB_REFUSED[case]
    res = _post(client, path, body)
    assert res.status_code == 400, res.get_data(as_text=True)
    assert re.search(pattern, res.get_json()["message"]), res.get_json()["message"]
    assert snapshot(web) == before
    assert client.get(f"/api/pairs/{PAIR}").status_code == 200


@pytest.mark.parametrize("text", ["line\u2028separator", "para\u2029separator", "next\x85line",
                                  "dash -- inside", "back\\slash, comma"])
def test_web_annotation_and_author_round_trip_exactly_through_the_po_file(text, web):
    author = f"Ann {text} Lee"
    res = _post(_client(web), NOTE, {"text": text, "category": "style", "author": author})
    assert res.status_code == 200, res.get_json()
    fresh = _client(web)  # a new server process: the PO file is read again
    note = fresh.get(f"/api/pairs/{PAIR}/beads/s0:t0").get_json()["beads"][0]["annotations"][-1]
    assert (note["text"], note["author"], note["category"]) == (text, author, "style")
    # and later requests still work (the history beside the PO file is read again too)
    assert _post(fresh, "/beads/s1:t1/status", {"status": "approved", "author": author}
                 ).status_code == 200
    assert fresh.get(f"/api/pairs/{PAIR}/history").status_code == 200


def test_corpus_sentences_with_line_separators_survive_approval_and_reload(web):
    (web / "translations" / f"{PAIR}.po").unlink()
    (web / "corpora" / "speech.ru.txt").write_text(
        "Мы\u2028против мобилизации.\n\nПрезидент\u2029объявил.\n\nПодписывайте\x85петицию.\n",
        encoding="utf-8")
    (web / "corpora" / "report.en.txt").write_text(
        "We\u2028oppose mobilization.\n\nThe president\u2029announced it.\n\nSign\x85the petition.\n",
        encoding="utf-8")
    client = _client(web)
    assert _post(client, "/prepare", {}).status_code == 200
    first = client.get(f"/api/pairs/{PAIR}").get_json()["beads"]
    texts = [(b["source_text"], b["rendering_text"]) for b in first]
    assert any("\u2028" in s for s, _ in texts) and any("\x85" in t for _, t in texts)
    for b in first:
        assert _post(client, f"/beads/{b['key']}/status",
                     {"status": "approved", "author": "ak"}).status_code == 200
    again = _client(web).get(f"/api/pairs/{PAIR}").get_json()["beads"]
    assert [(b["source_text"], b["rendering_text"]) for b in again] == texts
    assert {b["status"] for b in again} == {"approved"}


#: a damaged PO file as the pair's file -> every page answers 4xx with the file and line (the
#: pair list shows the error in the pair's row), never a 500
WEB_DAMAGED = ["score_not_a_number.po", "revision_not_a_number.po", "empty_source_document.po",
               "huge_sentence_id.po", "truncated_mid_entry.po", "duplicate_msgctxt.po",
               "sentence_out_of_range.po", "truncated_between_entries.po"]


@pytest.mark.parametrize("name", WEB_DAMAGED)
def test_web_damaged_po_file_is_reported_on_every_page_not_a_500(name, web):
    po = web / "translations" / f"{PAIR}.po"
    shutil.copyfile(WILD / name, po)
    before = po.read_bytes()
    client = _client(web)
    index = client.get("/")
    assert index.status_code == 200
    line = WILD_CASES[name][1]
    assert f"{PAIR}.po:{line}:" in index.get_data(as_text=True)
    for url in (f"/pairs/{PAIR}", f"/api/pairs/{PAIR}", f"/api/pairs/{PAIR}/beads",
                f"/pairs/{PAIR}/export?format=tmx"):
        res = client.get(url)
        assert res.status_code == 400, (url, res.status_code)
    res = _post(client, "/beads/s0:t0/status", {"status": "approved", "author": "ak"})
    assert res.status_code == 400
    assert res.get_json()["error"] == "ParseError"
    assert f"{PAIR}.po:{line}: " in res.get_json()["message"]
    assert po.read_bytes() == before


@pytest.mark.parametrize("name", sorted(n for n, e in WILD_CASES.items() if e[0] == "read-only"))
def test_web_opens_other_tools_po_files_read_only_and_never_rewrites_them(name, web):
    po = web / "translations" / f"{PAIR}.po"
    shutil.copyfile(WILD / name, po)
    before = po.read_bytes()
    client = _client(web)
    page = client.get(f"/pairs/{PAIR}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="read-only"' in html and WILD_CASES[name][1].replace("'", "&#39;") in html
    assert client.get(f"/api/pairs/{PAIR}").get_json()["read_only"].startswith("it holds ")
    res = _post(client, "/beads/s0:t0/status", {"status": "needs-work", "author": "ak"})
    assert res.status_code == 403
    assert res.get_json()["error"] == "ReadOnlyError"
    assert "open read-only: it holds" in res.get_json()["message"]
    assert po.read_bytes() == before
    assert not (web / "translations" / f".{PAIR}.po.history.jsonl").exists()


def test_web_edits_undo_and_redo_of_a_pair_that_became_read_only_are_refused(web):
    po = web / "translations" / f"{PAIR}.po"
    client = _client(web)
    assert _post(client, "/beads/s0:t0/status", {"status": "approved", "author": "ak"}
                 ).status_code == 200
    assert _post(client, "/undo", {"author": "ak"}).status_code == 200  # a redo is waiting
    with open(po, "a", encoding="utf-8") as f:  # another PO editor keeps an obsolete entry
        f.write('\n#~ msgid "old"\n#~ msgstr "alt"\n')
    before = po.read_bytes()
    for path, body in [("/beads/s0:t0/status", {"status": "rejected"}), ("/undo", {}),
                       ("/redo", {}), ("/beads/s0:t0/annotations", {"text": "a note"})]:
        res = _post(client, path, {"author": "ak", **body})
        assert res.status_code == 403, (path, res.get_json())
        assert "open read-only: it holds obsolete (#~) entries" in res.get_json()["message"]
    assert po.read_bytes() == before


def test_web_keeps_a_foreign_translator_comment_as_it_was_when_saving(web):
    po = web / "translations" / f"{PAIR}.po"
    shutil.copyfile(WILD / "foreign_translator_comment.po", po)
    client = _client(web)
    assert _post(client, "/beads/s0:t0/status", {"status": "approved", "author": "ak"}
                 ).status_code == 200
    assert "\n# Reviewed by Ann (Poedit)\n" in po.read_text(encoding="utf-8")


def test_web_export_names_the_po_file_without_the_servers_directory(web):
    client = _client(web)
    tmx = client.get(f"/pairs/{PAIR}/export?format=tmx").get_data(as_text=True)
    assert f'<prop type="x-pair">{PAIR} {PAIR}.po</prop>' in tmx
    assert str(web) not in tmx
    xliff = client.get(f"/pairs/{PAIR}/export?format=xliff").get_data(as_text=True)
    assert f'original="{PAIR}.po"' in xliff and str(web) not in xliff


@pytest.mark.parametrize("with_mt", [True, False])
def test_merged_rendering_sentences_keep_their_space_on_the_page(with_mt, web):
    po = web / "translations" / f"{PAIR}.po"
    if not with_mt:
        po.write_text("".join(line for line in po.read_text(encoding="utf-8").splitlines(True)
                              if not line.startswith("#. mt ")), encoding="utf-8")
    client = _client(web)
    assert _post(client, "/beads/s2:t2/merge-next", {"author": "ak"}).status_code == 200
    html = client.get(f"/pairs/{PAIR}/rows").get_data(as_text=True)
    row = html[html.index('id="bead-s2:t2,3"'):]
    cell = row[row.index('<td class="tgt"'):]
    cell = cell[:cell.index("</td>")]
    assert re.sub(r"<[^>]+>", "", cell) == "Sign the petition. Read more."


def test_no_model_notice_names_a_command_that_runs(web):
    import shutil as sh
    import sys

    html = _client(web).get(f"/pairs/{PAIR}").get_data(as_text=True)
    m = re.search(r"Install one with <code>(\S+) models install", html)
    assert m
    command = m[1]
    script = Path(sys.executable).with_name("workbench")
    if sh.which("workbench") and Path(sh.which("workbench")).resolve() == script.resolve():
        assert command == "workbench"
    else:
        assert Path(command).resolve() == script.resolve()


def test_parse_error_class_is_what_the_web_and_cli_map():
    assert ParseError.http_status == 400 and ParseError.exit_code == 2
    assert ReadOnlyError.http_status == 403 and ReadOnlyError.exit_code == 2


def test_a_killed_saves_temporary_files_are_removed_when_the_pairs_are_next_read(work):
    dead = work / f".{PO}.999999999.abcd1234.tmp"
    dead_history = work / f".{PO}.history.jsonl.999999999.abcd1234.tmp"
    other = work / ".notes.txt.999999999.abcd1234.tmp"  # not a PO file's: left alone
    for p in (dead, dead_history, other):
        p.write_text("half")
    store.load(work / PO)
    assert not dead.exists() and not dead_history.exists() and other.exists()


def test_a_lock_held_elsewhere_is_a_conflict_not_a_traceback(work):
    from filelock import FileLock

    from workbench.errors import ConflictError

    po = work / PO
    held = FileLock(str(work / f".{PO}.lock"))
    held.acquire()
    try:
        with pytest.raises(ConflictError, match=r"another save of this file has held its lock"):
            with files.lock(po, timeout=0.1):
                pass
    finally:
        held.release()


def test_a_huge_sentence_count_in_the_header_is_reported_at_once(tmp_path):
    text = (WILD / "workbench_written.po").read_text(encoding="utf-8").replace(
        '"X-Source-Sentences: 3\\n"', '"X-Source-Sentences: 999999999\\n"')
    path = tmp_path / "huge_count.po"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParseError, match=r"999999996 of the 999999999 source sentences have no "
                                         r"bead \(from sentence 3\)"):
        store.load(path)

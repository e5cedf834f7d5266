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

import errno
import http.client
import json
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
    "check /dev/zero": (["check", "/dev/zero"],
                        r"/dev/zero: is a character device, not a regular file \(give a regular "
                        r"file \(a pipe works too, e.g. <\(command\)\)\)"),
    "export /dev/zero": (["export", "/dev/zero", "--format", "tsv", "-o", "x.tsv"],
                         r"/dev/zero: is a character device, not a regular file"),
    "segment /dev/zero": (["segment", "/dev/zero", "--lang", "ru"],
                          r"/dev/zero: is a character device, not a regular file"),
    "align /dev/zero": (["align", "/dev/zero", "tgt.txt", "--mt", "mt.txt"],
                        r"/dev/zero: is a character device, not a regular file"),
    "align a socket": (["align", "src.txt", "sock", "--mt", "mt.txt"],
                       r"sock: is a socket, not a regular file"),
    "an unknown option (click usage error)": (
        ["segment", "src.txt", "--lang", "ru", "--bogus"],
        r"No such option '--bogus'\. \(see '.*segment --help'\)"),
}


@pytest.mark.parametrize("case", list(CLI_ERRORS))
def test_cli_bad_input_is_one_line_exit_2_and_touches_nothing(case, work, monkeypatch):
    import socket

    monkeypatch.chdir(work)
    (work / "sub").mkdir()
    sock = socket.socket(socket.AF_UNIX)
    sock.bind("sock")
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
    sock.close()


@pytest.mark.parametrize("command", [["check"], ["export", "--format", "tsv", "-o", "x.tsv"],
                                     ["segment", "--lang", "ru"]])
def test_an_endless_pipe_is_read_in_bounded_pieces(command, work, monkeypatch):
    import subprocess

    from workbench import corpus
    from workbench.store import syntax

    monkeypatch.chdir(work)
    monkeypatch.setattr(corpus, "MAX_INPUT_BYTES", 4096)
    monkeypatch.setattr(syntax, "MAX_LINE_BYTES", 4096)
    os.mkfifo("endless")
    # what `yes | tr -d '\n' > endless` gives: one line that never ends (no reader: EPIPE ends it)
    feeder = subprocess.Popen(["sh", "-c", "yes | tr -d '\\n' > endless"])
    try:
        res = CliRunner().invoke(main, command[:1] + ["endless"] + command[1:])
    finally:
        feeder.wait(timeout=30)
    assert res.exit_code == 2
    assert res.stderr in (
        "workbench: error: endless: holds more than 4,096 bytes, the most the workbench reads "
        "from one input (split it into smaller files)\n",
        "workbench: error: endless:1: line 1 is longer than 4,096 bytes: this is not a PO file "
        "(give the pair's PO file)\n")
    assert not (work / "x.tsv").exists()


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


# --- whatever a request says it carries ----------------------------------------------------------

#: Content-Type sent (None: none at all) -> what a 900,000-character note with a 5,000-character
#: author is answered: JSON is read and its fields are over their limits (413); anything else is
#: not read at all (415). Either way nothing is written.
CONTENT_TYPES = {
    "application/json": (413, "TooLargeError", "the annotation is 900,000 characters long"),
    "application/json; charset=utf-8": (413, "TooLargeError", "the annotation is 900,000"),
    "application/merge-patch+json": (413, "TooLargeError", "the annotation is 900,000"),
    "text/plain": (415, "UnsupportedMediaError", "the request body is text/plain, not JSON"),
    "text/plain; charset=utf-8": (415, "UnsupportedMediaError", "the request body is text/plain"),
    "application/x-www-form-urlencoded": (
        415, "UnsupportedMediaError", "the request body is application/x-www-form-urlencoded"),
    "multipart/form-data; boundary=b": (415, "UnsupportedMediaError",
                                        "the request body is multipart/form-data, not JSON"),
    "application/octet-stream": (415, "UnsupportedMediaError",
                                 "the request body is application/octet-stream, not JSON"),
    "text/json": (415, "UnsupportedMediaError", "the request body is text/json, not JSON"),
    "application/xml": (415, "UnsupportedMediaError", "the request body is application/xml"),
    None: (415, "UnsupportedMediaError",
           "the request body has no Content-Type; the API reads JSON only (send a JSON object "
           "with 'Content-Type: application/json')"),
}
BIG_NOTE = json.dumps({"text": "x" * 900_000, "author": "a" * 5_000}).encode()


@pytest.mark.parametrize("content_type", list(CONTENT_TYPES), ids=str)
def test_a_request_is_held_to_the_limits_whatever_its_content_type(content_type, web):
    client = _client(web)
    before = snapshot(web)
    headers = {"X-CSRF-Token": client.csrf}
    if content_type is not None:
        headers["Content-Type"] = content_type
    res = client.post(f"/api/pairs/{PAIR}{NOTE}", data=BIG_NOTE, headers=headers)
    status, error, message = CONTENT_TYPES[content_type]
    assert (res.status_code, res.get_json()["error"]) == (status, error)
    assert res.get_json()["message"].startswith(message), res.get_json()["message"]
    assert snapshot(web) == before
    # a small note in a body that does not say it is JSON is refused too: 415 means "not read"
    small = json.dumps({"text": "ok", "author": "ak"}).encode()
    res = client.post(f"/api/pairs/{PAIR}{NOTE}", data=small, headers=headers)
    assert res.status_code == (200 if status == 413 else 415)


def test_an_action_without_a_body_is_still_read_as_an_empty_object(web):
    client = _client(web)
    res = client.post(f"/api/pairs/{PAIR}/undo", headers={"X-CSRF-Token": client.csrf,
                                                           "Content-Type": "text/plain"})
    assert res.status_code == 400
    assert res.get_json()["message"].startswith("set your name first")


def test_chunked_bodies_meet_the_same_limits_on_the_real_server(web, tmp_path):
    from factories import start_server, stop

    url, proc = start_server(web, tmp_path)
    port = int(url.rsplit(":", 1)[1])
    before = snapshot(web)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/api/session")
        res = conn.getresponse()
        csrf = json.loads(res.read())["csrf_token"]
        cookie = res.headers["Set-Cookie"].split(";")[0]
        answers = {}
        for content_type in ("application/json", "text/plain", None):
            headers = {"Cookie": cookie, "X-CSRF-Token": csrf}
            if content_type:
                headers["Content-Type"] = content_type
            pieces = (BIG_NOTE[i:i + 65536] for i in range(0, len(BIG_NOTE), 65536))
            conn.request("POST", f"/api/pairs/{PAIR}{NOTE}", body=pieces, headers=headers,
                         encode_chunked=True)
            res = conn.getresponse()
            answers[content_type] = (res.status, json.loads(res.read())["error"])
        conn.close()
    finally:
        stop(proc)
    assert answers == {"application/json": (413, "TooLargeError"),
                       "text/plain": (415, "UnsupportedMediaError"),
                       None: (415, "UnsupportedMediaError")}
    assert snapshot(web) == before


# --- a history that cannot be read ---------------------------------------------------------------

@pytest.mark.parametrize("kind", ["directory", "fifo", "symlink loop"]
                         + (["unreadable file"] if os.geteuid() else []))  # root reads any file
def test_a_history_path_that_cannot_be_read_is_set_aside_with_a_notice(kind, web):
    journal = web / "translations" / f".{PAIR}.po.history.jsonl"
    if kind == "directory":
        journal.mkdir()
        (journal / "inside.txt").write_text("kept")
    elif kind == "fifo":
        os.mkfifo(journal)
    elif kind == "symlink loop":
        os.symlink(journal.name, journal)
    else:
        journal.write_text("{}\n")
        journal.chmod(0)
    client = _client(web)
    for url in (f"/pairs/{PAIR}", f"/api/pairs/{PAIR}", f"/api/pairs/{PAIR}/history?author=ak"):
        assert client.get(url).status_code == 200, url
    res = _post(client, "/beads/s0:t0/status", {"status": "approved", "author": "ak"})
    assert res.status_code == 200, res.get_json()
    notice = client.get(f"/api/pairs/{PAIR}/history?author=ak").get_json()["history"]
    assert notice["can_undo"] is True
    aside = sorted(p.name for p in journal.parent.iterdir() if ".set-aside-" in p.name)
    assert len(aside) == 1
    if kind == "directory":
        assert (journal.parent / aside[0] / "inside.txt").read_text() == "kept"
    assert journal.is_file() and not journal.is_symlink()
    fresh = _client(web)  # a restart: the pair opens, undo works
    assert _post(fresh, "/undo", {"author": "ak"}).status_code == 200
    assert store.load(web / "translations" / PO).record("s0:t0").status == "unreviewed"


def test_the_notice_says_why_the_history_was_set_aside(web):
    journal = web / "translations" / f".{PAIR}.po.history.jsonl"
    journal.mkdir()
    client = _client(web)
    state = client.get(f"/api/pairs/{PAIR}/history?author=ak").get_json()["history"]
    assert state["notice"] == ("The undo history will be set aside at the next change: it could "
                               "not be read: it is a directory, not a file. Undo starts again "
                               "from there.")
    assert journal.is_dir()  # reading writes nothing
    res = _post(client, "/undo", {"author": "ak"})  # a change: it sets the history aside first
    assert res.status_code == 400
    assert res.get_json()["message"] == "nothing to undo for ak in this pair"
    state = client.get(f"/api/pairs/{PAIR}/history?author=ak").get_json()["history"]
    aside = next(p.name for p in journal.parent.iterdir() if ".set-aside-" in p.name)
    assert state["notice"] == (f"The undo history was set aside as {aside}: it could not be "
                               "read: it is a directory, not a file. Undo starts again from here.")


# --- a full disk ---------------------------------------------------------------------------------

#: (writer, characters of the note, the file the full disk refuses): a note of 9,000 characters
#: does not fit in the history; one of 2,500 does, and then the PO file does not.
FULL_DISK_SAVES = [("unnamed", 9_000, ".{PO}.history.jsonl"), ("unnamed", 2_500, "{PO}"),
                   ("named", 2_500, "{PO}")]


@pytest.mark.parametrize("writer,chars,refused", FULL_DISK_SAVES)
def test_a_save_on_a_full_disk_is_507_leaves_no_temporary_file_and_the_next_one_works(
        writer, chars, refused, web, small_disk, monkeypatch):
    from factories import fill

    if writer == "named":  # a file system without O_TMPFILE: hidden temporary files
        monkeypatch.setattr(files, "_unnamed", lambda directory: None)
    if small_disk is not None:
        data = small_disk / "data"
        shutil.copytree(web, data)
        filler = fill(small_disk, 12 * 1024)
    else:  # no tmpfs here: the disk is full when the writer syncs the PO file
        data, filler, refused = web, None, "{PO}"

        def no_room(fd):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(files.os, "fsync", no_room)
    po = data / "translations" / PO
    before = po.read_bytes()
    client = _client(data)
    res = _post(client, NOTE, {"text": "щ" * chars, "author": "ak"})
    assert res.status_code == 507, res.get_json()
    assert res.get_json() == {"error": "StorageError", "message": (
        f"translations/{refused.format(PO=PO)}: cannot write: No space left on device (free some "
        "space on the disk, then do it again; nothing was changed)")}
    assert po.read_bytes() == before
    assert [p.name for p in po.parent.iterdir() if p.name.endswith(".tmp")] == []
    assert client.get(f"/api/pairs/{PAIR}").status_code == 200
    if filler is not None:
        filler.unlink()
    else:
        monkeypatch.undo()
    res = _post(client, NOTE, {"text": "room again", "author": "ak"})
    assert res.status_code == 200, res.get_json()
    assert [a.text for a in store.load(po).record("s0:t0").annotations] == ["room again"]
    assert [p.name for p in po.parent.iterdir() if p.name.endswith(".tmp")] == []
    assert _client(data).get(f"/api/pairs/{PAIR}/history?author=ak").get_json()["history"][
        "done"] == 1


def test_an_export_onto_a_full_disk_is_one_line_exit_74_and_leaves_nothing(work, small_disk,
                                                                           monkeypatch):
    if small_disk is not None:
        out = small_disk / "out.tmx"
        from factories import fill

        fill(small_disk, 0)
    else:
        out = work / "out.tmx"

        def no_room(fd):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(files.os, "fsync", no_room)
    res = CliRunner().invoke(main, ["export", str(work / PO), "--format", "tmx", "-o", str(out)])
    assert res.exit_code == 74, res.output
    assert res.stderr == (f"workbench: error: {out}: cannot write: No space left on device (free "
                          "some space on the disk, then do it again; nothing was changed)\n")
    assert not out.exists()
    assert [p.name for p in out.parent.iterdir() if p.name.endswith(".tmp")] == []


def big_po(path: Path, n: int) -> None:
    """A workbench PO file of `n` 1-1 beads, written as text (building it through the store
    would take longer than the test)."""
    head = (WILD / "workbench_written.po").read_text(encoding="utf-8").split("\n\n")[0]
    head = head.replace("Sentences: 4\\n", f"Sentences: {n}\\n").replace(
        "Sentences: 3\\n", f"Sentences: {n}\\n")
    path.write_text(head + "\n" + "".join(
        f'\n#. align 1-1 src={i} tgt={i} score=0.5000 method=test\n#, fuzzy\n'
        f'msgctxt "speech-ru|report-en|s{i}:t{i}"\nmsgid "Предложение {i}."\n'
        f'msgstr "Sentence {i}."\n' for i in range(n)), encoding="utf-8")


def _writing_into(pid: int, directory: Path) -> bool:
    """True once process `pid` holds a file open in `directory` for writing (an unnamed file
    shows as '#INODE (deleted)', a temporary file by its name)."""
    try:
        links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
    except OSError:
        return False
    return any(link.startswith(str(directory) + "/") and (link.endswith(" (deleted)")
                                                           or link.endswith(".tmp"))
               for link in links)


def test_a_killed_export_leaves_nothing_behind(work):
    import signal
    import subprocess
    import sys
    import time

    big = work / "big.po"
    big_po(big, 60_000)
    store.load(big)  # a valid file
    out = work / "out.tmx"
    out.write_text("the old export\n")
    before = sorted(p.name for p in work.iterdir())
    proc = subprocess.Popen([sys.executable, "-m", "workbench", "export", str(big), "--format",
                             "tmx", "-o", str(out)], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not _writing_into(proc.pid, work) and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL  # killed while writing, not finished
    assert out.read_text() == "the old export\n"
    assert sorted(p.name for p in work.iterdir()) == before


# --- a PO file without a revision, paths in answers ----------------------------------------------

def test_a_po_file_without_a_revision_field_can_be_saved(web):
    po = web / "translations" / PO
    po.write_text("".join(line for line in po.read_text(encoding="utf-8").splitlines(True)
                          if not line.startswith('"X-Workbench-Revision:')), encoding="utf-8")
    client = _client(web)
    assert client.get(f"/api/pairs/{PAIR}").get_json()["revision"] == 0
    res = _post(client, "/beads/s0:t0/status", {"status": "approved", "author": "ak"})
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["revision"] == 1
    pf = store.load(po)
    assert (pf.revision, pf.record("s0:t0").status) == (1, "approved")


def test_api_errors_name_files_relative_to_the_data_directory(web):
    po = web / "translations" / PO
    client = _client(web)
    shutil.copyfile(WILD / "score_not_a_number.po", po)
    res = client.get(f"/api/pairs/{PAIR}")
    assert res.status_code == 400
    assert res.get_json()["message"].startswith(f"translations/{PO}:30: score '1.2.3' is not")
    assert str(web) not in client.get("/api/pairs").get_data(as_text=True)
    assert f"translations/{PO}:30: " in client.get("/").get_data(as_text=True)
    po.unlink()
    res = client.get(f"/api/pairs/{PAIR}/history")
    assert res.status_code == 404
    assert res.get_json()["message"] == (
        f"translations/{PO}: the pair '{PAIR}' has no PO file yet (prepare it: the pair page's "
        f"Prepare button, POST /api/pairs/{PAIR}/prepare or `workbench align`)")
    for url in (f"/pairs/{PAIR}/export?format=tmx", f"/api/pairs/{PAIR}/beads/s0:t0"):
        res = client.get(url)
        assert res.status_code == 404 and str(web) not in res.get_data(as_text=True), url

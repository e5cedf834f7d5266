"""A damaged PO file is repaired inside the tool: every command's message names the `workbench align
--overwrite` that rebuilds it from its texts, and that command does, keeping the reviewed work that
can still be read, saying what it could not keep, and keeping the damaged file aside."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from factories import Runner
from workbench import edit, store

REPO = Path(__file__).resolve().parents[1]
PO = "translations/petition-ru__newsweek-en.po"
ALIGN = ["align", "corpora/petition.ru.txt", "corpora/newsweek.en.txt", "--src-lang", "ru",
         "--rendering-lang", "en", "-o", PO, "--overwrite"]


@pytest.fixture
def reviewed(data_dir: Path, argos_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The bundled article's pair with work on three beads, in the data directory (the cwd)."""
    shutil.copy(REPO / PO, data_dir / PO)
    monkeypatch.chdir(data_dir)
    pf = store.load(PO)
    first, second, third = [r.key for r in pf.records if r.kind == "1-1"][:3]
    edit.perform(PO, lambda p: edit.annotate(p, first, "title quoted", "paraphrase", "ak",
                                             "2026-01-02T03:04:05Z"), author="ak")
    edit.perform(PO, lambda p: edit.set_status(p, second, "approved", "ak",
                                               "2026-01-02T03:05:00Z"), author="ak")
    edit.perform(PO, lambda p: edit.set_status(p, third, "needs-work"), author="ak")
    return data_dir


def _work(path: str | Path) -> dict[str, tuple[str, list[str], tuple[str, str] | None]]:
    """Status, notes and the reviewer's signature of each bead holding work."""
    return {r.key: (r.status, [a.text for a in r.annotations], r.reviewer)
            for r in store.load(path).records if r.status != "unreviewed" or r.annotations}


def test_an_edited_id_names_the_command_that_rebuilds_and_it_keeps_all_the_work(reviewed):
    work = _work(PO)
    first = next(iter(work))  # the annotated bead, s0:t3 or so
    text = Path(PO).read_text("utf-8")
    tgt = first.split(":t")[1]
    damaged = re.sub(rf"^(#\. align 1-1 src=\d+ tgt=){tgt} ", r"\g<1>24 ", text, count=1, flags=re.M)
    Path(PO).write_text(damaged, "utf-8")
    check = Runner().invoke(["check", PO])
    assert check.exit_code == 2
    command = re.search(r"rebuild it from its two texts with `workbench (align [^`]*)`", check.stderr)
    assert command and shlex.split(command[1]) == ALIGN
    assert "no MT" in (done := Runner().invoke(shlex.split(command[1]))).stderr
    assert done.exit_code == 0, done.output
    lines = [line for line in done.stderr.splitlines() if "could not be read" in line or "kept" in line]
    assert lines[0].startswith(f"workbench: {PO} could not be read (line ")
    assert lines[0].endswith(f": rebuilt from the texts; the damaged file is kept as {PO}.damaged")
    # the entry whose ids were edited still says in its msgctxt which bead its note was on
    assert lines[1] == "workbench: kept the status and notes of 3 beads; nothing else held reviewed work"
    assert _work(PO) == work
    assert Path(PO + ".damaged").read_text("utf-8") == damaged


def test_a_misspelt_keyword_loses_only_its_entry_and_says_so(reviewed):
    work = _work(PO)
    second = [k for k, (status, _, _) in work.items() if status == "approved"][0]
    text = Path(PO).read_text("utf-8")
    at = text.index(f'msgctxt "petition-ru|newsweek-en|{second}"')
    damaged = text[:at] + text[at:].replace("\nmsgstr ", "\nmsgtsr ", 1)
    Path(PO).write_text(damaged, "utf-8")
    entry = text.count("\n", 0, text.rindex("\n\n", 0, at)) + 3  # after the blank line
    done = Runner().invoke(ALIGN)
    assert done.exit_code == 0, done.output
    kept = next(line for line in done.stderr.splitlines() if "kept the status" in line)
    assert kept.startswith(f"workbench: kept the status and notes of 2 beads; could not keep: the "
                           f"entry at line {entry} (bead {second}), which held reviewed work: not a "
                           "valid PO file: Syntax error, unexpected line 'msgtsr ")
    assert _work(PO) == {k: v for k, v in work.items() if k != second}
    assert Path(PO + ".damaged").read_text("utf-8") == damaged


def test_without_overwrite_a_damaged_file_is_left_as_it_is(reviewed):
    text = Path(PO).read_text("utf-8").replace("\nmsgstr ", "\nmsgtsr ", 1)
    Path(PO).write_text(text, "utf-8")
    refused = Runner().invoke(ALIGN[:-1])
    assert refused.exit_code == 2
    assert "--overwrite`, which keeps the reviewed work that can still be read)" in refused.stderr
    assert Path(PO).read_text("utf-8") == text and not Path(PO + ".damaged").exists()


def test_a_second_rebuild_keeps_the_first_damaged_copy(reviewed):
    Path(PO).write_text(Path(PO).read_text("utf-8").replace("\nmsgstr ", "\nmsgtsr ", 1), "utf-8")
    assert Runner().invoke(ALIGN).exit_code == 0
    first = Path(PO + ".damaged").read_bytes()
    Path(PO).write_text(Path(PO).read_text("utf-8").replace("\nmsgstr ", "\nmsgtsr ", 1), "utf-8")
    assert Runner().invoke(ALIGN).exit_code == 0
    assert Path(PO + ".damaged").read_bytes() == first
    assert Path(PO + ".damaged.1").exists()

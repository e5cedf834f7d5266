"""Paths in batch manifests: every text and the output inside the manifest's folder, or the manifest
is refused at its line; what is not a text file is said to be what it is; a NUL is refused; two
files that would be one document are named both."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from factories import write
from workbench import batch
from workbench.cli import main
from workbench.errors import ParseError

HEAD = 'output = "out"\nsource_lang = "ru"\nrendering_lang = "en"\nsteps = ["segment", "align"]\n'


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A manifest's folder with one pair of texts in src/ and ren/, and texts outside it."""
    root = tmp_path / "project"
    write(root / "src" / "d01.txt", "Привет мир.\n")
    write(root / "ren" / "d01.txt", "Hello world.\n")
    write(tmp_path / "elsewhere" / "d02.txt", "Hello again.\n")
    return root


def pair(source: str, rendering: str = "ren/d01.txt") -> str:
    return f'\n[[pairs]]\nsource = "{source}"\nrendering = "{rendering}"\n'


#: manifest text -> (line, message) of the refusal
OUTSIDE = {
    "source climbing out": (HEAD + pair("../../../../etc/passwd"), 7,
                            "source '../../../../etc/passwd' is outside the manifest's folder "
                            "{root}"),
    "absolute source": (HEAD + pair("/etc/passwd"), 7,
                        "source '/etc/passwd' is outside the manifest's folder {root}"),
    "rendering outside": (HEAD + pair("src/d01.txt", "../elsewhere/d02.txt"), 8,
                          "rendering '../elsewhere/d02.txt' is outside the manifest's folder"),
    "output climbing out": (HEAD.replace('"out"', '"../../escaped-out"') + pair("src/d01.txt"), 1,
                            "output '../../escaped-out' is outside the manifest's folder {root}"),
    "absolute output": (HEAD.replace('"out"', '"/tmp/escaped-out"') + pair("src/d01.txt"), 1,
                        "output '/tmp/escaped-out' is outside the manifest's folder"),
    "a glob reaching out": (HEAD + pair("../elsewhere/*.txt", "ren/*.txt"), 7,
                            "source '../elsewhere/d02.txt' is outside the manifest's folder"),
    "a link to /dev/zero": (HEAD + pair("src/zero.txt"), 7,
                            "source 'src/zero.txt' is outside the manifest's folder {root} "
                            "(through a link, to /dev/zero)"),
    "a NUL in output": (HEAD.replace('"out"', '"out\\u0000x"') + pair("src/d01.txt"), 1,
                        "'output' holds a NUL character"),
    "a NUL in a source": (HEAD + pair("src/d\\u000001.txt"), 7,
                          "pair 1: 'source' holds a NUL character"),
}


@pytest.mark.parametrize("case", list(OUTSIDE))
def test_a_path_outside_the_manifests_folder_is_refused_at_its_line(case, folder):
    os.symlink("/dev/zero", folder / "src" / "zero.txt")
    text, line, message = OUTSIDE[case]
    path = write(folder / "batch.toml", text)
    with pytest.raises(ParseError) as err:
        batch.load_manifest(path)
    assert (err.value.path, err.value.line) == (str(path), line)
    assert err.value.message.startswith(message.format(root=folder)), err.value.message
    # and from the command line: one line, exit 2, nothing written anywhere
    before = sorted(p for p in folder.parent.rglob("*"))
    result = CliRunner().invoke(main, ["batch", str(path), "--scheduler", "sequential"])
    assert result.exit_code == 2
    assert result.output.startswith(f"workbench: error: {path}:{line}: ")
    assert result.output.count("\n") == 1
    assert sorted(p for p in folder.parent.rglob("*")) == before


def test_texts_below_the_manifest_get_their_path_as_id_so_same_names_do_not_collide(folder):
    m = batch.load_manifest(write(folder / "batch.toml", HEAD + pair("src/d01.txt")))
    assert [(p.source_id, p.rendering_id) for p in m.pairs] == [("src-d01", "ren-d01")]
    assert m.output == folder / "out"


def test_two_files_that_would_be_one_document_are_both_named(folder):
    write(folder / "a b.txt", "Привет.\n")
    write(folder / "a-b.txt", "Hello.\n")
    path = write(folder / "batch.toml", HEAD + pair("a b.txt", "a-b.txt"))
    with pytest.raises(ParseError) as err:
        batch.load_manifest(path)
    assert err.value.line == 6
    assert err.value.message == (f"pair 1: files '{folder / 'a b.txt'}' and "
                                 f"'{folder / 'a-b.txt'}' would both be document 'a-b'")


@pytest.mark.parametrize("kind, message", [
    ("directory", "is a directory, not a text file (give a file)"),
    ("fifo", "is a FIFO (named pipe), not a regular file (name a text file in the manifest)"),
    ("missing", "no such file (check the path)"),
])
def test_a_source_that_is_not_a_text_file_fails_its_pair_with_what_it_is(kind, message, folder):
    odd = folder / "src" / "odd.txt"
    if kind == "directory":
        odd.mkdir()
    elif kind == "fifo":
        os.mkfifo(odd)
    path = write(folder / "batch.toml", HEAD + pair("src/odd.txt") + pair("src/d01.txt"))
    result = CliRunner().invoke(main, ["batch", str(path), "--scheduler", "sequential"])
    assert result.exit_code == 1, result.output
    assert (f"failed: {path}:6 (src/odd.txt | ren/d01.txt): {odd}: {message}\n") in result.stderr
    assert "1 pairs aligned" in result.stderr or "1 pair aligned" in result.stderr

"""The translation memory's limits and what it refuses: units too long to be a segment are left
out, a memory answer is bounded, a TMX whose bytes contradict its declared encoding is refused at
the line, and a query or file name that is not UTF-8 is one line, not a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from factories import PAIR, SRC, make_data_dir
from workbench.errors import ParseError
from workbench.memory import MAX_SEGMENT_CHARS, Memory, read_tmx


def tmx(units: list[tuple[str, str]], encoding: str = "UTF-8", declare: bool = True) -> bytes:
    """A TMX file of (Russian, English) units, one line per element, encoded as `encoding`."""
    lines = ([f'<?xml version="1.0" encoding="{encoding}"?>'] if declare else []) + [
        '<tmx version="1.4">', '<header srclang="ru" segtype="sentence"/>', "<body>"]
    for i, (ru, en) in enumerate(units, 1):
        lines += [f'<tu tuid="{i}">', f'<tuv xml:lang="ru"><seg>{ru}</seg></tuv>',
                  f'<tuv xml:lang="en"><seg>{en}</seg></tuv>', "</tu>"]
    return ("\n".join(lines + ["</body>", "</tmx>"]) + "\n").encode(
        "utf-8" if encoding.upper() == "UTF-8" else encoding)


@pytest.fixture
def root(tmp_path: Path, argos_dir: Path) -> Path:
    return make_data_dir(tmp_path / "data")


def workbench(*args: str | bytes, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "workbench", *args], capture_output=True,
                          cwd=cwd, timeout=120)


def test_a_unit_longer_than_a_segment_is_left_out_with_its_line_and_the_rest_imported(
        root: Path, tmp_path: Path):
    path = tmp_path / "long.tmx"
    path.write_bytes(tmx([("Мы против.", "We are against it."),
                          ("д" * (MAX_SEGMENT_CHARS + 1), "x"),
                          ("Подпишите петицию.", "Sign the petition."),
                          ("Ещё.", "y" * 20_000_000)]))
    done = workbench("tm", "import", str(path), "--data", str(root))
    assert done.returncode == 0, done.stderr
    assert done.stderr.decode().splitlines() == [
        f"imported 2 segments from {path}; memory: 2 segments",
        f"workbench: warning: {path}: 2 units left out, with a text longer than 10,000 "
        "characters (line 9, 17): split them in the tool that wrote the file to keep them"]
    assert sorted(s.source_text for s in Memory(root).segments()) == ["Мы против.",
                                                                      "Подпишите петицию."]


def test_a_memory_answer_is_bounded_even_with_min_0(root: Path, tmp_path: Path, make_client):
    filler = " ".join(["петиция"] * 1200)  # 9,599 characters: each unit a whole segment
    path = tmp_path / "big.tmx"
    path.write_bytes(tmx([(f"{SRC[0]} {i} {filler}", f"We oppose {i} {filler}")
                          for i in range(20)]))
    Memory(root).import_tmx(path)
    client = make_client(root)
    res = client.get(f"/api/pairs/{PAIR}/beads/s0:t1/memory?min=0&limit=20")
    assert res.status_code == 200
    body = res.get_json()
    assert len(res.get_data()) < 300 * 1024
    assert 1 <= len(body["matches"]) < 20
    assert len(body["matches"]) + body["left_out"] == 20
    scores = [m["score"] for m in body["matches"]]
    assert scores == sorted(scores, reverse=True)


def test_a_query_longer_than_a_segment_is_refused(root: Path):
    done = workbench("tm", "lookup", "щ" * (MAX_SEGMENT_CHARS + 1), "--from", "ru", "--to", "en",
                     "--data", str(root))
    assert done.returncode == 2
    assert done.stderr.decode() == ("workbench: error: the query is 10,001 characters long; the "
                                    "memory holds segments of at most 10,000 (look up one sentence "
                                    "at a time)\n")


def test_latin1_bytes_in_a_tmx_declared_utf8_are_refused_at_their_line(tmp_path: Path):
    path = tmp_path / "latin1.tmx"
    for declare in (True, False):
        path.write_bytes(tmx([("Gegen.", "We are against it."), ("Kafé", "Café")],
                             encoding="latin-1", declare=False).replace(
            b"<tmx", (b'<?xml version="1.0" encoding="UTF-8"?>\n' if declare else b"") + b"<tmx",
            1))
        with pytest.raises(ParseError) as err:
            read_tmx(path)
        assert err.value.line == (10 if declare else 9)
        offset = path.read_bytes().index(b"\xe9")
        assert err.value.message == (f"not valid UTF-8 at byte offset {offset} (byte 0xe9, "
                                     "column 28), though the file is "
                                     + ("declared UTF-8" if declare else "taken as UTF-8"))
        assert err.value.hint.startswith(f"convert it to UTF-8, e.g. iconv -f ISO-8859-1 -t UTF-8 "
                                         f"{path} > {path}.utf8")


def test_a_tmx_declared_iso_8859_1_holding_utf8_is_refused_and_imports_once_declared_right(
        root: Path, tmp_path: Path):
    path = tmp_path / "mislabelled.tmx"
    data = tmx([("Мы против.", "We are against it.")]).replace(b'encoding="UTF-8"',
                                                             b'encoding="ISO-8859-1"')
    path.write_bytes(data)
    done = workbench("tm", "import", str(path), "--data", str(root))
    assert done.returncode == 2
    assert done.stderr.decode() == (
        f"workbench: error: {path}:6: the file declares ISO-8859-1, but its text is UTF-8: 'Мы' "
        "would be read as 'Ð\ufffdÑ\ufffd' (change encoding=\"ISO-8859-1\" to encoding=\"UTF-8\" "
        "in its first line, then import it again)\n")
    assert not (root / "memory").exists()
    path.write_bytes(data.replace(b'encoding="ISO-8859-1"', b'encoding="UTF-8"'))
    assert workbench("tm", "import", str(path), "--data", str(root)).returncode == 0
    assert [s.source_text for s in Memory(root).segments()] == ["Мы против."]


def test_a_real_iso_8859_1_tmx_is_read_as_declared(tmp_path: Path):
    path = tmp_path / "latin1.tmx"
    path.write_bytes(tmx([("Café crème", "Coffee with cream")], encoding="ISO-8859-1"))
    [s] = read_tmx(path)
    assert (s.source_text, s.rendering_text) == ("Café crème", "Coffee with cream")


def test_a_query_that_is_not_utf8_is_one_line(root: Path):
    done = workbench("tm", "lookup", b"\xd0\x9c\xd1\x8b \xff", "--from", "ru", "--to", "en",
                     "--data", str(root))
    assert done.returncode == 2
    assert done.stderr.decode() == ("workbench: error: the query is not valid UTF-8 (byte 0xff "
                                    "at byte offset 5) (give it in UTF-8; check the terminal's "
                                    "encoding, e.g. LANG=C.UTF-8)\n")


def test_a_tmx_whose_name_is_not_utf8_is_imported_under_a_name_that_is(root: Path,
                                                                      tmp_path: Path):
    name = os.fsdecode(b"r\xe9sum\xe9.tmx")
    (tmp_path / name).write_bytes(tmx([("Мы против.", "We are against it.")]))
    done = workbench("tm", "import", os.fsencode(tmp_path / name), "--data", str(root))
    assert done.returncode == 0, done.stderr
    assert done.stderr.decode() == (f"imported 1 segment from {tmp_path}/r\\xe9sum\\xe9.tmx; "
                                    "memory: 1 segment\n")
    assert os.listdir(root / "memory") == ["r\ufffdsum\ufffd.tmx"]
    [s] = Memory(root).segments()
    assert s.pair == "r\ufffdsum\ufffd"
    missing = workbench("tm", "import", os.fsencode(tmp_path) + b"/x\xff.tmx", "--data",
                        str(root))
    assert missing.returncode == 2
    assert missing.stderr.decode() == (f"workbench: error: {tmp_path}/x\\xff.tmx: no such file "
                                       "(check the path)\n")

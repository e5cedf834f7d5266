"""The store's one reader (iter_records) as every caller sees it, the one header builder, the one
stale-revision check, the render cache as an object, and the one clock."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from workbench import clock, edit, export, store
from workbench.errors import ConflictError, InputError, ParseError

WILD = Path(__file__).parent / "fixtures" / "po-wild"


@pytest.fixture
def written(tmp_path: Path) -> Path:
    path = tmp_path / "speech-ru__report-en.po"
    shutil.copyfile(WILD / "workbench_written.po", path)
    return path


def open_fds_on(path: Path) -> list[str]:
    fds = Path("/proc/self/fd")
    out = []
    for fd in os.listdir(fds):
        try:
            target = os.readlink(fds / fd)
        except OSError:
            continue
        if target == str(path.resolve()):
            out.append(fd)
    return out


# --- iter_records --------------------------------------------------------------------------------

def test_iter_records_gives_the_header_at_once_and_the_records_of_load_one_by_one(written):
    loaded = store.load(written)
    stream = store.iter_records(written, block=1)
    assert stream.pair.header == loaded.header
    assert stream.pair.records == []
    assert next(stream) == loaded.records[0]
    assert [loaded.records[0], *stream] == loaded.records
    assert [r.key for r in loaded.records] == ["s0:t0", "s1:t1", "s2:t2", "s:t3"]
    assert stream.pair.read_only is None


def test_the_file_is_closed_when_the_records_end_and_when_reading_fails(written, tmp_path):
    stream = store.iter_records(written, block=1)
    assert len(open_fds_on(written)) == 1
    assert len(list(stream)) == 4
    assert open_fds_on(written) == []
    damaged = tmp_path / "damaged.po"
    damaged.write_text(written.read_text(encoding="utf-8").replace("score=0.8800", "score=x"),
                       encoding="utf-8")
    stream = store.iter_records(damaged, block=1)
    with pytest.raises(ParseError):
        list(stream)
    assert open_fds_on(damaged) == []


def test_read_only_is_known_once_the_records_are_read(tmp_path):
    path = tmp_path / "obsolete.po"
    shutil.copyfile(WILD / "obsolete_entries.po", path)
    stream = store.iter_records(path, block=1)
    assert stream.pair.read_only is None
    list(stream)
    assert stream.pair.read_only == store.load(path).read_only
    assert "obsolete (#~) entries" in stream.pair.read_only


@pytest.mark.parametrize("name, line, message", [
    ("duplicate_msgctxt.po", 30, "msgctxt 'speech-ru|report-en|s0:t0' is given twice (also at "
                                 "line 22); msgfmt refuses such a file"),
    ("truncated_between_entries.po", 37, "1 of the 3 source sentences have no bead (from "
                                         "sentence 2): the file is cut off or entries were removed"),
    ("truncated_mid_entry.po", 35, "not a valid PO file: the entry at line 34 has no msgstr (the "
                                   "file is cut off or damaged here)"),
])
def test_a_damaged_file_is_the_same_error_at_the_same_line_for_load_and_export(name, line, message,
                                                                               tmp_path):
    path = tmp_path / name
    shutil.copyfile(WILD / name, path)
    errors = []
    for read in (lambda: store.load(path),
                 lambda: list(store.iter_records(path, block=1)),
                 lambda: list(export.read_pair(path, block=1)[1]),
                 lambda: list(export.read_pair(path, block=1000)[1])):
        with pytest.raises(ParseError) as info:
            read()
        errors.append((info.value.path, info.value.line, info.value.message))
    assert errors == [(str(path), line, message)] * 4


def test_bad_bytes_in_an_entry_name_the_files_line_offset_and_column_for_every_reader(written):
    data = written.read_bytes()
    at = data.index(b"Sign the petition.\"\n\n")  # the msgstr of the third entry
    written.write_bytes(data[:at] + b"\xff" + data[at + 1:])
    line = data.count(b"\n", 0, at) + 1
    for read in (lambda: store.load(written),
                 lambda: list(store.iter_records(written, block=1)),
                 lambda: list(export.read_pair(written, block=2)[1])):
        with pytest.raises(InputError) as info:
            read()
        assert (info.value.line, info.value.message) == (
            line, f"not valid UTF-8 at byte offset {at} (byte 0xff, column 9)")


def test_parse_of_text_reads_as_load_does(written):
    assert store.parse(written.read_text(encoding="utf-8"), str(written)) == store.load(written)


# --- one header builder, one conflict check, one clock ------------------------------------------

def test_stamp_sets_revision_and_date_and_keeps_the_field_order():
    header = {"Project-Id-Version": "a__b", "PO-Revision-Date": "old", "Language": "en",
              "X-Workbench-Revision": "3"}
    stamped = store.stamp(header, 4, "2026-11-25T03:00:00Z")
    assert stamped == {"Project-Id-Version": "a__b", "PO-Revision-Date": "2026-11-25 03:00+0000",
                       "Language": "en", "X-Workbench-Revision": "4"}
    assert list(stamped) == list(header)
    assert header["X-Workbench-Revision"] == "3"


def test_a_save_stamps_the_header_as_a_new_file_does(written):
    pf = store.load(written)
    store.set_status(pf, "s0:t0", "approved")
    saved = store.save(pf)
    assert list(saved.header) == list(pf.header)
    assert saved.header["X-Workbench-Revision"] == "2"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d\+0000", saved.header["PO-Revision-Date"])
    assert store.load(written).header == saved.header


def test_a_stale_revision_is_the_same_conflict_for_save_save_edit_and_the_editor(written):
    message = "the pair was changed by someone else (revision 1, this edit was based on 0)"
    pf = store.load(written)
    with pytest.raises(ConflictError) as info:
        store.save(pf, expected_revision=0)
    assert (info.value.message, info.value.current_revision) == (message, 1)
    with pytest.raises(ConflictError) as info:
        store.save_edit(pf, expected_revision=0)
    assert (info.value.message, info.value.current_revision) == (message, 1)
    with pytest.raises(ConflictError) as info:
        edit.Editor().perform(written, lambda p: edit.set_status(p, "s0:t0", "approved"),
                              author="ak", revision=0)
    assert (info.value.message, info.value.current_revision) == (message, 1)
    assert store.load(written).revision == 1


def test_the_clock_gives_one_time_in_each_form():
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", clock.now())
    assert clock.compact("2026-11-25T03:04:05Z") == "20261125T030405Z"
    assert clock.po_date("2026-11-25T03:04:05Z") == "2026-11-25 03:04+0000"


# --- the render cache ----------------------------------------------------------------------------

def test_a_render_cache_formats_only_the_entries_it_has_not_seen(written):
    pf = store.load(written)
    cache, other = store.RenderCache(), store.RenderCache()
    assert cache.render(pf) == store.render(pf) == written.read_text(encoding="utf-8")
    assert (len(cache), len(other)) == (4, 0)
    store.set_status(pf, "s1:t1", "approved")
    assert cache.render(pf) == store.render(pf)
    assert len(cache) == 5  # the changed record's entry only
    small = store.RenderCache(limit=3)
    small.render(pf)
    assert small.render(pf) == store.render(pf) and len(small) == 4  # emptied, then refilled

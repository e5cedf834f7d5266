"""Batch runs prepare a pair through the project's one path and date it with the one clock."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from factories import write
from workbench import batch, clock
from workbench.cli import main
from workbench.corpus import Document
from workbench.errors import InputError
from workbench.project import align_documents

HOUSES_RU = "В городе 5 домов.\n\nМосква большая. Нева течёт.\n"
HOUSES_EN = "The city has 7 houses.\n\nMoscow is big. The Neva flows.\n"
EPOCH_DATE = "2023-11-14 22:13+0000"  # SOURCE_DATE_EPOCH=1700000000


def header_dates(po: str) -> tuple[str, str]:
    fields = dict(line[1:-3].split(": ", 1) for line in po.split("\n\n")[0].splitlines()
                  if line.startswith('"') and ": " in line)
    return fields["POT-Creation-Date"], fields["PO-Revision-Date"]


def test_the_clock_honours_source_date_epoch(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert clock.now() == "2023-11-14T22:13:20Z"
    assert clock.po_date() == EPOCH_DATE
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    with pytest.raises(InputError) as err:
        clock.now()
    assert str(err.value) == ("SOURCE_DATE_EPOCH is not a number of seconds: 'soon' (unset it, "
                              "or give seconds since 1970)")


def test_workbench_align_dates_its_po_file_by_source_date_epoch(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    src, ren = write(tmp_path / "houses.ru.txt", HOUSES_RU), write(tmp_path / "houses.en.txt", HOUSES_EN)
    out = tmp_path / "houses.po"
    result = CliRunner().invoke(main, ["align", str(src), str(ren), "--signals", "lexical",
                                       "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert header_dates(out.read_text(encoding="utf-8")) == (EPOCH_DATE, EPOCH_DATE)


def test_a_batch_po_file_is_what_prepared_write_writes_plus_its_key(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch):
    """Steps segment, align, check (no model): the batch's file is byte for byte the one the
    project's preparation path writes for the same documents, with the X-Batch-Key line added."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    write(tmp_path / "texts" / "houses.ru.txt", HOUSES_RU)
    write(tmp_path / "texts" / "houses.en.txt", HOUSES_EN)
    m = batch.load_manifest(write(tmp_path / "batch.toml", (
        'output = "out"\nsource_lang = "ru"\nrendering_lang = "en"\n'
        'steps = ["segment", "align", "check"]\n\n'
        '[[pairs]]\nsource = "texts/houses.ru.txt"\nrendering = "texts/houses.en.txt"\n')))
    summary = batch.run(m, batch.Sequential())
    assert (summary.status.done, summary.status.check_errors) == (1, 1)
    po = tmp_path / "out" / "translations" / m.pairs[0].po
    got = po.read_text(encoding="utf-8")

    docs = [Document(id=d, language=lang, path=f"corpora/{d}.txt", text=text)
            for d, lang, text in (("texts-houses.ru", "ru", HOUSES_RU),
                                  ("texts-houses.en", "en", HOUSES_EN))]
    expected = tmp_path / "prepared.po"
    align_documents(docs[0], docs[1], signals="lexical").write(expected)
    key_line = f'"{batch.KEY_HEADER}: {batch.recorded_key(po)}\\n"\n'
    assert key_line in got
    assert got.replace(key_line, "") == expected.read_text(encoding="utf-8")
    assert "#. check number: source says 5; rendering says 7\n" in got


def test_a_task_dates_the_header_with_the_time_the_run_sent(monkeypatch: pytest.MonkeyPatch):
    """A worker of a remote cluster need not share the client's environment: the header's
    creation date is the run's time carried by the job."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    docs = [Document(id=d, language=lang, path=f"corpora/{d}.txt", text=text)
            for d, lang, text in (("a", "ru", HOUSES_RU), ("b", "en", HOUSES_EN))]
    job = batch.Job(docs[0], docs[1], ("segment", "align"), "auto", "0" * 64,
                    "2020-01-02T03:04:05Z")
    done = batch.process_pair(job, batch.Settings())
    assert isinstance(done, batch.Done)
    assert done.pair_file.header["POT-Creation-Date"] == "2020-01-02 03:04+0000"
    assert done.pair_file.header[batch.KEY_HEADER] == "0" * 64
    assert (done.source_sentences, done.rendering_sentences) == (3, 3)


def test_a_bad_source_date_epoch_stops_a_batch_run_with_one_line(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    write(tmp_path / "a.ru.txt", HOUSES_RU)
    write(tmp_path / "a.en.txt", HOUSES_EN)
    path = write(tmp_path / "batch.toml", 'output = "out"\nsource_lang = "ru"\n'
                 'rendering_lang = "en"\nsteps = ["segment", "align"]\n\n'
                 '[[pairs]]\nsource = "a.ru.txt"\nrendering = "a.en.txt"\n')
    result = CliRunner().invoke(main, ["batch", str(path), "--scheduler", "sequential"])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "workbench: error: SOURCE_DATE_EPOCH is not a number of seconds: 'soon' (unset it, or "
        "give seconds since 1970)")
    assert not (tmp_path / "out" / "translations").exists()

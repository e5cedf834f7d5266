"""Batch runs: the manifest, the same bytes in-process and on Dask, resuming, failures per pair."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from factories import write
from workbench import batch
from workbench.cli import main
from workbench.corpus import load_corpus
from workbench.errors import ParseError

REPO = Path(__file__).resolve().parents[1]

SMALL_RU = "Привет мир. Это второе предложение.\n\nТретье предложение здесь.\n"
SMALL_EN = "Hello world. This is the second sentence.\n\nThe third sentence is here.\n"


@pytest.fixture
def texts(tmp_path: Path) -> Path:
    """The bundled petition and article, two small pairs, and a pair whose source is empty."""
    root = tmp_path / "texts"
    root.mkdir()
    shutil.copy(REPO / "corpora" / "petition.ru.txt", root / "petition.ru.txt")
    shutil.copy(REPO / "corpora" / "newsweek.en.txt", root / "newsweek.en.txt")
    write(root / "pairs" / "small.ru.txt", SMALL_RU)
    write(root / "pairs" / "small.en.txt", SMALL_EN)
    write(root / "pairs" / "other.ru.txt", "Москва большая. Нева течёт.\n")
    write(root / "pairs" / "other.en.txt", "Moscow is big. The Neva flows.\n")
    write(root / "pairs" / "empty.ru.txt", "")
    write(root / "pairs" / "empty.en.txt", "Nothing here.\n")
    return tmp_path


MANIFEST = """\
output = "out"
source_lang = "ru"
rendering_lang = "en"
steps = {steps}

[[pairs]]
source = "texts/petition.ru.txt"
rendering = "texts/newsweek.en.txt"

[[pairs]]
source = "texts/pairs/*.ru.txt"
rendering = "texts/pairs/*.en.txt"
"""


def manifest(root: Path, steps: str = '["segment", "translate", "align"]', *,
             petition: bool = False) -> Path:
    text = MANIFEST.format(steps=steps)
    if not petition:  # the small pairs only: the tiny model takes long on the petition's sentences
        head, _, small = text.partition("[[pairs]]\nsource = \"texts/petition")
        text = head + small[small.index("[[pairs]]"):]
    return write(root / "batch.toml", text)


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


# --- the manifest --------------------------------------------------------------------------------

def test_glob_pairs_expand_in_name_order_with_ids_from_their_paths(texts: Path):
    m = batch.load_manifest(manifest(texts, petition=True))
    assert [(p.source_id, p.rendering_id, p.line) for p in m.pairs] == [
        ("texts-petition.ru", "texts-newsweek.en", 6),
        ("texts-pairs-empty.ru", "texts-pairs-empty.en", 10),
        ("texts-pairs-other.ru", "texts-pairs-other.en", 10),
        ("texts-pairs-small.ru", "texts-pairs-small.en", 10)]
    assert m.pairs[0].steps == ("segment", "translate", "align")
    assert m.output == texts / "out"


@pytest.mark.parametrize("body, line, message", [
    ('output = "o"\n[[pairs]]\nsource = "a.txt"\nrendering = "b.txt"\nsource_lang = "ru"\n'
     'rendering_lang = "xx"\n', 6, "pair 1: rendering_lang: unknown language code 'xx'"),
    ('output = "o"\nsteps = ["segment", "translate"]\n', 2, "'steps' must include 'align'"),
    ('output = "o"\nsource_lang = "ru"\nrendering_lang = "en"\n\n[[pairs]]\nsource = "a.txt"\n'
     'rendering = "b.txt"\ncolour = "red"\n', 8, "pair 1 has unknown key 'colour'"),
    ('output = "o"\nsource_lang = "ru"\nrendering_lang = "en"\n[[pairs]]\nsource = "a/*.txt"\n'
     'rendering = "b.txt"\n', 4, "a glob pair needs exactly one '*' in source and one in rendering"),
    ('output = "o"\nsource_lang = "ru"\nrendering_lang = "en"\n[[pairs]]\nsource = "none/*.txt"\n'
     'rendering = "b/*.txt"\n', 4, "source pattern 'none/*.txt' matches no file"),
    ('output = "o"\nsource_lang = "ru"\nrendering_lang = "en"\n[[pairs]]\nsource = "a.txt"\n'
     'rendering = "b.txt"\n[[pairs]]\nsource = "a.txt"\nrendering = "b.txt"\n', 7,
     "pair 2 repeats the pair"),
    ('output = "o"\n[[pairs]]\nsource = "a.txt"\nrendering = "b.txt"\n', 2,
     "pair 1 has no 'source_lang'"),
    ('output = "o"\nmode = "sideways"\n', 2, "unknown mode 'sideways'"),
    ('output = "o"\n[[pairs]\n', 2, "invalid TOML"),
    ('[[pairs]]\nsource = "a.txt"\n', 1, "no 'output'"),
])
def test_a_bad_manifest_names_its_file_and_line(tmp_path: Path, body: str, line: int, message: str):
    path = write(tmp_path / "bad.toml", body)
    with pytest.raises(ParseError) as err:
        batch.load_manifest(path)
    assert (err.value.path, err.value.line) == (str(path), line)
    assert err.value.message.startswith(message), err.value.message


def test_a_bad_manifest_exits_2_with_file_and_line(tmp_path: Path):
    path = write(tmp_path / "bad.toml", 'output = "o"\nsteps = ["segment", "align", "tidy"]\n')
    result = CliRunner().invoke(main, ["batch", str(path), "--scheduler", "sequential"])
    assert result.exit_code == 2
    assert result.output == (f"workbench: error: {path}:2: unknown step 'tidy' "
                             "(steps: segment, translate, embed, align, check)\n")


def test_status_line_counts_documents_sentences_rate_and_eta():
    s = batch.Status(total=10, total_bytes=1000, done=3, skipped=1, failed=1, sentences=4810,
                     done_bytes=300, skipped_bytes=50, started=0.0)
    # 250 bytes of work in 100 s, 700 bytes to go
    assert s.line(now=100.0) == ("5/10 documents (1 skipped, 1 failed), 4,810 sentences, "
                                 "48.1 sentences/s, ETA 0:04:40")


# --- running -------------------------------------------------------------------------------------

def test_sequential_and_two_local_workers_write_the_same_bytes(texts: Path, ru_en_model,
                                                               monkeypatch: pytest.MonkeyPatch):
    """The tiny test model and the real encoder, in this process and on two worker processes (one
    task per pair, then every pair cut into chunk tasks of two sentences), each run with an empty
    cache of its own; the empty source fails alone, with its file."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    m = batch.load_manifest(manifest(texts, '["segment", "translate", "embed", "align"]'))
    two = batch.executor("local", 2)
    outputs = []
    try:
        for name, ex, chunked in (("seq", batch.Sequential(), False), ("two", two, False),
                                  ("two-chunked", two, True)):
            if chunked:
                monkeypatch.setattr(batch, "LONG_DOCUMENT", 0)
                monkeypatch.setattr(batch, "CHUNK_SENTENCES", 2)
            summary = batch.run(batch.Manifest(m.path, texts / name, m.mode, m.pairs), ex,
                                settings=batch.Settings(cache_dir=str(texts / f"cache-{name}")))
            assert (summary.status.done, summary.status.failed) == (2, 1)
            assert summary.failures == [(f"{m.path}:6 (texts/pairs/empty.ru.txt | "
                                         "texts/pairs/empty.en.txt)",
                                         f"{texts}/texts/pairs/empty.ru.txt: file is empty (give "
                                         "a text file with at least one sentence)")]
            outputs.append(files(texts / name))
    finally:
        two.close()
    # every run filled a cache of its own: nothing was answered from another run's rows
    assert all((texts / f"cache-{name}" / "embeddings.sqlite3").exists()
               for name in ("seq", "two", "two-chunked"))
    assert outputs[0] == outputs[1] == outputs[2]
    # besides the store's lock files (.NAME.po.lock)
    assert sorted(n for n in outputs[0] if not n.endswith(".lock")) == [
        "corpora/corpora.toml", "corpora/texts-pairs-other.en.txt", "corpora/texts-pairs-other.ru.txt",
        "corpora/texts-pairs-small.en.txt", "corpora/texts-pairs-small.ru.txt",
        "translations/texts-pairs-other.ru__texts-pairs-other.en.po",
        "translations/texts-pairs-small.ru__texts-pairs-small.en.po"]
    po = outputs[0]["translations/texts-pairs-small.ru__texts-pairs-small.en.po"].decode()
    assert '"POT-Creation-Date: 2023-11-14 22:13+0000\\n"' in po
    assert '"X-MT-Model: translate-ru_en 1.0\\n"' in po
    assert "signals=embed,mt" in po
    assert [p.id for p in load_corpus(texts / "seq").pairs] == [
        "texts-pairs-other.ru__texts-pairs-other.en", "texts-pairs-small.ru__texts-pairs-small.en"]


def test_rerun_skips_finished_pairs_and_redoes_missing_and_changed_ones(texts: Path, ru_en_model):
    m = batch.load_manifest(manifest(texts))
    runs = []
    for change in (None, "nothing", "delete", "edit"):
        if change == "delete":
            (texts / "out" / "translations" / m.pairs[1].po).unlink()
        elif change == "edit":
            write(texts / "texts" / "pairs" / "small.en.txt", SMALL_EN.replace("here", "over there"))
        s = batch.run(m, batch.Sequential()).status
        runs.append((s.done, s.skipped, s.failed))
    assert runs == [(2, 0, 1), (0, 2, 1), (1, 1, 1), (1, 1, 1)]
    po = (texts / "out" / "translations" / m.pairs[2].po).read_text(encoding="utf-8")
    assert "The third sentence is over there." in po


def test_a_changed_pair_with_reviewed_work_needs_overwrite(texts: Path, ru_en_model):
    from workbench import store

    m = batch.load_manifest(manifest(texts))
    batch.run(m, batch.Sequential())
    path = texts / "out" / "translations" / m.pairs[2].po
    pf = store.load(path)
    store.set_status(pf, pf.records[0].key, "approved")
    store.save(pf)
    write(texts / "texts" / "pairs" / "small.en.txt", SMALL_EN.replace("here", "over there"))
    summary = batch.run(m, batch.Sequential())
    assert summary.failures[-1] == (
        f"{m.path}:6 (texts/pairs/small.ru.txt | texts/pairs/small.en.txt)",
        f"{path}: PO file exists (1 bead reviewed or annotated) (its inputs or settings changed "
        "since; pass --overwrite to re-align and keep the work on unchanged beads)")
    assert summary.status.done == 0
    summary = batch.run(m, batch.Sequential(), overwrite=True)
    assert summary.status.done == 1
    again = store.load(path)
    assert again.records[0].status == "approved"
    assert again.records[-1].rendering_text == "The third sentence is over there."


def test_an_output_directory_of_someone_else_is_refused(texts: Path):
    foreign = write(texts / "out" / "corpora" / "corpora.toml", "[documents.a]\n")
    result = CliRunner().invoke(main, ["batch", str(manifest(texts)), "--scheduler", "sequential"])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        f"workbench: error: {foreign}: the output directory holds a corpora.toml not written by a "
        "batch run (give another 'output' in the manifest)")
    assert foreign.read_text(encoding="utf-8") == "[documents.a]\n"


def test_cli_exits_1_after_the_summary_when_a_pair_failed(texts: Path, ru_en_model):
    result = CliRunner().invoke(main, ["batch", str(manifest(texts)), "--scheduler", "sequential"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "workbench: 3 pairs on sequential (this process)"  # no dashboard here
    assert lines[1].startswith("workbench: 2 pairs aligned, 0 already done, 1 failed, ")
    # the label names the files as the manifest does, folders and all; an empty file is empty
    assert lines[2] == (f"workbench: failed: {texts / 'batch.toml'}:6 (texts/pairs/empty.ru.txt | "
                        f"texts/pairs/empty.en.txt): {texts / 'texts/pairs/empty.ru.txt'}: file is "
                        "empty (give a text file with at least one sentence)")


def test_default_steps_without_a_model_align_without_mt_and_say_so(texts: Path, argos_dir: Path,
                                                                   monkeypatch: pytest.MonkeyPatch):
    # no model installed: the default steps do what `workbench align` does, not fail every pair
    from workbench.batch import tasks

    monkeypatch.setattr(tasks, "_models", {})  # no engine another test loaded in this process
    path = write(texts / "batch.toml", MANIFEST.replace("steps = {steps}\n", "").split(
        "[[pairs]]\nsource = \"texts/petition")[0] + '[[pairs]]\nsource = "texts/pairs/*.ru.txt"\n'
        'rendering = "texts/pairs/*.en.txt"\n')
    result = CliRunner().invoke(main, ["batch", str(path), "--scheduler", "sequential"])
    assert result.exit_code == 1  # the empty pair
    lines = result.stderr.splitlines()
    assert lines[1].startswith("workbench: 2 pairs aligned, 0 already done, 1 failed, ")
    assert lines[2] == (
        "workbench: translate skipped for 2 pairs ru → en, aligned without MT as `workbench align` "
        f"does: no translation model for ru → en (no models are installed in {argos_dir}) "
        "(install one with: workbench models install PATH/translate-ru_en.argosmodel, or with "
        "network access: argospm update && argospm install translate-ru_en)")
    assert lines[3].endswith("file is empty (give a text file with at least one sentence)")
    pf = load_corpus(texts / "out").pairs
    assert [p.po for p in pf] == ["texts-pairs-other.ru__texts-pairs-other.en.po",
                                  "texts-pairs-small.ru__texts-pairs-small.en.po"]
    from workbench import store

    small = store.load(texts / "out" / "translations" / "texts-pairs-small.ru__texts-pairs-small.en.po")
    assert small.header["X-MT-Model"] == "none"
    assert "signals=embed,lexical" in small.header["X-Aligner"]
    # the steps named in the manifest: translate is asked for, and its pairs fail without a model
    named = write(texts / "named.toml", path.read_text("utf-8").replace(
        'output = "out"', 'output = "named"\nsteps = ["segment", "translate", "align"]'))
    result = CliRunner().invoke(main, ["batch", str(named), "--scheduler", "sequential"])
    assert result.exit_code == 1
    assert "workbench: 0 pairs aligned, 0 already done, 3 failed" in result.stderr
    assert ("(texts/pairs/other.ru.txt | texts/pairs/other.en.txt): no translation model for ru → en"
            in result.stderr)
    assert "(or leave 'translate' out of the pair's steps to align without MT)" in result.stderr


def more_pairs(root: Path) -> None:
    """Eight pairs of 30 sentences of their own each, so no pair is answered from the cache."""
    for i in range(8):
        write(root / "texts" / "pairs" / f"more{i}.ru.txt",
              "".join(f"Строка {i} номер {j} здесь, в тексте номер {i}.\n" for j in range(30)))
        write(root / "texts" / "pairs" / f"more{i}.en.txt",
              "".join(f"Line {j} of text {i} is here.\n" for j in range(30)))


def test_a_killed_client_loses_only_the_pair_in_flight(texts: Path, ru_en_model):
    """SIGKILL after the first PO file appears: what was written stays whole, a rerun finishes."""
    more_pairs(texts)
    path = write(texts / "more.toml", MANIFEST.split("[[pairs]]")[0].format(
        steps='["segment", "translate", "align"]') + '[[pairs]]\nsource = "texts/pairs/more*.ru.txt"\n'
        'rendering = "texts/pairs/more*.en.txt"\n')
    cmd = [sys.executable, "-m", "workbench", "batch", str(path), "--scheduler", "sequential"]
    proc = subprocess.Popen(cmd, stderr=subprocess.DEVNULL)
    out = texts / "out" / "translations"
    deadline = time.monotonic() + 60
    while proc.poll() is None and not list(out.glob("*.po")) and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.kill()
    proc.wait()
    written = {p.name for p in out.glob("*.po")}
    assert 1 <= len(written) < 8
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    summary = batch.run(batch.load_manifest(path), batch.Sequential())
    assert (summary.status.done + summary.status.skipped, summary.status.failed) == (8, 0)
    assert summary.status.skipped >= len(written)


def test_ctrl_c_says_what_was_done_and_what_is_left_and_exits_130(texts: Path, ru_en_model):
    """Ctrl+C on a terminal reaches the client and the local cluster's workers alike: the run
    stops with its summary and no traceback or warning of a worker, and a rerun does the rest."""
    import os
    import re
    import signal

    more_pairs(texts)
    path = write(texts / "more.toml", MANIFEST.split("[[pairs]]")[0].format(
        steps='["segment", "translate", "align"]') + '[[pairs]]\nsource = "texts/pairs/more*.ru.txt"\n'
        'rendering = "texts/pairs/more*.en.txt"\n')
    cmd = [sys.executable, "-m", "workbench", "batch", str(path), "--scheduler", "local",
           "--workers", "1"]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, start_new_session=True)
    out = texts / "out" / "translations"
    deadline = time.monotonic() + 120
    while proc.poll() is None and not list(out.glob("*.po")) and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal does: the whole process group
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 130
    lines = err.splitlines()
    assert lines[0] == ("workbench: 8 pairs on local cluster, 1 worker process; dashboard: none "
                        "(install bokeh for it)")
    said = re.fullmatch(r"workbench: interrupted: (\d) of 8 pairs finished, (\d) left \(run the same "
                        r"command again to do them; finished pairs are skipped\)", lines[1])
    done = int(said[1])
    assert int(said[2]) == 8 - done
    assert lines[2].startswith(f"workbench: {done} pair{'' if done == 1 else 's'} aligned, 0 already "
                               "done, 0 failed, ")
    assert lines[3:] == [f"wrote {texts / 'out'}"]
    # a pair written in the instant of the Ctrl+C may not be counted yet: the rerun skips it
    written = len(list(out.glob("*.po")))
    assert done <= written <= done + 1 and written < 8
    summary = batch.run(batch.load_manifest(path), batch.Sequential())
    assert (summary.status.skipped, summary.status.done, summary.status.failed) == (
        written, 8 - written, 0)


def test_a_killed_worker_loses_no_pair(texts: Path, ru_en_model, monkeypatch: pytest.MonkeyPatch):
    """SIGKILL to one of two local workers when the first pair is written: its tasks go to the
    other worker (or its restarted self), and the output is that of an in-process run."""
    import os
    import signal

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    more_pairs(texts)
    m = batch.load_manifest(write(texts / "more.toml", MANIFEST.split("[[pairs]]")[0].format(
        steps='["segment", "translate", "align"]') + '[[pairs]]\nsource = "texts/pairs/more*.ru.txt"\n'
        'rendering = "texts/pairs/more*.en.txt"\n'))
    batch.run(batch.Manifest(m.path, texts / "seq", m.mode, m.pairs), batch.Sequential())
    ex = batch.executor("local", 2)
    killed = []

    def kill_one(status: batch.Status) -> None:
        if status.finished == 1:
            busy = [w for w, keys in ex.client.processing().items() if keys]
            pid = ex.client.run(os.getpid, workers=busy[:1])[busy[0]] if busy else None
            if pid is not None:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

    try:
        summary = batch.run(batch.Manifest(m.path, texts / "two", m.mode, m.pairs), ex,
                            progress=kill_one)
    finally:
        ex.close()
    assert len(killed) == 1  # a worker still had a pair to do when the first was written
    assert (summary.status.done, summary.status.failed) == (8, 0)
    assert files(texts / "two") == files(texts / "seq")


# --- a cluster started from the command line -----------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_scheduler_and_two_workers_from_the_command_line(texts: Path, ru_en_model):
    dask = Path(sys.executable).parent / "dask"
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [subprocess.Popen([str(dask), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], stderr=subprocess.DEVNULL)]
    try:
        for i in range(2):
            procs.append(subprocess.Popen(
                [str(dask), "worker", address, "--nthreads", "1", "--no-dashboard", "--name", f"w{i}",
                 "--local-directory", str(texts / f"dask-{i}")], stderr=subprocess.DEVNULL))
        result = subprocess.run([sys.executable, "-m", "workbench", "batch",
                                 str(manifest(texts)), "--scheduler", address],
                                capture_output=True, text=True, timeout=120)
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines()[0] == (f"workbench: 3 pairs on cluster at {address}; "
                                             "dashboard: none (install bokeh for it)")
    assert "2 pairs aligned, 0 already done, 1 failed" in result.stderr
    po = texts / "out" / "translations" / "texts-pairs-small.ru__texts-pairs-small.en.po"
    assert sorted((texts / "out" / "translations").glob("*.po")) == [
        po.with_name("texts-pairs-other.ru__texts-pairs-other.en.po"), po]
    assert "#. mt ru>en (translate-ru_en 1.0): Privet mir." in po.read_text(encoding="utf-8")


def test_the_check_step_stores_each_beads_findings_and_counts_the_errors(tmp_path: Path):
    """Without a model (segment, align): the PO file carries `#. check` comments only when the
    steps include 'check', and the summary counts the findings of severity error."""
    write(tmp_path / "texts" / "houses.ru.txt", "В городе 5 домов.\n\nМосква большая.\n")
    write(tmp_path / "texts" / "houses.en.txt", "The city has 7 houses.\n\nMoscow is big.\n")
    body = ('output = "{out}"\nsource_lang = "ru"\nrendering_lang = "en"\nsteps = {steps}\n\n'
            '[[pairs]]\nsource = "texts/houses.ru.txt"\nrendering = "texts/houses.en.txt"\n')
    texts = {}
    for out, steps in (("plain", '["segment", "align"]'), ("checked", '["segment", "align", "check"]')):
        m = batch.load_manifest(write(tmp_path / f"{out}.toml", body.format(out=out, steps=steps)))
        summary = batch.run(m, batch.Sequential())
        assert (summary.status.done, summary.status.failed) == (1, 0)
        texts[out] = (tmp_path / out / "translations" / m.pairs[0].po).read_text(encoding="utf-8")
        if out == "plain":
            assert summary.status.checked == 0
            assert len(summary.lines()) == 1
        else:
            assert (summary.status.checked, summary.status.check_errors) == (1, 1)
            assert summary.lines()[1] == ("fidelity checks: 1 error in 1 pair checked "
                                          "(`workbench check` lists them)")
    assert "#. check" not in texts["plain"]
    assert texts["checked"].count("#. check ") == 1
    assert ('#. align 1-1 src=0 tgt=0 score=0.7525 method=anchors-length\n'
            '#. check number: source says 5; rendering says 7\n'
            '#: corpora/texts-houses.ru.txt:1 corpora/texts-houses.en.txt:1\n') in texts["checked"]
    # the check comment is all that differs, besides the key of the inputs and steps
    key = batch.KEY_HEADER
    assert [line for line in texts["checked"].splitlines() if key not in line
            and not line.startswith("#. check ")] == [
        line for line in texts["plain"].splitlines() if key not in line]

"""Progress of long work: the core's Progress object, and the command line's bars on a terminal
against one line at the end in a pipe or with --quiet."""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.progress import Progress, Snapshot

REPO = Path(__file__).resolve().parents[1]
#: A tqdm bar of the encode stage, with its count, elapsed<left time and rate.
ENCODE_BAR = re.compile(r"encode: +\d+%\|[^|]*\| *\d+/\d+ \[\d\d:\d\d<[^,\]]+, *[^\]]*sentences/s\]")
#: The one line at the end of `workbench align`.
ALIGN_LINE = re.compile(r"^workbench: align: encode (\d+) sentences in [\d.]+ s(, [\d.,]+/s)?; "
                        r"align [\d.]+ s; total [\d.]+ s; (\d+) \+ (\d+) sentences$")


def test_snapshot_gives_the_stage_counts_rate_and_time_left():
    now = [100.0]
    seen: list[Snapshot] = []
    progress = Progress(seen.append, clock=lambda: now[0])
    counter = progress.stage("encode", 100)
    counter(20, 100)  # a cache held 20 at the start: they do not count towards the rate
    now[0] = 104.0
    counter(60, 100)
    assert progress.snapshot() == Snapshot("encode", 60, 100, 4.0, 10.0, 4.0)
    assert progress.snapshot().to_dict() == {"stage": "encode", "done": 60, "total": 100,
                                             "elapsed": 4.0, "rate": 10.0, "eta": 4.0}
    assert [(s.stage, s.done) for s in seen] == [("encode", 0), ("encode", 20), ("encode", 60)]
    progress.stage("align")
    assert progress.snapshot() == Snapshot("align", 0, 0, 0.0, None, None)


def _align_command(tmp_path: Path, *extra: str) -> list[str]:
    shutil.copy(REPO / "corpora" / "petition.ru.txt", tmp_path / "petition.ru.txt")
    shutil.copy(REPO / "corpora" / "newsweek.en.txt", tmp_path / "newsweek.en.txt")
    return [sys.executable, "-m", "workbench", "align", str(tmp_path / "petition.ru.txt"),
            str(tmp_path / "newsweek.en.txt"), "--signals", "embed", "-o",
            str(tmp_path / "links.txt"), *extra]


def _env(tmp_path: Path) -> dict[str, str]:
    # a cold vector cache of its own: the encode stage has work to show
    return dict(os.environ, WORKBENCH_EMBED_CACHE_DIR=str(tmp_path / "cache"), COLUMNS="120",
                PYTHONPATH=str(REPO))


def _run_on_a_terminal(cmd: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run `cmd` with stderr on a pseudo-terminal; returns its exit status and what it wrote."""
    main_fd, other_fd = pty.openpty()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=other_fd, env=env)
    os.close(other_fd)
    chunks = []
    while True:
        ready, _, _ = select.select([main_fd], [], [], 120)
        if not ready:
            proc.kill()
            break
        try:
            data = os.read(main_fd, 65536)
        except OSError:  # the other end closed
            break
        if not data:
            break
        chunks.append(data)
    os.close(main_fd)
    return proc.wait(timeout=60), b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.slow
def test_align_shows_a_bar_with_rate_and_time_left_on_a_terminal(tmp_path: Path):
    status, shown = _run_on_a_terminal(_align_command(tmp_path), _env(tmp_path))
    assert status == 0, shown
    assert ENCODE_BAR.search(shown), shown
    # what stays on the screen: a cleared bar ends in a carriage return
    last = shown.replace("\r\n", "\n").rstrip("\n").split("\n")[-1].split("\r")[-1]
    assert ALIGN_LINE.match(last), last


@pytest.mark.slow
@pytest.mark.parametrize("terminal", [False, True])
def test_align_writes_one_line_at_the_end_in_a_pipe_or_when_quiet(tmp_path: Path, terminal: bool):
    cmd = _align_command(tmp_path, *(["--quiet"] if terminal else []))
    if terminal:
        status, shown = _run_on_a_terminal(cmd, _env(tmp_path))
        shown = shown.replace("\r\n", "\n")  # the terminal's line ends
        lines = shown.rstrip("\n").split("\n")
    else:
        done = subprocess.run(cmd, capture_output=True, text=True, env=_env(tmp_path), timeout=300)
        status, shown, lines = done.returncode, done.stderr, done.stderr.splitlines()
    assert status == 0, shown
    assert "\r" not in shown and not ENCODE_BAR.search(shown)
    assert len(lines) == 2, lines
    assert lines[0].startswith("workbench: signals embed; mode ")
    m = ALIGN_LINE.match(lines[1])
    assert m, lines[1]
    # every sentence of both sides was encoded (the cache was cold), as counted in the same line
    assert int(m.group(1)) == int(m.group(3)) + int(m.group(4))

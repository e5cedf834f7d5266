"""How a long command shows its progress on stderr: a bar per stage with its rate and time left
(tqdm) when stderr is a terminal, and one line at the end in every case (the only line with
--quiet or when stderr is a pipe or a file).
"""

from __future__ import annotations

import sys
import time
from typing import Any

import click

from workbench.progress import Progress, Snapshot

QUIET_OPTION = click.option("--quiet", "-q", is_flag=True,
                            help="No progress bars; one line on stderr at the end.")
#: Each stage's unit, as the bar and the last line name it.
UNITS = {"translate": "sentences", "encode": "sentences", "align": "", "files": "files",
         "pairs": "pairs"}


def screen() -> dict[str, int]:
    """tqdm's ncols and nrows from the terminal's size ($COLUMNS and $LINES first), 80 x 24 where
    it reports none: a new pseudo-terminal says 0 x 0, and tqdm then draws an empty bar."""
    import shutil

    size = shutil.get_terminal_size((80, 24))
    return {"ncols": size.columns or 80, "nrows": size.lines or 24}


class Display:
    """The listener of a command's Progress: bars while it works (on a terminal, without
    `quiet`), then `finish()` prints one line with what each stage did and how fast."""

    def __init__(self, command: str, *, quiet: bool = False, stream: Any = None) -> None:
        self.command = command
        self.stream = stream or sys.stderr
        self.bars = not quiet and self.stream.isatty()
        self.started = time.monotonic()
        self._bar: Any = None
        self._stage = ""
        self._seen: dict[str, tuple[int, float]] = {}  # stage -> (count, seconds)
        self._stage_started = self.started
        self.progress = Progress(self.listen)

    def listen(self, snap: Snapshot) -> None:
        if snap.stage != self._stage:
            self._end_stage()
            self._stage, self._stage_started = snap.stage, time.monotonic()
            if self.bars:
                from tqdm import tqdm

                unit = UNITS.get(snap.stage, "")
                self._bar = tqdm(total=snap.total or None, desc=snap.stage, unit=f" {unit}" if unit
                                 else "it", file=self.stream, leave=False, **screen(),
                                 mininterval=0.2, bar_format=None if unit else
                                 "{desc}: {elapsed}")
        self._seen[snap.stage] = (snap.done, time.monotonic() - self._stage_started)
        if self._bar is not None:
            if snap.total and self._bar.total != snap.total:
                self._bar.total = snap.total
            self._bar.update(snap.done - self._bar.n)

    def _end_stage(self) -> None:
        if self._stage:
            done, _ = self._seen.get(self._stage, (0, 0.0))
            self._seen[self._stage] = (done, time.monotonic() - self._stage_started)
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def finish(self, result: str = "", *, counts: bool = True) -> None:
        """Close the bar and print the one line: the stages' counts and rates, then `result`
        (`result` alone without `counts`)."""
        self._end_stage()
        if not counts:
            click.echo(result, file=self.stream)
            return
        parts = []
        for stage, (done, seconds) in self._seen.items():
            unit = UNITS.get(stage, "")
            if unit:
                rate = f", {done / seconds:,.1f}/s" if seconds > 0 and done else ""
                parts.append(f"{stage} {done:,} {unit} in {seconds:.1f} s{rate}")
            else:
                parts.append(f"{stage} {seconds:.1f} s")
        total = time.monotonic() - self.started
        line = f"workbench: {self.command}: " + "; ".join(parts + [f"total {total:.1f} s"])
        click.echo(line + (f"; {result}" if result else ""), file=self.stream)

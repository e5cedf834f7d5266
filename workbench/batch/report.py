"""What a batch run reports: where it stands while it runs, and its summary when it ends.

This module owns the progress line (documents finished, skipped and failed, sentences per second,
the time left estimated from the bytes still to do) and the summary lines a run ends with (pairs
aligned, fidelity check errors, each failed pair with its manifest line and the error).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from workbench.wording import counted


@dataclass
class Status:
    """Where a run stands, for the progress display."""

    total: int
    total_bytes: int
    done: int = 0
    skipped: int = 0
    failed: int = 0
    sentences: int = 0
    done_bytes: int = 0  # of the pairs finished, skipped or failed
    skipped_bytes: int = 0  # of the pairs skipped: no measure of the rate
    checked: int = 0  # pairs aligned with the step 'check'
    check_errors: int = 0  # their findings of severity error
    started: float = field(default_factory=time.monotonic)

    @property
    def finished(self) -> int:
        return self.done + self.skipped + self.failed

    def line(self, now: float | None = None) -> str:
        """"12/200 documents (3 skipped, 1 failed), 4,810 sentences, 21.4 sentences/s, ETA 0:03:12"."""
        elapsed = max(1e-9, (now if now is not None else time.monotonic()) - self.started)
        extra = [f"{n} {what}" for n, what in ((self.skipped, "skipped"), (self.failed, "failed"))
                 if n]
        text = f"{self.finished}/{self.total} documents" + (f" ({', '.join(extra)})" if extra else "")
        text += f", {self.sentences:,} sentences, {self.sentences / elapsed:.1f} sentences/s"
        worked = self.done_bytes - self.skipped_bytes
        if worked > 0 and self.finished < self.total:
            left = max(0, self.total_bytes - self.done_bytes) * elapsed / worked
            text += f", ETA {int(left) // 3600}:{int(left) % 3600 // 60:02d}:{int(left) % 60:02d}"
        return text


@dataclass
class Summary:
    status: Status
    failures: list[tuple[str, str]]  # (file, message)
    seconds: float
    dashboard: str | None
    task_seconds: float = 0.0  # time spent inside the tasks that ran
    #: (language pair "ru>en", why there was no MT, pairs aligned without it)
    no_mt: list[tuple[str, str, int]] = field(default_factory=list)
    interrupted: bool = False  # stopped by Ctrl+C

    @property
    def left(self) -> int:
        return self.status.total - self.status.finished

    def lines(self) -> list[str]:
        s = self.status
        out = []
        if self.interrupted:
            out.append(f"interrupted: {s.finished} of {s.total} pairs finished, {self.left} left "
                       "(run the same command again to do them; finished pairs are skipped)")
        out.append(f"{counted(s.done, 'pair')} aligned, {s.skipped} already done, "
                   f"{s.failed} failed, {s.sentences:,} sentences in {self.seconds:.1f} s")
        out += [f"translate skipped for {counted(n, 'pair')} {lp.replace('>', ' → ')}, aligned "
                f"without MT as `workbench align` does: {why}" for lp, why, n in self.no_mt]
        if s.checked:
            out.append(f"fidelity checks: {s.check_errors} error{'' if s.check_errors == 1 else 's'} "
                       f"in {s.checked} pair{'' if s.checked == 1 else 's'} checked "
                       "(`workbench check` lists them)")
        out += [f"failed: {where}: {message}" for where, message in self.failures]
        return out

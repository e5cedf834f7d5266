"""Progress of long work (translating, encoding, aligning a pair), for whoever shows it.

This module owns the one progress object of the core: the work reports counts per stage, a display
(the CLI's bar, the web's preparation status) listens to the changes or polls `snapshot()`.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable

#: A stage's counter as the workers take it: (done, total).
Counter = Callable[[int, int], None]


@dataclass(frozen=True)
class Snapshot:
    """Where the work stands: the stage ("translate", "encode", "align"), its counts (total 0 when
    unknown), seconds since the stage began, items per second and seconds left (None until
    known)."""

    stage: str
    done: int
    total: int
    elapsed: float
    rate: float | None
    eta: float | None

    def to_dict(self) -> dict:
        return {"stage": self.stage, "done": self.done, "total": self.total,
                "elapsed": round(self.elapsed, 2),
                "rate": None if self.rate is None else round(self.rate, 2),
                "eta": None if self.eta is None else round(self.eta, 1)}


class Progress:
    """The progress of one piece of work, safe to update from worker threads and read from another.

    `listener`, when given, is called with a Snapshot on every change (from the working thread;
    keep it quick). Rates count only what was done in this stage, not what a cache held at its
    start, so the time left is not underestimated on a partly cached run."""

    def __init__(self, listener: Callable[[Snapshot], None] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.listener = listener
        self._clock = clock
        self._lock = threading.Lock()
        self._stage, self._done, self._total = "", 0, 0
        self._started = clock()
        self._first: int | None = None  # the count at the stage's first report

    def stage(self, name: str, total: int = 0) -> Counter:
        """Begin stage `name` (total 0: unknown) and return its counter."""
        with self._lock:
            self._stage, self._done, self._total = name, 0, total
            self._started, self._first = self._clock(), None
        self._tell()
        return lambda done, total: self.update(name, done, total)

    def update(self, stage: str, done: int, total: int) -> None:
        with self._lock:
            if stage != self._stage:
                self._stage, self._started, self._first = stage, self._clock(), None
            if self._first is None:
                self._first = done
            self._done, self._total = done, total
        self._tell()

    def snapshot(self) -> Snapshot:
        with self._lock:
            elapsed = self._clock() - self._started
            worked = self._done - (self._first or 0)
            rate = worked / elapsed if worked > 0 and elapsed > 0 else None
            eta = (self._total - self._done) / rate if rate and self._total else None
            return Snapshot(self._stage, self._done, self._total, elapsed, rate, eta)

    def _tell(self) -> None:
        if self.listener is not None:
            self.listener(self.snapshot())

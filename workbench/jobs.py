"""Preparing pairs in the background: one worker thread per Project prepares queued pairs in turn
(Project.prepare), with each job's progress (stage, sentences encoded, an estimate of the time
left) for the page to show, and cancelling between steps, before anything of the pair is written.
"""

from __future__ import annotations

import logging
import queue
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from workbench.errors import CancelledError, NotFoundError, WorkbenchError

log = logging.getLogger(__name__)

#: Finished jobs are kept this long for the page to read their outcome.
KEEP_SECONDS = 3600

STAGE_NAMES = {"queued": "waiting", "segment": "splitting into sentences",
               "translate": "machine-translating the source", "encode": "encoding sentences",
               "align": "aligning", "write": "writing the PO file"}


@dataclass
class Job:
    """A run of preparations: its pairs, where it stands, and how it ended."""

    id: str
    pairs: list[str]
    state: str = "queued"  # queued, running, done, failed, cancelled
    pair_index: int = 0
    stage: str = "queued"
    done: int = 0
    total: int = 0
    error: str | None = None
    created: float = field(default_factory=time.monotonic)
    finished: float | None = None
    _encode_started: float | None = None
    _encode_first: int = 0
    _cancel: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def cancel(self) -> None:
        """Ask the job to stop at its next step; a pair not written yet stays unprepared."""
        self._cancel.set()

    def progress(self, stage: str, done: int, total: int) -> None:
        """Project.prepare's progress callback: records where the job stands; CancelledError
        when the user asked it to stop."""
        if self._cancel.is_set():
            raise CancelledError("preparing was cancelled")
        with self._lock:
            now = time.monotonic()
            if stage == "encode" and self.stage != "encode":
                self._encode_started, self._encode_first = now, done
            self.stage, self.done, self.total = stage, done, total

    def eta(self) -> float | None:
        """Seconds left for the encoding under way, from its rate so far; None before there is
        a rate to go by."""
        if self.stage != "encode" or self._encode_started is None:
            return None
        gone = time.monotonic() - self._encode_started
        made = self.done - self._encode_first
        if made <= 0 or gone <= 0:
            return None
        return (self.total - self.done) * gone / made

    def view(self) -> dict[str, Any]:
        """What the page shows: state, the pair under way, the stage, counts, the time left."""
        with self._lock:
            eta = self.eta()
            return {"id": self.id, "state": self.state, "pairs": list(self.pairs),
                    "pair": self.pairs[min(self.pair_index, len(self.pairs) - 1)],
                    "pair_number": min(self.pair_index + 1, len(self.pairs)),
                    "stage": self.stage, "stage_name": STAGE_NAMES.get(self.stage, self.stage),
                    "done": self.done, "total": self.total,
                    "eta_seconds": round(eta, 1) if eta is not None else None,
                    "error": self.error}


class Jobs:
    """The background preparations of one Project: submit pairs, read a job's view, cancel."""

    def __init__(self, prepare: Callable[..., Any]) -> None:
        self._prepare = prepare
        self._jobs: dict[str, Job] = {}
        self._queue: queue.Queue[Job] = queue.Queue()
        self._guard = threading.Lock()
        self._worker: threading.Thread | None = None

    def submit(self, pairs: list[str]) -> Job:
        job = Job(secrets.token_hex(8), list(pairs))
        with self._guard:
            self._forget_old()
            self._jobs[job.id] = job
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._work, name="workbench-prepare",
                                                daemon=True)
                self._worker.start()
        self._queue.put(job)
        return job

    def get(self, job_id: str) -> Job:
        with self._guard:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFoundError(f"no preparation '{job_id}'",
                                hint="it finished over an hour ago, or the server was restarted: "
                                     "open the pair from the list")
        return job

    def wait(self, job_id: str, timeout: float = 120.0) -> Job:
        """The job once it has ended (for the command line and tests)."""
        job = self.get(job_id)
        deadline = time.monotonic() + timeout
        while job.finished is None and time.monotonic() < deadline:
            time.sleep(0.05)
        return job

    def _forget_old(self) -> None:
        now = time.monotonic()
        for key in [k for k, j in self._jobs.items()
                    if j.finished is not None and now - j.finished > KEEP_SECONDS]:
            del self._jobs[key]

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            self._run(job)

    def _run(self, job: Job) -> None:
        job.state = "running"
        try:
            for i, pair_id in enumerate(job.pairs):
                job.pair_index = i
                job.progress("segment", 0, 1)
                self._prepare(pair_id, progress=job.progress)
            job.state = "done"
        except CancelledError:
            job.state = "cancelled"
        except WorkbenchError as exc:
            job.state, job.error = "failed", str(exc)
        except Exception as exc:  # a bug: logged with its traceback, and the page says it failed
            log.exception("preparing %s failed", job.pairs[job.pair_index])
            job.state, job.error = "failed", f"internal error: {type(exc).__name__}: {exc}"
        finally:
            job.finished = time.monotonic()

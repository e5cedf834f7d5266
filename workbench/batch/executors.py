"""Where a batch run's tasks run: in this process, or on a Dask cluster.

This module owns the executors a run hands its tasks to: Sequential (one after another in this
process, the reference output) and DaskExecutor (a LocalCluster of worker processes or an existing
scheduler at tcp://HOST:PORT, tasks submitted in a sliding window, a pair whose task fails or kills
workers reported as that pair's failure). dask is imported only when a cluster is used.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from workbench.batch.tasks import Failed
from workbench.errors import InputError, WorkbenchError

SCHEDULER_HINT = "use local, sequential or tcp://HOST:PORT"
#: Where a local cluster listens: this machine only.
LOOPBACK = "127.0.0.1"


class Sequential:
    """Runs every task in this process, one after another: the baseline, and the reference output."""

    dashboard: str | None = None
    describe = "sequential (this process)"

    def close(self, interrupted: bool = False) -> None:
        pass

    def call(self, fn: Callable, *args: Any) -> Any:
        return fn(*args)

    def map(self, fn: Callable, items: Iterator[tuple[Any, tuple, dict]]
            ) -> Iterator[tuple[Any, Any]]:
        """fn(*args, **{name: [results of the subtasks]}) for each item, in order."""
        for tag, args, deps in items:
            try:
                kwargs = {name: [f(*a) for f, a in tasks] for name, tasks in deps.items()}
                outcome = fn(*args, **kwargs)
            except WorkbenchError as exc:
                outcome = Failed(str(exc))
            # as on a cluster (DaskExecutor.map), a bug met on one pair is that pair's failure
            except Exception as exc:
                outcome = Failed(f"{type(exc).__name__}: {exc}")
            yield tag, outcome


class DaskExecutor:
    """Tasks on a Dask cluster: a LocalCluster of worker processes, or an existing scheduler.

    Tasks are submitted in a sliding window (a few per worker thread), so the client holds the texts
    of the pairs in flight only; a worker that dies has its tasks rerun elsewhere by the scheduler,
    and a pair whose task keeps killing workers comes back as that pair's failure."""

    def __init__(self, scheduler: str, workers: int | None = None) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise InputError("batch runs on a cluster need dask and distributed",
                             hint="pip install 'dask[distributed]' (make install does this), "
                                  "or use --scheduler sequential") from None
        self.cluster = None
        if scheduler == "local":
            import dask

            from workbench.translate import cores

            n = workers or cores()
            # the statistical profiler samples every task's stack 100 times a second, taking the
            # GIL from the aligner's Python; the dashboard's profile page is not worth that here.
            # Dask's MALLOC_TRIM_THRESHOLD_ for workers fixes glibc's mmap threshold at 128 kB, so
            # the encoder's buffers are mapped and unmapped on every call: tasks ran 1.4x slower.
            with dask.config.set({"distributed.worker.profile.enabled": False,
                                  "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}), \
                    _no_interrupt():
                # every listener on the loopback interface: the scheduler, the nannies and the
                # workers take `host`; the scheduler's HTTP server (dashboard, /health, /metrics,
                # which answers without bokeh too) would take every interface from a bare ":port"
                self.cluster = LocalCluster(
                    n_workers=n, threads_per_worker=1, processes=True, host=LOOPBACK,
                    # without bokeh the address serves no dashboard: any free port
                    dashboard_address=f"{LOOPBACK}:{8787 if _has_bokeh() else 0}",
                    worker_dashboard_address=None)
            self.client = Client(self.cluster)
            self.describe = f"local cluster, {n} worker process{'es' if n > 1 else ''}"
        else:
            try:
                self.client = Client(scheduler, timeout="10s")
            except (OSError, TimeoutError, ValueError) as exc:
                raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {exc}",
                                 hint="start one with `dask scheduler` and workers with "
                                      "`dask worker ADDRESS` (docs/cluster.md)") from None
            self.describe = f"cluster at {scheduler}"
            # a fresh scheduler has no workers yet: wait a little for the first
            try:
                self.client.wait_for_workers(1, timeout=30)
            except TimeoutError:
                self.close()
                raise InputError(f"the Dask scheduler at {scheduler} has no workers",
                                 hint="start workers with `dask worker ADDRESS`") from None
        # the scheduler answers on its dashboard port without bokeh too, but shows nothing there
        self.dashboard = (self.client.dashboard_link
                          if self.client.run_on_scheduler(_has_bokeh) else None)

    def threads(self) -> int:
        return max(1, sum(self.client.nthreads().values()))

    def call(self, fn: Callable, *args: Any) -> Any:
        return self.client.submit(fn, *args, pure=False).result()

    def map(self, fn: Callable, items: Iterator[tuple[Any, tuple, dict]]
            ) -> Iterator[tuple[Any, Any]]:
        """As Sequential.map, in the order tasks finish; subtasks run anywhere on the cluster and
        their results go to the worker that runs fn."""
        from distributed import as_completed

        window = 4 * self.threads()
        pending = as_completed()
        tags: dict[str, Any] = {}

        def submit() -> bool:
            item = next(items, None)
            if item is None:
                return False
            tag, args, deps = item
            kwargs = {name: [self.client.submit(f, *a, pure=False) for f, a in tasks]
                      for name, tasks in deps.items()}
            future = self.client.submit(fn, *args, **kwargs, pure=False)
            tags[future.key] = tag
            pending.add(future)
            return True

        while len(tags) < window and submit():
            pass
        for future in pending:
            tag = tags.pop(future.key)
            try:
                outcome = future.result()
            # a pair must not stop the others, whatever went wrong with its task: a worker that
            # died on it (KilledWorker), a bug, a lost connection; it is reported as that pair's
            # failure, with the error's type
            except Exception as exc:
                outcome = Failed(f"{type(exc).__name__}: {exc}")
            future.release()
            yield tag, outcome
            while len(tags) < window and submit():
                pass

    def close(self, interrupted: bool = False) -> None:
        if interrupted:
            # Ctrl+C: the tasks still running are dropped on purpose; their workers need not
            # report each one cancelled
            try:
                self.client.run(_quiet, wait=True)
            except (OSError, TimeoutError):
                pass  # a worker already gone has nothing left to say
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


@contextmanager
def _no_interrupt() -> Iterator[None]:
    """Ctrl+C ignored while the local cluster starts its worker processes: they inherit that and
    keep ignoring it (Python installs no SIGINT handler where the signal is ignored at startup),
    so a Ctrl+C stops the run through its client, which ends the workers itself, rather than
    breaking each worker with a traceback of its own."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


def _quiet() -> None:
    import logging

    logging.getLogger("distributed").setLevel(logging.ERROR)


def _has_bokeh() -> bool:
    import importlib.util

    return importlib.util.find_spec("bokeh") is not None


def executor(scheduler: str, workers: int | None = None) -> Sequential | DaskExecutor:
    if scheduler == "sequential":
        return Sequential()
    if scheduler == "local" or re.fullmatch(r"tcp://[^\s/]+:\d+", scheduler):
        return DaskExecutor(scheduler, workers)
    raise InputError(f"unknown scheduler '{scheduler}'", hint=SCHEDULER_HINT)

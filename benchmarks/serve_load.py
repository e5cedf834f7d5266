"""Many editors on one pair: 16 clients make 5,000 acknowledged changes against a real
`workbench serve` on 127.0.0.1, and nothing acknowledged may be lost.

A fresh temporary data directory gets the bundled corpus and the pair's PO file (`workbench
align`), then `workbench serve` runs on it in a process of its own. Each client is one browser (its
own session, CSRF token and author name) and makes its share of the changes: notes and status
changes, spread over the beads, with a share of them on two "hot" beads so that clients contend.
Each change names the revision of the bead as the client last saw it; a 409 gives the current one
and the client tries again, until the change is acknowledged.

Printed: changes/s, request latency p50/p99, the number of 409 answers, the most retries one change
needed, lost changes (every acknowledged note must be in the PO file afterwards, and every bead's
status must be the one of its last acknowledged status change, read with polib), and the latency
of a single change (one client alone, median of --samples) after the load, at history length
~5,000, as a ratio against the baseline measured in the same run: the same measure at history
length 0 on the same PO file (the history moved away; the server starts a new one). The latency
on fresh data before the load is printed too; against it, the PO file's growth by the load's notes
counts as well. Targets on a 2-core machine:
>= 100 changes/s, p99 <= 200 ms, ratio <= 1.5, 0 lost.

The load runs twice, each on a fresh data directory and server: as above, then with --idle (100)
connections held open to the server the whole time, sending nothing (--idle-kind half-open: a
request line and a header, never the end of the headers), each one the server closes opened again
at once, as a hostile local process would; the same targets hold. The last line is one JSON
object: {"changes_per_s": ..., "p99_ms": ..., "lost": ..., "history_latency_ratio": ...,
"idle": {the same for the run with idle connections, and "idle_reopened"}}.

    .venv/bin/python benchmarks/serve_load.py [--changes 5000] [--clients 16] [--samples 50]
                                              [--idle 100] [--idle-kind idle|half-open]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import selectors
import socket
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from live_server import Client, Server, make_data_dir, read_po  # noqa: E402

STATUSES = ("approved", "needs-work", "rejected", "unreviewed")


@dataclass
class Tally:
    """What one client saw."""

    latencies: list[float] = field(default_factory=list)
    conflicts: int = 0
    max_retries: int = 0
    errors: list[str] = field(default_factory=list)
    #: (key, note text) of every acknowledged note
    notes: list[tuple[str, str]] = field(default_factory=list)
    #: (pair revision of the answer, key, status) of every acknowledged status change
    statuses: list[tuple[int, str, str]] = field(default_factory=list)


class IdleHolder(threading.Thread):
    """Holds `n` connections to the server open that send nothing (half-open: a request line and
    one header, never their end), opening a new one for each that the server closes, until
    stopped. `reopened` counts those."""

    def __init__(self, port: int, n: int, kind: str) -> None:
        super().__init__(daemon=True)
        self.port, self.n = port, n
        self.first = b"GET /api/pairs HTTP/1.1\r\nHost: 127.0.0.1\r\n" if kind == "half-open" \
            else b""
        self.reopened = 0
        self.stopping = threading.Event()
        self.ready = threading.Event()

    def _open(self, sel: selectors.BaseSelector) -> None:
        s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        if self.first:
            s.sendall(self.first)
        sel.register(s, selectors.EVENT_READ)

    def run(self) -> None:
        with selectors.DefaultSelector() as sel:
            for _ in range(self.n):
                self._open(sel)
            self.ready.set()
            while not self.stopping.is_set():
                for key, _ in sel.select(timeout=0.2):
                    s = key.fileobj
                    try:
                        data = s.recv(4096)
                    except OSError:
                        data = b""
                    if not data:  # closed by the server: hold another one
                        sel.unregister(s)
                        s.close()
                        self.reopened += 1
                        self._open(sel)
            for key in list(sel.get_map().values()):
                key.fileobj.close()


def one_change(client: Client, view: dict[str, str], key: str, kind: str, value: str,
               tally: Tally, deadline: float, seen: dict[str, str] | None = None) -> bool:
    """Send a change until it is acknowledged; False when it could not be (deadline, error).
    `seen` collects the statuses of the beads in the answers."""
    seen = {} if seen is None else seen
    retries = 0
    while time.monotonic() < deadline:
        t0 = time.perf_counter()
        try:
            # A note is added to the bead as it is now (as the page does); a status names the
            # bead's revision as this client last saw it.
            status, body = client.change(key, view.get(key) if kind == "status" else None, kind,
                                         value)
        except (OSError, http.client.HTTPException) as exc:
            tally.errors.append(f"{key}: {exc!r}")
            client.close()
            return False
        tally.latencies.append(time.perf_counter() - t0)
        if status == 200:
            for b in body["beads"]:
                view[b["key"]] = b["rev"]
            for b in body["beads"]:
                seen[b["key"]] = b["status"]
            if kind == "note":
                tally.notes.append((key, value))
            else:
                tally.statuses.append((body["revision"], key, value))
            tally.max_retries = max(tally.max_retries, retries)
            return True
        if status == 409:
            tally.conflicts += 1
            retries += 1
            for b in (body.get("current") or {}).get("beads", []):
                view[b["key"]] = b["rev"]
                seen[b["key"]] = b["status"]
            continue
        tally.errors.append(f"{key}: {status} {body.get('message')}")
        return False
    return False


def run_client(port: int, n: int, seed: int, keys: list[str], hot: list[str], hot_share: float,
               tally: Tally, deadline: float, start: threading.Barrier) -> None:
    author = f"c{seed:02d}"
    client = Client(port, author)
    view = client.beads()
    rnd = random.Random(seed)
    seen: dict[str, str] = {}
    start.wait()
    try:
        for i in range(n):
            key = rnd.choice(hot) if rnd.random() < hot_share else rnd.choice(keys)
            if i % 2 == 0:
                kind, value = "note", f"{author}-{i} checked"
            else:  # a status other than the one this client saw last (a real change, mostly)
                kind, value = "status", rnd.choice([s for s in STATUSES if s != seen.get(key)])
            if not one_change(client, view, key, kind, value, tally, deadline, seen):
                if time.monotonic() >= deadline:
                    tally.errors.append("deadline reached")
                    return
    finally:
        client.close()


def single_change_ms(port: int, key: str, samples: int) -> float:
    """Median latency of one change made by one client alone (status toggles on one bead), after
    the disk has written out what earlier phases left in the page cache."""
    os.sync()
    time.sleep(1.0)
    client = Client(port, "solo")
    view = client.beads()
    times = []
    tally = Tally()
    for i in range(samples):
        t0 = time.perf_counter()
        status = STATUSES[i % 2]
        if not one_change(client, view, key, "status", status, tally, time.monotonic() + 60):
            raise RuntimeError(f"a single change failed: {tally.errors}")
        times.append(time.perf_counter() - t0)
    client.close()
    return statistics.median(times) * 1000


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def load_run(args: argparse.Namespace, idle: int) -> tuple[dict, list[str], list[str]]:
    """One run of the load on a fresh data directory and server, with `idle` connections held
    open meanwhile: (the figures, errors, lost changes)."""
    with tempfile.TemporaryDirectory(prefix="serve-load-") as tmp:
        work = (args.work / f"idle-{idle}") if args.work else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        po = make_data_dir(work)
        server = Server(po.parents[1], work)
        holder = IdleHolder(server.port, idle, args.idle_kind) if idle else None
        try:
            if holder is not None:
                holder.start()
                holder.ready.wait(60)
            keys = sorted(Client(server.port, "setup").beads())
            solo, keys = keys[-1], keys[:-1]  # the single-change figures use a bead of their own
            hot = keys[:2]
            baseline_ms = single_change_ms(server.port, solo, args.samples)

            tallies = [Tally() for _ in range(args.clients)]
            shares = [args.changes // args.clients + (1 if i < args.changes % args.clients else 0)
                      for i in range(args.clients)]
            start = threading.Barrier(args.clients + 1)
            deadline = time.monotonic() + args.timeout
            threads = [threading.Thread(target=run_client, args=(
                server.port, shares[i], i, keys, hot, args.hot_share, tallies[i], deadline, start))
                for i in range(args.clients)]
            for t in threads:
                t.start()
            start.wait()
            t0 = time.perf_counter()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - t0

            after_ms = single_change_ms(server.port, solo, args.samples)
            # The same measure at history length 0 on the PO file as it is now (grown by the
            # load's notes): the history is moved away, as a user may, and the server starts a
            # new one. This ratio isolates the history's length from the PO file's size.
            journal = po.parent / f".{po.name}.history.jsonl"
            history_lines = sum(1 for _ in journal.open("rb")) - 1
            journal.rename(journal.with_name(journal.name + ".moved"))
            fresh_ms = single_change_ms(server.port, solo, args.samples)
        finally:
            if holder is not None:
                holder.stopping.set()
                holder.join(30)
            server.stop()

        lat = [x for t in tallies for x in t.latencies]
        notes = [n for t in tallies for n in t.notes]
        statuses = sorted(s for t in tallies for s in t.statuses)
        acked = len(notes) + len(statuses)
        errors = [e for t in tallies for e in t.errors]
        final = read_po(po)
        missing = [f"note {text!r} on {key}" for key, text in notes if text not in final[key][1]]
        last = {key: (rev, status) for rev, key, status in statuses}  # by revision: the last wins
        missing += [f"status {status} of {key} (revision {rev}), the file says {final[key][0]}"
                    for key, (rev, status) in last.items() if final[key][0] != status]
        lost = len(missing)

    result = {
        "changes_per_s": round(acked / elapsed, 1),
        "p50_ms": round(percentile(lat, 0.50) * 1000, 1),
        "p99_ms": round(percentile(lat, 0.99) * 1000, 1),
        "conflicts_409": sum(t.conflicts for t in tallies),
        "max_retries": max(t.max_retries for t in tallies),
        "acknowledged": acked,
        "planned": args.changes,
        "errors": len(errors),
        "lost": lost,
        "single_change_ms_fresh_data": round(baseline_ms, 2),
        "single_change_ms_history_after": round(after_ms, 2),
        "single_change_ms_history_0_same_po": round(fresh_ms, 2),
        "history_steps_after": history_lines,
        "history_latency_ratio": round(after_ms / fresh_ms, 2),
        "ratio_vs_fresh_data": round(after_ms / baseline_ms, 2),
        "idle_connections": idle,
        "idle_reopened": holder.reopened if holder is not None else 0,
        "elapsed_s": round(elapsed, 1),
    }
    return result, errors, missing


def report(args: argparse.Namespace, result: dict, errors: list[str], missing: list[str]) -> None:
    idle = result["idle_connections"]
    print(f"with {idle} {args.idle_kind} connections held open:" if idle
          else "without idle connections:")
    print(f"  {args.clients} clients, {result['acknowledged']} of {args.changes} changes "
          f"acknowledged in {result['elapsed_s']} s: {result['changes_per_s']} changes/s")
    print(f"  request latency p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms; "
          f"{result['conflicts_409']} answers 409, at most {result['max_retries']} retries for "
          f"one change; {len(errors)} errors; {result['lost']} lost")
    print(f"  single change (median of {args.samples}): "
          f"{result['single_change_ms_history_after']:.1f} ms at {result['history_steps_after']} "
          f"history steps, {result['single_change_ms_history_0_same_po']:.1f} ms at history "
          f"length 0 on the same PO file (baseline): ratio {result['history_latency_ratio']}; on "
          f"fresh data before the load {result['single_change_ms_fresh_data']:.1f} ms (ratio "
          f"{result['ratio_vs_fresh_data']}, which includes the PO file's growth)")
    if idle:
        print(f"  the server closed {result['idle_reopened']} of the held connections (each "
              "opened again at once)")
    for e in errors[:5]:
        print("  error:", e)
    for m in missing[:5]:
        print("  lost:", m)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--changes", type=int, default=5000, help="acknowledged changes in total")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--samples", type=int, default=100, help="single changes per latency figure")
    ap.add_argument("--hot-share", type=float, default=0.1,
                    help="share of the changes that go to two hot beads (contention)")
    ap.add_argument("--timeout", type=float, default=900, help="stop the load after this many s")
    ap.add_argument("--idle", type=int, default=100,
                    help="connections held open during the second run (0: no second run)")
    ap.add_argument("--idle-kind", choices=["idle", "half-open"], default="idle",
                    help="idle: send nothing; half-open: a request line and a header, no end")
    ap.add_argument("--work", type=Path, default=None, help="keep the data directories here")
    args = ap.parse_args()

    runs = []
    for idle in [0] + ([args.idle] if args.idle else []):
        result, errors, missing = load_run(args, idle)
        report(args, result, errors, missing)
        runs.append(result)
    keys = ("changes_per_s", "p99_ms", "lost", "history_latency_ratio")
    out = {k: runs[0][k] for k in keys} | runs[0]
    if len(runs) > 1:
        out["idle"] = runs[1]
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Kill the real server with SIGKILL in the middle of a stream of changes, many times, and check
that nothing acknowledged was lost.

Each round starts `workbench serve` (scripts/live_server.py) on the same data directory, lets a
few clients make notes and status changes for a random moment, and kills the server with SIGKILL.
Then the PO file must pass `msgfmt --check-format` and polib, hold every note the server ever
acknowledged, and give every bead the status of its last acknowledged status change (or of a
change sent after it whose answer the kill cut off: the server may have saved it). After the next
start and its first request, no temporary file of a save may be left beside the PO file, and the
server must accept changes again. tests/test_crash.py runs 20 rounds; this script defaults to 100
and prints the counts, with one JSON object as its last line.

    .venv/bin/python scripts/crash_soak.py [--rounds 100] [--clients 4]
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from live_server import Client, Server, make_data_dir, msgfmt_ok, read_po  # noqa: E402

STATUSES = ("approved", "needs-work", "rejected", "unreviewed")


@dataclass
class Ledger:
    """Every change the clients sent, and what the server acknowledged (thread-safe appends)."""

    notes: list[tuple[str, str]] = field(default_factory=list)
    #: (revision, key, status) of acknowledged status changes
    statuses: list[tuple[int, str, str]] = field(default_factory=list)
    #: (key, status) of status changes whose answer never came
    unanswered: list[tuple[str, str]] = field(default_factory=list)
    sent: int = 0
    conflicts: int = 0


@dataclass
class Counts:
    rounds: int = 0
    acknowledged: int = 0
    sent: int = 0
    unanswered: int = 0
    conflicts: int = 0
    lost: int = 0
    msgfmt_failures: int = 0
    polib_failures: int = 0
    leftover_files: int = 0
    #: temporary files a kill left (each must be gone after the next start)
    killed_temporaries: int = 0
    histories_set_aside: int = 0
    failed_restarts: int = 0
    problems: list[str] = field(default_factory=list)


def client_loop(port: int, author: str, seed: int, ledger: Ledger, stop: threading.Event,
                lock: threading.Lock) -> None:
    rnd = random.Random(seed)
    try:
        client = Client(port, author, timeout=10)
        keys = sorted(client.beads())
    except (OSError, http.client.HTTPException, RuntimeError):
        return  # killed before this client got going
    i = 0
    while not stop.is_set():
        key = rnd.choice(keys)
        i += 1
        kind = "note" if i % 2 else "status"
        value = f"{author}-{seed}-{i}" if kind == "note" else rnd.choice(STATUSES)
        with lock:
            ledger.sent += 1
        try:
            status, body = client.change(key, None, kind, value)
        except (OSError, http.client.HTTPException):  # the kill cut the answer off
            if kind == "status":
                with lock:
                    ledger.unanswered.append((key, value))
            return
        with lock:
            if status == 200:
                if kind == "note":
                    ledger.notes.append((key, value))
                else:
                    ledger.statuses.append((body["revision"], key, value))
            elif status == 409:
                ledger.conflicts += 1


def check(po: Path, ledger: Ledger, counts: Counts) -> None:
    ok, err = msgfmt_ok(po)
    if not ok:
        counts.msgfmt_failures += 1
        counts.problems.append(f"msgfmt: {err}")
    try:
        final = read_po(po)
    except (OSError, ValueError) as exc:
        counts.polib_failures += 1
        counts.problems.append(f"polib: {exc}")
        return
    for key, text in ledger.notes:
        if text not in final[key][1]:
            counts.lost += 1
            counts.problems.append(f"note {text!r} on {key} is gone")
    last = {key: status for _, key, status in sorted(ledger.statuses)}
    for key, status in last.items():
        allowed = {status} | {s for k, s in ledger.unanswered if k == key}
        if final[key][0] not in allowed:
            counts.lost += 1
            counts.problems.append(f"{key} is {final[key][0]}, acknowledged {status}")


def leftovers(po: Path) -> list[Path]:
    return sorted(po.parent.glob(f".{po.name}.*.tmp"))


def soak(work: Path, rounds: int, clients: int = 4, seed: int = 1,
         run_for: tuple[float, float] = (0.3, 1.2)) -> Counts:
    po = make_data_dir(work)
    root = po.parents[1]
    ledger, lock, counts = Ledger(), threading.Lock(), Counts()
    rnd = random.Random(seed)
    for r in range(rounds):
        try:
            server = Server(root, work)
        except RuntimeError as exc:
            counts.failed_restarts += 1
            counts.problems.append(f"round {r}: {exc}")
            break
        # The first request after a start: the server must answer and leave no leftovers.
        try:
            Client(server.port, "check").beads()
        except (OSError, http.client.HTTPException, RuntimeError) as exc:
            counts.failed_restarts += 1
            counts.problems.append(f"round {r}: first request failed: {exc}")
        left = leftovers(po)
        if left:
            counts.leftover_files += len(left)
            counts.problems.append(f"round {r}: left over: {[p.name for p in left]}")
        stop = threading.Event()
        threads = [threading.Thread(target=client_loop, args=(
            server.port, f"k{c}", r * 100 + c, ledger, stop, lock)) for c in range(clients)]
        for t in threads:
            t.start()
        time.sleep(rnd.uniform(*run_for))
        server.kill()
        stop.set()
        for t in threads:
            t.join(timeout=30)
        counts.rounds += 1
        counts.killed_temporaries += len(leftovers(po))
        check(po, ledger, counts)
    # One last start: leftovers of the last kill are cleaned, changes are accepted again.
    server = Server(root, work)
    try:
        client = Client(server.port, "check")
        key = sorted(client.beads())[0]
        status, body = client.change(key, None, "note", "after the last kill")
        if status != 200:
            counts.failed_restarts += 1
            counts.problems.append(f"after the last kill: {status} {body.get('message')}")
        counts.leftover_files += len(leftovers(po))
    finally:
        server.stop()
    counts.histories_set_aside = len(list(po.parent.glob(f".{po.name}.history.set-aside-*")))
    counts.acknowledged = len(ledger.notes) + len(ledger.statuses)
    counts.sent, counts.unanswered, counts.conflicts = ledger.sent, len(ledger.unanswered), \
        ledger.conflicts
    return counts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--work", type=Path, default=None, help="keep the data directory here")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="crash-soak-") as tmp:
        t0 = time.perf_counter()
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        c = soak(work, args.rounds, args.clients, args.seed)
        elapsed = time.perf_counter() - t0
    print(f"{c.rounds} SIGKILLs in {elapsed:.0f} s; {c.acknowledged} changes acknowledged of "
          f"{c.sent} sent ({c.unanswered} status changes cut off by a kill, {c.conflicts} 409)")
    print(f"lost {c.lost}; msgfmt rejected {c.msgfmt_failures}, polib {c.polib_failures}; "
          f"{c.killed_temporaries} temporary files left by kills, {c.leftover_files} of them "
          f"still there after a restart; {c.histories_set_aside} histories set aside; "
          f"{c.failed_restarts} failed restarts")
    for p in c.problems[:10]:
        print("problem:", p)
    print(json.dumps({"kills": c.rounds, "acknowledged": c.acknowledged, "lost": c.lost,
                      "msgfmt_failures": c.msgfmt_failures, "polib_failures": c.polib_failures,
                      "killed_temporaries": c.killed_temporaries,
                      "leftover_files": c.leftover_files,
                      "histories_set_aside": c.histories_set_aside,
                      "failed_restarts": c.failed_restarts}))
    return 0 if not c.problems else 1


if __name__ == "__main__":
    sys.exit(main())

"""Idle and half-open connections against a real server on 127.0.0.1: they must not keep a
reviewer out (web.server's guard: caps per client and in all, header and idle timeouts)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from factories import PAIR, free_port, make_data_dir, start_server, stop

HALF_OPEN = b"GET /api/pairs HTTP/1.1\r\nHost: 127.0.0.1\r\n"  # the headers never end


def connect(port: int, send: bytes = b"") -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    if send:
        s.sendall(send)
    return s


def closed_by_server(s: socket.socket, within: float) -> bool:
    """True when the server closes `s` within `within` seconds (nothing else is sent on it)."""
    s.settimeout(within)
    try:
        return s.recv(1024) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def timed_get(url: str) -> tuple[int, float]:
    t0 = time.monotonic()
    with urllib.request.urlopen(url, timeout=10) as res:
        res.read()
        return res.status, time.monotonic() - t0


@pytest.mark.parametrize("first", [b"", HALF_OPEN], ids=["idle", "half-open"])
def test_two_hundred_idle_and_half_open_connections_do_not_keep_a_reviewer_out(first, tmp_path):
    root = make_data_dir(tmp_path / "data")
    url, proc = start_server(root, tmp_path)
    port = int(url.rsplit(":", 1)[1])
    held = []
    try:
        # 100 of the kind under test, then 100 of the other: more than waitress's own limit (100)
        for kind in (first, HALF_OPEN if not first else b""):
            held += [connect(port, kind) for _ in range(100)]
        time.sleep(0.5)  # the server has seen every one of them
        for path in ("/api/session", f"/api/pairs/{PAIR}", f"/pairs/{PAIR}"):
            status, seconds = timed_get(url + path)
            assert status == 200 and seconds < 5, (path, seconds)
    finally:
        for s in held:
            s.close()
        stop(proc)


GUARDED = """
import sys
from workbench.web import create_app
from workbench.web.server import Guard, make_server
app = create_app({"DATA_DIR": sys.argv[1]})
guard = Guard(per_client=4, connections=6, header_timeout=1, idle_timeout=3, check_interval=1)
make_server(app, host="127.0.0.1", port=int(sys.argv[2]), threads=2,
            max_request_body_size=1 << 22, guard=guard).run()
"""


@pytest.fixture
def guarded(tmp_path: Path):
    """A server with small caps and short timeouts: 4 connections per client, 6 in all, headers
    within 1 s, 3 s of silence at most."""
    root = make_data_dir(tmp_path / "data")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", GUARDED, str(root), str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/session", timeout=5).read()
            break
        except OSError:
            assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read()
            time.sleep(0.2)
    yield port
    stop(proc)


def test_slow_headers_and_silent_connections_are_closed_after_their_timeouts(guarded):
    half_open, silent = connect(guarded, HALF_OPEN), connect(guarded)
    t0 = time.monotonic()
    assert closed_by_server(half_open, 5)
    assert 0.9 < time.monotonic() - t0 < 3.5  # 1 s, checked every second
    assert closed_by_server(silent, 6)
    assert 2.9 < time.monotonic() - t0 < 6  # 3 s of silence
    half_open.close(), silent.close()


def test_over_the_cap_the_idlest_connection_that_never_sent_a_request_is_closed(guarded):
    silent = [connect(guarded) for _ in range(3)]
    served = connect(guarded, b"GET /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    served.settimeout(10)
    assert served.recv(65536).startswith(b"HTTP/1.1 200 OK")  # kept alive
    time.sleep(0.2)
    newest = connect(guarded)  # the fifth of this client: one over the cap
    assert closed_by_server(silent[0], 2)  # the oldest that never sent a request
    assert not closed_by_server(silent[1], 0.5) and not closed_by_server(served, 0.2)
    served.sendall(b"GET /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    served.settimeout(10)
    assert served.recv(65536).startswith(b"HTTP/1.1 200 OK")
    for s in silent + [served, newest]:
        s.close()

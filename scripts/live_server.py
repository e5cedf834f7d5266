"""A real `workbench serve` on 127.0.0.1 over a fresh data directory, and a small HTTP client for
it: what benchmarks/serve_load.py, scripts/crash_soak.py and tests/test_crash.py share.

The data directory holds a copy of the bundled corpus and the pair's PO file, made by `workbench
align` as a user would. The server runs with an empty Argos packages directory of its own (no
model: no machine translation is loaded). Every request goes to 127.0.0.1 only.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path

import polib

REPO = Path(__file__).resolve().parents[1]
PAIR = "petition-ru__newsweek-en"


def environment(work: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["ARGOS_PACKAGES_DIR"] = str(work / "argos-packages")
    env["WORKBENCH_CACHE_DIR"] = str(work / "cache")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return env


def make_data_dir(work: Path) -> Path:
    """A data directory under `work` with the corpus and the pair's PO file; returns the PO path."""
    root = work / "data"
    shutil.copytree(REPO / "corpora", root / "corpora")
    (root / "translations").mkdir()
    po = root / "translations" / f"{PAIR}.po"
    subprocess.run([sys.executable, "-m", "workbench", "align", "corpora/petition.ru.txt",
                    "corpora/newsweek.en.txt", "-o", str(po.relative_to(root))],
                   cwd=root, env=environment(work), check=True, capture_output=True, timeout=300)
    return po


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`workbench serve --data ROOT` in a process of its own, on a free loopback port."""

    def __init__(self, root: Path, work: Path, *, wait: float = 120.0) -> None:
        self.port = free_port()
        self.log = open(work / "server.log", "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "workbench", "serve", "--data", str(root), "--host",
             "127.0.0.1", "--port", str(self.port)],
            env=environment(work), stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + wait
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}; "
                                   f"see {self.log.name}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"the server did not listen within {wait:.0f} s") from None
                time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind runs in the server."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.log.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        self.log.close()


class Client:
    """One browser: a session cookie, its CSRF token, one kept-alive connection."""

    def __init__(self, port: int, author: str, timeout: float = 60.0) -> None:
        self.port, self.author, self.timeout = port, author, timeout
        self.conn: http.client.HTTPConnection | None = None
        self.cookie = ""
        status, body = self.request("GET", "/api/session")
        if status != 200:
            raise RuntimeError(f"GET /api/session answered {status}")
        self.csrf = body["csrf_token"]

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        return self.conn

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        headers = {"Accept": "application/json"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers |= {"Content-Type": "application/json", "X-CSRF-Token": self.csrf}
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, path, body=data, headers=headers)
                res = conn.getresponse()
                raw = res.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A kept-alive connection the server closed: once more on a new one. (A POST
                # that reached the server is then answered by a 409 or applied twice; the callers
                # count what was acknowledged, not what was sent.)
                self.close()
                if attempt == 2 or method != "GET":
                    raise
                continue
            cookie = res.getheader("Set-Cookie")
            if cookie:
                jar = SimpleCookie()
                jar.load(cookie)
                self.cookie = "; ".join(f"{k}={m.value}" for k, m in jar.items())
            if res.getheader("Connection", "").lower() == "close":
                self.close()
            try:
                return res.status, json.loads(raw or b"{}")
            except ValueError:
                return res.status, {"message": raw[:200].decode("utf-8", "replace")}
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def beads(self) -> dict[str, str]:
        """key -> revision of every bead of the pair."""
        status, body = self.request("GET", f"/api/pairs/{PAIR}")
        if status != 200:
            raise RuntimeError(f"GET /api/pairs/{PAIR} answered {status}: {body.get('message')}")
        return {b["key"]: b["rev"] for b in body["beads"]}

    def change(self, key: str, rev: str | None, kind: str, value: str) -> tuple[int, dict]:
        """One change of a bead: kind 'note' (value = its text) or 'status'."""
        path = f"/api/pairs/{PAIR}/beads/{key}/" + ("annotations" if kind == "note" else "status")
        body: dict = {"author": self.author}
        body |= {"text": value} if kind == "note" else {"status": value}
        if rev is not None:
            body["beads"] = {key: rev}
        return self.request("POST", path, body)


def read_po(po: Path) -> dict[str, tuple[str, list[str]]]:
    """key -> (status, note texts) of every bead of the PO file, read with polib."""
    out = {}
    for entry in polib.pofile(str(po), wrapwidth=0):
        key = entry.msgctxt.rsplit("|", 1)[1]
        flags = entry.flags
        status = ("rejected" if "rejected" in flags else "needs-work" if "needs-work" in flags
                  else "unreviewed" if "fuzzy" in flags else "approved")
        notes = [line.split("] ", 1)[1].rsplit(" -- ", 1)[0]
                 for line in entry.tcomment.split("\n") if line.startswith("[")] \
            if entry.tcomment else []
        out[key] = (status, notes)
    return out


def msgfmt_ok(po: Path) -> tuple[bool, str]:
    res = subprocess.run(["msgfmt", "--check-format", "-o", os.devnull, str(po)],
                         capture_output=True, text=True, timeout=60)
    return res.returncode == 0, res.stderr.strip()

"""SIGKILL of the real server in the middle of a stream of changes: nothing acknowledged is lost.

20 rounds of scripts/crash_soak.py (scripts/live_server.py starts `workbench serve` on 127.0.0.1
over a fresh data directory): after every kill the PO file passes msgfmt and polib and holds every
acknowledged change; after every start no temporary file of a save is left and the server accepts
changes again.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from crash_soak import soak  # noqa: E402


@pytest.mark.slow
def test_twenty_sigkills_mid_stream_lose_no_acknowledged_change(tmp_path):
    assert shutil.which("msgfmt"), "msgfmt (gettext) is needed: `make test` installs it"
    counts = soak(tmp_path, rounds=20, clients=4, seed=7)
    assert counts.problems == []
    assert counts.rounds == 20
    assert counts.acknowledged > 200  # the stream was real
    assert (counts.lost, counts.msgfmt_failures, counts.polib_failures) == (0, 0, 0)
    assert (counts.leftover_files, counts.failed_restarts) == (0, 0)

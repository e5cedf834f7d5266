"""`workbench serve` refuses what it cannot do safely, in one line and with exit status 2."""

from __future__ import annotations

import socket
import subprocess
import sys

from click.testing import CliRunner

from workbench.cli import main


def test_non_loopback_host_without_a_token_is_refused(data_dir):
    res = CliRunner().invoke(main, ["serve", "--data", str(data_dir), "--host", "0.0.0.0"])
    assert res.exit_code == 2
    assert res.output == ("workbench: error: refusing to serve on 0.0.0.0 without an access token "
                          "(pass --token SECRET (or set WORKBENCH_TOKEN), or bind 127.0.0.1)\n")


def test_a_port_in_use_is_one_line_and_exit_2(data_dir):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        res = subprocess.run([sys.executable, "-m", "workbench", "serve", "--data", str(data_dir),
                              "--port", str(port)], capture_output=True, text=True, timeout=60)
    assert res.returncode == 2
    assert res.stderr == (f"workbench: error: cannot listen on 127.0.0.1:{port}: Address already in "
                          "use (pick another port with --port, or stop the program using it)\n")


def test_a_missing_data_directory_is_refused_with_how_to_make_one(tmp_path):
    """(A directory without corpora.toml is served, empty, with the New comparison page:
    tests/test_comparisons.py.)"""
    res = CliRunner().invoke(main, ["serve", "--data", str(tmp_path / "nowhere")])
    assert res.exit_code == 2
    assert f"{tmp_path}/nowhere: no such directory (make it with `workbench init" in res.output

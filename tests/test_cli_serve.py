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


def test_serving_every_address_prints_addresses_that_answer(data_dir):
    # http://0.0.0.0:PORT/ is no address a page is answered under (400): the banner names ones
    # that are, and each answers
    import re
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "workbench", "serve", "--data", str(data_dir),
                             "--host", "0.0.0.0", "--port", str(port), "--token", "s3cret",
                             "--allow-host", "review.lan"], stderr=subprocess.PIPE, text=True)
    try:
        lines = [proc.stderr.readline(), proc.stderr.readline()]
        assert lines == [
            f"Serving {data_dir.resolve()} on every address of this machine, port {port} (Ctrl+C "
            "to stop)\n",
            f"Open http://127.0.0.1:{port}/ here, or http://review.lan:{port}/ from other machines "
            "(each browser once with ?token=SECRET, or an Authorization: Bearer header)\n"]
        here = re.search(r"Open (\S+) here", lines[1])[1]
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        with browser.open(here + "?token=s3cret", timeout=30) as res:  # a cookie, then the page
            assert res.status == 200
        request = urllib.request.Request(f"http://127.0.0.1:{port}/",
                                         headers={"Host": f"review.lan:{port}",
                                                  "Authorization": "Bearer s3cret"})
        with urllib.request.urlopen(request, timeout=30) as res:
            assert res.status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        proc.stderr.close()

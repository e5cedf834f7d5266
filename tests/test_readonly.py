"""Read-only data directories: every GET route answers (no 500) and writes nothing, every page says
the directory is read-only, every change answers 403 with the reason; the command line refuses
in one line. The real case is a read-only bind mount, made in a user and mount namespace of the
test's own (`unshare`), where the server runs; `serve --read-only` is the same in-process."""

from __future__ import annotations

import http.cookiejar
import json
import shlex
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from documents import article_paragraphs, news_page
from factories import start_server, stop
from test_architecture_get import PAIR, get_urls, snapshot

REPO = Path(__file__).resolve().parents[1]


def in_read_only_mount(directory: Path) -> tuple[str, ...]:
    """A command prefix that runs what follows with `directory` bind-mounted read-only over
    itself, in a user and mount namespace of its own (no privileges needed; nothing outside
    changes)."""
    d = shlex.quote(str(directory))
    script = (f"mount --bind {d} {d} && mount -o remount,bind,ro {d} && "
              f"exec {shlex.quote(sys.executable)} -m workbench \"$@\"")
    return ("unshare", "--map-root-user", "--mount", "sh", "-c", script, "workbench")


@pytest.fixture
def prepared(data_dir: Path, argos_dir: Path) -> Path:
    """The bundled corpus with one pair prepared, one not, and a document with its original."""
    from workbench.catalog import document_from_file
    from workbench.project import Project

    project = Project(data_dir)
    project.prepare(PAIR)
    article = document_from_file(news_page("Over 140,000 Sign", article_paragraphs()), "a.html")
    project.add("petition-ru", [article])
    return data_dir


def post_rules(app) -> list[str]:
    """A URL for every rule that takes a POST, with placeholder values."""
    from flask import url_for

    values = {"pair_id": PAIR, "key": "s0:t0", "kind": "number", "finding": "x",
              "job_id": "0123456789abcdef", "entry": "x", "source_id": "petition-ru"}
    with app.test_request_context():
        return sorted(url_for(rule.endpoint, **{a: values[a] for a in rule.arguments})
                      for rule in app.url_map.iter_rules() if "POST" in rule.methods)


def test_served_read_only_every_get_answers_with_a_notice_and_every_post_is_403(prepared,
                                                                                make_client):
    client = make_client(prepared, READ_ONLY="it is served with --read-only")
    before = snapshot(prepared)
    urls = get_urls(client.application, "s0:t0", {"doc_id": "a-en"})
    for url in urls:
        res = client.get(url)
        res.get_data()
        assert res.status_code < 500, url
        if res.status_code == 200 and res.get_data(as_text=True).startswith("<!doctype html>"):
            assert ('<p class="notice read-only-dir" id="read-only-dir" role="status">This data '
                    "directory is\n    open read-only: it is served with --read-only.") \
                in res.get_data(as_text=True), url
    posts = post_rules(client.application)
    assert len(posts) >= 15
    for url in posts:
        res = client.post(url, json={"author": "ak"}, headers={"X-CSRF-Token": client.csrf})
        assert res.status_code == 403, url
        if url.startswith("/api/"):
            assert res.get_json() == {"error": "ReadOnlyError", "message": (
                "the data directory is open read-only: it is served with --read-only (nothing was "
                "changed; to work on these pairs, serve a writable copy (cp -r DATA COPY; "
                "workbench serve --data COPY))")}, url
    assert snapshot(prepared) == before
    # the list offers nothing that would write
    html = client.get("/").get_data(as_text=True)
    assert 'id="new-comparison"' not in html and "data-act=\"remove\"" not in html


def test_a_read_only_mount_is_served_read_only_and_nothing_is_written(prepared, tmp_path):
    """The server in a namespace where the data directory is a read-only bind mount: every GET
    route answers, the pages say why, a change is a 403 naming the read-only file system, and
    the directory is as it was (even its lock files: none is made)."""
    from workbench.web import create_app

    app = create_app({"TESTING": True, "DATA_DIR": str(prepared)})
    urls = get_urls(app, "s0:t0", {"doc_id": "a-en"})
    before = snapshot(prepared)
    url, proc = start_server(prepared, tmp_path, command=in_read_only_mount(prepared))
    try:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        statuses = {}
        for path in urls:
            try:
                with opener.open(url + path) as res:
                    statuses[path] = res.status
                    body = res.read()
                    if body.startswith(b"<!doctype html>"):
                        assert b"is on a read-only file system. Pages can be read" in body, path
            except urllib.error.HTTPError as exc:
                statuses[path] = exc.code
        assert {p: s for p, s in statuses.items() if s >= 500} == {}
        assert statuses[f"/pairs/{PAIR}"] == statuses["/"] == 200
        csrf = json.load(opener.open(url + "/api/session"))["csrf_token"]
        request = urllib.request.Request(url + f"/api/pairs/{PAIR}/beads/s0:t0/status",
                                         data=b'{"status": "approved", "author": "ak"}',
                                         headers={"X-CSRF-Token": csrf,
                                                  "Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            opener.open(request)
        assert refused.value.code == 403
        assert json.load(refused.value)["message"] == (
            "the data directory is open read-only: the data directory is on a read-only file "
            "system (nothing was changed; to work on these pairs, serve a writable copy (cp -r DATA COPY; "
            "workbench serve --data COPY))")
    finally:
        stop(proc)
    assert snapshot(prepared) == before


def test_add_into_a_read_only_directory_is_one_line(prepared, tmp_path):
    article = tmp_path / "story.html"
    article.write_bytes(news_page("A story", article_paragraphs()))
    before = snapshot(prepared)
    res = subprocess.run([*in_read_only_mount(prepared), "add", "--data", str(prepared),
                          "petition-ru", str(article)], capture_output=True, text=True, timeout=120)
    assert res.returncode == 2
    assert res.stderr == (f"workbench: error: {prepared}: the data directory cannot be written: "
                          f"{prepared} is on a read-only file system (nothing was changed; work in "
                          "a writable copy (cp -r))\n")
    assert snapshot(prepared) == before

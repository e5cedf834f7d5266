"""A GET never writes: every GET route of the web app, asked for against a data directory, leaves
every file and directory under it as it was (paths, sizes, modification times). Making a pair's
PO file, filling in MT and re-aligning are POSTs (or `workbench align`)."""

from __future__ import annotations

from pathlib import Path

import pytest

PAIR = "petition-ru__newsweek-en"
#: A value for every URL variable a GET route has; a route with another one fails the test below
#: until it is given one here, so that no route is left out.
VALUES = {"pair_id": PAIR, "key": "s0:t0", "filename": "workbench.css", "source_id": "petition-ru",
          "job_id": "0123456789abcdef", "doc_id": "petition-ru"}


def snapshot(root: Path, leave_out: tuple[str, ...] = ()) -> dict[str, tuple[int, int]]:
    return {p.relative_to(root).as_posix(): (p.stat().st_mtime_ns, p.stat().st_size)
            for p in sorted(root.rglob("*")) if not p.name.startswith(leave_out)}


def get_urls(app, key: str, values: dict[str, str] | None = None) -> list[str]:
    values = VALUES | (values or {})
    urls = []
    with app.test_request_context():
        from flask import url_for

        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in rule.methods:
                continue
            missing = set(rule.arguments) - set(values)
            assert not missing, f"{rule.rule}: give VALUES for {sorted(missing)}"
            args = {name: (key if name == "key" else values[name]) for name in rule.arguments}
            urls.append(url_for(rule.endpoint, **args))
    return urls


def ask_every_get(app, key: str, values: dict[str, str] | None = None) -> dict[str, int]:
    client = app.test_client()
    statuses = {}
    for url in get_urls(app, key, values):
        res = client.get(url)
        res.get_data()  # a streamed answer runs to its end
        statuses[url] = res.status_code
    return statuses


def test_every_get_route_on_a_fresh_data_directory_writes_nothing(app, data_dir):
    before = snapshot(data_dir)  # after create_app, which keeps the session secret
    statuses = ask_every_get(app, "s0:t0")
    assert snapshot(data_dir) == before
    assert not (data_dir / "translations" / f"{PAIR}.po").exists()
    assert {url: s for url, s in statuses.items() if s >= 500} == {}
    # the pages answer, saying what is missing; what needs the PO file is a 404 naming it
    assert statuses[f"/pairs/{PAIR}"] == 200
    assert statuses[f"/api/pairs/{PAIR}"] == 200
    assert statuses[f"/pairs/{PAIR}/export"] == 404
    assert len(statuses) >= 10


def test_the_fresh_pair_page_says_what_is_missing_and_offers_to_prepare(client, data_dir):
    html = client.get(f"/pairs/{PAIR}").get_data(as_text=True)
    assert 'id="not-prepared"' in html
    assert "translations/petition-ru__newsweek-en.po" in html
    assert 'id="mt-missing"' in html  # no model installed in the test's packages directory
    assert f'<form method="post" action="/pairs/{PAIR}/prepare" id="prepare">' in html
    assert 'name="csrf_token"' in html
    view = client.get(f"/api/pairs/{PAIR}").get_json()
    assert (view["prepared"], view["beads"], view["total"], view["revision"]) == (False, [], 0, None)
    assert view["po"] == "translations/petition-ru__newsweek-en.po"
    res = client.get(f"/api/pairs/{PAIR}/history")
    assert (res.status_code, res.get_json()["error"]) == (404, "NotPreparedError")
    assert "has no PO file yet" in res.get_json()["message"]


def test_every_get_route_on_a_prepared_pair_writes_nothing_with_a_new_model_installed(
        app, data_dir, argos_dir):
    """The pair's file has no MT and a model is installed: the page offers the MT, and no GET
    writes it, nor anything else: the translation memory's index, which a lookup brings up to
    date, lives in the cache directory (docs/memory.md)."""
    from conftest import RU_EN_PACKAGE
    from workbench.project import Project
    from workbench.translate import install_package

    from documents import article_paragraphs, news_page
    from workbench.catalog import document_from_file

    pf = Project(data_dir).prepare(PAIR)
    install_package(RU_EN_PACKAGE)
    # a document added from a saved page (its original kept), and a preparation that ended
    article = document_from_file(news_page("Over 140,000 Sign", article_paragraphs()), "a.html")
    (added,) = Project(data_dir).add("petition-ru", [article])
    job = app.extensions["workbench-jobs"].submit([added.id])
    assert app.extensions["workbench-jobs"].wait(job.id).state == "done"
    key = pf.records[0].key
    before = snapshot(data_dir)
    statuses = ask_every_get(app, key, {"job_id": job.id, "doc_id": article.id})
    assert snapshot(data_dir) == before
    assert {url: s for url, s in statuses.items() if s >= 400} == {}
    assert app.test_client().get(f"/api/pairs/{PAIR}").get_json()["mt"]["missing"] is True


@pytest.mark.parametrize("path", [f"/pairs/{PAIR}/prepare", f"/api/pairs/{PAIR}/prepare"])
def test_prepare_is_refused_without_the_csrf_token_and_writes_nothing(client, data_dir, path):
    before = snapshot(data_dir)
    res = client.post(path, data={})
    assert res.status_code == 403
    assert snapshot(data_dir) == before
    res = client.post(path, data={}, headers={"Origin": "http://evil.example"})
    assert res.status_code == 403
    assert snapshot(data_dir) == before

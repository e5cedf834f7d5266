"""What a hostile page or an oversized request meets: the Host allow-list, the Origin check, the
access token's header, the security headers and the size limits - through Flask's test client, and
once through a real `workbench serve` (waitress) on 127.0.0.1."""

from __future__ import annotations

import http.client
import json
import re
from pathlib import Path

import pytest

from factories import PAIR, make_data_dir, post, start_server, stop
from workbench import store
from workbench.web.limits import MAX_ANNOTATION_CHARS, MAX_AUTHOR_CHARS, MAX_CONTENT_LENGTH
from workbench.web.security import CONTENT_SECURITY_POLICY

REPO = Path(__file__).resolve().parents[1]
NOTE = f"/pairs/{PAIR}/beads/s0:t1/annotations"
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


@pytest.fixture
def sec(tmp_path: Path, make_client):
    root = make_data_dir(tmp_path / "sec")
    client = make_client(root)
    client.po = root / "translations" / f"{PAIR}.po"
    return client


def note(client, text: str = "checked", author: str = "ak", **headers):
    return client.post("/api" + NOTE, json={"text": text, "author": author},
                       headers={"X-CSRF-Token": client.csrf, **headers})


# --- Host allow-list ------------------------------------------------------------------------------

@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.1:5000", "localhost", "LOCALHOST:8080",
                                  "localhost.", "[::1]", "[::1]:5000"])
def test_loopback_names_with_any_port_are_answered(sec, host):
    assert sec.get("/api/pairs", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:5000", "127.0.0.1.evil.example",
                                  "localhost:abc", "[::1", "192.168.1.5"])
def test_another_host_name_gets_400_and_no_session(sec, host):
    res = sec.get("/api/session", headers={"Host": host})
    assert res.status_code == 400
    assert res.get_json() == {"error": "HostError", "message": (
        "this workbench answers to 127.0.0.1, [::1], localhost only, not to the host name "
        f"'{host}': open it by one of those names, or start it with --allow-host NAME")}
    page = sec.get("/", headers={"Host": host})
    assert page.status_code == 400 and page.mimetype == "text/plain"
    assert "csrf" not in page.get_data(as_text=True)
    assert "Set-Cookie" not in res.headers and "Set-Cookie" not in page.headers


def test_allow_host_adds_a_name_for_pages_and_origins(tmp_path, make_client):
    client = make_client(make_data_dir(tmp_path / "sec"), ALLOWED_HOSTS=("Workbench.LAN",))
    assert client.get("/", headers={"Host": "workbench.lan:8000"}).status_code == 200
    # The session cookie belongs to the host name it was given under.
    client.csrf = client.get("/api/session", headers={"Host": "workbench.lan:8000"}).get_json()[
        "csrf_token"]
    res = note(client, Host="workbench.lan:8000", Origin="http://workbench.lan:8000")
    assert res.status_code == 200, res.get_json()
    assert client.get("/", headers={"Host": "other.lan"}).status_code == 400


# --- Origin of state-changing requests ------------------------------------------------------------

@pytest.mark.parametrize("headers", [{"Origin": "http://evil.example"},
                                     {"Origin": "http://localhost.evil.example:5000"},
                                     {"Origin": "null"},
                                     {"Referer": "http://evil.example/attack.html"}])
def test_a_change_from_a_foreign_page_is_refused_and_nothing_is_written(sec, headers):
    before = sec.po.read_bytes()
    res = note(sec, **headers)
    assert res.status_code == 403
    sent = headers.get("Origin") or headers["Referer"]
    assert res.get_json() == {"error": "OriginError", "message": (
        f"a change sent from the page '{sent}' is refused: changes are taken from pages of "
        "127.0.0.1, [::1], localhost only (start the workbench with --allow-host NAME to add a "
        "name)")}
    assert sec.po.read_bytes() == before


@pytest.mark.parametrize("headers", [{"Origin": "http://localhost"},
                                     {"Origin": "http://127.0.0.1:5000"},
                                     {"Referer": "http://[::1]:5000/pairs/x"},
                                     {}])
def test_a_change_from_a_loopback_page_or_without_origin_is_taken(sec, headers):
    res = note(sec, **headers)
    assert res.status_code == 200, res.get_json()
    assert [a.text for a in store.load(sec.po).record("s0:t1").annotations] == ["checked"]


# --- access token ---------------------------------------------------------------------------------

@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_the_bearer_scheme_is_read_in_any_case(tmp_path, monkeypatch, scheme):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "argos-packages"))
    from workbench.web import create_app

    root = make_data_dir(tmp_path / "tok")
    client = create_app({"TESTING": True, "DATA_DIR": str(root), "AUTH_TOKEN": "s3cret"}).test_client()
    assert client.get("/api/pairs", headers={"Authorization": f"{scheme} s3cret"}).status_code == 200
    assert client.get("/api/pairs", headers={"Authorization": f"{scheme} wrong"}).status_code == 401
    assert client.get("/api/pairs", headers={"Authorization": "Basic s3cret"}).status_code == 401


# --- security headers -----------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/", f"/pairs/{PAIR}", f"/pairs/{PAIR}/rows", "/api/pairs",
                                 "/static/pair.js", "/static/workbench.css", "/api/pairs/nope",
                                 "/no/such/page"])
def test_every_answer_carries_the_security_headers(sec, url):
    res = sec.get(url)
    assert {k: res.headers.get(k) for k in SECURITY_HEADERS} == SECURITY_HEADERS


def test_the_policy_allows_no_inline_script_style_or_framing():
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("template", sorted(p.name for p in (REPO / "templates").glob("*.html")))
def test_templates_hold_no_inline_script_handler_or_style(template):
    html = (REPO / "templates" / template).read_text(encoding="utf-8")
    scripts = re.findall(r"<script\b[^>]*>", html, re.I)
    assert [s for s in scripts if "src=" not in s] == []
    assert re.findall(r"<style\b|\son[a-z]+\s*=|\sstyle\s*=|javascript:", html, re.I) == []


# --- size limits ----------------------------------------------------------------------------------

def test_a_body_over_the_limit_is_413_with_a_json_message_and_nothing_is_written(sec):
    before = sec.po.read_bytes()
    res = note(sec, text="x" * MAX_CONTENT_LENGTH)
    assert res.status_code == 413
    assert res.get_json() == {"error": "TooLargeError", "message": (
        "the request body is larger than the workbench takes (1,048,576 bytes) (send less at a "
        "time; an annotation holds at most 10,000 characters)")}
    assert sec.po.read_bytes() == before


def test_an_annotation_over_10000_characters_is_413_and_one_of_10000_is_kept(sec):
    before = sec.po.read_bytes()
    res = note(sec, text="щ" * (MAX_ANNOTATION_CHARS + 1))
    assert res.status_code == 413
    assert res.get_json() == {"error": "TooLargeError", "message": (
        "the annotation is 10,001 characters long; the workbench keeps at most 10,000 (shorten "
        "the 'text' field)")}
    assert sec.po.read_bytes() == before
    assert note(sec, text="щ" * MAX_ANNOTATION_CHARS).status_code == 200
    assert [len(a.text) for a in store.load(sec.po).record("s0:t1").annotations] == [10_000]


def test_an_author_name_over_200_characters_is_413_on_any_action(sec):
    before = sec.po.read_bytes()
    res = post(sec, f"/pairs/{PAIR}/beads/s0:t1/status",
               {"status": "approved", "author": "a" * (MAX_AUTHOR_CHARS + 1)})
    assert res.status_code == 413
    assert res.get_json()["message"] == ("the author name is 201 characters long; the workbench "
                                         "keeps at most 200 (shorten the 'author' field)")
    assert sec.po.read_bytes() == before


# --- the real server ------------------------------------------------------------------------------

@pytest.fixture
def served(tmp_path: Path):
    root = make_data_dir(tmp_path / "served")
    url, proc = start_server(root, tmp_path)
    host, port = url.removeprefix("http://").split(":")
    yield host, int(port), root / "translations" / f"{PAIR}.po"
    stop(proc)


def ask(host: str, port: int, method: str, path: str, body: bytes | None = None, **headers):
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        res = conn.getresponse()
        return res.status, res.headers, res.read()
    finally:
        conn.close()


def test_workbench_serve_answers_on_waitress_with_headers_limits_and_checks(served):
    host, port, po = served
    status, headers, page = ask(host, port, "GET", f"/pairs/{PAIR}")
    assert status == 200 and b'id="pair-body"' in page
    assert {k: headers[k] for k in SECURITY_HEADERS} == SECURITY_HEADERS
    # No name or version of the stack underneath.
    assert headers.get_all("Server") == ["workbench"]
    assert re.search(r"werkzeug|python|waitress|\d+\.\d+", str(headers), re.I) is None

    status, _, body = ask(host, port, "GET", "/api/session", Host="evil.example")
    assert status == 400 and json.loads(body)["error"] == "HostError"

    status, headers, body = ask(host, port, "GET", "/api/session")
    csrf = json.loads(body)["csrf_token"]
    cookie = headers["Set-Cookie"].split(";")[0]
    before = po.read_bytes()
    change = json.dumps({"text": "from elsewhere", "author": "ak"}).encode()
    common = {"Cookie": cookie, "X-CSRF-Token": csrf, "Content-Type": "application/json"}
    status, _, body = ask(host, port, "POST", "/api" + NOTE, change, Origin="http://evil.example",
                          **common)
    assert status == 403 and json.loads(body)["error"] == "OriginError"
    big = json.dumps({"text": "x" * MAX_CONTENT_LENGTH, "author": "ak"}).encode()
    status, headers, body = ask(host, port, "POST", "/api" + NOTE, big, **common)
    assert status == 413 and json.loads(body)["error"] == "TooLargeError"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert po.read_bytes() == before
    # The same requests from the workbench's own page are taken.
    status, _, body = ask(host, port, "POST", "/api" + NOTE, change,
                          Origin=f"http://{host}:{port}", **common)
    assert status == 200, body
    assert [a.text for a in store.load(po).record("s0:t1").annotations] == ["from elsewhere"]


def test_workbench_serve_allow_host_and_threads(tmp_path: Path):
    root = make_data_dir(tmp_path / "served")
    url, proc = start_server(root, tmp_path, "--allow-host", "workbench.test", "--allow-host",
                             "review.test", "--threads", "2")
    try:
        host, port = url.removeprefix("http://").split(":")
        for name in ("workbench.test", f"review.test:{port}", f"localhost:{port}"):
            status, headers, _ = ask(host, int(port), "GET", "/api/pairs", Host=name)
            assert status == 200, name
        status, _, body = ask(host, int(port), "GET", "/api/pairs", Host="other.test")
        assert status == 400 and json.loads(body)["message"].startswith(
            "this workbench answers to 127.0.0.1, [::1], localhost, review.test, workbench.test "
            "only")
    finally:
        stop(proc)

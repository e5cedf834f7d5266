"""The web view through Flask's test client: pair list, pair page, JSON API, triage, safety."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from factories import PAIR, SECOND, add_second_pair, make_data_dir, post
from workbench import store
from workbench.memory import index_path

BUNDLED = "petition-ru__newsweek-en"


def prepare(client, pair_id: str = BUNDLED, **form: str):
    """Press the pair page's Prepare button: the one way the web view makes a pair's PO file."""
    token = client.get("/api/session").get_json()["csrf_token"]
    res = client.post(f"/pairs/{pair_id}/prepare", data={"csrf_token": token, **form})
    assert res.status_code == 303, res.get_data(as_text=True)
    assert res.headers["Location"] == f"/pairs/{pair_id}"
    return res


def test_pair_list_names_the_bundled_pair_in_html_and_json(client):
    page = client.get("/")
    assert page.status_code == 200
    assert "Против частичной и всеобщей мобилизации" in page.get_data(as_text=True)
    data = client.get("/api/pairs").get_json()
    assert [p["id"] for p in data["pairs"]] == ["petition-ru__newsweek-en",
                                                "petition-ru__petition-en"]
    assert data["pairs"][0]["source"]["language"] == "ru"
    assert data["pairs"][0]["rendering"]["language"] == "en"
    assert data["pairs"][0]["prepared"] is False
    prepare(client)
    data = client.get("/api/pairs").get_json()
    assert (data["pairs"][0]["prepared"], data["pairs"][0]["reviewed"]) == (True, 0)


def test_pair_page_shows_every_sentence_once_the_po_file_is_prepared(client, data_dir):
    po = data_dir / "translations" / "petition-ru__newsweek-en.po"
    assert client.get("/api/pairs/petition-ru__newsweek-en").get_json()["prepared"] is False
    assert not po.exists()
    prepare(client)
    res = client.get("/api/pairs/petition-ru__newsweek-en")
    assert res.status_code == 200
    view = res.get_json()
    assert po.exists()
    pf = store.load(po)
    n_src = int(pf.header["X-Source-Sentences"])
    n_tgt = int(pf.header["X-Rendering-Sentences"])
    assert sorted(i for b in view["beads"] for i in b["source"]) == list(range(n_src))
    assert sorted(i for b in view["beads"] for i in b["rendering"]) == list(range(n_tgt))
    html = client.get("/pairs/petition-ru__newsweek-en").get_data(as_text=True)
    assert html.count('<tr class="bead ') == len(view["beads"])


def test_without_a_model_the_mt_column_says_how_to_install_one(client):
    view = client.get("/api/pairs/petition-ru__newsweek-en").get_json()
    assert view["mt"]["available"] is False
    assert "workbench models install" in view["mt"]["install_hint"]
    html = client.get("/pairs/petition-ru__newsweek-en").get_data(as_text=True)
    assert 'id="mt-missing"' in html
    assert "workbench models install" in html


def test_unknown_pair_is_404_in_html_and_json(client):
    res = client.get("/api/pairs/nope")
    assert res.status_code == 404
    assert res.get_json()["error"] == "NotFoundError"
    assert "no document pair 'nope'" in res.get_json()["message"]
    assert client.get("/pairs/nope").status_code == 404


# --- the translator's page on a hand-made pair ---------------------------------------------------

@pytest.fixture
def hand(tmp_path: Path, make_client):
    root = make_data_dir(tmp_path / "hand")
    client = make_client(root)
    client.po = root / "translations" / f"{PAIR}.po"
    return client


def test_page_shows_three_columns_with_marked_word_differences_and_badges(hand):
    html = hand.get(f"/pairs/{PAIR}").get_data(as_text=True)
    assert html.count('<tr class="bead ') == 6
    row = re.search(r'<tr class="bead kind-2-2.*?</tr>', html, re.S).group(0)
    assert '<mark class="d-replaced" title="replaced">beginning</mark> ' in row
    assert '<mark class="d-replaced" title="replaced">start</mark> ' in row
    first = re.search(r'<tr class="bead kind-1-1[^>]*data-key="s0:t1".*?</tr>', html, re.S).group(0)
    assert '<del class="d-missing" title="missing in the rendering">the general</del> ' in first
    assert '<ins class="d-added" title="added by the rendering">at all</ins>' in row
    assert '<span class="sent" data-side="source" data-id="1">' in row
    assert '<span class="sent" data-side="rendering" data-id="3">' in row
    assert '○ unreviewed' in row and "▼" not in row and "0.70" in row
    # The unmatched sentences stand in their place: the report's own sentence first.
    keys = re.findall(r'data-key="([^"]+)"', html)
    assert keys == ["s:t0", "s0:t1", "s1,2:t2,3", "s3:t", "s:t4", "s4:t5"]
    assert "no source sentence" in html and "not rendered" in html
    assert re.search(r'class="counts".*?○ unreviewed <b>6</b>', html, re.S)


def test_state_changing_requests_need_the_csrf_token(hand):
    res = hand.post(f"/api/pairs/{PAIR}/beads/s0:t1/status", json={"status": "approved"})
    assert res.status_code == 403
    assert res.get_json()["error"] == "CSRFError"
    res = hand.post(f"/api/pairs/{PAIR}/beads/s0:t1/status", json={"status": "approved"},
                    headers={"X-CSRF-Token": "forged"})
    assert res.status_code == 403
    assert store.load(hand.po).record("s0:t1").status == "unreviewed"
    page = hand.get(f"/pairs/{PAIR}").get_data(as_text=True)
    assert f'<meta name="csrf-token" content="{hand.csrf}">' in page


def test_approve_and_annotate_are_saved_to_the_po_file_at_once(hand):
    res = post(hand, f"/pairs/{PAIR}/beads/s0:t1/status", {"status": "approved", "author": "ak"}, 1)
    assert res.status_code == 200
    data = res.get_json()
    assert data["revision"] == 2
    assert data["counts"] == {"unreviewed": 5, "approved": 1, "needs-work": 0, "rejected": 0}
    assert [b["status"] for b in data["beads"]] == ["approved"]
    text = hand.po.read_text(encoding="utf-8")
    entry = text[text.index('"speech-ru|report-en|s0:t1"') - 60:text.index('"speech-ru|report-en|s0:t1"')]
    assert "fuzzy" not in entry
    res = post(hand, f"/pairs/{PAIR}/beads/s0:t1/annotations",
               {"text": "<script>alert(1)</script> 'against' became \"oppose\"", "category": "paraphrase",
                "author": "Анна"}, 2)
    assert res.status_code == 200
    note = store.load(hand.po).record("s0:t1").annotations[0]
    assert (note.text, note.category, note.author) == (
        "<script>alert(1)</script> 'against' became \"oppose\"", "paraphrase", "Анна")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", note.time)
    html = hand.get(f"/pairs/{PAIR}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &#39;against&#39; became &#34;oppose&#34;" in html
    assert '<span class="badge category" title="category">paraphrase</span>' in html


def test_link_unlink_merge_split_undo_redo_through_the_api(hand):
    res = post(hand, f"/pairs/{PAIR}/link", {"source": 3, "rendering": 4}, 1)
    assert res.status_code == 200
    assert res.get_json()["beads"][0]["key"] == "s3:t4"
    assert res.get_json()["removed"] == ["s3:t", "s:t4"]
    assert [r.key for r in store.load(hand.po).records] == ["s:t0", "s0:t1", "s1,2:t2,3", "s3:t4", "s4:t5"]
    assert post(hand, f"/pairs/{PAIR}/beads/s1,2:t2,3/split", {"source_at": 1, "rendering_at": 1}, 2
                ).status_code == 200
    assert post(hand, f"/pairs/{PAIR}/beads/s0:t1/merge-next", {}, 3).status_code == 200
    assert post(hand, f"/pairs/{PAIR}/beads/s4:t5/unlink", {}, 4).status_code == 200
    assert [r.key for r in store.load(hand.po).records] == [
        "s:t0", "s0,1:t1,2", "s2:t3", "s3:t4", "s4:t", "s:t5"]
    res = post(hand, f"/pairs/{PAIR}/undo", {}, 5)
    assert res.get_json()["history"]["redo"] == "unlink s4:t5"
    assert res.get_json()["revision"] == 6
    for rev in (6, 7, 8):
        assert post(hand, f"/pairs/{PAIR}/undo", {}, rev).status_code == 200
    assert [r.key for r in store.load(hand.po).records] == [
        "s:t0", "s0:t1", "s1,2:t2,3", "s3:t", "s:t4", "s4:t5"]
    assert store.load(hand.po).record("s:t4").closest == (3, 0.41)  # the undone link's suggestion
    res = post(hand, f"/pairs/{PAIR}/undo", {}, 9)
    assert res.status_code == 400 and res.get_json()["message"] == "nothing to undo for ak in this pair"
    res = post(hand, f"/pairs/{PAIR}/redo", {}, 9)
    assert res.get_json()["summary"] == "link s3 with t4"
    hist = hand.get(f"/api/pairs/{PAIR}/history?author=ak").get_json()
    assert hist == {"revision": 10, "history": {"can_undo": True, "can_redo": True,
                                                "undo": "link s3 with t4", "redo": "split s1,2:t2,3",
                                                "done": 1, "undone": 3, "author": "ak",
                                                "notice": None, "recover": None}}


def test_an_unmatched_rendering_sentence_offers_its_closest_source_in_json_and_html(hand):
    beads = hand.get(f"/api/pairs/{PAIR}/beads").get_json()["beads"]
    holder = next(b for b in beads if b["key"] == "s3:t")
    assert {b["key"]: b["closest"] for b in beads if b["closest"]} == {
        "s:t4": {"source": 3, "probability": 0.41, "text": "Мы требуем остановить войну.",
                 "bead": "s3:t", "bead_rev": holder["rev"]}}
    # On a page that does not show the bead holding the source sentence, the row still names it.
    only = hand.get(f"/api/pairs/{PAIR}/beads?q=an+end").get_json()["beads"]
    assert [(b["key"], b["closest"]["bead_rev"]) for b in only] == [("s:t4", holder["rev"])]
    html = hand.get(f"/pairs/{PAIR}?q=an+end").get_data(as_text=True)
    row = re.search(r'<tr class="bead kind-0-1[^>]*data-key="s:t4".*?</tr>', html, re.S).group(0)
    assert (f'data-closest-source="3" data-closest-rendering="4" data-closest-bead="s3:t" '
            f'data-closest-rev="{holder["rev"]}">') in row
    assert ('closest source: #3 (0.41) — <button type="button" class="link" data-act="closest" '
            'title="link rendering sentence 4 with source sentence 3 (c)">link</button>') in row
    assert 'linking them is right: Мы требуем остановить войну."' in row
    assert html.count('data-act="closest"') == 1
    # a sentence with no counterpart has no link whose probability a score could give
    assert ('<span class="badge score none" title="a sentence with no counterpart (test): no link '
            'to score">no link</span>') in row


def test_linking_through_the_suggestion_drops_it_and_undo_brings_it_back(hand):
    before = hand.po.read_text(encoding="utf-8")
    assert "#. closest source 3 (0.41)\n" in before
    view = {b["key"]: b for b in hand.get(f"/api/pairs/{PAIR}/beads").get_json()["beads"]}
    hint = view["s:t4"]["closest"]
    body = {"source": hint["source"], "rendering": 4,
            "beads": {"s:t4": view["s:t4"]["rev"], hint["bead"]: hint["bead_rev"]}}
    res = post(hand, f"/pairs/{PAIR}/link", body)
    assert res.status_code == 200, res.get_json()
    assert [(b["key"], b["method"], b["closest"]) for b in res.get_json()["beads"]] == [
        ("s3:t4", "manual", None)]
    assert "closest source" not in hand.po.read_text(encoding="utf-8")
    assert store.load(hand.po).record("s3:t4").closest is None
    post(hand, f"/pairs/{PAIR}/undo", {})
    assert store.load(hand.po).record("s:t4").closest == (3, 0.41)
    entry = before[before.index("#. align 0-1 src= tgt=4"):]
    assert entry[:entry.index("\n\n")] in hand.po.read_text(encoding="utf-8")
    # The bead holding the source sentence changed meanwhile: the suggestion's link is refused.
    post(hand, f"/pairs/{PAIR}/beads/s3:t/status", {"status": "rejected"}, author="bo")
    res = post(hand, f"/pairs/{PAIR}/link", body)
    assert res.status_code == 409 and "bead s3:t was changed by bo" in res.get_json()["message"]


def test_stale_revision_is_409_with_the_current_state(hand):
    assert post(hand, f"/pairs/{PAIR}/beads/s4:t5/status", {"status": "approved"}, 1).status_code == 200
    before = hand.po.read_bytes()
    res = post(hand, f"/pairs/{PAIR}/beads/s4:t5/status", {"status": "rejected"}, 1)
    assert res.status_code == 409
    body = res.get_json()
    assert body["error"] == "ConflictError" and body["current_revision"] == 2
    assert body["current"]["revision"] == 2
    assert [(b["key"], b["status"]) for b in body["current"]["beads"]] == [("s4:t5", "approved")]
    assert hand.po.read_bytes() == before
    assert post(hand, f"/pairs/{PAIR}/undo", {}, 1).status_code == 409


def test_triage_filters_search_sort_and_counts(hand):
    def keys(query: str) -> list[str]:
        res = hand.get(f"/api/pairs/{PAIR}/beads?{query}")
        assert res.status_code == 200, res.get_json()
        return [b["key"] for b in res.get_json()["beads"]]

    post(hand, f"/pairs/{PAIR}/beads/s4:t5/status", {"status": "approved"}, 1)
    post(hand, f"/pairs/{PAIR}/beads/s0:t1/annotations", {"text": "tone", "category": "style",
                                                          "author": "ak"}, 2)
    assert keys("status=approved") == ["s4:t5"]
    assert keys("status=unreviewed&unmatched=1") == ["s:t0", "s3:t", "s:t4"]
    assert keys("low=1") == []  # links below 0.5: a sentence of one side is no link
    assert keys("show=links") == ["s0:t1", "s1,2:t2,3"]  # not approved, below 0.9
    assert keys("show=links&sort=score") == ["s1,2:t2,3", "s0:t1"]
    assert keys("show=no-source") == ["s:t0", "s:t4"]
    assert keys("show=not-rendered") == ["s3:t"]
    assert keys("annotated=1") == keys("category=style") == ["s0:t1"]
    assert keys("q=LEGAL") == ["s1,2:t2,3"]
    assert keys("q=tone") == ["s0:t1"]
    # links first, least likely right first; the sentences with no counterpart after them
    assert keys("sort=score") == ["s1,2:t2,3", "s0:t1", "s4:t5", "s:t0", "s3:t", "s:t4"]
    assert keys("sort=-score&per_page=2&page=2") == ["s1,2:t2,3", "s:t0"]
    data = hand.get(f"/api/pairs/{PAIR}/beads?per_page=4&page=9").get_json()
    assert data["page"] == {"number": 2, "pages": 2, "per_page": 4, "first": 5, "last": 6}
    assert data["counts"] == {"unreviewed": 5, "approved": 1, "needs-work": 0, "rejected": 0}
    assert data["matching"] == 6
    res = hand.get(f"/api/pairs/{PAIR}/beads?status=done")
    assert res.status_code == 400 and "unknown status 'done'" in res.get_json()["message"]
    html = hand.get(f"/pairs/{PAIR}?per_page=4").get_data(as_text=True)
    assert html.count('<tr class="bead ') == 4
    assert f'href="/pairs/{PAIR}?page=2&amp;per_page=4" id="next-page"' in html
    rows = hand.get(f"/pairs/{PAIR}/rows?status=approved").get_data(as_text=True)
    assert rows.count('<tr class="bead ') == 1 and "<html" not in rows


def test_bad_action_requests_are_answered_with_what_is_wrong(hand):
    res = post(hand, f"/pairs/{PAIR}/beads/s9:t9/status", {"status": "approved"})
    assert res.status_code == 404 and "no bead 's9:t9'" in res.get_json()["message"]
    res = post(hand, f"/pairs/{PAIR}/link", {"source": "3", "rendering": 4})
    assert res.status_code == 400 and res.get_json()["message"] == "'source' must be an integer"
    res = post(hand, f"/pairs/{PAIR}/beads/s0:t1/annotations", {"text": "x", "author": " "})
    assert res.status_code == 400 and res.get_json()["message"].startswith("set your name first")
    res = post(hand, f"/pairs/{PAIR}/beads/s0:t1/status", {"status": "approved", "revision": "1"})
    assert res.status_code == 400
    assert store.load(hand.po).revision == 1


def test_access_token_is_required_on_every_request_when_configured(tmp_path, monkeypatch):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "argos-packages"))
    from workbench.web import create_app

    root = make_data_dir(tmp_path / "tok")
    client = create_app({"TESTING": True, "DATA_DIR": str(root), "AUTH_TOKEN": "s3cret"}).test_client()
    for url in ("/", f"/pairs/{PAIR}", "/api/pairs", "/static/workbench.css", "/api/session"):
        assert client.get(url).status_code == 401, url
    assert client.get("/api/pairs", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/api/pairs", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    res = client.get(f"/pairs/{PAIR}?token=s3cret&status=approved")
    assert res.status_code == 302 and res.headers["Location"] == f"/pairs/{PAIR}?status=approved"
    assert "workbench_token=s3cret" in res.headers["Set-Cookie"]
    assert client.get(f"/pairs/{PAIR}").status_code == 200
    assert client.get("/static/workbench.css").status_code == 200


def test_serve_refuses_a_public_host_without_a_token(runner):
    res = runner.invoke(["serve", "--host", "0.0.0.0"], env={"WORKBENCH_TOKEN": None})
    assert res.exit_code == 2
    assert "refusing to serve on 0.0.0.0 without an access token" in res.output


def test_with_a_model_installed_the_mt_column_shows_its_translations(ru_en_model, client, data_dir):
    prepare(client)
    view = client.get("/api/pairs/petition-ru__newsweek-en").get_json()
    assert view["mt"]["available"] is True
    title = next(b for b in view["beads"] if b["source"] == [0])
    # The test package transliterates; this is its exact output for the petition's title.
    assert title["mt"] == "Protiv chastichnoy i vseobshchey mobilizatsi"
    pf = store.load(data_dir / "translations" / "petition-ru__newsweek-en.po")
    assert pf.header["X-MT-Model"] == "translate-ru_en 1.0"
    assert {r.mt_model for r in pf.records if r.source} == {"translate-ru_en 1.0"}
    html = client.get("/pairs/petition-ru__newsweek-en").get_data(as_text=True)
    assert 'id="mt-missing"' not in html


def test_a_model_installed_after_the_po_file_was_written_fills_the_mt_column(
        client, data_dir, argos_dir):
    prepare(client)
    po = data_dir / "translations" / "petition-ru__newsweek-en.po"
    assert {r.mt for r in store.load(po).records} == {None}
    from conftest import RU_EN_PACKAGE
    from workbench.translate import install_package

    install_package(RU_EN_PACKAGE)  # while the server runs: found on the next request
    view = client.get("/api/pairs/petition-ru__newsweek-en").get_json()
    assert (view["mt"]["missing"], view["mt"]["engine"]) == (True, "translate-ru_en 1.0")
    assert 'id="mt-fill"' in client.get("/pairs/petition-ru__newsweek-en").get_data(as_text=True)
    assert store.load(po).revision == 1  # offered, not done, by a GET
    prepare(client)
    view = client.get("/api/pairs/petition-ru__newsweek-en").get_json()
    assert view["mt"]["missing"] is False
    title = next(b for b in view["beads"] if b["source"] == [0])
    assert title["mt"] == "Protiv chastichnoy i vseobshchey mobilizatsi"
    assert store.load(po).revision == 2


def test_export_download_streams_a_valid_tmx_of_the_pair(client):
    from lxml import etree

    prepare(client)
    res = client.get("/pairs/petition-ru__newsweek-en/export?format=tmx&include_unmatched=1")
    assert res.status_code == 200
    assert res.mimetype == "application/x-tmx+xml"
    assert res.headers["Content-Disposition"] == 'attachment; filename="petition-ru__newsweek-en.tmx"'
    tmx = etree.fromstring(res.get_data())
    view = client.get("/api/pairs/petition-ru__newsweek-en").get_json()
    assert len(tmx.findall(".//tu")) == len(view["beads"])
    matched = client.get("/pairs/petition-ru__newsweek-en/export?format=jsonl").get_data(as_text=True)
    assert len(matched.splitlines()) == sum(1 for b in view["beads"] if b["source"] and b["rendering"])


def test_export_download_refuses_an_unknown_format_and_a_bad_score(client):
    res = client.get("/pairs/petition-ru__newsweek-en/export?format=docx")
    assert res.status_code == 400
    assert "unknown export format &#39;docx&#39;" in res.get_data(as_text=True)
    res = client.get("/pairs/petition-ru__newsweek-en/export?format=tsv&min_score=high")
    assert res.status_code == 400
    assert "min_score must be a number" in res.get_data(as_text=True)


def test_a_damaged_po_file_is_named_with_its_line_and_the_list_still_shows(client, data_dir):
    prepare(client)
    po = data_dir / "translations" / "petition-ru__newsweek-en.po"
    text = po.read_text(encoding="utf-8")
    lines = text.splitlines()
    n = next(i for i, line in enumerate(lines) if line.startswith("#. align"))
    lines[n] = "#. damaged"
    po.write_text("\n".join(lines) + "\n", encoding="utf-8")
    damaged = po.read_bytes()
    res = client.get("/api/pairs/petition-ru__newsweek-en")
    assert res.status_code == 400
    assert res.get_json()["error"] == "ParseError"
    assert f"petition-ru__newsweek-en.po:{n + 1}: entry has no '#. align ...' comment" in \
        res.get_json()["message"]
    listing = client.get("/api/pairs").get_json()["pairs"]
    assert listing[0]["id"] == "petition-ru__newsweek-en"
    assert f".po:{n + 1}: entry has no" in listing[0]["error"]
    assert client.get("/").status_code == 200
    assert po.read_bytes() == damaged  # nothing was rewritten over the user's file


def test_the_session_secret_survives_a_restart_of_the_server(data_dir, argos_dir, tmp_path):
    """The secret is derived data: it lives in the cache directory, never in the data directory."""
    from workbench.project import Project
    from workbench.web import create_app

    Project(data_dir).prepare("petition-ru__newsweek-en")
    first = create_app({"DATA_DIR": str(data_dir)})
    second = create_app({"DATA_DIR": str(data_dir)})
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    (secret,) = (tmp_path / "cache" / "sessions").iterdir()
    assert secret.stat().st_mode & 0o777 == 0o600
    assert secret.read_text(encoding="ascii").strip() == first.config["SECRET_KEY"]
    assert [p.name for p in data_dir.rglob("*secret*")] == []
    client = first.test_client()
    token = client.get("/api/session").get_json()["csrf_token"]
    # A page opened before the restart keeps its session cookie and token: the new process accepts them.
    restarted = second.test_client()
    restarted.set_cookie("session", client.get_cookie("session").value)
    res = restarted.post("/api/pairs/petition-ru__newsweek-en/undo",
                         json={"revision": 1, "author": "ak"}, headers={"X-CSRF-Token": token})
    assert res.status_code == 400, res.get_json()
    assert res.get_json()["message"] == "nothing to undo for ak in this pair"


def test_line_separators_in_a_note_and_an_author_leave_the_pair_usable(hand):
    note = "a\u2028b\u2029c\x85d"
    res = post(hand, f"/pairs/{PAIR}/beads/s0:t1/annotations",
               {"text": note, "category": "other"}, author="Анна\u2029")
    assert res.status_code == 200, res.get_json()
    for _ in range(2):  # every later request works, in this process and in a fresh one
        assert post(hand, f"/pairs/{PAIR}/beads/s4:t5/status", {"status": "approved"},
                    author="Анна").status_code == 200
        assert hand.get(f"/api/pairs/{PAIR}").status_code == 200
        hand.application.extensions["workbench"].editor.forget(hand.po)
    res = post(hand, f"/pairs/{PAIR}/undo", {}, author="Анна")
    assert res.status_code == 200 and res.get_json()["step"] == "undo"
    assert store.load(hand.po).record("s0:t1").annotations[0].text == note


def test_actions_without_a_name_are_refused(hand):
    before = hand.po.read_bytes()
    for body in ({"status": "approved"}, {"status": "approved", "author": " "}):
        res = hand.post(f"/api/pairs/{PAIR}/beads/s0:t1/status", json=body,
                        headers={"X-CSRF-Token": hand.csrf})
        assert res.status_code == 400
        assert res.get_json()["message"].startswith("set your name first")
    assert hand.po.read_bytes() == before


def test_a_po_file_restored_from_git_sets_the_history_aside_with_a_notice(hand):
    committed = hand.po.read_bytes()
    assert post(hand, f"/pairs/{PAIR}/beads/s0:t1/status", {"status": "approved"}).status_code == 200
    assert post(hand, f"/pairs/{PAIR}/link", {"source": 3, "rendering": 4}).status_code == 200
    hand.po.write_bytes(committed)  # `git checkout translations/...po`
    res = post(hand, f"/pairs/{PAIR}/undo", {})
    assert res.status_code == 400 and res.get_json()["message"] == "nothing to undo for ak in this pair"
    history = hand.get(f"/api/pairs/{PAIR}/history?author=ak").get_json()["history"]
    assert "did not belong to this PO file" in history["notice"]
    html = hand.get(f"/pairs/{PAIR}").get_data(as_text=True)
    assert '<p class="notice" id="history-notice">The undo history was set aside as ' in html
    assert [p.name for p in hand.po.parent.iterdir() if "set-aside" in p.name] != []
    assert hand.po.read_bytes() == committed
    # Undo works again from the clean history, and the notice goes with the first new action.
    res = post(hand, f"/pairs/{PAIR}/beads/s4:t5/status", {"status": "rejected"})
    assert res.get_json()["history"]["notice"] is None
    res = post(hand, f"/pairs/{PAIR}/undo", {})
    assert res.status_code == 200 and res.get_json()["summary"] == "rejected s4:t5"


def test_a_stale_bead_revision_is_409_naming_who_changed_the_bead(hand):
    view = hand.get(f"/api/pairs/{PAIR}").get_json()
    rev = {b["key"]: b["rev"] for b in view["beads"]}
    assert post(hand, f"/pairs/{PAIR}/beads/s0:t1/status", {"status": "approved",
                "beads": {"s0:t1": rev["s0:t1"]}}, author="bo").status_code == 200
    res = post(hand, f"/pairs/{PAIR}/beads/s4:t5/status", {"status": "approved",
               "beads": {"s4:t5": rev["s4:t5"]}})
    assert res.status_code == 200  # another bead: no conflict
    res = post(hand, f"/pairs/{PAIR}/beads/s0:t1/status", {"status": "rejected",
               "beads": {"s0:t1": rev["s0:t1"]}})
    assert res.status_code == 409
    body = res.get_json()
    assert body["message"].startswith("bead s0:t1 was changed by bo (approved s0:t1, ")
    assert [(b["key"], b["status"]) for b in body["current"]["beads"]] == [("s0:t1", "approved")]
    assert body["current"]["beads"][0]["rev"] != rev["s0:t1"]
    res = post(hand, f"/pairs/{PAIR}/beads/s0:t1/status", {"status": "rejected", "beads": [1]})
    assert res.status_code == 400 and "'beads' must map bead keys" in res.get_json()["message"]


def test_a_bead_someone_removed_is_409_naming_them_and_one_that_never_was_is_404(hand):
    assert post(hand, f"/pairs/{PAIR}/beads/s4:t5/unlink", {}, author="bo").status_code == 200
    res = post(hand, f"/pairs/{PAIR}/beads/s4:t5/annotations", {"text": "late note"})
    assert res.status_code == 409
    assert res.get_json()["message"].startswith(
        "bead s4:t5 no longer exists: changed by bo (unlink s4:t5, ")
    res = post(hand, f"/pairs/{PAIR}/beads/s8:t9/annotations", {"text": "x"})
    assert res.status_code == 404 and "no bead 's8:t9'" in res.get_json()["message"]


# --- the translation memory on the page's API -----------------------------------------------------

@pytest.fixture
def two_pairs(tmp_path: Path, make_client):
    root = make_data_dir(tmp_path / "two")
    add_second_pair(root)
    client = make_client(root)
    client.root = root
    return client


def _status(client, pair: str, key: str, status: str):
    res = client.post(f"/api/pairs/{pair}/beads/{key}/status", json={"status": status, "author": "Анна"},
                      headers={"X-CSRF-Token": client.csrf})
    assert res.status_code == 200, res.get_json()
    return res


def test_approving_a_bead_puts_it_in_the_memory_matches_of_another_pairs_bead(two_pairs):
    c = two_pairs
    matches = lambda pair, key: c.get(f"/api/pairs/{pair}/beads/{key}/memory").get_json()["matches"]
    assert matches(SECOND, "s0:t0") == []  # nothing approved yet (and the MT is not a match)
    _status(c, PAIR, "s0:t1", "approved")
    c.post(f"/api/pairs/{PAIR}/beads/s0:t1/annotations", json={"text": "ok", "author": "Анна"},
           headers={"X-CSRF-Token": c.csrf})
    exact = matches(SECOND, "s0:t0")
    assert [(m["kind"], m["score"], m["pair_id"], m["bead"], m["rendering_text"], m["reviewer"])
            for m in exact] == [("exact", 100.0, PAIR, "s0:t1",
                                 "We, the citizens of Russia, oppose mobilization.", "Анна")]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", exact[0]["time"])
    # The bead itself is not its own match.
    assert matches(PAIR, "s0:t1") == []
    # A fuzzy match: one word added (9 characters of the 89 the two hold), marked.
    fuzzy = matches(SECOND, "s1:t1")
    assert [(m["kind"], m["score"], m["bead"]) for m in fuzzy] == [("fuzzy", 89.89, "s0:t1")]
    assert [t for t, tag in fuzzy[0]["diff"]["query"] if tag != "equal"] == ["всеобщей "]
    assert c.get(f"/api/pairs/{SECOND}/beads/s1:t1/memory?min=95").get_json()["matches"] == []
    # Un-approving takes it out again; so does an undo of the approval.
    _status(c, PAIR, "s0:t1", "needs-work")
    assert matches(SECOND, "s0:t0") == []
    res = c.post(f"/api/pairs/{PAIR}/undo", json={"author": "Анна"}, headers={"X-CSRF-Token": c.csrf})
    assert res.status_code == 200
    assert [m["bead"] for m in matches(SECOND, "s0:t0")] == ["s0:t1"]


def test_memory_matches_refuse_a_bad_limit_and_an_unknown_bead(two_pairs):
    res = two_pairs.get(f"/api/pairs/{SECOND}/beads/s0:t0/memory?limit=abc")
    assert res.status_code == 400
    assert "'limit' is 'abc': give a whole number from 1 to 20" in res.get_json()["message"]
    assert two_pairs.get(f"/api/pairs/{SECOND}/beads/s9:t9/memory").status_code == 404


def test_a_broken_memory_index_never_fails_a_save(two_pairs):
    c = two_pairs
    assert c.get(f"/api/pairs/{SECOND}/beads/s0:t0/memory").status_code == 200  # index built
    index = index_path(c.root)
    index.write_bytes(b"not a database")
    _status(c, PAIR, "s0:t1", "approved")
    assert store.load(c.root / "translations" / f"{PAIR}.po").record("s0:t1").status == "approved"
    assert [m["bead"] for m in c.get(f"/api/pairs/{SECOND}/beads/s0:t0/memory").get_json()["matches"]] == ["s0:t1"]


def test_an_index_that_cannot_be_written_is_a_clear_403_and_the_save_still_happens(two_pairs):
    c = two_pairs
    index = index_path(c.root)
    index.mkdir(parents=True)  # neither an SQLite file nor replaceable by one
    res = c.get(f"/api/pairs/{SECOND}/beads/s0:t0/memory")
    assert res.status_code == 403
    assert "the translation memory's index cannot be read or written" in res.get_json()["message"]
    _status(c, PAIR, "s0:t1", "approved")
    assert store.load(c.root / "translations" / f"{PAIR}.po").record("s0:t1").status == "approved"
    index.rmdir()
    assert [m["bead"] for m in c.get(f"/api/pairs/{SECOND}/beads/s0:t0/memory").get_json()["matches"]] == ["s0:t1"]


@pytest.mark.slow
def test_semantic_memory_matches_are_asked_for_and_labelled_semantic(two_pairs):
    c = two_pairs
    for pair, key in ((PAIR, "s0:t1"), (SECOND, "s0:t0"), (SECOND, "s1:t1")):
        _status(c, pair, key, "approved")
    # At 95 the one-word difference of SECOND s1:t1 is no fuzzy match; the encoder finds it,
    # labelled semantic. The bead itself is never a match, and nothing is listed twice.
    url = f"/api/pairs/{SECOND}/beads/s0:t0/memory?min=95"
    assert [(m["kind"], m["bead"]) for m in c.get(url).get_json()["matches"]] == [("exact", "s0:t1")]
    found = c.get(url + "&semantic=1").get_json()["matches"]
    assert [(m["kind"], m["pair_id"], m["bead"]) for m in found] == [
        ("exact", PAIR, "s0:t1"), ("semantic", SECOND, "s1:t1")]
    assert (found[1]["score"], found[1]["margin"] >= 1.05) == (None, True)
    assert c.get(url + "&semantic=2").status_code == 400


def test_every_page_has_an_icon_and_the_browsers_own_request_for_one_is_answered(client):
    html = client.get("/").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    for url in ("/favicon.ico", "/static/favicon.svg"):
        res = client.get(url)
        assert (res.status_code, res.mimetype) == (200, "image/svg+xml")
        assert res.get_data().startswith(b"<svg xmlns=\"http://www.w3.org/2000/svg\"")

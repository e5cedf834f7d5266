"""Real-browser tests: the server in its own process, Debian's Chromium driven by Playwright.

One browser for the module; each test gets its own server, data directory and browser context
(so localStorage starts empty).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from factories import (PAIR, SECOND, add_second_pair, make_data_dir, open_pair, screenshot,
                       start_server, stop)
from workbench import edit, store


pytestmark = pytest.mark.browser


@pytest.fixture
def server(data_dir: Path, tmp_path: Path):
    url, proc = start_server(data_dir, tmp_path)
    yield url
    stop(proc)


@pytest.fixture
def hand_server(tmp_path: Path):
    root = make_data_dir(tmp_path / "hand")
    url, proc = start_server(root, tmp_path)
    yield url, root / "translations" / f"{PAIR}.po"
    stop(proc)


def test_quoted_petition_sentence_and_its_rendering_share_a_row(server, page, tmp_path):
    # Opening the pair writes nothing: its page offers to prepare it, and the button's POST does.
    page.goto(server + "/pairs/petition-ru__newsweek-en")
    page.click("#prepare button")
    page.wait_for_selector("html[data-ready='1']", timeout=120_000)
    assert page.url == server + "/pairs/petition-ru__newsweek-en"
    # The README shows this page as the bundled pair looks now, whatever the checks below say.
    screenshot(page, "screenshot.png", tmp_path)
    row = page.locator("tr.bead", has=page.locator(
        "td.tgt", has_text="On September 21, 2022, Vladimir Putin announced the start of partial "
                           "mobilization throughout Russia"))
    assert row.count() == 1
    assert "21 сентября 2022 г. Владимир Путин объявил" in row.locator("td.src").inner_text()
    we = page.locator("tr.bead", has=page.locator("td.tgt", has_text="We, the citizens of Russia"))
    assert "Мы, граждане России" in we.locator("td.src").inner_text()
    assert page.locator("#mt-missing").is_visible()


def test_the_pair_page_works_under_its_content_security_policy(hand_server, page):
    url, _ = hand_server
    open_pair(page, f"{url}/pairs/{PAIR}")
    page.keyboard.press("?")
    assert page.locator("#help").is_visible()
    page.keyboard.press("Escape")
    assert page.evaluate("window.__csp") == []
    # The policy is in force: a script put into the page inline does not run, and is reported.
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        page.evaluate("() => { const s = document.createElement('script');"
                      " s.textContent = 'window.__inline = 1'; document.body.append(s); }")
    page.wait_for_function("() => window.__csp.length > 0")
    assert page.evaluate("window.__inline") is None
    assert page.evaluate("window.__csp") == ["script-src-elem inline"]
    page.js_errors.clear()  # the console message of the violation just caused on purpose


def test_review_link_undo_and_reload_keep_the_state_the_po_file_has(hand_server, page, tmp_path):
    url, po = hand_server
    original = po.read_bytes()
    open_pair(page, f"{url}/pairs/{PAIR}")
    bead = "tr.bead[data-key='s0:t1']"
    # Keyboard: the first bead has the focus; j moves to the next, a approves it.
    assert page.locator("tr.bead.current").get_attribute("data-key") == "s:t0"
    page.keyboard.press("j")
    assert page.locator("tr.bead.current").get_attribute("data-key") == "s0:t1"
    # Every change is signed: the first one asks for the name before anything is sent.
    page.keyboard.press("a")
    page.wait_for_selector("#author-dialog[open]")
    assert po.read_bytes() == original
    page.fill("#author-input", "Анна")
    page.click("#author-dialog button[value='save']")
    page.wait_for_selector(f"{bead}.status-approved")
    assert store.load(po).record("s0:t1").status == "approved"
    assert page.locator("#message").inner_text() == "Saved: approved s0:t1 (revision 2)"
    # A note: n opens the form; the name is known now.
    page.keyboard.press("n")
    assert not page.locator("#author-ask").is_visible()
    page.select_option("#note-category", "paraphrase")
    page.fill("#note-text", "'against' became 'oppose'")
    page.click("#note-save")
    page.wait_for_selector(f"{bead} ol.annotations li")
    assert page.locator("#author-name").inner_text() == "Анна"
    # Link the unmatched source sentence 3 with the unmatched rendering sentence 4, then undo.
    page.click(".sent[data-side='source'][data-id='3']")
    page.click(".sent[data-side='rendering'][data-id='4']")
    page.click("#link")
    page.wait_for_selector("tr.bead[data-key='s3:t4']")
    assert page.locator("tr.bead[data-key='s3:t']").count() == 0
    page.keyboard.press("u")
    page.wait_for_selector("tr.bead[data-key='s3:t']")
    assert page.locator("#message").inner_text() == "Undone: link s3 with t4 (revision 5)"
    # The help overlay.
    page.keyboard.press("?")
    assert page.locator("#help").is_visible()
    page.keyboard.press("Escape")
    assert not page.locator("#help").is_visible()

    page.reload()
    page.wait_for_selector("html[data-ready='1']")
    keys = page.locator("tr.bead").evaluate_all("rows => rows.map(r => r.dataset.key)")
    assert keys == ["s:t0", "s0:t1", "s1,2:t2,3", "s3:t", "s:t4", "s4:t5"]
    assert "approved" in page.locator(bead).get_attribute("class")
    note = page.locator(f"{bead} ol.annotations li").inner_text()
    assert "paraphrase" in note and "'against' became 'oppose'" in note and "Анна" in note
    assert page.locator("#author-name").inner_text() == "Анна"
    assert page.locator("#undo").get_attribute("title") == "Undo note on s0:t1 (u)"
    # The PO file on disk says the same.
    pf = store.load(po)
    assert [r.key for r in pf.records] == keys
    rec = pf.record("s0:t1")
    assert rec.status == "approved"
    assert [(a.category, a.text, a.author) for a in rec.annotations] == [
        ("paraphrase", "'against' became 'oppose'", "Анна")]
    assert pf.revision == 5
    assert edit.history_state(po, "Анна") == {"can_undo": True, "can_redo": True,
                                               "undo": "note on s0:t1", "redo": "link s3 with t4",
                                               "done": 2, "undone": 1, "author": "Анна",
                                               "notice": None, "recover": None}
    screenshot(page, "screenshot-review.png", tmp_path)

    # Someone else changes another bead meanwhile: no conflict, this page's change is saved.
    edit.perform(po, lambda pf: edit.set_status(pf, "s4:t5", "rejected"), author="bo")
    page.click(f"{bead} td.meta")
    page.keyboard.press("w")
    page.wait_for_selector(f"{bead}.status-needs-work")
    # Then they change this very bead: this page's next change to it is refused, says who did
    # what, and shows their state.
    edit.perform(po, lambda pf: edit.set_status(pf, "s0:t1", "rejected"), author="bo")
    page.keyboard.press("a")
    page.wait_for_selector(f"{bead}.status-rejected")
    assert "bead s0:t1 was changed by bo (rejected s0:t1, " in page.locator("#message").inner_text()
    assert store.load(po).record("s0:t1").status == "rejected"
    # Anna's undo is her own: it reverts her needs-work, not bo's later change... which it cannot,
    # since bo changed the bead after her: refused, naming bo.
    page.keyboard.press("u")
    page.wait_for_function(
        "() => document.getElementById('message').textContent.includes('cannot undo')")
    assert "cannot undo 'needs-work s0:t1': bead s0:t1 is rejected now, changed later by bo" in \
        page.locator("#message").inner_text()
    assert store.load(po).record("s4:t5").status == "rejected"


def test_c_links_an_unmatched_rendering_sentence_with_its_suggested_source(hand_server, page):
    url, po = hand_server
    open_pair(page, f"{url}/pairs/{PAIR}")
    page.evaluate("localStorage.setItem('workbench.author', 'ak')")
    row = "tr.bead[data-key='s:t4']"
    assert page.locator(f"{row} p.suggestion").inner_text() == "closest source: #3 (0.41) — link"
    assert page.locator("p.suggestion").count() == 1
    page.keyboard.press("?")
    assert "link an unmatched rendering sentence with its suggested closest source sentence" in \
        page.locator("#help").inner_text()
    page.keyboard.press("Escape")
    # A bead without a suggestion: c says so and sends nothing.
    page.keyboard.press("c")
    assert page.locator("#message").inner_text() == "This bead has no suggested source sentence."
    page.click(f"{row} td.meta")
    page.keyboard.press("c")
    page.wait_for_selector("tr.bead[data-key='s3:t4']")
    assert page.locator("#message").inner_text() == "Saved: link s3 with t4 (revision 2)"
    assert page.locator(f"{row}, tr.bead[data-key='s3:t'], p.suggestion").count() == 0
    rec = store.load(po).record("s3:t4")
    assert (rec.method, rec.closest) == ("manual", None)
    # Undone, the suggestion is back; its link button does the same as the key.
    page.keyboard.press("u")
    page.wait_for_selector(f"{row} p.suggestion")
    page.click(f"{row} p.suggestion button[data-act='closest']")
    page.wait_for_selector("tr.bead[data-key='s3:t4']")
    assert page.locator("#message").inner_text() == "Saved: link s3 with t4 (revision 4)"
    assert [r.key for r in store.load(po).records] == [
        "s:t0", "s0:t1", "s1,2:t2,3", "s3:t4", "s4:t5"]
    assert page.evaluate("window.__csp") == []


def test_script_in_an_annotation_is_shown_as_text_and_never_runs(hand_server, page):
    url, po = hand_server
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_pair(page, f"{url}/pairs/{PAIR}")
    payload = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2; alert(2)">'
    page.evaluate("localStorage.setItem('workbench.author', '<b>ak</b>')")
    page.click("tr.bead[data-key='s4:t5'] button[data-act='note']")
    assert not page.locator("#author-ask").is_visible()
    page.fill("#note-text", payload)
    page.click("#note-save")
    page.wait_for_selector("tr.bead[data-key='s4:t5'] ol.annotations li")
    page.reload()
    page.wait_for_selector("html[data-ready='1']")
    li = page.locator("tr.bead[data-key='s4:t5'] ol.annotations li")
    assert li.locator(".text").inner_text() == payload
    assert "<b>ak</b>" in li.inner_text()
    assert li.locator("img, script, b").count() == 0
    assert page.evaluate("window.__xss") is None
    assert dialogs == []
    assert store.load(po).record("s4:t5").annotations[0].text == payload


def test_a_note_the_server_refuses_is_offered_again_not_lost(hand_server, page):
    url, po = hand_server
    open_pair(page, f"{url}/pairs/{PAIR}")
    page.evaluate("localStorage.setItem('workbench.author', 'ak')")
    # Someone else unlinks the bead while this page still shows it.
    edit.perform(po, lambda pf: edit.unlink(pf, "s4:t5"), author="bo")
    page.click("tr.bead[data-key='s4:t5'] button[data-act='note']")
    page.select_option("#note-category", "omission")
    page.fill("#note-text", "a long careful note")
    page.click("#note-save")
    page.wait_for_function(
        "() => document.getElementById('message').textContent.includes('not saved')")
    assert "bead s4:t5 no longer exists: changed by bo (unlink s4:t5, " in \
        page.locator("#message").inner_text()
    page.keyboard.press("n")
    assert page.locator("#note-text").input_value() == "a long careful note"
    assert page.locator("#note-category").input_value() == "omission"


def test_a_5000_bead_pair_opens_one_page_at_a_time_and_saves_quickly(tmp_path, page):
    root = make_data_dir(tmp_path / "big", n_beads=5000)
    url, proc = start_server(root, tmp_path)
    try:
        timings = {}
        for visit in ("cold", "warm"):
            t0 = time.perf_counter()
            open_pair(page, f"{url}/pairs/{PAIR}")
            timings[f"ready_{visit}_s"] = time.perf_counter() - t0
            # The paint entry is recorded asynchronously: wait for it rather than read it at once.
            timings[f"first_contentful_paint_{visit}_ms"] = page.wait_for_function(
                "() => { const e = performance.getEntriesByName('first-contentful-paint')[0];"
                " return e ? e.startTime : false; }").json_value()
        assert page.locator("tr.bead").count() == 100
        assert page.locator("#pair-state").get_attribute("data-pages") == "50"
        page.evaluate("localStorage.setItem('workbench.author', 'ak')")
        page.keyboard.press("j")
        t0 = time.perf_counter()
        page.keyboard.press("a")
        page.wait_for_selector("tr.bead[data-key='s1:t1'].status-approved")
        timings["approve_s"] = time.perf_counter() - t0
        page.keyboard.press("n")
        page.fill("#note-text", "checked")
        t0 = time.perf_counter()
        page.click("#note-save")
        page.wait_for_selector("tr.bead[data-key='s1:t1'] ol.annotations li")
        timings["save_annotation_s"] = time.perf_counter() - t0
        page.click("#next-page")
        page.wait_for_selector("tr.bead[data-key='s100:t100']")
        rec = store.load(root / "translations" / f"{PAIR}.po").record("s1:t1")
        assert (rec.status, [a.text for a in rec.annotations]) == ("approved", ["checked"])
    finally:
        stop(proc)
    print("\n5000-bead pair: " + ", ".join(f"{k}={v:.3f}" for k, v in timings.items()))


def test_the_focused_bead_shows_its_memory_matches_and_t_copies_the_first_into_a_note(tmp_path, page):
    root = make_data_dir(tmp_path / "two")
    po = add_second_pair(root)
    first = root / "translations" / f"{PAIR}.po"
    edit.perform(first, lambda pf: edit.set_status(pf, "s0:t1", "approved"), author="Анна")
    edit.perform(first, lambda pf: edit.annotate(pf, "s0:t1", "checked", "accurate", "Анна"),
                 author="Анна")
    url, proc = start_server(root, tmp_path)
    try:
        open_pair(page, f"{url}/pairs/{SECOND}")
        panel = page.locator("#memory")
        page.wait_for_selector("#memory[data-key='s0:t0'] #memory-matches li")
        item = panel.locator("#memory-matches li")
        assert item.count() == 1
        assert item.locator(".m-score").inner_text() == "100 exact"
        assert item.locator(".m-rendering").inner_text() == "We, the citizens of Russia, oppose mobilization."
        assert item.locator(".m-origin").inner_text().startswith(f"{PAIR} · s0:t1 · Анна · 20")
        assert item.locator(".m-query").count() == 0
        # The next bead: a fuzzy match, the word its source lacks marked.
        page.keyboard.press("j")
        page.wait_for_selector("#memory[data-key='s1:t1'] #memory-matches li")
        assert item.locator(".m-score").inner_text() == "90 fuzzy"
        assert item.locator(".m-query").inner_text() == "this bead's source differs in: всеобщей"
        screenshot(page, "screenshot-memory.png", tmp_path)
        # t copies it into a note on this bead (the name is asked first).
        page.keyboard.press("t")
        page.wait_for_selector("#author-dialog[open]")
        page.fill("#author-input", "Бо")
        page.click("#author-dialog button[value='save']")
        page.wait_for_selector("tr.bead[data-key='s1:t1'] ol.annotations li")
        note = store.load(po).record("s1:t1").annotations
        assert [(a.text, a.author) for a in note] == [
            (f"We, the citizens of Russia, oppose mobilization. [memory: fuzzy 90, {PAIR} s0:t1, Анна]",
             "Бо")]
        assert page.evaluate("window.__csp") == []
    finally:
        stop(proc)

"""A new comparison from the page in a real browser: a translator uploads a .docx of the petition
and the saved news page that quotes it (three clicks: source file, rendering file, Compare), sees
the languages and titles told, watches the preparation's progress, and lands on the pair page with
the quotes linked. The server starts on an empty directory."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from documents import PAGE_NOISE, article_paragraphs, docx_bytes, news_page
from factories import screenshot, start_server, stop

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
TITLE = "Over 140,000 Sign Petition Against Mobilization in Russia"
PETITION = (REPO / "corpora" / "petition.ru.txt").read_text(encoding="utf-8").strip().split("\n\n")


@pytest.mark.parametrize("picking", [0.0, 3.0])
def test_a_docx_and_a_saved_page_become_a_prepared_pair_in_three_clicks(tmp_path, page, picking):
    """`picking`: the seconds a translator takes to find the files after the page opened (the
    server loads the encoder meanwhile); the time to the ready pair page counts from the first
    upload."""
    files = tmp_path / "files"
    files.mkdir()
    (files / "petition.docx").write_bytes(docx_bytes(PETITION[1:], heading=PETITION[0]))
    (files / "newsweek.html").write_bytes(news_page(TITLE, article_paragraphs()))
    (tmp_path / "empty").mkdir()
    url, proc = start_server(tmp_path / "empty", tmp_path)
    clicks = 0
    try:
        page.goto(url + "/")
        page.click("#new-comparison")  # the way in from the empty list (not counted: navigation)
        page.wait_for_selector("#source-file")
        time.sleep(picking)
        started = time.monotonic()
        with page.expect_file_chooser() as chooser:
            page.click("#source-file")
            clicks += 1
        chooser.value.set_files(str(files / "petition.docx"))
        with page.expect_file_chooser() as chooser:
            page.click("#rendering-files")
            clicks += 1
        chooser.value.set_files(str(files / "newsweek.html"))
        page.wait_for_selector("#compare:not([disabled])", timeout=60_000)
        source = page.locator("#source-uploads .upload-card")
        rendering = page.locator("#rendering-uploads .upload-card")
        assert source.locator(".upload-language").input_value() == "ru"
        assert rendering.locator(".upload-language").input_value() == "en"
        assert source.locator(".upload-title").input_value() == PETITION[0]
        assert rendering.locator(".upload-title").input_value() == TITLE
        characters = len("\n\n".join(PETITION))
        assert source.locator(".upload-format").inner_text() == \
            f"Word document, 4 paragraphs, {characters} characters"
        assert rendering.locator(".upload-preview").inner_text().startswith(TITLE)
        if picking:
            screenshot(page, "screenshot-new.png", tmp_path)
        # every text the progress line shows is kept in sessionStorage, which outlives the
        # navigation to the pair page
        page.evaluate("""() => {
          const line = document.getElementById('progress-text');
          new MutationObserver(() => {
            const seen = JSON.parse(sessionStorage.getItem('stages') || '[]');
            seen.push(line.textContent);
            sessionStorage.setItem('stages', JSON.stringify(seen));
          }).observe(line, {childList: true, characterData: true, subtree: true});
        }""")
        page.click("#compare")
        clicks += 1
        # the progress shows while the pair is prepared, then the pair page opens by itself
        page.wait_for_url("**/pairs/**", timeout=60_000)
        page.wait_for_selector("html[data-ready='1']", timeout=60_000)
        stages = {text.split(":")[0].split(",")[0]
                  for text in page.evaluate("JSON.parse(sessionStorage.getItem('stages') || '[]')")}
        ready = time.monotonic() - started
        assert clicks == 3
        assert page.url == url + "/pairs/petition-ru__newsweek-en"
        assert stages & {"splitting into sentences", "encoding sentences", "aligning",
                         "writing the PO file"}, stages
        # the quotes are linked: the petition's sentences share rows with the article's quotes
        we = page.locator("tr.bead", has=page.locator("td.tgt", has_text="We, the citizens of Russia"))
        assert "Мы, граждане России" in we.locator("td.src").inner_text()
        put = page.locator("tr.bead", has=page.locator(
            "td.tgt", has_text="Vladimir Putin announced the start of partial mobilization"))
        assert "Владимир Путин объявил о начале частичной мобилизации" in put.locator("td.src").inner_text()
        shown = page.locator("table.beads td.tgt").all_inner_texts()
        assert [n for n in PAGE_NOISE if any(n in t for t in shown)] == []
        assert page.locator("#pair-body.mt-collapsed").count() == 1  # no model installed: no MT
        if picking:
            screenshot(page, "screenshot-added.png", tmp_path)
        assert page.evaluate("window.__csp") == []
        print(f"\nnew comparison, files picked after {picking:g} s: {clicks} clicks, first upload "
              f"to the ready pair page {ready:.2f} s; progress shown: {sorted(stages)}")
    finally:
        stop(proc)


def test_a_pair_is_renamed_removed_and_brought_back_from_the_list(data_dir, tmp_path, page):
    url, proc = start_server(data_dir, tmp_path)
    try:
        page.goto(url + "/")
        row = page.locator("tr[data-pair='petition-ru__petition-en']")
        page.once("dialog", lambda d: d.accept("Full translation"))
        row.locator("button[data-act='rename']").click()
        page.wait_for_selector("tr[data-pair='petition-ru__petition-en'] .pair-title:text('Full translation')")
        page.once("dialog", lambda d: d.accept())
        page.locator("tr[data-pair='petition-ru__petition-en'] button[data-act='remove']").click()
        page.wait_for_selector("#undo-remove")
        assert page.locator("tr[data-pair='petition-ru__petition-en']").count() == 0
        assert page.locator("#message").inner_text().startswith('Moved "Full translation" into the trash')
        assert not (data_dir / "corpora" / "petition.en.txt").exists()
        page.click("#undo-remove")
        page.wait_for_selector("tr[data-pair='petition-ru__petition-en'] .pair-title:text('Full translation')")
        assert (data_dir / "corpora" / "petition.en.txt").exists()
        assert page.evaluate("window.__csp") == []
    finally:
        stop(proc)

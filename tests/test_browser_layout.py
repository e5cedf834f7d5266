"""The pair page's layout in a real browser: the translation memory panel never covers a bead's
text, wherever the page is scrolled; the machine translation column is collapsed for a pair with
no MT and opens (and stays open across the rows' redraws) from its heading."""

from __future__ import annotations

from pathlib import Path

import pytest

from factories import PAIR, make_data_dir, make_pair_file, start_server, stop, write_corpus
from findings_pair import PAIR as FINDINGS, make_findings_dir
from workbench.model import Bead

pytestmark = pytest.mark.browser


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("html[data-ready='1']")


OVERLAPS = """() => {
  const m = document.getElementById('memory').getBoundingClientRect();
  const hits = [];
  for (const cell of document.querySelectorAll('table.beads td')) {
    const r = cell.getBoundingClientRect();
    if (r.bottom <= 0 || r.top >= window.innerHeight || !cell.textContent.trim()) continue;
    if (r.left < m.right && m.left < r.right && r.top < m.bottom && m.top < r.bottom)
      hits.push(cell.className + ' ' + cell.textContent.trim().slice(0, 30));
  }
  return hits;
}"""


@pytest.mark.parametrize("width", [1400, 900])
def test_the_memory_panel_never_covers_bead_text(tmp_path, page, width):
    root = make_data_dir(tmp_path / "data", n_beads=60)
    url, proc = start_server(root, tmp_path)
    try:
        page.set_viewport_size({"width": width, "height": 800})
        _open(page, f"{url}/pairs/{PAIR}")
        assert page.locator("#memory").is_visible()
        seen = 0
        for y in range(0, 20000, 350):
            page.evaluate(f"window.scrollTo(0, {y})")
            assert page.evaluate(OVERLAPS) == [], y
            seen += 1
        page.keyboard.press("j")  # a focused bead asks the panel for its matches
        assert page.evaluate(OVERLAPS) == []
        assert seen > 10
    finally:
        stop(proc)


def test_the_memory_panel_of_the_findings_screenshot_leaves_the_last_row_whole(tmp_path, page):
    """The case the old screenshot showed: the panel over the end of a rendering sentence."""
    make_findings_dir(tmp_path / "data")
    url, proc = start_server(tmp_path / "data", tmp_path)
    try:
        _open(page, f"{url}/pairs/{FINDINGS}")
        page.locator("tr.bead").nth(2).click()
        for y in (0, 200, 400, 10000):
            page.evaluate(f"window.scrollTo(0, {y})")
            assert page.evaluate(OVERLAPS) == [], y
    finally:
        stop(proc)


def _mt_width(page) -> float:
    return page.locator("table.beads th.mt").evaluate("e => e.getBoundingClientRect().width")


def test_the_mt_column_is_collapsed_without_mt_and_opens_from_its_heading(tmp_path, page):
    root = tmp_path / "data"
    src, tgt = ["Мы против мобилизации.", "Подписывайте."], ["We oppose mobilization.", "Sign."]
    write_corpus(root, ("speech-ru", "ru", "speech.ru.txt", None, src),
                 ("report-en", "en", "report.en.txt", None, tgt))
    make_pair_file(root / "translations" / f"{PAIR}.po", src, tgt,
                   [Bead((0,), (0,), 0.9, "test"), Bead((1,), (1,), 0.9, "test")],
                   ids=("speech-ru", "report-en"))  # no MT
    url, proc = start_server(root, tmp_path)
    try:
        _open(page, f"{url}/pairs/{PAIR}")
        table = page.locator("table.beads").evaluate("e => e.getBoundingClientRect().width")
        assert _mt_width(page) < 50
        src_width = page.locator("table.beads th").nth(1).evaluate("e => e.getBoundingClientRect().width")
        assert src_width > 0.3 * table
        page.click("#mt-toggle")
        assert _mt_width(page) > 0.2 * table
        # an action redraws the rows: the column stays as the translator left it
        page.locator("tr.bead").first.click()
        page.keyboard.press("a")
        page.wait_for_selector("#author-dialog[open]")
        page.fill("#author-input", "Анна")
        page.click("#author-dialog button[value='save']")
        page.wait_for_selector("tr.bead.status-approved")
        assert _mt_width(page) > 0.2 * table
        page.click("#mt-toggle")
        assert _mt_width(page) < 50
    finally:
        stop(proc)


def test_a_pair_with_mt_shows_the_column_open(tmp_path, page):
    root = make_data_dir(tmp_path / "data")  # its file carries MT
    url, proc = start_server(root, tmp_path)
    try:
        _open(page, f"{url}/pairs/{PAIR}")
        table = page.locator("table.beads").evaluate("e => e.getBoundingClientRect().width")
        assert _mt_width(page) > 0.2 * table
    finally:
        stop(proc)


def test_the_mt_column_is_collapsed_by_what_the_beads_hold_not_by_the_header(tmp_path, make_client):
    """A file whose beads carry MT though its header names no model (an MT file given to
    `workbench align --mt`) shows the column open; one whose beads carry none, collapsed."""
    from factories import SECOND, add_second_pair

    root = make_data_dir(tmp_path / "data")
    add_second_pair(root)  # its beads carry MT, its header says X-MT-Model: none
    client = make_client(root)
    assert 'id="pair-body" class="mt-collapsed"' not in client.get(f"/pairs/{SECOND}").get_data(as_text=True)
    src, tgt = ["Один."], ["One."]
    make_pair_file(root / "translations" / f"{PAIR}.po", src, tgt, [Bead((0,), (0,), 0.9, "test")],
                   ids=("speech-ru", "report-en"))
    (root / "corpora" / "speech.ru.txt").write_text("Один.\n", encoding="utf-8")
    (root / "corpora" / "report.en.txt").write_text("One.\n", encoding="utf-8")
    assert 'id="pair-body" class="mt-collapsed"' in client.get(f"/pairs/{PAIR}").get_data(as_text=True)

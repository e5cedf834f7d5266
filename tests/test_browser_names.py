"""The Names panel in a real browser (the server in its own process, Debian's Chromium driven by
Playwright): the pair's learned name links are listed, a translator breaks one and confirms a link
of their own, the decisions stay after a reload and in the PO file, and the broken link's beads
show a name error."""

from __future__ import annotations

from pathlib import Path

import pytest

from factories import NAMES_PAIR, make_names_data_dir, open_pair, screenshot, start_server, stop
from workbench import store

pytestmark = pytest.mark.browser


@pytest.fixture
def served(tmp_path: Path):
    root = make_names_data_dir(tmp_path / "data")
    url, proc = start_server(root, tmp_path)
    yield url, root / "translations" / f"{NAMES_PAIR}.po"
    stop(proc)


def _links(page) -> list[list[str]]:
    return page.locator("#name-links tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells).slice(0, 4).map(c => c.innerText))")


def test_names_panel_lists_breaks_and_confirms_links(served, page, tmp_path):
    url, po = served
    open_pair(page, f"{url}/pairs/{NAMES_PAIR}")
    page.evaluate("localStorage.setItem('workbench.author', 'Анна')")
    panel = page.locator("#names")
    assert panel.locator("summary").inner_text() == \
        "Names: 2 links between the source's names and the rendering's"
    panel.locator("summary").click()
    assert _links(page) == [["Сергей Иванович", "Koznyshev", "3", "learned"],
                            ["Стива", "Stepan Arkadyevitch", "3", "learned"]]
    # no name error on the beads the map explains
    assert page.locator("tr.checks-row[data-bead='s3:t3']").count() == 0

    page.locator("tr.name-link[data-source='Стива'] button[data-name-act='broken']").click()
    page.wait_for_selector("tr.name-link.state-broken")
    page.wait_for_selector("html[data-ready='1']")
    assert _links(page)[1] == ["Стива", "Stepan Arkadyevitch", "3", "broken"]
    assert page.locator("tr.checks-row[data-bead='s3:t3'] li.check").first.inner_text().startswith(
        "✖ error name: source names Стива; rendering names Stepan Arkadyevitch")

    # a link of the translator's own
    page.fill("#name-source", "Анна")
    page.fill("#name-rendering", "Koznyshev")
    page.click("#name-add button[type=submit]")
    page.wait_for_selector("tr.name-link.state-confirmed")
    page.wait_for_selector("html[data-ready='1']")
    assert page.locator("#names").get_attribute("open") is not None  # stays open
    assert _links(page)[2] == ["Анна", "Koznyshev", "0", "confirmed"]
    assert page.locator("tr.checks-row[data-bead='s5:t5']").count() == 0
    screenshot(page, "screenshot-names.png", tmp_path)

    assert store.load(po).header["X-Workbench-Names"] == \
        "broken Стива = Stepan Arkadyevitch; confirmed Анна = Koznyshev"
    open_pair(page, f"{url}/pairs/{NAMES_PAIR}")
    assert page.locator("#names summary").inner_text() == \
        "Names: 3 links between the source's names and the rendering's (2 decided)"

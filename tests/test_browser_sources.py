"""The source view in a real browser: the bundled petition with both its renderings, served by
`workbench serve` in its own process and opened in Debian's Chromium through Playwright.

`make screenshots` (WORKBENCH_SCREENSHOTS=docs) saves docs/screenshot-sources.png from here, which
the README shows; otherwise the picture goes to the test's temporary directory."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from factories import screenshot, start_server, stop

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.browser


@pytest.fixture
def petition_dir(tmp_path: Path) -> Path:
    """The bundled corpus with both pairs' PO files as committed."""
    root = tmp_path / "data"
    shutil.copytree(REPO / "corpora", root / "corpora")
    shutil.copytree(REPO / "translations", root / "translations",
                    ignore=shutil.ignore_patterns(".*"))
    return root


@pytest.fixture
def serve(tmp_path: Path):
    procs = []

    def start(root: Path) -> str:
        url, proc = start_server(root, tmp_path)
        procs.append(proc)
        return url

    yield start
    for proc in procs:
        stop(proc)


@pytest.fixture(autouse=True)
def every_asset_served(page):
    """Every stylesheet and script the page asks for is served."""
    yield
    assert page.bad_responses == []


def test_the_petition_and_both_renderings_side_by_side(page, serve, petition_dir, tmp_path):
    url = serve(petition_dir)
    page.goto(url + "/")
    page.click("text=Против частичной и всеобщей мобилизации >> nth=-1")
    page.wait_for_url(url + "/sources/petition-ru")
    headers = page.locator("table.sources thead th").all_inner_texts()
    assert [" ".join(h.split()) for h in headers] == ["#", "petition-ru ru", "newsweek-en en",
                                                      "petition-en en"]
    assert page.locator("tr.source-row").count() == 6
    assert page.locator("td[data-how='quote']").count() == 11
    assert page.locator("td[data-how='paraphrase']").count() == 1  # the title, inside a sentence
    shares = page.locator("table.coverage .share").all_inner_texts()
    assert shares == ["100%", "100%"]
    # the article's sentence that carries the title names the site and the pseudonym, which the
    # petition's translation leaves out: notes (one side only), not shown
    assert page.locator("tr#s0 ul.disagreements li").all_inner_texts() == []
    # Вооруженных сил / the Armed Forces is one institution, no name finding
    findings = page.locator("tr#s2 td[data-rendering='petition-en'] li.finding").all_inner_texts()
    assert findings == []
    findings = page.locator("tr#s0 td[data-rendering='newsweek-en'] li.finding").all_inner_texts()
    assert [f for f in findings if f.startswith("name:")] == []
    # the stylesheet applies (the CSP allows it from the workbench only)
    colour = page.locator("tr#s0 td[data-rendering='petition-en'] .badge").evaluate(
        "e => getComputedStyle(e).color")
    assert colour == "rgb(24, 106, 46)"
    screenshot(page, "screenshot-sources.png", tmp_path)

    page.click("#only-uncarried")
    page.wait_for_url(url + "/sources/petition-ru?only=uncarried")
    assert page.locator("tr.source-row").count() == 0
    assert "Every sentence is carried by at least one rendering." in page.inner_text("table.sources")


def test_a_rendering_without_a_po_file_is_said_in_its_column_and_not_created(page, serve,
                                                                              petition_dir):
    missing = petition_dir / "translations" / "petition-ru__petition-en.po"
    missing.unlink()
    url = serve(petition_dir)
    page.goto(url + "/sources/petition-ru")
    note = page.inner_text("table.sources thead th:nth-child(4) .column-error")
    assert note.startswith("no PO file translations/petition-ru__petition-en.po yet")
    assert page.locator("td.unreadable").count() == 6
    assert page.locator("td[data-rendering='newsweek-en'][data-how='quote']").count() == 5
    assert not missing.exists()

"""The source view in a real browser: the bundled petition with both its renderings, served by
`workbench serve` in its own process and opened in Debian's Chromium through Playwright.

`make screenshots` (WORKBENCH_SCREENSHOTS=docs) saves docs/screenshot-sources.png from here, which
the README shows; otherwise the picture goes to the test's temporary directory."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]

pytestmark = pytest.mark.browser


@pytest.fixture
def petition_dir(tmp_path: Path) -> Path:
    """The bundled corpus with both pairs' PO files as committed."""
    root = tmp_path / "data"
    shutil.copytree(REPO / "corpora", root / "corpora")
    shutil.copytree(REPO / "translations", root / "translations",
                    ignore=shutil.ignore_patterns(".*"))
    return root


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def serve(tmp_path: Path):
    procs: list[subprocess.Popen] = []

    def start(root: Path) -> str:
        port = _free_port()
        env = dict(os.environ, ARGOS_PACKAGES_DIR=str(tmp_path / "argos"),
                   WORKBENCH_CACHE_DIR=str(tmp_path / "cache"))
        env.pop("WORKBENCH_TOKEN", None)
        proc = subprocess.Popen([sys.executable, "-m", "workbench", "serve", "--data", str(root),
                                 "--port", str(port)], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        procs.append(proc)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/api/session", timeout=5)
                return url
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    raise AssertionError("server did not start:\n" + proc.stdout.read())
                time.sleep(0.2)

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: make test installs it"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda msg: errors.append(msg.text)
          if msg.type == "error" and "Content Security Policy" in msg.text else None)
    # every stylesheet and script the page asks for is served (the browser's own favicon request
    # is the one answer allowed to be 404)
    pg.on("response", lambda r: errors.append(f"{r.status} {r.url}")
          if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    yield pg
    context.close()
    assert errors == []  # no script error, no Content-Security-Policy violation, no missing asset


def _screenshot(page, name: str, tmp_path: Path) -> None:
    folder = REPO / "docs" if os.environ.get("WORKBENCH_SCREENSHOTS") == "docs" else tmp_path
    page.screenshot(path=str(folder / name), full_page=False)
    assert (folder / name).stat().st_size > 10_000


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
    _screenshot(page, "screenshot-sources.png", tmp_path)

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

"""Fidelity findings in a real browser: the server in its own process, Debian's Chromium driven by
Playwright. A finding is marked on both sides with its explanation under the row, the filter lists
the beads with findings of a kind, and a finding dismissed with a reason stays dismissed after a
reload, in the PO file, and for `workbench check`. Every Content-Security-Policy violation fails the
test."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from factories import screenshot, start_server, stop
from findings_pair import PAIR, make_findings_dir  # tests/ is on sys.path (pytest's prepend mode)
from workbench import store

pytestmark = pytest.mark.browser


@pytest.fixture
def served(tmp_path: Path):
    """`workbench serve` on a data directory holding the findings pair; (url, PO file)."""
    po = make_findings_dir(tmp_path / "data")
    url, proc = start_server(tmp_path / "data", tmp_path)
    yield url, po
    stop(proc)


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("html[data-ready='1']")


def _style(page, selector: str, prop: str) -> str:
    return page.locator(selector).first.evaluate(f"e => getComputedStyle(e).{prop}")


def test_a_finding_is_marked_on_both_sides_filtered_and_dismissed_for_good(served, page, tmp_path):
    url, po = served
    _open(page, f"{url}/pairs/{PAIR}")
    row = page.locator("tr.bead[data-key='s0:t1']")
    # Marked on both sides, by severity: the number error in red, the negation warning in amber.
    assert row.locator("td.src .check-mark.sev-error").inner_text() == "5000"
    assert row.locator("td.tgt .check-mark.sev-error").inner_text() == "50,000"
    assert row.locator("td.src .check-mark").get_attribute("title") == \
        "number: source says 5000; rendering says 50,000"
    error_colour = _style(page, "tr.bead[data-key='s0:t1'] td.src .check-mark", "borderBottomColor")
    warning = "tr.bead[data-key='s2:t3'] td.tgt .check-mark.sev-warning"
    assert page.locator(warning).inner_text() == "not"
    assert _style(page, warning, "borderBottomStyle") == "dashed"
    assert _style(page, warning, "borderBottomColor") != error_colour
    # The explanation stands under the row.
    line = page.locator("tr.checks-row[data-bead='s0:t1']")
    assert line.locator("li.check").all_inner_texts() == [
        "✖ error number: source says 5000; rendering says 50,000 dismiss…",
        "▲ warning mt-missing: the MT has 5000; the rendering does not dismiss…"]
    assert line.is_visible()
    # Hovering a finding's line lights up its marks.
    line.locator("li.check").first.hover()
    assert row.locator(".check-mark.hot").count() == 2

    # The filter: beads with a number finding only; its count is in the option.
    option = page.locator("#check-filter option[value='number']")
    assert option.inner_text() == "number (1)"
    page.select_option("#check-filter", "number")
    page.wait_for_url(lambda u: "check=number" in u)
    page.wait_for_selector("html[data-ready='1']")
    assert page.locator("tr.bead").evaluate_all("rows => rows.map(r => r.dataset.key)") == ["s0:t1"]
    assert page.locator("#check-counts a[aria-current]").inner_text() == "number 1"

    # Dismiss with a reason: the name first, then the reason.
    page.evaluate("localStorage.setItem('workbench.author', 'Анна')")
    page.locator("tr.checks-row[data-bead='s0:t1'] li.check").first.get_by_role("button").click()
    page.wait_for_selector("#dismiss-dialog[open]")
    assert page.locator("#dismiss-what").inner_text() == "number: source says 5000; rendering says 50,000"
    # An empty reason is not sent: the form asks for one.
    page.click("#dismiss-save")
    assert page.locator("#dismiss-dialog").get_attribute("open") is not None
    page.fill("#dismiss-reason", "the article rounds the figure")
    page.click("#dismiss-save")
    page.wait_for_selector("tr.checks-row[data-bead='s0:t1'] li.check.dismissed")
    assert page.locator("#message").inner_text() == \
        "Saved: dismiss number f55b3528a3 on s0:t1 (revision 2)"

    page.reload()
    page.wait_for_selector("html[data-ready='1']")
    done = page.locator("tr.checks-row[data-bead='s0:t1'] li.check.dismissed")
    assert done.inner_text() == ("✖ error number: source says 5000; rendering says 50,000 — "
                                 "dismissed by Анна: the article rounds the figure restore")
    assert _style(page, "tr.checks-row[data-bead='s0:t1'] li.check.dismissed .explanation",
                  "textDecorationLine") == "line-through"
    assert page.locator("tr.bead[data-key='s0:t1'] td.src .check-mark").get_attribute("class") == \
        "check-mark dismissed"
    assert page.locator("#check-filter option[value='open']").inner_text() == "with open findings (3)"
    rec = store.load(po).record("s0:t1")
    assert [(a.text, a.author) for a in rec.annotations] == [
        ("check-dismissed number f55b3528a3: the article rounds the figure", "Анна")]

    # From the keyboard: f goes to the next bead with an open finding, d dismisses its first.
    page.goto(f"{url}/pairs/{PAIR}")
    page.wait_for_selector("html[data-ready='1']")
    page.keyboard.press("f")
    assert page.locator("tr.bead.current").get_attribute("data-key") == "s0:t1"  # its mt-missing
    page.keyboard.press("f")
    assert page.locator("tr.bead.current").get_attribute("data-key") == "s1:t2"
    page.keyboard.press("d")
    page.wait_for_selector("#dismiss-dialog[open]")
    page.fill("#dismiss-reason", "a misprint in the source")
    page.keyboard.press("Enter")
    page.wait_for_selector("tr.checks-row[data-bead='s1:t2'] li.check.dismissed")
    check = subprocess.run([sys.executable, "-m", "workbench", "check", str(po)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stderr.strip() == "check: 0 errors, 3 warnings, 2 dismissed in 1 file"
    # Restored, the date finding is open again.
    page.locator("tr.checks-row[data-bead='s1:t2'] li.check.dismissed button").click()
    page.wait_for_selector("tr.checks-row[data-bead='s1:t2'] li.check:not(.dismissed) >> nth=1")
    assert page.locator("#message").inner_text() == \
        "Saved: undismiss date 162f8f08e7 on s1:t2 (revision 4)"
    assert store.load(po).record("s1:t2").annotations == ()
    page.mouse.move(0, 0)
    screenshot(page, "screenshot-findings.png", tmp_path)

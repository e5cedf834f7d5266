"""A review session in a real browser (Debian's Chromium, the server in its own process): unlink,
merge and split give the beads back as they were, one sentence can leave a bead, the triage bar's
counts follow the actions, no page asks for anything that is not there (an icon), and the status
badges fit their column in a narrow window."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from factories import start_server, stop
from findings_pair import PAIR as FINDINGS_PAIR
from findings_pair import make_findings_dir
from workbench import store

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
ARTICLE = "petition-ru__newsweek-en"


@pytest.fixture
def article(data_dir: Path, tmp_path: Path):
    """The bundled corpus with the bundled article's PO file, served; (url, PO file)."""
    po = data_dir / "translations" / f"{ARTICLE}.po"
    shutil.copy(REPO / "translations" / po.name, po)
    url, proc = start_server(data_dir, tmp_path)
    yield url, po
    stop(proc)


def _open(page, url: str, author: str = "Анна") -> None:
    page.context.add_init_script(f"localStorage.setItem('workbench.author', '{author}')")
    page.goto(url)
    page.wait_for_selector("html[data-ready='1']")


def _rows(page) -> list[tuple[str, str]]:
    """(key, score badge) of every row as the page shows them."""
    return [tuple(row) for row in page.locator("tr.bead").evaluate_all(
        "rows => rows.map(r => [r.dataset.key, r.querySelector('.badge.score').textContent.trim()])")]


def _shown(r: store.Record) -> tuple[str, str]:
    """A record's row as the page draws it."""
    if not (r.source and r.rendering):
        return r.key, "no link"
    return r.key, ("▼ " if r.score < 0.5 else "") + f"{r.score:.2f}"


def _act(page, key: str, press: str, wait_for: str) -> None:
    page.locator(f"tr.bead[data-key='{key}'] td.meta").click()
    page.keyboard.press(press)
    page.wait_for_selector(f"tr.bead[data-key='{wait_for}']")


def test_unlink_merge_and_split_give_the_beads_back_as_they_were(article, page):
    url, po = article
    original = store.load(po)
    links = [i for i, r in enumerate(original.records) if r.kind == "1-1"]
    first = next(i for i in links if i + 1 in links)
    a, b = original.records[first], original.records[first + 1]
    s, t, s2, t2 = a.source[0], a.rendering[0], b.source[0], b.rendering[0]
    _open(page, f"{url}/pairs/{ARTICLE}")
    assert _rows(page) == [_shown(r) for r in original.records]

    # unlink the first link; merge its rendering sentence with the next link; split again
    _act(page, a.key, "x", f"s:t{t}")
    _act(page, f"s:t{t}", "m", f"s{s2}:t{t},{t2}")
    assert page.locator(f"tr.bead[data-key='s{s2}:t{t},{t2}'] .badge.score").inner_text() == "1.00"
    _act(page, f"s{s2}:t{t},{t2}", "s", b.key)
    assert page.locator("#message").inner_text() == f"Saved: split s{s2}:t{t},{t2} (revision 10)"
    unlinked = [(f"s{s}:t", "no link"), (f"s:t{t}", "no link")]
    expected = [_shown(r) for r in original.records[:first]] + unlinked + [
        _shown(r) for r in original.records[first + 1:]]
    assert _rows(page) == expected
    after = store.load(po)
    assert after.record(b.key) == store.with_checks(original, b)
    assert [r.key for r in after.records] == [k for k, _ in expected]

    # merge again, then take only the picked rendering sentence out of the merged bead
    _act(page, f"s:t{t}", "m", f"s{s2}:t{t},{t2}")
    page.click(f"tr.bead[data-key='s{s2}:t{t},{t2}'] .sent[data-side='rendering'][data-id='{t}']")
    page.keyboard.press("x")
    page.wait_for_selector(f"tr.bead[data-key='{b.key}']")
    assert page.locator("#message").inner_text() == \
        f"Saved: unlink t{t} from s{s2}:t{t},{t2} (revision 12)"
    assert _rows(page) == expected
    assert store.load(po).record(b.key) == store.with_checks(original, b)
    assert page.bad_responses == []


def test_a_split_that_cannot_tell_asks_and_a_picked_sentence_answers(article, page):
    url, po = article
    original = store.load(po)
    links = [i for i, r in enumerate(original.records) if r.kind == "1-1"]
    first = next(i for i in links if i + 1 in links)
    a, b = original.records[first], original.records[first + 1]
    _open(page, f"{url}/pairs/{ARTICLE}")
    merged = f"s{a.source[0]},{b.source[0]}:t{a.rendering[0]},{b.rendering[0]}"
    _act(page, a.key, "m", merged)
    # the merged bead is a link by hand; cut at the picked source sentence of the second bead
    page.click(f"tr.bead[data-key='{merged}'] .sent[data-side='source'][data-id='{b.source[0]}']")
    page.keyboard.press("s")
    page.wait_for_selector(f"tr.bead[data-key='{a.key}']")
    assert [r.key for r in store.load(po).records] == [r.key for r in original.records]
    assert (store.load(po).record(a.key).score, store.load(po).record(a.key).method) == (
        a.score, a.method)


def test_the_triage_counts_follow_a_dismissal_and_badges_fit_a_narrow_window(tmp_path, page):
    make_findings_dir(tmp_path / "data")
    url, proc = start_server(tmp_path / "data", tmp_path)
    try:
        page.set_viewport_size({"width": 800, "height": 900})
        _open(page, f"{url}/pairs/{FINDINGS_PAIR}")
        option = page.locator("#check-filter option[value='open']")
        before = option.inner_text()
        assert before == "with open findings (3)"
        page.locator("tr.checks-row[data-bead='s0:t1'] li.check").first.get_by_role("button").click()
        page.wait_for_selector("#dismiss-dialog[open]")
        page.fill("#dismiss-reason", "the article rounds it")
        page.click("#dismiss-save")
        page.wait_for_selector("tr.checks-row[data-bead='s0:t1'] li.check.dismissed")
        assert option.inner_text() == "with open findings (3)"  # s0:t1 has a second finding open
        page.locator("tr.checks-row[data-bead='s0:t1'] li.check:not(.dismissed)").first \
            .get_by_role("button").click()
        page.wait_for_selector("#dismiss-dialog[open]")
        page.fill("#dismiss-reason", "the article rounds it")
        page.click("#dismiss-save")
        page.wait_for_function("() => document.querySelectorAll("
                               "\"tr.checks-row[data-bead='s0:t1'] li.check.dismissed\").length == 2")
        assert page.locator("#check-filter option[value='open']").inner_text() == \
            "with open findings (2)"

        # every status badge fits its column at 800 px, the longest (needs-work) too
        for key, press, status in (("s0:t1", "w", "needs-work"), ("s1:t2", "a", "approved"),
                                   ("s2:t3", "r", "rejected")):
            page.locator(f"tr.bead[data-key='{key}'] td.meta").click()
            page.keyboard.press(press)
            page.wait_for_selector(f"tr.bead[data-key='{key}'].status-{status}")
        spilled = page.locator("td.meta .badge").evaluate_all(
            "bs => bs.filter(b => b.getBoundingClientRect().right > "
            "b.closest('td').getBoundingClientRect().right).map(b => b.textContent.trim())")
        assert spilled == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 800
        assert page.bad_responses == []  # the icon too
    finally:
        stop(proc)

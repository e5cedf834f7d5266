"""Fidelity findings on the pair page and in its JSON API: each bead's `checks`, the marks on both
sides, the filter by kind with its counts, dismissing a finding with a reason (and restoring it),
and what that leaves in the PO file and in `workbench check`'s exit status."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from findings_pair import PAIR, make_findings_dir  # tests/ is on sys.path (pytest's prepend mode)
from workbench import check, findings, store
from workbench.cli import main

NUMBER = {"kind": "number", "severity": "error", "key": "f55b3528a3",
          "explanation": "source says 5000; rendering says 50,000",
          "source_span": [18, 22], "rendering_span": [27, 33], "mt_span": None,
          "source": "5000", "rendering": "50,000", "mt": None, "dismissed": None}
MT_MISSING = {"kind": "mt-missing", "severity": "warning", "key": "1e3736f018",
              "explanation": "the MT has 5000; the rendering does not",
              "source_span": None, "rendering_span": None, "mt_span": [27, 31],
              "source": None, "rendering": None, "mt": "5000", "dismissed": None}
DATE_KEY = "162f8f08e7"


@pytest.fixture
def web(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "argos-packages"))
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path / "cache"))
    from workbench.web import create_app

    po = make_findings_dir(tmp_path / "data")
    client = create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "data")}).test_client()
    client.po = po
    client.csrf = client.get("/api/session").get_json()["csrf_token"]
    return client


def post(client, path: str, body: dict, **headers):
    return client.post(f"/api/pairs/{PAIR}" + path, json=body,
                       headers={"X-CSRF-Token": client.csrf, **headers})


def dismiss_path(key: str, kind: str, fkey: str, action: str = "dismiss") -> str:
    return f"/beads/{key}/checks/{kind}/{fkey}/{action}"


def beads(client, query: str = "") -> dict:
    return {b["key"]: b for b in client.get(f"/api/pairs/{PAIR}/beads{query}").get_json()["beads"]}


def workbench_check(po: Path) -> tuple[int, str]:
    run = CliRunner().invoke(main, ["check", str(po)])
    return run.exit_code, run.output


# --- the bead JSON --------------------------------------------------------------------------------

def test_each_bead_carries_its_findings_with_offsets_into_its_joined_texts(web):
    shown = beads(web)
    assert list(shown) == ["s:t0", "s0:t1", "s1:t2", "s2:t3", "s3:t4"]
    assert shown["s0:t1"]["checks"] == [NUMBER, MT_MISSING]
    b = shown["s0:t1"]
    assert b["source_text"][18:22] == "5000" and b["rendering_text"][27:33] == "50,000"
    assert b["mt"][27:31] == "5000"
    assert [(c["kind"], c["severity"], c["source"], c["rendering"], c["mt"])
            for c in shown["s1:t2"]["checks"]] == [
        ("date", "error", "21 сентября", "September 22", None),
        ("mt-missing", "warning", None, None, "21")]
    assert [(c["kind"], c["severity"], c["rendering_span"]) for c in shown["s2:t3"]["checks"]] == [
        ("negation", "warning", [7, 10])]
    # A rendering sentence alone, and a faithful bead: no findings.
    assert shown["s:t0"]["checks"] == [] and shown["s3:t4"]["checks"] == []
    # The same findings in the whole pair's view and in one bead's.
    whole = web.get(f"/api/pairs/{PAIR}").get_json()
    assert whole["beads"][1]["checks"] == [NUMBER, MT_MISSING]
    one = web.get(f"/api/pairs/{PAIR}/beads/s0:t1").get_json()["beads"][0]
    assert one["checks"] == [NUMBER, MT_MISSING]


def test_the_findings_are_those_workbench_check_reports(web):
    run = CliRunner().invoke(main, ["check", "--format", "jsonl", str(web.po)])
    import json

    reported = [json.loads(line) for line in run.output.splitlines() if line.startswith("{")]
    shown = [(k, c["kind"], c["key"], c["source_span"], c["rendering_span"], c["mt_span"])
             for k, b in beads(web).items() for c in b["checks"]]
    assert shown == [(r["bead"], r["kind"], r["key"], r["source_span"], r["rendering_span"],
                      r["mt_span"]) for r in reported]
    assert findings.KINDS == check.KINDS


def test_a_bead_whose_entry_stores_no_check_comments_shows_none(tmp_path):
    po = make_findings_dir(tmp_path / "data")
    pf = store.load(po)
    pf.records = [r if r.key != "s0:t1" else store.Record(**{**r.__dict__, "checks": ()})
                  for r in pf.records]
    assert findings.of_pair(pf, pf.record("s0:t1")) == []
    assert [i.finding.kind for i in findings.of_pair(pf, pf.record("s1:t2"))] == ["date", "mt-missing"]


def test_counts_per_kind_are_beads_with_such_a_finding(web):
    view = web.get(f"/api/pairs/{PAIR}/beads").get_json()
    assert view["check_counts"] == {"any": 3, "open": 3, "number": 1, "date": 1, "name": 0,
                                    "negation": 1, "quote": 0, "mt-missing": 2}
    assert view["query"]["check"] == ""


# --- the filter -----------------------------------------------------------------------------------

@pytest.mark.parametrize("which, keys", [
    ("number", ["s0:t1"]), ("date", ["s1:t2"]), ("negation", ["s2:t3"]),
    ("mt-missing", ["s0:t1", "s1:t2"]), ("name", []), ("any", ["s0:t1", "s1:t2", "s2:t3"]),
    ("open", ["s0:t1", "s1:t2", "s2:t3"])])
def test_the_filter_lists_only_beads_with_findings_of_that_kind(web, which, keys):
    view = web.get(f"/api/pairs/{PAIR}/beads?check={which}").get_json()
    assert [b["key"] for b in view["beads"]] == keys
    assert view["matching"] == len(keys) and view["query"]["check"] == which
    html = web.get(f"/pairs/{PAIR}?check={which}").get_data(as_text=True)
    assert re.findall(r'<tr class="bead [^>]*data-key="([^"]+)"', html) == keys
    assert f'<option value="{which}" selected>' in html


def test_an_unknown_filter_is_a_400_naming_the_kinds(web):
    res = web.get(f"/api/pairs/{PAIR}/beads?check=numbers")
    assert res.status_code == 400
    assert res.get_json()["message"] == ("unknown findings filter 'numbers' (use one of any, open, "
                                         "number, date, name, negation, quote, mt-missing)")


def test_the_filter_keeps_the_other_query_parameters_in_the_page_links(web):
    html = web.get(f"/pairs/{PAIR}?check=any&sort=-score&per_page=2").get_data(as_text=True)
    assert re.findall(r'<tr class="bead [^>]*data-key="([^"]+)"', html) == ["s0:t1", "s1:t2"]
    assert f'href="/pairs/{PAIR}?check=any&amp;sort=-score&amp;page=2&amp;per_page=2"' in html
    counts = re.search(r'<p class="check-counts" id="check-counts">.*?</p>', html, re.S).group(0)
    assert re.findall(r'data-check="([^"]+)"[^>]*>[^<]*<b>(\d+)</b>', counts) == [
        ("any", "3"), ("open", "3"), ("number", "1"), ("date", "1"), ("negation", "1"),
        ("mt-missing", "2")]
    assert f'href="/pairs/{PAIR}?check=number&amp;sort=-score&amp;per_page=2"' in counts


# --- the page -------------------------------------------------------------------------------------

def _row(html: str, key: str) -> str:
    return re.search(rf'<tr class="bead [^>]*data-key="{re.escape(key)}".*?</tr>', html, re.S).group(0)


def _line(html: str, key: str) -> str:
    return re.search(rf'<tr class="checks-row" data-bead="{re.escape(key)}".*?</tr>', html,
                     re.S).group(0)


def test_the_page_marks_a_finding_on_both_sides_and_explains_it_under_the_row(web):
    html = web.get(f"/pairs/{PAIR}").get_data(as_text=True)
    row = _row(html, "s0:t1")
    assert ('<td class="src" lang="ru"><span class="sent" data-side="source" data-id="0">Петицию '
            'подписали <span class="check-mark sev-error" data-checks="0" title="number: source '
            'says 5000; rendering says 50,000">5000</span> человек.</span>') in row
    assert ('The petition was signed by <span class="check-mark sev-error" data-checks="0" '
            'title="number: source says 5000; rendering says 50,000"><mark class="d-replaced" '
            'title="replaced">50,000</mark></span> people.') in row
    # The MT's word the rendering lacks: the word differences mark it already.
    assert ('<td class="mt">The petition was signed by <mark class="d-replaced" '
            'title="replaced">5000</mark> people.</td>') in row
    assert "has-checks" in row
    line = _line(html, "s0:t1")
    items = re.findall(r'<li class="check ([^"]+)" data-check="(\d)" data-kind="([^"]+)" '
                       r'data-fkey="([^"]+)"', line)
    assert items == [("sev-error", "0", "number", "f55b3528a3"),
                     ("sev-warning", "1", "mt-missing", "1e3736f018")]
    assert '<span class="explanation">source says 5000; rendering says 50,000</span>' in line
    assert line.count('data-act="dismiss"') == 2
    # A date that spans a word-difference boundary is marked across it.
    assert ('on <span class="check-mark sev-error" data-checks="0" title="date: source says 21 '
            'September; rendering says 22 September">September <mark class="d-replaced" '
            'title="replaced">22</mark></span>.') in _row(html, "s1:t2")
    # Beads without findings have no line and no marks.
    assert 'data-key="s3:t4"' in html and 'id="checks-s3:t4"' not in html
    assert "check-mark" not in _row(html, "s3:t4")
    assert html.count('<tr class="checks-row"') == 3


def test_marks_cover_sentences_of_a_bead_with_several(tmp_path, monkeypatch):
    from workbench.model import Bead
    from workbench.web import create_app

    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "argos-packages"))
    two = [Bead((), (0,), 0.0, "test"), Bead((0, 1), (1, 2), 0.9, "test"),
           Bead((2,), (3,), 0.9, "test"), Bead((3,), (4,), 0.9, "test")]
    make_findings_dir(tmp_path / "data", beads=two)
    client = create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "data")}).test_client()
    b = client.get(f"/api/pairs/{PAIR}/beads/s0,1:t1,2").get_json()["beads"][0]
    date = next(c for c in b["checks"] if c["kind"] == "date")
    assert b["rendering_text"][slice(*date["rendering_span"])] == "September 22"
    second = b["sentences"]["rendering"][1]
    assert [(run["checks"], run["spans"]) for run in second["marks"]] == [
        ([], [{"text": "The president announced mobilization on ", "tag": "equal"}]),
        ([1], [{"text": "September ", "tag": "equal"}, {"text": "22", "tag": "replaced"}]),
        ([], [{"text": ".", "tag": "equal"}])]
    assert [run["checks"] for run in b["sentences"]["source"][1]["marks"]] == [[], [1], []]
    first = b["sentences"]["rendering"][0]["marks"]
    assert [(run["checks"], "".join(s["text"] for s in run["spans"])) for run in first] == [
        ([], "The petition was signed by "), ([0], "50,000"), ([], " people. ")]


# --- dismissing -----------------------------------------------------------------------------------

def test_dismissing_stores_a_translator_comment_and_clears_workbench_check(web):
    assert workbench_check(web.po)[0] == 1
    rev = beads(web)["s0:t1"]["rev"]
    res = post(web, dismiss_path("s0:t1", "number", "f55b3528a3"),
               {"author": "Анна", "reason": "the  article\nrounds the figure", "beads": {"s0:t1": rev}})
    assert res.status_code == 200, res.get_json()
    answer = res.get_json()
    assert (answer["action"], answer["summary"], answer["revision"]) == (
        "dismiss", "dismiss number f55b3528a3 on s0:t1", 2)
    dismissed = answer["beads"][0]["checks"][0]["dismissed"]
    assert (dismissed["reason"], dismissed["author"]) == ("the article rounds the figure", "Анна")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", dismissed["time"])
    assert answer["beads"][0]["checks"][1]["dismissed"] is None
    text = web.po.read_text(encoding="utf-8")
    assert (f"# [] check-dismissed number f55b3528a3: the article rounds the figure -- Анна, "
            f"{dismissed['time']}\n#. align 1-1 src=0 tgt=1") in text
    # The date is an error too: the check still fails, until that one is dismissed as well.
    code, out = workbench_check(web.po)
    assert code == 1 and "[dismissed: the article rounds the figure]" in out
    res = post(web, dismiss_path("s1:t2", "date", DATE_KEY), {"author": "bo", "reason": "typo in the source"})
    assert res.status_code == 200
    assert workbench_check(web.po)[0] == 0
    # Open findings: the dismissed ones no longer count; the page shows them muted, with the reason.
    view = web.get(f"/api/pairs/{PAIR}/beads?check=open").get_json()
    assert [b["key"] for b in view["beads"]] == ["s0:t1", "s1:t2", "s2:t3"]  # mt-missing is open
    assert view["check_counts"]["open"] == 3 and view["check_counts"]["any"] == 3
    html = web.get(f"/pairs/{PAIR}").get_data(as_text=True)
    line = _line(html, "s0:t1")
    assert '<li class="check sev-error dismissed" data-check="0"' in line
    assert ('— dismissed by Анна: <span class="reason">the article rounds the figure</span>'
            in line)
    assert 'data-act="undismiss"' in line
    # The note is shown on the finding's line, not again among the bead's notes; in the JSON it
    # says which finding it dismisses.
    assert 'class="annotations"' not in _row(html, "s0:t1")
    assert [a["check"] for a in beads(web)["s0:t1"]["annotations"]] == [0]
    assert ('<span class="check-mark dismissed" data-checks="0" title="number: source says 5000; '
            'rendering says 50,000 (dismissed)">5000</span>') in _row(html, "s0:t1")


def test_a_dismissal_written_by_hand_in_the_po_file_is_shown_without_author(web):
    text = web.po.read_text(encoding="utf-8")
    text = text.replace("#. align 1-1 src=2 tgt=3", "# check-dismissed negation 1ea9f5de55: "
                        "emphatic in the article\n#. align 1-1 src=2 tgt=3")
    web.po.write_text(text, encoding="utf-8")
    assert beads(web)["s2:t3"]["checks"][0]["dismissed"] == {
        "reason": "emphatic in the article", "author": None, "time": None}
    html = web.get(f"/pairs/{PAIR}").get_data(as_text=True)
    assert '— dismissed: <span class="reason">emphatic in the article</span>' in _line(html, "s2:t3")
    # Restoring it drops the hand-written comment, and only that.
    assert post(web, dismiss_path("s2:t3", "negation", "1ea9f5de55", "undismiss"),
                {"author": "ak"}).status_code == 200
    assert "check-dismissed" not in web.po.read_text(encoding="utf-8")


def test_a_bead_whose_findings_are_all_dismissed_has_findings_but_none_open(web):
    post(web, dismiss_path("s2:t3", "negation", "1ea9f5de55"), {"author": "ak", "reason": "emphasis"})
    view = web.get(f"/api/pairs/{PAIR}/beads?check=open").get_json()
    assert [b["key"] for b in view["beads"]] == ["s0:t1", "s1:t2"]
    assert view["check_counts"] == {"any": 3, "open": 2, "number": 1, "date": 1, "name": 0,
                                    "negation": 1, "quote": 0, "mt-missing": 2}
    assert [b["key"] for b in web.get(f"/api/pairs/{PAIR}/beads?check=negation").get_json()[
        "beads"]] == ["s2:t3"]
    # A dismissal of a finding the bead no longer has leaves its findings open.
    post(web, "/beads/s0:t1/annotations", {"author": "ak", "text": "check-dismissed number "
                                           "0123456789: stale", "category": ""})
    assert web.get(f"/api/pairs/{PAIR}/beads?check=open").get_json()["check_counts"]["open"] == 2
    # It stays among the bead's notes, where it can be seen.
    assert "check" not in beads(web)["s0:t1"]["annotations"][0]
    html = web.get(f"/pairs/{PAIR}").get_data(as_text=True)
    assert ('<span class="text">check-dismissed number 0123456789: stale</span>'
            in _row(html, "s0:t1"))


def test_a_dismissal_survives_an_edit_that_checks_the_bead_again(web):
    post(web, dismiss_path("s0:t1", "number", "f55b3528a3"), {"author": "ak", "reason": "rounded"})
    res = post(web, "/beads/s0:t1/merge-next", {"author": "ak"})
    assert res.status_code == 200
    merged = res.get_json()["beads"][0]
    assert merged["key"] == "s0,1:t1,2"
    kinds = {(c["kind"], c["key"]): c["dismissed"] for c in merged["checks"]}
    assert kinds[("number", "f55b3528a3")]["reason"] == "rounded"
    assert kinds[("date", DATE_KEY)] is None
    rec = store.load(web.po).record("s0,1:t1,2")
    assert "check number: source says 5000; rendering says 50,000" in rec.checks
    code, out = workbench_check(web.po)
    assert code == 1 and "number: source says 5000; rendering says 50,000 [dismissed: rounded]" in out


def test_undo_and_undismiss_make_the_finding_open_again(web):
    post(web, dismiss_path("s2:t3", "negation", "1ea9f5de55"), {"author": "ak", "reason": "emphasis"})
    res = post(web, "/undo", {"author": "ak"})
    assert res.status_code == 200 and res.get_json()["summary"] == "dismiss negation 1ea9f5de55 on s2:t3"
    assert beads(web)["s2:t3"]["checks"][0]["dismissed"] is None
    assert store.load(web.po).record("s2:t3").annotations == ()
    assert post(web, "/redo", {"author": "ak"}).status_code == 200
    assert beads(web)["s2:t3"]["checks"][0]["dismissed"]["reason"] == "emphasis"
    res = post(web, dismiss_path("s2:t3", "negation", "1ea9f5de55", "undismiss"), {"author": "ak"})
    assert res.status_code == 200
    assert res.get_json()["summary"] == "undismiss negation 1ea9f5de55 on s2:t3"
    assert res.get_json()["beads"][0]["checks"][0]["dismissed"] is None
    assert store.load(web.po).record("s2:t3").annotations == ()
    # Undone, the dismissal is back, as it was.
    assert post(web, "/undo", {"author": "ak"}).status_code == 200
    assert [a.text for a in store.load(web.po).record("s2:t3").annotations] == [
        "check-dismissed negation 1ea9f5de55: emphasis"]


def test_a_dismissal_other_notes_keep_around_is_the_only_note_restore_drops(web):
    post(web, "/beads/s2:t3/annotations", {"author": "ak", "text": "first", "category": "style"})
    post(web, dismiss_path("s2:t3", "negation", "1ea9f5de55"), {"author": "ak", "reason": "emphasis"})
    post(web, "/beads/s2:t3/annotations", {"author": "ak", "text": "last", "category": ""})
    post(web, dismiss_path("s2:t3", "negation", "1ea9f5de55", "undismiss"), {"author": "bo"})
    assert [a.text for a in store.load(web.po).record("s2:t3").annotations] == ["first", "last"]


@pytest.mark.parametrize("path, body, status, message", [
    (dismiss_path("s0:t1", "number", "f55b3528a3"), {"reason": "  \n "}, 400,
     "dismissing a finding needs a reason (say why the finding is not a fault, e.g. 'the article "
     "rounds it')"),
    (dismiss_path("s0:t1", "number", "f55b3528a3"), {}, 400, "dismissing a finding needs a reason"),
    (dismiss_path("s0:t1", "number", "f55b3528a3"), {"reason": 5}, 400, "'reason' must be a string"),
    (dismiss_path("s0:t1", "number", "f55b3528a3"), {"reason": "ok -- ak,"}, 400,
     "the reason cannot end in ' -- NAME,'"),
    (dismiss_path("s0:t1", "number", "0000000000"), {"reason": "x"}, 404,
     "bead s0:t1 has no number finding 0000000000"),
    (dismiss_path("s0:t1", "date", "f55b3528a3"), {"reason": "x"}, 404,
     "bead s0:t1 has no date finding f55b3528a3"),
    (dismiss_path("s0:t1", "numbers", "f55b3528a3"), {"reason": "x"}, 404,
     "no check kind 'numbers' (the kinds are number, date, name, negation, quote, mt-missing)"),
    (dismiss_path("s9:t9", "number", "f55b3528a3"), {"reason": "x"}, 404, "no bead 's9:t9'"),
    (dismiss_path("s3:t4", "number", "f55b3528a3"), {"reason": "x"}, 404,
     "bead s3:t4 has no number finding f55b3528a3"),
    (dismiss_path("s0:t1", "number", "f55b3528a3"), {"reason": "x", "author": " "}, 400,
     "set your name first"),
    (dismiss_path("s0:t1", "number", "f55b3528a3", "undismiss"), {}, 400,
     "the number finding f55b3528a3 of bead s0:t1 is not dismissed"),
    (dismiss_path("s0:t1", "number", "f55b3528a3"), {"reason": "x", "beads": {"s0:t1": "stale"}},
     409, "bead s0:t1 was changed by a change outside the history since your view of it"),
    (dismiss_path("s0:t1", "number", "f55b3528a3"), {"reason": "x", "revision": 7}, 409,
     "the pair was changed by someone else (revision 1, this edit was based on 7)"),
    (dismiss_path("s0:t1", "number", "f55b3528a3"), {"reason": "x" * 10_001}, 413,
     "the reason is 10,001 characters long; the workbench keeps at most 10,000"),
])
def test_a_refused_dismissal_says_why_and_writes_nothing(web, path, body, status, message):
    before = web.po.read_bytes()
    res = post(web, path, {"author": "ak", **body})
    assert res.status_code == status
    # (a message about the file names it first, relative to the data directory)
    assert res.get_json()["message"].removeprefix(
        f"translations/{web.po.name}: ").startswith(message)
    assert web.po.read_bytes() == before


def test_dismissing_twice_is_refused_with_the_first_reason(web):
    assert post(web, dismiss_path("s0:t1", "number", "f55b3528a3"),
                {"author": "ak", "reason": "rounded"}).status_code == 200
    before = web.po.read_bytes()
    res = post(web, dismiss_path("s0:t1", "number", "f55b3528a3"), {"author": "bo", "reason": "again"})
    assert res.status_code == 400
    assert res.get_json()["message"] == ("the number finding f55b3528a3 of bead s0:t1 is dismissed "
                                         "already: rounded")
    assert web.po.read_bytes() == before


def test_dismissing_needs_the_csrf_token_and_a_page_of_this_server(web):
    before = web.po.read_bytes()
    path = f"/api/pairs/{PAIR}" + dismiss_path("s0:t1", "number", "f55b3528a3")
    res = web.post(path, json={"author": "ak", "reason": "x"})
    assert (res.status_code, res.get_json()["error"]) == (403, "CSRFError")
    res = post(web, dismiss_path("s0:t1", "number", "f55b3528a3"), {"author": "ak", "reason": "x"},
               Origin="http://evil.example")
    assert (res.status_code, res.get_json()["error"]) == (403, "OriginError")
    assert web.po.read_bytes() == before


def test_a_read_only_file_refuses_a_dismissal_with_403(web):
    with open(web.po, "a", encoding="utf-8") as f:
        f.write('\n#~ msgid "old"\n#~ msgstr "alt"\n')
    before = web.po.read_bytes()
    res = post(web, dismiss_path("s0:t1", "number", "f55b3528a3"), {"author": "ak", "reason": "x"})
    assert res.status_code == 403
    assert res.get_json()["error"] == "ReadOnlyError"
    assert web.po.read_bytes() == before
    # It still shows its findings.
    assert beads(web)["s0:t1"]["checks"] == [NUMBER, MT_MISSING]

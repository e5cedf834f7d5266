"""Quotation marks in a rendering that reports on its source are how it quotes, not a finding; a
translation that adds quotation marks the source lacks still gets one. Whether a pair reports is a
pair-level fact: the aligner took the rendering as reporting (`mode=partial` in X-Aligner)."""

from __future__ import annotations

import shutil
from pathlib import Path

from factories import Runner, make_pair_file
from workbench import findings, store
from workbench.check import check_pair
from workbench.model import Bead

REPO = Path(__file__).resolve().parents[1]
SRC = ["Мы против мобилизации."]
TGT = ["The petition reads: \"We are against mobilization.\""]


def pair(tmp_path: Path, mode: str) -> Path:
    path = tmp_path / f"{mode}.po"
    make_pair_file(path, SRC, TGT, [Bead((0,), (0,), 0.93, "embed")], ids=("appeal-ru", "news-en"),
                   settings={"mode": mode})
    return path


def test_quotation_marks_of_a_reporting_rendering_are_no_finding():
    assert check_pair(SRC[0], TGT[0], src_lang="ru", tgt_lang="en", reporting=True) == []
    # the source quotes and the rendering does not: still one, whatever the rendering is
    assert [f.explanation for f in check_pair(
        "Он сказал: «Мы против».", "He said we were against it.", src_lang="ru", tgt_lang="en",
        reporting=True)] == ["source quotes «Мы против»; the rendering has no quotation marks"]


def test_the_pair_decides_from_the_aligners_mode(tmp_path):
    reporting, translation = store.load(pair(tmp_path, "partial")), store.load(pair(tmp_path, "monotone"))
    assert (reporting.reporting, translation.reporting) == (True, False)
    assert reporting.records[0].checks == ()
    assert translation.records[0].checks == (
        "check quote: rendering quotes \"We are against mobilization.\"; the source has no "
        "quotation marks",)


def test_check_command_on_a_reporting_and_a_translation_pair(tmp_path):
    reporting, translation = pair(tmp_path, "partial"), pair(tmp_path, "monotone")
    result = Runner().invoke(["check", str(reporting), str(translation)])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"{translation}:26: bead s0:t0: warning quote: rendering quotes \"We are against "
        "mobilization.\"; the source has no quotation marks"]
    assert "check: 0 errors, 1 warning, 0 dismissed in 2 files" in result.stderr


def test_the_bundled_article_has_no_quote_findings_even_where_its_file_still_stores_them(tmp_path):
    po = tmp_path / "petition-ru__newsweek-en.po"
    shutil.copy(REPO / "translations" / po.name, po)
    pf = store.load(po)
    assert pf.reporting
    # what a write stores now
    assert [c for r in pf.records for c in store.with_checks(pf, r).checks
            if c.startswith("check quote:")] == []
    # and what the page counts and shows, from a file written before (with `#. check quote`)
    stale = "#. check quote: rendering quotes 'Against partial and total mobilization…; " \
            "the source has no quotation marks\n"
    text = po.read_text("utf-8")
    key = next(r.key for r in pf.records if r.source and r.rendering)
    at = text.index(f'msgctxt "petition-ru|newsweek-en|{key}"')
    text = text[:text.rindex("#. align", 0, at)] + text[text.rindex("#. align", 0, at):at].replace(
        "#:", stale + "#:", 1) + text[at:]
    po.write_text(text, "utf-8")
    pf = store.load(po)
    assert any(c.startswith("check quote:") for c in pf.record(key).checks)
    assert findings.counts(pf)["quote"] == 0
    assert findings.of_pair(pf, pf.record(key)) == []

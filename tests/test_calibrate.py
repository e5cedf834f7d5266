"""`workbench calibrate`: the aligner's probabilities refit from translators' decisions."""

from __future__ import annotations

import json

from factories import CliRunner, make_pair_file, write_corpus

from workbench import store
from workbench.align import align
from workbench.align import calibrate as cal
from workbench.cli import main
from workbench.model import Bead

SRC = [f"Предложение {i}." for i in range(60)]
TGT = [f"Sentence {i}." for i in range(60)]


def _data_dir(tmp_path, decided: int, overconfident: bool = True):
    """A data directory whose pair holds `decided` judged machine links: the aligner gave them 0.95
    and 0.7, and (overconfident) 3 in 5 of the first and 1 in 5 of the second were right."""
    write_corpus(tmp_path, ("src-ru", "ru", "src.ru.txt", None, SRC),
                 ("ren-en", "en", "ren.en.txt", None, TGT))
    beads = [Bead((i,), (i,), 0.95 if i % 2 else 0.7, "embed") for i in range(len(SRC))]
    path = tmp_path / "translations" / "src-ru__ren-en.po"
    pf = make_pair_file(path, SRC, TGT, beads, ids=("src-ru", "ren-en"))
    for i in range(decided):
        right = (i // 2) % 5 < (3 if i % 2 else 1) if overconfident else True
        store.set_status(pf, f"s{i}:t{i}", "approved" if right else "rejected")
    store.save(pf, path)
    return tmp_path


def test_too_few_decisions_says_how_many_more(tmp_path):
    _data_dir(tmp_path, 12)
    result = CliRunner().invoke(main, ["calibrate", "--data", str(tmp_path)])
    assert result.exit_code != 0
    assert "12 decisions" in result.output and "18 more decisions" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / cal.FILE).exists()


def test_refit_on_decisions_prints_before_and_after_and_is_used(tmp_path):
    _data_dir(tmp_path, 40)
    result = CliRunner().invoke(main, ["calibrate", "--data", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "decisions: 40 (16 right, 24 wrong)" in result.output
    before = float(result.output.split("before:")[1].split("log-loss")[1].split()[0])
    after = float(result.output.split("after:")[1].split("log-loss")[1].split()[0])
    assert after < before
    saved = json.loads((tmp_path / cal.FILE).read_text(encoding="utf-8"))
    assert saved["decisions"] == 40
    c = cal.load(tmp_path)
    # 2 in 5 of the 0.95 links were wrong: the refit map brings 0.95 well down
    assert c(0.95) < 0.8 and c(0.7) < c(0.95)
    al = align(["Мы против мобилизации.", "Подпишите петицию."],
               ["We are against the mobilization.", "Sign the petition."],
               src_lang="ru", tgt_lang="en", calibration=c)
    assert "calibration=" not in al.settings and al.settings["calibration"].endswith(
        "from 40 decisions")


def test_a_refit_that_does_not_help_is_not_kept(tmp_path):
    _data_dir(tmp_path, 40, overconfident=False)
    # every link right: no wrong decisions at all, so there is nothing to refit on
    result = CliRunner().invoke(main, ["calibrate", "--data", str(tmp_path)])
    assert result.exit_code != 0
    assert "5 more rejected" in result.output
    assert not (tmp_path / cal.FILE).exists()


def test_a_damaged_calibration_file_is_named(tmp_path):
    (tmp_path / cal.FILE).write_text("{", encoding="utf-8")
    try:
        cal.load(tmp_path)
    except store.InputError as exc:
        assert cal.FILE in str(exc.path)
    else:
        raise AssertionError("a damaged file must be refused")

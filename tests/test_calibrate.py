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


QUOTE_SRC = ["Мы против мобилизации.", "Подпишите петицию.", "Погода сегодня хорошая."]
QUOTE_REN = ["We are against the mobilization.", "Sign the petition."]
REFIT = cal.Calibration(a=0.5, b=-1.0, decisions=40, provenance="test")


def test_workbench_align_with_data_applies_the_refit_and_records_it(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / cal.FILE).write_bytes(cal.to_json(REFIT))
    (tmp_path / "src.txt").write_text("\n".join(QUOTE_SRC) + "\n", encoding="utf-8")
    (tmp_path / "ren.txt").write_text("\n".join(QUOTE_REN) + "\n", encoding="utf-8")
    args = ["align", str(tmp_path / "src.txt"), str(tmp_path / "ren.txt"), "--presegmented",
            "--quiet", "-o"]
    plain = CliRunner().invoke(main, args + [str(tmp_path / "plain.po")])
    refit = CliRunner().invoke(main, args + [str(tmp_path / "refit.po"), "--data",
                                             str(tmp_path / "data")])
    assert plain.exit_code == 0 and refit.exit_code == 0, plain.output + refit.output
    before = store.load(tmp_path / "plain.po")
    after = store.load(tmp_path / "refit.po")
    assert "calibration=" not in before.header["X-Aligner"]
    assert "calibration=a=0.500 b=-1.000 from 40 decisions" in after.header["X-Aligner"]
    linked = [(b, a) for b, a in zip(before.records, after.records) if b.source and b.rendering]
    assert linked and all(a.score == REFIT(b.score) for b, a in linked)


def test_workbench_align_with_a_missing_data_directory_says_so(tmp_path):
    (tmp_path / "src.txt").write_text(QUOTE_SRC[0] + "\n", encoding="utf-8")
    (tmp_path / "ren.txt").write_text(QUOTE_REN[0] + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["align", str(tmp_path / "src.txt"),
                                       str(tmp_path / "ren.txt"), "--data",
                                       str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "does not exist" in result.output
    assert "Traceback" not in result.output


def test_prepare_in_a_data_directory_applies_its_refit(tmp_path):
    from workbench.project import Project

    write_corpus(tmp_path, ("src-ru", "ru", "src.ru.txt", None, QUOTE_SRC),
                 ("ren-en", "en", "ren.en.txt", None, QUOTE_REN))
    (tmp_path / cal.FILE).write_bytes(cal.to_json(REFIT))
    pf = Project(tmp_path).prepare("src-ru__ren-en")
    assert "calibration=a=0.500 b=-1.000 from 40 decisions" in pf.header["X-Aligner"]


def test_a_batch_run_applies_its_output_directory_s_refit_and_redoes_pairs_when_it_changes(
        tmp_path):
    from workbench import batch

    (tmp_path / "src.ru.txt").write_text("\n".join(QUOTE_SRC) + "\n", encoding="utf-8")
    (tmp_path / "ren.en.txt").write_text("\n".join(QUOTE_REN) + "\n", encoding="utf-8")
    manifest = tmp_path / "batch.toml"
    manifest.write_text('output = "out"\nsource_lang = "ru"\nrendering_lang = "en"\n'
                        'steps = ["segment", "embed", "align"]\n\n'
                        '[[pairs]]\nsource = "src.ru.txt"\nrendering = "ren.en.txt"\n',
                        encoding="utf-8")
    first = batch.run(batch.load_manifest(manifest), batch.Sequential())
    assert first.status.done == 1
    po = tmp_path / "out" / "translations" / batch.load_manifest(manifest).pairs[0].po
    assert "calibration=" not in store.load(po).header["X-Aligner"]
    (tmp_path / "out" / cal.FILE).write_bytes(cal.to_json(REFIT))
    again = batch.run(batch.load_manifest(manifest), batch.Sequential())
    assert (again.status.done, again.status.skipped) == (1, 0)
    assert "calibration=a=0.500 b=-1.000 from 40 decisions" in store.load(po).header["X-Aligner"]
    third = batch.run(batch.load_manifest(manifest), batch.Sequential())
    assert (third.status.done, third.status.skipped) == (0, 1)

"""The translation memory: approved beads in and out of the index, rebuilds, TMX, lookup, CLI."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from factories import make_pair_file
from workbench import edit
from workbench.model import Bead
from workbench.errors import ParseError
from workbench.memory import Memory, index_path, read_tmx

FIXTURES = Path(__file__).resolve().parent / "fixtures"
OMEGAT = FIXTURES / "omegat-project.tmx"

SRC = ["Юрий Гагарин.", "Мы против частичной мобилизации.", "Мы против всеобщей мобилизации.",
       "Третье предложение здесь."]
TGT = ["Yuri Gagarin, the first cosmonaut.", "We are against partial mobilization.",
       "We oppose general mobilization.", "A third sentence."]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A data directory with one pair file of four 1-1 beads, all unreviewed."""
    root = tmp_path / "data"
    make_pair_file(root / "translations" / "src__tgt.po", SRC, TGT,
                   [Bead((i,), (i,), 0.9, "test") for i in range(4)], ids=("src", "tgt"),
                   separator="\n", mt=SRC, mt_model="test-model 1.0")
    return root


def po(root: Path) -> Path:
    return root / "translations" / "src__tgt.po"


def set_status(root: Path, key: str, status: str) -> None:
    edit.perform(po(root), lambda pf: edit.set_status(pf, key, status), author="ak")


def answers(memory: Memory, text: str) -> list[tuple]:
    return [(m.kind, m.score, m.segment.source_text, m.segment.rendering_text, m.segment.pair, m.segment.bead)
            for m in memory.lookup(text, "ru", "en", min_score=50)]


def test_approving_a_bead_makes_it_findable_and_unapproving_removes_it(data: Path) -> None:
    memory = Memory(data)
    assert memory.lookup(SRC[1], "ru", "en") == []
    set_status(data, "s1:t1", "approved")
    assert memory.update_pair(po(data)) is True
    assert answers(memory, SRC[1]) == [("exact", 100.0, SRC[1], TGT[1], "src__tgt", "s1:t1")]
    assert memory.update_pair(po(data)) is False  # unchanged: nothing read again
    assert memory.update_pair(Path(os.path.relpath(po(data)))) is False  # the same file
    assert memory.sync().files == 0 and memory.count() == 1
    set_status(data, "s1:t1", "needs-work")
    assert memory.update_pair(po(data)) is True
    assert memory.lookup(SRC[1], "ru", "en") == []
    assert memory.count() == 0


def test_fuzzy_match_has_a_character_score_and_marks_the_differing_words(data: Path) -> None:
    set_status(data, "s1:t1", "approved")
    edit.perform(po(data), lambda pf: edit.annotate(pf, "s1:t1", "good", "accurate", "ak",
                                                    "2026-11-25T03:00:00Z"), author="ak")
    memory = Memory(data)
    [m] = memory.lookup(SRC[2], "ru", "en", min_score=70)
    # Indel similarity of the two sources: 2 * 26 common characters (10 + 4 + 12) / (32 + 31)
    assert (m.kind, m.score, m.segment.bead) == ("fuzzy", 82.54, "s1:t1")
    assert (m.segment.reviewer, m.segment.time) == ("ak", "2026-11-25T03:00:00Z")
    assert m.diff[0] == (("Мы против ", "equal"), ("всеобщей ", "replaced"),
                         ("мобилизации.", "equal"))
    assert m.diff[1] == (("Мы против ", "equal"), ("частичной ", "replaced"),
                         ("мобилизации.", "equal"))
    assert memory.lookup(SRC[2], "ru", "en", min_score=90) == []
    assert memory.lookup(SRC[1], "ru", "de") == []


def test_exact_matches_come_first_and_a_rejected_bead_is_not_in_the_memory(data: Path) -> None:
    for key in ("s1:t1", "s2:t2"):
        set_status(data, key, "approved")
    set_status(data, "s3:t3", "rejected")
    memory = Memory(data)
    assert [a[:2] for a in answers(memory, SRC[2])] == [("exact", 100.0), ("fuzzy", 82.54)]
    assert answers(memory, SRC[3]) == []


def test_rebuild_from_the_po_files_gives_the_same_answers(data: Path) -> None:
    memory = Memory(data)
    for key in ("s0:t0", "s1:t1", "s2:t2"):
        set_status(data, key, "approved")
        memory.update_pair(po(data))
    set_status(data, "s0:t0", "unreviewed")
    memory.update_pair(po(data))
    queries = SRC + ["Мы против мобилизации.", "Юрий Гагарин!"]
    before = [answers(memory, q) for q in queries]
    memory.rebuild()
    assert [answers(memory, q) for q in queries] == before
    memory.close()
    index_path(data).unlink()
    assert [answers(Memory(data), q) for q in queries] == before
    assert before[1][0][:2] == ("exact", 100.0) and before[0] == []


def test_a_damaged_index_is_rebuilt_on_next_use(data: Path) -> None:
    set_status(data, "s1:t1", "approved")
    Memory(data).close()
    index_path(data).write_bytes(b"this is not an SQLite database" * 100)
    assert answers(Memory(data), SRC[1])[0][:2] == ("exact", 100.0)
    with sqlite3.connect(index_path(data)) as db:
        db.execute("UPDATE meta SET value = '0' WHERE key = 'format'")
    db.close()
    assert answers(Memory(data), SRC[1])[0][:2] == ("exact", 100.0)


def test_a_deleted_pair_file_leaves_the_memory_on_sync(data: Path) -> None:
    set_status(data, "s1:t1", "approved")
    memory = Memory(data)
    assert memory.count() == 1
    po(data).unlink()
    memory.sync()
    assert memory.count() == 0


def test_omegat_tmx_is_read_with_languages_reviewers_and_without_inline_codes() -> None:
    segments = read_tmx(OMEGAT)
    assert [(s.source_text, s.rendering_text, s.source_language, s.rendering_language, s.reviewer, s.time, s.bead)
            for s in segments] == [
        ("Мы требуем немедленно остановить мобилизацию.",
         "We demand that the mobilisation be stopped at once.", "ru", "en", "marta",
         "2024-03-11T09:45:12Z", "1"),
        ("Подпишите петицию сегодня.", "Sign the petition today.", "ru", "en", "marta",
         "2024-03-11T09:50:01Z", "2"),
        ("Мы против.", "We are against it.", "ru", "en", "oleg", "2024-03-12T12:00:00Z", "3")]
    assert {s.origin for s in segments} == {"tmx"} and {s.pair for s in segments} == {"omegat-project"}


def test_imported_tmx_is_found_and_survives_a_rebuild(data: Path) -> None:
    memory = Memory(data)
    assert memory.import_tmx(OMEGAT) == 3
    assert (data / "memory" / "omegat-project.tmx").read_bytes() == OMEGAT.read_bytes()
    expected = [("exact", 100.0, "Мы против.", "We are against it.", "omegat-project", "3")]
    assert answers(memory, "Мы  против.") == expected
    memory.rebuild()
    assert answers(memory, "Мы против.") == expected


@pytest.mark.parametrize("body, line, message", [
    ("<tmx version='1.4'>\n<header srclang='ru'/>\n<body>\n<tu><tuv xml:lang='ru'><seg>a</seg>\n"
     "</tu></body></tmx>", 5, "not well-formed XML"),
    ("<tmx version='1.4'>\n<header srclang='ru'/>\n<body>\n<tu>\n<tuv><seg>a</seg></tuv>\n</tu>\n"
     "</body></tmx>", 5, "<tuv> without xml:lang"),
    ("<tmx version='1.4'>\n<header srclang='de'/>\n<body>\n\n<tu><tuv xml:lang='ru'><seg>a</seg>"
     "</tuv></tu>\n</body></tmx>", 5, "no <tuv> in its source language de"),
    ("<?xml version='1.0'?>\n<xliff version='1.2'/>", 2, "not <tmx>"),
])
def test_a_bad_tmx_names_its_file_and_line(tmp_path: Path, body: str, line: int, message: str) -> None:
    bad = tmp_path / "bad.tmx"
    bad.write_text(body, encoding="utf-8")
    with pytest.raises(ParseError) as err:
        read_tmx(bad)
    assert (err.value.path, err.value.line) == (str(bad), line)
    assert message in err.value.message


def test_cli_import_of_a_bad_tmx_exits_2_with_file_and_line_and_copies_nothing(
        data: Path, tmp_path: Path, runner) -> None:
    bad = tmp_path / "broken.tmx"
    bad.write_text("<tmx version='1.4'>\n<header/>\n<body>\n<tu>\n</body></tmx>", encoding="utf-8")
    result = runner.invoke(["tm", "import", str(bad), "--data", str(data)])
    assert result.exit_code == 2
    assert result.output.startswith(f"workbench: error: {bad}:5: not well-formed XML")
    assert not (data / "memory").exists()


def test_cli_export_writes_tmx_that_imports_back_to_the_same_segments(
        data: Path, tmp_path: Path, runner) -> None:
    set_status(data, "s1:t1", "approved")
    assert runner.invoke(["tm", "import", str(OMEGAT), "--data", str(data)]).exit_code == 0
    out = tmp_path / "all.tmx"
    result = runner.invoke(["tm", "export", "-o", str(out), "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {out}: 4 units\n"
    back = read_tmx(out)
    assert [(s.source_text, s.rendering_text, s.reviewer, s.time) for s in back] == [
        (s.source_text, s.rendering_text, s.reviewer, s.time) for s in Memory(data).segments()]
    assert back[0].source_text == "Мы против частичной мобилизации." and back[0].bead == "src__tgt|s1:t1"


def test_cli_export_gives_a_new_file_the_umasks_mode_and_a_replaced_one_keeps_its_own(
        data: Path, tmp_path: Path, runner) -> None:
    set_status(data, "s1:t1", "approved")
    out = tmp_path / "all.tmx"
    old = os.umask(0o022)
    try:
        assert runner.invoke(["tm", "export", "-o", str(out), "--data", str(data)]).exit_code == 0
        assert oct(out.stat().st_mode & 0o777) == "0o644"
        out.chmod(0o640)
        assert runner.invoke(["tm", "export", "-o", str(out), "--data", str(data)]).exit_code == 0
        assert oct(out.stat().st_mode & 0o777) == "0o640"
    finally:
        os.umask(old)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    missing = runner.invoke(["tm", "export", "-o", str(tmp_path / "no" / "x.tmx"), "--data", str(data)])
    assert (missing.exit_code, missing.output) == (2, (
        f"workbench: error: {tmp_path}/no/x.tmx: the directory {tmp_path}/no does not exist "
        "(create it first (mkdir -p), or choose another output)\n"))


def test_tm_help_names_where_the_index_is() -> None:
    from click.testing import CliRunner

    from workbench.cli import main

    text = " ".join(CliRunner().invoke(main, ["tm", "--help"]).output.split())
    assert "translations/.memory.sqlite3" not in text
    assert ("The index lives in the cache directory ($WORKBENCH_CACHE_DIR/memory/, else "
            "~/.cache/workbench/memory/, one file per data directory)") in text


def test_cli_lookup_jsonl_and_rebuild(data: Path, runner) -> None:
    set_status(data, "s1:t1", "approved")
    result = runner.invoke(["tm", "lookup", SRC[2], "--from", "ru", "--to", "en", "--min", "80",
                            "--format", "jsonl", "--data", str(data)])
    assert result.exit_code == 0, result.output
    [record] = [json.loads(line) for line in result.output.splitlines()]
    assert (record["kind"], record["score"], record["rendering_text"], record["pair"], record["bead"]) == (
        "fuzzy", 82.54, TGT[1], "src__tgt", "s1:t1")
    text = runner.invoke(["tm", "lookup", SRC[2], "--from", "ru", "--to", "en",
                          "--data", str(data)])
    assert text.output == (f"fuzzy 82.54  src__tgt s1:t1\n  Мы против [частичной ]мобилизации.\n"
                           f"  {TGT[1]}\n")
    rebuilt = runner.invoke(["tm", "rebuild", "--data", str(data)])
    assert (rebuilt.exit_code, rebuilt.output) == (0, "memory: 1 segment from 1 file\n")


def test_cli_rebuild_names_a_damaged_pair_file_and_keeps_the_others(data: Path, runner) -> None:
    set_status(data, "s1:t1", "approved")
    (data / "translations" / "broken.po").write_text('msgid "a"\nmsgstr\n', encoding="utf-8")
    result = runner.invoke(["tm", "rebuild", "--data", str(data)])
    assert result.exit_code == 2
    assert str(data / "translations" / "broken.po") in result.output
    assert answers(Memory(data), SRC[1])[0][:2] == ("exact", 100.0)


def test_translate_tm_is_exact_where_the_memory_has_the_sentence_and_mt_elsewhere(
        ru_en_model, data: Path, tmp_path: Path, runner) -> None:
    set_status(data, "s0:t0", "approved")
    text = tmp_path / "in.txt"
    text.write_text("Юрий Гагарин.\n\nЩукин и Жуков\n\nЮрий Гагарин!\n", encoding="utf-8")
    result = runner.invoke(["translate", "--from", "ru", "--to", "en", "--tm", "--data",
                            str(data), "--format", "jsonl", str(text)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["translation"], r["origin"], r["tm_score"], r["model"]) for r in records] == [
        (TGT[0], "memory", 100.0, None),
        ("Shchukin i Zhukov", "mt", None, "translate-ru_en"),
        (TGT[0], "memory", 92.31, None)]
    assert (records[2]["tm_kind"], records[2]["tm_source_text"], records[2]["tm_bead"]) == (
        "fuzzy", "Юрий Гагарин.", "s0:t0")
    strict = runner.invoke(["translate", "--from", "ru", "--to", "en", "--tm", "--tm-min", "95",
                            "--data", str(data), str(text)])
    assert strict.stdout == f"{TGT[0]}\n\nShchukin i Zhukov\n\nYuriy Gagarin!\n"
    # the memory's renderings never reach the MT cache: without --tm the model's own output
    plain = runner.invoke(["translate", "--from", "ru", "--to", "en", str(text)])
    assert plain.stdout == "Yuriy Gagarin.\n\nShchukin i Zhukov\n\nYuriy Gagarin!\n"


def test_translate_tm_needs_no_model_when_the_memory_holds_every_sentence(
        argos_dir: Path, data: Path, tmp_path: Path, runner) -> None:
    set_status(data, "s0:t0", "approved")
    set_status(data, "s1:t1", "approved")
    text = tmp_path / "in.txt"
    text.write_text(f"{SRC[0]}\n\n{SRC[1]}\n", encoding="utf-8")
    result = runner.invoke(["translate", "--from", "ru", "--to", "en", "--tm", "--data",
                            str(data), "--format", "jsonl", str(text)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["translation"], r["origin"], r["tm_score"], r["model"]) for r in records] == [
        (TGT[0], "memory", 100.0, None), (TGT[1], "memory", 100.0, None)]
    plain = runner.invoke(["translate", "--from", "ru", "--to", "en", "--tm", "--data", str(data),
                           str(text)])
    assert (plain.exit_code, plain.stdout) == (0, f"{TGT[0]}\n\n{TGT[1]}\n")
    # a sentence the memory does not hold: the model is needed, and the message says for what
    text.write_text(f"{SRC[0]}\n\n{SRC[3]}\n", encoding="utf-8")
    missing = runner.invoke(["translate", "--from", "ru", "--to", "en", "--tm", "--data",
                             str(data), str(text)])
    assert missing.exit_code == 2 and missing.stdout == ""
    assert missing.stderr.startswith(
        "workbench: error: no translation model for ru → en (no models are installed in ")
    assert ("); the memory holds 1 of the 2 sentences at --tm-min 85, the model is needed for the "
            "rest (install one with: ") in missing.stderr


def test_translate_help_names_the_jsonl_keys_it_writes(runner) -> None:
    text = " ".join(runner.invoke(["translate", "--help"]).output.split())
    assert ("one object per sentence (file, index, source_text, translation, start, end, paragraph, "
            "line, model, model_version; with --tm also origin and the match)") in text


@pytest.mark.slow
def test_semantic_lookup_finds_a_paraphrase_and_labels_it_semantic(data: Path, tmp_path: Path) -> None:
    from workbench.embed import Embedder

    for key in ("s0:t0", "s1:t1", "s3:t3"):
        set_status(data, key, "approved")
    memory = Memory(data)
    paraphrase = "Мы не согласны с частичной мобилизацией."
    found = memory.semantic_lookup(paraphrase, "ru", "en",
                                   embedder=Embedder(cache_dir=tmp_path / "vectors"))
    assert [(m.kind, m.score, m.segment.bead, m.segment.rendering_text) for m in found] == [
        ("semantic", None, "s1:t1", TGT[1])]
    assert found[0].margin >= 1.05
    assert [m.kind for m in memory.lookup(paraphrase, "ru", "en", min_score=70)] == ["fuzzy"]


@pytest.mark.slow
def test_semantic_matches_stand_out_and_never_repeat_a_fuzzy_one(tmp_path: Path, runner) -> None:
    # a memory of a petition's sentences: "Sign the petition today" is on the topic of "We are
    # against mobilization", and no semantic match; what is listed as fuzzy is not listed again
    root = tmp_path / "data"
    src = ["Мы против частичной мобилизации.", "Подпишите петицию сегодня.",
           "Президент объявил о начале частичной мобилизации.", "У него нет законных оснований.",
           "Юрий Гагарин.", "Третье предложение здесь."]
    tgt = ["We are against partial mobilization.", "Sign the petition today.",
           "The president announced the start of partial mobilization.",
           "He has no legal grounds.", "Yuri Gagarin.", "A third sentence."]
    path = root / "translations" / "src__tgt.po"
    make_pair_file(path, src, tgt, [Bead((i,), (i,), 0.9, "test") for i in range(6)],
                   ids=("src", "tgt"), separator="\n")
    for i in range(6):
        edit.perform(path, lambda pf, i=i: edit.set_status(pf, f"s{i}:t{i}", "approved"), author="ak")

    def lookup(text: str) -> list[str]:
        result = runner.invoke(["tm", "lookup", text, "--from", "ru", "--to", "en", "--semantic",
                                "--data", str(root)])
        assert result.exit_code == 0, result.output
        return [line for line in result.stdout.splitlines() if not line.startswith("  ")]

    assert lookup("Мы против мобилизации.") == ["fuzzy 81.48  src__tgt s0:t0"]
    assert lookup("Путин объявил мобилизацию.") == ["semantic  src__tgt s2:t2"]
    found = json.loads(runner.invoke(["tm", "lookup", "Путин объявил мобилизацию.", "--from", "ru",
                                      "--to", "en", "--semantic", "--format", "jsonl", "--data",
                                      str(root)]).stdout)
    assert (found["kind"], found["score"], found["rendering_text"]) == (
        "semantic", None, "The president announced the start of partial mobilization.")
    assert found["margin"] >= 1.05


def test_a_directory_without_translations_is_refused_and_left_alone(tmp_path: Path, runner) -> None:
    result = runner.invoke(["tm", "lookup", "x", "--from", "ru", "--to", "en",
                            "--data", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.startswith(f"workbench: error: {tmp_path}: not a data directory")
    assert list(tmp_path.iterdir()) == []


def test_candidates_are_the_segments_sharing_most_trigrams_from_blobs_and_pending_rows(
        tmp_path: Path) -> None:
    import random

    from workbench.memory import Segment, normalize, trigrams

    (tmp_path / "translations").mkdir()
    memory = Memory(tmp_path)
    rng = random.Random(3)
    words = ["мы", "против", "частичной", "всеобщей", "мобилизации", "войны", "сегодня", "петиция",
             "подписали", "тысячи", "людей", "россии"]

    def sentence() -> str:
        return " ".join(rng.choice(words) for _ in range(rng.randint(3, 8)))

    def segments(n: int) -> list[Segment]:
        return [Segment(sentence(), "x", "ru", "en", "tmx", "t", str(i), "", "") for i in range(n)]

    memory.add_segments(segments(3000), "bulk")  # enough postings to be merged into blobs
    memory.add_segments(segments(40), "small")  # few: kept as pending rows
    assert memory.db.execute("SELECT count(*) FROM pending").fetchone()[0] > 0
    rows = memory.db.execute("SELECT id, source FROM segments ORDER BY id").fetchall()
    for _ in range(20):
        query = sentence()
        grams = set(trigrams(normalize(query).casefold()))
        shared = [(-len(grams & set(trigrams(normalize(s).casefold()))), i) for i, s in rows]
        expected = [i for c, i in sorted(shared) if c < 0][:50]
        assert memory.candidates(normalize(query), "ru", "en", limit=50)[:50] == expected


def test_trados_style_tmx_in_utf16_with_dates_on_the_unit_is_read(tmp_path: Path) -> None:
    tmx = tmp_path / "trados-export.tmx"
    tmx.write_text(
        '<?xml version="1.0" encoding="utf-16"?>\n'
        '<tmx version="1.4"><header creationtool="SDL Language Platform" creationtoolversion="8.1" '
        'o-tmf="SDL TM8 Format" datatype="xml" segtype="sentence" adminlang="en-US" '
        'srclang="de-DE"/>\n<body>\n'
        '<tu creationdate="20231005T081500Z" creationid="GLOBAL\\anna" changedate="20231006T101500Z" '
        'changeid="GLOBAL\\jens"><prop type="x-Origin">TM</prop>\n'
        '<tuv xml:lang="de-DE"><seg>Der Gipfel liegt <ph x="1" type="0"/>hoch.</seg></tuv>\n'
        '<tuv xml:lang="fr-FR"><seg>Le sommet est <ph x="1" type="0"/>haut.</seg></tuv></tu>\n'
        '</body></tmx>\n', encoding="utf-16")
    [s] = read_tmx(tmx)
    assert (s.source_text, s.rendering_text, s.source_language, s.rendering_language, s.reviewer, s.time) == (
        "Der Gipfel liegt hoch.", "Le sommet est haut.", "de", "fr", "GLOBAL\\jens",
        "2023-10-06T10:15:00Z")


def test_two_threads_that_find_the_index_missing_both_build_it(data: Path, monkeypatch) -> None:
    # a server's threads may each open the memory first at the same moment: both rebuild, and
    # neither may pull the other's half-built file from under it
    import threading

    set_status(data, "s1:t1", "approved")
    both_inside = threading.Barrier(2, timeout=10)
    index_file = Memory._index_file

    def slow(self, path, report):
        both_inside.wait()
        return index_file(self, path, report)

    monkeypatch.setattr(Memory, "_index_file", slow)
    found: list = []
    errors: list[BaseException] = []

    def open_and_look() -> None:
        try:
            found.append(answers(Memory(data), SRC[1]))
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=open_and_look) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert found == [[("exact", 100.0, SRC[1], TGT[1], "src__tgt", "s1:t1")]] * 2


def test_a_test_run_keeps_its_indexes_out_of_the_users_cache(data: Path, runner) -> None:
    # the suite's own cache directory (tests/conftest.py): `make test` leaves ~/.cache alone
    home_cache = Path.home() / ".cache" / "workbench"
    assert runner.invoke(["tm", "rebuild", "--data", str(data)]).exit_code == 0
    index = index_path(data)
    assert index.exists()
    assert Path(os.environ["WORKBENCH_CACHE_DIR"]) in index.parents
    assert home_cache not in index.parents

"""The PO record store: format, byte-exact round trip, gettext tools, atomic saves, conflicts."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import polib
import pytest
from babel.messages.pofile import read_po

from factories import document, make_pair_file, sentences
from workbench import store
from workbench.model import Alignment, Bead
from workbench.corpus import Document
from workbench.errors import ConflictError, InputError, ParseError

SRC = ["Против частичной и всеобщей мобилизации",
       "21 сентября 2022 года Владимир Путин объявил о начале мобилизации.",
       "Мы против.",
       "Это «важно»: \"кавычки\", обратная косая \\ и табуляция\tвнутри."]
TGT = ["Over 140,000 Sign Petition.",
       "On September 21, 2022, Vladimir Putin announced the start of mobilization.",
       "We are against.", "It's \"important\".", "Protests were announced."]


def make_pair(tmp_path: Path) -> tuple[Path, store.PairFile]:
    beads = [Bead((0,), (), 0.1, "unmatched"), Bead((), (0,), 0.0, "unmatched"),
             Bead((1,), (1,), 0.9123, "anchors-length"), Bead((2, 3), (2, 3), 0.5, "anchors-length"),
             Bead((), (4,), 0.0, "unmatched")]
    path = tmp_path / "translations" / "petition-ru__newsweek-en.po"
    mt = ["Against partial and general mobilization", "On 21 September 2022 ...", "We are against.",
          "It is important"]
    pf = make_pair_file(path, SRC, TGT, beads,
                        settings={"mode": "partial", "method": "anchors-length"},
                        mt=mt, mt_model="translate-ru_en 1.9")
    return path, pf


def test_every_sentence_of_both_sides_is_recorded_in_order(tmp_path):
    path, _ = make_pair(tmp_path)
    pf = store.load(path)
    assert [r.key for r in pf.records] == ["s0:t", "s:t0", "s1:t1", "s2,3:t2,3", "s:t4"]
    assert [r.kind for r in pf.records] == ["1-0", "0-1", "1-1", "2-2", "0-1"]
    assert pf.records[3].source_text == SRC[2] + " " + SRC[3]
    assert pf.records[1].rendering_text == TGT[0]
    assert pf.records[1].source_text == ""
    assert pf.records[2].mt == "On 21 September 2022 ..."
    assert pf.records[2].mt_model == "translate-ru_en 1.9"
    assert pf.records[2].score == 0.9123
    assert pf.records[2].references == (("corpora/petition.ru.txt", "3"), ("corpora/newsweek.en.txt", "3"))
    assert pf.header["X-Source-Language"] == "ru" and pf.header["Language"] == "en"
    assert pf.header["X-Aligner"] == "method=anchors-length; mode=partial"
    assert pf.header["X-MT-Model"] == "translate-ru_en 1.9"
    assert pf.revision == 1
    assert {r.status for r in pf.records} == {"unreviewed"}


def test_render_of_loaded_file_gives_identical_bytes_and_save_leaves_it_alone(tmp_path):
    path, _ = make_pair(tmp_path)
    store.add_annotation(pf := store.load(path), "s1:t1", "dropped 'moral' -- twice\nsecond line",
                         "omission", "ak")
    store.set_status(pf, "s1:t1", "approved")
    store.save(pf)
    before = path.read_bytes()
    assert store.render(store.load(path)).encode() == before
    mtime = path.stat().st_mtime_ns
    again = store.save(store.load(path))
    assert path.read_bytes() == before
    assert path.stat().st_mtime_ns == mtime
    assert again.revision == 2


def test_msgfmt_accepts_every_written_file(tmp_path):
    path, _ = make_pair(tmp_path)
    pf = store.load(path)
    for key, status in [("s0:t", "rejected"), ("s1:t1", "approved"), ("s2,3:t2,3", "needs-work")]:
        store.set_status(pf, key, status)
        store.add_annotation(pf, key, "<script>alert(1)</script> & \"q\"", "style", "Анна")
    store.save(pf)
    res = subprocess.run(["msgfmt", "--check-format", "-o", "/dev/null", str(path)],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


def test_polib_and_babel_read_every_entry_and_comment(tmp_path):
    path, _ = make_pair(tmp_path)
    pf = store.load(path)
    store.add_annotation(pf, "s1:t1", "first", "accurate", "ak", time="2026-11-25T03:00:00Z")
    store.add_annotation(pf, "s1:t1", "second, with -- dashes", "", "bo", time="2026-11-25T03:01:00Z")
    store.set_status(pf, "s1:t1", "approved")
    store.save(pf)

    po = polib.pofile(str(path))
    assert len(po) == 5
    entry = po.find("21 сентября 2022 года Владимир Путин объявил о начале мобилизации.")
    assert entry.tcomment == ("[accurate] first -- ak, 2026-11-25T03:00:00Z\n"
                              "[] second, with -- dashes -- bo, 2026-11-25T03:01:00Z")
    assert entry.comment == ("align 1-1 src=1 tgt=1 score=0.9123 method=anchors-length\n"
                             "mt ru>en (translate-ru_en 1.9): On 21 September 2022 ...")
    assert "fuzzy" not in entry.flags

    with path.open("rb") as f:
        catalog = read_po(f)
    messages = {m.context: m for m in catalog if m.id}
    assert sorted(messages) == sorted(f"petition-ru|newsweek-en|{k}"
                                      for k in ["s0:t", "s:t0", "s1:t1", "s2,3:t2,3", "s:t4"])
    m = messages["petition-ru|newsweek-en|s1:t1"]
    assert m.user_comments == ["[accurate] first -- ak, 2026-11-25T03:00:00Z",
                               "[] second, with -- dashes -- bo, 2026-11-25T03:01:00Z"]
    assert m.auto_comments == ["align 1-1 src=1 tgt=1 score=0.9123 method=anchors-length",
                               "mt ru>en (translate-ru_en 1.9): On 21 September 2022 ..."]
    assert not m.fuzzy
    assert messages["petition-ru|newsweek-en|s:t0"].flags == {"fuzzy", "rendering-only"}
    assert messages["petition-ru|newsweek-en|s:t0"].string == TGT[0]

    again = store.load(path).record("s1:t1")
    assert [(a.text, a.category, a.author) for a in again.annotations] == [
        ("first", "accurate", "ak"), ("second, with -- dashes", "", "bo")]
    assert again.category == "accurate"


def test_annotation_with_newline_and_backslash_round_trips(tmp_path):
    path, _ = make_pair(tmp_path)
    pf = store.load(path)
    store.add_annotation(pf, "s0:t", "line one\nline two \\n literal", "omission", "ak")
    store.save(pf)
    assert store.load(path).record("s0:t").annotations[0].text == "line one\nline two \\n literal"


def test_stale_revision_is_a_conflict_and_writes_nothing(tmp_path):
    path, _ = make_pair(tmp_path)
    first, second = store.load(path), store.load(path)
    store.set_status(first, "s1:t1", "approved")
    store.save(first)
    saved = path.read_bytes()
    store.set_status(second, "s1:t1", "rejected")
    with pytest.raises(ConflictError) as info:
        store.save(second)
    assert info.value.current_revision == 2
    assert path.read_bytes() == saved
    assert store.load(path).record("s1:t1").status == "approved"


def test_concurrent_savers_never_lose_an_update(tmp_path):
    path, _ = make_pair(tmp_path)
    keys = ["s0:t", "s:t0", "s1:t1", "s2,3:t2,3", "s:t4"]
    errors: list[Exception] = []

    def worker(key: str) -> None:
        while True:
            pf = store.load(path)
            store.add_annotation(pf, key, f"note on {key}", "style", "w")
            try:
                store.save(pf)
                return
            except ConflictError:
                continue
            except Exception as exc:  # collected and asserted below
                errors.append(exc)
                return

    threads = [threading.Thread(target=worker, args=(k,)) for k in keys]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    pf = store.load(path)
    assert [len(r.annotations) for r in pf.records] == [1, 1, 1, 1, 1]
    assert pf.revision == 6
    assert [p.name for p in path.parent.iterdir() if p.suffix == ".tmp"] == []


def test_existing_work_is_not_overwritten_by_a_new_alignment(tmp_path):
    path, _ = make_pair(tmp_path)
    pf = store.load(path)
    store.add_annotation(pf, "s1:t1", "keep me", "accurate", "ak")
    store.save(pf)
    with pytest.raises(InputError, match="1 bead reviewed or annotated"):
        make_pair(tmp_path)
    assert store.load(path).record("s1:t1").annotations[0].text == "keep me"


def test_foreign_po_file_is_a_parse_error_naming_file_and_line(tmp_path):
    foreign = tmp_path / "foreign.po"
    foreign.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                       'msgid "hello"\nmsgstr "hallo"\n', encoding="utf-8")
    with pytest.raises(ParseError, match=r"foreign.po:1: PO header has no 'X-Source-Document'"):
        store.load(foreign)
    path, _ = make_pair(tmp_path)
    text = path.read_text(encoding="utf-8").replace("#. align 2-2", "#. aligned")
    damaged = tmp_path / "damaged.po"
    damaged.write_text(text, encoding="utf-8")
    with pytest.raises(ParseError) as info:
        store.load(damaged)
    assert info.value.line == text.splitlines().index(
        next(l for l in text.splitlines() if l.startswith("#. aligned"))) + 1
    broken = tmp_path / "broken.po"
    broken.write_text(path.read_text(encoding="utf-8") + 'msgid "x"\nmsgstr "y"\ngarbage line\n', encoding="utf-8")
    with pytest.raises(ParseError, match=r"broken.po:63: not a valid PO file: Syntax error"):
        store.load(broken)


def test_sentence_lengths_are_recorded_for_multi_sentence_beads_only(tmp_path):
    path, _ = make_pair(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert text.count("#. lengths ") == 1
    assert f"#. lengths src={len(SRC[2])},{len(SRC[3])} tgt={len(TGT[2])},{len(TGT[3])} mt=15,15\n" in text
    pf = store.load(path)
    two = pf.record("s2,3:t2,3")
    assert (two.source_lengths, two.rendering_lengths, two.mt_lengths) == (
        (len(SRC[2]), len(SRC[3])), (len(TGT[2]), len(TGT[3])), (15, 15))
    assert pf.record("s1:t1").source_lengths == ()
    assert store.render(pf) == text


LINE_BREAKERS = {"U+2028": "\u2028", "U+2029": "\u2029", "U+0085": "\x85", "U+001C": "\x1c",
                 "U+001E": "\x1e", "VT": "\x0b", "FF": "\x0c", "CR": "\r", "LF": "\n", "tab": "\t"}


@pytest.mark.parametrize("name", sorted(LINE_BREAKERS))
def test_characters_that_str_splitlines_breaks_at_survive_every_field(tmp_path, name):
    c = LINE_BREAKERS[name]
    text = f"before{c}after"
    path = tmp_path / "pair.po"
    pf = make_pair_file(path, [text], ["r " + text], [Bead((0,), (0,), 0.5, "m")],
                        ids=("a", "b"), paths=("a.txt", "b.txt"), mt=["mt " + text],
                        mt_model="m 1")
    store.add_annotation(pf, "s0:t0", "note " + text, "style", "ak", time="2026-11-25T03:00:00Z")
    store.save(pf)
    res = subprocess.run(["msgfmt", "--check-format", "-o", "/dev/null", str(path)],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    r = store.load(path).records[0]
    assert (r.source_text, r.rendering_text) == (text, "r " + text)
    assert r.annotations[0].text == "note " + text
    # the mt comment is one line: line ends inside it become spaces, anything else is kept
    assert r.mt == "mt " + ("before after" if c in "\r\n" else text)


def make_suggesting_pair(tmp_path: Path) -> Path:
    """The pair of make_pair, with rendering sentence 4 left unmatched but close to source 2."""
    beads = [Bead((0,), (0,), 0.8, "embed"), Bead((1,), (1,), 0.9123, "embed"),
             Bead((2,), (), 0.0, "unmatched"), Bead((3,), (2, 3), 0.6, "embed"),
             Bead((), (4,), 0.0312, "unmatched", closest=(2, 0.4149))]
    path = tmp_path / "suggest.po"
    make_pair_file(path, SRC, TGT, beads)
    return path


def test_an_unmatched_rendering_sentence_keeps_its_closest_source_as_an_extracted_comment(tmp_path):
    from workbench import edit

    path = make_suggesting_pair(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert text.endswith('\n\n#. align 0-1 src= tgt=4 score=0.0312 method=unmatched\n'
                         '#. closest source 2 (0.41)\n'
                         '#: corpora/newsweek.en.txt:9\n'
                         '#, fuzzy, rendering-only\n'
                         'msgctxt "petition-ru|newsweek-en|s:t4"\n'
                         'msgid "∅"\n'
                         'msgstr "Protests were announced."\n\n')
    assert text.count("closest source") == 1
    pf = store.load(path)
    assert pf.read_only is None  # the workbench's own comment: the file stays writable
    assert pf.record("s:t4").closest == (2, 0.41)
    assert pf.record("s:t4").bead.closest == (2, 0.41)
    assert [r.closest for r in pf.records[:4]] == [None] * 4
    assert store.render(pf) == text
    assert subprocess.run(["msgfmt", "--check-format", "-o", "/dev/null", str(path)]).returncode == 0
    # Reviewing the bead keeps the suggestion; linking it (the suggestion's own link included)
    # builds a new bead without one.
    store.set_status(pf, "s:t4", "needs-work")
    store.save(pf)
    assert "#. closest source 2 (0.41)\n" in path.read_text(encoding="utf-8")
    assert store.render(store.load(path)).encode() == path.read_bytes()
    edit.perform(path, lambda p: edit.link(p, 2, 4), author="ak")
    after = store.load(path)
    assert [(r.key, r.closest) for r in after.records[2:]] == [("s2:t4", None), ("s3:t2,3", None)]
    assert "closest source" not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("comment, message", [
    ("closest source 5 (0.41)", r"suggestion names source sentence 5, but the source has 4 "
                                r"sentences \(ids 0 to 3\)"),
    ("closest source 2 (1.5)", r"suggestion probability '1\.5' is not a number from 0 to 1"),
    ("closest source 2 (high)", r"suggestion probability 'high' is not a number from 0 to 1"),
])
def test_a_damaged_suggestion_is_a_parse_error_naming_its_line(tmp_path, comment, message):
    path = make_suggesting_pair(tmp_path)
    text = path.read_text(encoding="utf-8").replace("closest source 2 (0.41)", comment)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParseError, match=message) as info:
        store.load(path)
    # the line of the entry that holds it (its first line, as for the entry's other comments)
    assert info.value.line == text.splitlines().index(
        "#. align 0-1 src= tgt=4 score=0.0312 method=unmatched") + 1


CHECK_SRC = ["В городе 5 домов.", "Москва большая.", "Нева течёт."]
CHECK_TGT = ["The city has 7 houses.", "Moscow is big.", "The Neva flows."]


def make_checked_pair(tmp_path: Path) -> Path:
    """Three 1-1 beads; the first says 7 where its source says 5."""
    path = tmp_path / "city.po"
    make_pair_file(path, CHECK_SRC, CHECK_TGT, [Bead((i,), (i,), 0.8, "embed") for i in range(3)],
                   ids=("city-ru", "city-en"))
    return path


def test_a_beads_findings_are_stored_as_extracted_comments_and_read_back(tmp_path):
    path = make_checked_pair(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert ('\n\n#. align 1-1 src=0 tgt=0 score=0.8000 method=embed\n'
            '#. check number: source says 5; rendering says 7\n'
            '#: corpora/city.ru.txt:1 corpora/city.en.txt:1\n'
            '#, fuzzy\n'
            'msgctxt "city-ru|city-en|s0:t0"\n'
            'msgid "В городе 5 домов."\n'
            'msgstr "The city has 7 houses."\n\n') in text
    assert text.count("#. check ") == 1
    pf = store.load(path)
    assert pf.read_only is None  # the workbench's own comments: the file stays writable
    assert [r.checks for r in pf.records] == [("check number: source says 5; rendering says 7",),
                                              (), ()]
    assert store.render(pf) == text
    assert subprocess.run(["msgfmt", "--check-format", "-o", "/dev/null", str(path)]).returncode == 0
    # a status and a note leave the texts, and so the comment, as they were
    store.set_status(pf, "s0:t0", "needs-work")
    store.add_annotation(pf, "s0:t0", "the source says five", "mistranslation", "ak")
    store.save(pf)
    again = store.load(path)
    assert again.read_only is None
    assert again.record("s0:t0").checks == ("check number: source says 5; rendering says 7",)
    assert store.render(again).encode() == path.read_bytes()


def test_without_checks_no_comment_is_written(tmp_path):
    src, tgt = document("city-ru", "ru", CHECK_SRC), document("city-en", "en", CHECK_TGT)
    pf = store.build_pair_file(src, tgt, sentences(CHECK_SRC), sentences(CHECK_TGT),
                               Alignment([Bead((i,), (i,), 0.8, "embed") for i in range(3)]),
                               checks=False)
    assert [r.checks for r in pf.records] == [(), (), ()]
    assert "#. check" not in store.render(pf)


def test_an_edit_recomputes_the_findings_of_the_beads_it_builds_only(tmp_path):
    from workbench import edit

    path = make_checked_pair(tmp_path)
    # a finding written by an older version of the checks, on a bead the edits leave alone
    stale = "check name: source names Нева;  rendering has no Neva"  # kept as written
    text = path.read_text(encoding="utf-8").replace(
        "#. align 1-1 src=2 tgt=2 score=0.8000 method=embed\n",
        f"#. align 1-1 src=2 tgt=2 score=0.8000 method=embed\n#. {stale}\n")
    path.write_text(text, encoding="utf-8")
    assert store.load(path).read_only is None
    edit.perform(path, lambda p: edit.unlink(p, "s0:t0"), author="ak")
    pf = store.load(path)
    assert [(r.key, r.checks) for r in pf.records] == [
        ("s0:t", ()), ("s:t0", ()), ("s1:t1", ()), ("s2:t2", (stale,))]
    # the rendering of 1 with the source of 0: a number and a name on one side only, notes,
    # which are not stored; the stale comment stays
    edit.perform(path, lambda p: edit.link(p, 0, 1), author="ak")
    pf = store.load(path)
    assert [(r.key, r.checks) for r in pf.records if r.checks or r.key == "s0:t1"] == [
        ("s0:t1", ()), ("s2:t2", (stale,))]
    assert f"#. {stale}\n" in path.read_text(encoding="utf-8")
    assert store.render(pf).encode() == path.read_bytes()
    # undoing both edits gives the first bytes back, the findings of the history's beads included
    edit.undo(path, author="ak")
    edit.undo(path, author="ak")
    undone = path.read_text(encoding="utf-8")
    assert undone.split("\nmsgctxt", 1)[1] == text.split("\nmsgctxt", 1)[1]


def test_extracted_comments_of_another_tool_still_open_the_file_read_only(tmp_path):
    path = make_checked_pair(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace(
        "#. check number:", "#. checked by a colleague\n#. check number:"), encoding="utf-8")
    pf = store.load(path)
    assert pf.read_only == ("it holds extracted comments (#.) of another tool, which the "
                            "workbench does not keep; saving would drop them")


def test_the_bundled_pair_written_again_carries_its_findings(tmp_path):
    """The petition and the article, aligned as the bundled PO file records them: write_alignment
    gives every bead the findings `workbench check` computes, and the bundled file holds them."""
    from workbench import check
    from workbench.segment import segment

    repo = Path(__file__).resolve().parents[1]
    bundled = store.load(repo / "translations" / "petition-ru__newsweek-en.po")
    docs = [Document(id=name.removesuffix(".txt").replace(".", "-"), language=lang,
                     path=f"corpora/{name}", text=(repo / "corpora" / name).read_text("utf-8"))
            for name, lang in (("petition.ru.txt", "ru"), ("newsweek.en.txt", "en"))]
    path = tmp_path / "petition-ru__newsweek-en.po"
    pf = store.write_alignment(path, docs[0], docs[1], segment(docs[0].text, "ru"),
                               segment(docs[1].text, "en"),
                               Alignment([r.bead for r in bundled.records], {}))
    found = [(r.key, r.checks) for r in pf.records if r.checks]
    assert found == [
        ("s0:t3", ("check quote: rendering quotes 'Against partial and total mobilization…; the "
                   "source has no quotation marks",)),
        ("s1:t4", ("check quote: rendering quotes \"On September 21, 2022, Vladimir Putin…; the "
                   "source has no quotation marks",)),
        ("s3:t10", ("check quote: rendering quotes \"We, the citizens of Russia, women and…; the "
                    "source has no quotation marks",)),
        ("s5:t12", ("check quote: rendering quotes \"In the current state of uncertainty we…; the "
                    "source has no quotation marks",))]
    # the same findings `workbench check` reports, in its order
    assert [(b.key, tuple(check.format_comment(f) for f in b.findings))
            for b in check.check_records(pf.records, src_lang="ru", tgt_lang="en")] == found
    assert [(r.key, r.checks) for r in bundled.records if r.checks] == found
    # the entries (the header's dates and revision aside) are the bundled file's
    assert path.read_text("utf-8").split("\n\n", 1)[1].split("\n\n", 1)[1] == (
        repo / "translations" / "petition-ru__newsweek-en.po").read_text("utf-8").split(
        "\n\n", 1)[1].split("\n\n", 1)[1]

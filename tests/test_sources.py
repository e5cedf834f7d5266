"""One source with several renderings: corpora.toml declarations, the multi-way view
(workbench.multiway), the /sources/<id> page and its JSON, and `workbench export-source`.

The small data directory built here has a Russian source of four sentences and three renderings
aligned by hand (a full translation, a report that quotes two sentences and paraphrases one, and
one with no PO file), written through the store's real writer."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench import store
from workbench.cli import main
from workbench.corpus import Pair, load_corpus
from workbench.errors import NotFoundError, ParseError
from workbench.model import Alignment, Bead
from workbench.multiway import QUOTE_MIN, Disagreement, source_view
from workbench.segment import segment

REPO = Path(__file__).resolve().parents[1]

SOURCE = ("Москва большая.\n\nВ городе живут 12 миллионов человек. Мэр Собянин доволен.\n\n"
          "Погода хорошая.\n")
FULL = ("Moscow is big.\n\nThe city has 12 million people. Mayor Sobyanin is pleased.\n\n"
        "The weather is good.\n")
REPORT = ("A report of our own.\n\nIt says the city has 13 million people. The mayor, Sobyanin, "
          "seems pleased.\n")
MISSING = "Moscow is large.\n"

TOML = """\
[documents.city-ru]
file = "city.ru.txt"
language = "ru"
title = "Город"

[documents.city-en]
file = "city.en.txt"
language = "en"
provenance = "A full translation."

[documents.report-en]
file = "report.en.txt"
language = "en"

[documents.short-en]
file = "short.en.txt"
language = "en"

[[pairs]]
source = "city-ru"
rendering = "city-en"

[[pairs]]
source = "city-ru"
rendering = "report-en"

[[pairs]]
source = "city-ru"
rendering = "short-en"
"""

# city-en: every sentence 1-1; report-en: sentence 0 and 3 left out, 1 quoted, 2 paraphrased
# (probability below QUOTE_MIN); short-en has no PO file.
FULL_BEADS = [Bead((0,), (0,), 0.97, "hand"), Bead((1,), (1,), 0.95, "hand"),
              Bead((2,), (2,), 0.99, "hand"), Bead((3,), (3,), 0.91, "hand")]
REPORT_BEADS = [Bead((), (0,), 0.0, "unmatched"), Bead((0,), (), 0.0, "unmatched"),
                Bead((1,), (1,), 0.93, "hand"), Bead((2,), (2,), 0.62, "hand"),
                Bead((3,), (), 0.0, "unmatched")]


def write_pair(root: Path, source: str, rendering: str, beads: list[Bead]) -> Path:
    corpus = load_corpus(root)
    src, ren = corpus.documents[source], corpus.documents[rendering]
    path = root / "translations" / f"{source}__{rendering}.po"
    store.write_alignment(path, src, ren, segment(src.text, src.language),
                          segment(ren.text, ren.language), Alignment(beads, {"mode": "hand"}))
    return path


@pytest.fixture
def city(tmp_path: Path) -> Path:
    root = tmp_path / "city"
    (root / "corpora").mkdir(parents=True)
    (root / "translations").mkdir()
    for name, text in (("city.ru.txt", SOURCE), ("city.en.txt", FULL), ("report.en.txt", REPORT),
                       ("short.en.txt", MISSING)):
        (root / "corpora" / name).write_text(text, encoding="utf-8")
    (root / "corpora" / "corpora.toml").write_text(TOML, encoding="utf-8")
    write_pair(root, "city-ru", "city-en", FULL_BEADS)
    write_pair(root, "city-ru", "report-en", REPORT_BEADS)
    return root


def tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under root with its size and modification time (ns)."""
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*"))}


def page_text(response) -> str:
    """The answer's HTML with entities read and runs of whitespace made one space."""
    return " ".join(html.unescape(response.get_data(as_text=True)).split())


# --- corpora.toml ---------------------------------------------------------------------------------

def test_a_source_with_three_renderings_is_three_pairs_in_declaration_order(city):
    corpus = load_corpus(city)
    assert corpus.sources() == ["city-ru"]
    assert corpus.renderings("city-ru") == [Pair("city-ru", "city-en", "city-ru__city-en.po"),
                                            Pair("city-ru", "report-en", "city-ru__report-en.po"),
                                            Pair("city-ru", "short-en", "city-ru__short-en.po")]
    with pytest.raises(NotFoundError, match="document 'city-en' is the source of no pair"):
        corpus.renderings("city-en")
    with pytest.raises(NotFoundError, match="no document 'nope'"):
        corpus.renderings("nope")


def test_the_bundled_petition_has_two_renderings():
    corpus = load_corpus(REPO)
    assert [p.rendering for p in corpus.renderings("petition-ru")] == ["newsweek-en", "petition-en"]
    en = corpus.documents["petition-en"]
    assert (en.language, en.path) == ("en", "corpora/petition.en.txt")
    assert en.provenance.startswith("English translation written for this project")
    assert "reconstructed Russian text (petition-ru)" in en.provenance
    # sentence for sentence: as many sentences, in as many paragraphs, as the source
    ru = corpus.documents["petition-ru"]
    assert [s.paragraph for s in segment(en.text, "en")] == [s.paragraph for s in segment(ru.text, "ru")]


@pytest.mark.parametrize("extra, line, message", [
    ('\n[[pairs]]\nsource = "city-en"\nrendering = "report-en"\npo = "city-ru__city-en.po"\n', 34,
     "pair 4: po 'city-ru__city-en.po' is already the file of pair 1"),
    ('\n[[pairs]]\nsource = "city-ru"\nrendering = "city-en"\n', 31,
     "pair 4 repeats the pair 'city-ru__city-en' (pair 1)"),
    ('\n[[pairs]]\nsource = "city-ru"\nrendering = "city-de"\n', 33,
     "pair 4 names unknown document 'city-de' as rendering"),
    ('\n[[pairs]]\nsource = "town-ru"\nrendering = "city-en"\n', 32,
     "pair 4 names unknown document 'town-ru' as source"),
])
def test_a_bad_rendering_declaration_names_its_line(city, extra, line, message):
    meta = city / "corpora" / "corpora.toml"
    meta.write_text(TOML + extra, encoding="utf-8")
    with pytest.raises(ParseError) as info:
        load_corpus(city)
    assert (info.value.path, info.value.line) == (str(meta), line)
    assert info.value.message == message


# --- the multi-way view ---------------------------------------------------------------------------

def test_each_source_sentence_says_which_renderings_carry_it_and_how(city):
    view = source_view(load_corpus(city), "city-ru")
    assert [c.document.id for c in view.columns] == ["city-en", "report-en", "short-en"]
    marks = [[None if c is None else (c.how, c.probability, c.bead, c.text) for c in row.carriages]
             for row in view.rows]
    assert marks == [
        [("quote", 0.97, "s0:t0", "Moscow is big."), ("left out", 0.0, "s0:t", ""), None],
        [("quote", 0.95, "s1:t1", "The city has 12 million people."),
         ("quote", 0.93, "s1:t1", "It says the city has 13 million people."), None],
        [("quote", 0.99, "s2:t2", "Mayor Sobyanin is pleased."),
         ("paraphrase", 0.62, "s2:t2", "The mayor, Sobyanin, seems pleased."), None],
        [("quote", 0.91, "s3:t3", "The weather is good."), ("left out", 0.0, "s3:t", ""), None]]
    assert [r.carried_by for r in view.rows] == [1, 2, 2, 1]
    assert view.uncarried == []


def test_coverage_per_rendering_and_a_missing_po_file_is_said_not_created(city):
    before = tree(city)
    view = source_view(load_corpus(city), "city-ru")
    full, report, short = view.columns
    assert (full.quotes, full.paraphrases, full.total, full.coverage) == (4, 0, 4, 1.0)
    assert (report.quotes, report.paraphrases, report.coverage) == (1, 1, 0.5)
    assert short.coverage is None
    assert short.error == ("no PO file translations/city-ru__short-en.po yet: align the pair "
                           "(`workbench align corpora/city.ru.txt corpora/short.en.txt -o "
                           "translations/city-ru__short-en.po`)")
    assert tree(city) == before


def test_disagreements_name_the_number_that_differs_between_renderings(city):
    view = source_view(load_corpus(city), "city-ru")
    assert view.rows[1].disagreements == (
        Disagreement("number", "error", "city-en", "report-en", "12 million", "13 million"),)
    assert view.rows[1].disagreements[0].explanation == \
        "city-en says \u201c12 million\u201d; report-en says \u201c13 million\u201d"
    # the same name written alike in both: no disagreement; one rendering only: none to compare
    assert [r.disagreements for r in view.rows if r.sentence.index != 1] == [(), (), ()]


def test_a_sentence_no_rendering_carries_and_a_reviewers_paraphrase(city):
    beads = [Bead((0,), (0,), 0.97, "hand"), Bead((1,), (1,), 0.95, "hand"),
             Bead((2,), (2,), 0.99, "hand"), Bead((3,), (), 0.0, "unmatched"),
             Bead((), (3,), 0.0, "unmatched")]
    path = write_pair(city, "city-ru", "city-en", beads)
    pf = store.load(path)
    store.add_annotation(pf, "s0:t0", "freer than it looks", "paraphrase", "ed")
    store.save(pf, path, expected_revision=pf.revision)
    view = source_view(load_corpus(city), "city-ru")
    assert view.uncarried == [3]
    assert view.rows[0].carriages[0].how == "paraphrase"  # 0.97, but a reviewer says paraphrase
    assert view.columns[0].coverage == 0.75


def test_a_po_file_of_another_version_of_the_source_is_a_column_error(city):
    (city / "corpora" / "city.ru.txt").write_text(SOURCE + "\nЕщё одно.\n", encoding="utf-8")
    view = source_view(load_corpus(city), "city-ru")
    assert view.columns[0].error == ("translations/city-ru__city-en.po was aligned with 4 source "
                                     "sentences; city-ru now has 5: re-align the pair")
    assert view.columns[1].error == ("translations/city-ru__report-en.po was aligned with 4 "
                                     "source sentences; city-ru now has 5: re-align the pair")
    assert [c.carriages for c in view.rows] == [(None, None, None)] * 5
    assert view.uncarried == [0, 1, 2, 3, 4]  # no readable rendering carries any


def test_a_po_file_of_a_source_edited_in_place_is_a_column_error(city):
    (city / "corpora" / "city.ru.txt").write_text(SOURCE.replace("Погода", "Природа"),
                                                  encoding="utf-8")
    view = source_view(load_corpus(city), "city-ru")
    assert [c.error for c in view.columns[:2]] == [
        f"translations/city-ru__{r}.po holds source sentence 3 as it was before city-ru changed: "
        "re-align the pair" for r in ("city-en", "report-en")]


def test_a_damaged_po_file_is_a_column_error_and_the_others_still_show(city):
    path = city / "translations" / "city-ru__report-en.po"
    path.write_text(path.read_text(encoding="utf-8")[:-40], encoding="utf-8")
    view = source_view(load_corpus(city), "city-ru")
    assert view.columns[1].error.startswith("translations/city-ru__report-en.po:")
    assert str(city) not in view.columns[1].error
    assert view.columns[1].error.endswith(
        "rebuild it from its two texts with `workbench align corpora/city.ru.txt "
        "corpora/report.en.txt --src-lang ru --rendering-lang en -o "
        "translations/city-ru__report-en.po --overwrite` in the data directory, which keeps the "
        "reviewed work that can still be read)")
    assert view.columns[0].coverage == 1.0


def test_the_quote_threshold_is_documented_where_the_format_is():
    assert QUOTE_MIN == 0.9
    assert "probability of 0.90 or more" in (REPO / "docs" / "api.md").read_text(encoding="utf-8")


# --- the bundled petition -------------------------------------------------------------------------

def test_the_bundled_petition_view():
    view = source_view(load_corpus(REPO), "petition-ru")
    news, full = view.columns
    assert (news.carried, news.total, full.carried, full.total) == (6, 6, 6, 6)
    # the article carries the title inside a longer sentence of its own: a link below 0.90
    assert [c.how for row in view.rows for c in row.carriages] == ["paraphrase"] + ["quote"] * 11
    # the article's sentence that carries the title names the site and the author's pseudonym,
    # which the petition's own translation leaves out: notes (one side only), not disagreements
    assert [len(r.disagreements) for r in view.rows] == [0] * 6


# --- web ------------------------------------------------------------------------------------------

@pytest.fixture
def city_client(city: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "argos-packages"))
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path / "cache"))
    from workbench.web import create_app

    return create_app({"TESTING": True, "DATA_DIR": str(city), "SECRET_KEY": "k" * 64}).test_client()


def test_the_source_page_shows_every_rendering_in_its_column(city, city_client):
    before = tree(city)
    html = page_text(city_client.get("/sources/city-ru"))
    assert html.count('class="source-row') == 4
    assert html.count('data-how="quote"') == 5
    assert html.count('data-how="paraphrase"') == 1
    assert html.count('data-how="left out"') == 2
    assert '<span class="badge how-paraphrase">paraphrase 0.62</span>' in html
    assert "city-en says \u201c12 million\u201d; report-en says \u201c13 million\u201d" in html
    assert "4 of 4: 4 quoted, 0 paraphrased, 0 left out" in html
    assert "2 of 4: 1 quoted, 1 paraphrased, 2 left out" in html
    assert "no PO file translations/city-ru__short-en.po yet" in html
    assert 'href="/sources/city-ru?only=uncarried"' in html
    assert 'href="/sources/city-ru/export?format=tmx"' in html
    assert "<script" not in html and "style=" not in html  # the CSP allows neither inline
    assert tree(city) == before  # a GET never writes: the missing PO file stays missing


def test_the_uncarried_filter_keeps_the_sentences_no_rendering_carries(city, city_client):
    write_pair(city, "city-ru", "city-en", [Bead((0,), (0,), 0.97, "hand"), Bead((1, 2), (1, 2), 0.95, "hand"),
                                            Bead((3,), (), 0.0, "unmatched"), Bead((), (3,), 0.0, "unmatched")])
    html = city_client.get("/sources/city-ru?only=uncarried").get_data(as_text=True)
    assert html.count('class="source-row') == 1 and 'id="s3"' in html
    body = city_client.get("/api/sources/city-ru?only=uncarried").get_json()
    assert body["uncarried"] == [3]
    assert [r["sentence"] for r in body["rows"]] == [3]
    full = city_client.get("/api/sources/city-ru").get_json()
    assert full["rows"][1]["renderings"]["city-en"]["shared"] == [2]
    assert [c["coverage"] for c in full["renderings"]] == [0.75, 0.5, None]


def test_a_finding_dismissed_on_the_pair_page_is_shown_dismissed_here(city, city_client):
    # report-en's sentence 1 says 13 million where the source says 12: a number error, dismissed
    # on the pair page with a reason
    from workbench import edit, findings

    po = city / "translations" / "city-ru__report-en.po"
    [item] = findings.of_pair(store.load(po), store.load(po).record("s1:t1"))
    edit.perform(po, lambda pf: edit.dismiss(pf, "s1:t1", "number", item.finding.key,
                                             "the article's own estimate", "Анна",
                                             "2026-01-02T03:04:05Z"), author="Анна")
    body = city_client.get("/api/sources/city-ru").get_json()
    assert body["rows"][1]["renderings"]["report-en"]["checks"] == [
        {"kind": "number", "severity": "error",
         "explanation": "source says 12 миллионов; rendering says 13 million",
         "dismissed": "the article's own estimate", "dismissed_by": "Анна"}]
    assert body["rows"][2]["renderings"]["report-en"]["checks"] == []
    html = page_text(city_client.get("/sources/city-ru"))
    assert ('<li class="finding sev-error dismissed" data-kind="number"><span class="explanation">'
            'number: source says 12 миллионов; rendering says 13 million</span> <span '
            'class="dismissal">— dismissed by Анна: <span class="reason">the article\'s own '
            'estimate</span></span></li>') in html
    # restored: open again, in both
    edit.perform(po, lambda pf: edit.undismiss(pf, "s1:t1", "number", item.finding.key),
                 author="Анна")
    body = city_client.get("/api/sources/city-ru").get_json()
    assert body["rows"][1]["renderings"]["report-en"]["checks"][0]["dismissed"] is None


@pytest.mark.parametrize("url, status, message", [
    ("/sources/nope", 404, "no document 'nope'"),
    ("/sources/city-en", 404, "document 'city-en' is the source of no pair"),
    ("/sources/city-ru?only=everything", 400, "unknown filter only=everything"),
    ("/api/sources/nope", 404, "no document 'nope'"),
    ("/sources/city-ru/export?format=xliff", 400, "unknown export format 'xliff' for a source"),
])
def test_bad_source_requests_are_4xx_with_a_message(city_client, url, status, message):
    res = city_client.get(url)
    assert res.status_code == status
    assert message in page_text(res)


def test_the_index_links_each_source_to_its_view(city_client):
    html = page_text(city_client.get("/"))
    assert '<a href="/sources/city-ru">Город</a>' in html
    assert "3 renderings side by side (city-en, report-en, short-en)" in html


# --- export-source --------------------------------------------------------------------------------

def test_export_source_tsv_from_the_command_line(city, monkeypatch):
    monkeypatch.chdir(city)
    res = CliRunner().invoke(main, ["export-source", "city-ru", "-f", "tsv"])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0] == ("sentence\tparagraph\tcity-ru\tcity-en\treport-en\tshort-en\t"
                        "city-en mark\treport-en mark\tshort-en mark")
    assert lines[3] == ("2\t1\tМэр Собянин доволен.\tMayor Sobyanin is pleased.\t"
                        "The mayor, Sobyanin, seems pleased.\t\tquote 0.9900\tparaphrase 0.6200\t")
    assert lines[4] == "3\t2\tПогода хорошая.\tThe weather is good.\t\t\tquote 0.9100\tleft out\t"
    assert "short-en left out: no PO file" in res.stderr


def test_export_source_refuses_an_output_that_is_an_input_and_an_unknown_source(city):
    po = city / "translations" / "city-ru__city-en.po"
    before = po.read_bytes()
    res = CliRunner().invoke(main, ["export-source", "city-ru", "--data", str(city), "-o", str(po)])
    assert res.exit_code == 2
    assert "the output is also an input" in res.stderr
    assert po.read_bytes() == before
    res = CliRunner().invoke(main, ["export-source", "town-ru", "--data", str(city)])
    assert (res.exit_code, res.stderr.strip()) == (
        2, "workbench: error: no document 'town-ru' (known documents: city-ru, city-en, "
           "report-en, short-en)")

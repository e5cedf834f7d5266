"""Multi-way export of a source and its renderings (workbench.export.multiway): TMX with one unit per
source sentence and a variant per rendering, valid against the TMX 1.4 DTD in ../shared/eval and
read by translate-toolkit; TSV with one column per rendering; the same from the command line and as
a download, which writes nothing."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from translate.storage import tmx as ttk_tmx

from workbench.cli import main
from workbench.corpus import load_corpus
from workbench.export.multiway import export_bytes, tmx_bytes, tsv_text
from workbench.export.text import tsv_unescape
from workbench.multiway import source_view

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = REPO.parent / "shared" / "eval" / "schemas"
XMLLINT = "/usr/bin/xmllint"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def xmllint_dtd(path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, XML_CATALOG_FILES=str(SCHEMAS / "catalog.xml"))
    return subprocess.run([XMLLINT, "--nonet", "--noout", "--dtdvalid",
                           str(SCHEMAS / "tmx-1.4" / "tmx14.dtd"), str(path)],
                          capture_output=True, text=True, env=env)


@pytest.fixture(scope="module")
def petition():
    """The bundled petition with its two renderings, as committed."""
    return source_view(load_corpus(REPO), "petition-ru")


def test_tmx_holds_one_unit_per_source_sentence_with_a_variant_per_rendering(petition, tmp_path):
    out = tmp_path / "petition.tmx"
    out.write_bytes(tmx_bytes(petition))
    res = xmllint_dtd(out)
    assert res.returncode == 0, res.stderr
    units = etree.fromstring(out.read_bytes()).findall("body/tu")
    assert [u.get("tuid") for u in units] == [f"petition-ru|{i}" for i in range(6)]
    first = units[4]
    variants = [(v.get(XML_LANG), {p.get("type"): p.text for p in v.findall("prop")},
                 v.findtext("seg")) for v in first.findall("tuv")]
    assert variants == [
        ("ru", {"x-document": "petition-ru"}, "У президента Владимира Путина нет правовых "
         "оснований, взвешенных и аргументированных причин для ее объявления, и быть не может."),
        ("en", {"x-document": "newsweek-en", "x-how": "quote", "x-probability": "1.0000",
                "x-bead": "s4:t11", "x-status": "unreviewed"},
         "President Vladimir Putin has no legal grounds, weighted and well-reasoned reasons for "
         "announcing it, and cannot have any."),
        ("en", {"x-document": "petition-en", "x-how": "quote", "x-probability": "0.9377",
                "x-bead": "s4:t4", "x-status": "unreviewed"},
         "President Vladimir Putin has no legal grounds and no considered, well-argued reasons "
         "for declaring it, nor can he have any.")]
    # the names the article adds around its quote are notes (one side only): no disagreement
    assert [n.text for n in units[0].findall("note")] == []
    # translate-toolkit reads it as a TMX file: a unit per source sentence, the source first
    tm = ttk_tmx.tmxfile.parsestring(out.read_bytes())
    assert len(tm.units) == 6
    assert tm.units[3].source == "Мы, граждане России, женщины и мужчины, выступаем против " \
                                 "всеобщей и частичной мобилизации."


def test_tmx_of_a_sentence_no_rendering_carries_is_a_unit_with_the_source_alone(tmp_path):
    root = tmp_path / "d"
    (root / "corpora").mkdir(parents=True)
    (root / "corpora" / "a.ru.txt").write_text("Один.\n\nДва\x0b.\n", encoding="utf-8")
    (root / "corpora" / "b.en.txt").write_text("One.\n", encoding="utf-8")
    (root / "corpora" / "corpora.toml").write_text(
        '[documents.a]\nfile = "a.ru.txt"\nlanguage = "ru"\n[documents.b]\nfile = "b.en.txt"\n'
        'language = "en"\n[[pairs]]\nsource = "a"\nrendering = "b"\n', encoding="utf-8")
    view = source_view(load_corpus(root), "a")  # no PO file: the rendering is left out, and said
    out = tmp_path / "alone.tmx"
    out.write_bytes(tmx_bytes(view))
    assert xmllint_dtd(out).returncode == 0
    units = etree.fromstring(out.read_bytes()).findall("body/tu")
    assert [[v.findtext("seg") for v in u.findall("tuv")] for u in units] == [["Один."], ["Два."]]
    header = {p.text.split()[0]: p.text for p in etree.fromstring(out.read_bytes()).findall(
        "header/prop[@type='x-rendering']")}
    assert header["b"].startswith("b corpora/b.en.txt translations/a__b.po: no PO file")


def test_tsv_has_one_row_per_source_sentence_and_a_column_per_rendering(petition):
    rows = [[tsv_unescape(c) for c in line.split("\t")] for line in tsv_text(petition).splitlines()]
    assert rows[0] == ["sentence", "paragraph", "petition-ru", "newsweek-en", "petition-en",
                       "newsweek-en mark", "petition-en mark"]
    assert len(rows) == 7 and {len(r) for r in rows} == {7}
    assert rows[1][3:] == ["The Russian-language petition against conscription, titled 'Against "
                           "partial and total mobilization,' was created on the Change.org "
                           "petition site by a user with the pseudonym 'Soft Power.'",
                           "Against partial and general mobilization", "paraphrase 0.7777",
                           "quote 0.9299"]
    assert [r[1] for r in rows[1:]] == ["0", "1", "1", "2", "2", "3"]


def test_the_same_corpus_gives_the_same_bytes(petition):
    again = source_view(load_corpus(REPO), "petition-ru")
    assert export_bytes(again, "tmx") == export_bytes(petition, "tmx")
    assert export_bytes(again, "tsv") == export_bytes(petition, "tsv")


def test_export_source_writes_the_tmx_file(tmp_path):
    out = tmp_path / "petition.tmx"
    res = CliRunner().invoke(main, ["export-source", "petition-ru", "--data", str(REPO),
                                    "-f", "tmx", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert res.stderr == (f"wrote {out}: 6 source sentences; carried: newsweek-en 6/6, "
                          "petition-en 6/6\n")
    assert out.read_bytes() == tmx_bytes(source_view(load_corpus(REPO), "petition-ru"))


def test_the_download_streams_the_export_and_writes_nothing(tmp_path, monkeypatch):
    import shutil

    root = tmp_path / "data"
    shutil.copytree(REPO / "corpora", root / "corpora")
    shutil.copytree(REPO / "translations", root / "translations",
                    ignore=shutil.ignore_patterns(".*"))
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "argos"))
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path / "cache"))
    from workbench.web import create_app

    client = create_app({"TESTING": True, "DATA_DIR": str(root), "SECRET_KEY": "k" * 64}).test_client()
    before = sorted((str(p), p.stat().st_mtime_ns) for p in root.rglob("*"))
    res = client.get("/sources/petition-ru/export?format=tmx")
    assert res.status_code == 200
    assert res.headers["Content-Disposition"] == 'attachment; filename="petition-ru.tmx"'
    assert res.mimetype == "application/x-tmx+xml"
    assert res.get_data() == tmx_bytes(source_view(load_corpus(root), "petition-ru"))
    res = client.get("/sources/petition-ru/export?format=tsv")
    assert res.get_data(as_text=True).splitlines()[0].endswith("newsweek-en mark\tpetition-en mark")
    assert sorted((str(p), p.stat().st_mtime_ns) for p in root.rglob("*")) == before

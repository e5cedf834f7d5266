"""Exports: every format validated by its own checker and read back field by field with its own
library, hard text, filters, language-pair rules, block-wise reading and all-or-nothing output."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import zipfile
from pathlib import Path

import polib
import pytest
from lxml import etree
from translate.storage import tmx as ttk_tmx
from translate.storage import xliff as ttk_xliff

from factories import make_pair_file
from workbench import __version__, export, store
from workbench.model import Bead
from workbench.errors import InputError, ParseError

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = REPO.parent / "shared" / "eval" / "schemas"
XMLLINT = "/usr/bin/xmllint"
TIME = "2026-11-25T03:00:00Z"

# Hard text: tabs and newlines inside sentences, characters XML forbids, right-to-left text with
# combining marks, emoji (a ZWJ sequence), CDATA's end marker, quotes and ampersands.
SRC = ["Первое\tпредложение с табуляцией.",
       "Строка одна\nстрока две.",
       "Управляющий \x01 символ и \ufffe несимвол.",
       "Кавычки «ёлочки», \"прямые\" & амперсанд <тег> ]]> конец.",
       "Последнее предложение."]
TGT = ["First sentence\twith a tab.",
       "שלום עולם עם נִקּוּד וְטְעָמִים.",
       "Line one\nline two, emoji 👩‍👩‍👧 and é (e + U+0301).",
       "Quotes \"straight\" & 'single' <tag> ]]> end.",
       "The reporting's own sentence.",
       "Also \x01 here."]
MT = ["First\tsentence with a tab.", "Line one\nline two.", "Control \x01 char.",
      "Quotes & <tag> ]]>.", "Last sentence."]
BEADS = [Bead((0,), (0,), 0.91, "anchors-length"),          # s0:t0  approved
         Bead((1, 2), (2,), 0.55, "anchors-length"),         # s1,2:t2 needs-work
         Bead((), (1,), 0.0, "unmatched"),                   # s:t1  unreviewed
         Bead((3,), (3, 5), 0.42, "mt-chrf"),                # s3:t3,5 rejected
         Bead((4,), (), 0.1, "unmatched"),                   # s4:t  unreviewed
         Bead((), (4,), 0.0, "unmatched")]                   # s:t4  approved
NOTE_1 = "Омission: «моральный» dropped & \"quoted\" ]]>\nsecond line \x01 with a control"
NOTE_2 = "ok"


def make_pair(root: Path, src_id: str = "petition-ru", tgt_id: str = "newsweek-en",
              src_lang: str = "ru", tgt_lang: str = "en") -> Path:
    path = root / f"{src_id}__{tgt_id}.po"
    pf = make_pair_file(path, SRC, TGT, BEADS, ids=(src_id, tgt_id), languages=(src_lang, tgt_lang),
                        paths=(f"corpora/{src_id}.txt", f"corpora/{tgt_id}.txt"),
                        settings={"method": "anchors-length"}, mt=MT, mt_model="translate-ru_en 1.9")
    for key, status in [("s0:t0", "approved"), ("s1,2:t2", "needs-work"), ("s3:t3,5", "rejected"),
                        ("s:t4", "approved")]:
        store.set_status(pf, key, status)
    store.add_annotation(pf, "s0:t0", NOTE_1, "omission", "Анна, ak", time=TIME)
    store.add_annotation(pf, "s0:t0", NOTE_2, "", "bo", time=TIME)
    store.add_annotation(pf, "s3:t3,5", "wrong pair", "mistranslation", "ak", time=TIME)
    store.save(pf)
    return path


@pytest.fixture
def pair(tmp_path: Path) -> Path:
    return make_pair(tmp_path)


def records(path: Path) -> dict[str, store.Record]:
    return {r.key: r for r in store.load(path).records}


def xmllint(path: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, XML_CATALOG_FILES=str(SCHEMAS / "catalog.xml"))
    return subprocess.run([XMLLINT, "--nonet", "--noout", *args, str(path)], capture_output=True,
                          text=True, env=env)


def no_xml_forbidden(text: str) -> str:
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", text)


MATCHED = ["s0:t0", "s1,2:t2", "s3:t3,5"]
ALL_KEYS = ["s0:t0", "s1,2:t2", "s:t1", "s3:t3,5", "s4:t", "s:t4"]


# --- reading -------------------------------------------------------------------------------------

@pytest.mark.parametrize("block", [1, 2, 4, 1000])
def test_block_reader_gives_exactly_the_stores_records(pair, block):
    header, recs = export.read_pair(pair, block=block)
    assert header.header == store.load(pair).header
    assert list(recs) == store.load(pair).records


def test_damaged_entry_late_in_a_file_is_reported_at_the_stores_line(pair, tmp_path):
    text = pair.read_text(encoding="utf-8")
    damaged = tmp_path / "damaged.po"
    damaged.write_text(text.replace("#. align 1-0", "#. aligned"), encoding="utf-8")
    with pytest.raises(ParseError) as expected:
        store.load(damaged)
    want = text.splitlines().index(next(l for l in text.splitlines() if l.startswith("#. align 1-0"))) + 1
    assert expected.value.line == want
    for block in (1, 2, 1000):
        with pytest.raises(ParseError) as got:
            list(export.read_pair(damaged, block=block)[1])
        assert (str(got.value), got.value.line) == (str(expected.value), want)
    broken = tmp_path / "broken.po"
    broken.write_text(text + '#. align 1-1 src=9 tgt=9 score=0.5 method=m\nmsgid "x"\nmsgstr "y"\n'
                      'garbage line\n', encoding="utf-8")
    with pytest.raises(ParseError) as expected:
        store.load(broken)
    with pytest.raises(ParseError) as got:
        list(export.read_pair(broken, block=1)[1])
    assert str(got.value) == str(expected.value)
    assert got.value.line == len(text.splitlines()) + 4


def test_bad_bytes_late_in_a_file_name_the_line_and_the_whole_files_offset(pair, tmp_path):
    data = pair.read_bytes()
    at = data.index("Последнее".encode())
    bad = tmp_path / "latin1.po"
    bad.write_bytes(data[:at] + b"\xff" + data[at + 1:])
    with pytest.raises(InputError) as info:
        list(export.read_pair(bad, block=1)[1])
    assert info.value.line == data.count(b"\n", 0, at) + 1
    assert f"byte offset {at} " in info.value.message


def test_a_foreign_po_file_is_refused_naming_file_and_line(tmp_path):
    foreign = tmp_path / "foreign.po"
    foreign.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                       'msgid "hello"\nmsgstr "hallo"\n', encoding="utf-8")
    with pytest.raises(ParseError, match=r"foreign.po:1: PO header has no 'X-Source-Document'"):
        export.export_records([foreign], "tsv", io.BytesIO())


# --- TMX -----------------------------------------------------------------------------------------

def test_tmx_is_valid_and_translate_toolkit_reads_every_field(pair, tmp_path):
    out = tmp_path / "corpus.tmx"
    report = export.export_to_path([pair], "tmx", out, export.Filters(include_unmatched=True))
    assert (report.beads, report.filtered_out) == (6, 0)
    # U+0001 (sentence, rendering, mt, note) and U+FFFE: XML 1.0 has no way to carry them
    assert report.dropped_characters == 5
    res = xmllint(out, "--dtdvalid", str(SCHEMAS / "tmx-1.4" / "tmx14.dtd"))
    assert res.returncode == 0 and res.stderr == "", res.stderr

    tm = ttk_tmx.tmxfile.parsestring(out.read_bytes())
    assert tm.sourcelanguage == "ru"
    recs = records(pair)
    assert [u.getid() for u in tm.units] == [f"petition-ru|newsweek-en|{k}" for k in ALL_KEYS]
    for unit, key in zip(tm.units, ALL_KEYS):
        r = recs[key]
        assert unit.source == no_xml_forbidden(r.source_text)
        assert unit.target == no_xml_forbidden(r.rendering_text)
        assert unit.getcontext() == f"petition-ru|newsweek-en|{key}"
        assert unit.getnotes() == "\n".join(no_xml_forbidden(export.note_text(a)) for a in r.annotations)
        props = [(p.get("type"), p.text or "") for p in unit.xmlelement.iter("prop")]
        expected = [("x-context", f"petition-ru|newsweek-en|{key}"), ("x-kind", r.kind),
                    ("x-score", f"{r.score:.4f}"), ("x-method", r.method), ("x-status", r.status)]
        expected += [("x-category", r.category)] if r.category else []
        expected += [("x-mt", no_xml_forbidden(r.mt)), ("x-mt-model", "translate-ru_en 1.9")] if r.mt else []
        expected += [("x-reference", f"{f}:{n}") for f, n in r.references]
        assert props == expected
        assert [t.get("{http://www.w3.org/XML/1998/namespace}lang") for t in unit.xmlelement.iter("tuv")] == ["ru", "en"]

    first = tm.units[0]
    assert first.getnotes() == ("[omission] Омission: «моральный» dropped & \"quoted\" ]]>\nsecond line  "
                                f"with a control -- Анна, ak, {TIME}\n[] ok -- bo, {TIME}")
    assert tm.units[3].target == "Quotes \"straight\" & 'single' <tag> ]]> end. Also  here."
    assert tm.units[3].xmlelement.get("segtype") == "block"
    header = etree.parse(str(out)).find("header")
    assert header.get("creationtool") == "workbench"
    assert header.get("creationtoolversion") == __version__
    assert re.fullmatch(r"\d{8}T\d{6}Z", header.get("creationdate"))
    assert etree.parse(str(out)).docinfo.public_id == export.TMX_PUBLIC_ID


def test_tmx_mixes_language_pairs_with_languages_per_unit(pair, tmp_path):
    other = make_pair(tmp_path, "rede-de", "report-en", "de", "en")
    out = tmp_path / "mixed.tmx"
    report = export.export_to_path([pair, other], "tmx", out)
    assert report.beads == 6
    assert xmllint(out, "--dtdvalid", str(SCHEMAS / "tmx-1.4" / "tmx14.dtd")).returncode == 0
    tree = etree.parse(str(out))
    assert tree.find("header").get("srclang") == "*all*"
    langs = [tuple(t.get("{http://www.w3.org/XML/1998/namespace}lang") for t in tu.iter("tuv"))
             for tu in tree.iter("tu")]
    assert langs == [("ru", "en")] * 3 + [("de", "en")] * 3


# --- XLIFF 1.2 -----------------------------------------------------------------------------------

def test_xliff12_is_strictly_valid_and_translate_toolkit_reads_every_field(pair, tmp_path):
    other = make_pair(tmp_path, "rede-de", "report-en", "de", "en")
    out = tmp_path / "corpus.xlf"
    export.export_to_path([pair, other], "xliff", out, export.Filters(include_unmatched=True))
    res = xmllint(out, "--schema", str(SCHEMAS / "xliff-1.2" / "xliff-core-1.2-strict.xsd"))
    assert res.returncode == 0, res.stderr

    doc = ttk_xliff.xlifffile.parsestring(out.read_bytes())
    assert doc.getfilenames() == [pair.name, other.name]  # no directories: no server paths
    files = doc.document.getroot().findall(f"{{{export.XLIFF12_NS}}}file")
    assert [(f.get("source-language"), f.get("target-language")) for f in files] == [("ru", "en"), ("de", "en")]
    units = doc.getunits()
    assert len(units) == 12
    recs = records(pair)
    for unit, key in zip(units[:6], ALL_KEYS):
        r = recs[key]
        assert unit.getid().endswith(key)
        assert unit.source == no_xml_forbidden(r.source_text)
        assert (unit.target or "") == no_xml_forbidden(r.rendering_text)
        assert unit.isapproved() == (r.status == "approved")
        assert unit.getnotes() == "\n".join(no_xml_forbidden(export.note_text(a)) for a in r.annotations)
        assert unit.getlocations() == [f"{f}:{n}" for f, n in r.references]
        info = dict(unit.getcontextgroupsbyattribute("purpose", "information")[0])
        assert info == {"x-kind": r.kind, "x-score": f"{r.score:.4f}", "x-method": r.method,
                        "x-status": r.status, **({"x-category": r.category} if r.category else {})}
        alt = unit.getalttrans()
        assert [a.target for a in alt] == ([no_xml_forbidden(r.mt)] if r.mt else [])
        target = unit.xmlelement.find(f"{{{export.XLIFF12_NS}}}target")
        if r.rendering:
            assert target.get("state") == export.XLIFF12_STATES[r.status]
        else:
            assert target is None
        assert unit.xmlelement.get("resname") == f"petition-ru|newsweek-en|{key}"
    assert units[0].target == "First sentence\twith a tab."
    assert units[1].source == "Строка одна\nстрока две. Управляющий  символ и  несимвол."
    assert [n.get("from") for n in units[0].xmlelement.iter(f"{{{export.XLIFF12_NS}}}note")] == ["Анна, ak", "bo"]


# --- XLIFF 2.0 -----------------------------------------------------------------------------------

def cp_text(element) -> str:
    """Text of an XLIFF 2.0 source/target with each <cp hex/> turned back into its character."""
    out = [element.text or ""]
    for child in element:
        assert child.tag == f"{{{export.XLIFF20_NS}}}cp"
        out.append(chr(int(child.get("hex"), 16)))
        out.append(child.tail or "")
    return "".join(out)


def test_xliff20_is_valid_and_keeps_every_field_and_character(pair, tmp_path):
    out = tmp_path / "corpus.xlf"
    report = export.export_to_path([pair], "xliff2", out, export.Filters(include_unmatched=True))
    # sentences keep U+0001 and U+FFFE as <cp/>; only the note's U+0001 and the mt's are dropped
    assert report.dropped_characters == 2
    res = xmllint(out, "--schema", str(SCHEMAS / "xliff-2.0" / "xliff-core-2.0.xsd"))
    assert res.returncode == 0, res.stderr

    ns = {"x": export.XLIFF20_NS, "mda": export.MDA_NS}
    root = etree.parse(str(out)).getroot()
    assert (root.get("srcLang"), root.get("trgLang"), root.get("version")) == ("ru", "en", "2.0")
    units = root.findall("x:file/x:unit", ns)
    recs = records(pair)
    assert [u.get("name") for u in units] == [f"petition-ru|newsweek-en|{k}" for k in ALL_KEYS]
    assert [u.get("id") for u in units] == ["s0:t0", "s1_2:t2", "s:t1", "s3:t3_5", "s4:t", "s:t4"]
    for unit, key in zip(units, ALL_KEYS):
        r = recs[key]
        seg = unit.find("x:segment", ns)
        assert cp_text(seg.find("x:source", ns)) == r.source_text
        target = seg.find("x:target", ns)
        assert (cp_text(target) if target is not None else "") == r.rendering_text
        assert seg.get("subState") == f"workbench:{r.status}"
        assert seg.get("state") == (export.XLIFF20_STATES[r.status] if r.rendering else "initial")
        notes = unit.findall("x:notes/x:note", ns)
        assert [(n.get("category"), n.text) for n in notes] == [
            (a.category or None, no_xml_forbidden(export.note_text(a))) for a in r.annotations]
        meta = [(m.get("type"), m.text or "") for m in unit.findall("mda:metadata/mda:metaGroup/mda:meta", ns)]
        expected = [("kind", r.kind), ("score", f"{r.score:.4f}"), ("method", r.method),
                    ("status", r.status)] + ([("category", r.category)] if r.category else [])
        expected += [("mt", no_xml_forbidden(r.mt)), ("mt-model", "translate-ru_en 1.9")] if r.mt else []
        expected += [("reference", f"{f}:{n}") for f, n in r.references]
        assert meta == expected
    assert cp_text(units[1].find("x:segment/x:source", ns)) == (
        "Строка одна\nстрока две. Управляющий \x01 символ и \ufffe несимвол.")


def test_xliff20_refuses_to_mix_language_pairs_and_writes_nothing(pair, tmp_path):
    other = make_pair(tmp_path, "rede-de", "report-en", "de", "en")
    out = tmp_path / "mixed.xlf"
    with pytest.raises(InputError, match=r"one language pair.*rede-de__report-en is de>en"):
        export.export_to_path([pair, other], "xliff2", out)
    assert not out.exists()
    same = make_pair(tmp_path, "letter-ru", "digest-en")
    export.export_to_path([pair, same], "xliff2", out)
    assert xmllint(out, "--schema", str(SCHEMAS / "xliff-2.0" / "xliff-core-2.0.xsd")).returncode == 0
    assert len(etree.parse(str(out)).getroot()) == 2


def test_xliff20_with_no_bead_selected_is_an_error_but_tmx_is_an_empty_valid_memory(pair, tmp_path):
    none = export.Filters(min_score=0.99)
    with pytest.raises(InputError, match="no bead matches the filters"):
        export.export_to_path([pair], "xliff2", tmp_path / "empty.xlf", none)
    assert list(tmp_path.glob("*.xlf")) == [] and list(tmp_path.glob(".*.tmp")) == []
    export.export_to_path([pair], "tmx", tmp_path / "empty.tmx", none)
    assert xmllint(tmp_path / "empty.tmx", "--dtdvalid", str(SCHEMAS / "tmx-1.4" / "tmx14.dtd")).returncode == 0
    export.export_to_path([pair], "xliff", tmp_path / "empty.xliff", none)
    assert xmllint(tmp_path / "empty.xliff", "--schema",
                   str(SCHEMAS / "xliff-1.2" / "xliff-core-1.2-strict.xsd")).returncode == 0


# --- TSV, JSONL, Moses, PO -----------------------------------------------------------------------

def test_tsv_round_trips_every_cell_through_the_csv_module(pair, tmp_path):
    out = tmp_path / "corpus.tsv"
    export.export_to_path([pair], "tsv", out, export.Filters(include_unmatched=True))
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows[0] == list(export.TSV_COLUMNS)
    assert len(rows) == 7 and all(len(row) == len(export.TSV_COLUMNS) for row in rows)
    recs = records(pair)
    for row in rows[1:]:
        cell = dict(zip(export.TSV_COLUMNS, map(export.tsv_unescape, row)))
        r = recs[cell["bead"]]
        assert (cell["pair"], cell["kind"], cell["source_language"], cell["rendering_language"]) == (
            "petition-ru__newsweek-en", r.kind, "ru", "en")
        assert (cell["source_text"], cell["rendering_text"], cell["mt"]) == (
            r.source_text, r.rendering_text, r.mt or "")
        assert (cell["score"], cell["method"], cell["status"], cell["category"]) == (
            f"{r.score:.4f}", r.method, r.status, r.category)
        notes = [store.Annotation.from_comment(n) for n in cell["notes"].split("\n")] if cell["notes"] else []
        assert tuple(notes) == r.annotations
        assert cell["references"] == " ".join(f"{f}:{n}" for f, n in r.references)
    assert rows[1][5] == "Первое\\tпредложение с табуляцией."
    assert export.tsv_escape("a\\tb\t\n\r") == "a\\\\tb\\t\\n\\r"


def test_jsonl_one_object_per_line_for_any_line_splitter(pair, tmp_path):
    out = tmp_path / "corpus.jsonl"
    export.export_to_path([pair], "jsonl", out, export.Filters(status="reviewed"))
    text = out.read_text(encoding="utf-8")
    assert len(text.splitlines()) == 3  # s0:t0 approved, s1,2:t2 needs-work, s3:t3,5 rejected
    objs = [json.loads(line) for line in text.splitlines()]
    recs = records(pair)
    for obj in objs:
        r = recs[obj["bead"]]
        assert obj == {
            "pair": "petition-ru__newsweek-en", "bead": r.key, "source_ids": list(r.source),
            "rendering_ids": list(r.rendering), "kind": r.kind, "source_language": "ru",
            "rendering_language": "en", "source_text": r.source_text,
            "rendering_text": r.rendering_text,
            "mt": r.mt, "mt_model": r.mt_model, "score": r.score, "method": r.method,
            "status": r.status, "category": r.category,
            "notes": [{"text": a.text, "category": a.category, "author": a.author, "time": a.time}
                      for a in r.annotations],
            "references": [{"file": f, "line": int(n)} for f, n in r.references]}
    assert objs[0]["notes"][0]["text"] == NOTE_1


def test_moses_writes_two_line_parallel_files_named_by_language(pair, tmp_path):
    report = export.export_to_path([pair], "moses", tmp_path / "corpus")
    assert report.outputs == [str(tmp_path / "corpus.ru"), str(tmp_path / "corpus.en")]
    src = (tmp_path / "corpus.ru").read_text(encoding="utf-8").split("\n")
    tgt = (tmp_path / "corpus.en").read_text(encoding="utf-8").split("\n")
    assert src == ["Первое\tпредложение с табуляцией.",
                   "Строка одна строка две. Управляющий \x01 символ и \ufffe несимвол.",
                   "Кавычки «ёлочки», \"прямые\" & амперсанд <тег> ]]> конец.", ""]
    assert tgt == ["First sentence\twith a tab.",
                   "Line one line two, emoji 👩‍👩‍👧 and é (e + U+0301).",
                   "Quotes \"straight\" & 'single' <tag> ]]> end. Also \x01 here.", ""]
    assert export.moses_line("a\u2028b\x85c\r\nd") == "a b c d"


def test_moses_refuses_mixed_language_pairs(pair, tmp_path):
    other = make_pair(tmp_path, "rede-de", "report-en", "de", "en")
    with pytest.raises(InputError, match="Moses files hold one language pair"):
        export.export_to_path([pair, other], "moses", tmp_path / "corpus")
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == sorted(
        [pair.name, other.name])


def test_po_copy_is_the_stores_rendering_of_the_selected_records(pair, tmp_path):
    out = tmp_path / "approved.po"
    filters = export.Filters(status="approved", include_unmatched=True)
    export.export_to_path([pair], "po", out, filters, block=1)
    src = store.load(pair)
    kept = [r for r in src.records if r.status == "approved"]
    header = dict(src.header, **{"X-Export-Filter": filters.describe()})
    assert out.read_text(encoding="utf-8") == store.render(store.PairFile(header, kept))
    po = polib.pofile(str(out))
    assert [e.msgctxt for e in po] == ["petition-ru|newsweek-en|s0:t0", "petition-ru|newsweek-en|s:t4"]
    assert po.metadata["X-Export-Filter"] == "status=approved min-score=none unmatched=included kinds=all"
    assert po[0].msgid == SRC[0] and po[0].msgstr == TGT[0]
    assert [r.key for r in store.load(out).records] == ["s0:t0", "s:t4"]
    res = subprocess.run(["msgfmt", "--check-format", "-o", "/dev/null", str(out)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    with pytest.raises(InputError, match="copies one pair's PO file, 2 were given"):
        export.export_to_path([pair, make_pair(tmp_path, "b-ru", "c-en")], "po", out)


# --- filters, streams, atomicity -----------------------------------------------------------------

@pytest.mark.parametrize("filters, keys", [
    (export.Filters(), MATCHED),
    (export.Filters(include_unmatched=True), ALL_KEYS),
    (export.Filters(status="approved"), ["s0:t0"]),
    (export.Filters(status="approved", include_unmatched=True), ["s0:t0", "s:t4"]),
    (export.Filters(status="reviewed"), MATCHED),
    (export.Filters(status="reviewed", include_unmatched=True), ["s0:t0", "s1,2:t2", "s3:t3,5", "s:t4"]),
    (export.Filters(min_score=0.5), ["s0:t0", "s1,2:t2"]),
    (export.Filters(min_score=0.1, include_unmatched=True), ["s0:t0", "s1,2:t2", "s3:t3,5", "s4:t"]),
    (export.Filters(kinds=export.Filters.parse_kinds("2-1, 1-2")), ["s1,2:t2", "s3:t3,5"]),
    (export.Filters(kinds=frozenset({"0-1"}), include_unmatched=True), ["s:t1", "s:t4"]),
])
def test_filters_select_exactly(pair, filters, keys):
    buf = io.BytesIO()
    report = export.export_records([pair], "jsonl", buf, filters)
    assert [json.loads(l)["bead"] for l in buf.getvalue().decode().splitlines()] == keys
    assert (report.beads, report.filtered_out) == (len(keys), 6 - len(keys))


def test_bad_filter_values_are_input_errors():
    with pytest.raises(InputError, match="add --include-unmatched"):
        export.Filters(kinds=frozenset({"1-0"}))
    with pytest.raises(InputError, match="bad --kinds value '1-1,x'"):
        export.Filters.parse_kinds("1-1,x")
    with pytest.raises(InputError, match="outside"):
        export.Filters(min_score=1.5)
    with pytest.raises(InputError, match="unknown status filter"):
        export.Filters(status="done")


def test_iter_export_streams_the_same_bytes_in_chunks(pair, tmp_path):
    big = make_pair(tmp_path, "many-ru", "many-en")
    for fmt in ("tsv", "jsonl", "po"):
        whole = io.BytesIO()
        export.export_records([big], fmt, whole, export.Filters(include_unmatched=True), block=1)
        report = export.ExportReport(fmt)
        chunks = list(export.iter_export([big], fmt, export.Filters(include_unmatched=True),
                                         report, block=1))
        assert b"".join(chunks) == whole.getvalue()
        assert report.beads == 6
    with zipfile.ZipFile(io.BytesIO(b"".join(export.iter_export([pair], "moses")))) as zf:
        assert zf.namelist() == ["corpus.ru", "corpus.en"]
        export.export_to_path([pair], "moses", tmp_path / "c")
        assert zf.read("corpus.ru") == (tmp_path / "c.ru").read_bytes()
        assert zf.read("corpus.en") == (tmp_path / "c.en").read_bytes()
    # checks happen before the first chunk, so a web handler can still answer with an error
    other = make_pair(tmp_path, "rede-de", "report-en", "de", "en")
    with pytest.raises(InputError):
        export.iter_export([pair, other], "xliff2")


def test_a_damaged_input_leaves_the_existing_outputs_untouched(pair, tmp_path):
    damaged = tmp_path / "damaged.po"
    damaged.write_text(make_pair(tmp_path / "..", "d-ru", "d-en").read_text(encoding="utf-8")
                       .replace("#. align 1-0", "#. aligned"), encoding="utf-8")
    for fmt, out in [("tmx", tmp_path / "corpus.tmx"), ("moses", tmp_path / "corpus")]:
        targets = [out] if fmt != "moses" else [tmp_path / "corpus.ru", tmp_path / "corpus.en"]
        for t in targets:
            t.write_bytes(b"previous export\n")
        with pytest.raises(ParseError, match="damaged.po"):
            export.export_to_path([pair, damaged], fmt, out, export.Filters(include_unmatched=True),
                                  block=1)
        assert [t.read_bytes() for t in targets] == [b"previous export\n"] * len(targets)
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []


def test_formats_name_extension_and_mime_type():
    from workbench.cli import EXPORT_FORMATS

    assert tuple(export.FORMATS) == EXPORT_FORMATS
    assert {n: (f.extension, f.mime) for n, f in export.FORMATS.items()} == {
        "tmx": (".tmx", "application/x-tmx+xml"), "xliff": (".xlf", "application/x-xliff+xml"),
        "xliff2": (".xlf", "application/xliff+xml"),
        "tsv": (".tsv", "text/tab-separated-values; charset=utf-8"),
        "jsonl": (".jsonl", "application/x-ndjson"), "moses": (".zip", "application/zip"),
        "po": (".po", "text/x-gettext-translation; charset=utf-8")}


# --- command line --------------------------------------------------------------------------------

def test_cli_exports_and_reports(pair, tmp_path, runner):
    out = tmp_path / "corpus.tmx"
    res = runner.invoke(["export", str(pair), "--format", "tmx", "-o", str(out),
                         "--status", "reviewed", "--min-score", "0.4", "--kinds", "1-1,2-1,1-2"])
    assert res.exit_code == 0, res.output
    assert res.stderr == (f"exported 3 beads (3 filtered out) from 1 PO file to {out}; dropped 5 "
                          "characters XML 1.0 cannot carry (control characters, U+FFFE, U+FFFF)\n")
    assert len(ttk_tmx.tmxfile.parsestring(out.read_bytes()).units) == 3
    res = runner.invoke(["export", str(pair), "--format", "moses", "-o", str(tmp_path / "m")])
    assert res.exit_code == 0 and (tmp_path / "m.ru").exists() and (tmp_path / "m.en").exists()
    res = runner.invoke(["export", str(pair), "--format", "jsonl", "-o", "-"])
    assert res.exit_code == 0 and len(res.stdout.splitlines()) == 3
    # stdout by default, as every other command writes
    default = runner.invoke(["export", str(pair), "--format", "jsonl"])
    assert (default.exit_code, default.stdout) == (0, res.stdout)
    moses = runner.invoke(["export", str(pair), "--format", "moses"])
    assert (moses.exit_code, moses.stderr) == (2, (
        "workbench: error: moses writes two files and cannot go to stdout (give -o OUT to write "
        "OUT.<srclang> and OUT.<tgtlang>)\n"))
    help_text = runner.invoke(["export", "--help"]).output
    assert "OUT.<srclang>" in help_text and "[default:" in help_text


def test_cli_damaged_po_is_one_line_and_exit_2(pair, tmp_path, runner):
    damaged = tmp_path / "damaged.po"
    text = pair.read_text(encoding="utf-8").replace("#. align 2-1", "#. aligned")
    damaged.write_text(text, encoding="utf-8")
    line = text.splitlines().index(next(l for l in text.splitlines() if l.startswith("#. aligned"))) + 1
    out = tmp_path / "x.tmx"
    res = runner.invoke(["export", str(damaged), "--format", "tmx", "-o", str(out)])
    assert res.exit_code == 2
    assert res.stderr.startswith(f"workbench: error: {damaged}:{line}: entry has no '#. align ...' comment")
    assert len(res.stderr.splitlines()) == 1 and "Traceback" not in res.output
    assert not out.exists()
    res = runner.invoke(["export", str(pair), "--format", "moses", "-o", "-"])
    assert res.exit_code == 2 and "cannot go to stdout" in res.stderr


def test_loaded_pair_files_export_like_their_paths(pair):
    from_path, from_memory = io.BytesIO(), io.BytesIO()
    export.export_records([pair], "jsonl", from_path, export.Filters(include_unmatched=True))
    export.export_records([store.load(pair)], "jsonl", from_memory, export.Filters(include_unmatched=True))
    assert from_memory.getvalue() == from_path.getvalue()
    assert len(from_path.getvalue().splitlines()) == 6

"""Multi-way export of one source and all its renderings (workbench.multiway.SourceView).

TMX 1.4b with one `tu` per source sentence: the source's `tuv` first, then one `tuv` per rendering
that carries the sentence, in corpora.toml order, each naming its document, mark, probability and
bead in `prop`s (two renderings may share a language, so the document, not xml:lang, tells them
apart). TSV with one row per source sentence: the sentence's index and paragraph, the source text,
one column per rendering with the text that carries it (empty when left out), then one column per
rendering with its mark. Both are built in memory (a source is one document) and hold no date, so
the same files and corpus give the same bytes.
"""

from __future__ import annotations

import re

from lxml import etree

from workbench import __version__
from workbench.export.filters import TMX_PUBLIC_ID, TOOL, ExportFormat
from workbench.export.text import tsv_escape
from workbench.multiway import Carriage, SourceView

FORMATS: dict[str, ExportFormat] = {f.name: f for f in (
    ExportFormat("tmx", ".tmx", "application/x-tmx+xml",
                 "TMX 1.4b, one unit per source sentence with a variant per rendering"),
    ExportFormat("tsv", ".tsv", "text/tab-separated-values; charset=utf-8",
                 "one row per source sentence, one column per rendering"),
)}

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: Characters outside XML 1.0's Char production: no XML document can hold them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("", text)


def mark(c: Carriage | None) -> str:
    """'quote 0.9466', 'paraphrase 0.7100', 'left out', or '' where the rendering cannot be read."""
    if c is None:
        return ""
    return c.how if not c.carried else f"{c.how} {c.probability:.4f}"


def tmx_bytes(view: SourceView) -> bytes:
    src = view.source
    root = etree.Element("tmx", version="1.4")
    header = etree.SubElement(root, "header", {
        "creationtool": TOOL, "creationtoolversion": __version__, "segtype": "sentence",
        "o-tmf": "workbench-po", "adminlang": "en", "srclang": src.language,
        "datatype": "plaintext"})
    _prop(header, "x-source", f"{src.id} {src.path}")
    for col in view.columns:
        state = col.error or (f"{col.carried}/{col.total} source sentences carried "
                              f"({col.quotes} quotes, {col.paraphrases} paraphrases)")
        _prop(header, "x-rendering", _xml(f"{col.document.id} {col.document.path} {col.po}: {state}"))
    body = etree.SubElement(root, "body")
    for row in view.rows:
        s = row.sentence
        tu = etree.SubElement(body, "tu", tuid=f"{src.id}|{s.index}", srclang=src.language)
        for d in row.disagreements:
            etree.SubElement(tu, "note").text = _xml(f"{d.severity} {d.kind}: {d.explanation}")
        _prop(tu, "x-sentence", str(s.index))
        _prop(tu, "x-paragraph", str(s.paragraph))
        _prop(tu, "x-reference", f"{src.path}:{s.line}")
        _prop(tu, "x-carried-by", str(row.carried_by))
        _tuv(tu, src.language, src.id, s.text, ())
        for col, c in zip(view.columns, row.carriages):
            if c is None or not c.carried:
                continue
            _tuv(tu, col.document.language, col.document.id, c.text,
                 (("x-how", c.how), ("x-probability", f"{c.probability:.4f}"), ("x-bead", c.bead),
                  ("x-status", c.status)))
    doctype = f'<!DOCTYPE tmx PUBLIC "{TMX_PUBLIC_ID}" "tmx14.dtd">'
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", doctype=doctype,
                          pretty_print=True)


def _prop(parent, kind: str, text: str) -> None:
    etree.SubElement(parent, "prop", type=kind).text = text


def _tuv(tu, lang: str, doc_id: str, text: str, props) -> None:
    tuv = etree.SubElement(tu, "tuv", {_XML_LANG: lang})
    _prop(tuv, "x-document", doc_id)
    for kind, value in props:
        _prop(tuv, kind, value)
    etree.SubElement(tuv, "seg").text = _xml(text)


def tsv_text(view: SourceView) -> str:
    ids = [c.document.id for c in view.columns]
    head = ["sentence", "paragraph", view.source.id, *ids, *(f"{i} mark" for i in ids)]
    lines = ["\t".join(map(tsv_escape, head))]
    for row in view.rows:
        texts = [c.text if c is not None and c.carried else "" for c in row.carriages]
        cells = [str(row.sentence.index), str(row.sentence.paragraph), row.sentence.text, *texts,
                 *(mark(c) for c in row.carriages)]
        lines.append("\t".join(map(tsv_escape, cells)))
    return "\n".join(lines) + "\n"


def export_bytes(view: SourceView, fmt: str) -> bytes:
    """The view in `fmt` (a key of FORMATS; the caller has checked it)."""
    return tmx_bytes(view) if fmt == "tmx" else tsv_text(view).encode("utf-8")

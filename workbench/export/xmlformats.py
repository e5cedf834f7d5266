"""The XML writers: TMX 1.4b, XLIFF 1.2 and XLIFF 2.0, element by element with lxml's incremental
writer."""

from __future__ import annotations

import itertools
from typing import BinaryIO, Callable, Iterable, Iterator, TypeVar

from lxml import etree

from workbench import __version__, clock
from workbench.errors import InputError
from workbench.export.filters import (
    _FLUSH_EVERY,
    _XML_FORBIDDEN,
    _XML_LANG,
    _XML_SPACE,
    MDA_NS,
    TMX_PUBLIC_ID,
    TOOL,
    XLIFF12_NS,
    XLIFF20_NS,
    ExportReport,
    Filters,
)
from workbench.export.reading import (
    _Cleaner,
    _context,
    _Input,
    _selected,
    _xml_lang,
    note_text,
)
from workbench.store import Record

# --- XML writers ---------------------------------------------------------------------------------
# Each writer is a generator: it writes to `out` and yields after every few hundred beads, so that
# iter_export can hand the bytes written so far to a web response.

Writer = Callable[[list[_Input], Filters, ExportReport, BinaryIO], Iterator[None]]


class _Units:
    """Writes units to an XML writer, flushing every _FLUSH_EVERY of them; `write` says when it
    flushed, so that the caller yields a chunk there."""

    def __init__(self, xf) -> None:
        self.xf = xf
        self.count = 0

    def write(self, unit) -> bool:
        self.xf.write(unit, "\n")
        self.count += 1
        if self.count % _FLUSH_EVERY:
            return False
        self.xf.flush()
        return True


def _tmx(inputs: list[_Input], filters: Filters, report: ExportReport, out: BinaryIO) -> Iterator[None]:
    clean = _Cleaner(report)
    srclangs = {_xml_lang(i.pf.source_language) for i in inputs}
    # TMX's "*all*" says that the source language differs from unit to unit.
    srclang = srclangs.pop() if len(srclangs) == 1 else "*all*"
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        xf.write_doctype(f'<!DOCTYPE tmx PUBLIC "{TMX_PUBLIC_ID}" "tmx14.dtd">')
        with xf.element("tmx", version="1.4"):
            header = etree.Element("header", {
                "creationtool": TOOL, "creationtoolversion": __version__, "segtype": "sentence",
                "o-tmf": "workbench-po", "adminlang": "en", "srclang": srclang,
                "datatype": "plaintext",
                "creationdate": clock.compact()})
            _prop(header, "x-filter", filters.describe())
            for inp in inputs:
                _prop(header, "x-pair", clean(f"{inp.pair_id} {inp.file_name}"))
                _prop(header, "x-aligner", clean(f"{inp.pair_id}: {inp.pf.header.get('X-Aligner', '')}"))
                _prop(header, "x-mt-model", clean(f"{inp.pair_id}: {inp.pf.header.get('X-MT-Model', '')}"))
            xf.write(header)
            with xf.element("body"):
                units = _Units(xf)
                for inp in inputs:
                    src, tgt = _xml_lang(inp.pf.source_language), _xml_lang(inp.pf.rendering_language)
                    for r in _selected(inp, filters, report):
                        if units.write(_tmx_tu(inp, r, src, tgt, clean)):
                            yield
                xf.flush()
    yield


def _prop(parent, kind: str, text: str) -> None:
    etree.SubElement(parent, "prop", type=kind).text = text


def _tmx_tu(inp: _Input, r: Record, src: str, tgt: str, clean: _Cleaner):
    ctx = _context(inp, r)
    tu = etree.Element("tu", tuid=ctx, srclang=src)
    if len(r.source) > 1 or len(r.rendering) > 1:
        tu.set("segtype", "block")
    sub = etree.SubElement
    for a in r.annotations:
        sub(tu, "note").text = clean(note_text(a))
    props = [("x-context", ctx), ("x-kind", r.kind), ("x-score", f"{r.score:.4f}"),
             ("x-method", r.method), ("x-status", r.status)]
    if r.category:
        props.append(("x-category", r.category))
    if r.mt is not None:
        props += [("x-mt", clean(r.mt)), ("x-mt-model", r.mt_model or "")]
    props += [("x-reference", clean(f"{f}:{line}")) for f, line in r.references]
    for kind, text in props:
        sub(tu, "prop", type=kind).text = text
    for lang, text in ((src, r.source_text), (tgt, r.rendering_text)):
        tuv = sub(tu, "tuv", {_XML_LANG: lang})
        sub(tuv, "seg").text = clean(text)
    return tu


#: XLIFF 1.2 target states; the exact workbench status is also in the x-status context.
XLIFF12_STATES = {"approved": "final", "unreviewed": "translated",
                  "needs-work": "needs-review-translation", "rejected": "needs-translation"}
#: XLIFF 2.0 segment states; subState="workbench:<status>" carries the exact status.
XLIFF20_STATES = {"approved": "final", "unreviewed": "translated", "needs-work": "reviewed",
                  "rejected": "reviewed"}


def _xliff12(inputs: list[_Input], filters: Filters, report: ExportReport,
             out: BinaryIO) -> Iterator[None]:
    clean = _Cleaner(report)
    date = clock.now()
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element(f"{{{XLIFF12_NS}}}xliff", nsmap={None: XLIFF12_NS}, version="1.2"):
            units = _Units(xf)
            for inp in inputs:
                attrs = {"original": clean(inp.file_name), "source-language": _xml_lang(inp.pf.source_language),
                         "target-language": _xml_lang(inp.pf.rendering_language),
                         "datatype": "plaintext",
                         "tool-id": TOOL, "date": date}
                with xf.element(f"{{{XLIFF12_NS}}}file", attrs):
                    # Elements without a namespace, written inside the default-namespace <file>,
                    # are XLIFF elements to every reader, without a declaration on each unit.
                    header = etree.Element("header")
                    etree.SubElement(header, "tool", {"tool-id": TOOL, "tool-name": TOOL,
                                                      "tool-version": __version__})
                    for label, value in (("pair", inp.pair_id), ("filter", filters.describe()),
                                         ("aligner", inp.pf.header.get("X-Aligner", "")),
                                         ("mt-model", inp.pf.header.get("X-MT-Model", ""))):
                        etree.SubElement(header, "note", {"from": TOOL}).text = clean(f"{label}: {value}")
                    xf.write(header)
                    with xf.element("body"):
                        for r in _selected(inp, filters, report):
                            if units.write(_xliff12_unit(inp, r, clean)):
                                yield
            xf.flush()
    yield


def _xliff12_unit(inp: _Input, r: Record, clean: _Cleaner):
    sub = etree.SubElement
    tu = etree.Element("trans-unit", {"id": r.key, "resname": _context(inp, r),
                                      "approved": "yes" if r.status == "approved" else "no",
                                      _XML_SPACE: "preserve"})
    sub(tu, "source").text = clean(r.source_text)
    if r.rendering:
        sub(tu, "target", state=XLIFF12_STATES[r.status]).text = clean(r.rendering_text)
    # no name attributes: the strict schema wants context-group names unique in the whole <file>
    group = sub(tu, "context-group", purpose="information")
    info = [("x-kind", r.kind), ("x-score", f"{r.score:.4f}"), ("x-method", r.method),
            ("x-status", r.status)]
    if r.category:
        info.append(("x-category", r.category))
    for kind, text in info:
        sub(group, "context", {"context-type": kind}).text = text
    for f, line in r.references:
        ref = sub(tu, "context-group", purpose="location")
        sub(ref, "context", {"context-type": "sourcefile"}).text = clean(f)
        sub(ref, "context", {"context-type": "linenumber"}).text = clean(line)
    for a in r.annotations:
        note = sub(tu, "note")
        if a.author:
            note.set("from", clean(a.author))
        note.text = clean(note_text(a))
    if r.mt is not None:
        alt = sub(tu, "alt-trans", origin=clean(f"mt {r.mt_model or ''}".strip()))
        sub(alt, "target", {_XML_LANG: _xml_lang(inp.pf.rendering_language)}).text = clean(r.mt)
    return tu


def _xliff20(inputs: list[_Input], filters: Filters, report: ExportReport,
             out: BinaryIO) -> Iterator[None]:
    clean = _Cleaner(report)
    # A <file> needs at least one unit: pairs with no bead selected get none, and a document with
    # no bead at all cannot be written.
    selected = _non_empty((inp, _selected(inp, filters, report)) for inp in inputs)
    head = next(selected, None)
    if head is None:
        raise InputError(f"no bead matches the filters ({filters.describe()}): an XLIFF 2.0 "
                         "document needs at least one unit", hint="relax the filters")
    selected = itertools.chain([head], selected)
    first = head[0].pf
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        root = {"version": "2.0", "srcLang": _xml_lang(first.source_language),
                "trgLang": _xml_lang(first.rendering_language)}
        with xf.element(f"{{{XLIFF20_NS}}}xliff", root, nsmap={None: XLIFF20_NS, "mda": MDA_NS}):
            units = _Units(xf)
            for index, (inp, beads) in enumerate(selected, 1):
                with xf.element("file", id=f"f{index}", original=clean(inp.file_name)):
                    xf.write(_mda([
                        ("tool", TOOL), ("tool-version", __version__), ("created", clock.now()),
                        ("pair", inp.pair_id), ("filter", filters.describe()),
                        ("aligner", inp.pf.header.get("X-Aligner", "")),
                        ("mt-model", inp.pf.header.get("X-MT-Model", ""))], clean))
                    for r in beads:
                        if units.write(_xliff20_unit(inp, r, clean)):
                            yield
            xf.flush()
    yield


T = TypeVar("T")
_NOTHING = object()


def _non_empty(pairs: Iterable[tuple[_Input, Iterator[T]]]) -> Iterator[tuple[_Input, Iterator[T]]]:
    for inp, items in pairs:
        first = next(items, _NOTHING)
        if first is not _NOTHING:
            yield inp, itertools.chain([first], items)  # type: ignore[list-item]


def _mda(items: Iterable[tuple[str, str]], clean: _Cleaner):
    meta = etree.Element(f"{{{MDA_NS}}}metadata", nsmap={"mda": MDA_NS})
    group = etree.SubElement(meta, f"{{{MDA_NS}}}metaGroup", category=TOOL)
    for kind, text in items:
        etree.SubElement(group, f"{{{MDA_NS}}}meta", type=kind).text = clean(text)
    return meta


def _unit_id(key: str) -> str:
    # unit ids are NMTOKENs, which cannot hold the commas of a multi-sentence key
    return key.replace(",", "_")


def _with_cp(element, text: str) -> None:
    """Text with each character XML cannot carry written as XLIFF 2.0's <cp hex="..."/>."""
    parts = _XML_FORBIDDEN.split(text)
    chars = _XML_FORBIDDEN.findall(text)
    element.text = parts[0]
    for ch, after in zip(chars, parts[1:]):
        cp = etree.SubElement(element, "cp", hex=f"{ord(ch):04X}")
        cp.tail = after


def _xliff20_unit(inp: _Input, r: Record, clean: _Cleaner):
    sub = etree.SubElement
    unit = etree.Element("unit", {"id": _unit_id(r.key), "name": _context(inp, r),
                                  _XML_SPACE: "preserve"})
    items = [("kind", r.kind), ("score", f"{r.score:.4f}"), ("method", r.method),
             ("status", r.status)]
    if r.category:
        items.append(("category", r.category))
    if r.mt is not None:
        items += [("mt", r.mt), ("mt-model", r.mt_model or "")]
    items += [("reference", f"{f}:{line}") for f, line in r.references]
    unit.append(_mda(items, clean))
    if r.annotations:
        notes = sub(unit, "notes")
        for a in r.annotations:
            note = sub(notes, "note")
            if a.category:
                note.set("category", a.category)
            note.text = clean(note_text(a))
    segment = sub(unit, "segment", state=XLIFF20_STATES[r.status] if r.rendering else "initial",
                  subState=f"{TOOL}:{r.status}")
    _with_cp(sub(segment, "source"), r.source_text)
    if r.rendering:
        _with_cp(sub(segment, "target"), r.rendering_text)
    return unit


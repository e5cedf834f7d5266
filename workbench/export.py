"""Export of aligned pairs to the formats translators' tools read: TMX 1.4b, XLIFF 1.2 and 2.0, TSV,
JSONL, Moses line-parallel files and a filtered copy of the PO file.

This module owns choosing beads (Filters), the writers, and getting the bytes out: into a binary
stream (export_records; iter_export yields chunks for a web response) or into files that appear
complete or not at all (export_to_path). It reads PO files only through the store: store.parse on
the file's header plus a block of entries at a time, so memory stays flat however large a file is,
and XML is written element by element with lxml's incremental writer. The format details (columns,
escaping, what happens to characters XML cannot carry) are in docs/export.md.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator, Sequence, TypeVar, Union

from lxml import etree

from workbench import __version__, files, store
from workbench.corpus import decode_text
from workbench.errors import InputError, ParseError, SerializationError
from workbench.store import Annotation, PairFile, Record


@dataclass(frozen=True)
class ExportFormat:
    """A format's file extension and MIME type (for a download); `files` > 1 for Moses, whose
    stream form is a zip archive of the two line-parallel files."""

    name: str
    extension: str
    mime: str
    description: str
    files: int = 1


FORMATS: dict[str, ExportFormat] = {f.name: f for f in (
    ExportFormat("tmx", ".tmx", "application/x-tmx+xml", "TMX 1.4b translation memory"),
    ExportFormat("xliff", ".xlf", "application/x-xliff+xml", "XLIFF 1.2 (strict), one <file> per pair"),
    ExportFormat("xliff2", ".xlf", "application/xliff+xml", "XLIFF 2.0, one language pair"),
    ExportFormat("tsv", ".tsv", "text/tab-separated-values; charset=utf-8",
                 "tab-separated values with a header row, backslash escapes"),
    ExportFormat("jsonl", ".jsonl", "application/x-ndjson", "one JSON object per bead"),
    ExportFormat("moses", ".zip", "application/zip",
                 "two line-parallel files OUT.<srclang>, OUT.<tgtlang> (a zip of both as a stream)",
                 files=2),
    ExportFormat("po", ".po", "text/x-gettext-translation; charset=utf-8",
                 "a filtered copy of one pair's PO file"),
)}

STATUS_FILTERS = ("approved", "reviewed", "all")
TOOL = "workbench"
#: Entries parsed at a time; bounds the memory an export needs, whatever the size of a file.
BLOCK_ENTRIES = 1000
#: Beads written between two flushes of an XML writer (and two chunks of iter_export).
_FLUSH_EVERY = 500

PairSource = Union[str, "os.PathLike[str]", PairFile]

_XML = "http://www.w3.org/XML/1998/namespace"
_XML_LANG = f"{{{_XML}}}lang"
_XML_SPACE = f"{{{_XML}}}space"
#: The DTD's public identifier, which XML catalogs resolve to a local copy.
TMX_PUBLIC_ID = "-//LISA OSCAR:1998//DTD for Translation Memory eXchange//EN"
XLIFF12_NS = "urn:oasis:names:tc:xliff:document:1.2"
XLIFF20_NS = "urn:oasis:names:tc:xliff:document:2.0"
MDA_NS = "urn:oasis:names:tc:xliff:metadata:2.0"
#: Characters outside XML 1.0's Char production: no XML document can hold them, escaped or not.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_KIND_RE = re.compile(r"^\d{1,6}-\d{1,6}$")  # no bead holds a million sentences
#: What str.splitlines breaks at; a Moses line must hold none of them.
_LINE_BREAKS = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_TSV_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_TSV_RE = re.compile(r"[\\\t\n\r]")
#: Escaped in JSONL although JSON allows them raw, so that no line splitter cuts an object in two.
_JSONL_RAW_BREAKS = {ord(c): f"\\u{ord(c):04x}" for c in "\x85\u2028\u2029"}

TSV_COLUMNS = ("pair", "bead", "kind", "source_language", "target_language", "source", "target",
               "mt", "mt_model", "score", "method", "status", "category", "notes", "references")


# --- selection -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    """Which beads to export. Defaults: every status, any score, all kinds of matched beads;
    unmatched beads (n-0, 0-n: a sentence of one side with no counterpart) are left out."""

    status: str = "all"  # approved | reviewed (any status except unreviewed) | all
    min_score: float | None = None
    include_unmatched: bool = False
    kinds: frozenset[str] | None = None  # None: every kind

    def __post_init__(self) -> None:
        if self.status not in STATUS_FILTERS:
            raise InputError(f"unknown status filter '{self.status}'",
                             hint=f"use one of {', '.join(STATUS_FILTERS)}")
        if self.min_score is not None and not 0.0 <= self.min_score <= 1.0:
            raise InputError(f"--min-score {self.min_score} is outside [0, 1]",
                             hint="scores run from 0 (look here first) to 1")
        if self.kinds is not None:
            unmatched = sorted(k for k in self.kinds if "0" in k.split("-"))
            if unmatched and not self.include_unmatched:
                raise InputError(f"--kinds names unmatched kinds ({', '.join(unmatched)})",
                                 hint="add --include-unmatched to export them")

    @staticmethod
    def parse_kinds(text: str) -> frozenset[str]:
        """'1-1,1-2' -> {'1-1', '1-2'}; an InputError for anything else."""
        kinds = [k.strip() for k in text.split(",") if k.strip()]
        bad = [k for k in kinds if not _KIND_RE.match(k) or k == "0-0"]
        if bad or not kinds:
            raise InputError(f"bad --kinds value '{text}'",
                             hint="give bead kinds such as 1-1,1-2,2-1 (source-target sentence counts)")
        return frozenset(f"{int(a)}-{int(b)}" for a, b in (k.split("-") for k in kinds))

    def accepts(self, r: Record) -> bool:
        if not (r.source and r.target) and not self.include_unmatched:
            return False
        if self.kinds is not None and r.kind not in self.kinds:
            return False
        if self.status == "approved" and r.status != "approved":
            return False
        if self.status == "reviewed" and r.status == "unreviewed":
            return False
        return self.min_score is None or r.score >= self.min_score

    def describe(self) -> str:
        kinds = ",".join(sorted(self.kinds)) if self.kinds is not None else "all"
        score = "none" if self.min_score is None else f"{self.min_score:g}"
        unmatched = "included" if self.include_unmatched else "excluded"
        return f"status={self.status} min-score={score} unmatched={unmatched} kinds={kinds}"


@dataclass
class ExportReport:
    """What an export wrote. `dropped_characters` counts characters XML 1.0 cannot carry that were
    left out of TMX and XLIFF output (XLIFF 2.0 keeps those of sentences as <cp/>)."""

    format: str
    inputs: int = 0
    beads: int = 0
    filtered_out: int = 0
    dropped_characters: int = 0
    outputs: list[str] = field(default_factory=list)

    def summary(self) -> str:
        where = " and ".join(self.outputs) if self.outputs else "the output"
        text = (f"exported {self.beads} beads ({self.filtered_out} filtered out) from "
                f"{self.inputs} PO file{'s' if self.inputs != 1 else ''} to {where}")
        if self.dropped_characters:
            text += (f"; dropped {self.dropped_characters} characters XML 1.0 cannot carry "
                     "(control characters, U+FFFE, U+FFFF)")
        return text


# --- reading PO files a block at a time ----------------------------------------------------------

_ENTRY_START = (b"#", b"msgctxt", b"msgid")
_ENTRY_END = (b"msgstr", b"#~ msgstr")


def _blocks(path: Path, size: int) -> Iterator[tuple[int, int, bytes]]:
    """(first line, first byte offset, bytes) of the header entry, then of `size` entries at a
    time. A block ends where the next entry's first line (a comment, msgctxt or msgid after a
    msgstr) begins, so no entry is ever cut in two."""
    try:
        f = open(path, "rb")
    except OSError as exc:
        raise InputError(f"cannot read the PO file: {exc.strerror}", path=str(path)) from None
    with f:
        buf: list[bytes] = []
        line_no, start_line, start_byte, byte = 0, 1, 0, 0
        entries, complete, first = 0, False, True
        for line in f:
            line_no += 1
            if complete and line.startswith(_ENTRY_START):
                complete = False
                entries += 1
                if first or entries >= size:
                    yield start_line, start_byte, b"".join(buf)
                    buf, start_line, start_byte, entries, first = [], line_no, byte, 0, False
            if line.startswith(_ENTRY_END):
                complete = True
            buf.append(line)
            byte += len(line)
        if buf:
            yield start_line, start_byte, b"".join(buf)


def _decode_block(data: bytes, path: str, first_line: int, first_byte: int) -> str:
    """decode_text for a block inside a file: the same checks, with offsets in the whole file."""
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(f"file looks binary (NUL byte at byte offset {first_byte + nul})", path=path,
                         line=first_line + data.count(b"\n", 0, nul), hint="give a plain UTF-8 file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid UTF-8 at byte offset {first_byte + exc.start} "
                         f"(byte 0x{data[exc.start]:02x})", path=path,
                         line=first_line + data.count(b"\n", 0, exc.start),
                         hint="restore the PO file or convert it to UTF-8") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


class _Input:
    """One PO file (or an in-memory PairFile): its header now, its records when asked, lazily."""

    def __init__(self, source: PairSource, block: int) -> None:
        self._block = block
        if isinstance(source, PairFile):
            self.label = str(source.path) if source.path else source.header.get(
                "Project-Id-Version", "<pair>")
            self.pf = PairFile(header=dict(source.header), records=[], path=source.path)
            self._records: list[Record] | None = list(source.records)
            self._path: Path | None = None
            self.from_path = False
            return
        self._path = Path(source)
        self.label = str(source)
        self.from_path = True
        self._records = None
        if not self._path.exists():
            raise InputError("no such PO file", path=self.label,
                             hint="give the pair's PO file, e.g. translations/*.po")
        if self._path.is_dir():
            raise InputError("is a directory, not a PO file", path=self.label,
                             hint="give the pair's PO file, e.g. translations/*.po")
        if not self._path.is_file():
            # A pipe (process substitution, a FIFO) can be read once only: read it whole.
            try:
                data = self._path.read_bytes()
            except OSError as exc:
                raise InputError(f"cannot read the PO file: {exc.strerror}", path=self.label) from None
            if not data:
                raise InputError("file is empty", path=self.label, hint="give a pair's PO file")
            whole = store.parse(decode_text(data, self.label), self.label)
            self._records = list(whole.records)
            self.pf = PairFile(header=whole.header, records=[], path=None)
            return
        first = next(_blocks(self._path, block), None)
        if first is None:
            raise InputError("file is empty", path=self.label, hint="give a pair's PO file")
        self._head_text = decode_text(first[2], self.label)
        if not self._head_text.endswith("\n"):
            self._head_text += "\n"
        self.pf = store.parse(self._head_text, self.label, partial=True)
        self._head_records = list(self.pf.records)
        self.pf.records = []

    @property
    def pair_id(self) -> str:
        return f"{self.pf.source_id}__{self.pf.rendering_id}"

    @property
    def file_name(self) -> str:
        """The PO file's name as exports record it: no directory, so that an export made on a
        server does not carry the server's paths."""
        return Path(self.label).name

    def records(self) -> Iterator[Record]:
        if self._records is not None:
            yield from self._records
            return
        assert self._path is not None
        seen = PairFile(header=self.pf.header, records=list(self._head_records))
        yield from self._head_records
        head_lines = self._head_text.count("\n")
        blocks = _blocks(self._path, self._block)
        next(blocks)
        last_line = head_lines
        for first_line, first_byte, data in blocks:
            text = _decode_block(data, self.label, first_line, first_byte)
            try:
                pf = store.parse(self._head_text + text, self.label, partial=True)
            except ParseError as exc:
                if exc.line is None or exc.line <= head_lines:
                    raise
                raise ParseError(exc.message, path=exc.path, hint=exc.hint,
                                 line=exc.line - head_lines + first_line - 1) from None
            last_line = first_line - 1 + text.count("\n")
            # ids only: the coverage check needs which sentences each bead holds, not its text
            seen.records.extend(store.Record(r.source, r.target, "", "", 0.0, "")
                                for r in pf.records)
            yield from pf.records
        store.check_coverage(seen, self.label, last_line)


def read_pair(source: PairSource, block: int = BLOCK_ENTRIES) -> tuple[PairFile, Iterator[Record]]:
    """A pair's header (a PairFile without records) now, and its records lazily, `block` entries
    parsed at a time: the same records as store.load, and the same errors with the same lines."""
    inp = _Input(source, block)
    return inp.pf, inp.records()


def _open_inputs(pair_files: Sequence[PairSource], block: int) -> list[_Input]:
    if isinstance(pair_files, (str, os.PathLike, PairFile)):
        pair_files = [pair_files]
    if not pair_files:
        raise InputError("no PO file to export", hint="give one or more pair files, e.g. translations/*.po")
    inputs = [_Input(p, block) for p in pair_files]
    seen: dict[str, str] = {}
    for inp in inputs:
        if inp.pair_id in seen:
            raise InputError(f"pair {inp.pair_id} is given twice (also in {seen[inp.pair_id]})",
                             path=inp.label, hint="give each pair's PO file once")
        seen[inp.pair_id] = inp.label
    return inputs


def _selected(inp: _Input, filters: Filters, report: ExportReport) -> Iterator[Record]:
    for r in inp.records():
        if filters.accepts(r):
            report.beads += 1
            yield r
        else:
            report.filtered_out += 1


# --- shared field rendering ----------------------------------------------------------------------

def note_text(a: Annotation) -> str:
    """A translator's note as one text: '[category] text -- author, time', the store's form with
    the text unescaped; a note someone added with another PO editor is its bare text."""
    if not (a.author or a.time or a.category):
        return a.text
    return f"[{a.category}] {a.text} -- {a.author}, {a.time}"


def _xml_lang(code: str) -> str:
    return code.replace("_", "-")


def _now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _context(inp: _Input, r: Record) -> str:
    return f"{inp.pf.source_id}|{inp.pf.rendering_id}|{r.key}"


class _Cleaner:
    """Drops characters XML 1.0 cannot carry, counting them in the report."""

    def __init__(self, report: ExportReport) -> None:
        self.report = report

    def __call__(self, text: str) -> str:
        if _XML_FORBIDDEN.search(text) is None:
            return text
        text, n = _XML_FORBIDDEN.subn("", text)
        self.report.dropped_characters += n
        return text


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
                "creationdate": datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")})
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
    if len(r.source) > 1 or len(r.target) > 1:
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
    date = _now_iso()
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
    if r.target:
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
                        ("tool", TOOL), ("tool-version", __version__), ("created", _now_iso()),
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
    segment = sub(unit, "segment", state=XLIFF20_STATES[r.status] if r.target else "initial",
                  subState=f"{TOOL}:{r.status}")
    _with_cp(sub(segment, "source"), r.source_text)
    if r.target:
        _with_cp(sub(segment, "target"), r.rendering_text)
    return unit


# --- text writers --------------------------------------------------------------------------------

def tsv_escape(text: str) -> str:
    """Backslash, tab, newline and carriage return as \\\\, \\t, \\n, \\r; nothing else changes."""
    return _TSV_RE.sub(lambda m: _TSV_ESCAPES[m.group()], text)


def tsv_unescape(cell: str) -> str:
    return re.sub(r"\\([\\tnr])", lambda m: {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}[m[1]], cell)


def _batched_lines(lines: Iterable[str], out: BinaryIO) -> Iterator[None]:
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= _FLUSH_EVERY:
            out.write("".join(batch).encode("utf-8"))
            batch = []
            yield
    out.write("".join(batch).encode("utf-8"))
    yield


def _tsv(inputs: list[_Input], filters: Filters, report: ExportReport, out: BinaryIO) -> Iterator[None]:
    def lines() -> Iterator[str]:
        yield "\t".join(TSV_COLUMNS) + "\n"
        for inp in inputs:
            for r in _selected(inp, filters, report):
                cells = (inp.pair_id, r.key, r.kind, inp.pf.source_language,
                         inp.pf.rendering_language, r.source_text, r.rendering_text, r.mt or "",
                         r.mt_model or "", f"{r.score:.4f}", r.method, r.status, r.category,
                         "\n".join(a.to_comment() for a in r.annotations),
                         " ".join(f"{f}:{line}" for f, line in r.references))
                yield "\t".join(map(tsv_escape, cells)) + "\n"

    return _batched_lines(lines(), out)


def jsonl_object(inp_pair: PairFile, r: Record) -> dict:
    """The JSONL object of one bead (also what the JSON API could serve)."""
    return {
        "pair": f"{inp_pair.source_id}__{inp_pair.rendering_id}", "bead": r.key,
        "source_ids": list(r.source), "target_ids": list(r.target), "kind": r.kind,
        "source_language": inp_pair.source_language, "target_language": inp_pair.rendering_language,
        "source": r.source_text, "target": r.rendering_text, "mt": r.mt, "mt_model": r.mt_model,
        "score": r.score, "method": r.method, "status": r.status, "category": r.category,
        "notes": [{"text": a.text, "category": a.category, "author": a.author, "time": a.time}
                  for a in r.annotations],
        "references": [{"file": f, "line": int(line) if line.isdigit() and len(line) <= 18 else line}
                       for f, line in r.references],
    }


def _jsonl(inputs: list[_Input], filters: Filters, report: ExportReport, out: BinaryIO) -> Iterator[None]:
    def lines() -> Iterator[str]:
        for inp in inputs:
            for r in _selected(inp, filters, report):
                text = json.dumps(jsonl_object(inp.pf, r), ensure_ascii=False)
                yield text.translate(_JSONL_RAW_BREAKS) + "\n"

    return _batched_lines(lines(), out)


def moses_line(text: str) -> str:
    """A sentence as one Moses line: every line break character becomes a space."""
    return _LINE_BREAKS.sub(" ", text)


def _moses_side(inputs: list[_Input], filters: Filters, report: ExportReport,
                side: str) -> Iterator[str]:
    for inp in inputs:
        for r in _selected(inp, filters, report):
            yield moses_line(r.source_text if side == "source" else r.rendering_text) + "\n"


def _moses_zip(inputs: list[_Input], filters: Filters, report: ExportReport,
               out: BinaryIO) -> Iterator[None]:
    """The stream form of Moses: a zip of corpus.<srclang> and corpus.<tgtlang>, each written in a
    pass of its own over the input (a zip member cannot be interleaved with another)."""
    src_name, tgt_name = (f"corpus.{lang}" for lang in _moses_languages(inputs))
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, side in ((src_name, "source"), (tgt_name, "rendering")):
            counting = report if side == "source" else ExportReport(report.format)
            with zf.open(name, "w") as member:
                yield from _batched_lines(_moses_side(inputs, filters, counting, side), member)
    yield


def _moses_languages(inputs: list[_Input]) -> tuple[str, str]:
    pairs = {(i.pf.source_language, i.pf.rendering_language) for i in inputs}
    if len(pairs) > 1:
        listed = ", ".join(f"{i.pair_id} is {i.pf.source_language}>{i.pf.rendering_language}"
                           for i in inputs)
        raise InputError(f"Moses files hold one language pair, these PO files hold several ({listed})",
                         hint="export each language pair separately, or use --format tmx or tsv")
    src, tgt = pairs.pop()
    if src == tgt:
        raise InputError(f"both sides are in '{src}': Moses file names OUT.{src} would collide",
                         hint="use --format tsv or jsonl")
    return src, tgt


def _po(inputs: list[_Input], filters: Filters, report: ExportReport, out: BinaryIO) -> Iterator[None]:
    inp = inputs[0]
    header = dict(inp.pf.header)
    header["X-Export-Filter"] = filters.describe()
    head = store.render(PairFile(header=header, records=[]))
    out.write(head.encode("utf-8"))
    batch: list[Record] = []

    def flush() -> None:
        text = store.render(PairFile(header=header, records=batch))
        if not text.startswith(head):
            raise SerializationError("the store's PO rendering does not start with the header; "
                                     "cannot write the PO file in parts")
        out.write(text[len(head):].encode("utf-8"))

    for r in _selected(inp, filters, report):
        batch.append(r)
        if len(batch) >= _FLUSH_EVERY:
            flush()
            batch = []
            yield
    if batch:
        flush()
    yield


_WRITERS: dict[str, Writer] = {"tmx": _tmx, "xliff": _xliff12, "xliff2": _xliff20, "tsv": _tsv,
                               "jsonl": _jsonl, "moses": _moses_zip, "po": _po}


# --- entry points --------------------------------------------------------------------------------

def _check_format(fmt: str, inputs: list[_Input]) -> None:
    if fmt not in FORMATS:
        raise InputError(f"unknown export format '{fmt}'", hint=f"use one of {', '.join(FORMATS)}")
    if fmt == "xliff2":
        pairs = {(i.pf.source_language, i.pf.rendering_language) for i in inputs}
        if len(pairs) > 1:
            listed = ", ".join(f"{i.pair_id} is {i.pf.source_language}>{i.pf.rendering_language}"
                               for i in inputs)
            raise InputError("an XLIFF 2.0 document holds one language pair, these PO files hold "
                             f"several ({listed})",
                             hint="export each language pair separately, or use --format xliff "
                                  "(XLIFF 1.2: languages per <file>) or tmx")
    elif fmt == "po" and len(inputs) > 1:
        raise InputError(f"--format po copies one pair's PO file, {len(inputs)} were given",
                         hint="export each PO file on its own, or use another format for a corpus")
    elif fmt == "moses":
        _moses_languages(inputs)


def _prepare(pair_files: Sequence[PairSource], fmt: str, filters: Filters | None,
             block: int) -> tuple[list[_Input], Filters, ExportReport]:
    if fmt not in FORMATS:
        raise InputError(f"unknown export format '{fmt}'", hint=f"use one of {', '.join(FORMATS)}")
    inputs = _open_inputs(pair_files, block)
    _check_format(fmt, inputs)
    return inputs, filters or Filters(), ExportReport(format=fmt, inputs=len(inputs))


def export_records(pair_files: Sequence[PairSource], fmt: str, out: BinaryIO,
                   filters: Filters | None = None, *, block: int = BLOCK_ENTRIES) -> ExportReport:
    """Write the export of `pair_files` (paths or PairFiles) in `fmt` to the binary stream `out`.
    Moses is a zip of its two files here. A damaged PO file raises ParseError part way through:
    write to a temporary file (export_to_path) where a half-written stream is not acceptable."""
    inputs, filters, report = _prepare(pair_files, fmt, filters, block)
    for _ in _WRITERS[fmt](inputs, filters, report, out):
        pass
    return report


class _Chunks:
    """A write-only binary sink that hands over what was written since the last take()."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._written = 0

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        self._written += len(data)
        return len(data)

    def tell(self) -> int:
        return self._written

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts = []
        return data


def iter_export(pair_files: Sequence[PairSource], fmt: str, filters: Filters | None = None,
                report: ExportReport | None = None, *, block: int = BLOCK_ENTRIES) -> Iterator[bytes]:
    """The export as chunks of bytes, e.g. for a streamed web response. The inputs' headers, the
    filters and the format's language rules are checked now, before the first chunk, so that a
    caller can still answer with an error; `report` (if given) is filled in as the chunks go."""
    inputs, filters, fresh = _prepare(pair_files, fmt, filters, block)
    if report is None:
        report = fresh
    else:
        report.format, report.inputs = fresh.format, fresh.inputs

    def chunks() -> Iterator[bytes]:
        sink = _Chunks()
        for _ in _WRITERS[fmt](inputs, filters, report, sink):  # type: ignore[arg-type]
            data = sink.take()
            if data:
                yield data
        data = sink.take()
        if data:
            yield data

    return chunks()


def moses_paths(out: str | Path, source_language: str, rendering_language: str) -> tuple[Path, Path]:
    """OUT.<srclang> and OUT.<tgtlang>."""
    base = Path(out)
    return (base.with_name(f"{base.name}.{source_language}"),
            base.with_name(f"{base.name}.{rendering_language}"))


def export_to_path(pair_files: Sequence[PairSource], fmt: str, out: str | Path,
                   filters: Filters | None = None, *, block: int = BLOCK_ENTRIES) -> ExportReport:
    """Export into the file `out` (Moses: OUT.<srclang> and OUT.<tgtlang>). Everything is written
    to temporary files beside the targets first, which replace them only once all is written: on
    any error the targets are left as they were."""
    inputs, filters, report = _prepare(pair_files, fmt, filters, block)
    target = Path(out)
    if fmt == "moses":
        src, tgt = _moses_languages(inputs)
        paths = list(moses_paths(target, src, tgt))
    else:
        paths = [target]
    files.check_not_input(paths, [i.label for i in inputs if i.from_path])
    outs: list[files.AtomicOutput] = []
    try:
        outs += [files.AtomicOutput(p) for p in paths]
        if fmt == "moses":
            for src_line, tgt_line in _moses_lines(inputs, filters, report):
                outs[0].file.write(src_line.encode("utf-8"))
                outs[1].file.write(tgt_line.encode("utf-8"))
        else:
            for _ in _WRITERS[fmt](inputs, filters, report, outs[0].file):
                pass
        for f in outs:
            f.commit()
    except OSError as exc:
        raise SerializationError(f"cannot write the output: {exc.strerror or exc}",
                                 path=str(target)) from None
    finally:
        for f in outs:
            f.discard()
    report.outputs = [str(p) for p in paths]
    return report


def _moses_lines(inputs: list[_Input], filters: Filters,
                 report: ExportReport) -> Iterator[tuple[str, str]]:
    for inp in inputs:
        for r in _selected(inp, filters, report):
            yield moses_line(r.source_text) + "\n", moses_line(r.rendering_text) + "\n"

"""Reading PO pair files for export a block of entries at a time (so memory stays flat however
large a file is), and the field rendering every writer shares."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, Sequence

from workbench import store
from workbench.corpus import decode_text
from workbench.errors import InputError, ParseError
from workbench.export.filters import (
    _XML_FORBIDDEN,
    BLOCK_ENTRIES,
    ExportReport,
    Filters,
    PairSource,
)
from workbench.store import Annotation, PairFile, Record

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


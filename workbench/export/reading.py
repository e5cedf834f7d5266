"""Opening the PO pair files of an export (through the store's one reader, workbench.store's
iter_records, so memory stays flat however large a file is), and the field rendering every
writer shares."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator, Sequence

from workbench import store
from workbench.errors import InputError
from workbench.export.filters import (
    _XML_FORBIDDEN,
    BLOCK_ENTRIES,
    ExportReport,
    Filters,
    PairSource,
)
from workbench.store import Annotation, PairFile, Record


class _Input:
    """One PO file (or an in-memory PairFile): its header now, its records when asked (each time
    asked: the Moses zip reads its inputs twice)."""

    def __init__(self, source: PairSource, block: int) -> None:
        self._block = block
        self._path: Path | None = None
        if isinstance(source, PairFile):
            self.label = str(source.path) if source.path else source.header.get(
                "Project-Id-Version", "<pair>")
            self.pf = PairFile(header=dict(source.header), records=[], path=source.path)
            self._records: list[Record] | None = list(source.records)
            self.from_path = False
            return
        self.label = str(source)
        self.from_path = True
        path = Path(source)
        if not path.exists():
            raise InputError("no such PO file", path=self.label,
                             hint="give the pair's PO file, e.g. translations/*.po")
        if path.is_dir():
            raise InputError("is a directory, not a PO file", path=self.label,
                             hint="give the pair's PO file, e.g. translations/*.po")
        stream = store.iter_records(path, block=block)
        self.pf = PairFile(header=stream.pair.header, records=[], path=None)
        if path.is_file():
            # read again from the start when asked, so that many inputs hold no file open
            stream.close()
            self._path, self._records = path, None
        else:
            # a pipe (process substitution, a FIFO) can be read once only: keep its records
            self._records = list(stream)

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
            return iter(self._records)
        assert self._path is not None
        return store.iter_records(self._path, block=self._block)


def read_pair(source: PairSource, block: int = BLOCK_ENTRIES) -> tuple[PairFile, Iterator[Record]]:
    """A pair's header (a PairFile without records) now, and its records lazily, `block` entries
    parsed at a time: store.iter_records, so the same records and errors as store.load."""
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


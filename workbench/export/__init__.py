"""Export of aligned pairs to the formats translators' tools read: TMX 1.4b, XLIFF 1.2 and 2.0, TSV,
JSONL, Moses line-parallel files and a filtered copy of the PO file.

The package owns choosing beads (`filters.py`), opening its inputs (`reading.py`: through the
store's streaming reader, a block at a time), one module per family of writers (`xmlformats.py`:
TMX and XLIFF; `text.py`; `po.py`), and here getting the bytes out:
into a binary stream (export_records; iter_export yields chunks for a web response) or into files
that appear complete or not at all (export_to_path). It reads PO files only through the store, and
XML is written element by element with lxml's incremental writer. The format details (columns,
escaping, what happens to characters XML cannot carry) are in docs/export.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO, Iterator, Sequence

from workbench import files
from workbench.errors import InputError, SerializationError
from workbench.export.filters import (BLOCK_ENTRIES, FORMATS, MDA_NS, STATUS_FILTERS,
                                      TMX_PUBLIC_ID, TOOL, TSV_COLUMNS, XLIFF12_NS, XLIFF20_NS,
                                      ExportFormat, ExportReport, Filters, PairSource)
from workbench.export.po import _po
from workbench.export.reading import _Input, _open_inputs, _selected, note_text, read_pair
from workbench.export.text import (_jsonl, _moses_languages, _moses_zip, _tsv, jsonl_object,
                                   moses_line, tsv_escape, tsv_unescape)
from workbench.export.xmlformats import XLIFF12_STATES, XLIFF20_STATES, Writer, _tmx, _xliff12, _xliff20

__all__ = ["BLOCK_ENTRIES", "FORMATS", "MDA_NS", "STATUS_FILTERS", "TMX_PUBLIC_ID", "TOOL",
           "TSV_COLUMNS", "XLIFF12_NS", "XLIFF12_STATES", "XLIFF20_NS", "XLIFF20_STATES",
           "ExportFormat", "ExportReport", "Filters", "PairSource", "export_records",
           "export_to_path", "iter_export", "jsonl_object", "moses_line", "moses_paths",
           "note_text", "read_pair", "tsv_escape", "tsv_unescape"]

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
        if exc.errno in files.NO_ROOM:
            raise files.write_error(exc, target) from None
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


"""The text writers: TSV with backslash escapes, JSONL (one object per bead) and Moses line-parallel
files."""

from __future__ import annotations

import json
import re
import zipfile
from typing import BinaryIO, Iterable, Iterator

from workbench.errors import InputError
from workbench.export.filters import (
    _FLUSH_EVERY,
    _JSONL_RAW_BREAKS,
    _LINE_BREAKS,
    _TSV_ESCAPES,
    _TSV_RE,
    TSV_COLUMNS,
    ExportReport,
    Filters,
)
from workbench.export.reading import _Input, _selected
from workbench.store import PairFile, Record

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
        "source_ids": list(r.source), "rendering_ids": list(r.rendering), "kind": r.kind,
        "source_language": inp_pair.source_language, "rendering_language": inp_pair.rendering_language,
        "source_text": r.source_text, "rendering_text": r.rendering_text, "mt": r.mt,
        "mt_model": r.mt_model,
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


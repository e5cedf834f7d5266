"""Text out of the files translators have: saved web pages, .docx, .odt, PDF, subtitles, Markdown
and plain text in any encoding, one module per format family, and their languages (language.py).

`extract(data, name)` gives an Extracted: UTF-8 text with paragraphs split by blank lines, ready to
be a corpus document, with what the file said about itself (title, date, encoding, cue timings).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from workbench.errors import ExtractError, InputError, NoTextError, UnknownFormatError

#: The formats, by the name users know them by; `extract` tells them by extension, else by content.
FORMATS = {"html": "saved web page", "docx": "Word document", "odt": "OpenDocument text",
           "pdf": "PDF", "srt": "SubRip subtitles", "vtt": "WebVTT subtitles",
           "markdown": "Markdown", "text": "plain text"}
EXTENSIONS = {".html": "html", ".htm": "html", ".xhtml": "html", ".shtml": "html",
              ".docx": "docx", ".odt": "odt", ".pdf": "pdf", ".srt": "srt", ".vtt": "vtt",
              ".md": "markdown", ".markdown": "markdown", ".txt": "text", ".text": "text"}
#: Largest file taken (bytes): a book-length PDF is well under it.
MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What a file may cost: `unpacked` bytes inside a zip (docx, odt), `pdf_seconds` of parsing."""

    unpacked: int = 200 * 1024 * 1024
    pdf_seconds: float = 30.0


@dataclass(frozen=True)
class Cue:
    """A subtitle cue: the 1-based line of the extracted text that holds it, and its timing."""

    line: int
    start: str  # 00:01:02.500
    end: str


@dataclass(frozen=True)
class Extracted:
    """A file's text and what the file said about itself."""

    text: str
    format: str
    title: str = ""
    date: str = ""
    encoding: str = ""
    cues: tuple[Cue, ...] = field(default=())


_MAGIC = ((b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
          (b"\x7fELF", "a program"), (b"\xd0\xcf\x11\xe0", "an old Office file (.doc, .xls)"),
          (b"Rar!", "a RAR archive"), (b"\x1f\x8b", "a gzip archive"), (b"7z\xbc\xaf", "a 7-Zip archive"))


def detect_format(data: bytes, name: str) -> str:
    """The format of a file: an image, program or archive by its first bytes (refused), else by
    its extension when it has a known one, else by its first bytes."""
    ext = Path(name).suffix.lower()
    for magic, what in _MAGIC:  # whatever its name says
        if data.startswith(magic):
            raise UnknownFormatError(f"the file is {what}, not a text", path=name,
                                     hint=_FORMATS_HINT)
    if ext in EXTENSIONS:
        return EXTENSIONS[ext]
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        from workbench.ingest.office import zip_kind

        return zip_kind(data, name)
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<?xml")) and b"<html" in data[:4096].lower():
        return "html"
    if head.startswith(b"webvtt"):
        return "vtt"
    if re.match(rb"\d+\r?\n\d\d:\d\d:\d\d,\d{3} --> ", head):
        return "srt"
    if ext in (".doc", ".rtf", ".xls", ".xlsx", ".ppt", ".pptx", ".epub", ".odp", ".ods"):
        raise UnknownFormatError(f"the workbench takes no text from {ext} files", path=name,
                                 hint=_FORMATS_HINT)
    return "text"


_FORMATS_HINT = ("save it as .docx, .odt, PDF with a text layer, .html, .srt, .vtt, Markdown or "
                 "plain text")


def extract(data: bytes, name: str, *, fmt: str | None = None,
            limits: Limits = Limits()) -> Extracted:
    """The text of the file `name` whose bytes are `data` (format told by `detect_format` unless
    `fmt` is given). Errors name the file (and its line where there is one)."""
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"the file is {len(data):,} bytes; the workbench takes files up to "
                         f"{MAX_FILE_BYTES:,}", path=name, hint="split it into parts")
    if not data.strip():
        raise NoTextError("file is empty", path=name, hint="give a file with at least one sentence")
    fmt = fmt or detect_format(data, name)
    if fmt == "html":
        from workbench.ingest.webpage import extract_html as run
    elif fmt == "docx":
        from workbench.ingest.office import extract_docx as run
    elif fmt == "odt":
        from workbench.ingest.office import extract_odt as run
    elif fmt == "pdf":
        from workbench.ingest.pdf import extract_pdf as run
    elif fmt in ("srt", "vtt"):
        from workbench.ingest.subtitles import extract_subtitles

        return finish(extract_subtitles(data, name, fmt), name)
    elif fmt == "markdown":
        from workbench.ingest.plain import extract_markdown as run
    elif fmt == "text":
        from workbench.ingest.plain import extract_text as run
    else:
        raise UnknownFormatError(f"unknown format '{fmt}'", path=name,
                                 hint=f"use one of {', '.join(FORMATS)}")
    return finish(run(data, name, limits) if fmt in ("docx", "odt", "pdf") else run(data, name),
                  name)


def extract_file(path: str | Path, *, limits: Limits = Limits()) -> Extracted:
    """extract() of a file on disk; a missing or unreadable file is an InputError naming it (the
    inputs' one set of checks, workbench.corpus.read_bytes)."""
    from workbench.corpus import read_bytes

    return extract(read_bytes(path, MAX_FILE_BYTES), str(path), limits=limits)


_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")


def tidy(text: str) -> str:
    """Text as a corpus file holds it: NFC, \\n line ends, no control characters, no spaces at
    line ends, paragraphs split by one blank line, nothing before the first or after the last."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROLS.sub("", text).replace("\u00a0", " ").replace("\t", " ")
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n ")


def paragraphs(blocks: list[str]) -> str:
    """Blocks of text (paragraphs, headings, list items) as one text, a blank line between them;
    empty blocks left out."""
    return "\n\n".join(b for b in (tidy(b) for b in blocks) if b)


def finish(out: Extracted, name: str) -> Extracted:
    """`out` with its text tidied; NoTextError when no text is left."""
    text = tidy(out.text)
    if not any(ch.isalnum() for ch in text):
        raise NoTextError(f"no text found in this {FORMATS.get(out.format, out.format)}",
                          path=name, hint="check that it is the right file")
    return Extracted(text, out.format, " ".join(out.title.split()), out.date, out.encoding,
                     out.cues)


__all__ = ["Cue", "EXTENSIONS", "ExtractError", "Extracted", "FORMATS", "Limits", "MAX_FILE_BYTES",
           "detect_format", "extract", "extract_file", "finish", "paragraphs", "tidy"]

"""Export formats and what to export: the format table, the filters that choose beads, and the report
of what an export wrote."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Union

from workbench.errors import InputError
from workbench.store import PairFile, Record


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

TSV_COLUMNS = ("pair", "bead", "kind", "source_language", "rendering_language", "source_text",
               "rendering_text", "mt", "mt_model", "score", "method", "status", "category", "notes",
               "references")


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
                             hint="give bead kinds such as 1-1,1-2,2-1 (source-rendering sentence counts)")
        return frozenset(f"{int(a)}-{int(b)}" for a, b in (k.split("-") for k in kinds))

    def accepts(self, r: Record) -> bool:
        if not (r.source and r.rendering) and not self.include_unmatched:
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
        from workbench.wording import counted

        text = (f"exported {counted(self.beads, 'bead')} ({self.filtered_out} filtered out) from "
                f"{counted(self.inputs, 'PO file')} to {where}")
        if self.dropped_characters:
            text += (f"; dropped {self.dropped_characters} characters XML 1.0 cannot carry "
                     "(control characters, U+FFFE, U+FFFF)")
        return text


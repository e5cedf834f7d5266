"""The store's data: a pair's records (Record, one per bead, with its Annotations) and the pair file
in memory (PairFile: its header and its records in display order), with what may stand in them.

Plain data with no I/O: reading and writing the PO text is in workbench.store.reading and
workbench.store.writing, building records from an alignment and changing them in
workbench.store.building.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from workbench.errors import InputError, NotFoundError
from workbench.model import Bead

NO_SOURCE = "∅"
STATUSES = ("unreviewed", "approved", "needs-work", "rejected")
CATEGORIES = ("accurate", "omission", "addition", "mistranslation", "paraphrase", "terminology",
              "style", "other")

_NOTE_RE = re.compile(
    r"^\[(?P<category>[a-z-]*)\] (?P<text>.*) -- (?P<author>.*?), (?P<time>\d{4}-\d\d-\d\dT[\d:]+Z)$",
    re.S)


@dataclass(frozen=True)
class Annotation:
    """A translator's note on a bead: free text, a category from CATEGORIES (or ""), who and when."""

    text: str
    category: str
    author: str
    time: str  # ISO 8601, UTC, seconds: 2026-11-25T03:00:00Z

    def to_comment(self) -> str:
        if not (self.category or self.author or self.time) and _is_foreign_comment(self.text):
            return self.text  # a comment another PO editor added: written back as it was
        # Newlines would break the one-line-per-note convention; keep them as a visible escape.
        text = self.text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
        # " -- " separates the text from the author: no "--" may stand in the author itself.
        author = re.sub(r"(?<=-)-", r"\\-", self.author.replace("\\", "\\\\"))
        author = author.replace("\n", " ").replace("\r", " ")
        return f"[{self.category}] {text} -- {author}, {self.time}"

    @classmethod
    def from_comment(cls, line: str) -> "Annotation":
        m = _NOTE_RE.match(line)
        if not m:
            # A comment someone added with another PO editor: keep it, as an uncategorised note.
            return cls(text=line, category="", author="", time="")
        text = re.sub(r"\\(.)", lambda g: {"n": "\n", "r": "\r"}.get(g.group(1), g.group(1)),
                      m["text"], flags=re.S)
        author = re.sub(r"\\(.)", r"\1", m["author"], flags=re.S)
        return cls(text=text, category=m["category"], author=author, time=m["time"])


def _is_foreign_comment(text: str) -> bool:
    """True for a translator comment that reads back as itself: one line, not note-shaped."""
    return bool(text.strip()) and "\n" not in text and "\r" not in text \
        and not _NOTE_RE.match(text)


#: What no PO file can carry: NUL (every gettext tool takes the file for binary) and lone
#: surrogates (no UTF-8 file can hold them).
_UNCARRIABLE = re.compile("[\x00\ud800-\udfff]")


def check_text(value: str, what: str) -> str:
    """`value` if a PO file can store it losslessly; an InputError naming `what` otherwise."""
    m = _UNCARRIABLE.search(value)
    if m:
        ch = ord(m[0])
        kind = "a lone surrogate" if 0xD800 <= ch <= 0xDFFF else "a control character"
        raise InputError(f"{what} holds {kind} (U+{ch:04X} at character {m.start() + 1}), which a "
                         "PO file cannot store", hint=f"remove it from the {what} and try again")
    return value


@dataclass(frozen=True)
class Part:
    """One of the beads a merge joined, as it was before: its sentences, score and method, its
    suggestion, and how many of the merged bead's notes (in order) were its own. A split of the
    merged bead gives each part back."""

    source: tuple[int, ...]
    rendering: tuple[int, ...]
    score: float
    method: str
    closest: tuple[int, float] | None = None
    notes: int = 0

    @property
    def key(self) -> str:
        return bead_key(self.source, self.rendering)


@dataclass(frozen=True)
class Record:
    """One bead as stored: sentence ids and texts of both sides, score, MT, status, annotations."""

    source: tuple[int, ...]
    rendering: tuple[int, ...]
    source_text: str
    rendering_text: str
    score: float
    method: str
    status: str = "unreviewed"
    annotations: tuple[Annotation, ...] = ()
    mt: str | None = None
    mt_model: str | None = None  # "translate-ru_en 1.9"
    references: tuple[tuple[str, str], ...] = ()
    #: Character length of each sentence in source_text / rendering_text / mt (joined by one
    #: space), so that a bead can be split again; () where a side has one sentence or is unknown.
    source_lengths: tuple[int, ...] = ()
    rendering_lengths: tuple[int, ...] = ()
    mt_lengths: tuple[int, ...] = ()
    #: For a rendering sentence the aligner left unmatched: its closest source sentence and the
    #: probability that linking them would be right (a suggestion), else None. A bead built by an
    #: edit has none.
    closest: tuple[int, float] | None = None
    #: The fidelity findings on the bead's texts when they were written (workbench.check), as
    #: `check KIND: explanation` lines in check order; recomputed when an edit changes the texts.
    checks: tuple[str, ...] = ()
    #: Who gave the bead its status (approved, needs-work, rejected) and when (ISO 8601): the
    #: signature of reviewed work. None for an unreviewed bead, or a status set without a name.
    reviewer: tuple[str, str] | None = None
    #: For a bead a merge built: the beads it joined, in display order (each sentence of the bead
    #: in exactly one of them), so that a split can restore them; () otherwise.
    parts: tuple[Part, ...] = ()

    @property
    def kind(self) -> str:
        return f"{len(self.source)}-{len(self.rendering)}"

    @property
    def key(self) -> str:
        """Stable id within the pair, from the sentence ids: 's3,4:t7', 's:t5', 's2:t'."""
        return bead_key(self.source, self.rendering)

    @property
    def category(self) -> str:
        """The category of the latest annotation that has one, or ""."""
        for a in reversed(self.annotations):
            if a.category:
                return a.category
        return ""

    @property
    def bead(self) -> Bead:
        return Bead(self.source, self.rendering, self.score, self.method, self.closest)


def bead_key(source: Iterable[int], rendering: Iterable[int]) -> str:
    return "s" + ",".join(map(str, source)) + ":t" + ",".join(map(str, rendering))


@dataclass
class PairFile:
    """A pair's PO file in memory: header fields (ordered) and records in display order."""

    header: dict[str, str]
    records: list[Record]
    path: Path | None = None
    #: Why the file must not be rewritten (it holds content the workbench would drop), or None.
    read_only: str | None = None

    @property
    def revision(self) -> int:
        return int(self.header.get("X-Workbench-Revision", "0"))

    @property
    def source_id(self) -> str:
        return self.header["X-Source-Document"].split()[0]

    @property
    def rendering_id(self) -> str:
        return self.header["X-Rendering-Document"].split()[0]

    @property
    def reporting(self) -> bool:
        """Whether the rendering reports on the source rather than translating it: the aligner
        took it as reporting (`mode=partial`, or `shape=reporting` from the one search, in
        X-Aligner), so it quotes some source sentences among sentences of its own, and quotation
        marks are its way of quoting, not a finding."""
        items = {item.strip() for item in self.header.get("X-Aligner", "").split(";")}
        return "mode=partial" in items or "shape=reporting" in items

    @property
    def source_language(self) -> str:
        return self.header["X-Source-Language"]

    @property
    def rendering_language(self) -> str:
        return self.header["Language"]

    def record(self, key: str) -> Record:
        for r in self.records:
            if r.key == key:
                return r
        raise self._no_bead(key)

    def replace_record(self, key: str, new: Record) -> None:
        for i, r in enumerate(self.records):
            if r.key == key:
                self.records[i] = new
                return
        raise self._no_bead(key)

    def _no_bead(self, key: str) -> NotFoundError:
        return NotFoundError(f"no bead '{key}' in this pair",
                             path=str(self.path) if self.path else None)

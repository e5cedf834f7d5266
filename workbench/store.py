"""PO records of aligned document pairs: the translators' work, stored so gettext tools read it.

One PO file per document pair (translations/<source>__<rendering>.po), one entry per bead, in the
alignment's display order, so that every sentence of both documents is present exactly once. This
module owns the record format (documented in docs/po-format.md), reading and writing it through
polib, and safe saving: the lock and atomic writer of workbench.files, and a revision number in
the header so that a save based on a stale revision is refused with ConflictError instead of
overwriting somebody's work. The reader is strict where msgfmt is (a file cut off mid-entry, a
repeated msgctxt, beads that do not cover the documents' sentences are ParseErrors naming file
and line), and a file holding what other PO tools write and the records do not keep (obsolete
entries, previous msgids, other flags, plural forms) is read with `read_only` set: saving it is
refused with ReadOnlyError, never done with that content dropped.

Entry layout (wrapping is disabled so every comment line stays one line):

    # [omission] 'moral' dropped -- ak, 2026-11-25T03:00:00Z        <- annotations, one per line
    #. align 1-1 src=3 tgt=7 score=0.8700 method=mt-chrf             <- bead ids (0-based), score
    #. closest source 12 (0.41)    <- only on a rendering sentence left unmatched: a suggestion
    #. lengths src=40,12 tgt=51 mt=38,12          <- only for beads with 2+ sentences on a side
    #. mt ru>en (translate-ru_en 1.9): On September 21, 2022, ...   <- machine translation
    #. check quote: source quotes «...»; the rendering has no quotation  <- fidelity findings
    #: corpora/petition.ru.txt:3 corpora/newsweek.en.txt:7           <- where the sentences stand
    #, fuzzy                                                         <- status flags
    msgctxt "petition-ru|newsweek-en|s3:t7"
    msgid "21 сентября 2022 года ..."                                <- source sentence(s)
    msgstr "On September 21, 2022, ..."                              <- rendering sentence(s)

A source sentence with no counterpart (1-0) has an empty msgstr. A rendering sentence with no
source (0-1) cannot have an empty msgid (that is the header, and Babel drops such entries), so its
msgid is the placeholder NO_SOURCE ("∅") and the entry carries the flag `rendering-only`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Sequence

import polib

from workbench import __version__
from workbench.model import Alignment, Bead
from workbench.corpus import Document, Sentence
from workbench.errors import (
    ConflictError,
    InputError,
    NotFoundError,
    ParseError,
    ReadOnlyError,
    WorkbenchError,
)
from workbench.files import clean_po_leftovers, write_atomic
from workbench.files import lock as _lock

NO_SOURCE = "∅"
STATUSES = ("unreviewed", "approved", "needs-work", "rejected")
CATEGORIES = ("accurate", "omission", "addition", "mistranslation", "paraphrase", "terminology",
              "style", "other")
#: Status flags besides `fuzzy`; approved = no fuzzy flag (gettext's "reviewed").
_STATUS_FLAGS = {"rejected": "rejected", "needs-work": "needs-work"}
_RENDERING_ONLY = "rendering-only"
_WRAP = 0  # never wrap: one annotation per comment line, one msgid line per sentence group

_ALIGN_RE = re.compile(
    r"^align (?P<kind>\d+-\d+) src=(?P<src>[\d,]*) tgt=(?P<tgt>[\d,]*) "
    r"score=(?P<score>\S+) method=(?P<method>\S+)$")
_SCORE_RE = re.compile(r"^\d{1,4}(\.\d{1,12})?$")
#: Sentence ids and counts longer than this are damage, not documents (int() of thousands of
#: digits is slow and refused by Python).
_MAX_DIGITS = 9
_LENGTHS_RE = re.compile(r"^lengths src=(?P<src>[\d,]*) tgt=(?P<tgt>[\d,]*) mt=(?P<mt>[\d,]*)$")
#: The suggestion kept with a rendering sentence the aligner left unmatched: its closest source
#: sentence and the probability that linking the two would be right (two decimals).
_CLOSEST_RE = re.compile(r"^closest source (?P<src>\d+) \((?P<p>[^)]*)\)$")
#: A fidelity finding of workbench.check (format_comment): kind and one-line explanation.
_CHECK_RE = re.compile(r"^check [a-z-]+: \S.*$")
_PROBABILITY_RE = re.compile(r"^(0(\.\d{1,12})?|1(\.0{1,12})?)$")
_MT_RE = re.compile(r"^mt (?P<src>[\w-]+)>(?P<tgt>[\w-]+) \((?P<model>[^)]*)\): (?P<text>.*)$", re.S)
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
class Record:
    """One bead as stored: sentence ids and texts of both sides, score, MT, status, annotations."""

    source: tuple[int, ...]
    target: tuple[int, ...]
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

    @property
    def kind(self) -> str:
        return f"{len(self.source)}-{len(self.target)}"

    @property
    def key(self) -> str:
        """Stable id within the pair, from the sentence ids: 's3,4:t7', 's:t5', 's2:t'."""
        return bead_key(self.source, self.target)

    @property
    def category(self) -> str:
        """The category of the latest annotation that has one, or ""."""
        for a in reversed(self.annotations):
            if a.category:
                return a.category
        return ""

    @property
    def bead(self) -> Bead:
        return Bead(self.source, self.target, self.score, self.method, self.closest)


def bead_key(source: Iterable[int], target: Iterable[int]) -> str:
    return "s" + ",".join(map(str, source)) + ":t" + ",".join(map(str, target))


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
    def source_language(self) -> str:
        return self.header["X-Source-Language"]

    @property
    def rendering_language(self) -> str:
        return self.header["Language"]

    def record(self, key: str) -> Record:
        for r in self.records:
            if r.key == key:
                return r
        raise NotFoundError(f"no bead '{key}' in this pair", path=str(self.path) if self.path else None)

    def replace_record(self, key: str, new: Record) -> None:
        for i, r in enumerate(self.records):
            if r.key == key:
                self.records[i] = new
                return
        raise NotFoundError(f"no bead '{key}' in this pair", path=str(self.path) if self.path else None)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _po_date(iso: str) -> str:
    dt = datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ")
    return dt.strftime("%Y-%m-%d %H:%M+0000")


def _join(sentences: Sequence[Sentence], ids: Sequence[int]) -> str:
    return " ".join(sentences[i].text for i in ids)


def build_pair_file(source: Document, rendering: Document, source_sentences: Sequence[Sentence],
                    rendering_sentences: Sequence[Sentence], alignment: Alignment, *,
                    mt: Sequence[str] | None = None, mt_model: str | None = None,
                    checks: bool = True) -> PairFile:
    """Records for every bead of `alignment`, all unreviewed; `mt` is one translation per source
    sentence (or None where no model was available). `checks`: each record carries the fidelity
    findings on its texts (workbench.check)."""
    check_alignment(alignment.beads, len(source_sentences), len(rendering_sentences))
    now = _now()
    header = {
        "Project-Id-Version": f"{source.id}__{rendering.id}",
        "POT-Creation-Date": _po_date(now),
        "PO-Revision-Date": _po_date(now),
        "Language": rendering.language,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "X-Generator": f"workbench {__version__}",
        "X-Source-Document": f"{source.id} {source.path}",
        "X-Source-Language": source.language,
        "X-Source-Sentences": str(len(source_sentences)),
        "X-Rendering-Document": f"{rendering.id} {rendering.path}",
        "X-Rendering-Sentences": str(len(rendering_sentences)),
        "X-MT-Model": mt_model or "none",
        "X-Aligner": "; ".join(f"{k}={v}" for k, v in sorted(alignment.settings.items())),
        "X-Workbench-Revision": "1",
    }
    records = []
    for bead in alignment.beads:
        refs = tuple((source.path, str(source_sentences[i].line)) for i in bead.source) + tuple(
            (rendering.path, str(rendering_sentences[j].line)) for j in bead.target)
        mt_text = None
        if mt is not None and bead.source:
            mt_text = " ".join(mt[i] for i in bead.source)
        several = len(bead.source) > 1 or len(bead.target) > 1
        records.append(Record(
            source=tuple(bead.source), target=tuple(bead.target),
            source_text=_join(source_sentences, bead.source),
            rendering_text=_join(rendering_sentences, bead.target),
            score=round(float(bead.score), 4), method=bead.method,
            mt=mt_text, mt_model=mt_model if mt_text is not None else None, references=refs,
            source_lengths=tuple(len(source_sentences[i].text) for i in bead.source) if several else (),
            rendering_lengths=tuple(len(rendering_sentences[j].text) for j in bead.target)
            if several else (),
            mt_lengths=tuple(len(mt[i]) for i in bead.source) if several and mt_text is not None
            else (),
            closest=(int(bead.closest[0]), round(float(bead.closest[1]), 2))
            if bead.closest is not None else None))
    pf = PairFile(header=header, records=records)
    if checks:
        pf.records = [with_checks(pf, r) for r in pf.records]
    return pf


def findings(source_text: str, rendering_text: str, mt: str | None, *, src_lang: str,
             tgt_lang: str) -> tuple[str, ...]:
    """The `check KIND: explanation` lines of a bead's texts (workbench.check, in check order)."""
    from workbench import check  # the checks read Babel's locale data: only when asked

    return tuple(check.format_comment(f) for f in check.check_pair(
        source_text, rendering_text, src_lang=src_lang, tgt_lang=tgt_lang, mt=mt))


def with_checks(pf: PairFile, r: Record) -> Record:
    """`r` with the findings of its current texts in `pf`'s languages."""
    return replace(r, checks=findings(r.source_text, r.rendering_text, r.mt,
                                      src_lang=pf.source_language, tgt_lang=pf.rendering_language))


def set_mt(pf: PairFile, mt: Sequence[str], mt_model: str) -> int:
    """Give every record with source sentences its machine translation from `mt` (one per source
    sentence, by id) and record the model in the header. Returns how many records changed."""
    changed = 0
    for i, r in enumerate(pf.records):
        if not r.source:
            continue
        parts = [mt[j] for j in r.source]
        several = len(r.source) > 1 or len(r.target) > 1
        new = replace(r, mt=" ".join(parts), mt_model=mt_model,
                      mt_lengths=tuple(len(p) for p in parts) if several else ())
        if new != r:
            pf.records[i] = with_checks(pf, new)  # the mt-missing check reads the MT
            changed += 1
    pf.header["X-MT-Model"] = mt_model
    return changed


def check_alignment(beads: Sequence[Bead], n_source: int, n_rendering: int) -> None:
    """Every sentence of both sides in exactly one bead; raise WorkbenchError otherwise."""
    for side, n, get in (("source", n_source, lambda b: b.source),
                         ("rendering", n_rendering, lambda b: b.target)):
        seen: list[int] = sorted(i for b in beads for i in get(b))
        if seen != list(range(n)):
            missing = sorted(set(range(n)) - set(seen))
            dup = sorted({i for i in seen if seen.count(i) > 1})
            raise WorkbenchError(f"alignment does not cover the {side} exactly once "
                                 f"(missing {missing[:5]}, repeated {dup[:5]})")
    if any(not b.source and not b.target for b in beads):
        raise WorkbenchError("alignment contains an empty bead")


def _entry(pf: PairFile, r: Record) -> polib.POEntry:
    flags = []
    if r.status != "approved":
        flags.append("fuzzy")
    if r.status in _STATUS_FLAGS:
        flags.append(_STATUS_FLAGS[r.status])
    if not r.source:
        flags.append(_RENDERING_ONLY)
    comments = [
        f"align {r.kind} src={','.join(map(str, r.source))} tgt={','.join(map(str, r.target))} "
        f"score={r.score:.4f} method={r.method}"]
    if r.closest is not None:
        comments.append(f"closest source {r.closest[0]} ({r.closest[1]:.2f})")
    if r.source_lengths or r.rendering_lengths:
        comments.append(f"lengths src={','.join(map(str, r.source_lengths))} "
                        f"tgt={','.join(map(str, r.rendering_lengths))} "
                        f"mt={','.join(map(str, r.mt_lengths))}")
    if r.mt is not None:
        mt = r.mt.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
        comments.append(f"mt {pf.source_language}>{pf.rendering_language} ({r.mt_model}): {mt}")
    # written as read (a loaded file keeps its bytes); only a line end would break the line
    comments.extend(c.replace("\r\n", " ").replace("\n", " ").replace("\r", " ") for c in r.checks)
    return polib.POEntry(
        msgctxt=f"{pf.source_id}|{pf.rendering_id}|{r.key}",
        msgid=r.source_text if r.source else NO_SOURCE,
        msgstr=r.rendering_text,
        tcomment="\n".join(a.to_comment() for a in r.annotations),
        comment="\n".join(comments),
        occurrences=list(r.references),
        flags=flags)


def render(pf: PairFile) -> str:
    """The PO text of `pf`, deterministic: rendering a loaded file gives its bytes back."""
    po = polib.POFile(wrapwidth=_WRAP)
    po.metadata = dict(pf.header)
    po.header = _header_comment(pf.source_id, pf.rendering_id)
    for r in pf.records:
        po.append(_entry(pf, r))
    return str(po) + "\n"


def _status(flags: Sequence[str]) -> str:
    for status, flag in _STATUS_FLAGS.items():
        if flag in flags:
            return status
    return "unreviewed" if "fuzzy" in flags else "approved"


def _ids(text: str, path: str, line: int) -> tuple[int, ...]:
    parts = [x for x in text.split(",") if x != ""]
    for x in parts:
        if len(x) > _MAX_DIGITS:
            raise ParseError(f"sentence id {x[:12]}... ({len(x)} digits) is not a sentence id",
                             path=path, line=line, hint=_RESTORE)
    return tuple(int(x) for x in parts)


def _closest(m: re.Match, n_source: int | None, path: str, line: int) -> tuple[int, float]:
    """The (source id, probability) of a `closest source` comment, checked like a bead's ids."""
    (src,) = _ids(m["src"], path, line)
    if n_source is not None and src >= n_source:
        raise ParseError(f"suggestion names source sentence {src}, but the source has {n_source} "
                         f"sentences (ids 0 to {n_source - 1})", path=path, line=line,
                         hint=_RESTORE)
    if not _PROBABILITY_RE.match(m["p"]):
        raise ParseError(f"suggestion probability {m['p'][:20]!r} is not a number from 0 to 1",
                         path=path, line=line, hint="it reads e.g. (0.41); " + _RESTORE)
    return src, float(m["p"])


_RESTORE = "restore the file from version control or re-run `workbench align --overwrite`"


class _PoText(str):
    """PO text whose lines end at \\n, \\r\\n or \\r only. polib splits text with str.splitlines,
    which also breaks at U+2028, U+0085, U+001C..U+001E: characters polib writes raw inside strings,
    so a sentence holding one would come back cut short."""

    def splitlines(self, keepends: bool = False) -> list[str]:
        text = str(self)
        if "\r" in text:  # rare: decode_text has normalised the line ends of files already
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return [ln + "\n" for ln in lines] if keepends else lines


_KEYWORD_RE = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)[ \t]+(".*)$', re.S)
_STRING_RE = re.compile(r'^"(?:[^"\\]|\\.)*"[ \t]*$', re.S)
#: A keyword line with a well-formed string: the common case, checked in one match.
_KEYWORD_LINE_RE = re.compile(
    r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)[ \t]+"(?:[^"\\]|\\.)*"[ \t]*$', re.S)


def check_syntax(text: str, path: str) -> None:
    """Refuse PO text that msgfmt would refuse and polib would quietly half-read: a string cut
    off (no closing quote), a line that is neither a comment, a keyword nor a string, an entry
    without msgstr (a file truncated mid-entry)."""
    entry_line = 0  # line of the current entry's msgctxt/msgid, 0 between entries
    has_msgstr = False
    in_string = False  # the line before was a keyword or a string: a string may follow
    lines = _PoText(text).splitlines()
    keyword_line, string_line = _KEYWORD_LINE_RE.match, _STRING_RE.match

    def invalid(what: str, at: int) -> ParseError:
        return ParseError(f"not a valid PO file: {what}", path=path, line=at, hint=_RESTORE)

    def unfinished(at: int) -> ParseError:
        return invalid(f"the entry at line {entry_line} has no msgstr (the file is cut off or "
                       "damaged here)", at)

    for n, line in enumerate(lines, 1):
        first = line[:1]
        if first in (" ", "\t"):
            line = line.strip()
            first = line[:1]
        if first == "#" or not line.strip():
            if line.startswith("#~"):
                continue  # obsolete entries: kept apart, reported by the caller
            if entry_line and not has_msgstr:
                raise unfinished(n)
            entry_line, has_msgstr, in_string = 0, False, False
            continue
        if first == '"':
            if not in_string:
                raise invalid("a string outside any msgid or msgstr", n)
            if not string_line(line):
                raise invalid("a string is not closed (the file is cut off or damaged here)", n)
            continue
        m = keyword_line(line)
        if not m:
            if _KEYWORD_RE.match(line):
                raise invalid("a string is not closed (the file is cut off or damaged here)", n)
            raise invalid(f"Syntax error, unexpected line {line.strip()[:30]!r}", n)
        keyword = m[1]
        if keyword == "msgctxt" or keyword == "msgid":
            if entry_line and has_msgstr:
                entry_line, has_msgstr = 0, False  # the next entry, without a blank line
            elif entry_line and keyword == "msgctxt":
                raise unfinished(n)
            entry_line = entry_line or n
        elif keyword[:6] == "msgstr":
            if not entry_line:
                raise invalid("msgstr without msgid", n)
            has_msgstr = True
        in_string = True
    if entry_line and not has_msgstr:
        raise unfinished(len(lines))


def _field_line(text: str, key: str) -> int:
    """The line of header field `key` (for error messages), or 1."""
    pos = text.find(f'"{key}:')
    return text.count("\n", 0, pos) + 1 if pos >= 0 else 1


_KNOWN_FLAGS = {"fuzzy", _RENDERING_ONLY, *_STATUS_FLAGS.values()}


def _header_comment(source_id: str, rendering_id: str) -> str:
    return (f"Aligned pair {source_id} | {rendering_id}, written by workbench.\n"
            "Format: docs/po-format.md. fuzzy = not yet approved.")


def _check_header(header: dict[str, str], text: str, path: str) -> None:
    for key in ("X-Source-Document", "X-Rendering-Document", "X-Source-Language", "Language"):
        if key not in header:
            raise ParseError(f"PO header has no '{key}' field: this file was not written by the "
                             "workbench", path=path, line=1,
                             hint="create the pair's file with `workbench align`")
        if not header[key].strip():
            raise ParseError(f"PO header field '{key}' is empty", path=path,
                             line=_field_line(text, key), hint=_RESTORE)
    for key in ("X-Workbench-Revision", "X-Source-Sentences", "X-Rendering-Sentences"):
        value = header.get(key)
        if value is not None and not (value.isascii() and value.isdigit()
                                      and len(value) <= _MAX_DIGITS):
            raise ParseError(f"PO header field '{key}' is {value[:20]!r}, not a whole number",
                             path=path, line=_field_line(text, key), hint=_RESTORE)


def _lossy_content(po: polib.POFile, header_comment: str) -> list[str]:
    """What of `po` the workbench's records do not hold, and a save would therefore drop."""
    found: dict[str, int] = {}

    def note(what: str) -> None:
        found[what] = found.get(what, 0) + 1

    if po.header and po.header.strip() != header_comment:
        note("a header comment of another tool")
    if po.metadata_is_fuzzy:
        note("a fuzzy header")
    for entry in po:
        if entry.obsolete:
            note("obsolete (#~) entries")
            continue
        if entry.previous_msgid or entry.previous_msgctxt or entry.previous_msgid_plural:
            note("previous msgids (#|)")
        if entry.msgid_plural or entry.msgstr_plural:
            note("plural forms")
        for flag in entry.flags:
            if flag not in _KNOWN_FLAGS:
                note(f"the flag '{flag}'")
        for c in entry.comment.split("\n") if entry.comment else []:
            if not (_ALIGN_RE.match(c) or _CLOSEST_RE.match(c) or _LENGTHS_RE.match(c)
                    or _MT_RE.match(c) or _CHECK_RE.match(c)):
                note("extracted comments (#.) of another tool")
        if entry.tcomment and any(not c.strip() for c in entry.tcomment.split("\n")):
            note("empty translator comment lines")
    return [f"{what} ({n})" if n > 1 else what for what, n in found.items()]


def parse(text: str, path: str = "<string>", *, partial: bool = False) -> PairFile:
    """Parse PO text written by the workbench; anything else is a ParseError naming file and line.
    A file holding content the records cannot keep (another tool's flags, obsolete entries,
    plural forms, ...) is read with `read_only` saying what. `partial`: the text holds some of a
    file's entries only (export reads a large file a block at a time), so whether every sentence
    has its bead is left to the caller (check_coverage)."""
    check_syntax(text, path)
    try:
        po = polib.pofile(_PoText(text), wrapwidth=_WRAP)
    except (OSError, ValueError, UnicodeError) as exc:
        m = re.search(r"line (\d+)", str(exc))
        reason = re.sub(r"\s*\(line \d+\)", "", str(exc))
        raise ParseError(f"not a valid PO file: {reason}", path=path, line=int(m[1]) if m else None,
                         hint="restore it from version control or re-run `workbench align`") from None
    header = dict(po.metadata)
    _check_header(header, text, path)
    source_id, rendering_id = header["X-Source-Document"].split()[0], \
        header["X-Rendering-Document"].split()[0]
    limits = {side: int(header[key]) for side, key in (("source", "X-Source-Sentences"),
                                                      ("rendering", "X-Rendering-Sentences"))
              if key in header}
    records = []
    contexts: dict[str, int] = {}
    for entry in po:
        line = entry.linenum
        if entry.obsolete:
            continue
        if entry.msgctxt is not None:
            if entry.msgctxt in contexts:
                raise ParseError(f"msgctxt {entry.msgctxt!r} is given twice (also at line "
                                 f"{contexts[entry.msgctxt]}); msgfmt refuses such a file",
                                 path=path, line=line, hint=_RESTORE)
            contexts[entry.msgctxt] = line
        align = lengths = closest = None
        mt = mt_model = None
        checks: list[str] = []
        for c in entry.comment.split("\n") if entry.comment else []:
            if m := _ALIGN_RE.match(c):
                align = m
            elif m := _CLOSEST_RE.match(c):
                closest = m
            elif m := _LENGTHS_RE.match(c):
                lengths = m
            elif m := _MT_RE.match(c):
                mt, mt_model = m["text"], m["model"]
            elif _CHECK_RE.match(c):
                checks.append(c)
        if align is None:
            raise ParseError(f"entry has no '#. align ...' comment (msgctxt {entry.msgctxt!r})",
                             path=path, line=line,
                             hint="this entry was not written by the workbench; remove it or "
                                  "re-run `workbench align`")
        src, tgt = _ids(align["src"], path, line), _ids(align["tgt"], path, line)
        if f"{len(src)}-{len(tgt)}" != align["kind"]:
            raise ParseError(f"bead kind {align['kind']} does not match its ids", path=path, line=line)
        for side, ids in (("source", src), ("rendering", tgt)):
            if side in limits and ids and max(ids) >= limits[side]:
                raise ParseError(f"bead names {side} sentence {max(ids)}, but the {side} has "
                                 f"{limits[side]} sentences (ids 0 to {limits[side] - 1})",
                                 path=path, line=line, hint=_RESTORE)
        if not _SCORE_RE.match(align["score"]):
            raise ParseError(f"score {align['score'][:20]!r} is not a number", path=path, line=line,
                             hint="scores are numbers such as 0.8700; " + _RESTORE)
        suggestion = _closest(closest, limits.get("source"), path, line) if closest else None
        notes = tuple(Annotation.from_comment(c) for c in entry.tcomment.split("\n")
                      if c.strip()) if entry.tcomment else ()
        records.append(Record(
            source=src, target=tgt,
            source_text=entry.msgid if src else "",
            rendering_text=entry.msgstr,
            score=float(align["score"]), method=align["method"], status=_status(entry.flags),
            annotations=notes, mt=mt, mt_model=mt_model,
            references=tuple((f, str(n)) for f, n in entry.occurrences), closest=suggestion,
            checks=tuple(checks),
            **({"source_lengths": _ids(lengths["src"], path, line),
                "rendering_lengths": _ids(lengths["tgt"], path, line),
                "mt_lengths": _ids(lengths["mt"], path, line)} if lengths else {})))
    pf = PairFile(header=header, records=records, path=Path(path))
    if not partial and "X-Export-Filter" not in header:  # a filtered copy lacks beads on purpose
        check_coverage(pf, path, text.count("\n") + 1 if not text.endswith("\n")
                       else text.count("\n"))
    lossy = _lossy_content(po, _header_comment(source_id, rendering_id))
    if lossy:
        pf.read_only = ("it holds " + ", ".join(lossy) + ", which the workbench does not keep; "
                        "saving would drop them")
    return pf


def check_coverage(pf: PairFile, path: str, last_line: int) -> None:
    """Every sentence of both documents in exactly one bead, as the header's sentence counts say;
    a ParseError otherwise (a file cut off between two entries, beads edited by hand)."""
    for side, key, get in (("source", "X-Source-Sentences", lambda r: r.source),
                           ("rendering", "X-Rendering-Sentences", lambda r: r.target)):
        if key not in pf.header:
            continue
        n = int(pf.header[key])
        seen: dict[int, int] = {}
        for r in pf.records:
            for i in get(r):
                seen[i] = seen.get(i, 0) + 1
        twice = sorted(i for i, c in seen.items() if c > 1)
        if twice:
            raise ParseError(f"{side} sentence {twice[0]} is in two beads", path=path,
                             line=last_line, hint=_RESTORE)
        outside = sorted(i for i in seen if i >= n)
        if outside:
            raise ParseError(f"bead names {side} sentence {outside[0]}, but the {side} has {n} "
                             "sentences", path=path, line=last_line, hint=_RESTORE)
        if len(seen) < n:  # ids are in range and distinct: the first gap is within len(seen)
            first = next(i for i in range(len(seen) + 1) if i not in seen)
            raise ParseError(f"{n - len(seen)} of the {n} {side} sentences have no bead (from "
                             f"sentence {first}): the file is cut off or entries were removed",
                             path=path, line=last_line, hint=_RESTORE)


def load(path: str | Path) -> PairFile:
    """Read a pair's PO file."""
    p = Path(path)
    if not p.exists():
        raise NotFoundError("no such PO file", path=str(path),
                            hint="create it with `workbench align SOURCE RENDERING -o FILE.po`")
    from workbench.corpus import decode_text

    clean_po_leftovers(p.parent)
    pf = parse(decode_text(p.read_bytes(), str(path)), str(path))
    pf.path = p
    return pf


def check_writable(pf: PairFile, path: Path) -> None:
    """ReadOnlyError when `pf` holds content that saving it would drop."""
    if pf.read_only:
        raise ReadOnlyError(f"the PO file is open read-only: {pf.read_only}", path=str(path),
                            hint="edit it with the tool that wrote that content, or move it away "
                                 "and re-run `workbench align`; it was left as it is")


def save(pf: PairFile, path: str | Path | None = None, *, expected_revision: int | None = None,
         create: bool = False) -> PairFile:
    """Save under a lock. If the file on disk has another revision than `expected_revision`
    (default: the revision `pf` was loaded with), raise ConflictError and write nothing. An
    unchanged file is not rewritten; a changed one gets revision + 1. Returns what is on disk now."""
    p = Path(path or pf.path or "")
    if not p.name:
        raise InputError("no path to save the PO file to")
    expected = pf.revision if expected_revision is None else expected_revision
    check_writable(pf, p)
    with _lock(p):
        if p.exists():
            current = load(p)
            check_writable(current, p)
            if current.revision != expected:
                raise ConflictError(
                    f"the pair was changed by someone else (revision {current.revision}, "
                    f"this edit was based on {expected})", path=str(p),
                    current_revision=current.revision, hint="reload and apply the change again")
            same = dict(pf.header) | {k: current.header.get(k, "") for k in
                                      ("X-Workbench-Revision", "PO-Revision-Date")}
            if render(PairFile(header=same, records=pf.records)) == render(current):
                current.path = p
                return current
            new_rev = current.revision + 1
        elif create:
            new_rev = max(pf.revision, 1)
        else:
            raise NotFoundError("PO file has gone", path=str(p),
                                hint="re-create it with `workbench align`")
        header = dict(pf.header)
        header["X-Workbench-Revision"] = str(new_rev)
        header["PO-Revision-Date"] = _po_date(_now())
        out = PairFile(header=header, records=list(pf.records), path=p)
        write_atomic(p, render_cached(out).encode("utf-8"))
        return out


def write_alignment(path: str | Path, source: Document, rendering: Document,
                    source_sentences: Sequence[Sentence], rendering_sentences: Sequence[Sentence],
                    alignment: Alignment, *, mt: Sequence[str] | None = None,
                    mt_model: str | None = None, overwrite: bool = False,
                    checks: bool = True,
                    protect: Callable[[Record], bool] | None = None) -> PairFile:
    """Create a pair's PO file from an alignment. An existing file holds translators' work: it is
    only replaced with overwrite=True (or when no bead of it is reviewed or annotated), and then
    its annotations and statuses are carried over to the beads that still exist. With `protect`,
    a record of the existing file for which it is true must still exist: else ConflictError, and
    nothing is written."""
    p = Path(path)
    pf = build_pair_file(source, rendering, source_sentences, rendering_sentences, alignment,
                         mt=mt, mt_model=mt_model, checks=checks)
    if p.exists():
        old = load(p)
        check_writable(old, p)
        if protect is not None:
            kept = {r.key for r in pf.records}
            lost = [r.key for r in old.records if protect(r) and r.key not in kept]
            if lost:
                raise ConflictError(
                    f"re-aligning would drop the work on {len(lost)} beads that the new alignment "
                    f"does not have ({', '.join(lost[:3])}{', ...' if len(lost) > 3 else ''})",
                    path=str(p), current_revision=old.revision,
                    hint="nothing was changed; review or relink those beads by hand, or re-align "
                         "with `workbench align --overwrite`, which keeps only unchanged beads' work")
        reviewed = sum(1 for r in old.records if r.status != "unreviewed" or r.annotations)
        if reviewed and not overwrite:
            raise InputError(f"PO file exists ({reviewed} beads reviewed or annotated)", path=str(p),
                             hint="pass --overwrite to re-align and keep the work on unchanged beads, "
                                  "or choose another -o")
        carried = {r.key: r for r in old.records}
        pf.records = [replace(r, status=carried[r.key].status, annotations=carried[r.key].annotations)
                      if r.key in carried else r for r in pf.records]
        pf.header["X-Workbench-Revision"] = str(old.revision)
        return save(pf, p, expected_revision=old.revision)
    return save(pf, p, create=True)


# --- editing -------------------------------------------------------------------------------------

def set_status(pf: PairFile, key: str, status: str) -> Record:
    if status not in STATUSES:
        raise InputError(f"unknown status '{status}'", hint=f"use one of {', '.join(STATUSES)}")
    new = replace(pf.record(key), status=status)
    pf.replace_record(key, new)
    return new


def add_annotation(pf: PairFile, key: str, text: str, category: str, author: str,
                   time: str | None = None) -> Record:
    if category and category not in CATEGORIES:
        raise InputError(f"unknown category '{category}'", hint=f"use one of {', '.join(CATEGORIES)}")
    if not author.strip():
        raise InputError("an annotation needs an author name")
    check_text(text, "annotation")
    check_text(author, "author name")
    rec = pf.record(key)
    note = Annotation(text=text, category=category, author=author.strip(), time=time or _now())
    new = replace(rec, annotations=rec.annotations + (note,))
    pf.replace_record(key, new)
    return new


_REVISION_LINE = re.compile(r'^"X-Workbench-Revision: (\d+)\\n"$')


def disk_revision(path: str | Path) -> int:
    """The revision in the header of the PO file at `path`, read without parsing the entries."""
    p = Path(path)
    if not p.exists():
        raise NotFoundError("PO file has gone", path=str(p), hint="re-create it with `workbench align`")
    with open(p, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if m := _REVISION_LINE.match(line.rstrip("\n")):
                return int(m[1])
            if not line.strip():
                break
    raise ParseError("PO header has no X-Workbench-Revision field", path=str(p), line=n,
                     hint="this file was not written by the workbench")


#: id(record) -> (context, record, entry text). Keyed by identity, not by value: hashing a record
#: walks all its annotations, which for a much-annotated pair cost more than the render itself.
#: The record is kept in the value, so its id cannot be reused while the entry exists.
_ENTRY_TEXT: dict[int, tuple[tuple, Record, str]] = {}
_ENTRY_TEXT_LIMIT = 200_000


def render_cached(pf: PairFile) -> str:
    """The same text as render(pf), with each entry's text remembered by its record, so that
    saving one change to a large pair does not format every unchanged entry again."""
    po = polib.POFile(wrapwidth=_WRAP)
    po.metadata = dict(pf.header)
    po.header = _header_comment(pf.source_id, pf.rendering_id)
    context = (pf.source_id, pf.rendering_id, pf.source_language, pf.rendering_language)
    if len(_ENTRY_TEXT) > _ENTRY_TEXT_LIMIT:
        _ENTRY_TEXT.clear()
    parts = [str(po)]
    for r in pf.records:
        hit = _ENTRY_TEXT.get(id(r))
        if hit is not None and hit[1] is r and hit[0] == context:
            text = hit[2]
        else:
            text = _entry(pf, r).__unicode__(_WRAP)
            _ENTRY_TEXT[id(r)] = (context, r, text)
        parts.append(text)
    return "\n".join(parts) + "\n"


def save_edit(pf: PairFile, *, expected_revision: int, new_revision: int | None = None,
              before_write: Callable[[bytes], None] | None = None) -> PairFile:
    """Save a changed pair in one render: like save(), but the conflict check reads only the
    revision in the file's header, and the file is always written (callers save real changes
    only). A large pair's save costs one render instead of a parse and three renders.
    `new_revision` is the revision written (default: the current one + 1; several changes saved
    at once count one each). `before_write`, when given, sees the new file's bytes under the lock
    before they are written (the history records its steps there)."""
    if pf.path is None:
        raise InputError("no path to save the PO file to")
    p = Path(pf.path)
    check_writable(pf, p)
    with _lock(p):
        current = disk_revision(p)
        if current != expected_revision:
            raise ConflictError(
                f"the pair was changed by someone else (revision {current}, this edit was based "
                f"on {expected_revision})", path=str(p), current_revision=current,
                hint="reload and apply the change again")
        header = dict(pf.header)
        header["X-Workbench-Revision"] = str(current + 1 if new_revision is None else new_revision)
        header["PO-Revision-Date"] = _po_date(_now())
        out = PairFile(header=header, records=list(pf.records), path=p)
        data = render_cached(out).encode("utf-8")
        if before_write is not None:
            before_write(data)
        write_atomic(p, data)
        return out

"""Reading a pair's PO file: the one reader every part uses (the store's own load, export, the
memory), a block of entries at a time.

`iter_records(path)` reads the header at once and the records as they are asked for, so memory
stays flat however large a file is; `load` collects them into a PairFile. The reader is strict
where msgfmt is: a file cut off mid-entry, a repeated msgctxt, beads that do not cover the
documents' sentences are ParseErrors naming file and line, the same whichever caller reads. A
file holding what other PO tools write and the records do not keep (obsolete entries, previous
msgids, other flags, plural forms) is read with `read_only` set, saying what.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator, Sequence

import polib

from workbench.corpus import check_input, decode_text
from workbench.errors import InputError, NotFoundError, ParseError, WorkbenchError
from workbench.files import clean_po_leftovers
from workbench.store.records import Annotation, PairFile, Part, Record
from workbench.store.syntax import (RESTORE, PoText, blocks, bounded_lines, check_syntax,
                                    decode_block)
from workbench.store.writing import (NAMES_HEADER, RENDERING_ONLY, STATUS_FLAGS, WRAP,
                                     header_comment)

#: Entries parsed at a time.
BLOCK_ENTRIES = 1000

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
#: Who gave the bead its status, and when: the reviewer's signature.
_STATUS_RE = re.compile(r"^status (?P<status>[a-z-]+) by (?P<author>.+) on "
                        r"(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)$")
#: One of the beads a merge joined (workbench.edit), kept so that a split can restore it.
_PART_RE = re.compile(
    r"^merged src=(?P<src>[\d,]*) tgt=(?P<tgt>[\d,]*) score=(?P<score>\S+) method=(?P<method>\S+) "
    r"notes=(?P<notes>\d{1,6})(?: closest=(?P<csrc>\d+)/(?P<cp>\S+))?$")
_OURS = (_ALIGN_RE, _CLOSEST_RE, _LENGTHS_RE, _MT_RE, _CHECK_RE, _STATUS_RE, _PART_RE)
_KNOWN_FLAGS = {"fuzzy", RENDERING_ONLY, *STATUS_FLAGS.values()}
_SIDES = (("source", "X-Source-Sentences"), ("rendering", "X-Rendering-Sentences"))
#: Put before every block after the first, so that polib takes no entry of it for the header.
_STUB = 'msgid ""\nmsgstr ""\n\n'
_STUB_LINES = _STUB.count("\n")


def _field_line(text: str, key: str) -> int:
    """The line of header field `key` (for error messages), or 1."""
    pos = text.find(f'"{key}:')
    return text.count("\n", 0, pos) + 1 if pos >= 0 else 1


def _check_header(header: dict[str, str], text: str, path: str) -> None:
    for key in ("X-Source-Document", "X-Rendering-Document", "X-Source-Language", "Language"):
        if key not in header:
            raise ParseError(f"PO header has no '{key}' field: this file was not written by the "
                             "workbench", path=path, line=1,
                             hint="create the pair's file with `workbench align`")
        if not header[key].strip():
            raise ParseError(f"PO header field '{key}' is empty", path=path,
                             line=_field_line(text, key), hint=RESTORE)
    if header.get(NAMES_HEADER, "").strip():
        from workbench.check.namemap import parse_decisions

        try:
            parse_decisions(header[NAMES_HEADER])
        except ValueError as exc:
            raise ParseError(f"PO header field '{NAMES_HEADER}': {exc}", path=path,
                             line=_field_line(text, NAMES_HEADER),
                             hint="correct or remove the item; the decisions on the name map are "
                                  "'confirmed SOURCE = RENDERING' or 'broken ...', joined by ';'"
                             ) from None
    for key in ("X-Workbench-Revision", "X-Source-Sentences", "X-Rendering-Sentences"):
        value = header.get(key)
        if value is not None and not (value.isascii() and value.isdigit()
                                      and len(value) <= _MAX_DIGITS):
            raise ParseError(f"PO header field '{key}' is {value[:20]!r}, not a whole number",
                             path=path, line=_field_line(text, key), hint=RESTORE)


def _entry_lossy(entry: polib.POEntry, note: Callable[[str], None]) -> None:
    """Note what of `entry` the records do not hold, and a save would therefore drop."""
    if entry.obsolete:
        note("obsolete (#~) entries")
        return
    if entry.previous_msgid or entry.previous_msgctxt or entry.previous_msgid_plural:
        note("previous msgids (#|)")
    if entry.msgid_plural or entry.msgstr_plural:
        note("plural forms")
    for flag in entry.flags:
        if flag not in _KNOWN_FLAGS:
            note(f"the flag '{flag}'")
    for c in entry.comment.split("\n") if entry.comment else []:
        if not any(r.match(c) for r in _OURS):
            note("extracted comments (#.) of another tool")
    if entry.tcomment and any(not c.strip() for c in entry.tcomment.split("\n")):
        note("empty translator comment lines")


def _status(flags: Sequence[str]) -> str:
    for status, flag in STATUS_FLAGS.items():
        if flag in flags:
            return status
    return "unreviewed" if "fuzzy" in flags else "approved"


def _ids(text: str, path: str, line: int) -> tuple[int, ...]:
    parts = [x for x in text.split(",") if x != ""]
    for x in parts:
        if len(x) > _MAX_DIGITS:
            raise ParseError(f"sentence id {x[:12]}... ({len(x)} digits) is not a sentence id",
                             path=path, line=line, hint=RESTORE)
    return tuple(int(x) for x in parts)


def _closest(m: re.Match, n_source: int | None, path: str, line: int) -> tuple[int, float]:
    """The (source id, probability) of a `closest source` comment, checked like a bead's ids."""
    (src,) = _ids(m["src"], path, line)
    if n_source is not None and src >= n_source:
        raise ParseError(f"suggestion names source sentence {src}, but the source has {n_source} "
                         f"sentences (ids 0 to {n_source - 1})", path=path, line=line,
                         hint=RESTORE)
    if not _PROBABILITY_RE.match(m["p"]):
        raise ParseError(f"suggestion probability {m['p'][:20]!r} is not a number from 0 to 1",
                         path=path, line=line, hint="it reads e.g. (0.41); " + RESTORE)
    return src, float(m["p"])


def _parts(found: list[re.Match], src: tuple[int, ...], tgt: tuple[int, ...], path: str,
           line: int) -> tuple[Part, ...]:
    """The `merged` lines of a bead: together they must hold its sentences, each once."""
    parts = []
    for m in found:
        if not _SCORE_RE.match(m["score"]) or (m["cp"] and not _PROBABILITY_RE.match(m["cp"])):
            raise ParseError(f"a 'merged' comment has a score that is not a number ({m.group()[:60]!r})",
                             path=path, line=line, hint=RESTORE)
        closest = (int(m["csrc"][:_MAX_DIGITS]), float(m["cp"])) if m["csrc"] else None
        parts.append(Part(_ids(m["src"], path, line), _ids(m["tgt"], path, line),
                          float(m["score"]), m["method"], closest, int(m["notes"])))
    if parts and (sorted(i for p in parts for i in p.source) != list(src)
                  or sorted(j for p in parts for j in p.rendering) != list(tgt)
                  or any(not p.source and not p.rendering for p in parts)):
        raise ParseError("the bead's 'merged' comments do not hold its sentences each once",
                         path=path, line=line, hint=RESTORE)
    return tuple(parts)


def _record(entry: polib.POEntry, path: str, line: int, limits: dict[str, int]) -> Record:
    """The record of one entry (at `line` of the file), checked against the header's counts."""
    align = lengths = closest = signed = None
    mt = mt_model = None
    checks: list[str] = []
    merged: list[re.Match] = []
    for c in entry.comment.split("\n") if entry.comment else []:
        if m := _ALIGN_RE.match(c):
            align = m
        elif m := _STATUS_RE.match(c):
            signed = m
        elif m := _PART_RE.match(c):
            merged.append(m)
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
                         hint="this entry was not written by the workbench: remove it, or "
                              + RESTORE)
    src, tgt = _ids(align["src"], path, line), _ids(align["tgt"], path, line)
    if f"{len(src)}-{len(tgt)}" != align["kind"]:
        raise ParseError(f"bead kind {align['kind']} does not match its ids", path=path, line=line)
    for side, ids in (("source", src), ("rendering", tgt)):
        if side in limits and ids and max(ids) >= limits[side]:
            raise ParseError(f"bead names {side} sentence {max(ids)}, but the {side} has "
                             f"{limits[side]} sentences (ids 0 to {limits[side] - 1})",
                             path=path, line=line, hint=RESTORE)
    if not _SCORE_RE.match(align["score"]):
        raise ParseError(f"score {align['score'][:20]!r} is not a number", path=path, line=line,
                         hint="scores are numbers such as 0.8700; " + RESTORE)
    suggestion = _closest(closest, limits.get("source"), path, line) if closest else None
    notes = tuple(Annotation.from_comment(c) for c in entry.tcomment.split("\n")
                  if c.strip()) if entry.tcomment else ()
    status = _status(entry.flags)
    # A signature for another status than the flags' (a flag changed in another PO editor) is
    # no longer the reviewer's: it is not read, and the next save drops it.
    reviewer = (signed["author"], signed["time"]) if signed and signed["status"] == status else None
    return Record(
        source=src, rendering=tgt,
        source_text=entry.msgid if src else "",
        rendering_text=entry.msgstr,
        score=float(align["score"]), method=align["method"], status=status,
        annotations=notes, mt=mt, mt_model=mt_model,
        references=tuple((f, str(n)) for f, n in entry.occurrences), closest=suggestion,
        checks=tuple(checks), reviewer=reviewer, parts=_parts(merged, src, tgt, path, line),
        **({"source_lengths": _ids(lengths["src"], path, line),
            "rendering_lengths": _ids(lengths["tgt"], path, line),
            "mt_lengths": _ids(lengths["mt"], path, line)} if lengths else {}))


class _Coverage:
    """Which sentences of each side the beads read so far hold, for the header's counts."""

    def __init__(self, header: dict[str, str]) -> None:
        self.sides = [(side, int(header[key]), set(), []) for side, key in _SIDES
                      if key in header]

    def add(self, r: Record) -> None:
        for side, _, seen, twice in self.sides:
            for i in r.source if side == "source" else r.rendering:
                if i in seen:
                    twice.append(i)
                seen.add(i)

    def check(self, path: str, last_line: int) -> None:
        for side, n, seen, twice in self.sides:
            if twice:
                raise ParseError(f"{side} sentence {min(twice)} is in two beads", path=path,
                                 line=last_line, hint=RESTORE)
            outside = [i for i in seen if i >= n]
            if outside:
                raise ParseError(f"bead names {side} sentence {min(outside)}, but the {side} has "
                                 f"{n} sentences", path=path, line=last_line, hint=RESTORE)
            if len(seen) < n:  # ids are in range and distinct: the first gap is within len(seen)
                first = next(i for i in range(len(seen) + 1) if i not in seen)
                raise ParseError(f"{n - len(seen)} of the {n} {side} sentences have no bead (from "
                                 f"sentence {first}): the file is cut off or entries were removed",
                                 path=path, line=last_line, hint=RESTORE)


def check_coverage(pf: PairFile, path: str, last_line: int) -> None:
    """Every sentence of both documents in exactly one bead, as the header's sentence counts say;
    a ParseError otherwise (a file cut off between two entries, beads edited by hand)."""
    coverage = _Coverage(pf.header)
    for r in pf.records:
        coverage.add(r)
    coverage.check(path, last_line)


class RecordStream:
    """A pair's PO file being read: `pair` (a PairFile with its header and no records) is read
    when the stream is made; iterating yields the records, `block` entries parsed at a time, and
    at the end checks that the beads cover both documents and sets `pair.read_only` when the file
    holds what the records do not keep. The file is closed at the end or on the first error."""

    def __init__(self, lines: Iterable[bytes], label: str, *, block: int = BLOCK_ENTRIES,
                 partial: bool = False, source: BinaryIO | None = None) -> None:
        self.label = label
        self._source = source
        self._blocks = blocks(lines, block)
        self._contexts: dict[str, int] = {}
        self._lossy: dict[str, int] = {}
        self._lines = 0  # lines of the (decoded) file read so far
        self._open_end = False  # the last block read does not end with a line end
        try:
            first = next(self._blocks, None)
            text = decode_text(first[2] if first else b"", label)
            po, offset = self._parse(text, head=True)
            header = dict(po.metadata)
            _check_header(header, text, label)
        except BaseException:
            self.close()
            raise
        self.pair = PairFile(header=header, records=[], path=Path(label))
        self._limits = {side: int(header[key]) for side, key in _SIDES if key in header}
        # a filtered copy (export --format po) lacks beads on purpose
        self._coverage = None if partial or "X-Export-Filter" in header else _Coverage(header)
        if po.header and po.header.strip() != header_comment(self.pair.source_id,
                                                             self.pair.rendering_id):
            self._note("a header comment of another tool")
        if po.metadata_is_fuzzy:
            self._note("a fuzzy header")
        self._records = self._generate(po, offset)

    def __iter__(self) -> Iterator[Record]:
        return self

    def __next__(self) -> Record:
        return next(self._records)

    def close(self) -> None:
        if self._source is not None:
            self._source.close()

    def _note(self, what: str) -> None:
        self._lossy[what] = self._lossy.get(what, 0) + 1

    def _parse(self, text: str, head: bool = False) -> tuple[polib.POFile, int]:
        """polib's reading of a block that starts at the line after those read so far, and the
        number to add to polib's line numbers to get the file's."""
        first_line = self._lines + 1
        check_syntax(text, self.label, first_line)
        stub = "" if head else _STUB
        offset = first_line - 1 - (_STUB_LINES if stub else 0)
        try:
            po = polib.pofile(PoText(stub + text), wrapwidth=WRAP)
        except (OSError, ValueError, UnicodeError) as exc:
            m = re.search(r"line (\d+)", str(exc))
            reason = re.sub(r"\s*\(line \d+\)", "", str(exc))
            raise ParseError(f"not a valid PO file: {reason}", path=self.label,
                             line=int(m[1]) + offset if m else None,
                             hint=RESTORE) from None
        self._lines += text.count("\n")
        self._open_end = not text.endswith("\n")
        return po, offset

    def _block_records(self, po: polib.POFile, offset: int) -> list[Record]:
        out = []
        for entry in po:
            _entry_lossy(entry, self._note)
            if entry.obsolete:
                continue
            line = entry.linenum + offset
            if entry.msgctxt is not None:
                if entry.msgctxt in self._contexts:
                    raise ParseError(f"msgctxt {entry.msgctxt!r} is given twice (also at line "
                                     f"{self._contexts[entry.msgctxt]}); msgfmt refuses such a "
                                     "file", path=self.label, line=line, hint=RESTORE)
                self._contexts[entry.msgctxt] = line
            r = _record(entry, self.label, line, self._limits)
            if self._coverage is not None:
                self._coverage.add(r)
            out.append(r)
        return out

    def _generate(self, head: polib.POFile, offset: int) -> Iterator[Record]:
        try:
            yield from self._entries(head, offset)
        except WorkbenchError as exc:
            # the header was read: the hint can name the command that rebuilds this very file
            if exc.hint and RESTORE in exc.hint:
                from workbench.store.repair import restore_hint

                exc.hint = exc.hint.replace(RESTORE, restore_hint(self.pair.header, self.label))
            raise
        finally:
            self.close()

    def _entries(self, head: polib.POFile, offset: int) -> Iterator[Record]:
        yield from self._block_records(head, offset)
        for first_line, first_byte, data in self._blocks:
            yield from self._block_records(
                *self._parse(decode_block(data, self.label, first_line, first_byte)))
        if self._coverage is not None:
            self._coverage.check(self.label, self._lines + self._open_end)
        if self._lossy:
            self.pair.read_only = (
                "it holds " + ", ".join(f"{what} ({n})" if n > 1 else what
                                        for what, n in self._lossy.items())
                + ", which the workbench does not keep; saving would drop them")


def iter_records(path: str | Path, *, block: int = BLOCK_ENTRIES) -> RecordStream:
    """The records of the PO file at `path` as a stream (see RecordStream): its header now, its
    records `block` entries at a time as they are asked for. The file is read once, front to
    back, so a pipe serves as well as a file."""
    label = str(path)
    try:
        check_input(path)  # a directory, /dev/zero, a socket: said so, never read
        f = open(path, "rb")
    except InputError as exc:
        if exc.message != "no such file":
            raise
        raise NotFoundError("no such PO file", path=label,
                            hint="create it with `workbench align SOURCE RENDERING -o FILE.po`"
                            ) from None
    except FileNotFoundError:
        raise NotFoundError("no such PO file", path=label,
                            hint="create it with `workbench align SOURCE RENDERING -o FILE.po`"
                            ) from None
    except OSError as exc:
        raise InputError(f"cannot read the PO file: {exc.strerror}", path=label) from None
    return RecordStream(bounded_lines(f, label), label, block=block, source=f)


def _collect(stream: RecordStream) -> PairFile:
    records = list(stream)
    pf = stream.pair
    pf.records = records
    return pf


def parse(text: str, path: str = "<string>", *, partial: bool = False) -> PairFile:
    """Parse PO text written by the workbench; anything else is a ParseError naming file and line.
    A file holding content the records cannot keep (another tool's flags, obsolete entries,
    plural forms, ...) is read with `read_only` saying what. `partial`: the text holds some of a
    file's entries only, so whether every sentence has its bead is left to the caller
    (check_coverage)."""
    data = io.BytesIO(text.encode("utf-8", "surrogatepass"))
    return _collect(RecordStream(data, path, partial=partial))


def load(path: str | Path) -> PairFile:
    """Read a pair's PO file."""
    p = Path(path)
    if not p.exists():
        raise NotFoundError("no such PO file", path=str(path),
                            hint="create it with `workbench align SOURCE RENDERING -o FILE.po`")
    clean_po_leftovers(p.parent)
    return _collect(iter_records(p))


_REVISION_LINE = re.compile(r'^"X-Workbench-Revision: (\d+)\\n"$')


def disk_revision(path: str | Path) -> int:
    """The revision in the header of the PO file at `path`, read without parsing the entries; 0
    for a header without X-Workbench-Revision (as PairFile.revision reads it: the first save of
    such a file writes revision 1)."""
    p = Path(path)
    if not p.exists():
        raise NotFoundError("PO file has gone", path=str(p), hint="re-create it with `workbench align`")
    with open(p, encoding="utf-8", errors="replace") as f:
        for line in f:
            if m := _REVISION_LINE.match(line.rstrip("\n")):
                return int(m[1])
            if not line.strip():
                break
    return 0

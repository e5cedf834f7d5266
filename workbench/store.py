"""PO records of aligned document pairs: the translators' work, stored so gettext tools read it.

One PO file per document pair (translations/<source>__<rendering>.po), one entry per bead, in the
alignment's display order, so that every sentence of both documents is present exactly once. This
module owns the record format (documented in docs/po-format.md), reading and writing it through
polib, and safe saving: a file lock, a temporary file, fsync, os.replace, and a revision number in
the header so that a save based on a stale revision is refused with ConflictError instead of
overwriting somebody's work.

Entry layout (wrapping is disabled so every comment line stays one line):

    # [omission] 'moral' dropped -- ak, 2026-11-25T03:00:00Z        <- annotations, one per line
    #. align 1-1 src=3 tgt=7 score=0.8700 method=mt-chrf             <- bead ids (0-based), score
    #. lengths src=40,12 tgt=51 mt=38,12          <- only for beads with 2+ sentences on a side
    #. mt ru>en (translate-ru_en 1.9): On September 21, 2022, ...   <- machine translation
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

import os
import re
import tempfile
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Sequence

import polib

from workbench import __version__
from workbench.model import Alignment, Bead
from workbench.corpus import Document, Sentence
from workbench.errors import ConflictError, InputError, NotFoundError, ParseError, WorkbenchError

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
    r"score=(?P<score>[0-9.]+) method=(?P<method>\S+)$")
_LENGTHS_RE = re.compile(r"^lengths src=(?P<src>[\d,]*) tgt=(?P<tgt>[\d,]*) mt=(?P<mt>[\d,]*)$")
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
        # Newlines would break the one-line-per-note convention; keep them as a visible escape.
        text = self.text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
        author = self.author.replace(",", " ").replace("\n", " ").replace("\r", " ")
        return f"[{self.category}] {text} -- {author}, {self.time}"

    @classmethod
    def from_comment(cls, line: str) -> "Annotation":
        m = _NOTE_RE.match(line)
        if not m:
            # A comment someone added with another PO editor: keep it, as an uncategorised note.
            return cls(text=line, category="", author="", time="")
        text = re.sub(r"\\(.)", lambda g: {"n": "\n", "r": "\r"}.get(g.group(1), g.group(1)),
                      m["text"])
        return cls(text=text, category=m["category"], author=m["author"], time=m["time"])


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
        return Bead(self.source, self.target, self.score, self.method)


def bead_key(source: Iterable[int], target: Iterable[int]) -> str:
    return "s" + ",".join(map(str, source)) + ":t" + ",".join(map(str, target))


@dataclass
class PairFile:
    """A pair's PO file in memory: header fields (ordered) and records in display order."""

    header: dict[str, str]
    records: list[Record]
    path: Path | None = None

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
                    mt: Sequence[str] | None = None, mt_model: str | None = None) -> PairFile:
    """Records for every bead of `alignment`, all unreviewed; `mt` is one translation per source
    sentence (or None where no model was available)."""
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
            else ()))
    return PairFile(header=header, records=records)


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
            pf.records[i] = new
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
    if r.source_lengths or r.rendering_lengths:
        comments.append(f"lengths src={','.join(map(str, r.source_lengths))} "
                        f"tgt={','.join(map(str, r.rendering_lengths))} "
                        f"mt={','.join(map(str, r.mt_lengths))}")
    if r.mt is not None:
        mt = r.mt.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
        comments.append(f"mt {pf.source_language}>{pf.rendering_language} ({r.mt_model}): {mt}")
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
    po.header = (f"Aligned pair {pf.source_id} | {pf.rendering_id}, written by workbench.\n"
                 "Format: docs/po-format.md. fuzzy = not yet approved.")
    for r in pf.records:
        po.append(_entry(pf, r))
    return str(po) + "\n"


def _status(flags: Sequence[str]) -> str:
    for status, flag in _STATUS_FLAGS.items():
        if flag in flags:
            return status
    return "unreviewed" if "fuzzy" in flags else "approved"


def _ids(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split(",") if x != "")


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


def parse(text: str, path: str = "<string>") -> PairFile:
    """Parse PO text written by the workbench; anything else is a ParseError naming file and line."""
    try:
        po = polib.pofile(_PoText(text), wrapwidth=_WRAP)
    except (OSError, ValueError, UnicodeError) as exc:
        m = re.search(r"line (\d+)", str(exc))
        reason = re.sub(r"\s*\(line \d+\)", "", str(exc))
        raise ParseError(f"not a valid PO file: {reason}", path=path, line=int(m[1]) if m else None,
                         hint="restore it from version control or re-run `workbench align`") from None
    header = dict(po.metadata)
    for key in ("X-Source-Document", "X-Rendering-Document", "X-Source-Language", "Language"):
        if key not in header:
            raise ParseError(f"PO header has no '{key}' field: this file was not written by the "
                             "workbench", path=path, line=1,
                             hint="create the pair's file with `workbench align`")
    records = []
    for entry in po:
        line = entry.linenum
        if entry.obsolete:
            continue
        align = lengths = None
        mt = mt_model = None
        for c in entry.comment.split("\n") if entry.comment else []:
            if m := _ALIGN_RE.match(c):
                align = m
            elif m := _LENGTHS_RE.match(c):
                lengths = m
            elif m := _MT_RE.match(c):
                mt, mt_model = m["text"], m["model"]
        if align is None:
            raise ParseError(f"entry has no '#. align ...' comment (msgctxt {entry.msgctxt!r})",
                             path=path, line=line,
                             hint="this entry was not written by the workbench; remove it or "
                                  "re-run `workbench align`")
        src, tgt = _ids(align["src"]), _ids(align["tgt"])
        if f"{len(src)}-{len(tgt)}" != align["kind"]:
            raise ParseError(f"bead kind {align['kind']} does not match its ids", path=path, line=line)
        notes = tuple(Annotation.from_comment(c) for c in entry.tcomment.split("\n")
                      if c.strip()) if entry.tcomment else ()
        records.append(Record(
            source=src, target=tgt,
            source_text=entry.msgid if src else "",
            rendering_text=entry.msgstr,
            score=float(align["score"]), method=align["method"], status=_status(entry.flags),
            annotations=notes, mt=mt, mt_model=mt_model,
            references=tuple((f, str(n)) for f, n in entry.occurrences),
            **({"source_lengths": _ids(lengths["src"]), "rendering_lengths": _ids(lengths["tgt"]),
                "mt_lengths": _ids(lengths["mt"])} if lengths else {})))
    return PairFile(header=header, records=records, path=Path(path))


def load(path: str | Path) -> PairFile:
    """Read a pair's PO file."""
    p = Path(path)
    if not p.exists():
        raise NotFoundError("no such PO file", path=str(path),
                            hint="create it with `workbench align SOURCE RENDERING -o FILE.po`")
    from workbench.corpus import decode_text

    pf = parse(decode_text(p.read_bytes(), str(path)), str(path))
    pf.path = p
    return pf


def _lock(path: Path):
    from filelock import FileLock

    return FileLock(str(path.with_name("." + path.name + ".lock")), timeout=10)


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def save(pf: PairFile, path: str | Path | None = None, *, expected_revision: int | None = None,
         create: bool = False) -> PairFile:
    """Save under a lock. If the file on disk has another revision than `expected_revision`
    (default: the revision `pf` was loaded with), raise ConflictError and write nothing. An
    unchanged file is not rewritten; a changed one gets revision + 1. Returns what is on disk now."""
    p = Path(path or pf.path or "")
    if not p.name:
        raise InputError("no path to save the PO file to")
    expected = pf.revision if expected_revision is None else expected_revision
    with _lock(p):
        if p.exists():
            current = load(p)
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
                    mt_model: str | None = None, overwrite: bool = False) -> PairFile:
    """Create a pair's PO file from an alignment. An existing file holds translators' work: it is
    only replaced with overwrite=True, and then its annotations and statuses are carried over to
    the beads that still exist."""
    p = Path(path)
    pf = build_pair_file(source, rendering, source_sentences, rendering_sentences, alignment,
                         mt=mt, mt_model=mt_model)
    if p.exists():
        old = load(p)
        if not overwrite:
            reviewed = sum(1 for r in old.records if r.status != "unreviewed" or r.annotations)
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


_ENTRY_TEXT: dict[tuple, str] = {}
_ENTRY_TEXT_LIMIT = 200_000


def render_cached(pf: PairFile) -> str:
    """The same text as render(pf), with each entry's text remembered by its record, so that
    saving one change to a large pair does not format every unchanged entry again."""
    po = polib.POFile(wrapwidth=_WRAP)
    po.metadata = dict(pf.header)
    po.header = (f"Aligned pair {pf.source_id} | {pf.rendering_id}, written by workbench.\n"
                 "Format: docs/po-format.md. fuzzy = not yet approved.")
    context = (pf.source_id, pf.rendering_id, pf.source_language, pf.rendering_language)
    if len(_ENTRY_TEXT) > _ENTRY_TEXT_LIMIT:
        _ENTRY_TEXT.clear()
    parts = [str(po)]
    for r in pf.records:
        key = (context, r)
        text = _ENTRY_TEXT.get(key)
        if text is None:
            text = _ENTRY_TEXT[key] = _entry(pf, r).__unicode__(_WRAP)
        parts.append(text)
    return "\n".join(parts) + "\n"


def save_edit(pf: PairFile, *, expected_revision: int) -> PairFile:
    """Save a changed pair in one render: like save(), but the conflict check reads only the
    revision in the file's header, and the file is always written (callers save real changes
    only). A large pair's save costs one render instead of a parse and three renders."""
    if pf.path is None:
        raise InputError("no path to save the PO file to")
    p = Path(pf.path)
    with _lock(p):
        current = disk_revision(p)
        if current != expected_revision:
            raise ConflictError(
                f"the pair was changed by someone else (revision {current}, this edit was based "
                f"on {expected_revision})", path=str(p), current_revision=current,
                hint="reload and apply the change again")
        header = dict(pf.header)
        header["X-Workbench-Revision"] = str(current + 1)
        header["PO-Revision-Date"] = _po_date(_now())
        out = PairFile(header=header, records=list(pf.records), path=p)
        write_atomic(p, render_cached(out).encode("utf-8"))
        return out

"""The translation memory: every approved bead of a data directory, plus imported TMX, searchable.

This module owns the memory's index and its lookups. The index is derived data, an SQLite file at
`<data>/translations/.memory.sqlite3`; the PO files (and the TMX files a user imported, kept as
copies in `<data>/memory/`) are the only source of truth, so the index can be deleted at any time
and is rebuilt from them on the next use (a damaged or outdated one likewise). A pair file is
indexed by its fingerprint (size, modification time, SHA-256): `update_pair` re-reads a pair only
when its bytes changed and then changes just the segments that differ, so approving, un-approving
or editing a bead costs one parse of that pair and a handful of row writes.

Lookup is fuzzy on the source side, scored 0-100 like CAT tools do. The score is character-based:
rapidfuzz's normalized Indel similarity (`fuzz.ratio`) of the two sources with runs of whitespace
made one space, so 100 means the same text and 90 about one character in twenty changed. Characters
rather than words because the workbench serves Russian and German, where one changed ending or a
compound would cost a whole word in a word-based score, and languages written without spaces; the
differing words are still marked word by word (workbench.worddiff) for the reader. Candidates come
from an index, never a scan of the memory: trigram postings per language pair (sorted segment ids in
one blob per trigram, plus a small table of postings added since the last compaction), from which
the query's trigrams that are not too common (at most CANDIDATE_BUDGET postings read) count how many
of them each segment shares, and its words likewise (postings of words beside those of trigrams);
only the MAX_CANDIDATES + WORD_CANDIDATES segments sharing most are scored. SQLite's
FTS5 trigram index was measured first and took 200 ms a lookup at 100,000 segments (fts5vocab
walks a trigram's postings to count them, and bm25 over an OR of trigrams ranks every row that
holds any). Exact matches (score 100) come first. A second, semantic lookup compares sentence
vectors from workbench.embed (loaded only when asked) and is labelled "semantic", never given a
fuzzy score.
"""

from __future__ import annotations

import hashlib
from array import array
import os
import re
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator, Sequence

from workbench.errors import InputError, ParseError, SerializationError, WorkbenchError

#: Where the index lives, relative to the data directory.
INDEX_NAME = Path("translations") / ".memory.sqlite3"
#: Where imported TMX files are kept (the memory's second source of truth besides the PO files).
IMPORTS_DIR = Path("memory")
#: Bumped when the schema or what is indexed changes; an index of another format is rebuilt.
FORMAT = 6
#: Postings (segment ids of the query's rarer trigrams) read per fuzzy lookup at most.
CANDIDATE_BUDGET = 60_000
#: Candidates the trigram index hands to the final scoring.
MAX_CANDIDATES = 100
#: The same for the query's words, and the candidates they add.
WORD_BUDGET = 300_000
WORD_CANDIDATES = 400
#: Postings kept as rows (cheap to add one by one) before they are merged into the blobs.
PENDING_LIMIT = 50_000
#: Default lowest fuzzy score returned.
DEFAULT_MIN = 70

_LANG = re.compile(r"^[a-z]{2,3}$")


def normalize(text: str) -> str:
    """Runs of whitespace as one space, no leading or trailing space: what scores compare."""
    return " ".join(text.split())


def language(code: str) -> str:
    """A TMX or PO language tag reduced to its primary subtag, lower case: 'EN-US' -> 'en'."""
    return code.strip().replace("_", "-").split("-")[0].lower()


@dataclass(frozen=True)
class Segment:
    """One translation unit of the memory: a source, its reviewed rendering and where it came from.
    `origin` is "pair" (an approved bead; `pair` and `bead` name it) or "tmx" (an imported file;
    `pair` is the file's name, `bead` the unit's tuid or number)."""

    source: str
    target: str
    source_language: str
    target_language: str
    origin: str
    pair: str
    bead: str
    reviewer: str
    time: str  # ISO 8601 UTC, or "" when unknown


@dataclass(frozen=True)
class Match:
    """A lookup result. `kind` is "exact", "fuzzy" or "semantic"; `score` is 0-100 for exact and
    fuzzy, the cosine similarity x 100 for semantic; `diff` marks the words in which the memory's
    source differs from the query (worddiff spans of both texts, query first)."""

    kind: str
    score: float
    segment: Segment
    diff: tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]] = ((), ())

    def to_json(self) -> dict:
        s = self.segment
        return {"kind": self.kind, "score": self.score, "source": s.source, "target": s.target,
                "source_language": s.source_language, "target_language": s.target_language,
                "origin": s.origin, "pair": s.pair, "bead": s.bead, "reviewer": s.reviewer,
                "time": s.time,
                "diff": {"query": [list(x) for x in self.diff[0]],
                         "source": [list(x) for x in self.diff[1]]}}


@dataclass
class SyncReport:
    """What a rebuild or sync did: files read, segments in the index, files that could not be read."""

    files: int = 0
    segments: int = 0
    errors: list[WorkbenchError] = field(default_factory=list)


# --- reading the sources of truth ----------------------------------------------------------------

def pair_segments(po_path: str | Path, load: Callable | None = None) -> list[Segment]:
    """The approved beads of one pair file that have both a source and a rendering (read with
    `load`, store.load by default; a server passes its editor's cached parse). The reviewer
    and time are those of the bead's latest annotation (the PO record keeps no approver of its
    own); without one, both are left empty rather than guessed (the file's PO-Revision-Date moves
    with every save of any bead, and would make every save re-index every approved bead)."""
    from workbench import store

    pf = (load or store.load)(po_path)
    pair = Path(po_path).name.removesuffix(".po")
    src, tgt = language(pf.source_language), language(pf.rendering_language)
    out = []
    for r in pf.records:
        if r.status != "approved" or not r.source or not r.target:
            continue
        if not normalize(r.source_text) or not normalize(r.rendering_text):
            continue
        note = r.annotations[-1] if r.annotations else None
        out.append(Segment(source=r.source_text, target=r.rendering_text, source_language=src,
                           target_language=tgt, origin="pair", pair=pair, bead=r.key,
                           reviewer=note.author if note else "",
                           time=note.time if note else ""))
    return out


_TMX_DATE = re.compile(r"^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$")
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: Inline elements whose content is the original document's markup, not text (TMX 1.4b, 3.6).
_CODE_TAGS = {"bpt", "ept", "it", "ph", "ut"}


def _tmx_time(value: str | None) -> str:
    m = _TMX_DATE.match(value or "")
    return f"{m[1]}-{m[2]}-{m[3]}T{m[4]}:{m[5]}:{m[6]}Z" if m else ""


def _seg_text(seg) -> str:
    """The text of a <seg>: its characters and those of <hi> and <sub>, without the native codes
    that <bpt>, <ept>, <it>, <ph> and <ut> carry."""
    parts = [seg.text or ""]
    for child in seg:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in _CODE_TAGS:
            parts += [_seg_text(s) for s in child.iter("sub")]
        elif tag in ("hi", "sub"):
            parts.append(_seg_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def read_tmx(path: str | Path, name: str | None = None) -> list[Segment]:
    """The units of a TMX file (1.4b, as OmegaT and Trados write it): one Segment per target
    language of each <tu>. The source <tuv> is the one in the unit's srclang (else the header's;
    with "*all*", the first). A file that is not such TMX is a ParseError with its line."""
    from lxml import etree

    p = Path(path)
    label = name or p.stem
    where = str(path)
    if not p.is_file():
        raise InputError("no such file", path=where, hint="give the path of a .tmx file")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.parse(str(p), parser).getroot()
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise ParseError(f"not well-formed XML: {exc.msg}", path=where, line=line,
                         hint="export the memory again from the tool that wrote it") from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc}", path=where) from None
    if root.tag != "tmx":
        raise ParseError(f"root element is <{root.tag}>, not <tmx>: not a TMX file", path=where,
                         line=root.sourceline, hint="give a TMX 1.4 file")
    header = root.find("header")
    body = root.find("body")
    if header is None or body is None:
        raise ParseError("TMX file without <header> or <body>", path=where, line=root.sourceline,
                         hint="give a TMX 1.4 file")
    default_src = header.get("srclang", "")
    out: list[Segment] = []
    for n, tu in enumerate(body.iterchildren("tu"), 1):
        tuvs = []
        for tuv in tu.iterchildren("tuv"):
            lang = tuv.get(_XML_LANG) or tuv.get("lang")  # "lang" is TMX 1.1's, older OmegaT
            if not lang:
                raise ParseError("<tuv> without xml:lang", path=where, line=tuv.sourceline,
                                 hint="every <tuv> needs the language of its <seg>")
            seg = tuv.find("seg")
            if seg is None:
                raise ParseError("<tuv> without <seg>", path=where, line=tuv.sourceline)
            tuvs.append((language(lang), _seg_text(seg), tuv))
        srclang = tu.get("srclang") or default_src
        if not tuvs:
            continue
        if srclang and srclang != "*all*":
            sources = [t for t in tuvs if t[0] == language(srclang)]
            if not sources:
                raise ParseError(f"<tu> has no <tuv> in its source language {srclang}", path=where,
                                 line=tu.sourceline, hint="check the srclang of the header and units")
            source = sources[0]
        else:
            source = tuvs[0]
        if not normalize(source[1]):
            continue
        for lang, text, tuv in tuvs:
            if tuv is source[2] or lang == source[0] or not normalize(text):
                continue
            reviewer = (tuv.get("changeid") or tu.get("changeid") or tuv.get("creationid")
                        or tu.get("creationid") or "")
            time = _tmx_time(tuv.get("changedate") or tu.get("changedate")
                             or tuv.get("creationdate") or tu.get("creationdate"))
            out.append(Segment(source=source[1], target=text, source_language=source[0],
                               target_language=lang, origin="tmx", pair=label,
                               bead=tu.get("tuid") or str(n), reviewer=reviewer, time=time))
    return out


# --- the index -----------------------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE files (path TEXT PRIMARY KEY, size INTEGER, mtime INTEGER, sha256 TEXT);
CREATE TABLE segments (
    id INTEGER PRIMARY KEY AUTOINCREMENT, file TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL,
    nhash INTEGER NOT NULL, src TEXT NOT NULL, tgt TEXT NOT NULL, origin TEXT NOT NULL,
    pair TEXT NOT NULL, bead TEXT NOT NULL, reviewer TEXT NOT NULL, time TEXT NOT NULL);
CREATE INDEX segments_file ON segments (file);
CREATE INDEX segments_exact ON segments (src, tgt, nhash);  -- nhash: of the normalized source
CREATE TABLE grams (id INTEGER PRIMARY KEY, lp TEXT NOT NULL, gram TEXT NOT NULL, n INTEGER NOT NULL);
CREATE INDEX grams_key ON grams (lp, gram, n, id);  -- covers the lookup's frequency query
CREATE TABLE postings (id INTEGER PRIMARY KEY, ids BLOB NOT NULL);
CREATE TABLE pending (lp TEXT, gram TEXT, id INTEGER);
CREATE INDEX pending_gram ON pending (lp, gram);
"""

_COLUMNS = "id, source, target, src, tgt, origin, pair, bead, reviewer, time"


def _row_segment(row: Sequence) -> Segment:
    return Segment(source=row[1], target=row[2], source_language=row[3], target_language=row[4],
                   origin=row[5], pair=row[6], bead=row[7], reviewer=row[8], time=row[9])


def _fingerprint(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _hash(norm: str) -> int:
    """A 64-bit key of a normalized source, for exact matches (cheaper to index than the text)."""
    return int.from_bytes(hashlib.blake2b(norm.encode("utf-8"), digest_size=8).digest(), "little",
                          signed=True)


def words(text: str) -> list[str]:
    """The distinct words of a normalized, case-folded text, as postings keys: each starts with
    NUL, so that none equals a trigram."""
    return list(dict.fromkeys("\0" + w for w in text.split()))


def trigrams(text: str) -> list[str]:
    """The distinct trigrams of a normalized, case-folded text, in order of first appearance, as
    SQLite's trigram tokenizer cuts them (three code points, spaces included)."""
    return list(dict.fromkeys(text[i:i + 3] for i in range(len(text) - 2)))


class Memory:
    """The translation memory of one data directory. `Memory(data_dir)` opens the index, creating or
    rebuilding it when it is missing, damaged or of another format; `sync()` brings it up to date
    with the directory's PO files and imported TMX; `update_pair(po)` with one pair file. It holds
    one SQLite connection: use one Memory per thread."""

    def __init__(self, data_dir: str | Path, *, index: str | Path | None = None) -> None:
        self.root = Path(data_dir)
        if not (self.root / "translations").is_dir():
            raise InputError("not a data directory: it has no translations/", path=str(data_dir),
                             hint="give the directory that holds corpora/ and translations/ "
                                  "with --data")
        self.path = Path(index) if index is not None else self.root / INDEX_NAME
        self._db: sqlite3.Connection | None = None
        self._vectors: dict[tuple[str, str], tuple[list[int], object]] = {}
        self._new: dict[tuple[str, str], array] = {}  # postings of this transaction's inserts
        self._new_count = 0
        self._open()

    # -- opening, rebuilding ----------------------------------------------------------------------

    def _open(self) -> None:
        if self.path.exists():
            try:
                db = sqlite3.connect(self.path, isolation_level=None)
                row = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
                ok = row is not None and row[0] == str(FORMAT)
            except sqlite3.DatabaseError:
                ok = False
                db = None
            if ok:
                self._db = db
                return
            if db is not None:
                db.close()
        self.rebuild()

    @property
    def db(self) -> sqlite3.Connection:
        assert self._db is not None
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> "Memory":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def pair_files(self) -> list[Path]:
        return sorted((self.root / "translations").glob("*.po"))

    def import_files(self) -> list[Path]:
        return sorted((self.root / IMPORTS_DIR).glob("*.tmx"))

    def rebuild(self) -> SyncReport:
        """A new index from the PO files and imported TMX alone, written beside the old one and
        swapped in when complete (readers see the old index or the new, never a part)."""
        self.close()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + f".{os.getpid()}.tmp")
        if tmp.exists():
            tmp.unlink()
        db = sqlite3.connect(tmp, isolation_level=None)
        self._db = db
        self._vectors.clear()
        report = SyncReport()
        try:
            db.executescript(_SCHEMA)
            db.execute("INSERT INTO meta VALUES ('format', ?)", (str(FORMAT),))
            with self._transaction():
                for path in self.pair_files() + self.import_files():
                    self._index_file(path, report)
            db.close()
            os.replace(tmp, self.path)
        except BaseException:
            db.close()
            self._db = None
            tmp.unlink(missing_ok=True)
            raise
        self._db = sqlite3.connect(self.path, isolation_level=None)
        report.segments = self.count()
        return report

    def sync(self) -> SyncReport:
        """Re-index every pair file and import whose bytes changed; forget files that are gone."""
        report = SyncReport()
        present = {self._file_key(p) for p in self.pair_files() + self.import_files()}
        with self._transaction():
            for (name,) in self.db.execute("SELECT path FROM files ORDER BY path").fetchall():
                if name not in present:
                    self._drop_file(name)
            for path in self.pair_files() + self.import_files():
                self._index_file(path, report)
        report.segments = self.count()
        return report

    def update_pair(self, po_path: str | Path, *, load: Callable | None = None) -> bool:
        """Bring the index up to date with one pair file (approving, un-approving or editing a bead
        changed it, or it was deleted). Returns whether anything had to be read again; an
        unchanged file costs one stat. A damaged file raises its ParseError and leaves the index
        as it was. `load` parses the file (store.load by default): a server passes its editor's
        cached parse, which is at least as new as the file's fingerprint taken before it, so an
        index it fills is never older than the fingerprint it records."""
        report = SyncReport()
        p = Path(po_path)
        with self._transaction():
            if not p.exists():
                return self._drop_file(self._file_key(p)) > 0
            changed = self._index_file(p, report, load)
        if report.errors:
            raise report.errors[0]
        return changed

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
            self._flush_postings()
        except BaseException:
            self._new, self._new_count = {}, 0
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _file_key(self, path: Path) -> str:
        """How the index names a file: relative to the data directory (however it was given)."""
        full = path.resolve()
        try:
            return full.relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(full)

    def _index_file(self, path: Path, report: SyncReport, load: Callable | None = None) -> bool:
        name = self._file_key(path)
        size, mtime = _fingerprint(path)
        row = self.db.execute("SELECT size, mtime, sha256 FROM files WHERE path = ?", (name,)).fetchone()
        if row is not None and row[0] == size and row[1] == mtime:
            return False
        digest = _sha256(path)
        if row is not None and row[2] == digest:
            self.db.execute("UPDATE files SET size = ?, mtime = ? WHERE path = ?", (size, mtime, name))
            return False
        try:
            if path.suffix == ".tmx":
                segments = read_tmx(path)
            else:
                segments = pair_segments(path, load)
        except WorkbenchError as exc:
            report.errors.append(exc)
            return False
        report.files += 1
        self._replace_segments(name, segments)
        self.db.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)", (name, size, mtime, digest))
        return True

    def _replace_segments(self, name: str, segments: list[Segment]) -> None:
        """Make the file's rows equal `segments`, touching only rows that differ."""
        old: dict[tuple, list[int]] = {}
        for row in self.db.execute(f"SELECT {_COLUMNS} FROM segments WHERE file = ? ORDER BY id",
                                   (name,)):
            old.setdefault(tuple(row[1:]), []).append(row[0])
        for s in segments:
            key = (s.source, s.target, s.source_language, s.target_language, s.origin, s.pair,
                   s.bead, s.reviewer, s.time)
            if old.get(key):
                old[key].pop(0)
            else:
                self._insert(name, s)
        for key, ids in old.items():
            for i in ids:
                self._delete(i, key[2], key[3])

    def _drop_file(self, name: str) -> int:
        rows = self.db.execute("SELECT id, src, tgt FROM segments WHERE file = ?",
                               (name,)).fetchall()
        for i, src, tgt in rows:
            self._delete(i, src, tgt)
        self.db.execute("DELETE FROM files WHERE path = ?", (name,))
        return len(rows)

    def _insert(self, name: str, s: Segment) -> None:
        norm = normalize(s.source)
        cur = self.db.execute(
            "INSERT INTO segments (file, source, target, nhash, src, tgt, origin, pair, bead, reviewer,"
            " time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (name, s.source, s.target, _hash(norm), s.source_language, s.target_language, s.origin,
             s.pair, s.bead, s.reviewer, s.time))
        lp = f"{s.source_language}>{s.target_language}"
        i = cur.lastrowid
        folded = norm.casefold()
        for g in trigrams(folded) + words(folded):
            key = (lp, g)
            ids = self._new.get(key)
            if ids is None:
                ids = self._new[key] = array("i")
            ids.append(i)
        self._new_count += 1
        self._vectors.pop((s.source_language, s.target_language), None)

    def _delete(self, i: int, src: str, tgt: str) -> None:
        # The id stays in the postings (ids are never reused): candidates are read back from
        # `segments`, where it is gone, and a rebuild drops it.
        self.db.execute("DELETE FROM segments WHERE id = ?", (i,))
        self._vectors.pop((src, tgt), None)

    def _flush_postings(self) -> None:
        """Write the postings of the segments inserted in this transaction: as rows while few, else
        merged (with the rows gathered so far) into the sorted blobs."""
        new, self._new, self._new_count = self._new, {}, 0
        if not new:
            return
        rows = sum(len(v) for v in new.values())
        pending = self.db.execute("SELECT count(*) FROM pending").fetchone()[0]
        if pending + rows <= PENDING_LIMIT:
            self.db.executemany("INSERT INTO pending VALUES (?, ?, ?)",
                                ((lp, g, i) for (lp, g), ids in sorted(new.items()) for i in ids))
            return
        for lp, g, i in self.db.execute("SELECT lp, gram, id FROM pending ORDER BY rowid"):
            new.setdefault((lp, g), array("i")).append(i)
        self.db.execute("DELETE FROM pending")
        import numpy as np

        get = self.db.execute
        for (lp, g), ids in sorted(new.items()):
            row = get("SELECT id FROM grams WHERE lp = ? AND gram = ?", (lp, g)).fetchone()
            merged = np.frombuffer(ids.tobytes(), dtype=np.int32)
            if row is not None:
                old = get("SELECT ids FROM postings WHERE id = ?", row).fetchone()[0]
                merged = np.concatenate([np.frombuffer(old, dtype=np.int32), merged])
            merged = np.unique(merged)  # sorted, each id once
            if row is not None:
                get("UPDATE grams SET n = ? WHERE id = ?", (len(merged), row[0]))
                get("UPDATE postings SET ids = ? WHERE id = ?", (merged.tobytes(), row[0]))
            else:
                gid = get("INSERT INTO grams (lp, gram, n) VALUES (?, ?, ?)",
                          (lp, g, len(merged))).lastrowid
                get("INSERT INTO postings VALUES (?, ?)", (gid, merged.tobytes()))

    def add_segments(self, segments: Iterable[Segment], file: str) -> None:
        """Index `segments` under the file name `file` in one transaction (bulk loading, as the
        benchmark does; the data directory's own files go through sync and update_pair)."""
        with self._transaction():
            for s in segments:
                self._insert(file, s)

    # -- importing, exporting ---------------------------------------------------------------------

    def import_tmx(self, path: str | Path) -> int:
        """Check a TMX file, keep a copy in <data>/memory/ and index it. Returns its segment count.
        A file of the same name replaces the earlier import."""
        from workbench.files import write_atomic

        segments = read_tmx(path)  # a bad file is refused before anything is copied
        target = self.root / IMPORTS_DIR / (Path(path).stem + ".tmx")
        if Path(path).resolve() != target.resolve():
            target.parent.mkdir(exist_ok=True)  # the memory's own folder of imports
            write_atomic(target, Path(path).read_bytes())
        report = SyncReport()
        with self._transaction():
            self._index_file(target, report)
        if report.errors:
            raise report.errors[0]
        return len(segments)

    def segments(self) -> Iterator[Segment]:
        """Every segment, ordered by origin, pair, bead and languages (same index, same order)."""
        for row in self.db.execute(f"SELECT {_COLUMNS} FROM segments "
                                   "ORDER BY origin, pair, bead, src, tgt, source, target, id"):
            yield _row_segment(row)

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM segments").fetchone()[0]

    def export_tmx(self, out: BinaryIO) -> int:
        """Write the memory as TMX 1.4b; returns the number of units."""
        return write_tmx(self.segments(), out)

    # -- lookup -----------------------------------------------------------------------------------

    def lookup(self, text: str, source_language: str, target_language: str, *,
               min_score: float = DEFAULT_MIN, limit: int = 5) -> list[Match]:
        """The best matches for `text` at or above `min_score`: exact ones (100) first, then fuzzy
        by score; ties by newest, then pair and bead."""
        from rapidfuzz import fuzz

        src, tgt = language(source_language), language(target_language)
        query = normalize(text)
        if not query:
            return []
        rows = [r for r in self.db.execute(f"SELECT {_COLUMNS} FROM segments WHERE src = ? AND "
                                           "tgt = ? AND nhash = ?", (src, tgt, _hash(query)))
                if normalize(r[1]) == query]
        scored: dict[int, tuple[float, Sequence]] = {r[0]: (100.0, r) for r in rows}
        ids = [i for i in self.candidates(query, src, tgt) if i not in scored]
        if ids:
            from rapidfuzz import process

            marks = ",".join("?" * len(ids))
            found = self.db.execute(f"SELECT id, source FROM segments WHERE id IN ({marks})",
                                    ids).fetchall()
            scores = process.cdist([query], [normalize(r[1]) for r in found], scorer=fuzz.ratio,
                                   score_cutoff=min_score)[0]
            ranked = sorted((-round(float(x), 2), r[0]) for x, r in zip(scores, found)
                            if x >= min_score and x > 0)
            if len(ranked) > limit:  # keep every tie of the last place: the order below decides
                ranked = [r for r in ranked if r[0] <= ranked[limit - 1][0]]
            if ranked:
                marks = ",".join("?" * len(ranked))
                rows = {r[0]: r for r in self.db.execute(
                    f"SELECT {_COLUMNS} FROM segments WHERE id IN ({marks})", [i for _, i in ranked])}
                for neg, i in ranked:
                    scored[i] = (-neg, rows[i])
        best = sorted(scored.values(), key=lambda x: (-x[0], _neg_time(x[1][9]), x[1][6], x[1][7],
                                                      x[1][0]))[:limit]
        return [self._match("exact" if score == 100 else "fuzzy", score, text, row)
                for score, row in best]

    def candidates(self, query: str, src: str, tgt: str, limit: int = MAX_CANDIDATES) -> list[int]:
        """Ids of the segments that share the most of the query's trigrams, best first (ties by
        id), then of those that share the most of its words. The most common trigrams (words) are
        left out until at most CANDIDATE_BUDGET (WORD_BUDGET) postings are read: they say little
        about which segment is closest. The words find the sentences that differ from the query
        in a few whole words even where the trigram budget only reached its rarest trigrams."""
        folded = query.casefold()
        lp = f"{src}>{tgt}"
        by_grams = self._sharing(lp, trigrams(folded), CANDIDATE_BUDGET, limit)
        by_words = self._sharing(lp, words(folded), WORD_BUDGET, WORD_CANDIDATES)
        seen = set(by_grams)
        return by_grams + [i for i in by_words if i not in seen]

    def _sharing(self, lp: str, grams: list[str], budget: int, limit: int) -> list[int]:
        """Ids of the `limit` segments holding most of `grams` (within the postings `budget`)."""
        import numpy as np

        if not grams:
            return []
        marks = ",".join("?" * len(grams))
        known = sorted((n, g, gid) for g, n, gid in self.db.execute(
            f"SELECT gram, n, id FROM grams WHERE lp = ? AND gram IN ({marks})", [lp, *grams]))
        chosen, total = [], 0
        for n, _, gid in known:
            if chosen and total + n > budget:
                break
            chosen.append(gid)
            total += n
        parts = []
        if chosen:
            marks = ",".join("?" * len(chosen))
            parts = [np.frombuffer(b, dtype=np.int32) for (b,) in self.db.execute(
                f"SELECT ids FROM postings WHERE id IN ({marks})", chosen)]
        marks = ",".join("?" * len(grams))
        pending = np.array([i for (i,) in self.db.execute(
            f"SELECT id FROM pending WHERE lp = ? AND gram IN ({marks})", [lp, *grams])],
            dtype=np.int32)
        if not parts and not len(pending):
            return []
        # Counting by sorting what was read costs the number of postings read (a radix sort of
        # int32); a bincount would cost the number of segments, a million, on every lookup.
        every = np.sort(np.concatenate(parts + [pending]))
        starts = np.flatnonzero(np.concatenate(([True], every[1:] != every[:-1])))
        ids = every[starts]
        hits = np.diff(np.append(starts, len(every)))
        if len(ids) > limit:  # keep every id that ties with the limit-th
            kth = np.partition(hits, len(hits) - limit)[len(hits) - limit]
            keep = hits >= kth
            ids, hits = ids[keep], hits[keep]
        order = np.lexsort((ids, -hits))[:limit]
        return [int(i) for i in ids[order]]

    def _match(self, kind: str, score: float, query: str, row: Sequence) -> Match:
        from workbench.worddiff import diff

        d = diff(query, row[1])
        return Match(kind=kind, score=score, segment=_row_segment(row),
                     diff=(tuple((s.text, s.tag) for s in d.mt),
                           tuple((s.text, s.tag) for s in d.rendering)))

    def semantic_lookup(self, text: str, source_language: str, target_language: str, *,
                        min_similarity: float = 0.85, limit: int = 5, embedder=None) -> list[Match]:
        """Earlier renderings of sources that say the same as `text` in other words: cosine of the
        sentence encoder's vectors (workbench.embed, loaded now), x 100, labelled "semantic".
        Vectors of the language pair's sources are computed once per index state (cached on disk by
        the encoder) and compared in one matrix product."""
        import numpy as np

        src, tgt = language(source_language), language(target_language)
        query = normalize(text)
        if not query:
            return []
        if embedder is None:
            from workbench.embed import Embedder

            embedder = Embedder()
        key = (src, tgt)
        if key not in self._vectors:
            rows = self.db.execute("SELECT id, source FROM segments WHERE src = ? AND tgt = ? "
                                   "ORDER BY id", key).fetchall()
            vectors = embedder.embed([normalize(r[1]) for r in rows]) if rows else np.zeros((0, 1))
            self._vectors[key] = ([r[0] for r in rows], vectors)
        ids, vectors = self._vectors[key]
        if not ids:
            return []
        sims = vectors @ embedder.embed([query])[0]
        order = sorted(range(len(ids)), key=lambda k: (-float(sims[k]), ids[k]))
        picked = [(round(float(sims[k]) * 100, 2), ids[k]) for k in order[:limit]
                  if sims[k] >= min_similarity]
        out = []
        for score, i in picked:
            row = self.db.execute(f"SELECT {_COLUMNS} FROM segments WHERE id = ?", (i,)).fetchone()
            out.append(self._match("semantic", score, text, row))
        return out


def _neg_time(time: str) -> tuple:
    # newest first: compare the negated code points of the ISO time
    return tuple(-ord(c) for c in time)


def open_memory(data_dir: str | Path) -> Memory:
    """The data directory's memory, up to date with its files (a sync costs a stat per file); an
    index that turns out damaged on the way is rebuilt."""
    memory = Memory(data_dir)
    try:
        memory.sync()
    except sqlite3.DatabaseError:
        memory.rebuild()
    return memory


# --- TMX writer ----------------------------------------------------------------------------------

_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _tmx_date(iso: str) -> str | None:
    m = re.match(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)Z$", iso)
    return "".join(m.groups()[:3]) + "T" + "".join(m.groups()[3:]) + "Z" if m else None


def write_tmx(segments: Iterable[Segment], out: BinaryIO) -> int:
    """TMX 1.4b of `segments`, unit by unit with lxml's incremental writer (as workbench.export
    writes pairs): tuid, creationid (reviewer) and creationdate (time) on each <tu>, its origin,
    pair and bead as props. Characters XML cannot carry are dropped."""
    from lxml import etree

    from workbench import __version__, clock
    from workbench.export import TMX_PUBLIC_ID, TOOL

    def clean(text: str) -> str:
        return _XML_FORBIDDEN.sub("", text)

    n = 0
    try:
        with etree.xmlfile(out, encoding="utf-8") as xf:
            xf.write_declaration()
            xf.write_doctype(f'<!DOCTYPE tmx PUBLIC "{TMX_PUBLIC_ID}" "tmx14.dtd">')
            with xf.element("tmx", version="1.4"):
                xf.write(etree.Element("header", {
                    "creationtool": TOOL, "creationtoolversion": __version__, "segtype": "sentence",
                    "o-tmf": "workbench-memory", "adminlang": "en", "srclang": "*all*",
                    "datatype": "plaintext",
                    "creationdate": clock.compact()}), "\n")
                with xf.element("body"):
                    for s in segments:
                        tu = etree.Element("tu", tuid=clean(f"{s.pair}|{s.bead}"),
                                           srclang=s.source_language)
                        if s.reviewer:
                            tu.set("creationid", clean(s.reviewer))
                        if (date := _tmx_date(s.time)) is not None:
                            tu.set("creationdate", date)
                        for kind, value in (("x-origin", s.origin), ("x-pair", s.pair),
                                            ("x-bead", s.bead)):
                            etree.SubElement(tu, "prop", type=kind).text = clean(value)
                        for lang, text in ((s.source_language, s.source), (s.target_language, s.target)):
                            tuv = etree.SubElement(tu, "tuv", {_XML_LANG: lang})
                            etree.SubElement(tuv, "seg").text = clean(text)
                        xf.write(tu, "\n")
                        n += 1
                        if n % 500 == 0:
                            xf.flush()
    except OSError as exc:
        raise SerializationError(f"cannot write the TMX: {exc.strerror or exc}") from None
    return n


def export_to_path(memory: Memory, out: str | Path) -> int:
    """Write the memory as TMX to `out`, complete or not at all."""
    import tempfile

    target = Path(out)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise InputError(f"cannot write the output: {exc.strerror}", path=str(out),
                         hint="check that the directory exists and is writable") from None
    try:
        with os.fdopen(fd, "wb") as f:
            n = memory.export_tmx(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return n

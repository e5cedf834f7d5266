"""The translation memory's index: an SQLite file derived from the PO files and imported TMX
(see workbench.memory), its schema, rebuilding and syncing it, and keeping its postings."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from array import array
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator

from workbench.errors import InputError, WorkbenchError
from workbench.memory.lookup import Lookups
from workbench.memory.segments import (_COLUMNS, FORMAT, IMPORTS_DIR, index_path, PENDING_LIMIT,
                                       Segment, SyncReport, _hash, _row_segment, normalize,
                                       pair_segments, trigrams, words)
from workbench.memory.tmx import label, read_tmx, write_tmx

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

def _fingerprint(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class Memory(Lookups):
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
        self.path = Path(index) if index is not None else index_path(self.root)
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

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> SyncReport:
        """A new index from the PO files and imported TMX alone, written beside the old one and
        swapped in when complete (readers see the old index or the new, never a part);
        `progress(done, total)` counts the files."""
        self.close()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # one name per thread too: the threads of a server may each find the index missing at once
        tmp = self.path.with_name(self.path.name + f".{os.getpid()}.{threading.get_ident()}.tmp")
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
                files = self.pair_files() + self.import_files()
                for done, path in enumerate(files):
                    if progress:
                        progress(done, len(files))
                    self._index_file(path, report)
                if progress:
                    progress(len(files), len(files))
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
            key = (s.source_text, s.rendering_text, s.source_language, s.rendering_language,
                   s.origin, s.pair, s.bead, s.reviewer, s.time)
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
        norm = normalize(s.source_text)
        cur = self.db.execute(
            "INSERT INTO segments (file, source, target, nhash, src, tgt, origin, pair, bead, reviewer,"
            " time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (name, s.source_text, s.rendering_text, _hash(norm), s.source_language,
             s.rendering_language, s.origin, s.pair, s.bead, s.reviewer, s.time))
        lp = f"{s.source_language}>{s.rendering_language}"
        i = cur.lastrowid
        folded = norm.casefold()
        for g in trigrams(folded) + words(folded):
            key = (lp, g)
            ids = self._new.get(key)
            if ids is None:
                ids = self._new[key] = array("i")
            ids.append(i)
        self._new_count += 1
        self._vectors.pop((s.source_language, s.rendering_language), None)

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

    def import_tmx(self, path: str | Path, skipped: list[int] | None = None) -> int:
        """Check a TMX file, keep a copy in <data>/memory/ (named as the file, its name made valid
        UTF-8) and index it. Returns its segment count; the lines of units left out for their
        length go to `skipped`. A file of the same name replaces the earlier import."""
        from workbench.corpus import read_bytes
        from workbench.files import write_atomic

        data = read_bytes(path, regular=True, hint="give the path of a .tmx file (tm import "
                                                   "keeps a copy, so it reads a file, not a pipe)")
        # a bad file is refused before anything is copied
        segments = read_tmx(path, data=data, skipped=skipped)
        target = self.root / IMPORTS_DIR / (label(path) + ".tmx")
        if Path(path).resolve() != target.resolve():
            target.parent.mkdir(exist_ok=True)  # the memory's own folder of imports
            write_atomic(target, data)
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

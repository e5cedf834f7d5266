"""Derived caches on disk: SQLite tables of values keyed by (model, text), shared by the
translation cache (translate/engine.py) and the sentence-vector cache (embed.py).

Rows are keyed by a SHA-256 of the model's id and the exact text, so a row never changes meaning;
they are recomputable, so the file runs in WAL mode with `synchronous=NORMAL` (a crash may lose the
last rows, never corrupt the file). Each transaction opens its own connection, so threads and
processes never share one.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

from workbench.errors import InputError

#: Environment variable naming the directory of the caches (translations, vectors, the memory's
#: index).
CACHE_ENV = "WORKBENCH_CACHE_DIR"

#: Keys asked for in one SELECT (SQLite's parameter limit is higher; this keeps statements small).
CHUNK = 500


def default_cache_dir() -> Path:
    """$WORKBENCH_CACHE_DIR, else the XDG cache directory's workbench/: where derived data lives."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "workbench"


class KeyValueCache:
    """One table `table(key TEXT PRIMARY KEY, <column> <sql_type> NOT NULL)` in `directory/file`.
    `what` names the cache in errors ("translation cache"), `hint` says what the user can do."""

    def __init__(self, directory: str | os.PathLike, file: str, table: str, column: str,
                 sql_type: str, *, what: str, hint: str) -> None:
        self.path = Path(directory) / file
        self.table, self.column, self.what, self.hint = table, column, what, hint
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._create(sql_type)
        except (OSError, sqlite3.Error) as exc:
            raise InputError(f"cannot use the {what}: {exc}", path=str(self.path),
                             hint=hint) from None

    def _create(self, sql_type: str, attempts: int = 50) -> None:
        """Create the table in WAL mode. Switching to WAL takes an exclusive lock for which SQLite
        does not wait (its busy timeout does not apply), so processes opening a new cache at the
        same moment can see "database is locked": the switch is made once (WAL stays set in the
        file) and retried for a few seconds."""
        for attempt in range(attempts):
            try:
                with self._connect() as db:
                    if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                        db.execute("PRAGMA journal_mode=WAL")
                    db.execute(f"CREATE TABLE IF NOT EXISTS {self.table} ("
                               f"key TEXT PRIMARY KEY, {self.column} {sql_type} NOT NULL)")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == attempts - 1:
                    raise
                time.sleep(0.1)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """One transaction on a fresh connection (connections are cheap; threads never share one)."""
        db = sqlite3.connect(self.path, timeout=30)
        try:
            db.execute("PRAGMA synchronous=NORMAL")
            with db:
                yield db
        finally:
            db.close()

    @staticmethod
    def key(model: str, text: str) -> str:
        return hashlib.sha256(f"{model}\x00{text}".encode("utf-8")).hexdigest()

    def get_rows(self, model: str, texts: Sequence[str]) -> dict[str, object]:
        """The stored values of those texts that have one, by text."""
        keys = {self.key(model, t): t for t in texts}
        items = list(keys)
        found: dict[str, object] = {}
        try:
            with self._connect() as db:
                for i in range(0, len(items), CHUNK):
                    chunk = items[i:i + CHUNK]
                    marks = ",".join("?" * len(chunk))
                    rows = db.execute(f"SELECT key, {self.column} FROM {self.table} "
                                      f"WHERE key IN ({marks})", chunk)
                    for key, value in rows:
                        found[keys[key]] = value
        except sqlite3.Error as exc:
            raise InputError(f"cannot read the {self.what}: {exc}", path=str(self.path),
                             hint=f"delete the file, or {self.hint}") from None
        return found

    def put_rows(self, model: str, values: dict[str, object], *, replace: bool) -> None:
        """Store values by text; `replace` False keeps a row already there."""
        verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE"
        try:
            with self._connect() as db:
                db.executemany(f"{verb} INTO {self.table} (key, {self.column}) VALUES (?, ?)",
                               [(self.key(model, t), v) for t, v in values.items()])
        except sqlite3.Error as exc:
            raise InputError(f"cannot write the {self.what}: {exc}", path=str(self.path),
                             hint=self.hint) from None

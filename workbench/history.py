"""The undo/redo history of a pair: an append-only journal beside its PO file, and its index.

The journal is `translations/.<pair>.po.history.jsonl`, JSON Lines read and written by "\\n" alone
(U+2028, U+2029 and U+0085 are escaped on output, and never split a line on input). Its first line
says the format and the fingerprint (a hash of the bytes) of the PO file the history starts from.
Every later line is one step: `do` (an action, with only what it changed: a bead's status or its
new notes, or for link/unlink/merge/split the beads removed and put in), `undo` or `redo` (naming
the `do` by its id). Each step records the fingerprint of the PO file it applied to (`base`) and
the one it produced (`po`), so that a journal that does not belong to its PO file (restored from
git, re-aligned, edited by hand) is recognised and set aside, renamed, never deleted.

A Journal object is the in-memory index of one file: it reads the file once, then only the lines
appended since (by size, inode), so a request costs the same at history length 0 and 100,000. Undo
is per author: each author has a stack of their own done and undone actions.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench import clock
from workbench.errors import ParseError
from workbench.files import file_kind, write_error

FORMAT = 2
WHAT = "workbench undo/redo history"
#: How the message of a ParseError for a history that cannot be read at all begins.
UNREADABLE = "unreadable history: "


def journal_path(po_path: str | Path) -> Path:
    p = Path(po_path)
    return p.with_name("." + p.name + ".history.jsonl")


def fingerprint(data: bytes) -> str:
    """What a history step records of a PO file: a hash of its bytes."""
    return hashlib.sha256(data).hexdigest()[:24]


def file_fingerprint(path: Path) -> str:
    return fingerprint(path.read_bytes())


def dumps(obj: Any) -> str:
    """One JSON line. Non-ASCII text stays readable; the three characters other line readers
    (str.splitlines, JavaScript before ES2019) take as line breaks are escaped, so that no reader
    can cut a line in two."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\x85", "\\u0085")


@dataclass(frozen=True)
class Step:
    """One action in the journal: `change` is what edit.py stored of it, `keys` the beads it
    touched (before and after)."""

    id: int
    action: str
    summary: str
    author: str
    time: str
    keys: tuple[str, ...]
    change: dict


@dataclass(frozen=True)
class Touch:
    """The latest journal line that touched a bead: who did what, and when."""

    step: int
    op: str
    author: str
    time: str
    summary: str

    def describe(self) -> str:
        what = {"do": "", "undo": "undo of ", "redo": "redo of "}[self.op]
        return f"{self.author or 'someone'} ({what}{self.summary}, {self.time})"


@dataclass
class Journal:
    """The index of one journal file. Callers serialise writes (edit.Editor holds the locks)."""

    path: Path
    header: dict = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    done: dict[str, list[int]] = field(default_factory=dict)
    undone: dict[str, list[int]] = field(default_factory=dict)
    touched: dict[str, Touch] = field(default_factory=dict)
    #: Fingerprint of the PO file after the last line (the header's when there are no steps).
    fingerprint: str | None = None
    #: `base` of the last line: the PO file it applied to (None for the header).
    last_base: str | None = None
    #: Where the last batch of lines (written together, sharing `base` and `po`) starts.
    batch_start: int = 0
    #: Steps taken in memory whose lines are not written yet (Editor writes them in one batch).
    pending: list[dict] = field(default_factory=list)
    offset: int = 0
    ident: tuple[int, int] | None = None
    lines: int = 0
    #: The PO revision after the last line.
    revision: int | None = None
    #: Whether a step replayed the set-aside history's work (workbench.recovery).
    replayed: bool = False

    # --- reading ---------------------------------------------------------------------------------

    def refresh(self, upto: int | None = None) -> None:
        """Bring the index up to the file: nothing to do when it did not grow, the new lines when it
        grew, everything when it was replaced or shrank. `upto`: read no line past that offset
        (a view of the history without its last batch). A history that is not a regular file (a
        directory, a FIFO) or cannot be read is a ParseError without a line, never opened."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            if self.ident is not None or self.lines:
                self._reset()
            return
        except OSError as exc:
            raise self._unreadable(exc.strerror or str(exc)) from None
        if not stat.S_ISREG(st.st_mode):
            raise self._unreadable(f"it is {file_kind(st.st_mode)}, not a file")
        ident = (st.st_dev, st.st_ino)
        if ident == self.ident and st.st_size == self.offset:
            return
        if ident != self.ident or st.st_size < self.offset:
            self._reset()
            self.ident = ident
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                data = f.read() if upto is None else f.read(max(0, upto - self.offset))
        except OSError as exc:
            raise self._unreadable(exc.strerror or str(exc)) from None
        end = data.rfind(b"\n") + 1  # a line without its "\n" is still being written, or torn
        pos = 0
        while pos < end:
            nl = data.index(b"\n", pos)
            self._read_line(data[pos:nl], self.offset + pos)
            pos = nl + 1
        self.offset += end

    def _unreadable(self, why: str) -> ParseError:
        return ParseError(f"{UNREADABLE}{why}", path=str(self.path),
                          hint="the workbench sets it aside and starts a new history; the PO "
                               "file itself is not affected")

    def torn_tail(self) -> bool:
        """True when the file ends in a line without its "\\n" (a write cut short by a crash)."""
        try:
            return os.stat(self.path).st_size > self.offset
        except FileNotFoundError:
            return False

    def _reset(self) -> None:
        fresh = Journal(self.path)
        self.__dict__.update(fresh.__dict__)

    def _read_line(self, raw: bytes, start: int) -> None:
        self.lines += 1
        if not raw.strip():
            return
        try:
            d = json.loads(raw.decode("utf-8"))
            if self.lines == 1:
                self._read_header(d)
            else:
                self._read_step(d)
                if (d["base"], d["po"]) != (self.last_base, self.fingerprint):
                    self.batch_start = start
                self.fingerprint, self.last_base = d["po"], d["base"]
                self.revision = d.get("revision")
        except (ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
            raise ParseError(f"damaged history entry: {exc}", path=str(self.path), line=self.lines,
                             hint="move the history file away to start a new history; the PO "
                                  "file itself is not affected") from None

    def _read_header(self, d: dict) -> None:
        if d.get("format") != FORMAT:
            raise ValueError(f"history format {d.get('format')!r}, this version reads {FORMAT}")
        self.header = d
        self.fingerprint = d.get("po")
        self.revision = d.get("revision")
        self.last_base = None

    def _read_step(self, d: dict) -> None:
        op, author = d["op"], d["author"]
        if op == "do":
            step = Step(int(d["id"]), d["action"], d["summary"], author, d["time"],
                        tuple(d["keys"]), d["change"])
            if step.id != len(self.steps):
                raise ValueError(f"step id {step.id} out of sequence (expected {len(self.steps)})")
            self.steps.append(step)
            self.replayed = self.replayed or step.action == "replay"
            self.done.setdefault(author, []).append(step.id)
            self.undone[author] = []
        else:
            step = self.steps[int(d["id"])]
            take, put = (self.done, self.undone) if op == "undo" else (self.undone, self.done)
            stack = take.get(author, [])
            if not stack or stack[-1] != step.id:
                raise ValueError(f"{op} of step {step.id} is not {author}'s next one")
            stack.pop()
            put.setdefault(author, []).append(step.id)
        touch = Touch(step.id, op, author, d["time"], step.summary)
        for key in step.keys:
            self.touched[key] = touch

    # --- writing ---------------------------------------------------------------------------------

    def _write(self, lines: list[dict]) -> None:
        """Append `lines` whole or not at all: a write cut short (a full disk) is truncated away
        again, and is a StorageError."""
        data = memoryview(b"".join((dumps(d) + "\n").encode("utf-8") for d in lines))
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise write_error(exc, self.path) from None
        try:
            start = os.fstat(fd).st_size
            try:
                while data:
                    data = data[os.write(fd, data):]
            except OSError as exc:
                try:
                    os.ftruncate(fd, start)
                except OSError:
                    pass  # the torn line is dropped when the history is next read
                raise write_error(exc, self.path) from None
            st = os.fstat(fd)
        finally:
            os.close(fd)
        self.ident = (st.st_dev, st.st_ino)
        self.offset = st.st_size

    def start(self, po_fingerprint: str, revision: int, **extra: Any) -> None:
        """Begin a new journal for a PO file (the file must not exist)."""
        self._reset()
        self._header_line(po_fingerprint, revision, extra)

    def _header_line(self, po_fingerprint: str, revision: int, extra: dict) -> None:
        header = {"format": FORMAT, "what": WHAT, "po": po_fingerprint, "revision": revision,
                  "time": clock.now(), **extra}
        self._write([header])
        self.lines = 1
        self._read_header(header)

    def queue(self, obj: dict) -> Step:
        """Take a step in memory; its line is written by write_batch."""
        obj = {"time": clock.now(), **obj}
        self._read_step(obj)
        self.pending.append(obj)
        return self.steps[obj["id"]]

    def do(self, *, action: str, summary: str, author: str, keys: list[str], change: dict,
           revision: int) -> Step:
        return self.queue({"op": "do", "id": len(self.steps), "action": action,
                           "summary": summary, "author": author, "keys": keys, "change": change,
                           "revision": revision})

    def step(self, op: str, step: Step, *, author: str, revision: int) -> None:
        self.queue({"op": op, "id": step.id, "author": author, "revision": revision})

    def take_pending(self) -> list[dict]:
        """The steps taken in memory so far, to be written by write_batch; later ones wait."""
        batch, self.pending = self.pending, []
        return batch

    def write_batch(self, batch: list[dict], *, base: str, base_revision: int, po: str,
                    revision: int) -> None:
        """Write steps as one batch: the PO file was `base` before them and is `po` after them
        (written next). A journal not started yet starts at `base`."""
        if self.lines == 0:
            self._header_line(base, base_revision, {})
        self.batch_start = self.offset
        self._write([d | {"base": base, "po": po} for d in batch])
        self.lines += len(batch)
        self.fingerprint, self.last_base, self.revision = po, base, revision

    def drop_last_batch(self) -> None:
        """Remove the last batch: steps whose PO file was never written (a crash in between)."""
        with open(self.path, "r+b") as f:
            f.truncate(self.batch_start)
        self._reset()
        self.refresh()

    def drop_torn_tail(self) -> None:
        with open(self.path, "r+b") as f:
            f.truncate(self.offset)

    def set_aside(self, reason: str) -> Path:
        """Rename the journal out of the way (kept for the record) and forget it."""
        stamp = clock.compact()
        base = self.path.name[:-len(".jsonl")]
        target = self.path.with_name(f"{base}.set-aside-{stamp}.jsonl")
        n = 1
        while target.exists():
            n += 1
            target = self.path.with_name(f"{base}.set-aside-{stamp}-{n}.jsonl")
        os.replace(self.path, target)
        self._reset()
        return target

    # --- state -----------------------------------------------------------------------------------

    def next_undo(self, author: str) -> Step | None:
        stack = self.done.get(author)
        return self.steps[stack[-1]] if stack else None

    def next_redo(self, author: str) -> Step | None:
        stack = self.undone.get(author)
        return self.steps[stack[-1]] if stack else None

    def notice(self) -> str | None:
        aside = self.header.get("set_aside")
        if not aside or self.steps:
            return None
        return (f"The undo history was set aside as {aside}: {self.header.get('reason')}. Undo "
                "starts again from here.")

    def recover(self) -> dict | None:
        """What the set-aside history holds that the PO file lacked when it was set aside, while
        it has not been replayed: {"aside", "summary", "counts"} (workbench.recovery)."""
        if not self.header.get("lacking") or self.replayed:
            return None
        return {"aside": self.header["set_aside"], "summary": self.header["lacking"],
                "counts": self.header.get("lacking_counts", {})}

    def state(self, author: str) -> dict:
        u, r = self.next_undo(author), self.next_redo(author)
        return {"author": author, "can_undo": u is not None, "can_redo": r is not None,
                "undo": u.summary if u else None, "redo": r.summary if r else None,
                "done": len(self.done.get(author, ())), "undone": len(self.undone.get(author, ())),
                "notice": self.notice(), "recover": self.recover()}

"""Performing changes to pairs' PO files with their undo history: the Editor.

Under the pair's lock an Editor checks the revisions the caller's view was based on (the pair's,
and each bead's: a hash of its record, so edits to different beads never conflict), applies the
change (a function of workbench.edit), records it in the pair's history (workbench.history: an
append-only journal of only what changed) and saves the PO file atomically (store.save_edit).
Undo and redo are per author; an undo whose beads someone else changed later is refused with a
ConflictError that says who changed what.
"""

from __future__ import annotations

import glob
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, NoReturn, Sequence

from workbench import files, history, recovery, store
from workbench.changes import (Change, apply, apply_header, bead_revision, encode, replay,
                               touched_keys)
from workbench.errors import ConflictError, InputError, ParseError
from workbench.history import Journal
from workbench.store import PairFile, Record


@dataclass(frozen=True)
class Outcome:
    """What an action left on disk: the saved pair, the change made, the author's history state."""

    pair: PairFile
    change: Change
    history: dict


Loader = Callable[[Path], PairFile]


def _identity(path: Path) -> tuple[int, int, int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


@dataclass
class _Pair:
    """What an Editor holds of one pair: its PO file as the latest change left it (`pf`), what is
    on disk (`ident`, `fp`, `disk_revision`), the index of its history, and the group commit's
    tickets: every change takes the next ticket, and the change is acknowledged once a write that
    covers its ticket is on disk."""

    journal: Journal
    lock: threading.Lock = field(default_factory=threading.Lock)
    flush_lock: threading.Lock = field(default_factory=threading.Lock)
    ident: tuple[int, int, int, int] | None = None
    pf: PairFile | None = None
    fp: str = ""
    disk_revision: int = 0
    taken: int = 0
    settled: int = 0
    failed: dict[int, BaseException] = field(default_factory=dict)
    flushing: bool = False
    #: The pair's file lock, held from the first change taken in memory until the write that
    #: puts the last one on disk, so that other processes never build on a state about to change.
    held: "files.PairLock | None" = None

    @property
    def busy(self) -> bool:
        """Changes taken in memory and not on disk yet: memory, not the disk, is the truth."""
        return self.flushing or bool(self.journal.pending) or self.held is not None


def _remove_leftovers(po_path: Path) -> None:
    """Delete the temporary files a killed save left beside the PO file. Saves write them under
    the store's lock, so under that lock any that exist are leftovers. Where there are none, no
    lock is taken: a reader writes nothing."""
    pattern = "." + glob.escape(po_path.name) + ".*.tmp"
    if not po_path.parent.is_dir() or not any(po_path.parent.glob(pattern)):
        return
    try:
        with files.lock(po_path):
            for tmp in po_path.parent.glob(pattern):
                tmp.unlink(missing_ok=True)
    except (ConflictError, InputError, OSError):
        return  # locked for too long, or a directory this process cannot write: tried again later


def _damage(exc: ParseError) -> str:
    """Why a history whose reading raised `exc` is set aside."""
    if exc.message.startswith(history.UNREADABLE):
        return "it could not be read: " + exc.message.removeprefix(history.UNREADABLE)
    detail = exc.message.removeprefix("damaged history entry: ")
    return f"line {exc.line} of it is damaged ({detail})"


def _author(author: str) -> str:
    name = " ".join(author.split())
    if not name:
        raise InputError("set your name first: every change is signed with its author's name",
                         hint="the page asks for it; API clients send \"author\"")
    return name


def _copy(pf: PairFile) -> PairFile:
    return PairFile(header=dict(pf.header), records=list(pf.records), path=pf.path,
                    read_only=pf.read_only)


class Editor:
    """Performs, undoes and redoes changes to pairs' PO files, each recorded in the pair's history.

    It keeps each pair's parsed file and history index between calls and reads again only what
    changed on disk, so one object serves a whole server process; other processes (another server,
    the CLI) stay consistent with it through the files and their locks.

    Changes are committed in groups: a change is checked and applied in memory under the pair's
    lock, then waits for a write of the PO file that includes it; one thread writes for all the
    changes waiting (history lines first, then the PO file, atomically), and each change is
    acknowledged only when that write is on disk. Concurrent editors thus share the cost of one
    durable write. A crash between the history and the PO write leaves a last batch of steps whose
    PO file was never written; it is dropped on the next call."""

    def __init__(self, load: Loader = store.load) -> None:
        self._load = load
        #: Entry texts of the pairs this Editor saves, so a save formats only what changed.
        self._renders = store.RenderCache()
        self._pairs: dict[Path, _Pair] = {}
        self._guard = threading.Lock()

    def _pair(self, po_path: str | Path) -> tuple[Path, _Pair]:
        p = Path(po_path)
        with self._guard:
            pair = self._pairs.get(p)
            if pair is None:
                _remove_leftovers(p)
                pair = self._pairs[p] = _Pair(Journal(history.journal_path(p)))
        return p, pair

    def _current(self, p: Path, pair: _Pair) -> PairFile:
        """The pair's PO file (the caller holds pair.lock): as the latest change left it while
        changes are in flight, else as on disk now."""
        if (pair.flushing or pair.journal.pending) and pair.pf is not None:
            return pair.pf
        for _ in range(5):
            ident = _identity(p)
            if ident is not None and ident == pair.ident and pair.pf is not None:
                return pair.pf
            pf = self._load(p)  # a missing file raises NotFoundError here
            fp = history.file_fingerprint(p)
            if _identity(p) == ident:
                pair.ident, pair.pf, pair.fp, pair.disk_revision = ident, pf, fp, pf.revision
                return pf
        raise ConflictError("the PO file keeps changing while it is read", path=str(p),
                            hint="another program is writing it; try again when it is done")

    def load(self, po_path: str | Path) -> PairFile:
        """The parsed PO file, parsed again only when the file changed on disk. Callers must not
        modify it."""
        p, pair = self._pair(po_path)
        with pair.lock:
            return self._current(p, pair)

    def forget(self, po_path: str | Path) -> None:
        with self._guard:
            self._pairs.pop(Path(po_path), None)

    def state(self, po_path: str | Path, author: str = "") -> dict:
        """The undo/redo state of `author` in the pair's history, as the next change will find
        it. Reading writes nothing and takes no lock: a history to repair (a crash's leftovers,
        a damaged history, one of another version of the PO file) is repaired by the next change
        (`_reconcile`, under the file lock), and until then the state says so, and what of its
        work the PO file lacks (workbench.recovery)."""
        p, pair = self._pair(po_path)
        name = " ".join(author.split())
        with pair.lock:
            journal, problem = self._view(p, pair)
            pf = pair.pf
        if problem is None:
            return journal.state(name) | {"revision": pf.revision}
        state = Journal(journal.path).state(name)
        state["notice"] = (f"The undo history will be set aside at the next change: {problem}. "
                           "Undo starts again from there.")
        if journal.steps:  # a history of another version of the file (a damaged one is not read)
            state["recover"] = recovery.offer(journal.path, pf.records, pf.header)
        return state | {"revision": pf.revision}

    def settle(self, po_path: str | Path) -> None:
        """Make the pair's history belong to its PO file now, as the next change would."""
        p, pair = self._pair(po_path)
        with pair.lock:
            self._hold(p, pair)
            self._release(pair)

    def _view(self, p: Path, pair: _Pair) -> tuple[Journal, str | None]:
        """The history as it belongs to the PO file on disk, read only (the caller holds
        pair.lock), or why it does not belong: what `_reconcile` would set aside."""
        if pair.busy:
            return pair.journal, None
        pf = self._current(p, pair)
        try:
            pair.journal.refresh()  # a line a crash cut short is not read
        except ParseError as exc:
            pair.journal = Journal(pair.journal.path)
            return pair.journal, _damage(exc)
        j = pair.journal
        if j.fingerprint in (None, pair.fp):
            return j, None
        if j.last_base == pair.fp:  # the last batch's PO file was never written: not counted
            view = Journal(j.path)
            view.refresh(upto=j.batch_start)
            if view.fingerprint in (None, pair.fp):
                return view, None
        return j, (f"it does not belong to this PO file, which is at revision {pf.revision} with "
                   f"other content than the history's revision {j.revision} (changed outside the "
                   "workbench, e.g. restored from git or re-aligned)")

    def _reconcile(self, p: Path, pair: _Pair) -> None:
        """Make the history belong to the PO file (under the file lock): drop what a crash left
        half done, and set aside a history that belongs to another version of the file."""
        self._refresh(p, pair)
        j = pair.journal
        if j.torn_tail():
            j.drop_torn_tail()
            self._refresh(p, pair)
            j = pair.journal
        pf = self._current(p, pair)
        if j.fingerprint in (None, pair.fp):
            return
        if j.last_base == pair.fp:
            j.drop_last_batch()  # those steps' PO file was never written
            if j.fingerprint == pair.fp:
                return
        if not j.steps:  # nothing to lose: start again from this file, keeping the notice
            extra = {k: j.header[k] for k in ("set_aside", "reason", "lacking", "lacking_counts")
                     if k in j.header}
            j.path.unlink()
            j.start(pair.fp, pf.revision, **extra)
            return
        self._set_aside(p, pair, (
            f"it did not belong to this PO file, which is at revision {pf.revision} with other "
            f"content than the history's revision {j.revision} (changed outside the workbench, "
            "e.g. restored from git or re-aligned)"), assess=True)

    def _set_aside(self, p: Path, pair: _Pair, reason: str, assess: bool = False) -> None:
        """Rename the history away (under the file lock) and start a new one from the PO file
        as it is, with a notice saying why (and, with `assess`, what of the history's work the
        file lacks: workbench.recovery)."""
        j = pair.journal
        pf = self._current(p, pair)
        try:
            aside = j.set_aside(reason)
        except OSError as exc:
            raise files.write_error(exc, j.path) from None
        found = recovery.assess(aside, pf.records, pf.header) if assess else None
        lacking = {"lacking": found.describe(), "lacking_counts": found.counts()} \
            if found is not None and found.lacking else {}
        j.start(pair.fp, pf.revision, set_aside=aside.name, reason=reason, **lacking)

    def _refresh(self, p: Path, pair: _Pair) -> None:
        """Read what the history file gained (under the file lock); a history that cannot be read
        is set aside, so that a damaged file never locks up the pair."""
        try:
            pair.journal.refresh()
        except ParseError as exc:
            pair.journal = Journal(pair.journal.path)
            self._set_aside(p, pair, _damage(exc))

    def _who(self, pair: _Pair, key: str) -> str:
        touch = pair.journal.touched.get(key)
        return touch.describe() if touch else "a change outside the history"

    def _check(self, pair: _Pair, pf: PairFile, revision: int | None,
               beads: Mapping[str, str] | None, named: Sequence[str] = ()) -> None:
        gone = [k for k in named if k in pair.journal.touched and k not in (beads or {})]
        if gone:
            present = {r.key for r in pf.records}
            for key in gone:
                if key not in present:  # (a key the history never saw stays a 404)
                    raise ConflictError(f"bead {key} no longer exists: changed by "
                                        f"{self._who(pair, key)}", current_revision=pf.revision,
                                        hint="the page shows the current state")
        if revision is not None:
            store.check_revision(pf.revision, revision, pf.path)
        if not beads:
            return
        index = {r.key: r for r in pf.records}
        for key, rev in beads.items():
            r = index.get(key)
            if r is None:
                raise ConflictError(f"bead {key} no longer exists: changed by {self._who(pair, key)}",
                                    current_revision=pf.revision,
                                    hint="the page shows the current state; apply the change again")
            if bead_revision(r) != rev:
                raise ConflictError(f"bead {key} was changed by {self._who(pair, key)} since your "
                                    "view of it", current_revision=pf.revision,
                                    hint="the page shows the current state; apply the change again")

    def _take(self, pair: _Pair, current: PairFile, records: list[Record],
              header: Mapping[str, str] | None = None) -> tuple[PairFile, int]:
        """The next state of the pair in memory (the caller holds pair.lock and has queued the
        step in the journal) and the ticket to wait for; `header`: the header the change left."""
        pf = _copy(current)
        pf.records = records
        if header is not None:
            pf.header = dict(header)
        pf.header["X-Workbench-Revision"] = str(current.revision + 1)
        pair.pf = pf
        pair.taken += 1
        return pf, pair.taken

    def _hold(self, p: Path, pair: _Pair) -> None:
        """Take the pair's file lock for a group of changes (the caller holds pair.lock) and catch
        up with what other processes wrote before it."""
        if pair.held is not None:
            return
        pair.held = files.PairLock(p)
        try:
            self._reconcile(p, pair)
        except BaseException:
            self._release(pair)
            raise

    def _release(self, pair: _Pair) -> None:
        """Let other processes write again (the caller holds pair.lock)."""
        if pair.held is not None and not pair.journal.pending and not pair.flushing:
            pair.held.release()
            pair.held = None

    def _commit(self, p: Path, pair: _Pair, ticket: int) -> None:
        """Return once the change with `ticket` is on disk; raise what its write raised."""
        with pair.flush_lock:
            with pair.lock:
                if ticket <= pair.settled:
                    failure = pair.failed.pop(ticket, None)
                    if failure is not None:
                        raise failure
                    return
                pf, upto, base = pair.pf, pair.taken, pair.fp
                expected = pair.disk_revision
                batch = pair.journal.take_pending()
                pair.flushing = True
            written: list[str] = []

            def before_write(data: bytes) -> None:
                po = history.fingerprint(data)
                pair.journal.write_batch(batch, base=base, base_revision=expected, po=po,
                                         revision=pf.revision)
                written.append(po)

            try:  # under the file lock the first change of this group took (pair.held)
                if history.fingerprint(p.read_bytes()) != base:
                    raise ConflictError(
                        "the pair was changed by another program meanwhile", path=str(p),
                        current_revision=None, hint="reload and apply the change again")
                saved = store.save_edit(pf, expected_revision=expected,
                                        new_revision=pf.revision, before_write=before_write,
                                        cache=self._renders)
                ident = _identity(p)
            except BaseException as exc:
                with pair.lock:
                    # Everything taken since the last write was built on what failed: refuse it
                    # all, and read the files again on the next call.
                    for t in range(pair.settled + 1, pair.taken + 1):
                        pair.failed[t] = exc
                    pair.settled = pair.taken
                    pair.flushing = False
                    pair.journal = Journal(pair.journal.path)
                    pair.pf, pair.ident = None, None
                    self._release(pair)
                    failure = pair.failed.pop(ticket, exc)
                raise failure from None
            with pair.lock:
                pair.fp, pair.ident, pair.disk_revision = written[0], ident, saved.revision
                pair.settled = upto
                pair.flushing = False
                if pair.taken == upto:
                    pair.pf = saved  # the header as written (PO-Revision-Date)
                    self._release(pair)

    def perform(self, po_path: str | Path, action: Callable[[PairFile], Change], *, author: str,
                revision: int | None = None, beads: Mapping[str, str] | None = None,
                named: Sequence[str] = ()) -> Outcome:
        """Apply `action` and record it in the history (a no-op is not recorded). `revision` (the
        pair's) and `beads` (key -> bead_revision) are what the caller's view was based on; a
        mismatch is a ConflictError saying who changed what, and nothing is written. `named` are
        the beads the action names: one that a change in the history removed is a ConflictError
        naming that change, not a bead that never was."""
        name = _author(author)
        p, pair = self._pair(po_path)
        with pair.lock:
            self._hold(p, pair)
            try:
                current = self._current(p, pair)
                store.check_writable(current, p)  # refused before anything is queued
                self._check(pair, current, revision, beads, named)
                work = _copy(current)
                change = action(work)
            except BaseException:
                self._release(pair)
                raise
            if change.empty:
                # Nothing to write; but acknowledge only a state that is on disk.
                pf, ticket = current, pair.taken
                self._release(pair)
            else:
                pair.journal.do(action=change.action, summary=change.summary, author=name,
                                keys=touched_keys(change), change=encode(change),
                                revision=current.revision + 1)
                pf, ticket = self._take(pair, current, work.records, work.header)
            state = pair.journal.state(name)
        self._commit(p, pair, ticket)
        return Outcome(pf, change, state)

    def undo(self, po_path: str | Path, *, author: str, revision: int | None = None) -> Outcome:
        """Revert `author`'s latest change that is not undone yet."""
        return self._step(po_path, author, revision, undoing=True)

    def redo(self, po_path: str | Path, *, author: str, revision: int | None = None) -> Outcome:
        """Apply again `author`'s latest undone change."""
        return self._step(po_path, author, revision, undoing=False)

    def _step(self, po_path: str | Path, author: str, revision: int | None, *,
              undoing: bool) -> Outcome:
        name = _author(author)
        verb = "undo" if undoing else "redo"
        p, pair = self._pair(po_path)
        with pair.lock:
            self._hold(p, pair)
            try:
                current = self._current(p, pair)
                store.check_writable(current, p)
                self._check(pair, current, revision, None)
                j = pair.journal
                step = j.next_undo(name) if undoing else j.next_redo(name)
                if step is None:
                    raise InputError(f"nothing to {verb} for {name} in this pair")

                def clash(key: str, what: str) -> NoReturn:
                    raise ConflictError(f"cannot {verb} '{step.summary}': bead {key} {what}, "
                                        f"changed later by {self._who(pair, key)}",
                                        current_revision=current.revision,
                                        hint=f"{verb} needs the bead as your change left it; "
                                             "make the change by hand instead")

                change = replay(current.records, step, forward=not undoing, clash=clash)
                records = apply(current.records, change)
                header = apply_header(current.header, change)
            except BaseException:
                self._release(pair)
                raise
            j.step(verb, step, author=name, revision=current.revision + 1)
            pf, ticket = self._take(pair, current, records, header)
            state = j.state(name)
        self._commit(p, pair, ticket)
        return Outcome(pf, change, state)


def perform(po_path: str | Path, action: Callable[[PairFile], Change], *, author: str,
            revision: int | None = None, beads: Mapping[str, str] | None = None,
            load: Loader = store.load) -> Outcome:
    """Editor.perform with a fresh Editor (reads the pair's history once)."""
    return Editor(load).perform(po_path, action, author=author, revision=revision, beads=beads)


def undo(po_path: str | Path, *, author: str, revision: int | None = None,
         load: Loader = store.load) -> Outcome:
    return Editor(load).undo(po_path, author=author, revision=revision)


def redo(po_path: str | Path, *, author: str, revision: int | None = None,
         load: Loader = store.load) -> Outcome:
    return Editor(load).redo(po_path, author=author, revision=revision)


def history_state(po_path: str | Path, author: str = "") -> dict:
    state = Editor().state(po_path, author)
    state.pop("revision")
    return state


"""Changes translators make to a pair's records, and performing them with their undo history.

Every action (set a status, add an annotation, link a source sentence with a rendering sentence,
unlink a bead, merge a bead with the next, split a bead) is a function that edits a PairFile in
memory and returns a Change: the records it removed and the records it put in, each with its
position in display order.

An Editor ties this to the files: under the pair's lock it checks the revisions the caller's view
was based on (a bead's revision is a hash of its record, so edits to different beads never
conflict), applies the change, records it in the pair's history (workbench.history: an append-only
journal of only what changed) and saves the PO file atomically (store.save_edit). Undo and redo are
per author; an undo whose beads someone else changed later is refused with a ConflictError that
says who changed what.
"""

from __future__ import annotations

import fcntl
import glob
import hashlib
import os
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable, Mapping, NoReturn, Sequence

from workbench import files, history, store
from workbench.errors import ConflictError, InputError, ParseError
from workbench.history import Journal, Step
from workbench.store import Annotation, PairFile, Record

#: Method recorded on beads a translator built by hand (linked, merged, split): score 1.0. Beads
#: built by an edit carry no suggestion (Record.closest): the translator has answered it.
MANUAL = "manual"
#: Method recorded on beads left over from a correction (unlinked sentences, what a link took a
#: sentence from): score 0.0, so that sorting by score shows them early.
LEFTOVER = "unlinked"

Placed = tuple[tuple[int, Record], ...]


@dataclass(frozen=True)
class Change:
    """Records removed (`before`, positions in the old list) and put in (`after`, positions in the
    new list), plus what the action was."""

    action: str
    summary: str
    before: Placed
    after: Placed

    @property
    def empty(self) -> bool:
        return self.before == self.after

    def inverse(self) -> "Change":
        return Change(self.action, self.summary, self.after, self.before)

    def keys_after(self) -> list[str]:
        return [r.key for _, r in self.after]


def apply(records: list[Record], change: Change) -> list[Record]:
    """The list with `change` applied; ConflictError when `records` do not hold change.before."""
    for i, r in change.before:
        if i >= len(records) or records[i] != r:
            raise ConflictError(
                f"bead {r.key} was changed since this action ({change.summary})",
                hint="reload the page and make the change again")
    drop = {i for i, _ in change.before}
    out = [r for i, r in enumerate(records) if i not in drop]
    for j, r in sorted(change.after, key=lambda p: p[0]):
        out.insert(j, r)
    return out


def _change(action: str, summary: str, old: Sequence[Record], new: Sequence[Record]) -> Change:
    old_ids, new_ids = {id(r) for r in old}, {id(r) for r in new}
    return Change(action, summary,
                  tuple((i, r) for i, r in enumerate(old) if id(r) not in new_ids),
                  tuple((j, r) for j, r in enumerate(new) if id(r) not in old_ids))


def _commit(pf: PairFile, action: str, summary: str, new: list[Record]) -> Change:
    # The beads this change built have new texts: their fidelity findings are computed afresh;
    # every other bead keeps its own, byte for byte.
    # (A status or a note leaves the texts, and with them the findings, as they were.)
    if action in ("link", "unlink", "merge", "split"):
        kept = {id(r) for r in pf.records}
        new = [r if id(r) in kept else store.with_checks(pf, r) for r in new]
    change = _change(action, summary, pf.records, new)
    pf.records = new
    return change


# --- sentences inside a bead ---------------------------------------------------------------------

def _split_text(text: str, lengths: Sequence[int], n: int, key: str, what: str) -> list[str]:
    if n == 0:
        return []
    if n == 1:
        return [text]
    if len(lengths) == n and sum(lengths) + n - 1 == len(text):
        out, pos = [], 0
        for length in lengths:
            out.append(text[pos:pos + length])
            pos += length + 1
        return out
    raise InputError(f"bead {key} does not record where its {n} {what} sentences end",
                     hint="re-align the pair (`workbench align --overwrite`) to record "
                          "sentence lengths; merging still works")


@dataclass(frozen=True)
class _Sentence:
    text: str
    ref: tuple[str, str] | None
    mt: str | None = None


def sentences(r: Record) -> tuple[dict[int, _Sentence], dict[int, _Sentence]]:
    """The source and rendering sentences of a bead, by id, with their references and MT."""
    src = _split_text(r.source_text, r.source_lengths, len(r.source), r.key, "source")
    tgt = _split_text(r.rendering_text, r.rendering_lengths, len(r.target), r.key, "rendering")
    mt: list[str | None] = [None] * len(r.source)
    if r.mt is not None:
        mt = list(_split_text(r.mt, r.mt_lengths, len(r.source), r.key, "machine-translated"))
    refs: list[tuple[str, str] | None] = [None] * (len(r.source) + len(r.target))
    if len(r.references) == len(refs):
        refs = list(r.references)
    return ({i: _Sentence(src[k], refs[k], mt[k]) for k, i in enumerate(r.source)},
            {j: _Sentence(tgt[k], refs[len(r.source) + k]) for k, j in enumerate(r.target)})


def _build(src: dict[int, _Sentence], tgt: dict[int, _Sentence], *, like: Record, score: float,
           method: str, annotations: tuple[Annotation, ...] = (), status: str = "unreviewed",
           mt_model: str | None = None) -> Record:
    s_ids, t_ids = tuple(sorted(src)), tuple(sorted(tgt))
    several = len(s_ids) > 1 or len(t_ids) > 1
    mts = [src[i].mt for i in s_ids]
    has_mt = bool(s_ids) and all(m is not None for m in mts)
    refs = [src[i].ref for i in s_ids] + [tgt[j].ref for j in t_ids]
    return Record(
        source=s_ids, target=t_ids,
        source_text=" ".join(src[i].text for i in s_ids),
        rendering_text=" ".join(tgt[j].text for j in t_ids),
        score=score, method=method, status=status, annotations=annotations,
        mt=" ".join(m for m in mts if m is not None) if has_mt else None,
        mt_model=(mt_model or like.mt_model) if has_mt else None,
        references=tuple(r for r in refs if r is not None) if all(refs) else (),
        source_lengths=tuple(len(src[i].text) for i in s_ids) if several else (),
        rendering_lengths=tuple(len(tgt[j].text) for j in t_ids) if several else (),
        mt_lengths=tuple(len(m) for m in mts if m is not None) if several and has_mt else ())


def _index(pf: PairFile, key: str) -> int:
    for i, r in enumerate(pf.records):
        if r.key == key:
            return i
    pf.record(key)  # raises NotFoundError with the file name
    raise AssertionError("unreachable")


def _holding(pf: PairFile, side: str, sid: int) -> int:
    for i, r in enumerate(pf.records):
        if sid in (r.source if side == "source" else r.target):
            return i
    raise InputError(f"no {side} sentence {sid} in this pair",
                     hint="sentence ids are 0-based and shown on the page as data-id")


# --- actions -------------------------------------------------------------------------------------

def set_status(pf: PairFile, key: str, status: str) -> Change:
    i = _index(pf, key)
    new = list(pf.records)
    new[i] = store.set_status(PairFile(pf.header, [pf.records[i]]), key, status)
    if new[i] == pf.records[i]:
        new[i] = pf.records[i]
    return _commit(pf, "status", f"{status} {key}", new)


def annotate(pf: PairFile, key: str, text: str, category: str, author: str,
             time: str | None = None) -> Change:
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text and not category:
        raise InputError("an annotation needs a text or a category")
    i = _index(pf, key)
    new = list(pf.records)
    new[i] = store.add_annotation(PairFile(pf.header, [pf.records[i]]), key, text, category,
                                  author.replace("\r", " ").replace("\n", " "), time)
    return _commit(pf, "annotate", f"note on {key}", new)


def link(pf: PairFile, source: int, target: int) -> Change:
    """Put rendering sentence `target` into the bead of source sentence `source`; the bead it
    leaves keeps its other sentences (or disappears when it had none)."""
    a, b = _holding(pf, "source", source), _holding(pf, "rendering", target)
    if a == b:
        raise InputError(f"source sentence {source} and rendering sentence {target} are already "
                         "in the same bead")
    ra, rb = pf.records[a], pf.records[b]
    sa, ta = sentences(ra)
    sb, tb = sentences(rb)
    joined = _build(sa, ta | {target: tb[target]}, like=ra, score=1.0, method=MANUAL,
                    annotations=ra.annotations, mt_model=ra.mt_model)
    new = list(pf.records)
    new[a] = joined
    rest_t = {j: s for j, s in tb.items() if j != target}
    if sb or rest_t:
        new[b] = _build(sb, rest_t, like=rb, score=0.0, method=LEFTOVER,
                        annotations=rb.annotations)
    else:
        del new[b]
    return _commit(pf, "link", f"link s{source} with t{target}", new)


def unlink(pf: PairFile, key: str) -> Change:
    """Replace a bead by one bead per sentence: its source sentences, then its rendering ones."""
    i = _index(pf, key)
    r = pf.records[i]
    if not r.source or not r.target:
        raise InputError(f"bead {key} links nothing: it has sentences on one side only")
    src, tgt = sentences(r)
    pieces = [_build({s: src[s]}, {}, like=r, score=0.0, method=LEFTOVER) for s in r.source]
    pieces += [_build({}, {t: tgt[t]}, like=r, score=0.0, method=LEFTOVER) for t in r.target]
    pieces[0] = replace(pieces[0], annotations=r.annotations)
    return _commit(pf, "unlink", f"unlink {key}", pf.records[:i] + pieces + pf.records[i + 1:])


def merge_next(pf: PairFile, key: str) -> Change:
    """Merge a bead with the one after it in display order."""
    i = _index(pf, key)
    if i + 1 >= len(pf.records):
        raise InputError(f"bead {key} is the last one: there is no next bead to merge with")
    r, n = pf.records[i], pf.records[i + 1]
    try:
        s1, t1 = sentences(r)
        s2, t2 = sentences(n)
    except InputError:
        merged = _concat(r, n)
    else:
        merged = _build(s1 | s2, t1 | t2, like=r, score=1.0, method=MANUAL,
                        annotations=r.annotations + n.annotations,
                        mt_model=r.mt_model or n.mt_model)
    return _commit(pf, "merge", f"merge {r.key} with {n.key}",
                   pf.records[:i] + [merged] + pf.records[i + 2:])


def _concat(r: Record, n: Record) -> Record:
    """Merge two beads whose sentence boundaries are not recorded: possible when neither side
    interleaves, since the texts then follow each other."""
    for a, b, side in ((r.source, n.source, "source"), (r.target, n.target, "rendering")):
        if a and b and max(a) > min(b):
            raise InputError(f"beads {r.key} and {n.key} interleave on the {side} side and do not "
                             "record where their sentences end", hint="re-align the pair "
                             "(`workbench align --overwrite`) to record sentence lengths")
    has_mt = (r.mt is not None or not r.source) and (n.mt is not None or not n.source) and bool(
        r.source or n.source)
    return Record(
        source=r.source + n.source, target=r.target + n.target,
        source_text=" ".join(t for t in (r.source_text, n.source_text) if t),
        rendering_text=" ".join(t for t in (r.rendering_text, n.rendering_text) if t),
        score=1.0, method=MANUAL, annotations=r.annotations + n.annotations,
        mt=" ".join(t for t in (r.mt, n.mt) if t) if has_mt else None,
        mt_model=(r.mt_model or n.mt_model) if has_mt else None,
        references=r.references[:len(r.source)] + n.references[:len(n.source)]
        + r.references[len(r.source):] + n.references[len(n.source):])


def split(pf: PairFile, key: str, source_at: int, target_at: int) -> Change:
    """Split a bead in two: its first `source_at` source and first `target_at` rendering sentences,
    then the rest."""
    i = _index(pf, key)
    r = pf.records[i]
    n, m = len(r.source), len(r.target)
    if not (0 <= source_at <= n and 0 <= target_at <= m):
        raise InputError(f"split point ({source_at}, {target_at}) is outside bead {key} ({r.kind})")
    if source_at + target_at == 0 or source_at + target_at == n + m:
        raise InputError(f"splitting bead {key} at ({source_at}, {target_at}) leaves one part empty",
                         hint=f"choose 0..{n} source and 0..{m} rendering sentences for the first part")
    src, tgt = sentences(r)
    first = _build({s: src[s] for s in r.source[:source_at]}, {t: tgt[t] for t in r.target[:target_at]},
                   like=r, score=1.0, method=MANUAL, annotations=r.annotations)
    second = _build({s: src[s] for s in r.source[source_at:]}, {t: tgt[t] for t in r.target[target_at:]},
                    like=r, score=1.0, method=MANUAL)
    return _commit(pf, "split", f"split {key}", pf.records[:i] + [first, second] + pf.records[i + 1:])


def dismiss(pf: PairFile, key: str, kind: str, finding_key: str, reason: str, author: str,
            time: str | None = None) -> Change:
    """Dismiss a fidelity finding of bead `key` with a reason: a note `check-dismissed KIND KEY:
    reason` (docs/po-format.md), which holds while the finding's key does, also on a bead an edit
    builds from this one (it keeps the notes)."""
    from workbench import findings

    text = findings.dismissal_text(kind, finding_key, reason)
    item = findings.find(pf, key, kind, finding_key)
    if not item.open:
        raise InputError(f"the {kind} finding {finding_key} of bead {key} is dismissed already: "
                         f"{item.dismissal.reason}")
    i = _index(pf, key)
    new = list(pf.records)
    new[i] = store.add_annotation(PairFile(pf.header, [pf.records[i]]), key, text, "",
                                  author.replace("\r", " ").replace("\n", " "), time)
    return _commit(pf, "dismiss", f"dismiss {kind} {finding_key} on {key}", new)


def undismiss(pf: PairFile, key: str, kind: str, finding_key: str) -> Change:
    """Drop the notes that dismiss finding `kind` `finding_key` of bead `key`."""
    from workbench import findings

    i = _index(pf, key)
    new = list(pf.records)
    new[i] = replace(pf.records[i], annotations=findings.without_dismissal(pf.records[i], kind,
                                                                          finding_key))
    return _commit(pf, "undismiss", f"undismiss {kind} {finding_key} on {key}", new)


# --- what the history stores of a change ---------------------------------------------------------

def _record_to_json(r: Record) -> dict:
    return asdict(r)


def _record_from_json(d: dict) -> Record:
    return Record(
        source=tuple(d["source"]), target=tuple(d["target"]), source_text=d["source_text"],
        rendering_text=d["rendering_text"], score=float(d["score"]), method=d["method"],
        status=d["status"], annotations=tuple(Annotation(**a) for a in d["annotations"]),
        mt=d["mt"], mt_model=d["mt_model"],
        references=tuple(tuple(x) for x in d["references"]),  # type: ignore[misc]
        source_lengths=tuple(d.get("source_lengths", ())),
        rendering_lengths=tuple(d.get("rendering_lengths", ())),
        mt_lengths=tuple(d.get("mt_lengths", ())),
        closest=(int(d["closest"][0]), float(d["closest"][1])) if d.get("closest") else None,
        checks=tuple(d.get("checks", ())))


def encode(change: Change) -> dict:
    """What the history keeps of a change: for a bead that keeps its sentences, its status
    (old, new) and the notes added; for link/unlink/merge/split, the beads removed and put in."""
    if len(change.before) == len(change.after) == 1:
        (i, old), (j, new) = change.before[0], change.after[0]
        n = len(old.annotations)
        if (i == j and old.key == new.key and new.annotations[:n] == old.annotations
                and replace(old, status=new.status, annotations=new.annotations) == new):
            out: dict = {"bead": old.key}
            if old.status != new.status:
                out["status"] = [old.status, new.status]
            if new.annotations[n:]:
                out["notes"] = [asdict(a) for a in new.annotations[n:]]
            return out
    return {"before": [[i, _record_to_json(r)] for i, r in change.before],
            "after": [[i, _record_to_json(r)] for i, r in change.after]}


def _touched_keys(change: Change) -> list[str]:
    keys: list[str] = []
    for _, r in change.before + change.after:
        if r.key not in keys:
            keys.append(r.key)
    return keys


def bead_revision(r: Record) -> str:
    """A bead's revision: a hash of everything its record holds. An edit names the revision of the
    bead it was made on, so that edits to different beads never conflict."""
    return hashlib.sha1(repr(r).encode("utf-8")).hexdigest()[:12]


Clash = Callable[[str, str], NoReturn]


def _replay(records: list[Record], step: Step, *, forward: bool, clash: Clash) -> Change:
    """The Change that does (forward) or reverts `step` on `records` as they are now; `clash` is
    called (and raises) when a bead it needs was changed later by someone else."""
    c = step.change
    if "bead" in c:
        key = c["bead"]
        i = next((k for k, r in enumerate(records) if r.key == key), None)
        if i is None:
            clash(key, "no longer exists")
        old = new = records[i]
        if "status" in c:
            was, becomes = c["status"] if forward else reversed(c["status"])
            if old.status != was:
                clash(key, f"is {old.status} now")
            new = replace(new, status=becomes)
        notes = tuple(Annotation(**a) for a in c.get("notes", ()))
        if forward:
            new = replace(new, annotations=new.annotations + notes)
        elif notes:
            kept = list(new.annotations)
            for note in reversed(notes):
                at = max((k for k, a in enumerate(kept) if a == note), default=None)
                if at is None:
                    clash(key, "no longer has the note")
                del kept[at]
            new = replace(new, annotations=tuple(kept))
        return Change(step.action, step.summary, ((i, old),), ((i, new),))
    before = tuple((i, _record_from_json(r)) for i, r in c["before"])
    after = tuple((i, _record_from_json(r)) for i, r in c["after"])
    if not forward:
        before, after = after, before
    where = {r.key: k for k, r in enumerate(records)}
    shift = None
    for i, r in before:
        k = where.get(r.key)
        if k is None:
            clash(r.key, "no longer exists")
        if records[k] != r:
            clash(r.key, "was changed")
        if shift is None:
            shift = k - i
        elif k - i != shift:
            clash(r.key, "was moved")
    shift = shift or 0
    return Change(step.action, step.summary, tuple((i + shift, r) for i, r in before),
                  tuple((i + shift, r) for i, r in after))


# --- performing changes: the PO file and its history together --------------------------------------

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
    held: "_FileLock | None" = None

    @property
    def busy(self) -> bool:
        """Changes taken in memory and not on disk yet: memory, not the disk, is the truth."""
        return self.flushing or bool(self.journal.pending) or self.held is not None


def _remove_leftovers(po_path: Path) -> None:
    """Delete the temporary files a killed save left beside the PO file. Saves write them under
    the store's lock, so under that lock any that exist are leftovers."""
    if not po_path.parent.is_dir():
        return
    try:
        with files.lock(po_path):
            for tmp in po_path.parent.glob("." + glob.escape(po_path.name) + ".*.tmp"):
                tmp.unlink(missing_ok=True)
    except ConflictError:
        return  # another process holds the lock too long: the next Editor tries again


class _FileLock:
    """An exclusive flock on the pair's `.history.lock` file (the lock filelock.FileLock takes on
    the same file, so the two exclude each other). Unlike FileLock it may be released by another
    thread than the one that took it: the thread that writes a group of changes releases the lock
    the first change of the group took."""

    def __init__(self, po_path: Path, timeout: float = 10.0) -> None:
        path = po_path.with_name("." + po_path.name + ".history.lock")
        self.fd: int | None = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    self.release()
                    raise ConflictError("the pair is locked by another program that is saving it",
                                        path=str(po_path), hint="try again in a moment") from None
                time.sleep(0.002)

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing the last descriptor releases the flock
            self.fd = None

    def __enter__(self) -> "_FileLock":
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


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
        """The undo/redo state of `author` in the pair's history."""
        p, pair = self._pair(po_path)
        with pair.lock:
            self._sync(p, pair)
            return pair.journal.state(" ".join(author.split())) | {"revision": pair.pf.revision}

    def _sync(self, p: Path, pair: _Pair) -> None:
        """Catch up with the files (the caller holds pair.lock): nothing to do while changes are in
        flight or when neither file changed; else re-read and, when the history does not belong
        to the PO file, reconcile them under the file lock."""
        if pair.busy:
            return
        self._current(p, pair)
        self._refresh(p, pair, locked=False)
        j = pair.journal
        if j.fingerprint not in (None, pair.fp) or j.torn_tail():
            with _FileLock(p):
                self._reconcile(p, pair)

    def _reconcile(self, p: Path, pair: _Pair) -> None:
        """Make the history belong to the PO file (under the file lock): drop what a crash left
        half done, and set aside a history that belongs to another version of the file."""
        self._refresh(p, pair, locked=True)
        j = pair.journal
        if j.torn_tail():
            j.drop_torn_tail()
            self._refresh(p, pair, locked=True)
            j = pair.journal
        pf = self._current(p, pair)
        if j.fingerprint in (None, pair.fp):
            return
        if j.last_base == pair.fp:
            j.drop_last_batch()  # those steps' PO file was never written
            if j.fingerprint == pair.fp:
                return
        if not j.steps:  # nothing to lose: start again from this file, keeping the notice
            extra = {k: j.header[k] for k in ("set_aside", "reason") if k in j.header}
            j.path.unlink()
            j.start(pair.fp, pf.revision, **extra)
            return
        self._set_aside(p, pair, (
            f"it did not belong to this PO file, which is at revision {pf.revision} with other "
            f"content than the history's revision {j.revision} (changed outside the workbench, "
            "e.g. restored from git or re-aligned)"))

    def _set_aside(self, p: Path, pair: _Pair, reason: str) -> None:
        """Rename the history away (under the file lock) and start a new one from the PO file
        as it is, with a notice saying why."""
        j = pair.journal
        pf = self._current(p, pair)
        aside = j.set_aside(reason)
        j.start(pair.fp, pf.revision, set_aside=aside.name, reason=reason)

    def _refresh(self, p: Path, pair: _Pair, *, locked: bool) -> None:
        """Read what the history file gained; a history that cannot be read is set aside, so that
        a damaged file never locks up the pair."""
        try:
            pair.journal.refresh()
        except ParseError as exc:
            pair.journal = Journal(pair.journal.path)
            detail = exc.message.removeprefix("damaged history entry: ")
            reason = f"line {exc.line} of it is damaged ({detail})"
            if locked:
                self._set_aside(p, pair, reason)
            else:
                with _FileLock(p):
                    self._set_aside(p, pair, reason)

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
        if revision is not None and pf.revision != revision:
            raise ConflictError(f"the pair was changed by someone else (revision {pf.revision}, "
                                f"this edit was based on {revision})", path=str(pf.path),
                                current_revision=pf.revision,
                                hint="reload and apply the change again")
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

    def _take(self, pair: _Pair, current: PairFile, records: list[Record]) -> tuple[PairFile, int]:
        """The next state of the pair in memory (the caller holds pair.lock and has queued the
        step in the journal) and the ticket to wait for."""
        pf = _copy(current)
        pf.records = records
        pf.header["X-Workbench-Revision"] = str(current.revision + 1)
        pair.pf = pf
        pair.taken += 1
        return pf, pair.taken

    def _hold(self, p: Path, pair: _Pair) -> None:
        """Take the pair's file lock for a group of changes (the caller holds pair.lock) and catch
        up with what other processes wrote before it."""
        if pair.held is not None:
            return
        pair.held = _FileLock(p)
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
                                        new_revision=pf.revision, before_write=before_write)
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
                                keys=_touched_keys(change), change=encode(change),
                                revision=current.revision + 1)
                pf, ticket = self._take(pair, current, work.records)
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

                change = _replay(current.records, step, forward=not undoing, clash=clash)
                records = apply(current.records, change)
            except BaseException:
                self._release(pair)
                raise
            j.step(verb, step, author=name, revision=current.revision + 1)
            pf, ticket = self._take(pair, current, records)
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

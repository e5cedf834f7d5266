"""Changes translators make to a pair's records, and the pair's undo/redo history.

Every action (set a status, add an annotation, link a source sentence with a rendering sentence,
unlink a bead, merge a bead with the next, split a bead) is a function that edits a PairFile in
memory and returns a Change: the records it removed and the records it put in, each with its
position in display order. A Change can be applied again (redo) or reverted (undo) exactly, and it
refuses to do either when the records it expects are no longer there, because someone changed them
in the meantime.

`perform`, `undo` and `redo` tie this to the files: under the pair's history lock they load the PO
file, check the revision the caller's edit was based on, apply the change, save the PO file
atomically (store.save) and then record the change in the history file, a JSON Lines sidecar
`translations/.<pair>.po.history.jsonl` that is itself replaced atomically. The PO file is always
saved first, so a crash between the two writes costs at most the ability to undo that last action,
never the action itself.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence

from workbench import store
from workbench.errors import ConflictError, InputError, ParseError
from workbench.store import Annotation, PairFile, Record

#: Method recorded on beads a translator built by hand (linked, merged, split): score 1.0.
MANUAL = "manual"
#: Method recorded on beads left over from a correction (unlinked sentences, what a link took a
#: sentence from): score 0.0, so that sorting by score shows them early.
LEFTOVER = "unlinked"
#: Oldest entries beyond this are dropped from the history (the PO file keeps the state itself).
HISTORY_LIMIT = 1000
HISTORY_FORMAT = 1

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
                hint="the pair was changed outside its history (another editor or a new "
                     "alignment); undo the later changes first, or delete the pair's "
                     ".history.jsonl file beside the PO file to start a new history")
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


# --- history -------------------------------------------------------------------------------------

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
        mt_lengths=tuple(d.get("mt_lengths", ())))


@dataclass(frozen=True)
class Entry:
    """A change in the history: who and when, the revision it produced, and whether it is undone."""

    change: Change
    author: str
    time: str
    revision: int
    undone: bool = False

    def to_json(self) -> str:
        c = self.change
        return json.dumps({
            "action": c.action, "summary": c.summary, "author": self.author, "time": self.time,
            "revision": self.revision, "undone": self.undone,
            "before": [[i, _record_to_json(r)] for i, r in c.before],
            "after": [[i, _record_to_json(r)] for i, r in c.after]}, ensure_ascii=False)

    @classmethod
    def from_json(cls, line: str) -> "Entry":
        d = json.loads(line)
        change = Change(d["action"], d["summary"],
                        tuple((i, _record_from_json(r)) for i, r in d["before"]),
                        tuple((i, _record_from_json(r)) for i, r in d["after"]))
        return cls(change, d["author"], d["time"], int(d["revision"]), bool(d["undone"]))


def history_path(po_path: str | Path) -> Path:
    p = Path(po_path)
    return p.with_name("." + p.name + ".history.jsonl")


class History:
    """The undo/redo history of one pair: done entries, then the undone ones (the redo stack)."""

    def __init__(self, path: Path, entries: list[Entry]) -> None:
        self.path = path
        self.entries = entries

    @classmethod
    def load(cls, po_path: str | Path) -> "History":
        path = history_path(po_path)
        if not path.exists():
            return cls(path, [])
        entries = []
        lines = path.read_text(encoding="utf-8").split("\n")  # not at U+2028
        for n, line in enumerate(lines, 1):
            if n == 1 or not line.strip():
                continue  # the first line is the format header
            try:
                entries.append(Entry.from_json(line))
            except (ValueError, KeyError, TypeError) as exc:
                raise ParseError(f"damaged history entry: {exc}", path=str(path), line=n,
                                 hint="delete the history file to start a new history; the PO "
                                      "file itself is not affected") from None
        return cls(path, entries)

    def save(self) -> None:
        lines = [json.dumps({"format": HISTORY_FORMAT, "what": "workbench undo/redo history"})]
        lines += [e.to_json() for e in self.entries[-HISTORY_LIMIT:]]
        store.write_atomic(self.path, ("\n".join(lines) + "\n").encode("utf-8"))

    @property
    def done(self) -> list[Entry]:
        return [e for e in self.entries if not e.undone]

    @property
    def undone(self) -> list[Entry]:
        return [e for e in self.entries if e.undone]

    def state(self) -> dict:
        done, undone = self.done, self.undone
        return {"can_undo": bool(done), "can_redo": bool(undone),
                "undo": done[-1].change.summary if done else None,
                "redo": undone[0].change.summary if undone else None,
                "done": len(done), "undone": len(undone)}


def _lock(po_path: Path):
    from filelock import FileLock

    return FileLock(str(po_path.with_name("." + po_path.name + ".history.lock")), timeout=10)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Outcome:
    """What an action left on disk: the saved pair, the change made, the history's state."""

    pair: PairFile
    change: Change
    history: dict


Loader = Callable[[Path], PairFile]


def _checked(po_path: Path, expected_revision: int | None, load: Loader) -> PairFile:
    pf = load(po_path)
    if expected_revision is not None and pf.revision != expected_revision:
        raise ConflictError(f"the pair was changed by someone else (revision {pf.revision}, this "
                            f"edit was based on {expected_revision})", path=str(po_path),
                            current_revision=pf.revision, hint="reload and apply the change again")
    return pf


def _copy(pf: PairFile) -> PairFile:
    return PairFile(header=dict(pf.header), records=list(pf.records), path=pf.path,
                    read_only=pf.read_only)


def perform(po_path: str | Path, action: Callable[[PairFile], Change], *,
            expected_revision: int | None = None, author: str = "",
            load: Loader = store.load) -> Outcome:
    """Apply `action` to the pair's file and record it in the history (a no-op is not recorded).
    `load` may be a caching loader; the PairFile it returns is not modified."""
    p = Path(po_path)
    with _lock(p):
        pf = _copy(_checked(p, expected_revision, load))
        change = action(pf)
        history = History.load(p)
        if change.empty:
            return Outcome(pf, change, history.state())
        saved = store.save_edit(pf, expected_revision=pf.revision)
        history.entries = history.done + [Entry(change, author, _now(), saved.revision)]
        history.save()
        return Outcome(saved, change, history.state())


def undo(po_path: str | Path, *, expected_revision: int | None = None,
         load: Loader = store.load) -> Outcome:
    """Revert the latest change that is not undone yet."""
    return _step(Path(po_path), expected_revision, load, undoing=True)


def redo(po_path: str | Path, *, expected_revision: int | None = None,
         load: Loader = store.load) -> Outcome:
    """Apply again the earliest undone change."""
    return _step(Path(po_path), expected_revision, load, undoing=False)


def _step(p: Path, expected_revision: int | None, load: Loader, *, undoing: bool) -> Outcome:
    with _lock(p):
        pf = _copy(_checked(p, expected_revision, load))
        history = History.load(p)
        stack = history.done if undoing else history.undone
        if not stack:
            raise InputError(f"nothing to {'undo' if undoing else 'redo'} for this pair")
        entry = stack[-1] if undoing else stack[0]
        change = entry.change.inverse() if undoing else entry.change
        pf.records = apply(pf.records, change)
        saved = store.save_edit(pf, expected_revision=pf.revision)
        k = next(i for i, e in enumerate(history.entries) if e is entry)
        history.entries[k] = replace(entry, undone=undoing, revision=saved.revision)
        history.save()
        return Outcome(saved, change, history.state())


def history_state(po_path: str | Path) -> dict:
    return History.load(po_path).state()

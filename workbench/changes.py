"""A change to a pair's records, and what the undo history keeps of it.

A Change holds the records an action removed and the records it put in, each with its position in
display order; `apply` performs it on a list of records, refusing (ConflictError) when the records
are no longer those it was made on. `encode` is what a history step stores of it (for a bead that
keeps its sentences only its status and its new notes; a header field as its old and new value),
and `replay` turns a stored step back
into the Change that does or reverts it on the records as they are now. A bead's revision
(`bead_revision`) is a hash of its record, so edits to different beads never conflict.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, replace
from typing import Callable, Mapping, NoReturn, Sequence

from workbench.errors import ConflictError
from workbench.history import Step
from workbench.store import Annotation, Part, Record

Placed = tuple[tuple[int, Record], ...]


@dataclass(frozen=True)
class Change:
    """Records removed (`before`, positions in the old list) and put in (`after`, positions in the
    new list), plus what the action was."""

    action: str
    summary: str
    before: Placed
    after: Placed
    #: Header fields the action changed: (field, old value, new value), "" for an absent field
    #: (the decisions on the name map are a pair's, not a bead's).
    header: tuple[tuple[str, str, str], ...] = ()

    @property
    def empty(self) -> bool:
        return self.before == self.after and all(old == new for _, old, new in self.header)

    def inverse(self) -> "Change":
        return Change(self.action, self.summary, self.after, self.before,
                      tuple((k, new, old) for k, old, new in self.header))

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


def between(action: str, summary: str, old: Sequence[Record], new: Sequence[Record],
            header: tuple[tuple[str, str, str], ...] = ()) -> Change:
    old_ids, new_ids = {id(r) for r in old}, {id(r) for r in new}
    return Change(action, summary,
                  tuple((i, r) for i, r in enumerate(old) if id(r) not in new_ids),
                  tuple((j, r) for j, r in enumerate(new) if id(r) not in old_ids), header)


def apply_header(header: Mapping[str, str], change: Change) -> dict[str, str]:
    """`header` with `change`'s header fields set; ConflictError when a field no longer holds the
    value the change was made on (someone changed it since)."""
    out = dict(header)
    for key, old, new in change.header:
        if out.get(key, "") != old:
            raise ConflictError(f"the pair's {key} was changed since this action "
                                f"({change.summary})", hint="reload the page and make the change "
                                                            "again")
        if new:
            out[key] = new
        else:
            out.pop(key, None)
    return out



def _record_to_json(r: Record) -> dict:
    return asdict(r)


def _record_from_json(d: dict) -> Record:
    # History written before the rendering side's ids were called "rendering" has them as "target".
    rendering = d["rendering"] if "rendering" in d else d["target"]
    return Record(
        source=tuple(d["source"]), rendering=tuple(rendering), source_text=d["source_text"],
        rendering_text=d["rendering_text"], score=float(d["score"]), method=d["method"],
        status=d["status"], annotations=tuple(Annotation(**a) for a in d["annotations"]),
        mt=d["mt"], mt_model=d["mt_model"],
        references=tuple(tuple(x) for x in d["references"]),  # type: ignore[misc]
        source_lengths=tuple(d.get("source_lengths", ())),
        rendering_lengths=tuple(d.get("rendering_lengths", ())),
        mt_lengths=tuple(d.get("mt_lengths", ())),
        closest=(int(d["closest"][0]), float(d["closest"][1])) if d.get("closest") else None,
        checks=tuple(d.get("checks", ())),
        reviewer=(d["reviewer"][0], d["reviewer"][1]) if d.get("reviewer") else None,
        parts=tuple(Part(tuple(p["source"]), tuple(p["rendering"]), float(p["score"]), p["method"],
                         (int(p["closest"][0]), float(p["closest"][1])) if p.get("closest")
                         else None, int(p.get("notes", 0))) for p in d.get("parts", ())))


def encode(change: Change) -> dict:
    """What the history keeps of a change: for a bead that keeps its sentences, its status
    (old, new) and the notes added; for link/unlink/merge/split, the beads removed and put in;
    and the header fields changed, (field, old, new) each."""
    out = _encode_records(change)
    if change.header:
        out["header"] = [list(h) for h in change.header]
    return out


def _encode_records(change: Change) -> dict:
    if len(change.before) == len(change.after) == 1 and not change.header:
        (i, old), (j, new) = change.before[0], change.after[0]
        n = len(old.annotations)
        if (i == j and old.key == new.key and new.annotations[:n] == old.annotations
                and replace(old, status=new.status, annotations=new.annotations,
                            reviewer=new.reviewer) == new):
            out: dict = {"bead": old.key}
            if old.status != new.status:
                out["status"] = [old.status, new.status]
            if old.reviewer != new.reviewer:
                out["reviewer"] = [old.reviewer, new.reviewer]
            if new.annotations[n:]:
                out["notes"] = [asdict(a) for a in new.annotations[n:]]
            return out
    return {"before": [[i, _record_to_json(r)] for i, r in change.before],
            "after": [[i, _record_to_json(r)] for i, r in change.after]}


def touched_keys(change: Change) -> list[str]:
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


def replay(records: list[Record], step: Step, *, forward: bool, clash: Clash) -> Change:
    """The Change that does (forward) or reverts `step` on `records` as they are now; `clash` is
    called (and raises) when a bead it needs was changed later by someone else."""
    c = step.change
    header = tuple((k, old, new) if forward else (k, new, old) for k, old, new in c.get("header", ()))
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
        if "reviewer" in c:
            signed = c["reviewer"][1] if forward else c["reviewer"][0]
            new = replace(new, reviewer=tuple(signed) if signed else None)
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
                  tuple((i + shift, r) for i, r in after), header)


"""The work a set-aside history holds that its PO file lacks (the file was restored from an older
version, say), and replaying that work onto the file as one undoable action. The work is in the
beads and, for a decision on the name map, in the header too."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from workbench import history
from workbench.changes import Change, _record_from_json, apply, between
from workbench.changes import replay as replay_step
from workbench.errors import ConflictError, InputError, ParseError
from workbench.history import Journal, Step
from workbench.store import Annotation, PairFile, Record

if TYPE_CHECKING:
    from workbench.editor import Editor, Outcome

#: How a message names each kind of step, singular and plural.
_KINDS = {"approval": "approvals", "status change": "status changes", "note": "notes",
          "dismissal": "dismissals", "alignment correction": "alignment corrections",
          "name decision": "name decisions", "replayed change": "replayed changes"}


class _Clash(Exception):
    """A step whose beads are neither as it found them nor as it left them."""


def kind(step: Step) -> str:
    """What a step did, as a reviewer counts it."""
    if step.action == "status":
        return "approval" if step.change.get("status", ["", ""])[1] == "approved" \
            else "status change"
    if step.action in ("dismiss", "undismiss"):
        return "dismissal"
    if step.action in ("link", "unlink", "merge", "split"):
        return "alignment correction"
    if step.action == "names":
        return "name decision"
    return "note" if step.action == "annotate" else "replayed change"


@dataclass(frozen=True)
class Assessment:
    """The steps of a set-aside history still in effect (done, not undone), sorted by what the
    records show of them: `lacking` could be replayed in order, `present` are in the records
    already, `clashing` found their beads (or header fields) changed otherwise. `records` is the
    list with every lacking step applied, `header` the header fields those steps set, each with
    the value it had before and the one it gets: (field, old, new), "" for an absent field."""

    lacking: tuple[Step, ...]
    present: int
    clashing: tuple[Step, ...]
    records: tuple[Record, ...]
    header: tuple[tuple[str, str, str], ...] = ()

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for step in self.lacking:
            out[kind(step)] = out.get(kind(step), 0) + 1
        return out

    def describe(self, where: str = "the set-aside history") -> str | None:
        """"6 approvals and 2 notes after this version are in the set-aside history", or None."""
        counts = self.counts()
        if not counts:
            return None
        parts = [f"{n} {k if n == 1 else _KINDS[k]}" for k, n in counts.items()]
        listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        return f"{listed} after this version {'is' if sum(counts.values()) == 1 else 'are'} in " \
               f"{where}"


def _bead(records: list[Record], c: dict) -> tuple[bool, list[Record]]:
    """A status or notes step on `records`: (already there, the records with it)."""
    i = next((k for k, r in enumerate(records) if r.key == c["bead"]), None)
    if i is None:
        raise _Clash
    r = new = records[i]
    if "status" in c:
        was, becomes = c["status"]
        if r.status not in (was, becomes):
            raise _Clash
        if r.status != becomes and c.get("reviewer"):  # the step's signature comes with it
            signed = c["reviewer"][1]
            new = replace(new, reviewer=tuple(signed) if signed else None)
        new = replace(new, status=becomes)
    notes = tuple(n for n in (Annotation(**a) for a in c.get("notes", ()))
                  if n not in r.annotations)
    new = replace(new, annotations=new.annotations + notes)
    if new == r:
        return True, records
    return False, records[:i] + [new] + records[i + 1:]


def _structure(records: list[Record], step: Step) -> tuple[bool, list[Record]]:
    """A link, unlink, merge or split step on `records`: (already there, the records with it)."""
    if all(_record_from_json(r) in records for _, r in step.change["after"]):
        return True, records

    def clash(key: str, what: str):
        raise _Clash

    try:
        return False, apply(records, replay_step(records, step, forward=True, clash=clash))
    except ConflictError:
        raise _Clash from None


def _header(head: dict[str, str], step: Step) -> tuple[bool, dict[str, str]]:
    """A step's header fields (a name decision's) on the header `head`: (already there, the
    header with them)."""
    fields = [(str(k), str(old), str(new)) for k, old, new in step.change.get("header", ())]
    if all(head.get(k, "") == new for k, _, new in fields):
        return True, head
    if any(head.get(k, "") != old for k, old, _ in fields):
        raise _Clash
    out = dict(head)
    for k, _, new in fields:
        if new:
            out[k] = new
        else:
            out.pop(k, None)
    return False, out


def assess(aside: Path, records: list[Record],
           header: Mapping[str, str] | None = None) -> Assessment:
    """What the set-aside history at `aside` holds that `records` (and the `header` of their
    file) lack; nothing when it cannot be read (a damaged history's steps are not guessed at)."""
    journal = Journal(aside)
    try:
        journal.refresh()
    except (ParseError, OSError):
        return Assessment((), 0, (), tuple(records))
    work = list(records)
    start = dict(header or {})
    head = dict(start)
    lacking, clashing, present = [], [], 0
    for i in sorted(i for stack in journal.done.values() for i in stack):
        step = journal.steps[i]
        try:
            there, new_work = (_bead(work, step.change) if "bead" in step.change
                               else _structure(work, step))
            head_there, new_head = _header(head, step)
        except (_Clash, KeyError, TypeError, ValueError):
            clashing.append(step)
            continue
        work, head = new_work, new_head
        if there and head_there:
            present += 1
        else:
            lacking.append(step)
    changed = tuple((k, start.get(k, ""), head.get(k, "")) for k in sorted(set(start) | set(head))
                    if start.get(k, "") != head.get(k, ""))
    return Assessment(tuple(lacking), present, tuple(clashing), tuple(work), changed)


def offer(path: Path, records: list[Record], header: Mapping[str, str] | None = None) -> dict | None:
    """What the history at `path`, which belongs to another version of the PO file and is set
    aside by the next change, holds that `records` (and `header`) lack (as Journal.recover says it
    once the history is set aside), or None."""
    found = assess(path, records, header)
    summary = found.describe("the undo history")
    return {"aside": path.name, "summary": summary, "counts": found.counts()} if summary else None


def replay_into(pf: PairFile, aside: Path) -> Change:
    """Apply to `pf` every step of the set-aside history it lacks, as one change (empty when there
    is none): an edit action for edit.Editor.perform."""
    found = assess(aside, pf.records, pf.header)
    counts = found.counts()
    summary = ("replay " + ", ".join(f"{n} {k if n == 1 else _KINDS[k]}"
                                     for k, n in counts.items()) + " from the set-aside history"
               if counts else "nothing to replay from the set-aside history")
    old, pf.records = pf.records, list(found.records)
    for k, _, new in found.header:
        if new:
            pf.header[k] = new
        else:
            pf.header.pop(k, None)
    return between("replay", summary, old, pf.records, found.header)


def replay(editor: "Editor", po_path: str | Path, *, author: str,
           revision: int | None = None) -> "Outcome":
    """Replay, as one action of `author` on the pair (undoable), what the set-aside history
    holds that the PO file lacks; an InputError when the pair has no such history to replay."""
    found = editor.state(po_path, author).get("recover")
    if found is not None and found["aside"] == history.journal_path(po_path).name:
        editor.settle(po_path)  # set aside now, as the next change would, then replayed
        found = editor.state(po_path, author).get("recover")
    if found is None:
        raise InputError("this pair has no set-aside history whose work could be replayed",
                         hint="the history notice says when there is one")
    aside = Path(po_path).with_name(found["aside"])
    return editor.perform(po_path, lambda pf: replay_into(pf, aside), author=author,
                          revision=revision)

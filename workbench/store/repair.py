"""A damaged pair file rebuilt from its texts: what can still be read of it, entry by entry, the
reviewed work carried over to the new alignment's beads, the file kept aside, and what was lost.

`workbench align --overwrite` comes here when the PO file it would replace cannot be read (an entry
cut off, an id edited by hand, a keyword misspelt): every entry that still reads on its own gives
its bead's status and notes to the same bead of the new alignment; the rest is named (line and
why, or the bead that is not aligned so any more) in the Rebuilt report, and the damaged file is
kept beside the new one (`NAME.po.damaged`) so that nothing typed is gone.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator

import polib

from workbench.errors import InputError, ParseError, WorkbenchError
from workbench.files import write_atomic
from workbench.store.syntax import RESTORE
from workbench.store.records import PairFile, Record

def restore_hint(header: dict[str, str], path: str) -> str:
    """The hint for a damaged file whose header was read: the command that rebuilds it."""
    try:
        src, ren = (header[k].split(maxsplit=1)[1] for k in ("X-Source-Document",
                                                              "X-Rendering-Document"))
        langs = header["X-Source-Language"], header["Language"]
    except (KeyError, IndexError):
        return RESTORE
    p = Path(path)
    # the documents' paths are relative to the data directory, whose translations/ holds the file
    where, out = ((p.parent.parent, f"translations/{p.name}") if p.parent.name == "translations"
                  else (None, path))
    words = [src, ren, "--src-lang", langs[0], "--rendering-lang", langs[1], "-o", out, "--overwrite"]
    command = "workbench align " + " ".join(shlex.quote(w) for w in words)
    if where is not None and where.resolve() != Path.cwd().resolve():
        command = f"cd {shlex.quote(str(where))} && {command}"
    return RESTORE.replace("workbench align SOURCE RENDERING -o FILE --overwrite", command)


@dataclass
class Rebuilt:
    """What rebuilding a damaged file did: why it could not be read, where the damaged copy was
    kept, on how many beads the work was carried over, and what could not be kept."""

    damage: str
    kept_as: Path
    kept: int = 0
    lost: list[str] = field(default_factory=list)

    def lines(self, path: str | Path) -> list[str]:
        out = [f"{path} could not be read ({self.damage}): rebuilt from the texts; the damaged "
               f"file is kept as {self.kept_as}"]
        kept = f"kept the status and notes of {self.kept} bead{'' if self.kept == 1 else 's'}"
        out.append(kept + (f"; could not keep: {'; '.join(self.lost)}" if self.lost
                           else "; nothing else held reviewed work"))
        return out


def _has_work(text: str) -> bool:
    """Whether an entry's text holds a translator's work: a note, or a status other than
    unreviewed (no `fuzzy` flag, or a needs-work or rejected one)."""
    lines = text.split("\n")
    flags = next((ln for ln in lines if ln.startswith("#,")), "")
    return any(ln.startswith("# ") for ln in lines) or "fuzzy" not in flags \
        or "needs-work" in flags or "rejected" in flags


def readable(path: Path) -> tuple[list[tuple[Record, str | None]], list[str]]:
    """The records of the entries that still read on their own, each with the bead its msgctxt
    names (which says where the work was, should the ids of its `align` line have been edited),
    and, for each entry holding work that does not read, where it is and why."""
    from workbench.store.reading import _STUB, _record
    from workbench.store.syntax import PoText, check_syntax, decode_block

    records, lost = [], []
    for n, (line, byte, chunk) in enumerate(_entries(path.read_bytes())):
        if n == 0:
            continue  # the header: the new file gets the alignment's own
        try:
            text = decode_block(chunk, str(path), line, byte)
        except InputError as exc:
            lost.append(f"the entry at line {exc.line or line} ({exc.message})")
            continue
        if not text.strip():
            continue
        try:
            check_syntax(text, str(path), line)
            entries = [e for e in polib.pofile(PoText(_STUB + text), wrapwidth=0) if not e.obsolete]
            records += [(_record(e, str(path), line, {}), _context_key(e.msgctxt))
                        for e in entries]
        except (WorkbenchError, OSError, ValueError) as exc:
            if _has_work(text):
                why = exc.message if isinstance(exc, WorkbenchError) else str(exc)
                context = re.search(r'^msgctxt ".*\|(s[\d,]*:t[\d,]*)"$', text, re.M)
                lost.append(f"the entry at line {line}" + (f" (bead {context[1]})" if context else "")
                            + f", which held reviewed work: {why}")
    return records, lost


def _entries(data: bytes) -> Iterator[tuple[int, int, bytes]]:
    """(first line, first byte offset, bytes) of each run of lines between blank lines: the
    entries as the workbench writes them, found even where a damaged one never ends."""
    start_line, start_byte, byte, buf = 1, 0, 0, []
    for n, line in enumerate(data.splitlines(keepends=True), 1):
        if not line.strip():
            if buf:
                yield start_line, start_byte, b"".join(buf)
            buf, start_line, start_byte = [], n + 1, byte + len(line)
        else:
            buf.append(line)
        byte += len(line)
    if buf:
        yield start_line, start_byte, b"".join(buf)


def _context_key(msgctxt: str | None) -> str | None:
    m = re.search(r"\|(s[\d,]*:t[\d,]*)$", msgctxt or "")
    return m[1] if m else None


def kept_as(path: Path) -> Path:
    """A name beside `path` for its damaged copy that no file has yet."""
    candidate = path.with_name(path.name + ".damaged")
    n = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.damaged.{n}")
        n += 1
    return candidate


def carry(pf: PairFile, old: list[tuple[Record, str | None]]) -> tuple[int, list[str]]:
    """Give the beads of `pf` the status and notes of the same beads among `old` (what was read
    of the damaged file: a record, and the bead its msgctxt names, tried when its ids are not a
    bead of `pf`); how many got them, and the beads with work the new alignment lacks."""
    new = {r.key: i for i, r in enumerate(pf.records)}
    kept, lost = 0, []
    for r, named in old:
        work = r.status != "unreviewed" or bool(r.annotations)
        if not work:
            continue
        key = r.key if r.key in new else named
        if key in new:
            i = new[key]
            pf.records[i] = replace(pf.records[i], status=r.status, annotations=r.annotations,
                                    reviewer=r.reviewer)
            kept += 1
        else:
            notes = len(r.annotations)
            lost.append(f"bead {r.key} ({r.status}, {notes} note{'' if notes == 1 else 's'}), which "
                        "the new alignment does not have")
    return kept, lost


def rebuild(path: Path, pf: PairFile, damage: ParseError | InputError) -> Rebuilt:
    """Carry what can be read of the damaged file at `path` over to `pf` (a pair file just built
    from an alignment) and keep a copy of the damaged file; the caller writes `pf`."""
    old, unread = readable(path)
    kept, gone = carry(pf, old)
    aside = kept_as(path)
    write_atomic(aside, path.read_bytes())
    where = f"line {damage.line}: " if damage.line is not None else ""
    return Rebuilt(damage=where + damage.message, kept_as=aside, kept=kept, lost=unread + gone)

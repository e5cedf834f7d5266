"""PO records of aligned document pairs: the translators' work, stored so gettext tools read it.

One PO file per document pair (translations/<source>__<rendering>.po), one entry per bead, in the
alignment's display order, so that every sentence of both documents is present exactly once. This
package owns the record format (documented in docs/po-format.md): the records in memory
(`records`), building and changing them (`building`), the one reader, a block at a time
(`reading`, over `syntax`), the writer and its header (`writing`), and here safe saving: the lock
and atomic writer of workbench.files, and a revision number in the header so that a save based on
a stale revision is refused with ConflictError (check_revision, the one such check) instead of
overwriting somebody's work. A file read with `read_only` set (it holds what other PO tools write
and the records do not keep) is refused with ReadOnlyError, never saved with that content dropped.

Entry layout (wrapping is disabled so every comment line stays one line):

    # [omission] 'moral' dropped -- ak, 2026-11-25T03:00:00Z        <- annotations, one per line
    #. align 1-1 src=3 tgt=7 score=0.8700 method=mt-chrf             <- bead ids (0-based), score
    #. closest source 12 (0.41)    <- only on a rendering sentence left unmatched: a suggestion
    #. merged src=3 tgt=7 score=0.8700 method=mt-chrf notes=1   <- only on a merged bead: a part
    #. lengths src=40,12 tgt=51 mt=38,12          <- only for beads with 2+ sentences on a side
    #. mt ru>en (translate-ru_en 1.9): On September 21, 2022, ...   <- machine translation
    #. check quote: source quotes «...»; the rendering has no quotation  <- fidelity findings
    #: corpora/petition.ru.txt:3 corpora/newsweek.en.txt:7           <- where the sentences stand
    #, fuzzy                                                         <- status flags
    msgctxt "petition-ru|newsweek-en|s3:t7"
    msgid "21 сентября 2022 года ..."                                <- source sentence(s)
    msgstr "On September 21, 2022, ..."                              <- rendering sentence(s)

A source sentence with no counterpart (1-0) has an empty msgstr. A rendering sentence with no
source (0-1) cannot have an empty msgid (that is the header, and Babel drops such entries), so its
msgid is the placeholder NO_SOURCE ("∅") and the entry carries the flag `rendering-only`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable, Sequence

from workbench.corpus import Document, Sentence
from workbench.errors import (ConflictError, InputError, NotFoundError, ParseError,  # noqa: F401
                              ReadOnlyError, WorkbenchError)
from workbench.files import lock as _lock
from workbench.files import write_atomic
from workbench.model import Alignment
from workbench.store.building import (add_annotation, build_pair_file, check_alignment, findings,
                                      name_decisions, name_map, set_mt, set_names, set_status,
                                      with_checks)
from workbench.store.reading import (BLOCK_ENTRIES, RecordStream, check_coverage, disk_revision,
                                     iter_records, load, parse)
from workbench.store.records import (CATEGORIES, NO_SOURCE, STATUSES, Annotation, PairFile, Part,
                                     Record, bead_key, check_text)
from workbench.store.repair import Rebuilt
from workbench.store.syntax import PoText as _PoText  # noqa: F401  (polib input, for callers)
from workbench.store.syntax import check_syntax
from workbench.store.writing import (NAMES_HEADER, RenderCache, pair_header, render, render_cached,
                                     stamp)
from workbench.wording import counted

__all__ = ["BLOCK_ENTRIES", "CATEGORIES", "NAMES_HEADER", "NO_SOURCE", "STATUSES", "Annotation",
           "PairFile", "Part", "Rebuilt", "Record", "RecordStream", "RenderCache", "add_annotation",
           "bead_key",
           "build_pair_file", "check_alignment", "check_coverage", "check_revision",
           "check_syntax", "check_text", "check_writable", "disk_revision", "findings",
           "iter_records", "load", "name_decisions", "name_map", "pair_header", "parse", "render",
           "render_cached", "save", "save_edit", "set_mt", "set_names", "set_status", "stamp",
           "with_checks", "write_alignment", "write_pair"]


def check_writable(pf: PairFile, path: Path) -> None:
    """ReadOnlyError when `pf` holds content that saving it would drop."""
    if pf.read_only:
        raise ReadOnlyError(f"the PO file is open read-only: {pf.read_only}", path=str(path),
                            hint="edit it with the tool that wrote that content, or move it away "
                                 "and re-run `workbench align`; it was left as it is")


def check_revision(current: int, expected: int, path: str | Path | None) -> None:
    """ConflictError when the pair is at revision `current` and the change was based on
    `expected`: the one stale-revision check of every save and edit."""
    if current != expected:
        raise ConflictError(
            f"the pair was changed by someone else (revision {current}, this edit was based on "
            f"{expected})", path=str(path) if path is not None else None,
            current_revision=current, hint="reload and apply the change again")


def _write(pf: PairFile, p: Path, revision: int, cache: RenderCache | None = None,
           before_write: Callable[[bytes], None] | None = None) -> PairFile:
    """Write `pf` to `p` at `revision` (the caller holds the lock); returns what is on disk."""
    out = PairFile(header=stamp(pf.header, revision), records=list(pf.records), path=p)
    data = render_cached(out, cache).encode("utf-8")
    if before_write is not None:
        before_write(data)
    write_atomic(p, data)
    return out


def save(pf: PairFile, path: str | Path | None = None, *, expected_revision: int | None = None,
         create: bool = False) -> PairFile:
    """Save under a lock. If the file on disk has another revision than `expected_revision`
    (default: the revision `pf` was loaded with), raise ConflictError and write nothing. An
    unchanged file is not rewritten; a changed one gets revision + 1. Returns what is on disk now."""
    p = Path(path or pf.path or "")
    if not p.name:
        raise InputError("no path to save the PO file to")
    expected = pf.revision if expected_revision is None else expected_revision
    check_writable(pf, p)
    with _lock(p):
        if p.exists():
            current = load(p)
            check_writable(current, p)
            check_revision(current.revision, expected, p)
            same = dict(pf.header) | {k: current.header.get(k, "") for k in
                                      ("X-Workbench-Revision", "PO-Revision-Date")}
            if render(PairFile(header=same, records=pf.records)) == render(current):
                current.path = p
                return current
            return _write(pf, p, current.revision + 1)
        if create:
            return _write(pf, p, max(pf.revision, 1))
        raise NotFoundError("PO file has gone", path=str(p),
                            hint="re-create it with `workbench align`")


def save_edit(pf: PairFile, *, expected_revision: int, new_revision: int | None = None,
              before_write: Callable[[bytes], None] | None = None,
              cache: RenderCache | None = None) -> PairFile:
    """Save a changed pair in one render: like save(), but the conflict check reads only the
    revision in the file's header, and the file is always written (callers save real changes
    only). A large pair's save costs one render instead of a parse and three renders, and with
    a `cache` (the caller's RenderCache) only the changed entries are formatted again.
    `new_revision` is the revision written (default: the current one + 1; several changes saved
    at once count one each). `before_write`, when given, sees the new file's bytes under the lock
    before they are written (the history records its steps there)."""
    if pf.path is None:
        raise InputError("no path to save the PO file to")
    p = Path(pf.path)
    check_writable(pf, p)
    with _lock(p):
        current = disk_revision(p)
        check_revision(current, expected_revision, p)
        return _write(pf, p, current + 1 if new_revision is None else new_revision, cache,
                      before_write)


def _rebuild(p: Path, pf: PairFile, damage: ParseError | InputError,
             told: Callable[[Rebuilt], None] | None) -> PairFile:
    from workbench.store.repair import rebuild

    with _lock(p):
        report = rebuild(p, pf, damage)
        try:
            revision = disk_revision(p) + 1
        except (WorkbenchError, ValueError):  # the header is damaged too
            revision = 1
        out = _write(pf, p, revision)
    if told is not None:
        told(report)
    return out


def write_alignment(path: str | Path, source: Document, rendering: Document,
                    source_sentences: Sequence[Sentence], rendering_sentences: Sequence[Sentence],
                    alignment: Alignment, *, mt: Sequence[str] | None = None,
                    mt_model: str | None = None, overwrite: bool = False,
                    checks: bool = True,
                    protect: Callable[[Record], bool] | None = None) -> PairFile:
    """Create a pair's PO file from an alignment (build_pair_file, then write_pair)."""
    pf = build_pair_file(source, rendering, source_sentences, rendering_sentences, alignment,
                         mt=mt, mt_model=mt_model, checks=checks)
    return write_pair(path, pf, overwrite=overwrite, protect=protect)


def write_pair(path: str | Path, pf: PairFile, *, overwrite: bool = False,
               protect: Callable[[Record], bool] | None = None,
               hint: str = "pass --overwrite to re-align and keep the work on unchanged beads, "
                           "or choose another -o",
               overwrite_command: str = "workbench align --overwrite",
               rebuilt: Callable[[Rebuilt], None] | None = None) -> PairFile:
    """Write a pair file just built from an alignment. An existing file holds translators' work:
    it is only replaced with overwrite=True (or when no bead of it is reviewed or annotated; else
    InputError with `hint`), and then its annotations and statuses are carried over to the beads
    that still exist, and the decisions on its name map to the pair. With `protect`, a record of
    the existing file for which it is true must still exist: else ConflictError, and nothing is
    written; its hint names `overwrite_command` as the way to re-align anyway. An existing file
    that cannot be read (damaged) is, with overwrite=True and no `protect`, rebuilt (store.repair):
    what can still be read of its work is carried over, the damaged file kept aside, and `rebuilt`
    told what was kept and lost."""
    p = Path(path)
    if p.exists():
        try:
            old = load(p)
        except (ParseError, InputError) as exc:
            if not overwrite or protect is not None:
                raise
            return _rebuild(p, pf, exc, rebuilt)
        check_writable(old, p)
        if protect is not None:
            kept = {r.key for r in pf.records}
            lost = [r.key for r in old.records if protect(r) and r.key not in kept]
            if lost:
                raise ConflictError(
                    f"re-aligning would drop the work on {counted(len(lost), 'bead')} that the new alignment "
                    f"does not have ({', '.join(lost[:3])}{', ...' if len(lost) > 3 else ''})",
                    path=str(p), current_revision=old.revision,
                    hint="nothing was changed; review or relink those beads by hand, or re-align "
                         f"with `{overwrite_command}`, which keeps only unchanged beads' work")
        reviewed = sum(1 for r in old.records if r.status != "unreviewed" or r.annotations)
        if reviewed and not overwrite:
            raise InputError(f"PO file exists ({counted(reviewed, 'bead')} reviewed or annotated)", path=str(p),
                             hint=hint)
        if NAMES_HEADER in old.header:  # the translators' decisions on the name map stay
            pf.header[NAMES_HEADER] = old.header[NAMES_HEADER]
            if any(r.checks for r in pf.records):  # built with its findings: with them, too
                names = name_map(pf)
                pf.records = [with_checks(pf, r, names) for r in pf.records]
        carried = {r.key: r for r in old.records}
        pf.records = [replace(r, status=carried[r.key].status, annotations=carried[r.key].annotations)
                      if r.key in carried else r for r in pf.records]
        pf.header["X-Workbench-Revision"] = str(old.revision)
        return save(pf, p, expected_revision=old.revision)
    return save(pf, p, create=True)

"""The changes translators make to a pair's records: each action (set a status, add an annotation,
link a source sentence with a rendering sentence, unlink a bead or one sentence of it, merge a
bead with the next, split a bead, back into the beads a merge joined where it can tell) is a
function that edits a PairFile in memory and returns a Change (workbench.changes): the records it
removed and the records it put in, each with its position in display order.

Performing them on the files with their undo history is workbench.editor's (an Editor: the pair's
lock, the revision checks, the history journal, the atomic save); its names are importable from
here too, as are Change, apply and bead_revision.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

from workbench import store
from workbench.changes import Change, apply, bead_revision, between, encode  # noqa: F401
from workbench.editor import (Editor, Loader, Outcome, history_state, perform, redo,  # noqa: F401
                              undo)
from workbench.errors import InputError
from workbench.store import Annotation, PairFile, Part, Record

#: Method recorded on beads a translator linked by hand (a link, a merge, a split at a point they
#: chose): score 1.0. Such beads carry no suggestion (Record.closest): the translator has answered it.
MANUAL = "manual"
#: Method recorded on beads left over from a correction (unlinked sentences, what a link took a
#: sentence from): score 0.0, so that sorting by score shows them early.
LEFTOVER = "unlinked"


def _commit(pf: PairFile, action: str, summary: str, new: list[Record]) -> Change:
    # The beads this change built have new texts: their fidelity findings are computed afresh;
    # every other bead keeps its own, byte for byte.
    # (A status or a note leaves the texts, and with them the findings, as they were.)
    if action in ("link", "unlink", "merge", "split"):
        kept = {id(r) for r in pf.records}
        names = store.name_map(PairFile(header=pf.header, records=new))
        new = [r if id(r) in kept else store.with_checks(pf, r, names) for r in new]
    change = between(action, summary, pf.records, new)
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
    tgt = _split_text(r.rendering_text, r.rendering_lengths, len(r.rendering), r.key, "rendering")
    mt: list[str | None] = [None] * len(r.source)
    if r.mt is not None:
        mt = list(_split_text(r.mt, r.mt_lengths, len(r.source), r.key, "machine-translated"))
    refs: list[tuple[str, str] | None] = [None] * (len(r.source) + len(r.rendering))
    if len(r.references) == len(refs):
        refs = list(r.references)
    return ({i: _Sentence(src[k], refs[k], mt[k]) for k, i in enumerate(r.source)},
            {j: _Sentence(tgt[k], refs[len(r.source) + k]) for k, j in enumerate(r.rendering)})


def _build(src: dict[int, _Sentence], tgt: dict[int, _Sentence], *, like: Record, score: float,
           method: str, annotations: tuple[Annotation, ...] = (), status: str = "unreviewed",
           mt_model: str | None = None) -> Record:
    s_ids, t_ids = tuple(sorted(src)), tuple(sorted(tgt))
    several = len(s_ids) > 1 or len(t_ids) > 1
    mts = [src[i].mt for i in s_ids]
    has_mt = bool(s_ids) and all(m is not None for m in mts)
    refs = [src[i].ref for i in s_ids] + [tgt[j].ref for j in t_ids]
    return Record(
        source=s_ids, rendering=t_ids,
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
        if sid in (r.source if side == "source" else r.rendering):
            return i
    raise InputError(f"no {side} sentence {sid} in this pair",
                     hint="sentence ids are 0-based and shown on the page as data-id")


# --- actions -------------------------------------------------------------------------------------

def set_status(pf: PairFile, key: str, status: str, author: str = "",
               time: str | None = None) -> Change:
    """Set the bead's status, signed by `author` (the record keeps who reviewed it, and when); the
    same status again changes nothing, not even the signature."""
    i = _index(pf, key)
    if pf.records[i].status == status:
        return _commit(pf, "status", f"{status} {key}", list(pf.records))
    new = list(pf.records)
    new[i] = store.set_status(PairFile(pf.header, [pf.records[i]]), key, status, author, time)
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


def link(pf: PairFile, source: int, rendering: int) -> Change:
    """Put rendering sentence `rendering` into the bead of source sentence `source`; the bead it
    leaves keeps its other sentences (or disappears when it had none)."""
    a, b = _holding(pf, "source", source), _holding(pf, "rendering", rendering)
    if a == b:
        raise InputError(f"source sentence {source} and rendering sentence {rendering} are already "
                         "in the same bead")
    ra, rb = pf.records[a], pf.records[b]
    sa, ta = sentences(ra)
    sb, tb = sentences(rb)
    joined = _build(sa, ta | {rendering: tb[rendering]}, like=ra, score=1.0, method=MANUAL,
                    annotations=ra.annotations, mt_model=ra.mt_model)
    new = list(pf.records)
    new[a] = joined
    rest_t = {j: s for j, s in tb.items() if j != rendering}
    if sb or rest_t:
        new[b] = _build(sb, rest_t, like=rb, score=0.0, method=LEFTOVER,
                        annotations=rb.annotations)
    else:
        del new[b]
    return _commit(pf, "link", f"link s{source} with t{rendering}", new)


def unlink(pf: PairFile, key: str, *, source: int | None = None,
           rendering: int | None = None) -> Change:
    """Replace a bead by one bead per sentence: its source sentences, then its rendering ones.
    With `source` or `rendering`, take only that sentence out of the bead, into a bead of its own;
    the rest stays linked as it was (what a correction left over, as `link` leaves it), unless
    only one side is left, which then falls apart into one bead per sentence too."""
    i = _index(pf, key)
    r = pf.records[i]
    if not r.source or not r.rendering:
        raise InputError(f"bead {key} links nothing: it has sentences on one side only")
    src, tgt = sentences(r)
    if source is not None or rendering is not None:
        if source is not None and rendering is not None:
            raise InputError("unlink one sentence at a time: give 'source' or 'rendering', not both")
        side, sid, ids = (("source", source, r.source) if source is not None
                          else ("rendering", rendering, r.rendering))
        if sid not in ids:
            raise InputError(f"{side} sentence {sid} is not in bead {key}",
                             hint=f"its {side} sentences are {', '.join(map(str, ids)) or 'none'}")
        rest_s = {s: x for s, x in src.items() if side == "rendering" or s != sid}
        rest_t = {t: x for t, x in tgt.items() if side == "source" or t != sid}
        if rest_s and rest_t:
            rest = _left(r, rest_s, rest_t, r.annotations)
            alone = _left(r, {sid: src[sid]} if side == "source" else {},
                          {sid: tgt[sid]} if side == "rendering" else {}, ())
            before = side == "rendering" and sid < min(rest_t)
            pieces = [alone, rest] if before else [rest, alone]
            return _commit(pf, "unlink", f"unlink {'s' if side == 'source' else 't'}{sid} "
                                         f"from {key}", pf.records[:i] + pieces + pf.records[i + 1:])
    pieces = [_build({s: src[s]}, {}, like=r, score=0.0, method=LEFTOVER) for s in r.source]
    pieces += [_build({}, {t: tgt[t]}, like=r, score=0.0, method=LEFTOVER) for t in r.rendering]
    pieces[0] = replace(pieces[0], annotations=r.annotations)
    return _commit(pf, "unlink", f"unlink {key}", pf.records[:i] + pieces + pf.records[i + 1:])


def _left(r: Record, src: dict[int, _Sentence], tgt: dict[int, _Sentence],
          annotations: tuple[Annotation, ...]) -> Record:
    """What an unlink leaves of `r`: one of the beads a merge joined into it, given back as it
    was, or sentences left over (score 0, "unlinked")."""
    ids = (tuple(sorted(src)), tuple(sorted(tgt)))
    same = [p for p in r.parts if (p.source, p.rendering) == ids]
    if same:
        return _piece(r, src, tgt, annotations=annotations, parts=same)
    return _build(src, tgt, like=r, score=0.0, method=LEFTOVER, annotations=annotations)


def _parts_of(r: Record) -> tuple[Part, ...]:
    """What a merge keeps of bead `r`: the beads a merge joined into it (the notes written on it
    since count with the last of them), else the bead itself."""
    if not r.parts:
        return (Part(r.source, r.rendering, r.score, r.method, r.closest, len(r.annotations)),)
    extra = max(0, len(r.annotations) - sum(p.notes for p in r.parts))
    return r.parts[:-1] + (replace(r.parts[-1], notes=r.parts[-1].notes + extra),)


def merge_next(pf: PairFile, key: str) -> Change:
    """Merge a bead with the one after it in display order. The merged bead remembers both as
    they were (Record.parts), so that a split gives each sentence back its partner."""
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
        merged = replace(_build(s1 | s2, t1 | t2, like=r, score=1.0, method=MANUAL,
                                annotations=r.annotations + n.annotations,
                                mt_model=r.mt_model or n.mt_model),
                         parts=_parts_of(r) + _parts_of(n))
    return _commit(pf, "merge", f"merge {r.key} with {n.key}",
                   pf.records[:i] + [merged] + pf.records[i + 2:])


def _concat(r: Record, n: Record) -> Record:
    """Merge two beads whose sentence boundaries are not recorded: possible when neither side
    interleaves, since the texts then follow each other."""
    for a, b, side in ((r.source, n.source, "source"), (r.rendering, n.rendering, "rendering")):
        if a and b and max(a) > min(b):
            raise InputError(f"beads {r.key} and {n.key} interleave on the {side} side and do not "
                             "record where their sentences end", hint="re-align the pair "
                             "(`workbench align --overwrite`) to record sentence lengths")
    has_mt = (r.mt is not None or not r.source) and (n.mt is not None or not n.source) and bool(
        r.source or n.source)
    return Record(
        source=r.source + n.source, rendering=r.rendering + n.rendering,
        source_text=" ".join(t for t in (r.source_text, n.source_text) if t),
        rendering_text=" ".join(t for t in (r.rendering_text, n.rendering_text) if t),
        score=1.0, method=MANUAL, annotations=r.annotations + n.annotations,
        mt=" ".join(t for t in (r.mt, n.mt) if t) if has_mt else None,
        mt_model=(r.mt_model or n.mt_model) if has_mt else None,
        references=r.references[:len(r.source)] + n.references[:len(n.source)]
        + r.references[len(r.source):] + n.references[len(n.source):])


def _piece(r: Record, src: dict[int, _Sentence], tgt: dict[int, _Sentence], *,
           annotations: tuple[Annotation, ...] = (),
           parts: Sequence[Part] = ()) -> Record:
    """A bead cut out of `r`: one of the beads a merge joined into it gets back its score, method
    and suggestion; several of them stay a merged bead; sentences of one side only are left over
    (score 0, "unlinked"); other sentences of both sides are linked by the translator's cut."""
    s_ids, t_ids = tuple(sorted(src)), tuple(sorted(tgt))
    if len(parts) == 1 and (parts[0].source, parts[0].rendering) == (s_ids, t_ids):
        p = parts[0]
        return replace(_build(src, tgt, like=r, score=p.score, method=p.method,
                              annotations=annotations), closest=p.closest)
    if not (s_ids and t_ids):
        return _build(src, tgt, like=r, score=0.0, method=LEFTOVER, annotations=annotations)
    return replace(_build(src, tgt, like=r, score=1.0, method=MANUAL, annotations=annotations),
                   parts=tuple(parts) if len(parts) > 1 else ())


def _split_point(r: Record, source_at: int | None, rendering_at: int | None) -> tuple[int, int]:
    """Where to cut bead `r` when the caller left a side open: the one cut that keeps every bead
    a merge joined into it whole (else the only cut there is); InputError when it cannot tell."""
    n, m = len(r.source), len(r.rendering)
    cuts = [(a, b) for a in (range(n + 1) if source_at is None else [source_at])
            for b in (range(m + 1) if rendering_at is None else [rendering_at]) if 0 < a + b < n + m]
    whole = [c for c in cuts if r.parts and all(_side_of(p, r, c) is not None for p in r.parts)]
    if len(whole) == 1:
        return whole[0]
    if len(cuts) == 1 and not r.parts:
        return cuts[0]
    why = ("it was not made by merging beads" if not r.parts else
           "no cut there keeps the beads it was merged from whole" if not whole else
           "more than one cut keeps the beads it was merged from whole")
    raise InputError(f"cannot tell where to split bead {r.key}: {why}",
                     hint="pick the first source or rendering sentence of the second part "
                          "(click it), then split again")


def _side_of(p: Part, r: Record, cut: tuple[int, int]) -> int | None:
    """0 when part `p` of `r` falls wholly before `cut`, 1 wholly after it, else None."""
    first = set(r.source[:cut[0]]), set(r.rendering[:cut[1]])
    sides = {i in first[0] for i in p.source} | {j in first[1] for j in p.rendering}
    return None if len(sides) != 1 else (0 if sides == {True} else 1)


def split(pf: PairFile, key: str, source_at: int | None = None,
          rendering_at: int | None = None) -> Change:
    """Split a bead: into its first `source_at` source and first `rendering_at` rendering
    sentences, then the rest. A bead a merge built and given no cut is split back into the beads
    it was merged from, each with its own score and method; a side left open (None) is cut where
    those beads stay whole. A part that is one of them gets it back; sentences of one side only are
    left over (score 0); any other part is a link the translator made (score 1, manual)."""
    i = _index(pf, key)
    r = pf.records[i]
    n, m = len(r.source), len(r.rendering)
    for at, most, side in ((source_at, n, "source"), (rendering_at, m, "rendering")):
        if at is not None and not 0 <= at <= most:
            raise InputError(f"split point {at} is outside the {most} {side} sentences of bead "
                             f"{key} ({r.kind})")
    src, tgt = sentences(r)
    if source_at is None and rendering_at is None and r.parts:
        halves = [(p.source, p.rendering) for p in r.parts]
        groups = [[p] for p in r.parts]
    else:
        if source_at is not None and rendering_at is not None:
            if source_at + rendering_at in (0, n + m):
                raise InputError(f"splitting bead {key} at ({source_at}, {rendering_at}) leaves "
                                 "one part empty", hint=f"choose 0..{n} source and 0..{m} "
                                                        "rendering sentences for the first part")
            cut = (source_at, rendering_at)
        else:
            cut = _split_point(r, source_at, rendering_at)
        halves = [(r.source[:cut[0]], r.rendering[:cut[1]]),
                  (r.source[cut[0]:], r.rendering[cut[1]:])]
        sides = [_side_of(p, r, cut) for p in r.parts]
        groups = [[p for p, k in zip(r.parts, sides) if k == half] if None not in sides else []
                  for half in (0, 1)]
    # each merged bead's own notes go back to it; notes written since stay with the first part
    own: dict[str, range] = {}
    pos = 0
    for p in r.parts:
        own[p.key] = range(pos, min(pos + p.notes, len(r.annotations)))
        pos += p.notes
    given = [[k for p in group for k in own[p.key]] for group in groups]
    pieces = [_piece(r, {s: src[s] for s in s_ids}, {t: tgt[t] for t in t_ids},
                     annotations=tuple(r.annotations[k] for k in ks), parts=group)
              for (s_ids, t_ids), group, ks in zip(halves, groups, given)]
    placed = {k for ks in given for k in ks}
    pieces[0] = replace(pieces[0], annotations=pieces[0].annotations + tuple(
        a for k, a in enumerate(r.annotations) if k not in placed))
    return _commit(pf, "split", f"split {key}", pf.records[:i] + pieces + pf.records[i + 1:])


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


def decide_name(pf: PairFile, source: str, rendering: str, state: str) -> Change:
    """Confirm (state "confirmed") or break ("broken") the link between a name of the source and
    a name of the rendering in the pair's name map, or withdraw the decision ("learned"): the
    decisions go into the header (store.set_names), and the beads whose unexplained names the
    link concerns get their findings again."""
    from workbench.check.namemap import name_key
    from workbench.check.names import unexplained

    before = store.name_map(pf)
    try:
        after = before.decide(source, rendering, state)
    except ValueError as exc:
        raise InputError(str(exc), hint="give the two names as the page shows them, and the state "
                                        "confirmed, broken or learned") from None
    old_text = pf.header.get(store.NAMES_HEADER, "")
    header = dict(pf.header)
    store.set_names(PairFile(header, []), after)
    new_text = header.get(store.NAMES_HEADER, "")
    src_lang, tgt_lang = pf.source_language, pf.rendering_language
    keys = set(name_key(source, src_lang)) | set(name_key(rendering, tgt_lang))
    names = store.name_map(PairFile(header, pf.records))

    def concerned(r: Record) -> bool:
        if not (r.source and r.rendering):
            return False
        lost, added = unexplained(r.source_text, r.rendering_text, src_lang, tgt_lang, r.mt)
        return any(keys & set(name_key(x, src_lang)) for x in lost) or \
            any(keys & set(name_key(y, tgt_lang)) for y in added)

    new = []
    for r in pf.records:
        again = store.with_checks(pf, r, names) if concerned(r) else r
        new.append(again if again != r else r)
    summary = f"{state} the name link {' '.join(source.split())} = {' '.join(rendering.split())}"
    change = between("names", summary, pf.records, new,
                     ((store.NAMES_HEADER, old_text, new_text),))
    pf.records = new
    pf.header = header
    return change

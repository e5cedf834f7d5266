"""A bead's fidelity findings as a review sees them: each finding with the dismissal that covers it.

workbench.check compares texts; this module owns what a stored bead (store.Record) shows of that:
its findings, recomputed from its texts in the pair's languages (check offsets and keys are not
stored) and remembered per text, so that drawing a page again costs nothing; the dismissal its
annotations carry for each (`check-dismissed KIND KEY: reason`, with the note's author and time);
which beads a review looks at (those whose PO entry carries `#. check` comments, which the store
writes when it builds a bead and an edit recomputes); what the filter and the counts need of a
bead (the kinds of those comments, and for a bead with dismissals its findings, so that a first
look at a large pair never runs the checks on every bead); and the note that dismisses a finding
or the notes to drop to restore it. Findings are plain data in check order, deterministic like the
checks themselves.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from workbench.errors import InputError, NotFoundError
from workbench import store
from workbench.store import Annotation, PairFile, Record

if TYPE_CHECKING:
    from workbench.check import Dismissal, Finding, NameMap

#: The kinds, as workbench.check names them (listed here so that reading a filter does not load
#: the checks and their locale data).
KINDS = ("number", "date", "name", "negation", "quote", "mt-missing")
#: How a stored quote finding on the rendering's marks begins (workbench.check.quotes).
_RENDERING_QUOTES = "check quote: rendering quotes "
#: Filter values besides a kind: beads with any finding, and beads with a finding not dismissed.
ANY, OPEN = "any", "open"
FILTERS = (ANY, OPEN) + KINDS


@dataclass(frozen=True)
class Reviewed:
    """One finding of a bead (workbench.check.Finding) and the note that dismisses it, if any."""

    finding: "Finding"
    dismissal: "Dismissal | None" = None
    note: Annotation | None = None

    @property
    def open(self) -> bool:
        return self.dismissal is None


@lru_cache(maxsize=65536)
def _findings(source: str, rendering: str, mt: str | None, src_lang: str,
              tgt_lang: str, reporting: bool, names: "NameMap | None") -> "tuple[Finding, ...]":
    from workbench import check  # Babel's locale data: only when a bead has findings

    return tuple(check.check_pair(source, rendering, src_lang=src_lang, tgt_lang=tgt_lang, mt=mt,
                                  reporting=reporting, names=names))


def has_findings(r: Record) -> bool:
    """Whether the bead's entry carries fidelity findings (`#. check` comments)."""
    return bool(r.checks) and bool(r.source) and bool(r.rendering)


def dismissals(r: Record) -> "list[tuple[Dismissal, Annotation]]":
    """(Dismissal, the annotation that holds it) for every dismissal among the bead's notes."""
    from workbench.check import Dismissal

    return [(d, a) for a in r.annotations if (d := Dismissal.from_comment(a.text)) is not None]


def of_record(r: Record, src_lang: str, tgt_lang: str, reporting: bool = False,
              names: "NameMap | None" = None) -> list[Reviewed]:
    """The bead's findings in check order (with the pair's name map `names`), each with its
    dismissal; none for a bead whose entry carries no `check` comments. `reporting`: the pair's
    rendering reports (PairFile.reporting)."""
    if not has_findings(r):
        return []
    found = _findings(r.source_text, r.rendering_text, r.mt, src_lang, tgt_lang, reporting, names)
    notes = dismissals(r)
    out = []
    for f in found:
        hit = next(((d, a) for d, a in notes if (d.kind, d.key) == (f.kind, f.key)), (None, None))
        out.append(Reviewed(f, *hit))
    return out


def of_pair(pf: PairFile, r: Record) -> list[Reviewed]:
    return of_record(r, pf.source_language, pf.rendering_language, pf.reporting,
                     store.name_map(pf) if has_findings(r) else None)


def find(pf: PairFile, key: str, kind: str, finding_key: str) -> Reviewed:
    """The finding `kind` `finding_key` of bead `key`; NotFoundError when the bead has none such
    (its texts changed, or the key was never one of its findings)."""
    r = pf.record(key)
    _known(kind)
    for item in of_pair(pf, r):
        if (item.finding.kind, item.finding.key) == (kind, finding_key):
            return item
    raise NotFoundError(f"bead {key} has no {kind} finding {finding_key}",
                        path=str(pf.path) if pf.path else None,
                        hint="the bead's texts may have changed: reload to see its findings now")


def _known(kind: str) -> None:
    if kind not in KINDS:
        raise NotFoundError(f"no check kind '{kind}'", hint=f"the kinds are {', '.join(KINDS)}")


def dismissal_text(kind: str, finding_key: str, reason: str) -> str:
    """The text of the note that dismisses a finding (`check-dismissed KIND KEY: reason`); an
    InputError for a reason that is empty or would not read back as itself."""
    from workbench.check import Dismissal

    _known(kind)
    reason = " ".join(reason.split())
    if not reason:
        raise InputError("dismissing a finding needs a reason",
                         hint="say why the finding is not a fault, e.g. 'the article rounds it'")
    text = Dismissal(kind, finding_key, reason).to_comment()
    back = Dismissal.from_comment(text)
    if back is None or back.reason != reason:
        raise InputError("the reason cannot end in ' -- NAME,' (that is how a note names its "
                         "author)", hint="write the reason another way")
    return text


def without_dismissal(r: Record, kind: str, finding_key: str) -> tuple[Annotation, ...]:
    """The bead's notes less those that dismiss `kind` `finding_key`; InputError when none does."""
    drop = {id(a) for d, a in dismissals(r) if (d.kind, d.key) == (kind, finding_key)}
    if not drop:
        raise InputError(f"the {kind} finding {finding_key} of bead {r.key} is not dismissed")
    return tuple(a for a in r.annotations if id(a) not in drop)


@dataclass(frozen=True)
class Summary:
    """What the filter and the counts need of a bead: the kinds of its findings, and whether one
    of them is not dismissed."""

    kinds: frozenset[str] = frozenset()
    open: bool = False


def summary(pf: PairFile, r: Record) -> Summary:
    """The bead's Summary. A bead no note dismisses anything of has all its findings open, and
    their kinds are those of its `check` comments: it needs no check run (a first look at a large
    pair then costs a read of those lines); the others' findings are computed."""
    if not has_findings(r):
        return Summary()
    # a file written before reporting pairs' quotation marks were no finding still stores them
    stale = any(line.startswith(_RENDERING_QUOTES) for line in r.checks) and pf.reporting
    if not dismissals(r) and not stale:
        kinds = frozenset(k for line in r.checks if (k := line[6:line.find(":")]) in KINDS)
        return Summary(kinds, bool(kinds))
    items = of_pair(pf, r)
    return Summary(frozenset(i.finding.kind for i in items), any(i.open for i in items))


def matches(s: Summary, which: str) -> bool:
    """Whether a bead passes the filter `which` (one of FILTERS, or "")."""
    if not which:
        return True
    if which == ANY:
        return bool(s.kinds)
    if which == OPEN:
        return s.open
    return which in s.kinds


def counts(pf: PairFile) -> dict[str, int]:
    """Beads per filter value: with any finding, with an open one, with one of each kind."""
    out = dict.fromkeys(FILTERS, 0)
    for r in pf.records:
        s = summary(pf, r)
        for which in FILTERS:
            out[which] += matches(s, which)
    return out


def parse_filter(value: str) -> str:
    """A `check` filter value as given in a query; InputError naming the allowed ones."""
    if value and value not in FILTERS:
        raise InputError(f"unknown findings filter '{value}'", hint=f"use one of {', '.join(FILTERS)}")
    return value

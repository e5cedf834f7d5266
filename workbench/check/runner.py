"""Running the checks on a bead and on the records of a pair's PO file.

This module owns check_pair (every asked kind on one source, rendering and MT, in KINDS order, with
the findings' keys; notes only when asked for), the mt-missing check (content words of the MT the rendering lacks), the
findings of every record of a pair file with its dismissals (check_records), and where each entry
starts in the PO text (po_entry_lines).
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

from workbench.check.dates import check_dates
from workbench.check.findings import (
    DEFAULT_SEVERITIES,
    KINDS,
    BeadFindings,
    Dismissal,
    Finding,
    _with_keys,
)
from workbench.check.namemap import NameMap, from_pairs
from workbench.check.names import check_names
from workbench.check.negation import check_negation
from workbench.check.numbers import check_numbers
from workbench.check.quotes import check_quotes
from workbench.check.side import _Side, _side
from workbench.check.text import _fold, _lang, _stopwords, _words

#: Below this share of equal words the rendering is a translation of its own rather than an edit
#: of the MT, and a word of the MT it lacks says nothing (on Text+Berg's human French against
#: Google's MT, the median share is 0.35 and nine pairs in ten would be flagged).
MT_MISSING_MIN_RATIO = 0.5


def check_mt_missing(ren: _Side, mt: str | None) -> list[Finding]:
    """Content words of the MT (four letters or more, not function words) with no counterpart
    anywhere in the rendering: one finding per run the word diff marks missing or replaced, where
    the rendering follows the MT closely enough (MT_MISSING_MIN_RATIO) for the diff to count."""
    if not mt or not ren.text.strip():
        return []
    from workbench.worddiff import diff

    d = diff(mt, ren.text)
    if d.ratio < MT_MISSING_MIN_RATIO:
        return []
    stop = _stopwords(ren.lang)
    have = {_fold(t)[:5] for t, _, _ in _words(ren.text)}
    out = []
    pos = 0
    for sp in d.mt:
        start = pos
        pos += len(sp.text)
        if sp.tag not in ("missing", "replaced"):
            continue
        words = [(t, s + start, e + start) for t, s, e in _words(sp.text)
                 if (len(t) >= 4 or t.isdigit()) and _fold(t) not in stop
                 and _fold(t)[:5] not in have]
        if not words:
            continue
        span = (words[0][1], words[-1][2])
        listed = ", ".join(dict.fromkeys(t for t, _, _ in words))
        out.append(Finding("mt-missing", "warning", None, None,
                           f"the MT has {listed}; the rendering does not", mt_span=span))
    return out


def check_pair(source: str, rendering: str, *, src_lang: str, tgt_lang: str, mt: str | None = None,
               kinds: Sequence[str] = KINDS, notes: bool = False,
               reporting: bool = False, names: NameMap | None = None) -> list[Finding]:
    """Every finding of the asked `kinds` between `source` and its `rendering` (and the MT of the
    source, where there is one), in KINDS order and then by position. Offsets are into the given
    texts. An empty side gives no findings: a sentence with no counterpart is the aligner's matter.
    Findings of severity note (one side only carries a number, date or name) only with `notes`;
    keys are given before notes are left out, so a finding's key is the same either way.
    `reporting`: the rendering reports on the source (a pair-level fact, PairFile.reporting), so
    quotation marks it adds are its way of quoting, not a finding. `names`: the pair's name map
    (workbench.check.namemap), whose links explain a name replaced by another."""
    if not source.strip() or not rendering.strip():
        return []
    src, ren = _side(source, _lang(src_lang)), _side(rendering, _lang(tgt_lang))
    found: list[Finding] = []
    for kind in KINDS:
        if kind not in kinds:
            continue
        if kind == "number":
            found += check_numbers(src, ren)
        elif kind == "date":
            found += check_dates(src, ren)
        elif kind == "name":
            found += check_names(src, ren, mt, names)
        elif kind == "negation":
            found += check_negation(src, ren)
        elif kind == "quote":
            found += check_quotes(src, ren, reporting)
        elif kind == "mt-missing":
            found += check_mt_missing(ren, mt)
    keyed = _with_keys(found, source, rendering, mt)
    return keyed if notes else [f for f in keyed if f.severity in DEFAULT_SEVERITIES]


def check_records(records: Iterable, *, src_lang: str, tgt_lang: str,
                  kinds: Sequence[str] = KINDS, notes: bool = False,
                  reporting: bool = False, names: NameMap | None = None) -> list[BeadFindings]:
    """Findings for every record (workbench.store.Record) with both sides, in record order (notes
    only with `notes`; `reporting` as check_pair's), with the pair's name map `names` (default:
    learned from the records); the dismissals are read from the records' annotations
    (`check-dismissed KIND KEY: reason`)."""
    records = list(records)
    if names is None and "name" in kinds:
        names = from_pairs(((r.source_text, r.rendering_text, r.mt) for r in records
                            if r.source and r.rendering), src_lang, tgt_lang)
    out = []
    for r in records:
        if not r.source or not r.rendering:
            continue
        findings = check_pair(r.source_text, r.rendering_text, src_lang=src_lang, tgt_lang=tgt_lang,
                              mt=r.mt, kinds=kinds, notes=notes, reporting=reporting,
                              names=names)
        dismissals = tuple(d for a in r.annotations if (d := Dismissal.from_comment(a.text)))
        if findings or dismissals:
            out.append(BeadFindings(r.key, tuple(findings), dismissals))
    return out


def po_entry_lines(text: str) -> dict[str, int]:
    """Line (1-based) of each entry's msgctxt in PO text, by the bead key that ends it."""
    out = {}
    for n, line in enumerate(text.split("\n"), 1):
        m = re.match(r'^msgctxt ".*\|(s[\d,]*:t[\d,]*)"$', line)
        if m:
            out.setdefault(m[1], n)
    return out

"""Fidelity checks: does a rendering say what its source says?

This package owns the comparison of one source text (a bead's source sentences) with its rendering
(and, where there is one, the machine translation of the source) on facts a reader can verify:
numbers and quantities, dates, times and weekdays, person and place names, negation, quotation
marks, and content words of the MT that the rendering does not carry. Each check reads both sides
with the conventions of its language: decimal and grouping symbols and month and weekday names come
from Babel's locale data (CLDR) for any language Babel knows; number words, scale words, negation
cues and a few month forms CLDR lacks (Russian prepositional case) are small tables per language
code. Names are compared across scripts through the workbench's Cyrillic transliteration and a
consonant key. A finding carries its kind, a severity ("error" where both sides carry a value of
the kind and the values differ, "warning", or "note" where one side only carries a number, date
or name, which free translation and reporting do all the time: notes are left out unless asked
for), character offsets on both sides (None where a side has nothing to mark), a one-line
explanation and a key that stays the same while the marked words do. Findings are plain data, deterministic and byte-stable; they are
written as `check KIND: explanation` comment lines (format_comment / parse_comment), and a
translator's dismissal of one is a Dismissal (kind, key, reason).

Modules: findings (the model and its comment lines), text (words and language data the checks
share), morph (Russian and Ukrainian morphology), spelling (a name across scripts), numbers, dates,
names, negation, quotes (one kind each), namemap (a pair's name map), side (a side read once),
runner (check_pair, mt-missing, a pair file's records).
"""

from __future__ import annotations

from workbench.check.dates import check_dates
from workbench.check.findings import (
                                      DEFAULT_SEVERITIES,
                                      KINDS,
                                      SEVERITIES,
                                      BeadFindings,
                                      Dismissal,
                                      Finding,
                                      Span,
                                      finding_key,
                                      format_comment,
                                      parse_comment,
                                      parse_kinds,
                                      unresolved,
)
from workbench.check.namemap import NameLink, NameMap, decisions_text, from_pairs, parse_decisions
from workbench.check.names import check_names
from workbench.check.negation import check_negation
from workbench.check.numbers import check_numbers
from workbench.check.quotes import check_quotes
from workbench.check.runner import (
                                      MT_MISSING_MIN_RATIO,
                                      check_mt_missing,
                                      check_pair,
                                      check_records,
                                      po_entry_lines,
)
from workbench.check.text import NOUN_CAPITALISING


def warm_up(languages) -> None:
    """Load what the checks read of these languages (the names check's lexicon) ahead of the
    first check: a server does it while a translator picks the files of a new comparison."""
    from workbench.check.names import _lexicon

    for lang in languages:
        _lexicon(lang)


__all__ = ["DEFAULT_SEVERITIES", "KINDS", "SEVERITIES", "MT_MISSING_MIN_RATIO", "NOUN_CAPITALISING", "BeadFindings",
           "Dismissal", "Finding", "NameLink", "NameMap", "Span", "decisions_text", "from_pairs",
           "parse_decisions", "check_dates", "check_mt_missing", "check_names",
           "check_negation", "check_numbers", "check_pair", "check_quotes", "check_records",
           "finding_key", "format_comment", "parse_comment", "parse_kinds", "po_entry_lines",
           "unresolved", "warm_up"]

"""What a fidelity check finds and how it is written down.

This module owns the findings model: the kinds and severities (and which of them a review sees by
default: errors and warnings; a note says only that one side carries a number, date or name the
other leaves out, as free translation and reporting do all the time), a Finding (kind, severity, spans on
both sides and in the MT, explanation, stable key), a translator's Dismissal of one, the
`check KIND: explanation` comment lines of PO records (format_comment / parse_comment), the key that
stays the same while the marked words do (finding_key), and the findings of one bead of a pair file
(BeadFindings).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Iterable

KINDS = ("number", "date", "name", "negation", "quote", "mt-missing")
SEVERITIES = ("error", "warning", "note")
#: The severities a review sees by default (stored as `#. check` comments, shown on the page,
#: printed by `workbench check`); notes only when asked for (`workbench check --all`).
DEFAULT_SEVERITIES = ("error", "warning")

Span = tuple[int, int]


@dataclass(frozen=True)
class Finding:
    """One disagreement between a source and its rendering (or the MT and the rendering)."""

    kind: str
    severity: str
    source_span: Span | None
    rendering_span: Span | None
    explanation: str
    mt_span: Span | None = None
    #: Stable id within the bead: kind and the marked words, not their offsets (see finding_key).
    key: str = ""

    def to_dict(self) -> dict:
        return {"kind": self.kind, "severity": self.severity, "key": self.key,
                "source_span": list(self.source_span) if self.source_span else None,
                "rendering_span": list(self.rendering_span) if self.rendering_span else None,
                "mt_span": list(self.mt_span) if self.mt_span else None,
                "explanation": self.explanation}


@dataclass(frozen=True)
class Dismissal:
    """A translator's decision that a finding is not a fault, with the reason; it holds while the
    finding's key does (the same kind on the same words)."""

    kind: str
    key: str
    reason: str

    def to_comment(self) -> str:
        reason = " ".join(self.reason.split())
        return f"check-dismissed {self.kind} {self.key}: {reason}"

    @classmethod
    def from_comment(cls, line: str) -> "Dismissal | None":
        """The dismissal in a translator comment or annotation text, or None."""
        m = _DISMISSED_RE.match(line.strip())
        if not m or m["kind"] not in KINDS:
            return None
        return cls(kind=m["kind"], key=m["key"], reason=m["reason"])


_COMMENT_RE = re.compile(r"^check (?P<kind>[a-z-]+): (?P<text>.+)$")
#: Also found inside an annotation the store wrote back ("[] check-dismissed ... -- AUTHOR, TIME").
_DISMISSED_RE = re.compile(r"(?:^|^\[[a-z-]*\] )check-dismissed (?P<kind>[a-z-]+) "
                           r"(?P<key>[0-9a-f]{10}(?:-\d+)?): (?P<reason>.*?)"
                           r"(?: -- [^\n]*,\s*(?:\d{4}-\d\d-\d\dT[\d:]+Z)?)?$")


def format_comment(finding: Finding) -> str:
    """The one-line PO comment text of a finding: `check KIND: explanation`."""
    text = " ".join(finding.explanation.split())
    return f"check {finding.kind}: {text}"


def parse_comment(line: str) -> tuple[str, str] | None:
    """(kind, explanation) of a `check KIND: explanation` comment line, or None for other lines."""
    m = _COMMENT_RE.match(line.strip())
    if not m or m["kind"] not in KINDS:
        return None
    return m["kind"], m["text"]


def finding_key(kind: str, source: str, rendering: str, mt: str = "") -> str:
    """Ten hex digits of SHA-1 over the kind and the marked words of each side."""
    data = "\x1f".join((kind, " ".join(source.split()), " ".join(rendering.split()),
                        " ".join(mt.split())))
    return hashlib.sha1(data.encode("utf-8")).hexdigest()[:10]


def parse_kinds(text: str) -> tuple[str, ...]:
    """`number,date` -> ('number', 'date'), in KINDS order; ValueError names an unknown kind."""
    asked = [k.strip() for k in text.split(",") if k.strip()]
    unknown = [k for k in asked if k not in KINDS]
    if unknown or not asked:
        raise ValueError(f"unknown check kind '{unknown[0] if unknown else text}'")
    return tuple(k for k in KINDS if k in asked)


def _with_keys(findings: list[Finding], source: str, rendering: str, mt: str | None) -> list[Finding]:
    seen: dict[str, int] = {}
    out = []
    for f in findings:
        def part(text: str | None, span: Span | None) -> str:
            return text[span[0]:span[1]] if text is not None and span else ""

        key = finding_key(f.kind, part(source, f.source_span), part(rendering, f.rendering_span),
                          part(mt, f.mt_span))
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key = f"{key}-{seen[key]}"
        # one line, whatever the quoted words held (line or paragraph separators, tabs)
        out.append(Finding(f.kind, f.severity, f.source_span, f.rendering_span,
                           " ".join(f.explanation.split()), f.mt_span, key))
    return out


def unresolved(findings: Iterable[Finding], dismissals: Iterable[Dismissal]) -> list[Finding]:
    """The findings no dismissal covers (same kind and key)."""
    gone = {(d.kind, d.key) for d in dismissals}
    return [f for f in findings if (f.kind, f.key) not in gone]


@dataclass(frozen=True)
class BeadFindings:
    """The findings of one bead of a pair file, with the dismissals its comments carry."""

    key: str
    findings: tuple[Finding, ...]
    dismissals: tuple[Dismissal, ...]

    def dismissal(self, finding: Finding) -> Dismissal | None:
        for d in self.dismissals:
            if (d.kind, d.key) == (finding.kind, finding.key):
                return d
        return None

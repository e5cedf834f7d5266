"""A bead's fidelity findings in its view: the `checks` list, and the marks the page draws.

Each finding of a bead (workbench.findings) becomes a plain dict of the JSON API (kind, severity,
explanation, key, character offsets into the bead's joined texts, the marked words, the dismissal),
and the sentences it marks are cut at its offsets: a sentence a finding touches gets `marks`, its
text cut into runs, each with the indexes in `checks` of the findings that cover it and its spans
with the word-difference tags the rendering already carries. The pair template draws those runs;
a sentence no finding touches has no `marks` and is drawn as before.
"""
from __future__ import annotations

from typing import Sequence

from workbench.findings import Reviewed

Span = tuple[int, int]


def check_view(item: Reviewed, source: str, rendering: str, mt: str | None) -> dict:
    """One finding as the bead's JSON gives it (docs/api.md), with the words it marks."""
    f = item.finding

    def part(text: str | None, span: Span | None) -> str | None:
        return text[span[0]:span[1]] if text is not None and span else None

    dismissed = None
    if item.dismissal is not None:
        note = item.note
        # a comment written by hand names no author and no time
        dismissed = {"reason": item.dismissal.reason,
                     "author": (note.author or None) if note else None,
                     "time": (note.time or None) if note else None}
    return {"kind": f.kind, "severity": f.severity, "key": f.key, "explanation": f.explanation,
            "source_span": list(f.source_span) if f.source_span else None,
            "rendering_span": list(f.rendering_span) if f.rendering_span else None,
            "mt_span": list(f.mt_span) if f.mt_span else None,
            "source": part(source, f.source_span), "rendering": part(rendering, f.rendering_span),
            "mt": part(mt, f.mt_span), "dismissed": dismissed}


def _cut(spans: Sequence[dict], start: int, covers: Sequence[tuple[int, Span]]) -> list[dict] | None:
    """`spans` (one sentence's [{text, tag}], starting at offset `start` of the joined text) cut
    at the findings' boundaries into runs covered by the same findings: [{checks, spans}], each
    run's spans in the shape of the input; None when no finding covers any of it."""
    end = start + sum(len(s["text"]) for s in spans)
    inside = [(i, (max(a, start), min(b, end))) for i, (a, b) in covers if a < end and b > start]
    if not inside:
        return None
    cuts = sorted({p for _, (a, b) in inside for p in (a, b)})
    out: list[dict] = []
    pos = start
    for s in spans:
        text, tag = s["text"], s["tag"]
        points = [p for p in cuts if pos < p < pos + len(text)] + [pos + len(text)]
        at = pos
        for p in points:
            piece = text[at - pos:p - pos]
            if piece:
                on = [i for i, (a, b) in inside if a <= at and p <= b]
                if not out or out[-1]["checks"] != on:
                    out.append({"checks": on, "spans": []})
                run = out[-1]["spans"]
                if run and run[-1]["tag"] == tag:
                    run[-1]["text"] += piece
                else:
                    run.append({"text": piece, "tag": tag})
            at = p
        pos += len(text)
    return out


def mark(view: dict, items: Sequence[Reviewed], source: str, rendering: str,
         mt: str | None) -> None:
    """Put `checks` into a bead's view, `check` into the notes that dismiss one of them, and
    `marks` into the sentences its findings cover. The MT
    words an `mt-missing` finding names are not marked again: the word differences mark them
    already, and the line under the row names them."""
    view["checks"] = [check_view(i, source, rendering, mt) for i in items]
    if not items:
        return
    # The note that dismisses a finding shown here says which (its index in `checks`): the page
    # shows it on the finding's line rather than again among the notes.
    for n, item in enumerate(items):
        for a in view["annotations"]:
            if item.note is not None and "check" not in a and (a["text"], a["author"], a["time"]) \
                    == (item.note.text, item.note.author, item.note.time):
                a["check"] = n
                break
    spans: dict[str, list[tuple[int, Span]]] = {"source": [], "rendering": []}
    for n, item in enumerate(items):
        f = item.finding
        for side, span in (("source", f.source_span), ("rendering", f.rendering_span)):
            if span:
                spans[side].append((n, (span[0], span[1])))
    for side in ("source", "rendering"):
        start = 0
        for s in view["sentences"][side]:
            pieces = s.get("spans") or [{"text": s["text"], "tag": "equal"}]
            marks = _cut(pieces, start, spans[side])
            if marks is not None:
                s["marks"] = marks
            # Sentences are joined by one space: on the rendering with MT, the spans carry it.
            start += len(s["text"]) + 1

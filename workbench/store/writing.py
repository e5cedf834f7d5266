"""Writing a pair's records as PO text: the header (one builder for every write), one entry per
record, and the render cache that lets a save of one change to a large pair format only the
entries that changed.

Wrapping is disabled, so every comment line stays one line and rendering a loaded file gives its
bytes back. The entry layout is described in workbench.store and docs/po-format.md.
"""

from __future__ import annotations

from typing import Callable, Mapping

import polib

from workbench import __version__, clock
from workbench.corpus import Document
from workbench.store.records import NO_SOURCE, PairFile, Part, Record

#: Status flags besides `fuzzy`; approved = no fuzzy flag (gettext's "reviewed").
STATUS_FLAGS = {"rejected": "rejected", "needs-work": "needs-work"}
RENDERING_ONLY = "rendering-only"
WRAP = 0  # never wrap: one annotation per comment line, one msgid line per sentence group
#: The header field of a translator's decisions on the pair's name map (workbench.check.namemap):
#: `confirmed Стива = Stiva; broken Анна = Betsy`; absent while there are none.
NAMES_HEADER = "X-Workbench-Names"


def header_comment(source_id: str, rendering_id: str) -> str:
    return (f"Aligned pair {source_id} | {rendering_id}, written by workbench.\n"
            "Format: docs/po-format.md. fuzzy = not yet approved.")


def stamp(header: Mapping[str, str], revision: int, time: str | None = None) -> dict[str, str]:
    """The header a write records: `header` with its revision and its PO-Revision-Date (`time`,
    default now). Every write goes through here, a new file's first one included."""
    out = dict(header)
    out["X-Workbench-Revision"] = str(revision)
    out["PO-Revision-Date"] = clock.po_date(time)
    return out


def pair_header(source: Document, rendering: Document, n_source: int, n_rendering: int, *,
                settings: Mapping[str, object], mt_model: str | None,
                time: str | None = None) -> dict[str, str]:
    """The header of a new pair file: the two documents, languages, sentence counts, the tool,
    the MT model and the aligner's settings, so that everything made from it says how. Its
    dates are `time` (ISO 8601, default clock.now())."""
    now = time or clock.now()
    return stamp({
        "Project-Id-Version": f"{source.id}__{rendering.id}",
        "POT-Creation-Date": clock.po_date(now),
        "PO-Revision-Date": "",
        "Language": rendering.language,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "X-Generator": f"workbench {__version__}",
        "X-Source-Document": f"{source.id} {source.path}",
        "X-Source-Language": source.language,
        "X-Source-Sentences": str(n_source),
        "X-Rendering-Document": f"{rendering.id} {rendering.path}",
        "X-Rendering-Sentences": str(n_rendering),
        "X-MT-Model": mt_model or "none",
        "X-Aligner": "; ".join(f"{k}={v}" for k, v in sorted(settings.items())),
        "X-Workbench-Revision": "",
    }, 1, now)


def _one_line(text: str) -> str:
    return text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def part_comment(p: Part) -> str:
    """The line that keeps one bead a merge joined: `merged src=1 tgt=4 score=1.0000 method=M
    notes=N`, and ` closest=S/P` when it had a suggestion."""
    closest = f" closest={p.closest[0]}/{p.closest[1]:.2f}" if p.closest is not None else ""
    return (f"merged src={','.join(map(str, p.source))} tgt={','.join(map(str, p.rendering))} "
            f"score={p.score:.4f} method={p.method} notes={p.notes}{closest}")


def _entry(pf: PairFile, r: Record) -> polib.POEntry:
    flags = []
    if r.status != "approved":
        flags.append("fuzzy")
    if r.status in STATUS_FLAGS:
        flags.append(STATUS_FLAGS[r.status])
    if not r.source:
        flags.append(RENDERING_ONLY)
    comments = [
        f"align {r.kind} src={','.join(map(str, r.source))} tgt={','.join(map(str, r.rendering))} "
        f"score={r.score:.4f} method={r.method}"]
    if r.closest is not None:
        comments.append(f"closest source {r.closest[0]} ({r.closest[1]:.2f})")
    comments.extend(part_comment(p) for p in r.parts)
    if r.source_lengths or r.rendering_lengths:
        comments.append(f"lengths src={','.join(map(str, r.source_lengths))} "
                        f"tgt={','.join(map(str, r.rendering_lengths))} "
                        f"mt={','.join(map(str, r.mt_lengths))}")
    if r.mt is not None:
        comments.append(f"mt {pf.source_language}>{pf.rendering_language} ({r.mt_model}): "
                        f"{_one_line(r.mt)}")
    # written as read (a loaded file keeps its bytes); only a line end would break the line
    comments.extend(_one_line(c) for c in r.checks)
    if r.reviewer is not None and r.status != "unreviewed":
        comments.append(f"status {r.status} by {_one_line(r.reviewer[0])} on {r.reviewer[1]}")
    return polib.POEntry(
        msgctxt=f"{pf.source_id}|{pf.rendering_id}|{r.key}",
        msgid=r.source_text if r.source else NO_SOURCE,
        msgstr=r.rendering_text,
        tcomment="\n".join(a.to_comment() for a in r.annotations),
        comment="\n".join(comments),
        occurrences=list(r.references),
        flags=flags)


def entry_text(pf: PairFile, r: Record) -> str:
    """One record's entry as PO text."""
    return _entry(pf, r).__unicode__(WRAP)


def _text(pf: PairFile, entry: Callable[[Record], str]) -> str:
    po = polib.POFile(wrapwidth=WRAP)
    po.metadata = dict(pf.header)
    po.header = header_comment(pf.source_id, pf.rendering_id)
    return "\n".join([str(po), *(entry(r) for r in pf.records)]) + "\n"


def render(pf: PairFile) -> str:
    """The PO text of `pf`, deterministic: rendering a loaded file gives its bytes back."""
    return _text(pf, lambda r: entry_text(pf, r))


class RenderCache:
    """Renders pairs as render() does, remembering each entry's text by its record, so that
    saving one change to a large pair does not format every unchanged entry again. One object
    per owner (an edit.Editor keeps one for the pairs it saves); nothing is shared globally.

    Entries are keyed by the record's identity, not its value: hashing a record walks all its
    annotations, which for a much-annotated pair cost more than the render itself. The record is
    kept in the value, so its id cannot be reused while the entry exists."""

    def __init__(self, limit: int = 200_000) -> None:
        self.limit = limit
        self._texts: dict[int, tuple[tuple, Record, str]] = {}

    def __len__(self) -> int:
        return len(self._texts)

    def render(self, pf: PairFile) -> str:
        context = (pf.source_id, pf.rendering_id, pf.source_language, pf.rendering_language)
        if len(self._texts) > self.limit:
            self._texts.clear()
        texts = self._texts

        def entry(r: Record) -> str:
            hit = texts.get(id(r))
            if hit is not None and hit[1] is r and hit[0] == context:
                return hit[2]
            text = entry_text(pf, r)
            texts[id(r)] = (context, r, text)
            return text

        return _text(pf, entry)


def render_cached(pf: PairFile, cache: RenderCache | None = None) -> str:
    """The same text as render(pf), through `cache` (a fresh one when none is given)."""
    return (cache if cache is not None else RenderCache()).render(pf)


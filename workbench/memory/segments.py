"""What the translation memory holds and how it is keyed: Segment, Match and SyncReport, the
memory's settings, the segments of a pair's PO file (read through the store), and the normalised
text, trigrams, words and hash the index and the lookups share."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from workbench.errors import WorkbenchError



def index_path(data_dir: str | Path) -> Path:
    """Where a data directory's index lives: in the user's cache directory (WORKBENCH_CACHE_DIR,
    else the XDG cache), one file per data directory named after its resolved path. The index is
    derived data, so the data directory holds only what people wrote, and reading it (a page, a
    lookup) writes nothing there."""
    from workbench.cache import default_cache_dir

    root = Path(data_dir).resolve()
    digest = hashlib.sha256(str(root).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return default_cache_dir() / "memory" / f"{root.name or 'root'}-{digest}.sqlite3"

#: Where imported TMX files are kept (the memory's second source of truth besides the PO files).
IMPORTS_DIR = Path("memory")
#: Bumped when the schema or what is indexed changes; an index of another format is rebuilt.
FORMAT = 6
#: Postings (segment ids of the query's rarer trigrams) read per fuzzy lookup at most.
CANDIDATE_BUDGET = 60_000
#: Candidates the trigram index hands to the final scoring.
MAX_CANDIDATES = 100
#: The same for the query's words, and the candidates they add.
WORD_BUDGET = 300_000
WORD_CANDIDATES = 400
#: Postings kept as rows (cheap to add one by one) before they are merged into the blobs.
PENDING_LIMIT = 50_000
#: Default lowest fuzzy score returned.
DEFAULT_MIN = 70
#: The longest text of a segment, in characters, on either side (as an annotation's limit): a
#: longer unit of an imported file, or bead of a pair, is left out of the memory, and a longer
#: query is refused. Sentences are far shorter; a document pasted into one unit would cost every
#: lookup that finds it.
MAX_SEGMENT_CHARS = 10_000


def normalize(text: str) -> str:
    """Runs of whitespace as one space, no leading or trailing space: what scores compare."""
    return " ".join(text.split())


def language(code: str) -> str:
    """A TMX or PO language tag reduced to its primary subtag, lower case: 'EN-US' -> 'en'."""
    return code.strip().replace("_", "-").split("-")[0].lower()


@dataclass(frozen=True)
class Segment:
    """One translation unit of the memory: a source, its reviewed rendering and where it came from.
    `origin` is "pair" (an approved bead; `pair` and `bead` name it) or "tmx" (an imported file;
    `pair` is the file's name, `bead` the unit's tuid or number)."""

    source_text: str
    rendering_text: str
    source_language: str
    rendering_language: str
    origin: str
    pair: str
    bead: str
    reviewer: str
    time: str  # ISO 8601 UTC, or "" when unknown


@dataclass(frozen=True)
class Match:
    """A lookup result. `kind` is "exact", "fuzzy" or "semantic"; `score` is 0-100 for exact and
    fuzzy, None for semantic (which carries `margin`, how far it stands out: see
    Lookups.semantic_lookup); `diff` marks the words in which the memory's source differs from the
    query (worddiff spans of both texts, query first)."""

    kind: str
    score: float | None
    segment: Segment
    diff: tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]] = ((), ())
    margin: float | None = None

    def to_json(self) -> dict:
        s = self.segment
        return {"kind": self.kind, "score": self.score, "margin": self.margin,
                "source_text": s.source_text,
                "rendering_text": s.rendering_text, "source_language": s.source_language,
                "rendering_language": s.rendering_language,
                "origin": s.origin, "pair": s.pair, "bead": s.bead, "reviewer": s.reviewer,
                "time": s.time,
                "diff": {"query": [list(x) for x in self.diff[0]],
                         "source": [list(x) for x in self.diff[1]]}}


@dataclass
class SyncReport:
    """What a rebuild or sync did: files read, segments in the index, files that could not be read."""

    files: int = 0
    segments: int = 0
    errors: list[WorkbenchError] = field(default_factory=list)


# --- reading the sources of truth ----------------------------------------------------------------

def pair_segments(po_path: str | Path, load: Callable | None = None) -> list[Segment]:
    """The approved beads of one pair file that have both a source and a rendering (read with
    `load`, store.load by default; a server passes its editor's cached parse). The reviewer
    and time are the approver's the record keeps, else (a bead approved without a name, or in
    another PO editor) those of its latest annotation; without either, both are left empty rather
    than guessed (the file's PO-Revision-Date moves with every save of any bead, and would make
    every save re-index every approved bead)."""
    from workbench import store

    pf = (load or store.load)(po_path)
    pair = Path(po_path).name.removesuffix(".po")
    src, tgt = language(pf.source_language), language(pf.rendering_language)
    out = []
    for r in pf.records:
        if r.status != "approved" or not r.source or not r.rendering:
            continue
        if not normalize(r.source_text) or not normalize(r.rendering_text):
            continue
        if max(len(r.source_text), len(r.rendering_text)) > MAX_SEGMENT_CHARS:
            continue
        note = r.annotations[-1] if r.annotations else None
        who, when = r.reviewer or ((note.author, note.time) if note else ("", ""))
        out.append(Segment(source_text=r.source_text, rendering_text=r.rendering_text,
                           source_language=src, rendering_language=tgt, origin="pair", pair=pair,
                           bead=r.key, reviewer=who, time=when))
    return out


_COLUMNS = "id, source, target, src, tgt, origin, pair, bead, reviewer, time"


def _row_segment(row: Sequence) -> Segment:
    return Segment(source_text=row[1], rendering_text=row[2], source_language=row[3],
                   rendering_language=row[4], origin=row[5], pair=row[6], bead=row[7],
                   reviewer=row[8], time=row[9])


def _hash(norm: str) -> int:
    """A 64-bit key of a normalized source, for exact matches (cheaper to index than the text)."""
    return int.from_bytes(hashlib.blake2b(norm.encode("utf-8"), digest_size=8).digest(), "little",
                          signed=True)


def words(text: str) -> list[str]:
    """The distinct words of a normalized, case-folded text, as postings keys: each starts with
    NUL, so that none equals a trigram."""
    return list(dict.fromkeys("\0" + w for w in text.split()))


def trigrams(text: str) -> list[str]:
    """The distinct trigrams of a normalized, case-folded text, in order of first appearance, as
    SQLite's trigram tokenizer cuts them (three code points, spaces included)."""
    return list(dict.fromkeys(text[i:i + 3] for i in range(len(text) - 2)))


"""The translation memory: every approved bead of a data directory, plus imported TMX, searchable.

This package owns the memory: what it holds (`segments`), TMX in and out (`tmx`), the index
(`index`) and its lookups (`lookup`); here, opening a data directory's memory and exporting it. The
index is derived data, an SQLite file in the cache directory (`memory/` under $WORKBENCH_CACHE_DIR,
else ~/.cache/workbench; one file per data directory, `index_path`); the PO files (and
the TMX files a user imported, kept as copies in `<data>/memory/`) are the only source of truth, so
the index can be deleted at any time and is rebuilt from them on the next use (a damaged or
outdated one likewise). A pair file is indexed by its fingerprint (size, modification time,
SHA-256): `update_pair` re-reads a pair only when its bytes changed and then changes just the
segments that differ, so approving, un-approving or editing a bead costs one parse of that pair and
a handful of row writes.

Lookup is fuzzy on the source side, scored 0-100 like CAT tools do. The score is character-based:
rapidfuzz's normalized Indel similarity (`fuzz.ratio`) of the two sources with runs of whitespace
made one space, so 100 means the same text and 90 about one character in twenty changed. Characters
rather than words because the workbench serves Russian and German, where one changed ending or a
compound would cost a whole word in a word-based score, and languages written without spaces; the
differing words are still marked word by word (workbench.worddiff) for the reader. Candidates come
from an index, never a scan of the memory: trigram postings per language pair (sorted segment ids in
one blob per trigram, plus a small table of postings added since the last compaction), from which
the query's trigrams that are not too common (at most CANDIDATE_BUDGET postings read) count how many
of them each segment shares, and its words likewise (postings of words beside those of trigrams);
only the MAX_CANDIDATES + WORD_CANDIDATES segments sharing most are scored. SQLite's
FTS5 trigram index was measured first and took 200 ms a lookup at 100,000 segments (fts5vocab
walks a trigram's postings to count them, and bm25 over an OR of trigrams ranks every row that
holds any). Exact matches (score 100) come first. A second, semantic lookup compares sentence
vectors from workbench.embed (loaded only when asked) and is labelled "semantic", never given a
fuzzy score.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from workbench.memory.index import Memory
from workbench.memory.segments import (CANDIDATE_BUDGET, DEFAULT_MIN, FORMAT, IMPORTS_DIR,
                                       MAX_CANDIDATES, MAX_SEGMENT_CHARS, PENDING_LIMIT,
                                       WORD_BUDGET, WORD_CANDIDATES, Match, Segment, SyncReport,
                                       index_path, language, normalize, pair_segments, trigrams,
                                       words)
from workbench.memory.tmx import read_tmx, write_tmx

__all__ = ["CANDIDATE_BUDGET", "DEFAULT_MIN", "FORMAT", "IMPORTS_DIR", "index_path",
           "MAX_CANDIDATES", "MAX_SEGMENT_CHARS", "PENDING_LIMIT", "WORD_BUDGET",
           "WORD_CANDIDATES", "Match", "Memory",
           "Segment", "SyncReport", "export_to_path", "language", "normalize", "open_memory",
           "pair_segments", "read_tmx", "trigrams", "words", "write_tmx"]


def open_memory(data_dir: str | Path) -> Memory:
    """The data directory's memory, up to date with its files (a sync costs a stat per file); an
    index that turns out damaged on the way is rebuilt."""
    memory = Memory(data_dir)
    try:
        memory.sync()
    except sqlite3.DatabaseError:
        memory.rebuild()
    return memory



def export_to_path(memory: Memory, out: str | Path) -> int:
    """Write the memory as TMX to `out`, complete or not at all, as every output is written
    (workbench.files: a new file gets the umask's mode, a replaced one keeps its own)."""
    from workbench.files import AtomicOutput

    with AtomicOutput(out) as target:
        return memory.export_tmx(target.file)

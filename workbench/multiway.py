"""One source and all its renderings at once: which renderings carry each source sentence, and how.

corpora.toml may compare one source with several renderings, each its own pair and PO file. This
module owns the view across them: for every source sentence, how each rendering carries it (a
"quote" - a link the aligner is sure of, "paraphrase" - a link below QUOTE_MIN or one a reviewer
annotated as a paraphrase, or "left out"), with the rendering's sentences and the bead's fidelity
findings, open or dismissed as on the pair page; the disagreements between renderings of the same source sentence (a number, a
date or a name that differs, found with workbench.check's comparison of two texts); how much of the
source each rendering carries; and the sentences no rendering carries. The PO files are only read,
never written: a pair whose file is missing, damaged or aligned with another version of the source
is a column that says why, and the other columns are shown all the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from workbench.corpus import Corpus, Document, Pair, Sentence, decode_text, read_bytes
from workbench.errors import WorkbenchError
from workbench.store import PairFile, Record
from workbench.wording import in_directory

#: A link with at least this probability counts as a quote (the rendering says the sentence
#: closely); a link below it as a paraphrase. The aligner links a sentence at a probability above
#: 0.5, so 0.5 to 0.9 are links it judged more likely right than wrong but not near certain, where
#: the wording or the length strays from the source: the places a reader compares first. (The
#: bundled renderings, a quotation and a sentence-for-sentence translation, link at 0.93 and above.)
QUOTE_MIN = 0.9
HOW = ("quote", "paraphrase", "left out")
#: What a disagreement between two renderings can be about (workbench.check's kinds).
DISAGREEMENT_KINDS = ("number", "date", "name")

Loader = Callable[[Path], PairFile]


@dataclass(frozen=True)
class Noted:
    """A fidelity finding of the bead that carries a sentence, as the pair page shows it: open, or
    dismissed with the reason and the name of who dismissed it."""

    kind: str
    severity: str
    explanation: str
    dismissed: str | None = None  # the reason, when a note dismisses it
    dismissed_by: str | None = None

    def to_json(self) -> dict:
        return {"kind": self.kind, "severity": self.severity, "explanation": self.explanation,
                "dismissed": self.dismissed, "dismissed_by": self.dismissed_by}


@dataclass(frozen=True)
class Carriage:
    """How one rendering carries one source sentence: `how` is one of HOW; `probability` the
    bead's; `rendering` the ids and text of the rendering sentences it is linked with (none when
    left out); `shared` the other source sentences of the same bead (a 2-1 bead carries two)."""

    how: str
    probability: float
    bead: str
    rendering: tuple[int, ...]
    text: str
    status: str
    checks: tuple[Noted, ...] = ()
    shared: tuple[int, ...] = ()

    @property
    def carried(self) -> bool:
        return self.how != "left out"

    def to_json(self) -> dict:
        return {"how": self.how, "probability": round(self.probability, 4), "bead": self.bead,
                "rendering": list(self.rendering), "text": self.text, "status": self.status,
                "checks": [f.to_json() for f in self.checks], "shared": list(self.shared)}


@dataclass(frozen=True)
class Disagreement:
    """Two renderings of one source sentence that differ on a number, date or name: `first_words`
    and `second_words` are what each says ("" when it says nothing of the kind)."""

    kind: str
    severity: str
    first: str
    second: str
    first_words: str
    second_words: str

    @property
    def explanation(self) -> str:
        if self.first_words and self.second_words:
            return (f"{self.first} says \u201c{self.first_words}\u201d; "
                    f"{self.second} says \u201c{self.second_words}\u201d")
        one, words, other = ((self.first, self.first_words, self.second) if self.first_words
                             else (self.second, self.second_words, self.first))
        return f"{one} says \u201c{words}\u201d; {other} has no such {self.kind}"

    def to_json(self) -> dict:
        return {"kind": self.kind, "severity": self.severity, "renderings": [self.first, self.second],
                "words": [self.first_words, self.second_words], "explanation": self.explanation}


@dataclass(frozen=True)
class Column:
    """One rendering of the source: its pair and document, its PO file (relative to the data
    directory), and `error` when the file cannot be shown (missing, damaged, out of date)."""

    pair: Pair
    document: Document
    po: str
    error: str | None = None
    quotes: int = 0
    paraphrases: int = 0
    total: int = 0

    @property
    def carried(self) -> int:
        return self.quotes + self.paraphrases

    @property
    def coverage(self) -> float | None:
        """Share of the source's sentences this rendering carries; None when it cannot be read."""
        if self.error is not None or not self.total:
            return None
        return self.carried / self.total

    def to_json(self) -> dict:
        return {"pair": self.pair.id, "rendering": self.document.id,
                "language": self.document.language, "title": self.document.title,
                "provenance": self.document.provenance, "po": self.po, "error": self.error,
                "quotes": self.quotes, "paraphrases": self.paraphrases, "carried": self.carried,
                "sentences": self.total,
                "coverage": None if self.coverage is None else round(self.coverage, 4)}


@dataclass(frozen=True)
class Row:
    """One source sentence and, per column, how that rendering carries it (None where the
    column's file cannot be read)."""

    sentence: Sentence
    carriages: tuple[Carriage | None, ...]
    disagreements: tuple[Disagreement, ...] = ()

    @property
    def carried_by(self) -> int:
        return sum(1 for c in self.carriages if c is not None and c.carried)

    def to_json(self, columns: Sequence[Column]) -> dict:
        return {"sentence": self.sentence.index, "paragraph": self.sentence.paragraph,
                "line": self.sentence.line, "text": self.sentence.text,
                "renderings": {col.document.id: (c.to_json() if c is not None else None)
                               for col, c in zip(columns, self.carriages)},
                "disagreements": [d.to_json() for d in self.disagreements]}


@dataclass(frozen=True)
class SourceView:
    """A source, its renderings (columns, in corpora.toml order) and one row per source sentence."""

    source: Document
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]

    @property
    def uncarried(self) -> list[int]:
        """The source sentences no readable rendering carries."""
        return [r.sentence.index for r in self.rows if r.carried_by == 0]

    def to_json(self) -> dict:
        return {"source": {"id": self.source.id, "language": self.source.language,
                           "title": self.source.title, "provenance": self.source.provenance,
                           "path": self.source.path},
                "quote_min": QUOTE_MIN,
                "renderings": [c.to_json() for c in self.columns],
                "uncarried": self.uncarried,
                "rows": [r.to_json(self.columns) for r in self.rows]}


def read_pair_file(path: Path) -> PairFile:
    """A pair's PO file, only read: no lock taken, no leftover removed, nothing written."""
    from workbench import store

    if not path.is_file():
        raise FileNotFoundError(str(path))
    pf = store.parse(decode_text(read_bytes(path), str(path)), str(path))
    pf.path = path
    return pf


def how_carried(record: Record) -> str:
    """The mark of a bead for each of its source sentences (see QUOTE_MIN)."""
    if not record.rendering:
        return "left out"
    if record.category == "paraphrase" or record.score < QUOTE_MIN:
        return "paraphrase"
    return "quote"


def _noted(pf: PairFile, r: Record) -> tuple[Noted, ...]:
    """The bead's findings with their dismissals, as the pair page has them (workbench.findings)."""
    from workbench import findings

    return tuple(Noted(i.finding.kind, i.finding.severity, i.finding.explanation,
                       i.dismissal.reason if i.dismissal else None,
                       (i.note.author or None) if i.dismissal and i.note else None)
                 for i in findings.of_pair(pf, r))


def _carriages(pf: PairFile, n_source: int) -> list[Carriage | None]:
    out: list[Carriage | None] = [None] * n_source
    for r in pf.records:
        checks = _noted(pf, r) if r.source and r.rendering else ()
        for s in r.source:
            out[s] = Carriage(how=how_carried(r), probability=r.score, bead=r.key,
                              rendering=r.rendering, text=r.rendering_text, status=r.status,
                              checks=checks, shared=tuple(x for x in r.source if x != s))
    return out


def _changed_sentence(pf: PairFile, sentences: Sequence[Sentence]) -> int | None:
    """The first source sentence whose text in the PO file is not the source's text now, or None
    (the same number of sentences can still be other sentences). Beads of one source sentence
    are compared: a merge may have joined its sentences' texts in another order."""
    for r in pf.records:
        if len(r.source) == 1 and r.source_text != sentences[r.source[0]].text:
            return r.source[0]
    return None


def _column(corpus: Corpus, pair: Pair, sentences: Sequence[Sentence], load: Loader
            ) -> tuple[Column, list[Carriage | None]]:
    n_source = len(sentences)
    doc = corpus.documents[pair.rendering]
    rel = f"translations/{pair.po}"
    path = corpus.root / "translations" / pair.po

    def failed(why: str) -> tuple[Column, list[Carriage | None]]:
        return Column(pair, doc, rel, error=why, total=n_source), [None] * n_source

    try:
        pf = load(path)
    except FileNotFoundError:
        return failed(f"no PO file {rel} yet: align the pair (`workbench align "
                      f"{corpus.documents[pair.source].path} {doc.path} -o {rel}`)")
    except WorkbenchError as exc:
        # no absolute path in a page or answer
        return failed(in_directory(str(exc), corpus.root).replace(str(path), rel))
    if pf.source_id != pair.source or pf.rendering_id != pair.rendering:
        return failed(f"{rel} aligns {pf.source_id} with {pf.rendering_id}, not {pair.source} "
                      f"with {pair.rendering}")
    stored = int(pf.header.get("X-Source-Sentences", "-1"))
    if stored != n_source:
        return failed(f"{rel} was aligned with {stored} source sentences; {pair.source} now has "
                      f"{n_source}: re-align the pair")
    changed = _changed_sentence(pf, sentences)
    if changed is not None:
        return failed(f"{rel} holds source sentence {changed} as it was before {pair.source} "
                      f"changed: re-align the pair")
    carriages = _carriages(pf, n_source)
    quotes = sum(1 for c in carriages if c is not None and c.how == "quote")
    paraphrases = sum(1 for c in carriages if c is not None and c.how == "paraphrase")
    return Column(pair, doc, rel, None, quotes, paraphrases, n_source), carriages


def disagreements(texts: Sequence[tuple[str, str, str]]) -> list[Disagreement]:
    """The numbers, dates and names on which renderings of one source sentence differ. `texts`
    holds (document id, language, text) per rendering that carries the sentence; each two are
    compared in the given order, the first taken as workbench.check's source side."""
    # Babel's locale data: loaded only when a row has two renderings to compare
    from workbench.check import check_pair

    out = []
    for (a, lang_a, text_a), (b, lang_b, text_b) in combinations(texts, 2):
        for f in check_pair(text_a, text_b, src_lang=lang_a, tgt_lang=lang_b,
                            kinds=DISAGREEMENT_KINDS):
            out.append(Disagreement(
                kind=f.kind, severity=f.severity, first=a, second=b,
                first_words=text_a[f.source_span[0]:f.source_span[1]] if f.source_span else "",
                second_words=text_b[f.rendering_span[0]:f.rendering_span[1]] if f.rendering_span
                else ""))
    return out


def source_view(corpus: Corpus, source_id: str, *, load: Loader = read_pair_file) -> SourceView:
    """The multi-way view of `source_id` over every pair that renders it (NotFoundError when the
    document is unknown or the source of no pair). `load` reads a pair's PO file and raises
    FileNotFoundError when there is none; the default only reads."""
    from workbench.segment import segment

    pairs = corpus.renderings(source_id)
    source = corpus.documents[source_id]
    sentences = segment(source.text, source.language)
    built = [_column(corpus, p, sentences, load) for p in pairs]
    columns = tuple(c for c, _ in built)
    rows = []
    for s in sentences:
        carriages = tuple(per[s.index] for _, per in built)
        texts = [(col.document.id, col.document.language, c.text)
                 for col, c in zip(columns, carriages) if c is not None and c.carried]
        rows.append(Row(s, carriages, tuple(disagreements(texts)) if len(texts) > 1 else ()))
    return SourceView(source, columns, tuple(rows))

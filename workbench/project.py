"""The core object for a data directory (corpora/ and translations/), and the one way a document
pair is prepared.

`align_documents` is the data flow of one pair up to the beads: segment both texts, translate the
source when an engine (or an MT file's lines) is given, align; `Prepared.write` turns that into the
pair's PO file (`Prepared.pair_file` builds it, store.write_pair writes it). `workbench align`,
`Project.prepare` (the web view's Prepare and Re-align buttons) and batch runs (a worker builds,
the run's client writes) all go through them. A `Project` lists the pairs of corpora.toml, opens a pair's PO file
(reading only: a pair without one raises NotPreparedError, it is never made on the way), prepares,
re-aligns or gives MT to a pair on request, saves edit actions and undo/redo, exports, and holds what is costly to make and worth
keeping between calls: the corpus, the translation engine per language pair, the sentence encoder,
one edit.Editor (each pair's parsed PO file, keyed by the file's identity on disk, and its history
index) and the translation memory's index, one SQLite connection per thread, brought up to date
after every save (`pair_saved`). The files stay the truth: a file changed by another process has
another identity and is read again.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Protocol, Sequence

from workbench import edit, store
from workbench.corpus import Corpus, Document, Pair, Sentence, load_corpus
from workbench.errors import InputError, ModelError, NotPreparedError, ReadOnlyError, WorkbenchError
from workbench.model import Alignment
from workbench.progress import Counter, Progress

log = logging.getLogger(__name__)
_WARMING = threading.Lock()
_EMBEDDER = threading.Lock()


#: What a long preparation reports (Project.prepare): report(stage, done, total), stage one of
#: STAGES; a callback may raise CancelledError to stop the work (nothing of the pair is written
#: then). The stages translate, encode and align come from align_documents' Progress.
StageReport = Callable[[str, int, int], None]
STAGES = ("segment", "translate", "encode", "align", "write")


class Translator(Protocol):
    name: str
    version: str

    def translate(self, sentences: list[str], progress: Counter | None = None) -> list[str]: ...


def model_label(engine: Translator | None) -> str | None:
    """How a record names the model its MT came from: 'translate-ru_en 1.9'."""
    return f"{engine.name} {engine.version}" if engine is not None else None


def needs_mt(pf: store.PairFile, engine: Translator | None) -> bool:
    """True when `engine` is a model that some source record has no MT from."""
    label = model_label(engine)
    return engine is not None and any(r.mt_model != label for r in pf.records if r.source)


def holds_work(r: store.Record) -> bool:
    """A bead a translator has worked on: a status, a note, or a link, merge or split they made
    (the edit actions' methods). Re-aligning in the web view never drops one of these."""
    return r.status != "unreviewed" or bool(r.annotations) or r.method in (edit.MANUAL,
                                                                           edit.LEFTOVER)


@dataclass
class Prepared:
    """A pair aligned and not yet written: both documents, their sentences, the beads and the MT."""

    source: Document
    rendering: Document
    source_sentences: list[Sentence]
    rendering_sentences: list[Sentence]
    alignment: Alignment
    mt: list[str] | None = None
    mt_model: str | None = None
    #: Why the engine gave no MT, when it was optional and failed (the pair is aligned without it).
    mt_skipped: str | None = None

    def pair_file(self, *, checks: bool = True, time: str | None = None) -> store.PairFile:
        """The pair's records in memory, all unreviewed (store.build_pair_file): with `checks`,
        each carries its fidelity findings; `time` dates the header (default clock.now())."""
        return store.build_pair_file(self.source, self.rendering, self.source_sentences,
                                     self.rendering_sentences, self.alignment, mt=self.mt,
                                     mt_model=self.mt_model, checks=checks, time=time)

    def write(self, path: str | Path, *, overwrite: bool = False, keep_work: bool = False,
              overwrite_command: str = "workbench align --overwrite",
              rebuilt: Callable[[store.Rebuilt], None] | None = None) -> store.PairFile:
        """Write the pair's PO file (store.write_pair: a file holding reviewed work is only
        replaced with `overwrite`, keeping the work on beads that did not change; a damaged one
        is rebuilt, `rebuilt` told what was kept). `keep_work` refuses, with a ConflictError and
        nothing written, when a bead holding work would not survive; its message names
        `overwrite_command` as the way to re-align anyway."""
        return store.write_pair(path, self.pair_file(), overwrite=overwrite,
                                protect=holds_work if keep_work else None,
                                overwrite_command=overwrite_command, rebuilt=rebuilt)


def align_documents(source: Document, rendering: Document, *, engine: Translator | None = None,
                    mt: Sequence[str] | None = None, mt_model: str | None = None,
                    mt_path: str | None = None, mode: str = "auto", signals: str = "auto",
                    presegmented: bool = False, mt_optional: bool = False,
                    embedder: Any = None, progress: Progress | None = None,
                    calibration: Any = None) -> Prepared:
    """Segment both documents (one sentence a line with `presegmented`), translate the source with
    `engine` unless `mt` (one translation per source sentence, read from `mt_path`) is given, and
    align (with `embedder` as the sentence encoder, default workbench.embed's). With
    `mt_optional`, an engine that fails (a model that cannot be loaded) leaves the MT out and
    says why in `mt_skipped`, instead of raising ModelError. `progress` hears the stages
    translate, encode (both sides' sentences, before the search, into the encoder's memory where
    the aligner finds them) and align; a listener that raises (CancelledError) stops the work
    there, before anything is written. `calibration` (workbench.align.calibrate.Calibration, a data
    directory's refit from its translators' decisions) maps the aligner's probabilities."""
    from workbench.align import align, parse_signals
    from workbench.segment import segment, segment_lines

    if presegmented:
        src, tgt = segment_lines(source.text), segment_lines(rendering.text)
    else:
        src, tgt = segment(source.text, source.language), segment(rendering.text, rendering.language)
    if mt is not None and len(mt) != len(src):
        raise InputError(f"the MT file has {len(mt)} lines but the source has {len(src)} "
                         "sentences", path=mt_path,
                         hint="give one translation per source sentence (segment the source "
                              "with 'workbench segment' to see its sentences)")
    skipped = None
    if mt is None and engine is not None:
        try:
            texts = [s.text for s in src]
            done = (engine.translate(texts, progress=progress.stage("translate", len(texts)))
                    if progress is not None else engine.translate(texts))
            mt, mt_model = done, model_label(engine)
        except ModelError as exc:
            if not mt_optional:
                raise
            skipped = exc.message
    wanted = parse_signals(signals)
    if progress is not None and src and tgt and ("embed" in wanted or wanted == ("auto",)):
        embedder = _encode_both(embedder, [s.text for s in src] + [s.text for s in tgt],
                                progress, required="embed" in wanted)
    if progress is not None:
        progress.stage("align")
    alignment = align([s.text for s in src], [s.text for s in tgt], src_lang=source.language,
                      tgt_lang=rendering.language, mt=mt, mode=mode, signals=signals,
                      embedder=embedder, calibration=calibration)
    return Prepared(source, rendering, src, tgt, alignment, list(mt) if mt is not None else None,
                    mt_model, skipped)


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _encode_both(embedder: Any, texts: list[str], progress: Progress, *, required: bool) -> Any:
    """Encode both sides' sentences up front, so that the encoder's long stage reports its
    progress; the aligner then finds every vector in the Embedder's memory. Returns the embedder
    the aligner is to use (None when the encoder is optional and cannot be loaded, as align's auto
    signals decide). The aligner's own later calls (parts of sentences) count as its stage."""
    from workbench.embed import Embedder

    if embedder is None:
        embedder = Embedder()
    counter = progress.stage("encode", len(set(texts)))
    try:
        embedder.embed(texts, progress=counter)
    except ModelError:
        if required:
            raise
        return None
    return embedder


def file_document(path: str, language: str, text: str) -> Document:
    """A document given by its file name alone (outside a corpus): its id is the name without
    .txt, dots made dashes."""
    return Document(id=Path(path).name.removesuffix(".txt").replace(".", "-"), language=language,
                    path=path, text=text)


@dataclass
class Project:
    """A data directory: its corpus, its pairs' PO files and what serving them keeps loaded."""

    root: Path
    editor: edit.Editor = field(default_factory=edit.Editor)
    _corpus: Corpus | None = None
    _engines: dict[tuple[str, str], Any] = field(default_factory=dict)
    _local: threading.local = field(default_factory=threading.local)
    _embedder: Any = None
    _corpus_stamp: tuple[int, int, int] | None = None
    _warmed: set[tuple[str, str | None]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.root = Path(self.root)

    # --- the corpus and its pairs ---

    @property
    def corpus(self) -> Corpus:
        """The corpus as corpora.toml says now: read again when the file changed (a `workbench
        add` beside a running server), empty while there is none (a new data directory)."""
        stamp = _stamp(self.root / "corpora" / "corpora.toml")
        if self._corpus is None or stamp != self._corpus_stamp:
            self._corpus = load_corpus(self.root, missing_ok=True)
            self._corpus_stamp = stamp
        return self._corpus

    @property
    def pairs(self) -> list[Pair]:
        return list(self.corpus.pairs)

    def pair(self, pair_id: str) -> Pair:
        return self.corpus.pair(pair_id)  # NotFoundError for an unknown id

    def po_path(self, pair_id: str) -> Path:
        return self.corpus.root / "translations" / self.pair(pair_id).po

    def languages(self, pair_id: str) -> tuple[str, str]:
        pair = self.pair(pair_id)
        docs = self.corpus.documents
        return docs[pair.source].language, docs[pair.rendering].language

    # --- reading ---

    def is_prepared(self, pair_id: str) -> bool:
        return self.po_path(pair_id).exists()

    def load(self, path: Path) -> store.PairFile:
        """The parsed PO file; callers must not modify it (the editor copies what it changes)."""
        return self.editor.load(path)

    def pair_file(self, pair_id: str) -> tuple[Pair, store.PairFile]:
        """The pair and its PO file as on disk (parsed once per version of the file). Nothing is
        written: a pair without a PO file raises NotPreparedError."""
        pair, path = self.pair(pair_id), self.po_path(pair_id)
        if not path.exists():
            raise NotPreparedError(f"the pair '{pair_id}' has no PO file yet", path=str(path),
                                   hint="prepare it: the pair page's Prepare button, "
                                        f"POST /api/pairs/{pair_id}/prepare or `workbench align`")
        return pair, self.load(path)

    def needs_mt(self, pf: store.PairFile) -> bool:
        """True when an installed model would give `pf` MT it does not have yet."""
        return needs_mt(pf, self.engine(pf.source_language, pf.rendering_language))

    # --- writing ---

    def prepare(self, pair_id: str, *, realign: bool = False,
                progress: StageReport | None = None,
                command: str = "workbench") -> store.PairFile:
        """Make the pair's PO file (segment, translate with the installed model if any, align,
        write). An existing file is kept: it only gets the MT of an installed model it has none
        from; with `realign` it is aligned again, the work on every bead carried over, and refused
        (ConflictError, nothing written) when a bead holding work would not survive, naming the
        `workbench align` command (`command` runs the workbench) that re-aligns it anyway.
        `progress` hears of each stage (align_documents) and may cancel before the file is
        written."""
        pair, path = self.pair(pair_id), self.po_path(pair_id)
        engine = self.engine(*self.languages(pair_id))
        if path.exists() and not realign:
            pf = self.load(path)
            if not needs_mt(pf, engine):
                return pf
            out = self._fill_mt(pair, pf, engine)
        else:
            docs = self.corpus.documents
            embedder = stages = None
            if progress is not None:
                progress("segment", 0, 1)
                try:
                    embedder = self.embedder()
                except ModelError:
                    embedder = None  # the aligner goes on without it, as `workbench align` does
                report = progress
                stages = Progress(lambda snap: report(snap.stage, snap.done, snap.total))
            from workbench.align import calibrate

            prepared = align_documents(docs[pair.source], docs[pair.rendering], engine=engine,
                                       embedder=embedder, progress=stages,
                                       calibration=calibrate.load(self.root))
            if progress is not None:
                progress("write", 0, 1)
            path.parent.mkdir(exist_ok=True)  # the data directory's own translations/
            out = prepared.write(path, overwrite=realign, keep_work=realign,
                                 overwrite_command=self.align_command(pair_id, command))
            if progress is not None:
                progress("write", 1, 1)
        self.pair_saved(path)
        return out

    # --- adding, renaming and removing pairs (workbench.catalog, workbench.trash) ---

    def add(self, source: Any, renderings: Sequence[Any]) -> list[Pair]:
        """Add a comparison (catalog.add: a source, new or by id, and its renderings); the pairs
        are not prepared yet."""
        from workbench import catalog

        return catalog.add(self.root, source, renderings)

    def rename(self, pair_id: str, title: str) -> Pair:
        from workbench import catalog

        return catalog.rename(self.root, pair_id, title)

    def remove(self, pair_id: str) -> Any:
        """Move the pair into the trash (workbench.trash); the editor forgets its file."""
        from workbench import trash

        path = self.po_path(pair_id)
        removed = trash.remove(self.root, pair_id)
        self.editor.forget(path)
        return removed

    def restore(self, entry: str) -> Pair:
        from workbench import trash

        return trash.restore(self.root, entry)

    def trash(self) -> list[Any]:
        from workbench import trash

        return trash.trash(self.root)

    def perform(self, pair_id: str, action: Callable[[store.PairFile], edit.Change], *,
                author: str, revision: int | None = None,
                beads: Mapping[str, str] | None = None, named: Sequence[str] = ()) -> edit.Outcome:
        """Save an edit action on the pair (edit.Editor.perform: recorded in the history, checked
        against the revisions the caller's view showed) and bring the memory up to date."""
        self.pair_file(pair_id)  # NotPreparedError: an edit never makes the file
        path = self.po_path(pair_id)
        out = self.editor.perform(path, action, author=author, revision=revision, beads=beads,
                                  named=named)
        self.pair_saved(path)
        return out

    def step(self, pair_id: str, *, undoing: bool, author: str,
             revision: int | None = None) -> edit.Outcome:
        """Undo (or redo) `author`'s latest action on the pair, and bring the memory up to date."""
        self.pair_file(pair_id)
        path = self.po_path(pair_id)
        move = self.editor.undo if undoing else self.editor.redo
        out = move(path, author=author, revision=revision)
        self.pair_saved(path)
        return out

    def replay_aside(self, pair_id: str, *, author: str,
                     revision: int | None = None) -> edit.Outcome:
        """Replay what the pair's set-aside history holds that its restored PO file lacks, as one
        undoable action of `author` (workbench.recovery), and bring the memory up to date."""
        from workbench import recovery

        self.pair_file(pair_id)
        path = self.po_path(pair_id)
        out = recovery.replay(self.editor, path, author=author, revision=revision)
        self.pair_saved(path)
        return out

    def align_command(self, pair_id: str, command: str = "workbench") -> str:
        """The command that re-aligns the pair's file over the one there, keeping the work on
        unchanged beads, as typed in the data directory (the documents' paths are relative to it)."""
        import shlex

        pair = self.pair(pair_id)
        src, ren = self.corpus.documents[pair.source], self.corpus.documents[pair.rendering]
        words = [src.path, ren.path, "--src-lang", src.language, "--rendering-lang", ren.language,
                 "-o", f"translations/{pair.po}", "--overwrite"]
        where = shlex.quote(str(self.corpus.root))
        return f"cd {where} && {command} align " + " ".join(shlex.quote(w) for w in words)

    def _fill_mt(self, pair: Pair, pf: store.PairFile, engine: Translator) -> store.PairFile:
        """Give an existing pair file the MT of `engine` and save it (ConflictError when it was
        changed meanwhile). Translations are cached, so this costs one model run per new model."""
        from workbench.segment import segment

        src_doc = self.corpus.documents[pair.source]
        src = segment(src_doc.text, src_doc.language)
        filled = store.PairFile(header=dict(pf.header), records=list(pf.records), path=pf.path,
                                read_only=pf.read_only)
        store.set_mt(filled, engine.translate([s.text for s in src]), model_label(engine))
        return store.save(filled)

    def export(self, pair_id: str, fmt: str, filters: Any = None) -> Iterator[bytes]:
        """The pair's beads in an export format, as chunks of bytes."""
        from workbench import export

        _, pf = self.pair_file(pair_id)
        # The file is already parsed, so the stream cannot fail half way on a damaged entry.
        return export.iter_export([pf], fmt, filters)

    # --- models and the memory, made on first use ---

    def engine(self, src: str, tgt: str) -> Any:
        """The installed engine for src->tgt, or None (pages then say how to install one)."""
        key = (src, tgt)
        if self._engines.get(key) is None:
            from workbench import translate

            # A miss is not remembered: a model installed meanwhile is found on the next call.
            try:
                self._engines[key] = translate.find_engine(src, tgt)
            except ModelError:
                return None
        return self._engines[key]

    def embedder(self) -> Any:
        """The sentence encoder, loaded on first use and shared by all threads (thread-safe)."""
        with _EMBEDDER:
            if self._embedder is None:
                from workbench.embed import Embedder

                self._embedder = Embedder()
        return self._embedder

    def warm_up(self, languages: Sequence[str] = ()) -> None:
        """Load the sentence encoder and what the fidelity checks read of `languages`, each in a
        background thread of its own, so that the first preparation does not wait for them (a
        server does this while a translator picks the files of a new comparison). Each is loaded
        once; failures are left for the preparation to report."""
        with _WARMING:
            wanted = [("encoder", None)] + [("checks", lang) for lang in languages]
            for what, lang in wanted:
                if (what, lang) in self._warmed:
                    continue
                self._warmed.add((what, lang))
                threading.Thread(target=self._warm_up, args=(what, lang), daemon=True,
                                 name=f"workbench-warm-up-{what}-{lang or ''}").start()

    def _warm_up(self, what: str, lang: str | None) -> None:
        if what == "encoder":
            try:
                self.embedder().load()
            except ModelError as exc:
                log.info("the sentence encoder is not loaded ahead: %s", exc.message)
        else:
            from workbench import check

            check.warm_up([lang])

    def memory(self) -> Any:
        """This thread's translation memory (a Memory holds one SQLite connection), up to date with
        the data directory's files; an index found damaged on the way is rebuilt."""
        from workbench.memory import Memory, index_path

        try:
            mem = getattr(self._local, "memory", None)
            if mem is None:
                mem = self._local.memory = Memory(self.root)
            try:
                mem.sync()
            except sqlite3.DatabaseError:
                mem.rebuild()
            return mem
        except (sqlite3.Error, OSError) as exc:
            self._local.memory = None
            raise ReadOnlyError(f"the translation memory's index cannot be read or written: {exc}",
                                path=str(index_path(self.root)),
                                hint="check that the cache directory is writable (or set WORKBENCH_CACHE_DIR), "
                                     "or delete the index "
                                     "file: it is rebuilt from the PO files") from None

    def pair_saved(self, path: Path) -> None:
        """Bring the memory up to date with a pair file just saved (with the editor's parse). The
        PO file is the truth and is already written: a failure here is logged, the connection
        dropped, and the next use rebuilds or syncs."""
        from workbench.memory import index_path

        if getattr(self._local, "memory", None) is None and not index_path(self.root).exists():
            return  # no memory in use yet: its first use builds it from the files
        try:
            mem = getattr(self._local, "memory", None)
            if mem is None:
                from workbench.memory import Memory

                mem = self._local.memory = Memory(self.root)
            mem.update_pair(path, load=self.editor.load)
        except (WorkbenchError, sqlite3.Error, OSError) as exc:
            log.warning("translation memory not updated after saving %s: %s", path, exc)
            mem = getattr(self._local, "memory", None)
            if mem is not None:
                mem.close()
            self._local.memory = None

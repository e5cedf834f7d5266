"""What the web app holds between requests: the data directory's corpus, the translation engine
lookup, and one edit.Editor, which keeps each pair's parsed PO file (keyed by the file's identity on
disk: inode, size, mtime) and its history index. The files stay the truth: a file changed by another
server process or a CLI run has another identity and is read again, so several processes see the
same state.
It also keeps the translation memory's index open, one SQLite connection per serving thread, and
brings it up to date after every saved action (`pair_saved`); the index is derived data, so a
failure there is logged and never fails the save.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from workbench import edit, store
from workbench.corpus import Corpus, Pair, load_corpus
from workbench.errors import ModelError, ReadOnlyError, WorkbenchError

log = logging.getLogger(__name__)


@dataclass
class Workspace:
    root: Path
    _corpus: Corpus | None = None
    _engines: dict[tuple[str, str], object] = field(default_factory=dict)
    editor: edit.Editor = field(default_factory=edit.Editor)
    _local: threading.local = field(default_factory=threading.local)
    _embedder: object = None

    @property
    def corpus(self) -> Corpus:
        if self._corpus is None:
            self._corpus = load_corpus(self.root)
        return self._corpus

    def engine(self, src: str, tgt: str):
        """The installed engine for src->tgt, or None (the page then says how to install one)."""
        key = (src, tgt)
        if self._engines.get(key) is None:
            from workbench import translate

            # A miss is not remembered: a model installed while the server runs is found on the
            # next request, as the page's notice promises.
            try:
                self._engines[key] = translate.find_engine(src, tgt)
            except ModelError:
                return None
        return self._engines[key]

    def memory(self):
        """This thread's translation memory (a Memory holds one SQLite connection), up to date with
        the data directory's files; an index found damaged on the way is rebuilt."""
        from workbench.memory import Memory

        from workbench.memory import INDEX_NAME

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
                                path=str(self.root / INDEX_NAME),
                                hint="check that translations/ is writable, or delete the index "
                                     "file: it is rebuilt from the PO files") from None

    def embedder(self):
        """The sentence encoder for semantic memory matches, loaded on the first such request and
        shared by all threads (it is thread-safe)."""
        if self._embedder is None:
            from workbench.embed import Embedder

            self._embedder = Embedder()
        return self._embedder

    def pair_saved(self, path: Path) -> None:
        """Bring the memory up to date with a pair file an action just saved (no parse of its own:
        the editor's is used). The PO file is the truth and is already written: a
        failure here is logged, the connection dropped, and the next use rebuilds or syncs."""
        from workbench.memory import INDEX_NAME

        if getattr(self._local, "memory", None) is None and not (self.root / INDEX_NAME).exists():
            return  # no memory in use yet: its first use builds it from the files
        try:
            mem = getattr(self._local, "memory", None)
            if mem is None:
                from workbench.memory import Memory

                mem = self._local.memory = Memory(self.root)
            mem.update_pair(path, load=self.editor.load)  # the parse the editor holds
        except (WorkbenchError, sqlite3.Error, OSError) as exc:
            log.warning("translation memory not updated after saving %s: %s", path, exc)
            mem = getattr(self._local, "memory", None)
            if mem is not None:
                mem.close()
            self._local.memory = None

    def po_path(self, pair_id: str) -> Path:
        pair = self.corpus.pair(pair_id)
        return self.corpus.root / "translations" / pair.po

    def load(self, path: Path) -> store.PairFile:
        """The parsed PO file; callers must not modify it (the editor copies what it changes)."""
        return self.editor.load(path)

    def pair_file(self, pair_id: str) -> tuple[Pair, store.PairFile]:
        pair = self.corpus.pair(pair_id)
        path = self.po_path(pair_id)
        src_lang = self.corpus.documents[pair.source].language
        tgt_lang = self.corpus.documents[pair.rendering].language
        engine = self.engine(src_lang, tgt_lang)
        from workbench import pipeline  # segmentation, MT and alignment only when needed

        if path.exists():
            pf = self.load(path)  # cached by file identity: not re-parsed per request
            if not pipeline.needs_mt(pf, engine):
                return pair, pf
            pipeline.fill_mt(self.corpus, pair, pf, engine)
        else:
            pipeline.prepare_pair(self.corpus, pair, engine)
        return pair, self.load(path)


def workspace() -> Workspace:
    return current_app.extensions["workbench"]

"""What the web app holds between requests: the data directory's corpus, the translation engine
lookup, and parsed PO files keyed by their file's identity on disk (inode, size, mtime). The PO files
stay the truth: a file changed by another server process or a CLI run has another identity and is
read again, so several processes see the same state.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from workbench import store
from workbench.corpus import Corpus, Pair, load_corpus
from workbench.errors import ModelError


def _identity(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


@dataclass
class Workspace:
    root: Path
    _corpus: Corpus | None = None
    _engines: dict[tuple[str, str], object] = field(default_factory=dict)
    _files: dict[Path, tuple[tuple[int, int, int], store.PairFile]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

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

    def po_path(self, pair_id: str) -> Path:
        pair = self.corpus.pair(pair_id)
        return self.corpus.root / "translations" / pair.po

    def load(self, path: Path) -> store.PairFile:
        """The parsed PO file; callers must not modify it (edit.perform copies what it changes)."""
        ident = _identity(path)
        with self._lock:
            hit = self._files.get(path)
            if ident is not None and hit is not None and hit[0] == ident:
                return hit[1]
        pf = store.load(path)
        if ident is not None and _identity(path) == ident:
            with self._lock:
                self._files[path] = (ident, pf)
        return pf

    def remember(self, pf: store.PairFile) -> None:
        """Keep a PairFile just saved, so the next request need not parse it again."""
        if pf.path is None:
            return
        ident = _identity(pf.path)
        if ident is not None:
            with self._lock:
                self._files[pf.path] = (ident, pf)

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
            pf = pipeline.fill_mt(self.corpus, pair, pf, engine)
        else:
            pf = pipeline.prepare_pair(self.corpus, pair, engine)
        self.remember(pf)
        return pair, pf


def workspace() -> Workspace:
    return current_app.extensions["workbench"]

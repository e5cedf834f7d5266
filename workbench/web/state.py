"""What the web app holds between requests: the data directory's corpus and the translation engine
lookup. Everything else (the PO files) is read from disk on each request, so several server
processes or a CLI run beside the server see the same state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from workbench import pipeline, store
from workbench.corpus import Corpus, Pair, load_corpus
from workbench.errors import ModelError


@dataclass
class Workspace:
    root: Path
    _corpus: Corpus | None = None
    _engines: dict[tuple[str, str], object] = field(default_factory=dict)

    @property
    def corpus(self) -> Corpus:
        if self._corpus is None:
            self._corpus = load_corpus(self.root)
        return self._corpus

    def engine(self, src: str, tgt: str):
        """The installed engine for src->tgt, or None (the page then says how to install one)."""
        key = (src, tgt)
        if key not in self._engines:
            from workbench import translate

            try:
                self._engines[key] = translate.find_engine(src, tgt)
            except ModelError:
                self._engines[key] = None
        return self._engines[key]

    def pair_file(self, pair_id: str) -> tuple[Pair, store.PairFile]:
        pair = self.corpus.pair(pair_id)
        src_lang = self.corpus.documents[pair.source].language
        tgt_lang = self.corpus.documents[pair.rendering].language
        pf = pipeline.prepare_pair(self.corpus, pair, self.engine(src_lang, tgt_lang))
        return pair, pf


def workspace() -> Workspace:
    return current_app.extensions["workbench"]

"""The data flow of one document pair, end to end: segment both texts, translate the source when an
engine is given, align, and write the pair's PO file. The CLI and the web app call this; it holds no
logic of its own beyond calling the stages in order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, Sequence

from workbench import store
from workbench.align import align
from workbench.corpus import Corpus, Pair
from workbench.segment import segment


class Translator(Protocol):
    name: str
    version: str

    def translate(self, sentences: list[str]) -> list[str]: ...


def po_path(corpus: Corpus, pair: Pair) -> Path:
    return corpus.root / "translations" / pair.po


def prepare_pair(corpus: Corpus, pair: Pair, engine: Translator | None = None, *,
                 overwrite: bool = False) -> store.PairFile:
    """Align a pair and write its PO file; with overwrite=False an existing file is returned as is."""
    path = po_path(corpus, pair)
    if path.exists() and not overwrite:
        return store.load(path)
    src_doc, tgt_doc = corpus.documents[pair.source], corpus.documents[pair.rendering]
    src = segment(src_doc.text, src_doc.language)
    tgt = segment(tgt_doc.text, tgt_doc.language)
    mt: Sequence[str] | None = None
    if engine is not None:
        mt = engine.translate([s.text for s in src])
    alignment = align([s.text for s in src], [s.text for s in tgt], src_lang=src_doc.language,
                      tgt_lang=tgt_doc.language, mt=mt)
    return store.write_alignment(path, src_doc, tgt_doc, src, tgt, alignment, mt=mt,
                                 mt_model=f"{engine.name} {engine.version}" if engine else None,
                                 overwrite=overwrite)

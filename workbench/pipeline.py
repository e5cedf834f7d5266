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
from workbench.errors import ConflictError
from workbench.segment import segment


class Translator(Protocol):
    name: str
    version: str

    def translate(self, sentences: list[str]) -> list[str]: ...


def po_path(corpus: Corpus, pair: Pair) -> Path:
    return corpus.root / "translations" / pair.po


def model_label(engine: Translator | None) -> str | None:
    """How a record names the model its MT came from: 'translate-ru_en 1.9'."""
    return f"{engine.name} {engine.version}" if engine is not None else None


def needs_mt(pf: store.PairFile, engine: Translator | None) -> bool:
    """True when `engine` is a model that some source record has no MT from."""
    label = model_label(engine)
    return engine is not None and any(r.mt_model != label for r in pf.records if r.source)


def fill_mt(corpus: Corpus, pair: Pair, pf: store.PairFile, engine: Translator) -> store.PairFile:
    """Give an existing pair file the MT of `engine` and save it; `pf` itself is left unchanged.
    Translations are cached, so this costs one model run per new model."""
    src_doc = corpus.documents[pair.source]
    src = segment(src_doc.text, src_doc.language)
    filled = store.PairFile(header=dict(pf.header), records=list(pf.records), path=pf.path)
    store.set_mt(filled, engine.translate([s.text for s in src]), model_label(engine))
    if pf.read_only:  # shown with the MT, but the file is not rewritten
        filled.read_only = pf.read_only
        return filled
    try:
        return store.save(filled)
    except ConflictError:
        return store.load(po_path(corpus, pair))  # saved meanwhile; the next request fills it in


def prepare_pair(corpus: Corpus, pair: Pair, engine: Translator | None = None, *,
                 overwrite: bool = False) -> store.PairFile:
    """Align a pair and write its PO file. With overwrite=False an existing file is kept (only its
    machine translations are filled in when `engine` is a model the file has no MT from)."""
    path = po_path(corpus, pair)
    if path.exists() and not overwrite:
        pf = store.load(path)
        return fill_mt(corpus, pair, pf, engine) if needs_mt(pf, engine) else pf
    src_doc, tgt_doc = corpus.documents[pair.source], corpus.documents[pair.rendering]
    src = segment(src_doc.text, src_doc.language)
    tgt = segment(tgt_doc.text, tgt_doc.language)
    mt: Sequence[str] | None = None
    if engine is not None:
        mt = engine.translate([s.text for s in src])
    alignment = align([s.text for s in src], [s.text for s in tgt], src_lang=src_doc.language,
                      tgt_lang=tgt_doc.language, mt=mt)
    path.parent.mkdir(exist_ok=True)  # the data directory's own translations/, not an -o
    return store.write_alignment(path, src_doc, tgt_doc, src, tgt, alignment, mt=mt,
                                 mt_model=model_label(engine), overwrite=overwrite)

"""Offline translation and comparison workbench.

Segments a source text and its rendering into sentences, machine-translates the source offline with
Argos Translate packages, aligns source sentences with the rendering's sentences, stores the
translators' judgements as PO records and exports aligned corpora. The domain modules (corpus,
segment, translate, align, store, compare, export) import neither Flask nor click; `cli` and `web`
are thin adapters over them.
"""

__version__ = "0.1.0"

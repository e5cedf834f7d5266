"""Offline translation and comparison workbench.

Segments a source text and its rendering into sentences, machine-translates the source offline with
Argos Translate packages, aligns source sentences with the rendering's sentences, stores the
translators' judgements as PO records and exports aligned corpora. Every module except `cli` and
`web` belongs to the domain core and imports neither Flask nor click; `cli` and `web` are thin
adapters over it (README.md, "Layout", says what each module owns).
"""

__version__ = "0.1.0"

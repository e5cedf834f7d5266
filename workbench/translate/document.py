"""Translating whole documents: what `workbench translate` does between reading its inputs and
printing.

This module owns the document side of translation: segmenting each input piece by piece (so a
model starts on the first paragraphs while the rest is still being segmented), taking the
translation memory's rendering for sentences it holds at the asked score and handing only the rest
to the engine, and putting the results back together, either as the input's text with every
sentence replaced by its translation (paragraphs, line breaks and the text between sentences kept
from the input) or as one record per sentence. It reads no file and runs no model itself: inputs
come as (name, read) pairs, and the caller hands `pieces()` to an engine's `translate_pieces`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Protocol, Sequence

from workbench.corpus import Sentence


class MemoryLookup(Protocol):
    def lookup(self, text: str, source_language: str, rendering_language: str, *,
               min_score: float = ..., limit: int = ...) -> list[Any]: ...


@dataclass
class TranslatedDocument:
    """One input, its sentences and, per sentence, the translation and the memory match it came
    from (None: from the model)."""

    name: str
    text: str
    sentences: list[Sentence] = field(default_factory=list)
    translations: list[str] = field(default_factory=list)
    matches: list[Any] = field(default_factory=list)

    def layout(self) -> str:
        """The input with each sentence replaced by its translation: the text between sentences
        (paragraph breaks, line breaks, spaces) stays as it was."""
        parts, pos = [], 0
        for s, translation in zip(self.sentences, self.translations):
            parts.append(self.text[pos:s.start])
            parts.append(translation)
            pos = s.end
        parts.append(self.text[pos:])
        return "".join(parts)

    def records(self, model: str | None, model_version: str | None,
                with_memory: bool = False) -> list[dict[str, Any]]:
        """One object per sentence (file, index, source_text, translation, offsets, model); with
        `with_memory`, also where the translation came from (see memory_fields)."""
        out = []
        for s, translation, hit in zip(self.sentences, self.translations, self.matches):
            record: dict[str, Any] = {
                "file": self.name, "index": s.index, "source_text": s.text, "translation": None,
                "start": s.start, "end": s.end, "paragraph": s.paragraph, "line": s.line,
                "model": model, "model_version": model_version}
            if with_memory:
                record.update(memory_fields(hit))
            if record["translation"] is None:
                record["translation"] = translation
            out.append(record)
        return out


def memory_fields(hit: Any) -> dict[str, Any]:
    """What a record says about a translation's origin: the memory's match, or the model."""
    if hit is None:
        return {"origin": "mt", "tm_score": None}
    s = hit.segment
    return {"translation": s.rendering_text, "origin": "memory", "tm_kind": hit.kind,
            "tm_score": hit.score, "tm_source_text": s.source_text, "tm_pair": s.pair,
            "tm_bead": s.bead, "tm_reviewer": s.reviewer, "tm_time": s.time, "model": None,
            "model_version": None}


class DocumentTranslation:
    """The translation of several inputs in two steps: `pieces()` gives, piece by piece, the
    sentences the engine must translate (those the memory does not answer); `finish()` takes the
    engine's translations of all of them, in order, and gives each input back translated.

    `inputs` are (name, read) pairs; `read` is called when the input's turn comes, so reading
    overlaps the model's loading and translating of earlier pieces."""

    def __init__(self, inputs: Sequence[tuple[str, Callable[[], str]]], source_language: str, *,
                 memory: MemoryLookup | None = None, target_language: str | None = None,
                 tm_min: float = 85.0) -> None:
        self.inputs = list(inputs)
        self.source_language = source_language
        self.memory = memory
        self.target_language = target_language
        self.tm_min = tm_min
        self.documents: list[TranslatedDocument] = []

    def pieces(self) -> Iterator[list[str]]:
        from workbench.segment import segment_in_pieces

        self.documents = []
        for name, read in self.inputs:
            doc = TranslatedDocument(name, read())
            self.documents.append(doc)
            for piece in segment_in_pieces(doc.text, self.source_language):
                todo = []
                for s in piece:
                    hit = None
                    if self.memory is not None:
                        found = self.memory.lookup(s.text, self.source_language,
                                                   self.target_language or "", min_score=self.tm_min,
                                                   limit=1)
                        hit = found[0] if found else None
                    if hit is None:
                        todo.append(s.text)
                    doc.sentences.append(s)
                    doc.matches.append(hit)
                yield todo

    def finish(self, translations: Sequence[str]) -> list[TranslatedDocument]:
        """Each input with its translations: the memory's rendering where it had one, else the
        next of `translations` (which must be the engine's answer to every piece, in order)."""
        it = iter(translations)
        for doc in self.documents:
            doc.translations = [hit.segment.rendering_text if hit is not None else next(it)
                                for hit in doc.matches]
        return self.documents


def translate_document(text: str, engine: Any, source_language: str, *, name: str = "-",
                       memory: MemoryLookup | None = None, target_language: str | None = None,
                       tm_min: float = 85.0) -> TranslatedDocument:
    """Translate one text with `engine` (and the memory first, when given)."""
    job = DocumentTranslation([(name, lambda: text)], source_language, memory=memory,
                              target_language=target_language, tm_min=tm_min)
    return job.finish(engine.translate_pieces(job.pieces()))[0]

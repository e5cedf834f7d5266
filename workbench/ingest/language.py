"""A text's language, told offline by lingua-language-detector among the languages the workbench
knows; a text too short or too mixed to tell is an UndetectedLanguageError asking for the code."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from workbench.corpus import LANGUAGES
from workbench.errors import UndetectedLanguageError

#: Letters a text needs before its language is told from it.
MIN_LETTERS = 20
#: The confidence (lingua's, 0..1) the likeliest language needs.
MIN_CONFIDENCE = 0.75
#: How much of a text is looked at: the start of a document tells its language.
SAMPLE_CHARS = 5000


@dataclass(frozen=True)
class Detection:
    """The likeliest language (an ISO 639-1 code of corpus.LANGUAGES) and lingua's confidence,
    with the runners-up."""

    language: str
    confidence: float
    candidates: tuple[tuple[str, float], ...]


@functools.lru_cache(maxsize=1)
def _detector():
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
                 for code in sorted(LANGUAGES) if hasattr(IsoCode639_1, code.upper())]
    # Low accuracy mode: trigrams only, a tenth of the memory; documents are long enough for it,
    # and texts too short for it are asked about rather than guessed.
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


def detect(text: str) -> Detection | None:
    """The likeliest language of `text`, or None when it has too few letters to tell."""
    sample = text[:SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return None
    values = _detector().compute_language_confidence_values(sample)
    ranked = tuple((v.language.iso_code_639_1.name.lower(), round(v.value, 4)) for v in values[:3])
    return Detection(ranked[0][0], ranked[0][1], ranked)


def language_of(text: str, name: str, flag: str = "--lang") -> str:
    """The language code of a document's text; UndetectedLanguageError naming the file and the
    option (`flag`) that gives it when the text cannot tell."""
    found = detect(text)
    if found is None:
        raise UndetectedLanguageError("the text is too short to tell its language", path=name,
                                      hint=f"give it with {flag} CODE (e.g. {flag} ru)")
    if found.confidence < MIN_CONFIDENCE:
        shown = ", ".join(f"{code} {value:.2f}" for code, value in found.candidates)
        raise UndetectedLanguageError(f"cannot tell the language of the text ({shown})",
                                      path=name, hint=f"give it with {flag} CODE")
    return found.language

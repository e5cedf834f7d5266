"""Negation on both sides of a bead.

This module owns the negation cues per language (with double negations that cancel out and forms
that only look negative, French "ne ... que"), counting the clauses that negate, and the negation
check (one side negates where the other does not, or in a different number of clauses).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Sequence

from workbench.check.findings import Finding, Span
from workbench.check.text import _overlaps

if TYPE_CHECKING:
    from workbench.check.side import _Side

_NEGATION: dict[str, list[str]] = {
    "en": [r"\bnot\b", r"n['’]t\b", r"\bcannot\b", r"\bno\b", r"\bnever\b", r"\bnothing\b",
           r"\bnobody\b", r"\bnone\b", r"\bneither\b", r"\bnor\b", r"\bnowhere\b",
           r"\bno one\b"],
    "de": [r"\bnicht\b", r"\bkein(?:e|en|em|er|es)?\b", r"\bnie\b", r"\bniemals\b", r"\bnichts\b",
           r"\bniemand(?:en|em)?\b", r"\bweder\b", r"\bnirgends\b", r"\bnirgendwo\b"],
    "fr": [r"\b(?:ne|n['’])\s*(?:[\w'’-]+\s+){0,5}?(?:pas|plus|jamais|rien|personne|aucun|aucune|"
           r"guère|point|nullement|nulle)\b",
           r"\bni\b", r"\bnulle part\b", r"\b(?:personne|rien)\s+(?:ne|n['’])",
           r"^\W*rien\s+de\b",
           r"\bnullement\b", r"(?<!sans )(?<!avant qu['’])(?<!avant qu['’] )(?<!avant que )"
           r"(?<!sans qu['’])(?<!sans qu['’] )(?<!sans que )\baucun(?:e|s|es)?\b", r"\bnon\b(?!-)",
           r"\b(?:même pas|pas même|pas question|pas du tout|pas encore)\b",
           # literary negation without pas: nous ne pouvons gagner, il n'ose avancer
           r"\b(?:ne|n['’])\s*(?:[\w'’-]+\s+)?(?:peux|peut|pouvons|pouvez|peuvent|pouvait|"
           r"pouvaient|pourrait|pourraient|pus|put|pûmes|purent|sais|sait|savait|saurait|ose|"
           r"osait|cesse|cessait)\b(?!\s+(?:pas|plus|jamais|rien|guère|point)\b)"],
    "ru": [r"(?<!\w)не(?!\w)", r"(?<!\w)нет(?!\w)", r"(?<!\w)ни(?!\w)", r"(?<!\w)никогда(?!\w)",
           r"(?<!\w)ничего(?!\w)", r"(?<!\w)ничто(?!\w)", r"(?<!\w)никто(?!\w)",
           r"(?<!\w)никого(?!\w)", r"(?<!\w)нигде(?!\w)", r"(?<!\w)никак(?:ой|ая|ое|ие|их)?(?!\w)",
           r"(?<!\w)нельзя(?!\w)"],
}
#: Two negations that cancel out ("не может не" = must, "not without", "nicht ohne", "pas sans").
_DOUBLE_NEGATION: dict[str, list[str]] = {
    "en": [r"\b(?:can|could)(?:not|n['’]t| not)\s+(?:help but|but|fail to|not)\b",
           r"\bnot\s+(?:without|un\w+|in\w+able)\b", r"\bnever\s+fails? to\b"],
    "de": [r"\bnicht\s+(?:ohne|un\w+)\b", r"\bnicht\s+umhin\b",
           r"\bkann\s+nicht\s+(?:\w+\s+){0,3}nicht\b"],
    "fr": [r"\b(?:ne|n['’])\s*(?:[\w'’-]+\s+){0,3}?pas\s+sans\b", r"\bnon\s+sans\b",
           r"\b(?:ne|n['’])\s*(?:[\w'’-]+\s+)?manqu\w*\s+pas\s+d(?:e\b|['’])",
           r"\b(?:ne|n['’])\s*(?:peut|pouvait|pourra|pourrait|peux|pouvons|pouvez|peuvent)\s+"
           r"(?:pas\s+)?(?:ne\s+pas|s['’]empêcher)\b"],
    "ru": [r"(?<!\w)не\s+(?:\w+\s+){1,2}?не(?!\w)", r"(?<!\w)не\s+без(?!\w)",
           r"(?<!\w)нельзя\s+не(?!\w)"],
}
#: French "ne ... que" (only) and "ne" after "avant que", "à moins que" are not negations.
_NOT_NEGATION: dict[str, list[str]] = {
    "fr": [r"\b(?:ne|n['’])\s*(?:(?!(?:pas|jamais|rien|personne|aucune?|guère|point)\b)"
           r"[\w'’-]+\s+){0,4}?qu(?:e\b|['’])"],
    # concessive ни: какой бы то ни было (whatever), что бы ни, как ни
    "ru": [r"(?<!\w)бы\s+(?:то\s+)?ни(?!\w)", r"(?<!\w)(?:как|сколько|где|куда)\s+ни(?!\w)"],
}


def _negations(text: str, lang: str) -> tuple[list[Span], list[Span]]:
    """(negation cue spans, double-negation spans) of a side. A double negation ('не может не')
    counts as none; French 'ne ... que' (only) is no negation."""
    low = text.lower()
    doubles = [(m.start(), m.end()) for p in _DOUBLE_NEGATION.get(lang, [])
               for m in re.finditer(p, low)]
    excluded = [(m.start(), m.end()) for p in _NOT_NEGATION.get(lang, []) for m in re.finditer(p, low)]
    spans = sorted({(m.start(), m.end()) for p in _NEGATION.get(lang, []) for m in re.finditer(p, low)})
    cues: list[Span] = []
    for sp in spans:
        if _overlaps(sp, doubles):
            continue
        if any(a <= sp[0] and sp[1] <= b for a, b in cues):
            continue
        if lang != "fr" and any(a <= sp[0] and sp[1] <= b for a, b in excluded):
            continue
        if lang == "fr" and re.match(r"(?:ne|n['’])\b", low[sp[0]:sp[1]]) is None and \
                _overlaps(sp, excluded) and not re.search(r"\b(?:sans|jamais|aucun\w*|ni|non)\b",
                                                          low[sp[0]:sp[1]]):
            continue
        if lang == "fr" and re.match(r"(?:ne|n['’])", low[sp[0]:sp[1]]) and any(
                a == sp[0] for a, b in excluded):
            continue
        cues.append(sp)
    return cues, sorted(doubles)


def _clauses_with(text: str, spans: Sequence[Span]) -> int:
    """How many clauses (between , ; : dashes, and/but and sentence ends) hold a negation cue:
    negative concord (никто ничего не) is one negation, as is French ne ... pas."""
    bounds = [m.start() for m in re.finditer(
        r"[,;:—–()]|\s-|-\s|\s(?:and|but|und|aber|sondern|et|mais|и|но|а)\s"
        r"|[.!?…]\s+(?=\W*[A-ZÀ-ÝА-ЯЁ])", text)]
    return len({sum(1 for b in bounds if b < s) for s, _ in spans})


#: Words that say what a negation says without one: a limit (nur bis 7000 m / n'ont pas dépassé
#: 7000 m; only, seulement, ne ... que), a lack (hoffnungslos / ne laissent aucun espoir; without,
#: sans, hors de question, ignorant) or a verb of not doing (vermeiden, éviter, refuse).
_NEGATION_LIKE: dict[str, list[str]] = {
    "en": [r"\b(?:only|merely|solely|without)\b", r"\b(?!never|none)\w{3,}less\b",
           r"\b(?:avoid|refus|ignoran)\w*"],
    "de": [r"\b(?:nur|bloss|bloß|lediglich|ohne)\b", r"\b\w{3,}los(?:e|en|em|er|es|igkeit)?\b",
           r"\b(?:vermeid|vermied|verweiger)\w*"],
    "fr": [r"\b(?:seulement|uniquement|sans)\b", r"\bhors (?:de )?question\b",
           _NOT_NEGATION["fr"][0], r"\b(?:évit|refus|ignoran)\w*"],
    "ru": [r"(?<!\w)(?:только|лишь|без)(?!\w)", r"(?<!\w)(?:избега|избеж|отказ)\w*"],
}


def _negation_like(text: str, lang: str) -> list[Span]:
    low = text.lower()
    return sorted((m.start(), m.end()) for p in _NEGATION_LIKE.get(lang, [])
                  for m in re.finditer(p, low))


def check_negation(src: _Side, ren: _Side) -> list[Finding]:
    s_cues, s_double = _negations(src.text, src.lang)
    r_cues, r_double = _negations(ren.text, ren.lang)
    ns, nr = _clauses_with(src.text, s_cues), _clauses_with(ren.text, r_cues)
    if ns == nr:
        return []
    # the side with fewer negations may say the same with a limit or a lack: weak evidence
    fewer, cues, most = (src, s_cues, nr) if ns < nr else (ren, r_cues, ns)
    if _clauses_with(fewer.text, cues + _negation_like(fewer.text, fewer.lang)) >= most:
        return []

    def cue(side: _Side, span: Span) -> str:
        return " ".join(side.text[span[0]:span[1]].split())

    if ns and nr:
        return [Finding("negation", "warning", s_cues[0], r_cues[0],
                        f"source negates in {ns} clauses ('{cue(src, s_cues[0])}'); rendering "
                        f"in {nr} ('{cue(ren, r_cues[0])}')")]
    if s_cues:
        extra = f" (its '{cue(ren, r_double[0])}' is a double negation)" if r_double else ""
        return [Finding("negation", "warning", s_cues[0], None,
                        f"source negates ('{cue(src, s_cues[0])}'); the rendering does not{extra}")]
    extra = f" (its '{cue(src, s_double[0])}' is a double negation)" if s_double else ""
    return [Finding("negation", "warning", None, r_cues[0],
                    f"rendering negates ('{cue(ren, r_cues[0])}'); the source does not{extra}")]

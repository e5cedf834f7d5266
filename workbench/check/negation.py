"""Negation on both sides of a bead.

This module owns the negation cues per language (with double negations that cancel out and forms
that only look negative, French "ne ... que"), the limits and lacks that say what a negation says
without one, the clauses that negate and where they stand, and the negation check (one side negates
where the other does not, or in a different number of clauses, and no limit or lack of its own near
the other side's extra negation says the same).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Sequence

from workbench.check.findings import Finding, Span
from workbench.check.morph import MORPH_LANGS, antonym
from workbench.check.text import _overlaps

if TYPE_CHECKING:
    from workbench.check.side import _Side

_NEGATION: dict[str, list[str]] = {
    "en": [r"\bnot\b", r"n['’]t\b", r"\bcannot\b", r"\bno\b", r"\bnever\b", r"\bnothing\b",
           r"\bnobody\b", r"\bnone\b", r"\bneither\b", r"\bnor\b", r"\bnowhere\b",
           r"\bno one\b"],
    "de": [r"\bnicht\b", r"\bkein(?:e|en|em|er|es)?\b", r"\bnie\b", r"\bniemals\b", r"\bnichts\b",
           r"\bniemand(?:en|em)?\b", r"\bweder\b", r"\bnirgends\b", r"\bnirgendwo\b",
           r"\bkeines(?:falls|wegs)\b", r"\bmitnichten\b"],
    "fr": [r"\b(?:ne|n['’])\s*(?:[\w'’-]+\s+){0,5}?(?:pas|plus|jamais|rien|personne|aucun|aucune|"
           r"guère|point|nullement|nulle)\b",
           r"\bni\b", r"\bnulle part\b", r"\b(?:personne|rien)\s+(?:ne|n['’])",
           r"^\W*rien\s+de\b",
           r"\bnullement\b", r"(?<!sans )(?<!avant qu['’])(?<!avant qu['’] )(?<!avant que )"
           r"(?<!sans qu['’])(?<!sans qu['’] )(?<!sans que )\baucun(?:e|s|es)?\b",
           # non on its own or before pas, plus, que; before another word it negates that word
           # (non encordés, a lack) or is none (non loin, non seulement)
           r"\bnon\b(?!-)(?!\s+(?!(?:pas|plus|que|point)\b)[^\W\d_])",
           r"\b(?:même pas|pas même|pas question|pas du tout|pas encore)\b",
           # colloquial pas without ne at a clause's start, a negative word as a whole answer
           r"(?:^|(?<=[.!?;:,–—-])|(?<=[.!?;:,–—-]\s))\s*pas\b",
           r"^\W*(?:personne|rien|jamais|aucun\w*)\W*$",
           # literary negation without pas: nous ne pouvons gagner, il n'ose avancer
           r"\b(?:ne|n['’])\s*(?:[\w'’-]+\s+)?(?:peux|peut|pouvons|pouvez|peuvent|pouvait|"
           r"pouvaient|pourrait|pourraient|pus|put|pûmes|purent|puisse|puissent|pût|sais|sait|savait|saurait|ose|"
           r"osait|cesse|cessait)\b(?!-)(?!\s+(?:pas|plus|jamais|rien|guère|point)\b)"],
    "ru": [r"(?<!\w)не(?!\w)", r"(?<!\w)нет(?!\w)", r"(?<!\w)ни(?!\w)", r"(?<!\w)никогда(?!\w)",
           r"(?<!\w)ничего(?!\w)", r"(?<!\w)ничто(?!\w)", r"(?<!\w)никто(?!\w)",
           r"(?<!\w)никого(?!\w)", r"(?<!\w)нигде(?!\w)", r"(?<![\w-])никак(?:ой|ая|ое|ие|их)?(?!\w)",
           r"(?<!\w)нету(?!\w)",
           r"(?<!\w)нельзя(?!\w)"],
}
#: Two negations that cancel out ("не может не" = must, "not without", "nicht ohne", "pas sans").
_DOUBLE_NEGATION: dict[str, list[str]] = {
    # litotes: cannot help laughing (not: cannot help it), not unlike, not without, never fails to
    "en": [r"\b(?:can|could)(?:not|n['’]t| not)\s+(?:help\s+(?:but\b|\w+ing\b)|but|fail to|not)\b",
           r"\bnot\s+(?:without|un\w+|in\w+able)\b", r"\bnever\s+fails? to\b"],
    "de": [r"\bnicht\s+(?:ohne|un\w+)\b", r"\bnicht\s+umhin\b",
           r"\bkann\s+nicht\s+(?:\w+\s+){0,3}nicht\b"],
    "fr": [r"\b(?:ne|n['’])\s*(?:[\w'’-]+\s+){0,3}?pas\s+sans\b", r"\bnon\s+sans\b",
           r"\b(?:ne|n['’])\s*(?:[\w'’-]+\s+)?(?:manqu|laiss)\w*\s+pas\s+d(?:e\b|['’])",
           r"\b(?:ne|n['’])\s*(?:peut|pouvait|pourra|pourrait|peux|pouvons|pouvez|peuvent)\s+"
           r"(?:pas\s+)?(?:ne\s+pas|s['’]empêcher)\b"],
    "ru": [r"(?<!\w)не\s+(?:\w+\s+){1,2}?не(?!\w)", r"(?<!\w)не\s+без(?!\w)",
           r"(?<!\w)нельзя\s+не(?!\w)"],
}
#: French "ne ... que" (only) and "ne" after "avant que", "à moins que" are not negations.
_NOT_NEGATION: dict[str, list[str]] = {
    "fr": [r"\b(?:ne|n['’])\s*(?:(?!(?:pas|plus|jamais|rien|personne|aucune?|guère|point)\b)"
           r"[\w'’-]+\s+){0,4}?qu(?:e\b|['’])", r"\bou\s+non\b"],
    # concessive ни: какой бы то ни было (whatever), где бы он ни был, как ни; чуть не, едва ли не
    # (almost); ни с того ни с сего (out of the blue), тем не менее (nevertheless), не столько ...
    # сколько (less ... than), не только (not only), не раз (more than once)
    "ru": [r"(?<!\w)бы\s+(?:[^\W\d_]+\s+){0,2}?ни(?!\w)", r"(?<!\w)(?:как|сколько|где|куда)\s+ни(?!\w)",
           r"(?<!\w)(?:чуть|чуть-чуть|едва)\s+(?:было\s+|ли\s+)?не(?!\w)",
           r"(?<!\w)ни\s+с\s+того\s+ни\s+с\s+сего(?!\w)", r"(?<!\w)тем\s+не\s+менее(?!\w)",
           r"(?<!\w)не\s+(?:столько|только|раз)(?!\w)", r"(?<!\w)или\s+нет(?!\w)",
           # чего только не услышишь: one hears everything
           r"(?<!\w)(?:чего|что|кого|где|куда|как)\s+только\s+не(?!\w)"],
    "en": [r"\bnot\s+only\b", r"\bnothing\s+but\b", r"\bor\s+not\b"],
    "de": [r"\bnicht\s+nur\b", r"\boder\s+nicht\b"],
}
#: Idioms that a translator may render with a negation or without one: Russian ничего (nothing;
#: all right, never mind), не за что (don't mention it; you're welcome), не ... ли (won't you; would
#: you like), пока ... не (until; not yet), a polite question (вы не можете подождать?), an answer
#: (Нет, ...; No, ...; Non, ...), English don't mention it, never mind, no doubt, a negative question
#: (won't it be fun!). A side's count of negations is then a range.
_OPTIONAL_NEGATION: dict[str, list[str]] = {
    # ничего as a predicate (мне ничего; ничего, я подожду; ничего себе), not ничего не знаю
    "ru": [r"(?<!\w)ничего(?=\s*(?:[,.!?;…—–-]|себе(?!\w)|$))", r"(?<!\w)не\s+за\s+что(?!\w)",
           r"(?<!\w)не\s+[^\W\d_]+\s+ли(?!\w)",
           # a polite question: вы не можете подождать? (could you wait?)
           r"(?<!\w)не\s+(?:можете|можешь|могли|могла|мог|хотите|хочешь|желаете|знаете|знаешь|"
           r"скажете|подскажете)(?!\w)(?=[^.!?]*\?)",
           # an answer: Нет, ... (No, ...)
           r"(?:^|(?<=[.!?:;\"“«—–-])|(?<=[.!?:;\"“«—–-]\s))\s*нет(?=\s*[,.!?;—–-]|\s*$)",
           # пока (вы) не вернётесь: until you come back; я пока не знаю: I don't know yet
           r"(?<!\w)пока\s+(?:[^\W\d_]+\s+){0,2}?не(?!\w)"],
    "en": [r"\bdon['’]t mention it\b", r"\bnever mind\b", r"\bno doubt\b",
           # a negative question, often rhetorical or polite: won't it be fun! can't you?
           r"\b(?:won|isn|aren|can|don|didn|doesn|wouldn|couldn|ain|hasn|haven|shouldn|wasn|weren)"
           r"['’]t\s+(?:it|you|we|he|she|they|that|there|i)\b",
           r"(?:^|(?<=[.!?:;\"“«—–-])|(?<=[.!?:;\"“«—–-]\s))\s*(?:why,\s*|oh,\s*|well,\s*)?no"
           r"(?=\s*[,.!?;—–-]|\s*$)"],
    "fr": [r"(?:^|(?<=[.!?:;\"“«—–-])|(?<=[.!?:;\"“«—–-]\s))\s*non(?=\s*[,.!?;—–-]|\s*$)",
           # on ne sait pourquoi, je ne sais quel: somehow, some (not: je ne sais pas qui)
           r"\bon\s+ne\s+sait\s+(?:pourquoi|comment|quel\w*|qui|où)\b",
           r"\bje\s+ne\s+sais\s+quel\w*\b"],
}


def _optional(text: str, lang: str) -> list[Span]:
    """Spans of the idioms of a side that may stand for a negation or for none (_OPTIONAL_NEGATION)."""
    low = text.lower()
    return sorted((m.start(), m.end()) for p in _OPTIONAL_NEGATION.get(lang, [])
                  for m in re.finditer(p, low))


def _negations(text: str, lang: str) -> tuple[list[Span], list[Span]]:
    """(negation cue spans, double-negation spans) of a side. A double negation ('не может не')
    counts as none; French 'ne ... que' (only) is no negation; an optional idiom's cue is left to
    _optional."""
    low = text.lower()
    optional = _optional(text, lang)
    doubles = [(m.start(), m.end()) for p in _DOUBLE_NEGATION.get(lang, [])
               for m in re.finditer(p, low)]
    excluded = [(m.start(), m.end()) for p in _NOT_NEGATION.get(lang, []) for m in re.finditer(p, low)]
    spans = sorted({(m.start(), m.end()) for p in _NEGATION.get(lang, []) for m in re.finditer(p, low)})
    cues: list[Span] = []
    for sp in spans:
        if _overlaps(sp, doubles) or any(a <= sp[0] and sp[1] <= b for a, b in optional):
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
    if lang in ("ru", "uk"):
        # negative concord across commas: ничего из того, что там записано, я не говорил
        cues = [c for c in cues if not (low[c[0]:c[1]].startswith("ни") and any(
            d[0] > c[1] and low[d[0]:d[1]] == "не" and not re.search(r"[.!?…]", low[c[1]:d[0]])
            for d in cues))]
    return cues, sorted(doubles)


_CLAUSE_BOUNDS = re.compile(
    r"[,;:—–()]|\s-|-\s|\s(?:and|but|und|aber|sondern|et|mais|и|но|а)\s"
    r"|[.!?…]\s+(?=\W*[A-ZÀ-ÝА-ЯЁ])")


def _clause_positions(text: str, spans: Sequence[Span], skip: Sequence[Span] = ()
                      ) -> list[float]:
    """Where (0 to 1, at its first cue) each clause (between , ; : dashes, and/but and sentence
    ends) holding a cue stands in the text: negative concord (никто ничего не) is one negation, as
    is French ne ... pas, and so is a negative determiner repeated right after 'and' or 'or' over
    coordinated nouns (no grounds and no reasons; нет оснований и причин). Clauses holding a span
    of `skip` are left out."""
    bounds = [(m.start(), m.end()) for m in _CLAUSE_BOUNDS.finditer(text)]

    def clause(pos: int) -> int:
        return sum(1 for b, _ in bounds if b < pos)

    skipped = {clause(s) for s, _ in skip}
    first: dict[int, float] = {}
    last: tuple[str, int] | None = None
    for s, e in sorted(spans):
        word = text[s:e].lower()
        if last is not None and last[0] == word and re.fullmatch(r"[\W_]*", text[last[1]:s]):
            last = (word, e)
            continue  # one negation said again: nie -- nie; never, never, never
        last = (word, e)
        k = clause(s)
        if k in skipped or k in first:
            continue
        if k - 1 in first and _COORDINATED.fullmatch(text[bounds[k - 1][0]:s]) and \
                _NEGATIVE_DETERMINER.match(text, s):
            continue  # the same negation over coordinated nouns
        first[k] = (s + e) / 2 / max(1, len(text))
    return [first[k] for k in sorted(first)]


#: What stands between a negated clause and a negation that repeats it over coordinated words.
_COORDINATED = re.compile(r"\s(?:and|or|und|oder|et|ou|и|или)\s+", re.I)
#: Negations of a noun rather than of a verb: no, kein, aucun, ни.
_NEGATIVE_DETERMINER = re.compile(r"(?i:no|kein\w*|aucun\w*|nul(?:le)?|ни\w*|never|nie\w*|jamais)(?!\w)")


def _unpaired(a: Sequence[float], b: Sequence[float], limit: float) -> tuple[list[int], list[int]]:
    """Pair positions of a and b nearest first, at most `limit` apart, each once; returns the
    indices of a and of b left unpaired."""
    candidates = sorted((abs(x - y), i, j) for i, x in enumerate(a) for j, y in enumerate(b)
                        if abs(x - y) <= limit)
    used_a: set[int] = set()
    used_b: set[int] = set()
    for _, i, j in candidates:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
    return ([i for i in range(len(a)) if i not in used_a],
            [j for j in range(len(b)) if j not in used_b])


#: How far apart (as a share of each side's length) a limit or lack may stand from the negation it
#: says the same as: a negation and its stand-in are in the same part of the sentence, even where
#: word order differs between the languages.
NEAR = 0.3


#: Words that say what a negation says without one: a limit (nur bis 7000 m / n'ont pas dépassé
#: 7000 m; only, seulement, ne ... que, erst, kaum) or a lack (hoffnungslos / ne laissent aucun
#: espoir; without, sans, un-, -frei, hors de question, non encordés; verbs of not doing or not
#: having: vermeiden, éviter, refuse, manquer, échouer).
_NEGATION_LIKE: dict[str, dict[str, list[str]]] = {
    "en": {"limit": [r"\b(?:only|merely|solely|hardly|barely|scarcely)\b",
                     r"\btoo\s+(?:\w+\s+){1,4}?to\b", r"\bfar from\b"],
           "lack": [r"\b(?:without|unable|impossible|in vain|missing)\b",
                    r"\b(?!never|none)\w{3,}less\b", r"\b(?:avoid|refus|ignoran|fail|lack)\w*",
                    # un-, non- adjectives (unbearable, non-violent), not under, until, unit
                    r"\bun(?!i|der|til|cle|less)\w{4,}", r"\bnon-\w+"]},
    "de": {"limit": [r"\b(?:nur|bloss|bloß|lediglich|erst|kaum)\b"],
           "lack": [r"\bohne\b", r"\b\w{3,}los(?:e|en|em|er|es|igkeit)?\b",
                    r"\b\w{3,}frei(?:e|en|em|er|es)?\b", r"\bvergeblich\w*",
                    # un- adjectives (unmöglich, unberührt), not unter, unser, und, uns
                    r"\bun(?!ter|ser|d\b|s\b|ten\b|gefähr)\w{4,}",
                    r"\b(?:vermeid|vermied|verweiger|fehl|scheiter|gescheitert)\w*"]},
    "fr": {"limit": [r"\b(?:seulement|uniquement|à peine|peu)\b", r"\bseul(?:e|s|es)?\b",
                     r"\b(?:bien\s+)?loin\s+de\b",
                     _NOT_NEGATION["fr"][0]],
           "lack": [r"\bsans\b", r"\bhors (?:de )?question\b", r"\bimpossib\w*",
                    r"\b(?:incapab|inutil|dispar)\w*",
                    r"\bnon\s+(?!(?:pas|plus|que|point|loin|seulement|moins)\b)[^\W\d_]",
                    r"\ben vain\b", r"\b(?:évit|refus|ignoran|manqu|échou)\w*"]},
    "ru": {"limit": [r"(?<!\w)(?:только|лишь|едва|мало)(?!\w)"],
           "lack": [r"(?<!\w)без(?!\w)", r"(?<!\w)невозможн\w*",
                    r"(?<!\w)напрасн\w*", r"(?<!\w)(?:избега|избеж|отказ)\w*",
                    # ran out, vanished (not закончить: to finish)
                    r"(?<!\w)(?:кончил(?:ся|ась|ось|ись)|исчез\w*|пропал\w*)"]},
}


def _negation_like(text: str, lang: str, kind: str) -> list[Span]:
    """Spans of the limits (kind 'limit') or lacks ('lack') of a text; in Russian and Ukrainian
    also the words the analyser reads as не- or без- and a word it knows (недопустимо,
    бесполезно)."""
    low = text.lower()
    out = [(m.start(), m.end()) for p in _NEGATION_LIKE.get(lang, {}).get(kind, [])
           for m in re.finditer(p, low)]
    if kind == "lack" and lang in MORPH_LANGS:
        out += [(m.start(), m.end()) for m in re.finditer(r"(?<!\w)(?:не|бе[зс])[^\W\d_]{4,}", low)
                if antonym(m.group(), lang)]
    return sorted(out)


def check_negation(src: _Side, ren: _Side) -> list[Finding]:
    s_cues, s_double = _negations(src.text, src.lang)
    r_cues, r_double = _negations(ren.text, ren.lang)
    s_at, r_at = _clause_positions(src.text, s_cues), _clause_positions(ren.text, r_cues)
    ns, nr = len(s_at), len(r_at)
    # idioms read either way (мне ничего / I am all right; не за что / don't mention it) widen a
    # side's count to a range: no finding where the two ranges meet
    s_opt = len(_clause_positions(src.text, _optional(src.text, src.lang), s_cues))
    r_opt = len(_clause_positions(ren.text, _optional(ren.text, ren.lang), r_cues))
    # idioms read either way on both sides render each other (Non, ... / Нет, ...): they pair off
    both = min(s_opt, r_opt)
    if ns <= nr + r_opt - both and nr <= ns + s_opt - both:
        return []
    # The side with fewer negations may say the same with a limit or a lack (weak evidence), but
    # only near the other side's negation it stands for, and only a limit or lack that the other
    # side does not itself have there (a limit translated as a limit stands for no negation).
    (fewer, f_cues, f_at), (more, m_cues, m_at) = sorted(
        [(src, s_cues, s_at), (ren, r_cues, r_at)], key=lambda x: len(x[2]))
    _, unmatched = _unpaired(f_at, m_at, 1.0)
    free: list[float] = []
    for kind in ("limit", "lack"):
        f_like = _clause_positions(fewer.text, _negation_like(fewer.text, fewer.lang, kind), f_cues)
        m_like = _clause_positions(more.text, _negation_like(more.text, more.lang, kind), m_cues)
        free += [f_like[i] for i in _unpaired(f_like, m_like, NEAR)[0]]
    missing, _ = _unpaired([m_at[j] for j in unmatched], sorted(free), NEAR)
    if not missing:
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

"""What benchmarks/check_pairs.py measures on: 1-1 sentence pairs in several language pairs, and the
errors it plants into them.

This module owns reading the development sets from public parallel text kept outside the
repository (OPUS Books gold alignments in ../shared/eval/opus-books, a Tatoeba sample in a scratch
folder), their dev and test splits, and planting one error of a kind into a rendering sentence: a
number changed (digits, or a number word in the same language, Russian ones in the same case
through pymorphy3), a date shifted, a name swapped (also at a sentence's start) and a negation
dropped. Each planter applies only where the source carries what it changes, judged by its own
small readers, not by the checks under test.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OPUS = REPO.parent / "shared" / "eval" / "opus-books"
TATOEBA = REPO.parent / "scratch-checks" / "tatoeba-eng-rus"
#: At most this many pairs per split (the first ones in document order).
MAX_PAIRS = 1500


@dataclass(frozen=True)
class PairSet:
    """A language pair's 1-1 pairs (source, rendering) of one split."""

    name: str
    src: str
    tgt: str
    pairs: tuple[tuple[str, str], ...]


def _opus(file: str, swap: bool = False) -> list[tuple[str, str]]:
    out = []
    for line in (OPUS / file).read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        s, t = d["sources"]["text"], d["targets"]["text"]
        if len(s) == 1 and len(t) == 1 and s[0].strip() and t[0].strip():
            out.append((t[0], s[0]) if swap else (s[0], t[0]))
    return out


def _tatoeba(swap: bool) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(dev, test) of the Tatoeba sample, split by the English sentence (its variants together)."""
    dev, test = [], []
    for part in sorted(TATOEBA.glob("p*.tsv")):
        for line in part.read_text(encoding="utf-8").splitlines():
            f = line.split("\t")
            if len(f) != 4 or (f[0], f[1]) != ("eng", "rus"):
                continue
            pair = (f[2], f[3]) if swap else (f[3], f[2])
            (test if zlib.crc32(f[2].encode("utf-8")) % 2 else dev).append(pair)
    return dev, test


#: name -> (source language, rendering language, reader of all pairs or of (dev, test))
SETS = {
    "ru-en": ("ru", "en", lambda: _tatoeba(swap=False)),
    "en-ru": ("en", "ru", lambda: _tatoeba(swap=True)),
    "fr-ru": ("fr", "ru", lambda: _opus("FR-RU-Bulgakov_Mikhail-Master_and_Margarita.jsonl")),
    "de-en": ("de", "en", lambda: _opus("DE-EN-Twain_Mark-Tom_Sawyer.jsonl")),
    "en-fr": ("en", "fr", lambda: _opus("EN-FR-Dumas_Alexandre-Trois_Mousquetaires.jsonl")),
}


def available(name: str) -> bool:
    return TATOEBA.is_dir() if name in ("ru-en", "en-ru") else OPUS.is_dir()


def load(name: str, split: str) -> PairSet:
    """The dev or test split: a book's first half or second half (links in document order), the
    Tatoeba sample's halves by English sentence."""
    src, tgt, read = SETS[name]
    got = read()
    if isinstance(got, tuple):
        pairs = got[0] if split == "dev" else got[1]
    else:
        half = len(got) // 2
        pairs = got[:half] if split == "dev" else got[half:]
    return PairSet(name, src, tgt, tuple(pairs[:MAX_PAIRS]))


# --- the planters' own readers ----------------------------------------------------------------

def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


_WORDS = {
    "en": "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
          "fifteen sixteen seventeen eighteen nineteen twenty",
    "fr": "zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze "
          "seize dix-sept dix-huit dix-neuf vingt",
    "de": "null eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf",
}
_TENS = {"en": "thirty forty fifty sixty seventy eighty ninety hundred thousand",
         "fr": "trente quarante cinquante soixante",
         "de": "dreißig vierzig fünfzig sechzig siebzig achtzig neunzig hundert tausend"}


def _word_values(lang: str) -> dict[str, int]:
    out = {w: i for i, w in enumerate(_WORDS.get(lang, "").split())}
    tens = _TENS.get(lang, "").split()
    for i, w in enumerate(tens):
        out[w] = 100 if w in ("hundred", "hundert") else 1000 if w in ("thousand", "tausend") \
            else 30 + 10 * i
    return out


_DIGITS = re.compile(r"(?<![\w.,])\d+(?![\w]|[.,]\d)")
_TOKEN = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def values(text: str, lang: str) -> set[float]:
    """The numbers of a text by the planter's readers: digits, and number words (Russian ones
    through pymorphy3's lemmas)."""
    out = {float(m.group()) for m in _DIGITS.finditer(text)}
    words = _word_values(lang)
    for m in _TOKEN.finditer(text):
        w = m.group().lower()
        if w in words:
            out.add(float(words[w]))
        elif lang == "ru":
            read = _ru_number(w, lang)
            if read is not None:
                out.add(float(read[1]))
    return out


#: Russian cardinals the planter reads and writes (its own table: the checks' is under test).
_RU_CARDINALS = {w: 2 + i for i, w in enumerate(
    "два три четыре пять шесть семь восемь девять десять одиннадцать двенадцать тринадцать "
    "четырнадцать пятнадцать шестнадцать семнадцать восемнадцать девятнадцать".split())} | {
    w: 20 + 10 * i for i, w in enumerate(
        "двадцать тридцать сорок пятьдесят шестьдесят семьдесят восемьдесят девяносто".split())}


@lru_cache(maxsize=None)
def _morph():
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


def _ru_number(word: str, lang: str) -> tuple[str, float] | None:
    """(lemma, value) of a Russian cardinal from 2 to 90 by pymorphy3, or None."""
    if lang != "ru":
        return None
    for p in _morph().parse(word)[:1]:
        lemma = p.normal_form.replace("ё", "е")
        if p.tag.POS == "NUMR" and lemma in _RU_CARDINALS:
            return lemma, float(_RU_CARDINALS[lemma])
    return None


def _inflect(lemma: str, like: str) -> str | None:
    case = _morph().parse(like.lower())[0].tag.case
    form = _morph().parse(lemma)[0].inflect({case}) if case else None
    return form.word if form is not None else None


# --- planting: each returns the changed rendering, or None where the kind does not apply ------

def plant_number(s: PairSet, src: str, ren: str, rng: random.Random) -> str | None:
    have = values(src, s.src)
    spots = [(m.start(), m.end(), "digits") for m in _DIGITS.finditer(ren)
             if float(m.group()) in have and not _in_date(ren, m.start(), s.tgt)]
    words = _word_values(s.tgt)
    for m in _TOKEN.finditer(ren):
        w = m.group().lower()
        if w in words and words[w] in have and words[w] not in (0, 1, 100, 1000):
            spots.append((m.start(), m.end(), "word"))
        elif s.tgt == "ru" and (read := _ru_number(w, s.tgt)) and read[1] in have:
            spots.append((m.start(), m.end(), "ru"))
    if not spots:
        return None
    a, b, how = rng.choice(spots)
    old = ren[a:b]
    if how == "digits":
        value = int(old)
        step = rng.randint(1, 9) * 10 ** rng.randint(0, max(0, len(old) - 1))
        new = str(max(0, value + rng.choice([-1, 1]) * step))
        new = new if new != old else str(value + 1)
    elif how == "word":
        choices = [w for w, v in words.items() if 2 <= v <= 12 and w != old.lower()]
        new = rng.choice(choices)
        new = new.capitalize() if old[0].isupper() else new
    else:
        lemma = _ru_number(old.lower(), s.tgt)[0]
        others = [w for w in _RU_CARDINALS if w != lemma]
        new = None
        for _ in range(10):
            new = _inflect(rng.choice(sorted(others)), old)
            if new and new != old.lower():
                break
        if not new:
            return None
        new = new.capitalize() if old[0].isupper() else new
    return ren[:a] + new + ren[b:]


_MONTHS = {
    "en": "january february march april may june july august september october november december",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "ru": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
    "de": "januar februar märz april mai juni juli august september oktober november dezember",
}
_RU_NOMINATIVE = "январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь"


def _month_re(lang: str) -> str:
    words = _MONTHS.get(lang, "").split() + (_RU_NOMINATIVE.split() if lang == "ru" else [])
    return "|".join(sorted(words, key=len, reverse=True))


def _dates(text: str, lang: str) -> list[re.Match]:
    if lang not in _MONTHS:
        return []
    pat = rf"\b(?:(\d{{1,2}})(?:st|nd|rd|th|er)?\s+)?({_month_re(lang)})\b(?:\s+(\d{{4}}))?"
    if lang == "en":
        pat = rf"\b(?:(\d{{1,2}})\s+)?({_month_re(lang)})(?:\s+(\d{{1,2}})(?:st|nd|rd|th)?)?" \
              rf"(?:,?\s+(\d{{4}}))?\b"
    return [m for m in re.finditer(pat, text, re.I)
            if lang != "en" or m.group(2).lower() != "may" or m.group(1) or m.group(3)]


def _in_date(text: str, pos: int, lang: str) -> bool:
    return any(m.start() <= pos < m.end() for m in _dates(text, lang))


def plant_date(s: PairSet, src: str, ren: str, rng: random.Random) -> str | None:
    if not _dates(src, s.src):
        return None
    found = _dates(ren, s.tgt)
    if not found:
        return None
    m = rng.choice(found)
    days = [g for g in (1, 3) if m.re.groups >= g and m.group(g)]
    what = rng.choice(["month"] + (["day"] if days else []) +
                      (["year"] if m.group(m.re.groups) and len(m.group(m.re.groups)) == 4 else []))
    if what == "day":
        g = days[0]
        return ren[:m.start(g)] + str(int(m.group(g)) % 27 + rng.randint(1, 3)) + ren[m.end(g):]
    if what == "year":
        g = m.re.groups
        return ren[:m.start(g)] + str(int(m.group(g)) + rng.choice([-1, 1])) + ren[m.end(g):]
    months = _MONTHS[s.tgt].split()
    old = m.group(2)
    k = months.index(old.lower()) if old.lower() in months else \
        _RU_NOMINATIVE.split().index(old.lower())
    pool = months if old.lower() in months else _RU_NOMINATIVE.split()
    new = pool[(k + rng.randint(1, 11)) % 12]
    new = new.capitalize() if old[0].isupper() else new
    return ren[:m.start(2)] + new + ren[m.end(2):]


_NEG = {
    "en": r"\b(?:not|never|no|nothing|nobody|none|nowhere|cannot)\b|n['’]t\b",
    "ru": r"(?<!\w)(?:не|нет|ни|никогда|ничего|никто|нигде|нельзя)(?!\w)",
    "fr": r"\b(?:ne|n['’])\s*(?:[\w'’-]+\s+){0,4}?(?:pas|plus|jamais|rien|personne|point|guère)\b",
    "de": r"\b(?:nicht|kein\w*|nie|niemals|nichts|niemand\w*)\b",
}
_EN_DROP = [(r"\b(ca)n['’]t\b", "can"), (r"\b(wo)n['’]t\b", "will"),
            (r"\b(do|does|did|is|are|was|were|has|have|had|could|would|should|must|need)n['’]t\b",
             None), (r"\bcannot\b", "can"), (r"\b(?:not|never)\s+", ""),
            (r"\bnothing\b", "something"), (r"\bnobody\b", "somebody"), (r"\bno one\b", "someone")]


def plant_negation(s: PairSet, src: str, ren: str, rng: random.Random) -> str | None:
    """Drop a negation of the rendering where the source negates too (a word that negates alone:
    English not, n't, never, nothing; Russian не or нет, not an answer (Нет, ...), where no other
    negative word stands near; French ne ... pas and its kin)."""
    if not re.search(_NEG.get(s.src, "$^"), src, re.I):
        return None
    spots: list[tuple[int, int, str]] = []
    if s.tgt == "en":
        for pat, new in _EN_DROP:
            for m in re.finditer(pat, ren, re.I):
                spots.append((m.start(), m.end(), m.group(1) if new is None else new))
    elif s.tgt == "ru":
        for m in re.finditer(r"(?<!\w)(не|нет)(?!\w)(?!\s*[,.!?;—–-])\s*", ren, re.I):
            clause = re.split(r"[,;:—–]", ren[max(0, m.start() - 40):m.end() + 40])
            near = ren[max(0, m.start() - 25):m.end() + 25].lower()
            if re.search(r"(?<!\w)ни\w*|(?<!\w)не\s+\w+\s+не(?!\w)|чуть\s+не|не\s+за\s+что|"
                         r"не\s+\w+\s+ли(?!\w)|нельзя", near) or not clause:
                continue
            spots.append((m.start(), m.end(), "есть " if m.group(1).lower() == "нет" else ""))
    elif s.tgt == "fr":
        for m in re.finditer(_NEG["fr"], ren, re.I):
            inner = re.match(r"(?:ne|n['’])\s*((?:[\w'’-]+\s+){0,4}?)\w+$", m.group(), re.I)
            spots.append((m.start(), m.end(), inner.group(1).rstrip() if inner else ""))
    if not spots:
        return None
    a, b, new = rng.choice(spots)
    out = ren[:a] + new + ren[b:]
    return re.sub(r"\s{2,}", " ", out).strip()


def _translit(text: str) -> str:
    from workbench.check.text import _transliterate

    return fold(_transliterate(text.lower()))


_CAP = re.compile(r"(?<![\w'’-])[A-ZÀ-ÝА-ЯЁ][a-zà-ÿа-яё]{2,}(?![\w'’-])")


#: Titles and forms of address: capitalised, shared, and no names.
_TITLES = set("sir lord lady madam madame monsieur mademoiselle messieurs milady milord miss mister "
              "cousin uncle aunt captain colonel king queen prince princess count countess baron "
              "baronne duke duchess comte comtesse duc duchesse roi reine capitaine docteur doctor "
              "père mère monseigneur cardinal".split())


def shared_names(src: str, ren: str) -> list[re.Match]:
    """Capitalised words of the rendering (no titles) whose first four letters (transliterated)
    start a capitalised word of the source: a name both sides carry, at a sentence's start too."""
    capitals = {_translit(m.group())[:4] for m in _CAP.finditer(src)}
    return [m for m in _CAP.finditer(ren) if _translit(m.group())[:4] in capitals
            and len(_translit(m.group())) >= 3 and fold(m.group()) not in _TITLES]


def name_pool(s: PairSet) -> list[str]:
    return sorted({m.group() for a, b in s.pairs for m in shared_names(a, b)})


def plant_name(s: PairSet, src: str, ren: str, rng: random.Random, pool: list[str]
               ) -> str | None:
    shared = shared_names(src, ren)
    if not shared:
        return None
    m = rng.choice(shared)
    folded = _translit(src) + " " + _translit(ren)
    others = [n for n in pool if _translit(n)[:4] not in folded]
    if not others:
        return None
    return ren[:m.start()] + rng.choice(others) + ren[m.end():]

"""Development and evaluation cases for the aligner, built from public parallel text read where it lies.

This module owns turning gold sentence alignments into alignment cases of every shape a rendering
takes. The parallel texts are the nine OPUS Books gold alignments (../shared/eval/opus-books, nine
language pairs of literary translations) and the Text+Berg German-French yearbook articles
(../shared/eval/textberg-de-fr, via _textberg.py); nothing is copied into the repository. Every case
is built deterministically from (text, shape, seed):

* ``full``: a passage of a translation, every sentence on both sides, with every gold link (1-0 and
  0-1 included): a full translation in order;
* ``inorder``: reporting that quotes a passage in its order: 60% of the passage's links are quoted,
  and the reporter's own sentences (half as many as quotes) stand between them;
* ``few``: reporting in order that quotes little: 20% of the links, and one and a half times as many
  sentences of its own;
* ``shuffled``: quotes in blocks whose order is not the source's (40% of the links of each block),
  with twice as many sentences of its own;
* each partial shape also ``/cut``: every quote is cut at a clause boundary (a comma, semicolon or
  colon) to its first or its last part when that part has at least 4 words, as reporting that quotes
  half a sentence does.

The reporter's own sentences are runs of consecutive sentences of the same rendering taken far away
from the passage (at least FAR links away): same style, same names, and no link to the source.
A case's source is the whole passage (quoted or not); its gold holds the kept links with both sides
non-empty (partial) or every link (full); its distractors are the rendering ids of own sentences.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from _textberg import DATA as TEXTBERG, Link, load_article

OPUS = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "opus-books"

#: The OPUS Books files: (pair, file), the first language of the name is the source.
OPUS_FILES: dict[str, str] = {
    "de-en": "DE-EN-Twain_Mark-Tom_Sawyer.jsonl",
    "de-es": "DE-ES-Kafka_Franz-Verwandlung.jsonl",
    "de-fr": "DE-FR-Flaubert_Gustave-Madame_Bovary.jsonl",
    "en-es": "EN-ES-Cervantes_Miguel-Don_Quijote.jsonl",
    "en-fr": "EN-FR-Dumas_Alexandre-Trois_Mousquetaires.jsonl",
    "en-it": "EN-IT-Jerome_Jerome_K-Three_Men_in_a_Boat.jsonl",
    "en-nl": "EN-NL-Doyle_Arthur_Conan-Sign_of_Four.jsonl",
    "fr-ru": "FR-RU-Bulgakov_Mikhail-Master_and_Margarita.jsonl",
    "hu-ru": "HU-RU-Bulgakov_Mikhail-Master_and_Margarita.jsonl",
}
SHAPES = ("full", "inorder", "few", "shuffled")
#: Own sentences are taken at least this many links away from the quoted passage.
FAR = 150
_CLAUSE = re.compile(r"[,;:](?=\s)")


@dataclass(frozen=True)
class Parallel:
    """A translation with its gold links (in order, either side may be empty)."""

    name: str
    src_lang: str
    tgt_lang: str
    source: list[str]
    rendering: list[str]
    gold: list[Link]
    mt: dict[str, list[str]] = field(default_factory=dict)

    @property
    def pair(self) -> str:
        return f"{self.src_lang}-{self.tgt_lang}"


@dataclass(frozen=True)
class Case:
    """One rendering to align with a source, and what a right answer links."""

    name: str
    pair: str
    shape: str
    cut: bool
    src_lang: str
    tgt_lang: str
    source: list[str]
    rendering: list[str]
    gold: list[Link]
    distractors: frozenset[int] = frozenset()
    mt: list[str] | None = None

    @property
    def kind(self) -> str:
        return self.shape + ("/cut" if self.cut else "")


def _id_key(x: str) -> tuple[int, int]:
    seg, _, sent = x[1:].partition(".")
    return int(seg), int(sent or 0)


def load_opus(pair: str, directory: Path = OPUS) -> Parallel:
    """An OPUS Books file as a Parallel: both documents in id order, links as sentence indices."""
    path = directory / OPUS_FILES[pair]
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts: dict[str, dict[str, str]] = {"sources": {}, "targets": {}}
    for row in rows:
        for side in texts:
            for i, t in zip(row[side]["ids"], row[side]["text"]):
                if i:
                    texts[side][i] = t
    order = {side: sorted(texts[side], key=_id_key) for side in texts}
    index = {side: {i: k for k, i in enumerate(order[side])} for side in texts}
    gold: list[Link] = []
    for row in rows:
        src = tuple(sorted(index["sources"][i] for i in row["sources"]["ids"] if i))
        tgt = tuple(sorted(index["targets"][i] for i in row["targets"]["ids"] if i))
        if src or tgt:
            gold.append((src, tgt))
    src_lang, tgt_lang = pair.split("-")
    return Parallel(f"opus/{pair}", src_lang, tgt_lang,
                    [texts["sources"][i] for i in order["sources"]],
                    [texts["targets"][i] for i in order["targets"]], gold)


def load_textberg(article: str) -> Parallel:
    a = load_article(article, TEXTBERG)
    return Parallel(f"textberg/{article}", "de", "fr", a.source, a.rendering, a.gold, a.mt)


def _passage(text: Parallel, rng: random.Random, size: int) -> tuple[int, int]:
    """A stretch of `size` consecutive gold links (a, b) at a random place."""
    size = min(size, len(text.gold))
    a = rng.randrange(len(text.gold) - size + 1)
    return a, a + size


def _rebase(links: list[Link]) -> tuple[list[Link], list[int], list[int]]:
    """The links with ids counted from the passage's first sentence on each side, and both sides'
    original ids in order."""
    src = sorted({s for x in links for s in x[0]})
    tgt = sorted({t for x in links for t in x[1]})
    # the passage's sentences are contiguous; fill ids no link names (never the case in the data)
    src = list(range(src[0], src[-1] + 1)) if src else []
    tgt = list(range(tgt[0], tgt[-1] + 1)) if tgt else []
    s0, t0 = (src[0] if src else 0), (tgt[0] if tgt else 0)
    return [(tuple(s - s0 for s in a), tuple(t - t0 for t in b)) for a, b in links], src, tgt


def cut_quote(sentence: str, rng: random.Random, min_words: int = 4) -> str:
    """The first or the last part of the sentence at a clause boundary, chosen at random among
    those with at least `min_words` words; the sentence itself when it has none."""
    parts = []
    for m in _CLAUSE.finditer(sentence):
        head, tail = sentence[:m.start()].strip(), sentence[m.end():].strip()
        parts += [p for p in (head, tail) if len(p.split()) >= min_words]
    return rng.choice(parts) if parts else sentence


def full_case(text: Parallel, seed: int, size: int = 250) -> Case:
    rng = random.Random(f"{text.name}/full/{seed}")
    a, b = _passage(text, rng, size)
    links, src, tgt = _rebase(text.gold[a:b])
    mt = {k: [v[i] for i in src] for k, v in text.mt.items()}
    return Case(f"{text.name}/full/{seed}", text.pair, "full", False, text.src_lang, text.tgt_lang,
                [text.source[i] for i in src], [text.rendering[i] for i in tgt], links,
                mt=mt.get("google"))


#: (passage size range in links, share of links quoted, own sentences per quote)
PARTIAL_SHAPES = {
    "inorder": ((20, 80), 0.6, 0.5),
    "few": ((30, 100), 0.2, 1.5),
    "shuffled": ((40, 120), 0.4, 2.0),
}


def partial_cases(text: Parallel, shape: str, seed: int) -> tuple[Case, Case]:
    """The whole-quote and the cut-quote case of (text, shape, seed)."""
    rng = random.Random(f"{text.name}/{shape}/{seed}")
    (lo, hi), keep, own = PARTIAL_SHAPES[shape]
    # a short text keeps three quarters of itself for the reporter's own sentences
    size = min(rng.randint(lo, hi), len(text.gold) // 4)
    for _ in range(1000):
        a, b = _passage(text, rng, size)
        passage, src, _ = _rebase(text.gold[a:b])
        both = [k for k, x in enumerate(passage) if x[0] and x[1]]
        # a passage of the reporter's own kind (captions, insertions) quotes nothing
        if len(both) >= size // 2:
            break
    else:
        raise ValueError(f"{text.name}: no passage of {size} links with half of them two-sided")
    chosen = sorted(rng.sample(both, max(2, round(keep * len(both)))))
    if shape == "shuffled":
        blocks = _blocks(chosen, rng)
        order = list(range(len(blocks)))
        while order == sorted(order) and len(order) > 1:
            rng.shuffle(order)
        chosen = [k for o in order for k in blocks[o]]
    quotes = [(passage[k][0], text.gold[a + k][1]) for k in chosen]
    gaps = [0] * (len(quotes) + 1)
    for _ in range(round(own * len(quotes))):
        gaps[rng.randrange(len(gaps))] += 1
    # a short book (Kafka's has 324 links) keeps own sentences a third of what is left away
    gap_links = min(FAR, (len(text.gold) - (b - a)) // 3)
    far = [k for k in range(len(text.gold))
           if (k < a - gap_links or k >= b + gap_links) and text.gold[k][1]]
    used: set[int] = set()
    whole: list[str] = []
    cut: list[str] = []
    gold: list[Link] = []
    unrelated: set[int] = set()
    for k, gap in enumerate(gaps):
        for t in _own_run(text, far, gap, rng, used):
            unrelated.add(len(whole))
            whole.append(text.rendering[t])
            cut.append(text.rendering[t])
        if k < len(quotes):
            s, ts = quotes[k]
            gold.append((s, tuple(range(len(whole), len(whole) + len(ts)))))
            whole += [text.rendering[t] for t in ts]
            cut += [cut_quote(text.rendering[t], rng) for t in ts]
    name = f"{text.name}/{shape}/{seed}"
    mt = text.mt.get("google")
    src_mt = [mt[i] for i in src] if mt else None
    args = (text.pair, shape)
    common = dict(src_lang=text.src_lang, tgt_lang=text.tgt_lang,
                  source=[text.source[i] for i in src], gold=gold,
                  distractors=frozenset(unrelated), mt=src_mt)
    return (Case(name, *args, False, rendering=whole, **common),  # type: ignore[arg-type]
            Case(name + "/cut", *args, True, rendering=cut, **common))  # type: ignore[arg-type]


def _blocks(chosen: list[int], rng: random.Random) -> list[list[int]]:
    """The chosen links cut into 3 to 5 runs."""
    count = min(len(chosen), rng.randint(3, 5))
    cuts = sorted(rng.sample(range(1, len(chosen)), count - 1)) if count > 1 else []
    bounds = [0] + cuts + [len(chosen)]
    return [chosen[x:y] for x, y in zip(bounds, bounds[1:])]


def _own_run(text: Parallel, far: list[int], count: int, rng: random.Random,
             used: set[int]) -> list[int]:
    """Rendering ids of `count` own sentences, in runs of 1 to 3 consecutive ones from far away."""
    out: list[int] = []
    while len(out) < count:
        run = min(count - len(out), rng.randint(1, 3))
        for _ in range(100):
            k = far[rng.randrange(len(far))]
            ids = [t for link in text.gold[k:k + run] for t in link[1]][:run]
            if ids and not used.intersection(ids) and all(text.rendering[t].strip() for t in ids):
                used.update(ids)
                out += ids
                break
        else:
            raise ValueError(f"{text.name}: too few sentences far from the passage")
    return out


def texts(names: list[str] | None = None) -> list[Parallel]:
    """The parallel texts by name ("opus/de-en", "textberg/dev"); all OPUS pairs and the Text+Berg
    development article by default."""
    names = names or [f"opus/{p}" for p in OPUS_FILES] + ["textberg/dev"]
    out = []
    for n in names:
        kind, _, which = n.partition("/")
        out.append(load_opus(which) if kind == "opus" else load_textberg(which))
    return out


def cases(text: Parallel, seeds: int = 4, shapes: tuple[str, ...] = SHAPES,
          full_size: int = 250) -> list[Case]:
    """Every shape's cases of one text, `seeds` of each (partial shapes twice: whole and cut)."""
    out: list[Case] = []
    for shape in shapes:
        for seed in range(seeds):
            if shape == "full":
                out.append(full_case(text, seed, full_size))
            else:
                out += partial_cases(text, shape, seed)
    return out

"""A pair's name map: which names of the rendering stand for which names of the source.

This module owns learning the map from a pair's beads (names that keep standing opposite each other
where nothing else explains them: Сергей Иванович / Koznyshev, Стива / Stepan Arkadyevitch), the
translator's decisions on it (a link confirmed or broken) and their one-line text form, and whether
the map explains a name lost and a name added in one bead.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Iterable, Sequence

from workbench.check.morph import MORPH_LANGS, name_lemma
from workbench.check.text import _words

#: A link is learned where two names stand opposite each other, unexplained, in this many beads...
MIN_BEADS = 2
#: ...and in at least this share of the beads where the rarer of the two stands unexplained.
MIN_SHARE = 0.5
#: Beads with more unexplained names than this on a side (lists, headings) teach nothing.
MAX_NAMES = 3
STATES = ("learned", "confirmed", "broken")


@dataclass(frozen=True)
class NameLink:
    """Two names of one person or place: as the source and as the rendering writes it, in how
    many beads they stood opposite each other, and the link's state (learned from the beads,
    confirmed or broken by a translator)."""

    source: str
    rendering: str
    state: str = "learned"
    beads: int = 0

    @property
    def active(self) -> bool:
        return self.state != "broken"

    def to_dict(self) -> dict:
        return {"source": self.source, "rendering": self.rendering, "state": self.state,
                "beads": self.beads}


@lru_cache(maxsize=65536)
def name_key(text: str, lang: str) -> tuple[str, ...]:
    """The words of a name as the map compares them: each word's lemma (Сергея -> Сергей) by its
    consonant key, so that declined forms and spelling variants meet."""
    from workbench.check.names import _name_key

    out = []
    for tok, _, _ in _words(text):
        word = name_lemma(tok, lang) if lang in MORPH_LANGS else tok
        key = _name_key(word)
        if key:
            out.append(key)
    return tuple(sorted(out))


def _within(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Every word of a is a word of b (as keys)."""
    left = Counter(b)
    left.subtract(Counter(a))
    return bool(a) and all(v >= 0 for v in left.values())


@dataclass(frozen=True)
class NameMap:
    """A pair's links between names (learned and decided), and the languages of its two sides."""

    source_lang: str = ""
    rendering_lang: str = ""
    links: tuple[NameLink, ...] = ()

    def _keys(self, link: NameLink) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return (name_key(link.source, self.source_lang),
                name_key(link.rendering, self.rendering_lang))

    def _matching(self, source: str, rendering: str) -> list[NameLink]:
        s, r = name_key(source, self.source_lang), name_key(rendering, self.rendering_lang)
        out = []
        for link in self.links:
            ls, lr = self._keys(link)
            if (_within(ls, s) or _within(s, ls)) and (_within(lr, r) or _within(r, lr)):
                out.append(link)
        return out

    def explains(self, source: str, rendering: str) -> bool:
        """Whether a name of the source and a name of the rendering are one person or place by an
        active link (a broken link explains nothing, even where a learned one would)."""
        found = self._matching(source, rendering)
        return bool(found) and all(link.active for link in found)

    def counterparts(self, source: str) -> list[str]:
        """The rendering's names that active links give for a name of the source."""
        s = name_key(source, self.source_lang)
        return [link.rendering for link in self.links if link.active and (
            _within(self._keys(link)[0], s) or _within(s, self._keys(link)[0]))]

    def sources_of(self, rendering: str) -> list[str]:
        """The source's names that active links give for a name of the rendering."""
        r = name_key(rendering, self.rendering_lang)
        return [link.source for link in self.links if link.active and (
            _within(self._keys(link)[1], r) or _within(r, self._keys(link)[1]))]

    def decisions(self) -> tuple[NameLink, ...]:
        return tuple(link for link in self.links if link.state != "learned")

    def decide(self, source: str, rendering: str, state: str) -> "NameMap":
        """The map with the link between `source` and `rendering` in `state` (learned: the
        translator's decision withdrawn); ValueError for a name the text form cannot hold."""
        for name in (source, rendering):
            if not name.strip() or any(c in name for c in ";=\n\r\t"):
                raise ValueError(f"'{name}' cannot be a name of the map (empty, or holds ; = or a "
                                 "line break)")
        if state not in STATES:
            raise ValueError(f"unknown state '{state}': use one of {', '.join(STATES)}")
        source, rendering = " ".join(source.split()), " ".join(rendering.split())
        keys = (name_key(source, self.source_lang), name_key(rendering, self.rendering_lang))
        links = [link for link in self.links if self._keys(link) != keys]
        same = [link for link in self.links if self._keys(link) == keys]
        beads = same[0].beads if same else 0
        if state != "learned" or beads:
            links.append(NameLink(source, rendering, state, beads))
        return replace(self, links=_ordered(links))


def _ordered(links: Iterable[NameLink]) -> tuple[NameLink, ...]:
    return tuple(sorted(links, key=lambda x: (-x.beads, x.source, x.rendering, x.state)))


def learn(unexplained: Iterable[tuple[Sequence[str], Sequence[str]]], source_lang: str,
          rendering_lang: str, decisions: Sequence[NameLink] = ()) -> NameMap:
    """The map of a pair from the names each bead leaves unexplained ((source names, rendering
    names) per bead, as workbench.check.names.unexplained gives them), with the translator's
    `decisions` over what was learned."""
    together: Counter = Counter()
    alone_s: Counter = Counter()
    alone_r: Counter = Counter()
    shown: dict[tuple[str, ...], Counter] = {}
    for lost, added in unexplained:
        if not lost or not added or len(lost) > MAX_NAMES or len(added) > MAX_NAMES:
            continue
        ks = {name_key(x, source_lang): x for x in lost}
        kr = {name_key(y, rendering_lang): y for y in added}
        for k, x in list(ks.items()) + [(k, y) for k, y in kr.items()]:
            shown.setdefault(k, Counter())[x] += 1
        alone_s.update(ks.keys())
        alone_r.update(kr.keys())
        together.update((a, b) for a in ks for b in kr if a and b)
    links = []
    for (a, b), n in together.items():
        if n >= MIN_BEADS and n >= MIN_SHARE * min(alone_s[a], alone_r[b]):
            links.append(NameLink(_most_shown(shown[a]), _most_shown(shown[b]), "learned", n))
    out = NameMap(source_lang, rendering_lang, _ordered(links))
    for d in decisions:
        out = out.decide(d.source, d.rendering, d.state)
    return out


def from_pairs(pairs: Iterable[tuple[str, str, str | None]], source_lang: str,
               rendering_lang: str,
               decisions: Sequence[NameLink] = ()) -> NameMap:
    """The map learned from a pair's beads, (source, rendering, MT or None) each, with the
    translator's `decisions`; beads with an empty side are left out."""
    from workbench.check.names import unexplained
    from workbench.check.text import _lang

    s, t = _lang(source_lang), _lang(rendering_lang)
    return learn((unexplained(a, b, s, t, mt) for a, b, mt in pairs if a.strip() and b.strip()),
                 s, t, decisions)


def _most_shown(forms: Counter) -> str:
    return min(forms.items(), key=lambda x: (-x[1], x[0]))[0]


def decisions_text(links: Iterable[NameLink]) -> str:
    """The one-line text of a translator's decisions: `confirmed Стива = Stiva; broken Анна = Betsy`."""
    return "; ".join(f"{x.state} {x.source} = {x.rendering}" for x in links if x.state != "learned")


def parse_decisions(text: str) -> tuple[NameLink, ...]:
    """The decisions of decisions_text(); ValueError naming the item that is not one."""
    out = []
    for item in (p.strip() for p in text.split(";")):
        if not item:
            continue
        state, _, rest = item.partition(" ")
        source, eq, rendering = rest.partition("=")
        if state not in ("confirmed", "broken") or not eq or not source.strip() \
                or not rendering.strip():
            raise ValueError(f"'{item[:60]}' is not 'confirmed|broken SOURCE = RENDERING'")
        out.append(NameLink(source.strip(), rendering.strip(), state))
    return tuple(out)

"""Building and changing a pair's records in memory: from an alignment (build_pair_file), with
machine translation (set_mt), fidelity findings (with_checks) and the pair's name map (name_map,
set_names), a status or a note. Nothing here touches a file; saving is workbench.store's."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING, Sequence

from workbench import clock
from workbench.corpus import Document, Sentence
from workbench.errors import InputError, WorkbenchError
from workbench.model import Alignment, Bead
from workbench.store.records import (CATEGORIES, STATUSES, Annotation, PairFile, Record,
                                     check_text)
from workbench.store.writing import NAMES_HEADER, pair_header

if TYPE_CHECKING:
    from workbench.check import NameLink, NameMap


def _join(sentences: Sequence[Sentence], ids: Sequence[int]) -> str:
    return " ".join(sentences[i].text for i in ids)


def build_pair_file(source: Document, rendering: Document, source_sentences: Sequence[Sentence],
                    rendering_sentences: Sequence[Sentence], alignment: Alignment, *,
                    mt: Sequence[str] | None = None, mt_model: str | None = None,
                    checks: bool = True, time: str | None = None) -> PairFile:
    """Records for every bead of `alignment`, all unreviewed; `mt` is one translation per source
    sentence (or None where no model was available). `checks`: each record carries the fidelity
    findings on its texts (workbench.check). `time`: the header's dates (default now)."""
    check_alignment(alignment.beads, len(source_sentences), len(rendering_sentences))
    header = pair_header(source, rendering, len(source_sentences), len(rendering_sentences),
                         settings=alignment.settings, mt_model=mt_model, time=time)
    records = []
    for bead in alignment.beads:
        refs = tuple((source.path, str(source_sentences[i].line)) for i in bead.source) + tuple(
            (rendering.path, str(rendering_sentences[j].line)) for j in bead.rendering)
        mt_text = None
        if mt is not None and bead.source:
            mt_text = " ".join(mt[i] for i in bead.source)
        several = len(bead.source) > 1 or len(bead.rendering) > 1
        records.append(Record(
            source=tuple(bead.source), rendering=tuple(bead.rendering),
            source_text=_join(source_sentences, bead.source),
            rendering_text=_join(rendering_sentences, bead.rendering),
            score=round(float(bead.score), 4), method=bead.method,
            mt=mt_text, mt_model=mt_model if mt_text is not None else None, references=refs,
            source_lengths=tuple(len(source_sentences[i].text) for i in bead.source) if several else (),
            rendering_lengths=tuple(len(rendering_sentences[j].text) for j in bead.rendering)
            if several else (),
            mt_lengths=tuple(len(mt[i]) for i in bead.source) if several and mt_text is not None
            else (),
            closest=(int(bead.closest[0]), round(float(bead.closest[1]), 2))
            if bead.closest is not None else None))
    pf = PairFile(header=header, records=records)
    if checks:
        names = name_map(pf)
        pf.records = [with_checks(pf, r, names) for r in pf.records]
    return pf


def findings(source_text: str, rendering_text: str, mt: str | None, *, src_lang: str,
             tgt_lang: str, reporting: bool = False,
             names: "NameMap | None" = None) -> tuple[str, ...]:
    """The `check KIND: explanation` lines of a bead's texts (workbench.check, in check order),
    with the pair's name map `names`; `reporting` as workbench.check.check_pair's."""
    from workbench import check  # the checks read Babel's locale data: only when asked

    return tuple(check.format_comment(f) for f in check.check_pair(
        source_text, rendering_text, src_lang=src_lang, tgt_lang=tgt_lang, mt=mt,
        reporting=reporting, names=names))


def with_checks(pf: PairFile, r: Record, names: "NameMap | None" = None) -> Record:
    """`r` with the findings of its current texts in `pf`'s languages, as `pf` reports or
    translates (PairFile.reporting), and with its name map (`names`, default: name_map(pf))."""
    return replace(r, checks=findings(r.source_text, r.rendering_text, r.mt,
                                      src_lang=pf.source_language, tgt_lang=pf.rendering_language,
                                      reporting=pf.reporting,
                                      names=names if names is not None else name_map(pf)))


def name_decisions(pf: PairFile) -> "tuple[NameLink, ...]":
    """The translator's decisions on the pair's name map, as its header records them."""
    from workbench.check import parse_decisions

    return parse_decisions(pf.header.get(NAMES_HEADER, ""))


def name_map(pf: PairFile) -> "NameMap":
    """The pair's name map: learned from its beads, with the decisions its header records."""
    beads = tuple((r.source_text, r.rendering_text, r.mt) for r in pf.records
                  if r.source and r.rendering)
    return _name_map(beads, pf.source_language, pf.rendering_language,
                     pf.header.get(NAMES_HEADER, ""))


@lru_cache(maxsize=16)
def _name_map(beads: tuple, src_lang: str, tgt_lang: str, decided: str) -> "NameMap":
    from workbench.check import from_pairs, parse_decisions

    return from_pairs(beads, src_lang, tgt_lang, parse_decisions(decided))


def set_names(pf: PairFile, names: "NameMap") -> None:
    """Record the decisions of `names` in `pf`'s header (the field goes when there are none)."""
    from workbench.check import decisions_text

    text = decisions_text(names.decisions())
    if text:
        pf.header[NAMES_HEADER] = text
    else:
        pf.header.pop(NAMES_HEADER, None)


def set_mt(pf: PairFile, mt: Sequence[str], mt_model: str) -> int:
    """Give every record with source sentences its machine translation from `mt` (one per source
    sentence, by id) and record the model in the header. Returns how many records changed."""
    changed = 0
    names = name_map(pf)
    for i, r in enumerate(pf.records):
        if not r.source:
            continue
        parts = [mt[j] for j in r.source]
        several = len(r.source) > 1 or len(r.rendering) > 1
        new = replace(r, mt=" ".join(parts), mt_model=mt_model,
                      mt_lengths=tuple(len(p) for p in parts) if several else ())
        if new != r:
            pf.records[i] = with_checks(pf, new, names)  # the mt-missing check reads the MT
            changed += 1
    pf.header["X-MT-Model"] = mt_model
    return changed


def check_alignment(beads: Sequence[Bead], n_source: int, n_rendering: int) -> None:
    """Every sentence of both sides in exactly one bead; raise WorkbenchError otherwise."""
    for side, n, get in (("source", n_source, lambda b: b.source),
                         ("rendering", n_rendering, lambda b: b.rendering)):
        seen: list[int] = sorted(i for b in beads for i in get(b))
        if seen != list(range(n)):
            missing = sorted(set(range(n)) - set(seen))
            dup = sorted({i for i in seen if seen.count(i) > 1})
            raise WorkbenchError(f"alignment does not cover the {side} exactly once "
                                 f"(missing {missing[:5]}, repeated {dup[:5]})")
    if any(not b.source and not b.rendering for b in beads):
        raise WorkbenchError("alignment contains an empty bead")


def set_status(pf: PairFile, key: str, status: str, author: str = "",
               time: str | None = None) -> Record:
    """Give the bead `status`, signed by `author` at `time` (default now) when a name is given;
    back to unreviewed, the signature goes."""
    if status not in STATUSES:
        raise InputError(f"unknown status '{status}'", hint=f"use one of {', '.join(STATUSES)}")
    author = " ".join(author.split())
    check_text(author, "author name")
    signed = (author, time or clock.now()) if author and status != "unreviewed" else None
    new = replace(pf.record(key), status=status, reviewer=signed)
    pf.replace_record(key, new)
    return new


def add_annotation(pf: PairFile, key: str, text: str, category: str, author: str,
                   time: str | None = None) -> Record:
    if category and category not in CATEGORIES:
        raise InputError(f"unknown category '{category}'", hint=f"use one of {', '.join(CATEGORIES)}")
    if not author.strip():
        raise InputError("an annotation needs an author name")
    check_text(text, "annotation")
    check_text(author, "author name")
    rec = pf.record(key)
    note = Annotation(text=text, category=category, author=author.strip(), time=time or clock.now())
    new = replace(rec, annotations=rec.annotations + (note,))
    pf.replace_record(key, new)
    return new

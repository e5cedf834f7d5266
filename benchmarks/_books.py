"""A novel-sized document pair for the scaling benchmarks, made from an OPUS Books gold file.

This module owns turning one file of ../shared/eval/opus-books (read where it lies, never copied)
into two plain-text documents as a translator would have them: each OPUS segment (the sentences
whose ids share the number before the dot) is one paragraph, its sentences joined by a space, the
paragraphs in id order, separated by a blank line. The workbench segments these texts itself, as
`workbench align A B` does with its defaults.

    .venv/bin/python benchmarks/_books.py OUT_DIR [--book FR-RU-Bulgakov_Mikhail-Master_and_Margarita]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BOOKS = REPO.parent / "shared" / "eval" / "opus-books"
#: The largest pair with Russian on one side: Russian is the source, as in the workbench's first
#: use case, and French the rendering.
DEFAULT_BOOK = "FR-RU-Bulgakov_Mikhail-Master_and_Margarita"


def _id_key(sentence_id: str) -> tuple[int, int]:
    m = re.fullmatch(r"s(\d+)(?:\.(\d+))?", sentence_id)
    if m is None:
        raise ValueError(f"unexpected OPUS sentence id {sentence_id!r}")
    return int(m.group(1)), int(m.group(2) or 0)


def book_sides(book: str = DEFAULT_BOOK) -> tuple[str, str, dict[str, list[str]]]:
    """(first language, second language, {language: paragraphs}) of `book`: both documents whole,
    each in the order of its sentence ids."""
    path = BOOKS / f"{book}.jsonl"
    first, second = (code.lower() for code in book.split("-")[:2])
    sentences: dict[str, dict[str, str]] = {first: {}, second: {}}
    with open(path, encoding="utf-8") as f:
        for line in f:
            link = json.loads(line)
            for side, lang in (("sources", first), ("targets", second)):
                for sid, text in zip(link[side]["ids"], link[side]["text"]):
                    if sid:
                        sentences[lang][sid] = " ".join(text.split())
    paragraphs: dict[str, list[str]] = {}
    for lang, by_id in sentences.items():
        segments: dict[int, list[str]] = {}
        for sid in sorted(by_id, key=_id_key):
            segments.setdefault(_id_key(sid)[0], []).append(by_id[sid])
        paragraphs[lang] = [" ".join(parts) for _, parts in sorted(segments.items())]
    return first, second, paragraphs


def write_pair(out: Path, book: str = DEFAULT_BOOK) -> tuple[Path, str, Path, str]:
    """Write the book's Russian side (else its second language) as the source and the other as the
    rendering into `out`; returns (source path, its language, rendering path, its language)."""
    first, second, paragraphs = book_sides(book)
    src_lang, tgt_lang = (second, first) if second == "ru" or first != "ru" else (first, second)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for lang in (src_lang, tgt_lang):
        path = out / f"{book}.{lang}.txt"
        path.write_text("\n\n".join(paragraphs[lang]) + "\n", encoding="utf-8")
        paths.append(path)
    return paths[0], src_lang, paths[1], tgt_lang


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="directory for the two text files")
    ap.add_argument("--book", default=DEFAULT_BOOK, help="a file name of opus-books without .jsonl")
    args = ap.parse_args(argv)
    if not (BOOKS / f"{args.book}.jsonl").is_file():
        print(f"no {args.book}.jsonl in {BOOKS}", file=sys.stderr)
        return 2
    src, src_lang, tgt, tgt_lang = write_pair(args.out, args.book)
    print(f"{src} ({src_lang})\n{tgt} ({tgt_lang})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A data directory's trash (trash/ in it): a pair removed with its entry, its PO file and history,
and the documents no other pair uses; restored with all of them."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from workbench import clock, files
from workbench.catalog import (add_entries, check_writable, load_toml, metadata_path,
                               pair_index, write_toml)
from workbench.corpus import Corpus, Pair, load_corpus
from workbench.errors import DuplicateError, NotFoundError

TRASH = "trash"


@dataclass(frozen=True)
class Removed:
    """A pair in the trash: its entry (a folder of trash/), when, and what was taken away."""

    entry: str
    pair: str
    title: str
    time: str
    files: tuple[str, ...]


def _moved(root: Path, rel: str, dest: Path, moved: list[str]) -> None:
    src = root / rel
    if src.exists():
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dest / rel)
        moved.append(rel)


def remove(root: str | Path, pair_id: str) -> Removed:
    """Move the pair into trash/<time>-<pair>/: its entry and PO file (with its history), and
    each of its documents no other pair uses (text, original, cue timings, entry). `restore`
    puts them back."""
    from workbench.history import journal_path

    root = Path(root)
    check_writable(root)
    with files.lock(metadata_path(root)):
        corpus = load_corpus(root)
        pair = corpus.pair(pair_id)
        doc = load_toml(root)
        index = pair_index(doc, pair_id)
        pair_values = {k: str(v) for k, v in doc["pairs"][index].items()}
        others = [p for p in corpus.pairs if p.id != pair_id]
        gone = [d for d in (pair.source, pair.rendering)
                if not any(d in (p.source, p.rendering) for p in others)]
        documents = {d: {k: str(v) for k, v in doc["documents"][d].items()} for d in gone}
        rels = [f"translations/{pair.po}",
                journal_path(Path("translations") / pair.po).as_posix()]
        for d in gone:
            rels += [f"corpora/{documents[d]['file']}"]
            rels += [f"corpora/{documents[d]['original']}"] if documents[d].get("original") else []
            cues = Path(documents[d]["file"]).with_suffix(".cues.tsv").name
            rels += [f"corpora/{cues}"] if (root / "corpora" / cues).exists() else []
        time = clock.now()
        entry = f"{clock.compact(time)}-{pair_id}"
        dest = root / TRASH / entry
        dest.mkdir(parents=True)
        del doc["pairs"][index]
        for d in gone:
            del doc["documents"][d]
        for key in ("pairs", "documents"):
            if not doc[key]:  # tomlkit would write an empty one as `pairs = []` at the top
                del doc[key]
        record = {"pair": pair_values, "documents": documents, "time": time,
                  "title": _pair_title(corpus, pair)}
        moved: list[str] = []
        try:
            for rel in rels:
                _moved(root, rel, dest, moved)
            record["files"] = moved
            files.write_atomic(dest / "removed.json",
                               json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8"))
            write_toml(root, doc)
        except BaseException:
            for rel in moved:
                os.replace(dest / rel, root / rel)
            shutil.rmtree(dest, ignore_errors=True)
            raise
    return Removed(entry, pair_id, record["title"], time, tuple(moved))


def _pair_title(corpus: Corpus, pair: Pair) -> str:
    docs = corpus.documents
    return pair.title or (f"{docs[pair.source].title or pair.source} ↔ "
                          f"{docs[pair.rendering].title or pair.rendering}")


def trash(root: str | Path) -> list[Removed]:
    """The pairs in the trash, the latest removed first."""
    out = []
    for record_path in sorted(Path(root, TRASH).glob("*/removed.json"), reverse=True):
        try:
            record = json.loads(record_path.read_text(encoding="utf-8"))
            p = record["pair"]
            out.append(Removed(record_path.parent.name, f"{p['source']}__{p['rendering']}",
                               record.get("title", ""), record.get("time", ""),
                               tuple(record.get("files", ()))))
        except (OSError, ValueError, KeyError, TypeError):
            continue  # not one of ours: left alone
    return out


def restore(root: str | Path, entry: str) -> Pair:
    """Put a removed pair back from the trash: its files and its entries. An id or file that was
    added again since is a DuplicateError, and nothing is moved."""
    root = Path(root)
    folder = root / TRASH / entry
    if "/" in entry or entry.startswith(".") or not (folder / "removed.json").is_file():
        raise NotFoundError(f"no removed pair '{entry}' in the trash",
                            hint="the trash lists what can be restored")
    record = json.loads((folder / "removed.json").read_text(encoding="utf-8"))
    check_writable(root)
    with files.lock(metadata_path(root)):
        corpus = load_corpus(root, missing_ok=True)
        pair_id = f"{record['pair']['source']}__{record['pair']['rendering']}"
        clash = [d for d in record["documents"] if d in corpus.documents]
        clash += [pair_id] if any(p.id == pair_id for p in corpus.pairs) else []
        clash += [rel for rel in record["files"] if (root / rel).exists()]
        if clash:
            raise DuplicateError(f"cannot restore '{pair_id}': {clash[0]} is there again",
                                 hint="remove or rename what took its place, then restore")
        needed = {record["pair"]["source"], record["pair"]["rendering"]} - set(record["documents"])
        missing = [d for d in needed if d not in corpus.documents]
        if missing:
            raise NotFoundError(f"cannot restore '{pair_id}': its document '{missing[0]}' is gone",
                                hint="add that document again first")
        doc = load_toml(root)
        add_entries(doc, record["documents"], [record["pair"]])
        back: list[str] = []
        try:
            for rel in record["files"]:
                (root / rel).parent.mkdir(parents=True, exist_ok=True)
                os.replace(folder / rel, root / rel)
                back.append(rel)
            corpus = write_toml(root, doc)
        except BaseException:
            for rel in back:
                os.replace(root / rel, folder / rel)
            raise
        shutil.rmtree(folder)
    return corpus.pair(pair_id)


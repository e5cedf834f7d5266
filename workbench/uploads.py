"""Uploaded files waiting to become documents: each kept in the cache directory (uploads/, never the
data directory) under a random token, with its text extracted and its language told, until a
comparison takes it (catalog.NewDocument) or a day has passed."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from workbench import files
from workbench.cache import default_cache_dir
from workbench.errors import InputError, NotFoundError
from workbench.ingest import FORMATS, Cue, Extracted, Limits, extract
from workbench.ingest.language import MIN_CONFIDENCE, detect

#: Uploads older than this are deleted when another one is staged.
KEEP_SECONDS = 24 * 3600
_TOKEN = re.compile(r"[0-9a-f]{32}")


def _root() -> Path:
    return default_cache_dir() / "uploads"


def safe_name(name: str) -> str:
    """The last part of a file name a browser sent, with no directory, control character or
    leading dot, at most 120 characters: shown to the user and kept in provenance only (the
    files written are named after the document id)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(c for c in base if c.isprintable()).strip().lstrip(".")
    return base[:120] or "upload"


@dataclass(frozen=True)
class Upload:
    """A staged file: its token, the name it came with, what was found in it."""

    token: str
    name: str
    size: int
    format: str
    title: str
    language: str | None
    confidence: float | None
    language_note: str
    paragraphs: int
    characters: int
    preview: str

    def view(self) -> dict:
        return asdict(self) | {"format_name": FORMATS[self.format]}


def stage(data: bytes, name: str, *, limits: Limits = Limits()) -> Upload:
    """Extract `data` (a file named `name`) and tell its language; keep it for `take`. Errors
    (a damaged file, a zip bomb, no text) are raised before anything is kept."""
    name = safe_name(name)
    extracted = extract(data, name, limits=limits)
    found = detect(extracted.text)
    if found is None:
        language, confidence, note = None, None, "too short to tell: choose its language"
    elif found.confidence < MIN_CONFIDENCE:
        shown = ", ".join(f"{c} {v:.2f}" for c, v in found.candidates)
        language, confidence, note = None, found.confidence, f"cannot tell ({shown}): choose it"
    else:
        language, confidence, note = found.language, found.confidence, "detected"
    token = secrets.token_hex(16)
    folder = _root() / token
    _prune()
    try:
        folder.mkdir(parents=True)
        files.write_atomic(folder / "original", data)
        meta = {"name": name, "extracted": asdict(extracted)}
        files.write_atomic(folder / "meta.json", json.dumps(meta, ensure_ascii=False).encode("utf-8"))
    except OSError as exc:
        raise InputError(f"cannot keep the upload: {exc.strerror or exc}", path=str(folder),
                         hint="check that the cache directory is writable (WORKBENCH_CACHE_DIR)") from None
    text = extracted.text
    return Upload(token, name, len(data), extracted.format, extracted.title, language, confidence,
                  note, text.count("\n\n") + 1, len(text), text[:600])


def take(token: str) -> tuple[str, bytes, Extracted]:
    """The staged file's name, bytes and extracted text; NotFoundError for an unknown token."""
    folder = _root() / token
    if not _TOKEN.fullmatch(token or "") or not (folder / "meta.json").is_file():
        raise NotFoundError(f"no upload '{token[:40]}'",
                            hint="uploads are kept for a day: upload the file again")
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    e = meta["extracted"]
    extracted = Extracted(e["text"], e["format"], e["title"], e["date"], e["encoding"],
                          tuple(Cue(**c) for c in e["cues"]))
    return meta["name"], (folder / "original").read_bytes(), extracted


def discard(token: str) -> None:
    if _TOKEN.fullmatch(token or ""):
        shutil.rmtree(_root() / token, ignore_errors=True)


def _prune() -> None:
    now = time.time()
    try:
        folders = list(_root().iterdir())
    except OSError:
        return
    for folder in folders:
        try:
            if now - folder.stat().st_mtime > KEEP_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue

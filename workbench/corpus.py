"""Documents and the corpus directory: reading texts safely and the metadata that describes them.

A data directory holds `corpora/` (texts plus `corpora.toml`, which describes each document and says
which documents are compared with which) and `translations/` (one PO file per pair, see `store`).
This module owns reading a text file with clear errors (missing, empty, binary, not UTF-8 with the
byte offset), the Sentence and Document records every later stage uses, and the metadata file.
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from workbench.errors import InputError, LanguageError, ParseError

METADATA_FILE = "corpora.toml"

#: Languages the workbench knows by ISO 639-1 code. Segmentation and transliteration depend on it.
LANGUAGES: dict[str, str] = {
    "ar": "Arabic", "bg": "Bulgarian", "cs": "Czech", "da": "Danish", "de": "German", "el": "Greek",
    "en": "English", "es": "Spanish", "et": "Estonian", "fa": "Persian", "fi": "Finnish",
    "fr": "French", "he": "Hebrew", "hi": "Hindi", "hu": "Hungarian", "hy": "Armenian",
    "it": "Italian", "ja": "Japanese", "kk": "Kazakh", "ko": "Korean", "lt": "Lithuanian",
    "lv": "Latvian", "my": "Burmese", "nl": "Dutch", "pl": "Polish", "pt": "Portuguese",
    "ro": "Romanian", "ru": "Russian", "sk": "Slovak", "sl": "Slovenian", "sv": "Swedish",
    "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu", "zh": "Chinese", "am": "Amharic",
    "be": "Belarusian", "ka": "Georgian", "mr": "Marathi", "sr": "Serbian", "hr": "Croatian",
}


@dataclass(frozen=True)
class Sentence:
    """One sentence of a document: its 0-based index, text and where it stands in the original."""

    index: int
    text: str
    start: int  # character offset of the first character in the document text
    end: int  # character offset one past the last character
    paragraph: int  # 0-based paragraph (blocks separated by blank lines)
    line: int  # 1-based line of the document on which the sentence starts


@dataclass(frozen=True)
class Document:
    """A text with its metadata. `path` is relative to the data directory where it came from one."""

    id: str
    language: str
    path: str
    text: str
    title: str = ""
    provenance: str = ""
    date: str = ""


@dataclass(frozen=True)
class Pair:
    """A source document compared with one rendering; `po` names its file in translations/."""

    source: str
    rendering: str
    po: str

    @property
    def id(self) -> str:
        return f"{self.source}__{self.rendering}"


@dataclass
class Corpus:
    """The documents and pairs of a data directory, as described by corpora/corpora.toml."""

    root: Path
    documents: dict[str, Document] = field(default_factory=dict)
    pairs: list[Pair] = field(default_factory=list)

    def pair(self, pair_id: str) -> Pair:
        for p in self.pairs:
            if p.id == pair_id:
                return p
        from workbench.errors import NotFoundError

        known = ", ".join(p.id for p in self.pairs) or "none"
        raise NotFoundError(f"no document pair '{pair_id}'", hint=f"known pairs: {known}")


def check_language(code: str) -> str:
    """Return the normalised code or raise LanguageError naming the known codes."""
    norm = code.strip().lower().replace("_", "-").split("-")[0]
    if norm not in LANGUAGES:
        raise LanguageError(f"unknown language code '{code}'",
                            hint="use an ISO 639-1 code such as ru, en, de, fr")
    return norm


def decode_text(data: bytes, path: str) -> str:
    """Decode UTF-8 bytes into text, refusing empty, binary and mis-encoded input with clear errors."""
    if not data.strip():
        raise InputError("file is empty", path=path, hint="give a text file with at least one sentence")
    if b"\x00" in data[:8192]:
        offset = data.index(b"\x00")
        raise InputError(f"file looks binary (NUL byte at byte offset {offset})", path=path,
                         hint="give a plain UTF-8 text file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"not valid UTF-8 at byte offset {exc.start} (line {line}, byte 0x{data[exc.start]:02x})",
            path=path, hint="convert the file to UTF-8, e.g. iconv -f cp1251 -t utf-8") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    controls = [c for c in text[:8192] if unicodedata.category(c) == "Cc" and c not in "\n\r\t\f"]
    if len(controls) > 8:
        raise InputError("file looks binary (many control characters)", path=path,
                         hint="give a plain UTF-8 text file")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text(path: str | Path) -> str:
    """Read a UTF-8 text file; every failure is an InputError naming the file."""
    p = Path(path)
    if not p.exists():
        raise InputError("no such file", path=str(path), hint="check the path")
    if p.is_dir():
        raise InputError("is a directory, not a text file", path=str(path))
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", path=str(path)) from None
    return decode_text(data, str(path))


def load_corpus(root: str | Path) -> Corpus:
    """Read corpora/corpora.toml under `root`; texts are read eagerly so errors surface at once."""
    root = Path(root)
    meta_path = root / "corpora" / METADATA_FILE
    if not meta_path.exists():
        raise InputError("no corpus metadata file", path=str(meta_path),
                         hint="run from a data directory that holds corpora/corpora.toml, or pass --data DIR")
    try:
        meta = tomllib.loads(read_text(meta_path))
    except tomllib.TOMLDecodeError as exc:
        raise ParseError(f"invalid TOML: {exc}", path=str(meta_path)) from None
    corpus = Corpus(root=root)
    for doc_id, d in (meta.get("documents") or {}).items():
        for key in ("file", "language"):
            if key not in d:
                raise ParseError(f"document '{doc_id}' has no '{key}'", path=str(meta_path))
        rel = f"corpora/{d['file']}"
        corpus.documents[doc_id] = Document(
            id=doc_id, language=check_language(d["language"]), path=rel,
            text=read_text(root / rel), title=d.get("title", ""),
            provenance=d.get("provenance", "").strip(), date=str(d.get("date", "")))
    for i, p in enumerate(meta.get("pairs") or []):
        for key in ("source", "rendering"):
            if p.get(key) not in corpus.documents:
                raise ParseError(f"pair {i + 1} names unknown document '{p.get(key)}' as {key}",
                                 path=str(meta_path))
        po = p.get("po") or f"{p['source']}__{p['rendering']}.po"
        corpus.pairs.append(Pair(source=p["source"], rendering=p["rendering"], po=po))
    return corpus

"""Documents and the corpus directory: reading texts safely and the metadata that describes them.

A data directory holds `corpora/` (texts plus `corpora.toml`, which describes each document and says
which documents are compared with which) and `translations/` (one PO file per pair, see `store`).
This module owns reading a text file with clear errors (missing, empty, binary, not UTF-8 with the
byte offset), the Sentence and Document records every later stage uses, the metadata file, and
TomlText: a TOML file parsed with errors at the line of the offending entry (batch manifests use it
too).
"""

from __future__ import annotations

import datetime
import os
import re
import stat
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from workbench.errors import InputError, LanguageError, NotFoundError, ParseError

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
    #: The file the text was extracted from (`workbench add`), relative to the data directory.
    original: str = ""


@dataclass(frozen=True)
class Pair:
    """A source document compared with one rendering; `po` names its file in translations/,
    `title` is the name the translators gave the comparison ("" for none)."""

    source: str
    rendering: str
    po: str
    title: str = ""

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
        known = ", ".join(p.id for p in self.pairs) or "none"
        raise NotFoundError(f"no document pair '{pair_id}'", hint=f"known pairs: {known}")

    def document(self, doc_id: str) -> Document:
        if doc_id not in self.documents:
            known = ", ".join(self.documents) or "none"
            raise NotFoundError(f"no document '{doc_id}'", hint=f"known documents: {known}")
        return self.documents[doc_id]

    def sources(self) -> list[str]:
        """Ids of the documents that are the source of at least one pair, in the order of their
        first pair in corpora.toml."""
        return list(dict.fromkeys(p.source for p in self.pairs))

    def renderings(self, source_id: str) -> list[Pair]:
        """The pairs that compare `source_id` with one of its renderings, in corpora.toml order;
        NotFoundError when the document is unknown or is the source of no pair."""
        doc = self.document(source_id)
        found = [p for p in self.pairs if p.source == doc.id]
        if not found:
            known = ", ".join(self.sources()) or "none"
            raise NotFoundError(f"document '{source_id}' is the source of no pair",
                                hint=f"sources with renderings: {known}")
        return found


def check_language(code: str) -> str:
    """Return the normalised code ('en-US' -> 'en') or raise LanguageError naming the known codes."""
    norm = str(code).strip().lower().replace("_", "-").split("-")[0]
    if norm not in LANGUAGES:
        raise LanguageError(f"unknown language code '{code}'",
                            hint=f"use an ISO 639-1 code; known: {', '.join(sorted(LANGUAGES))}")
    return norm


def check_argument(text: str, what: str) -> str:
    """A command-line argument as text, or an InputError when it held bytes that are not UTF-8
    (Python keeps those as lone surrogates, which no file, index or output can store)."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError as exc:
        offset = len(text[:exc.start].encode("utf-8", "surrogateescape"))
        try:
            byte = f"byte 0x{text[exc.start].encode('utf-8', 'surrogateescape')[0]:02x}"
        except UnicodeEncodeError:
            byte = f"U+{ord(text[exc.start]):04X}"
        raise InputError(f"{what} is not valid UTF-8 ({byte} at byte offset {offset})",
                         hint="give it in UTF-8; check the terminal's encoding, e.g. "
                              "LANG=C.UTF-8") from None


_UTF16_32_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"),
)


#: Documents that are no text file at all, by how they start: what each is, and how its text is
#: had (tools of Debian's archive). Converting their bytes from another encoding would not help.
_DOCUMENTS = (
    (b"%PDF-", "a PDF document",
     "extract its text first, e.g. pdftotext -enc UTF-8 {path} {stem}.utf8.txt (Debian package "
     "poppler-utils), and give that file"),
    (b"PK\x03\x04", "a ZIP archive (a .docx, .odt or .epub document is one)",
     "extract its text first, e.g. pandoc {path} -t plain -o {stem}.utf8.txt (Debian package "
     "pandoc), and give that file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document (.doc)",
     "extract its text first, e.g. catdoc -d utf-8 {path} > {stem}.utf8.txt (Debian package catdoc), "
     "and give that file"),
)


def decode_text(data: bytes, path: str) -> str:
    """Decode UTF-8 bytes into text, refusing empty, binary and mis-encoded input with clear errors.

    A leading byte-order mark is dropped and line ends are normalised to \\n, so the offsets of
    sentences refer to the text returned here.
    """
    for magic, what, hint in _DOCUMENTS:
        if data.startswith(magic):
            raise InputError(f"file is {what}, not plain text", path=path,
                             hint=hint.format(path=path, stem=Path(path).stem))
    for bom, name in _UTF16_32_BOMS:
        if data.startswith(bom):
            raise InputError(f"file is {name} (byte-order mark at byte offset 0), not UTF-8", path=path,
                             hint=f"convert it, e.g. iconv -f {name} -t UTF-8 {path} > {path}.utf8")
    if b"\x00" in data:
        offset = data.index(b"\x00")
        raise InputError(f"file looks binary (NUL byte at byte offset {offset})", path=path,
                         line=data.count(b"\n", 0, offset) + 1, hint="give a plain UTF-8 text file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        # the bytes before the bad one on its line decode cleanly: count characters, not bytes
        column = len(data[data.rfind(b"\n", 0, exc.start) + 1:exc.start].decode("utf-8")) + 1
        raise InputError(
            f"not valid UTF-8 at byte offset {exc.start} (byte 0x{data[exc.start]:02x}, "
            f"column {column})", path=path, line=line,
            hint=f"convert the file to UTF-8, e.g. iconv -f cp1251 -t UTF-8 {path} > {path}.utf8"
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise InputError("file is empty" if not text else "file holds only whitespace", path=path,
                         hint="give a text file with at least one sentence")
    head = text[:8192]
    controls = sum(1 for c in head if unicodedata.category(c) == "Cc" and c not in "\n\r\t\f")
    if controls > max(8, len(head) // 100):
        raise InputError(f"file looks binary ({controls} control characters in its first "
                         f"{len(head)} characters)", path=path, hint="give a plain UTF-8 text file")
    return text.replace("\r\n", "\n").replace("\r", "\n")


#: The most the workbench reads of one text input, in bytes: far more than any document it aligns
#: or any pair it reviews, and a bound, so that an endless stream (/dev/zero, <(yes)) ends in a
#: message rather than in a machine out of memory.
MAX_INPUT_BYTES = 256 * 1024 * 1024
#: What to do with an input that is not a file the workbench can read.
_GIVE_A_FILE = "give a regular file (a pipe works too, e.g. <(command))"


def check_input(path: str | Path, *, regular: bool = False,
                hint: str = _GIVE_A_FILE) -> os.stat_result:
    """The input's status, or an InputError saying truthfully why it cannot be read: missing, a
    directory, a device (/dev/zero), a socket, a name holding a NUL. A FIFO or pipe is an input
    (read in bounded pieces) unless `regular` is asked."""
    shown = str(path)
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise InputError("no such file", path=shown, hint="check the path") from None
    except ValueError:  # os.stat's "embedded null byte"
        raise InputError("the file name holds a NUL character", path=shown.replace("\0", "\\0"),
                         hint="give the file's real name") from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", path=shown) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError("is a directory, not a text file", path=shown, hint="give a file")
    if not stat.S_ISREG(st.st_mode) and (regular or not stat.S_ISFIFO(st.st_mode)):
        from workbench.files import file_kind

        raise InputError(f"is {file_kind(st.st_mode)}, not a regular file", path=shown, hint=hint)
    return st


def read_stream(f: BinaryIO, label: str, limit: int | None = None) -> bytes:
    """All of `f`, or an InputError once it holds more than `limit` bytes (MAX_INPUT_BYTES)."""
    limit = MAX_INPUT_BYTES if limit is None else limit
    data = f.read(limit + 1)
    if len(data) > limit:
        raise InputError(f"holds more than {limit:,} bytes, the most the workbench reads from "
                         "one input", path=label, hint="split it into smaller files")
    return data


def read_bytes(path: str | Path, limit: int | None = None, *, regular: bool = False,
               hint: str = _GIVE_A_FILE) -> bytes:
    """The bytes of a text input (check_input, read_stream); every failure an InputError naming
    the file."""
    check_input(path, regular=regular, hint=hint)
    try:
        with open(path, "rb") as f:
            return read_stream(f, str(path), limit)
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", path=str(path)) from None


def read_text(path: str | Path) -> str:
    """Read a UTF-8 text file; every failure is an InputError naming the file."""
    return decode_text(read_bytes(path), str(path))


# --- corpora.toml ---

_DOC_KEYS = {"file": True, "language": True, "title": False, "date": False, "provenance": False,
             "original": False}
_PAIR_KEYS = {"source": True, "rendering": True, "po": False, "title": False}
# Pair ids join two document ids with "__", so a document id must not hold "__" itself.
_ID = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]|_(?!_))*")


class TomlText:
    """A TOML file's text, parsed with errors that point at the line of the offending entry (the
    metadata file here, batch manifests in workbench.batch). `hint`: every error's default hint."""

    def __init__(self, path: Path, text: str, hint: str | None = None) -> None:
        self.path = path
        self.text = text
        self.lines = text.split("\n")
        self.hint = hint

    def error(self, message: str, line: int | None, hint: str | None = None) -> ParseError:
        return ParseError(message, path=str(self.path), line=line, hint=hint or self.hint)

    def load(self, hint: str | None = None) -> dict:
        """The parsed text; invalid TOML is a ParseError at the line tomllib names."""
        try:
            return tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as exc:
            found = re.search(r"at line (\d+)", str(exc))
            raise self.error(f"invalid TOML: {exc}", int(found.group(1)) if found else None,
                             hint=hint) from None

    def key_line(self, header: int, key: str) -> int:
        """The line of `key = ...` in the table whose header is on line `header` (0: the top
        level); the header's line (1 at the top level) where the key is not found."""
        for j in range(header, len(self.lines)):
            if self.lines[j].lstrip().startswith("["):
                break
            if re.match(r"\s*%s\s*=" % re.escape(key), self.lines[j]):
                return j + 1
        return header or 1

    def table_line(self, pattern: str, index: int = 0, key: str | None = None) -> int | None:
        """The line of the index-th table header matching `pattern`, or of its `key`."""
        seen = -1
        for i, raw in enumerate(self.lines):
            if re.match(pattern, raw):
                seen += 1
                if seen == index:
                    return self.key_line(i + 1, key) if key is not None else i + 1
        return None

    def pair_line(self, index: int, key: str | None = None) -> int | None:
        """The line of the index-th [[pairs]] header, or of its `key` where that line is found."""
        return self.table_line(r"\s*\[\[\s*pairs\s*\]\]", index, key)


class _Meta(TomlText):
    """corpora.toml's text."""

    def doc_line(self, doc_id: str, key: str | None = None) -> int | None:
        return self.table_line(r"\s*\[\s*documents\s*\.\s*(?:%s|\"%s\"|'%s')\s*\]"
                               % ((re.escape(doc_id),) * 3), 0, key)


def _check_table(meta: _Meta, what: str, table: object, keys: dict[str, bool],
                 line: int | None) -> dict[str, str]:
    if not isinstance(table, dict):
        raise meta.error(f"{what} must be a table", line)
    for key, value in table.items():
        if key not in keys:
            raise meta.error(f"{what} has unknown key '{key}'", line,
                             hint=f"known keys: {', '.join(keys)}")
        if not isinstance(value, (str, datetime.date)):
            raise meta.error(f"{what}: '{key}' must be a string", line)
    for key, required in keys.items():
        if required and not str(table.get(key, "")).strip():
            raise meta.error(f"{what} has no '{key}'", line)
    return {k: str(v) for k, v in table.items()}


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _corpus_file(meta: _Meta, doc_id: str, key: str, value: str) -> str:
    """A file name of corpora.toml, refused when it holds a NUL or leads outside corpora/."""
    if "\0" in value:
        raise meta.error(f"document '{doc_id}': {key} holds a NUL character",
                         meta.doc_line(doc_id, key), hint="give the file's real name")
    rel = Path(value)
    if rel.is_absolute() or ".." in rel.parts:
        raise meta.error(f"document '{doc_id}': {key} '{value}' is outside corpora/",
                         meta.doc_line(doc_id, key), hint="name a file inside corpora/")
    return rel.as_posix()


def load_corpus(root: str | Path, *, missing_ok: bool = False) -> Corpus:
    """Read corpora/corpora.toml under `root`; texts are read eagerly so errors surface at once.
    With `missing_ok`, a directory without corpora.toml is an empty corpus (a new data
    directory, which the web view's New comparison page fills)."""
    root = Path(root)
    meta_path = root / "corpora" / METADATA_FILE
    if missing_ok and not meta_path.exists():
        return Corpus(root=root)
    if not meta_path.exists():
        raise InputError("no corpus metadata file", path=str(meta_path),
                         hint="run from a data directory that holds corpora/corpora.toml, or pass --data DIR")
    meta_text = read_text(meta_path)
    meta = _Meta(meta_path, meta_text)
    data = meta.load(hint="see corpora/README.md for the format")
    unknown = sorted(set(data) - {"documents", "pairs"})
    if unknown:
        raise meta.error(f"unknown top-level entry '{unknown[0]}'", None,
                         hint="corpora.toml holds [documents.<id>] tables and [[pairs]] entries")
    documents = data.get("documents") or {}
    if not isinstance(documents, dict):
        raise meta.error("'documents' must be a table of [documents.<id>] tables", None)
    pairs = data.get("pairs") or []
    if not isinstance(pairs, list):
        raise meta.error("'pairs' must be an array of [[pairs]] tables", None)

    corpus = Corpus(root=root)
    for doc_id, table in documents.items():
        line = meta.doc_line(doc_id)
        if not _ID.fullmatch(doc_id):
            raise meta.error(f"document id '{doc_id}' is not usable", line,
                             hint="use letters, digits, '-', '.' and single '_'")
        d = _check_table(meta, f"document '{doc_id}'", table, _DOC_KEYS, line)
        rel = Path(_corpus_file(meta, doc_id, "file", d["file"]))
        original = _corpus_file(meta, doc_id, "original", d["original"]) if d.get("original") else ""
        try:
            language = check_language(d["language"])
        except LanguageError as exc:
            raise meta.error(f"document '{doc_id}': {exc.message}", meta.doc_line(doc_id, "language"),
                             hint=exc.hint) from None
        text_path = root / "corpora" / rel
        if not text_path.is_file():
            raise InputError("no such file", path=str(text_path),
                             hint=f"named by document '{doc_id}' in {meta_path}:"
                                  f"{meta.doc_line(doc_id, 'file')}")
        corpus.documents[doc_id] = Document(
            id=doc_id, language=language, path=f"corpora/{rel.as_posix()}",
            text=read_text(text_path), title=_one_line(d.get("title", "")),
            provenance=_one_line(d.get("provenance", "")), date=d.get("date", "").strip(),
            original=f"corpora/{original}" if original else "")

    # A source may have any number of renderings, each its own pair with its own PO file.
    seen: dict[str, int] = {}
    po_files: dict[str, int] = {}
    for i, table in enumerate(pairs):
        line = meta.pair_line(i)
        p = _check_table(meta, f"pair {i + 1}", table, _PAIR_KEYS, line)
        for key in ("source", "rendering"):
            if p[key] not in corpus.documents:
                raise meta.error(f"pair {i + 1} names unknown document '{p[key]}' as {key}",
                                 meta.pair_line(i, key),
                                 hint=f"known documents: {', '.join(corpus.documents) or 'none'}")
        if p["source"] == p["rendering"]:
            raise meta.error(f"pair {i + 1} compares document '{p['source']}' with itself",
                             meta.pair_line(i, "rendering"))
        po = p.get("po") or f"{p['source']}__{p['rendering']}.po"
        if "/" in po or "\\" in po or not po.endswith(".po") or po.startswith("."):
            raise meta.error(f"pair {i + 1}: po '{po}' must be a plain file name ending in .po",
                             meta.pair_line(i, "po"))
        pair = Pair(source=p["source"], rendering=p["rendering"], po=po,
                    title=_one_line(p.get("title", "")))
        if pair.id in seen:
            raise meta.error(f"pair {i + 1} repeats the pair '{pair.id}' (pair {seen[pair.id]})",
                             line, hint="declare each rendering of a source once")
        # Two pairs writing one PO file would overwrite each other's review work.
        if po in po_files:
            raise meta.error(f"pair {i + 1}: po '{po}' is already the file of pair {po_files[po]}",
                             meta.pair_line(i, "po"),
                             hint="give each pair a PO file of its own (or leave po out for "
                                  "the default <source>__<rendering>.po)")
        seen[pair.id] = po_files[po] = i + 1
        corpus.pairs.append(pair)
    return corpus

"""Writing a data directory's corpora.toml: a new data directory, documents and pairs added from a
translator's files, a pair renamed (removing and restoring: workbench.trash). The user's comments
and order are kept (tomlkit); files are written before the entries naming them, and taken away
again when the entries cannot be written.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from workbench import clock, files
from workbench.corpus import METADATA_FILE, Corpus, Pair, check_language, load_corpus
from workbench.errors import DuplicateError, InputError, NotFoundError, ReadOnlyError
from workbench.ingest import FORMATS, Extracted, Limits, extract
from workbench.ingest.language import language_of

TEMPLATE = """\
# The texts of this data directory, and which are compared with which.
#
# `workbench add SOURCE RENDERING...` (or the New comparison page) adds entries here; you may also
# write or change them by hand. One [documents.<id>] table per text:
#
#   [documents.petition-ru]
#   file = "petition.ru.txt"        # a UTF-8 text in corpora/
#   language = "ru"                 # ISO 639-1 code
#   title = "..."                   # optional: title, date, provenance, original
#
# and one [[pairs]] entry per comparison of a source with one of its renderings:
#
#   [[pairs]]
#   source = "petition-ru"
#   rendering = "newsweek-en"       # optional: po (file in translations/), title
"""


def metadata_path(root: Path) -> Path:
    return Path(root) / "corpora" / METADATA_FILE


def check_writable(root: str | Path) -> None:
    """ReadOnlyError, before anything is tried, when the data directory cannot be written."""
    why = files.unwritable(root)
    if why:
        raise ReadOnlyError(f"the data directory cannot be written: {why}", path=str(root),
                            hint="nothing was changed; work in a writable copy (cp -r)")


def init(root: str | Path) -> list[Path]:
    """Make `root` a data directory: corpora/ with a commented corpora.toml, and translations/.
    The directories made (and the file) are returned; an existing corpora.toml is refused and
    left as it is."""
    root = Path(root)
    meta = metadata_path(root)
    if meta.exists():
        raise DuplicateError("already a data directory: corpora/corpora.toml exists", path=str(meta),
                             hint="nothing was changed; add texts with `workbench add --data "
                                  f"{root} SOURCE RENDERING`")
    if root.exists() and not root.is_dir():
        raise InputError("is a file, not a directory", path=str(root), hint="give a directory")
    if root.exists():
        check_writable(root)
    made = []
    for d in (root, root / "corpora", root / "translations"):
        if not d.is_dir():
            try:
                d.mkdir()
            except OSError as exc:
                raise InputError(f"cannot make the directory: {exc.strerror}", path=str(d),
                                 hint="check that its parent exists and is writable") from None
            made.append(d)
    files.write_atomic(meta, TEMPLATE.encode("utf-8"))
    return made + [meta]


# --- documents from translators' files ---

@dataclass(frozen=True)
class NewDocument:
    """A document about to be added: its id, language and title, the user's file (its name and
    bytes) and the text extracted from it."""

    id: str
    language: str
    title: str
    name: str
    data: bytes = field(repr=False)
    extracted: Extracted = field(repr=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def stem(self) -> str:
        return f"{self.id.removesuffix('-' + self.language)}.{self.language}"


def slug(name: str) -> str:
    """An id made of a file name: 'Статья о мобилизации.docx' -> 'statya-o-mobilizatsii'."""
    stem = Path(name.replace("\\", "/")).name
    stem = stem.rsplit(".", 1)[0] if "." in stem[1:] else stem
    try:
        from workbench.align.features import transliterate
    except ImportError:  # the aligner without its table: accents still go
        def transliterate(text: str) -> str:
            return text
    text = transliterate(unicodedata.normalize("NFKD", stem.lower().replace("ß", "ss")))
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    words = re.findall(r"[a-z0-9]+", text)
    return "-".join(words)[:40].strip("-") or "text"


def document_from_file(data: bytes, name: str, *, language: str | None = None,
                       title: str | None = None, doc_id: str | None = None,
                       flag: str = "--lang", limits: Limits = Limits()) -> NewDocument:
    """Extract the text of the user's file `name` and tell its language (unless `language` is
    given; `flag` is the option the error names); its id is `doc_id` or the file name's slug with
    the language (article.html in English: article-en)."""
    return new_document(extract(data, name, limits=limits), data, name, language=language,
                        title=title, doc_id=doc_id, flag=flag)


def new_document(extracted: Extracted, data: bytes, name: str, *, language: str | None = None,
                 title: str | None = None, doc_id: str | None = None,
                 flag: str = "--lang") -> NewDocument:
    """A NewDocument of text already extracted (an upload's): language, title and id as
    document_from_file gives them."""
    code = check_language(language) if language else language_of(extracted.text, name, flag)
    base = slug(name)  # petition.ru.txt names its language already: petition-ru, not petition-ru-ru
    new_id = doc_id or (base if base.endswith(f"-{code}") else f"{base}-{code}")
    _check_id(new_id)
    return NewDocument(new_id, code, title if title is not None else extracted.title, name, data,
                       extracted)


def _check_id(doc_id: str) -> None:
    from workbench.corpus import _ID

    if not _ID.fullmatch(doc_id):
        raise InputError(f"document id '{doc_id}' is not usable",
                         hint="use letters, digits, '-', '.' and single '_'")


# --- reading and writing corpora.toml ---

def load_toml(root: Path) -> Any:
    import tomlkit

    meta = metadata_path(root)
    if not meta.exists():
        return tomlkit.parse(TEMPLATE)
    from workbench.corpus import read_text

    return tomlkit.parse(read_text(meta))


def _table(values: dict[str, str]) -> Any:
    """A table of the non-empty `values`, with a blank line after it as the user's own have."""
    import tomlkit

    table = tomlkit.table()
    for key, value in values.items():
        if value:
            table[key] = value
    table.add(tomlkit.nl())
    return table


def _with_blank_after(container: Any) -> None:
    """A blank line after the last table of `container`, so an entry appended after it stands
    apart as the user's own do."""
    import tomlkit

    tables = list(container.values()) if hasattr(container, "values") else list(container)
    if tables and not tables[-1].as_string().endswith("\n\n"):
        tables[-1].add(tomlkit.nl())


def add_entries(doc: Any, documents: dict[str, dict[str, str]],
                 pairs: Sequence[dict[str, str]]) -> None:
    import tomlkit

    if documents:
        if "documents" not in doc or not doc["documents"]:
            doc.pop("documents", None)
            doc["documents"] = tomlkit.table(is_super_table=True)
        _with_blank_after(doc["documents"])
        for doc_id, values in documents.items():
            doc["documents"][doc_id] = _table(values)
    if pairs:
        if "pairs" not in doc or not doc["pairs"]:  # none yet, or an empty `pairs = []`
            doc.pop("pairs", None)
            doc["pairs"] = tomlkit.aot()
        _with_blank_after(doc["pairs"])
        for values in pairs:
            doc["pairs"].append(_table(values))


def write_toml(root: Path, doc: Any) -> Corpus:
    """Write corpora.toml and read it back (load_corpus): an entry that does not load is an
    error before anything else happens, and the old file is put back."""
    import tomlkit

    meta = metadata_path(root)
    old = meta.read_bytes() if meta.exists() else None
    files.write_atomic(meta, (tomlkit.dumps(doc).rstrip("\n") + "\n").encode("utf-8"))
    try:
        return load_corpus(root)
    except Exception:
        if old is None:
            meta.unlink()
        else:
            files.write_atomic(meta, old)
        raise


def _entry_line(root: Path, pattern: str) -> int | None:
    meta = metadata_path(root)
    if not meta.exists():
        return None
    for i, line in enumerate(meta.read_text(encoding="utf-8").split("\n")):
        if re.match(pattern, line):
            return i + 1
    return None


# --- adding a comparison ---

def _provenance(new: NewDocument, original: str | None, cues: str | None) -> str:
    what = FORMATS[new.extracted.format]
    if new.extracted.encoding and new.extracted.encoding not in ("utf-8", "ascii"):
        what += f", encoding {new.extracted.encoding}"
    kept = f"; kept as corpora/{original}" if original else "; identical to the text file"
    text = (f"Extracted by workbench add on {clock.now()[:10]} from the file '{Path(new.name).name}'"
            f" ({what}, sha256 {new.sha256}){kept}.")
    if cues:
        text += f" Each line is one subtitle cue; their timings are in corpora/{cues}."
    return text


def _text_bytes(new: NewDocument) -> bytes:
    """The text file's bytes: the original's own where it is UTF-8 text that extraction left as
    it was (but for the line end at its end), else the extracted text."""
    if new.extracted.format == "text" and new.extracted.encoding == "utf-8":
        try:
            if new.data.decode("utf-8").rstrip("\n") == new.extracted.text:
                return new.data
        except UnicodeDecodeError:
            pass
    return (new.extracted.text + "\n").encode("utf-8")


def _file_names(new: NewDocument) -> tuple[str, str | None, str | None]:
    """The text's file name in corpora/, the original's (None when the text is the original
    itself, byte for byte) and the cue timings' (subtitles only)."""
    text = f"{new.stem}.txt"
    ext = Path(new.name).suffix.lower()
    if ext in ("", ".txt") and new.data == _text_bytes(new):
        original = None
    else:
        original = f"{new.stem}.original{ext or '.txt'}" if ext in ("", ".txt") \
            else f"{new.stem}{ext}"
        if not re.fullmatch(r"\.[a-z0-9]{1,10}", ext or ".txt"):
            original = f"{new.stem}.original"
    cues = f"{new.stem}.cues.tsv" if new.extracted.cues else None
    return text, original, cues


def _cue_table(new: NewDocument) -> bytes:
    rows = ["line\tstart\tend"] + [f"{c.line}\t{c.start}\t{c.end}" for c in new.extracted.cues]
    return ("\n".join(rows) + "\n").encode("utf-8")


def _write_new(path: Path, data: bytes, written: list[Path]) -> None:
    """Create `path` with `data`, refusing a file already there (O_EXCL: never replaced)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError:
        raise DuplicateError("a file of that name is already there", path=str(path),
                             hint="give the document another id, or remove the file") from None
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", path=str(path),
                         hint="check that the data directory is writable") from None
    written.append(path)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _pair_values(source: str, rendering: str) -> dict[str, str]:
    return {"source": source, "rendering": rendering, "po": f"{source}__{rendering}.po"}


def add(root: str | Path, source: NewDocument | str,
        renderings: Sequence[NewDocument]) -> list[Pair]:
    """Add a source (a new document, or the id of one already there) and its renderings as one
    pair each: texts, originals and cue timings into corpora/, entries into corpora.toml. A
    document id, file or pair already there is a DuplicateError and nothing is written."""
    root = Path(root)
    if not renderings:
        raise InputError("a comparison needs a source and at least one rendering")
    if root.exists():
        check_writable(root)
    (root / "corpora").mkdir(parents=True, exist_ok=True)
    (root / "translations").mkdir(exist_ok=True)
    with files.lock(metadata_path(root)):
        corpus = load_corpus(root, missing_ok=True)
        new_docs = ([source] if isinstance(source, NewDocument) else []) + list(renderings)
        source_id = source.id if isinstance(source, NewDocument) else source
        if not isinstance(source, NewDocument):
            corpus.document(source)  # NotFoundError for an unknown id
        _check_new(root, corpus, new_docs, source_id, renderings)
        written: list[Path] = []
        try:
            entries = {}
            for new in new_docs:
                text, original, cues = _file_names(new)
                _write_new(root / "corpora" / text, _text_bytes(new), written)
                if original:
                    _write_new(root / "corpora" / original, new.data, written)
                if cues:
                    _write_new(root / "corpora" / cues, _cue_table(new), written)
                entries[new.id] = {"file": text, "language": new.language, "title": new.title,
                                   "date": new.extracted.date, "original": original or "",
                                   "provenance": _provenance(new, original, cues)}
            doc = load_toml(root)
            pairs = [_pair_values(source_id, r.id) for r in renderings]
            add_entries(doc, entries, pairs)
            corpus = write_toml(root, doc)
        except BaseException:
            for path in written:
                path.unlink(missing_ok=True)
            raise
    return [corpus.pair(f"{source_id}__{r.id}") for r in renderings]


def _check_new(root: Path, corpus: Corpus, new_docs: Sequence[NewDocument], source_id: str,
               renderings: Sequence[NewDocument]) -> None:
    """DuplicateError, before anything is written, for an id, a file or a pair already there."""
    seen: dict[str, str] = {}
    for new in new_docs:
        if new.id in corpus.documents:
            line = _entry_line(root, r"\s*\[\s*documents\s*\.\s*[\"']?%s[\"']?\s*\]" % re.escape(new.id))
            raise DuplicateError(f"the document id '{new.id}' ({Path(new.name).name}) is already in "
                                 f"corpora.toml{f' (line {line})' if line else ''}",
                                 path=str(metadata_path(root)),
                                 hint="give it another id (workbench add --src-id or "
                                      "--rendering-id; the id field of the New comparison page), "
                                      "or name the document already there as the source")
        if new.id in seen:
            raise DuplicateError(f"'{Path(new.name).name}' and '{Path(seen[new.id]).name}' would "
                                 f"both be the document '{new.id}'",
                                 hint="give each its own id (workbench add --rendering-id)")
        seen[new.id] = new.name
        for name in filter(None, _file_names(new)):
            if (root / "corpora" / name).exists():
                raise DuplicateError("a file of that name is already there",
                                     path=str(root / "corpora" / name),
                                     hint="give the document another id (workbench add --src-id "
                                          "or --rendering-id), or remove the file")
    same = [(a, b) for i, a in enumerate(new_docs) for b in new_docs[i + 1:] if a.sha256 == b.sha256]
    if same:
        a, b = same[0]
        raise DuplicateError(f"'{Path(a.name).name}' and '{Path(b.name).name}' are the same file",
                             hint="give the source and each rendering once")
    for r in renderings:
        pair_id = f"{source_id}__{r.id}"
        if any(p.id == pair_id for p in corpus.pairs) or \
                (root / "translations" / f"{pair_id}.po").exists():
            raise DuplicateError(f"the pair '{pair_id}' is already there",
                                 path=str(root / "translations" / f"{pair_id}.po"),
                                 hint="open it, or remove it first")


# --- renaming, removing and restoring pairs ---

def pair_index(doc: Any, pair_id: str) -> int:
    for i, table in enumerate(doc.get("pairs", [])):
        if f"{table.get('source')}__{table.get('rendering')}" == pair_id:
            return i
    raise NotFoundError(f"no document pair '{pair_id}'")


def rename(root: str | Path, pair_id: str, title: str) -> Pair:
    """Give the pair the title `title` (stripped; "" takes it away): its ids, files and work
    stay as they are."""
    root = Path(root)
    title = " ".join(title.split())
    if len(title) > 200:
        raise InputError(f"the title is {len(title)} characters long; at most 200",
                         hint="give a shorter title")
    check_writable(root)
    with files.lock(metadata_path(root)):
        doc = load_toml(root)
        table = doc["pairs"][pair_index(doc, pair_id)]
        if title:
            table["title"] = title
        elif "title" in table:
            del table["title"]
        return write_toml(root, doc).pair(pair_id)

"""Batch runs: a manifest of document pairs, run through the pipeline on a Dask cluster or in-process.

This module owns the batch manifest (TOML, documented in docs/manifest.md: document pairs or globs
of pairs, their languages and steps), the per-document task (segment, translate, embed, align and
render the pair's PO text, with the models loaded once per worker process by a cached loader), and
the run: pairs go to a scheduler (`sequential` in this process, `local` for a LocalCluster of worker
processes, or `tcp://HOST:PORT` for an existing cluster) in a sliding window, and the client writes
each result atomically into a data directory the web view opens as it is (corpora/ with the texts
and corpora.toml, translations/ with one PO file per pair). Every PO file carries a content hash of
its inputs and settings (X-Batch-Key), so a rerun skips finished pairs and redoes the rest; a long
pair's sentences are translated and encoded in chunk tasks before the task that aligns it; a pair
that fails is reported with its file and the others go on. The same pair gives the same bytes on any
scheduler: the task is one pure function of the texts and settings, and the PO dates are the run's
(SOURCE_DATE_EPOCH when set). dask is imported only when a cluster is used.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import threading
import time
import tomllib
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

from workbench import __version__
from workbench.corpus import Document, check_language, decode_text
from workbench.errors import InputError, LanguageError, ModelError, ParseError, WorkbenchError

if TYPE_CHECKING:
    from workbench.store import PairFile

#: Steps a manifest may name, in pipeline order.
STEPS = ("segment", "translate", "embed", "align", "check")
DEFAULT_STEPS = ("segment", "translate", "embed", "align")
MODES = ("auto", "monotone", "partial")
#: The PO header field holding the content hash of a pair's inputs and settings.
KEY_HEADER = "X-Batch-Key"
#: First line of a corpora.toml this module writes; one without it belongs to someone else.
TOML_MARK = "# Written by `workbench batch`"
SCHEDULER_HINT = "use local, sequential or tcp://HOST:PORT"

#: A pair whose texts hold more bytes than this has its sentences translated and encoded in chunk
#: tasks of CHUNK_SENTENCES each, spread over the workers, before the task that aligns it.
LONG_DOCUMENT = 200_000
CHUNK_SENTENCES = 1000

_TOP_KEYS = {"output", "steps", "mode", "source_lang", "rendering_lang", "pairs"}
_PAIR_KEYS = {"source", "rendering", "source_lang", "rendering_lang", "steps"}


# --- the manifest --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PairSpec:
    """One document pair of a manifest, globs expanded: files, languages, steps and the line of
    the manifest entry that named it (for messages)."""

    source: Path
    rendering: Path
    source_lang: str
    rendering_lang: str
    steps: tuple[str, ...]
    line: int
    source_id: str
    rendering_id: str

    @property
    def po(self) -> str:
        return f"{self.source_id}__{self.rendering_id}.po"


@dataclass(frozen=True)
class Manifest:
    path: Path
    output: Path
    mode: str
    pairs: tuple[PairSpec, ...]


class _Lines:
    """The manifest's text, for messages that point at the line of the offending entry."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.split("\n")

    def error(self, message: str, line: int | None, hint: str | None = None) -> ParseError:
        return ParseError(message, path=str(self.path), line=line,
                          hint=hint or "see docs/manifest.md for the format")

    def pair_line(self, index: int, key: str | None = None) -> int | None:
        seen = -1
        for i, raw in enumerate(self.lines):
            if re.match(r"\s*\[\[\s*pairs\s*\]\]", raw):
                seen += 1
                if seen == index:
                    return self._key_line(i, key) if key else i + 1
        return None

    def top_line(self, key: str) -> int | None:
        return self._key_line(-1, key)

    def _key_line(self, header: int, key: str) -> int:
        for j in range(header + 1, len(self.lines)):
            if self.lines[j].lstrip().startswith("["):
                break
            if re.match(r"\s*%s\s*=" % re.escape(key), self.lines[j]):
                return j + 1
        return header + 1 if header >= 0 else 1


def doc_id(path: Path, base: Path) -> str:
    """A corpus id for a text file: its path below the manifest's directory (else its name), the
    .txt dropped and every character ids may not hold turned into '-' ("news/a.en.txt" -> "news-a.en")."""
    try:
        rel = path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        rel = path.name
    rel = rel.removesuffix(".txt")
    text = re.sub(r"[^A-Za-z0-9.-]+", "-", rel).strip("-.")
    return text or "document"


def _steps(value: object, meta: _Lines, line: int | None) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise meta.error("'steps' must be a list of step names", line,
                         hint=f"e.g. steps = {json.dumps(list(DEFAULT_STEPS))}")
    unknown = [s for s in value if s not in STEPS]
    if unknown:
        raise meta.error(f"unknown step '{unknown[0]}'", line, hint=f"steps: {', '.join(STEPS)}")
    for needed in ("segment", "align"):
        if needed not in value:
            raise meta.error(f"'steps' must include '{needed}' (the output is each pair's aligned "
                             "PO file)", line)
    return tuple(s for s in STEPS if s in value)


def _language(value: object, what: str, meta: _Lines, line: int | None) -> str:
    if not isinstance(value, str):
        raise meta.error(f"{what} must be a language code string", line)
    try:
        return check_language(value)
    except LanguageError as exc:
        raise meta.error(f"{what}: {exc.message}", line, hint=exc.hint) from None


def _expand(source: str, rendering: str, base: Path, meta: _Lines, line: int | None
            ) -> list[tuple[Path, Path]]:
    """The (source, rendering) files of one entry: two paths, or two patterns with one '*' each,
    the rendering's '*' standing for what the source's matched."""
    stars = (source.count("*"), rendering.count("*"))
    if stars == (0, 0):
        return [(base / source, base / rendering)]
    if stars != (1, 1) or any(c in source + rendering for c in "?["):
        raise meta.error("a glob pair needs exactly one '*' in source and one in rendering "
                         f"(source '{source}', rendering '{rendering}')", line,
                         hint="e.g. source = \"src/*.ru.txt\", rendering = \"ren/*.en.txt\"")
    head, tail = source.split("*")
    pattern = re.compile(re.escape(head) + "(.*)" + re.escape(tail) + r"\Z", re.S)
    found = []
    for name in sorted(glob.glob(glob.escape(str(base)) + "/" + source)):
        rel = Path(name).relative_to(base).as_posix()
        m = pattern.match(rel)
        if m and Path(name).is_file():
            found.append((Path(name), base / rendering.replace("*", m.group(1))))
    if not found:
        raise meta.error(f"source pattern '{source}' matches no file (relative to {base})", line)
    return found


def load_manifest(path: str | Path) -> Manifest:
    """Read and check a manifest; every mistake is a ParseError naming the file and line."""
    from workbench.corpus import read_text

    path = Path(path)
    text = read_text(path)
    meta = _Lines(path, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        raise meta.error(f"invalid TOML: {exc}", int(found.group(1)) if found else None) from None
    for key in data:
        if key not in _TOP_KEYS:
            raise meta.error(f"unknown key '{key}'", meta.top_line(key),
                             hint=f"known keys: {', '.join(sorted(_TOP_KEYS))}")
    output = data.get("output")
    if not isinstance(output, str) or not output.strip():
        raise meta.error("no 'output' (the data directory to write) given", meta.top_line("output"),
                         hint='add e.g. output = "aligned"')
    base = path.parent
    steps = _steps(data.get("steps", list(DEFAULT_STEPS)), meta, meta.top_line("steps"))
    mode = data.get("mode", "auto")
    if mode not in MODES:
        raise meta.error(f"unknown mode '{mode}'", meta.top_line("mode"),
                         hint=f"use one of {', '.join(MODES)}")
    defaults = {k: _language(data[k], k, meta, meta.top_line(k))
                for k in ("source_lang", "rendering_lang") if k in data}
    entries = data.get("pairs")
    if not isinstance(entries, list) or not entries:
        raise meta.error("no [[pairs]] entries", None,
                         hint="add [[pairs]] tables with source and rendering")
    pairs: list[PairSpec] = []
    seen: dict[tuple[str, str], int | None] = {}
    ids: dict[str, Path] = {}
    for i, entry in enumerate(entries):
        line = meta.pair_line(i)
        if not isinstance(entry, dict):
            raise meta.error("'pairs' must be an array of [[pairs]] tables", line)
        for key in entry:
            if key not in _PAIR_KEYS:
                raise meta.error(f"pair {i + 1} has unknown key '{key}'", meta.pair_line(i, key),
                                 hint=f"known keys: {', '.join(sorted(_PAIR_KEYS))}")
        for key in ("source", "rendering"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise meta.error(f"pair {i + 1} has no '{key}' file", line)
        langs = {}
        for key in ("source_lang", "rendering_lang"):
            if key in entry:
                langs[key] = _language(entry[key], f"pair {i + 1}: {key}", meta, meta.pair_line(i, key))
            elif key in defaults:
                langs[key] = defaults[key]
            else:
                raise meta.error(f"pair {i + 1} has no '{key}'", line,
                                 hint=f"give {key} in the entry or at the top of the manifest")
        pair_steps = (_steps(entry["steps"], meta, meta.pair_line(i, "steps"))
                      if "steps" in entry else steps)
        for src, ren in _expand(entry["source"], entry["rendering"], base, meta, line):
            src_id, ren_id = doc_id(src, base), doc_id(ren, base)
            for d_id, d_path in ((src_id, src), (ren_id, ren)):
                other = ids.setdefault(d_id, d_path)
                if other.resolve() != d_path.resolve():
                    raise meta.error(f"pair {i + 1}: files '{other}' and '{d_path}' would both be "
                                     f"document '{d_id}'", line, hint="rename one of them")
            if src_id == ren_id:
                raise meta.error(f"pair {i + 1} compares '{src}' with itself", line)
            if (src_id, ren_id) in seen:
                raise meta.error(f"pair {i + 1} repeats the pair {src} | {ren} (first named on "
                                 f"line {seen[(src_id, ren_id)]})", line)
            seen[(src_id, ren_id)] = line
            pairs.append(PairSpec(src, ren, langs["source_lang"], langs["rendering_lang"],
                                  pair_steps, line or 0, src_id, ren_id))
    return Manifest(path=path, output=base / output, mode=mode, pairs=tuple(pairs))


# --- the task a worker runs ----------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """How the models run on a worker; none of it changes a result. threads: per model and task
    (the parallelism of a run comes from the workers); cache_dir: the worker's translation and
    encoder cache (None: its WORKBENCH_CACHE_DIR or ~/.cache/workbench)."""

    threads: int = 1
    cache_dir: str | None = None


@dataclass(frozen=True)
class Job:
    """What a task needs to produce one pair's PO text: both documents with their texts, the steps,
    the alignment mode, the key to record and the run's date."""

    source: Document
    rendering: Document
    steps: tuple[str, ...]
    mode: str
    key: str
    date: str  # PO header date of the run, "2026-11-30 06:00+0000"


@dataclass(frozen=True)
class Done:
    """A pair's PO text and what went into it."""

    text: str
    source_sentences: int
    rendering_sentences: int
    beads: int
    mode: str
    seconds: float  # time spent in the task itself
    check_errors: int = 0  # findings of severity error, with the step 'check'


@dataclass(frozen=True)
class Failed:
    message: str


_models: dict[tuple, Any] = {}
_models_lock = threading.Lock()


def _model(kind: str, *args: Any, settings: Settings) -> Any:
    """The engine or encoder for `args`, loaded once per process and shared by every task that
    runs there (models are thread-safe; caches are SQLite files safe across processes)."""
    key = (kind, args, settings)
    with _models_lock:
        if key not in _models:
            if kind == "mt":
                from workbench.translate import find_engine

                _models[key] = find_engine(*args, threads=settings.threads,
                                           cache_dir=settings.cache_dir)
            else:
                from workbench.embed import Embedder

                _models[key] = Embedder(num_threads=settings.threads, batch_size=256,
                                        cache_dir=settings.cache_dir)
        return _models[key]


def describe_models(lang_pairs: list[tuple[str, str]], embed: bool, settings: Settings
                    ) -> dict[str, str]:
    """The labels of the models a run uses, as the worker that runs this sees them: "mt ru>en" ->
    "translate-ru_en 1.9" (or "error: ..." when it has none), "encoder" -> the encoder's id. They
    go into each pair's key, so a rerun with another model redoes the pairs."""
    out: dict[str, str] = {}
    for src, tgt in sorted(set(lang_pairs)):
        try:
            out[f"mt {src}>{tgt}"] = _model("mt", src, tgt, settings=settings).label
        except WorkbenchError as exc:
            out[f"mt {src}>{tgt}"] = f"error: {exc}"
    if embed:
        try:
            out["encoder"] = _model("embed", settings=settings).model_id
        except WorkbenchError as exc:
            out["encoder"] = f"error: {exc}"
    return out


def translate_chunk(src_lang: str, tgt_lang: str, sentences: list[str], settings: Settings
                    ) -> list[str]:
    """The translations of one chunk of a long document's source sentences."""
    return _model("mt", src_lang, tgt_lang, settings=settings).translate(sentences)


def embed_chunk(texts: list[str], settings: Settings) -> dict[str, bytes]:
    """The vectors (float32 bytes) of one chunk of a long document's sentences."""
    vectors = _model("embed", settings=settings).embed(texts)
    return {t: vectors[i].astype("<f4").tobytes() for i, t in enumerate(texts)}


def process_pair(job: Job, settings: Settings, mt_chunks: list[list[str]] | None = None,
                 vector_chunks: list[dict[str, bytes]] | None = None) -> Done | Failed:
    """Segment both texts, translate the source and encode both when the steps say so, align, and
    render the pair's PO text (all beads unreviewed). A WorkbenchError becomes a Failed result.
    `mt_chunks` and `vector_chunks` are what chunk tasks computed for a long document: the MT in
    source order, and vectors that go into this worker's encoder cache, where `align` finds them."""
    from workbench import store
    from workbench.align import align
    from workbench.segment import segment

    started = time.perf_counter()
    try:
        src_doc, tgt_doc = job.source, job.rendering
        src = segment(src_doc.text, src_doc.language)
        tgt = segment(tgt_doc.text, tgt_doc.language)
        src_texts, tgt_texts = [s.text for s in src], [s.text for s in tgt]
        mt = mt_model = None
        signals = []
        embedder = None
        if "embed" in job.steps:
            embedder = _model("embed", settings=settings)
            for vectors in vector_chunks or ():
                embedder.cache.put_many(embedder.model_id, vectors)
            signals.append("embed")
        if "translate" in job.steps:
            engine = _model("mt", src_doc.language, tgt_doc.language, settings=settings)
            if mt_chunks is not None:
                mt = [t for chunk in mt_chunks for t in chunk]
                if len(mt) != len(src):
                    return Failed(f"the chunks hold {len(mt)} translations for {len(src)} sentences")
            else:
                mt = engine.translate(src_texts)
            mt_model = engine.label
            signals.append("mt")
        else:
            signals.append("lexical")
        alignment = align(src_texts, tgt_texts, src_lang=src_doc.language,
                          tgt_lang=tgt_doc.language, mt=mt, mode=job.mode,
                          signals=",".join(signals), embedder=embedder)
        pf = store.build_pair_file(src_doc, tgt_doc, src, tgt, alignment, mt=mt, mt_model=mt_model,
                                   checks=False)
        check_errors = _check(pf) if "check" in job.steps else 0
        pf.header["POT-Creation-Date"] = pf.header["PO-Revision-Date"] = job.date
        pf.header[KEY_HEADER] = job.key
        text = store.render(pf)
    except WorkbenchError as exc:
        return Failed(str(exc))
    return Done(text=text, source_sentences=len(src), rendering_sentences=len(tgt),
                beads=len(alignment.beads), mode=alignment.settings["mode"], check_errors=check_errors,
                seconds=time.perf_counter() - started)


def _check(pf: PairFile) -> int:
    """Give every record of `pf` its fidelity findings (as `workbench align` does); returns how
    many have severity error."""
    from workbench import check

    errors = 0
    for i, r in enumerate(pf.records):
        found = check.check_pair(r.source_text, r.rendering_text, src_lang=pf.source_language,
                                 tgt_lang=pf.rendering_language, mt=r.mt)
        errors += sum(1 for f in found if f.severity == "error")
        pf.records[i] = replace(r, checks=tuple(check.format_comment(f) for f in found))
    return errors


# --- the run -------------------------------------------------------------------------------------


@dataclass
class Status:
    """Where a run stands, for the progress display."""

    total: int
    total_bytes: int
    done: int = 0
    skipped: int = 0
    failed: int = 0
    sentences: int = 0
    done_bytes: int = 0  # of the pairs finished, skipped or failed
    skipped_bytes: int = 0  # of the pairs skipped: no measure of the rate
    checked: int = 0  # pairs aligned with the step 'check'
    check_errors: int = 0  # their findings of severity error
    started: float = field(default_factory=time.monotonic)

    @property
    def finished(self) -> int:
        return self.done + self.skipped + self.failed

    def line(self, now: float | None = None) -> str:
        """"12/200 documents (3 skipped, 1 failed), 4,810 sentences, 21.4 sentences/s, ETA 0:03:12"."""
        elapsed = max(1e-9, (now if now is not None else time.monotonic()) - self.started)
        extra = [f"{n} {what}" for n, what in ((self.skipped, "skipped"), (self.failed, "failed"))
                 if n]
        text = f"{self.finished}/{self.total} documents" + (f" ({', '.join(extra)})" if extra else "")
        text += f", {self.sentences:,} sentences, {self.sentences / elapsed:.1f} sentences/s"
        worked = self.done_bytes - self.skipped_bytes
        if worked > 0 and self.finished < self.total:
            left = max(0, self.total_bytes - self.done_bytes) * elapsed / worked
            text += f", ETA {int(left) // 3600}:{int(left) % 3600 // 60:02d}:{int(left) % 60:02d}"
        return text


@dataclass
class Summary:
    status: Status
    failures: list[tuple[str, str]]  # (file, message)
    seconds: float
    dashboard: str | None
    task_seconds: float = 0.0  # time spent inside the tasks that ran

    def lines(self) -> list[str]:
        s = self.status
        out = [f"{s.done} pair{'' if s.done == 1 else 's'} aligned, {s.skipped} already done, "
               f"{s.failed} failed, {s.sentences:,} sentences in {self.seconds:.1f} s"]
        if s.checked:
            out.append(f"fidelity checks: {s.check_errors} error{'' if s.check_errors == 1 else 's'} "
                       f"in {s.checked} pair{'' if s.checked == 1 else 's'} checked "
                       "(`workbench check` lists them)")
        out += [f"failed: {where}: {message}" for where, message in self.failures]
        return out


def run_date() -> str:
    """The PO header date of this run: SOURCE_DATE_EPOCH when set (reproducible output), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    try:
        moment = datetime.fromtimestamp(int(epoch), timezone.utc) if epoch else datetime.now(timezone.utc)
    except ValueError:
        raise InputError(f"SOURCE_DATE_EPOCH is not a number of seconds: {epoch!r}",
                         hint="unset it, or give seconds since 1970") from None
    return moment.strftime("%Y-%m-%d %H:%M+0000")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pair_key(spec: PairSpec, src: bytes, tgt: bytes, mode: str, models: dict[str, str]) -> str:
    """The content hash of everything a pair's PO file depends on (the run's date aside)."""
    used = {k: v for k, v in models.items()
            if (k == "encoder" and "embed" in spec.steps)
            or (k == f"mt {spec.source_lang}>{spec.rendering_lang}" and "translate" in spec.steps)}
    record = {"workbench": __version__, "source": [spec.source_id, spec.source_lang, _sha(src)],
              "rendering": [spec.rendering_id, spec.rendering_lang, _sha(tgt)],
              "steps": list(spec.steps), "mode": mode, "models": used}
    return _sha(json.dumps(record, sort_keys=True, ensure_ascii=False).encode("utf-8"))


_KEY_RE = re.compile(r'^"%s: ([0-9a-f]{64})\\n"$' % KEY_HEADER, re.M)


def recorded_key(path: Path) -> str | None:
    """The X-Batch-Key of a PO file (read from its header only), or None."""
    try:
        with open(path, "rb") as f:
            head = f.read(8192).decode("utf-8", "replace")
    except FileNotFoundError:
        return None
    header = head.split("\n\n", 1)[0]
    m = _KEY_RE.search(header)
    return m.group(1) if m else None


def write_file(path: Path, data: bytes) -> None:
    """Every file a batch run writes goes through the workbench's one atomic writer. The run lays
    out its own data directory, so it makes the directories (the writer itself never does)."""
    from workbench.files import write_atomic

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", path=str(path),
                         hint="check the output directory is writable") from None


def _copy_text(path: Path, data: bytes) -> None:
    try:
        if path.read_bytes() == data:
            return
    except FileNotFoundError:
        pass
    write_file(path, data)


@dataclass(frozen=True)
class _Prepared:
    spec: PairSpec
    job: Job | None  # None: finished already
    texts: tuple[bytes, bytes]


class Run:
    """One batch run of a manifest: reads the inputs, decides what is finished, hands the rest to an
    executor and writes each result into the output data directory as it arrives."""

    def __init__(self, manifest: Manifest, *, settings: Settings | None = None,
                 overwrite: bool = False, progress: Callable[[Status], None] | None = None) -> None:
        self.manifest = manifest
        self.settings = settings or Settings()
        self.overwrite = overwrite
        self.progress = progress
        self.out = manifest.output
        self.date = run_date()
        self.failures: list[tuple[str, str]] = []
        self.finished: set[PairSpec] = set()
        self.task_seconds = 0.0
        sizes = sum(_size(p.source) + _size(p.rendering) for p in manifest.pairs)
        self.status = Status(total=len(manifest.pairs), total_bytes=sizes)

    # preparing

    def prepare(self, spec: PairSpec, models: dict[str, str]) -> _Prepared:
        """Read a pair's texts and decide whether it is finished (raises WorkbenchError for a text
        that cannot be used or a model that is missing)."""
        data = []
        for path in (spec.source, spec.rendering):
            if not path.is_file():
                raise InputError("no such file", path=str(path))
            try:
                data.append(path.read_bytes())
            except OSError as exc:
                raise InputError(f"cannot read file: {exc.strerror}", path=str(path)) from None
        mt = models.get(f"mt {spec.source_lang}>{spec.rendering_lang}", "")
        if "translate" in spec.steps and mt.startswith("error: "):
            raise ModelError(mt.removeprefix("error: "))
        if "embed" in spec.steps and models.get("encoder", "").startswith("error: "):
            raise ModelError(models["encoder"].removeprefix("error: "))
        key = pair_key(spec, data[0], data[1], self.manifest.mode, models)
        po = self.out / "translations" / spec.po
        if recorded_key(po) == key and all((self.out / "corpora" / f"{d}.txt").exists()
                                           for d in (spec.source_id, spec.rendering_id)):
            return _Prepared(spec, None, (data[0], data[1]))
        docs = [Document(id=d_id, language=lang, path=f"corpora/{d_id}.txt",
                         text=decode_text(raw, str(path)))
                for d_id, lang, path, raw in ((spec.source_id, spec.source_lang, spec.source, data[0]),
                                              (spec.rendering_id, spec.rendering_lang,
                                               spec.rendering, data[1]))]
        return _Prepared(spec, Job(docs[0], docs[1], spec.steps, self.manifest.mode, key,
                                   self.date), (data[0], data[1]))

    def chunks(self, job: Job) -> dict[str, list[tuple[Callable, tuple]]]:
        """For a long pair, the chunk tasks whose results `process_pair` takes (none otherwise).
        The chunking depends on the texts alone, so every scheduler computes the same chunks."""
        from workbench.segment import segment

        if len(job.source.text.encode("utf-8")) + len(job.rendering.text.encode("utf-8")) \
                <= LONG_DOCUMENT:
            return {}
        src = [s.text for s in segment(job.source.text, job.source.language)]
        tgt = [s.text for s in segment(job.rendering.text, job.rendering.language)]

        def cut(texts: list[str]) -> list[list[str]]:
            return [texts[i:i + CHUNK_SENTENCES] for i in range(0, len(texts), CHUNK_SENTENCES)]

        deps: dict[str, list[tuple[Callable, tuple]]] = {}
        if "translate" in job.steps:
            deps["mt_chunks"] = [(translate_chunk, (job.source.language, job.rendering.language,
                                                    chunk, self.settings)) for chunk in cut(src)]
        if "embed" in job.steps:
            deps["vector_chunks"] = [(embed_chunk, (chunk, self.settings))
                                     for chunk in cut(src) + cut(tgt)]
        return deps

    # results

    def store(self, prepared: _Prepared, result: Done) -> None:
        """Write the pair's texts, then its PO file: a PO file on disk means its texts are too."""
        from workbench import store

        spec = prepared.spec
        _copy_text(self.out / "corpora" / f"{spec.source_id}.txt", prepared.texts[0])
        _copy_text(self.out / "corpora" / f"{spec.rendering_id}.txt", prepared.texts[1])
        po = self.out / "translations" / spec.po
        if not po.exists():
            write_file(po, result.text.encode("utf-8"))
            return
        # a file of an earlier run with other inputs or settings, perhaps reviewed since
        old = store.load(po)
        reviewed = sum(1 for r in old.records if r.status != "unreviewed" or r.annotations)
        if reviewed and not self.overwrite:
            raise InputError(f"PO file exists with other inputs or settings ({reviewed} beads "
                             "reviewed or annotated)", path=str(po),
                             hint="pass --overwrite to re-align and keep the work on unchanged beads")
        new = store.parse(result.text, str(po))
        carried = {r.key: r for r in old.records}
        new.records = [replace(r, status=carried[r.key].status, annotations=carried[r.key].annotations)
                       if r.key in carried else r for r in new.records]
        store.save(new, po, expected_revision=old.revision)

    def fail(self, spec: PairSpec, message: str) -> None:
        self.status.failed += 1
        self.failures.append((f"{self.manifest.path}:{spec.line} ({spec.source.name} | "
                              f"{spec.rendering.name})", message))

    def account(self, prepared: _Prepared, outcome: Done | Failed | None) -> None:
        spec = prepared.spec
        self.status.done_bytes += len(prepared.texts[0]) + len(prepared.texts[1])
        if outcome is None:
            self.status.skipped += 1
            self.status.skipped_bytes += len(prepared.texts[0]) + len(prepared.texts[1])
            self.finished.add(spec)
        elif isinstance(outcome, Failed):
            self.fail(spec, outcome.message)
        else:
            try:
                self.store(prepared, outcome)
            except WorkbenchError as exc:
                self.fail(spec, str(exc))
            else:
                self.status.done += 1
                self.status.sentences += outcome.source_sentences + outcome.rendering_sentences
                self.task_seconds += outcome.seconds
                if "check" in spec.steps:
                    self.status.checked += 1
                    self.status.check_errors += outcome.check_errors
                self.finished.add(spec)
        if self.progress:
            self.progress(self.status)

    def write_corpus(self) -> None:
        """corpora/corpora.toml listing the finished pairs of the manifest, in manifest order."""
        docs: dict[str, tuple[str, Path]] = {}
        pairs = []
        for spec in self.manifest.pairs:
            if spec in self.finished:
                docs.setdefault(spec.source_id, (spec.source_lang, spec.source))
                docs.setdefault(spec.rendering_id, (spec.rendering_lang, spec.rendering))
                pairs.append(spec)
        lines = [f"{TOML_MARK} from {self.manifest.path.name}; rewritten on every run.", ""]
        for d_id, (lang, path) in docs.items():
            lines += [f"[documents.{_toml(d_id)}]", f"file = {_toml(d_id + '.txt')}",
                      f"language = {_toml(lang)}", f"provenance = {_toml(str(path))}", ""]
        for spec in pairs:
            lines += ["[[pairs]]", f"source = {_toml(spec.source_id)}",
                      f"rendering = {_toml(spec.rendering_id)}", f"po = {_toml(spec.po)}", ""]
        write_file(self.out / "corpora" / "corpora.toml", "\n".join(lines).encode("utf-8"))
        (self.out / "translations").mkdir(parents=True, exist_ok=True)


def check_output(manifest: Manifest) -> None:
    """Refuse an output directory whose corpora.toml a batch run did not write (it is rewritten)."""
    toml = manifest.output / "corpora" / "corpora.toml"
    if toml.exists() and not toml.read_text(encoding="utf-8", errors="replace").startswith(TOML_MARK):
        raise InputError("the output directory holds a corpora.toml not written by a batch run",
                         path=str(toml), hint="give another 'output' in the manifest")


def _toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


# --- executors -----------------------------------------------------------------------------------


class Sequential:
    """Runs every task in this process, one after another: the baseline, and the reference output."""

    dashboard: str | None = None
    describe = "sequential (this process)"

    def call(self, fn: Callable, *args: Any) -> Any:
        return fn(*args)

    def map(self, fn: Callable, items: Iterator[tuple[Any, tuple, dict]]
            ) -> Iterator[tuple[Any, Any]]:
        """fn(*args, **{name: [results of the subtasks]}) for each item, in order."""
        for tag, args, deps in items:
            try:
                kwargs = {name: [f(*a) for f, a in tasks] for name, tasks in deps.items()}
                outcome = fn(*args, **kwargs)
            except WorkbenchError as exc:
                outcome = Failed(str(exc))
            # as on a cluster (DaskExecutor.map), a bug met on one pair is that pair's failure
            except Exception as exc:
                outcome = Failed(f"{type(exc).__name__}: {exc}")
            yield tag, outcome

    def close(self) -> None:
        pass


class DaskExecutor:
    """Tasks on a Dask cluster: a LocalCluster of worker processes, or an existing scheduler.

    Tasks are submitted in a sliding window (a few per worker thread), so the client holds the texts
    of the pairs in flight only; a worker that dies has its tasks rerun elsewhere by the scheduler,
    and a pair whose task keeps killing workers comes back as that pair's failure."""

    def __init__(self, scheduler: str, workers: int | None = None) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise InputError("batch runs on a cluster need dask and distributed",
                             hint="pip install 'dask[distributed]' (make install does this), "
                                  "or use --scheduler sequential") from None
        self.cluster = None
        if scheduler == "local":
            from workbench.translate import cores

            import dask

            n = workers or cores()
            # the statistical profiler samples every task's stack 100 times a second, taking the
            # GIL from the aligner's Python; the dashboard's profile page is not worth that here.
            # Dask's MALLOC_TRIM_THRESHOLD_ for workers fixes glibc's mmap threshold at 128 kB, so
            # the encoder's buffers are mapped and unmapped on every call: tasks ran 1.4x slower.
            with dask.config.set({"distributed.worker.profile.enabled": False,
                                  "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
                self.cluster = LocalCluster(
                    n_workers=n, threads_per_worker=1, processes=True,
                    # without bokeh the address serves no dashboard: any free port
                    dashboard_address=":8787" if _has_bokeh() else ":0")
            self.client = Client(self.cluster)
            self.describe = f"local cluster, {n} worker process{'es' if n > 1 else ''}"
        else:
            try:
                self.client = Client(scheduler, timeout="10s")
            except (OSError, TimeoutError, ValueError) as exc:
                raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {exc}",
                                 hint="start one with `dask scheduler` and workers with "
                                      "`dask worker ADDRESS` (docs/cluster.md)") from None
            self.describe = f"cluster at {scheduler}"
            # a fresh scheduler has no workers yet: wait a little for the first
            try:
                self.client.wait_for_workers(1, timeout=30)
            except TimeoutError:
                self.close()
                raise InputError(f"the Dask scheduler at {scheduler} has no workers",
                                 hint="start workers with `dask worker ADDRESS`") from None
        # the scheduler answers on its dashboard port without bokeh too, but shows nothing there
        self.dashboard = (self.client.dashboard_link
                          if self.client.run_on_scheduler(_has_bokeh) else None)

    def threads(self) -> int:
        return max(1, sum(self.client.nthreads().values()))

    def call(self, fn: Callable, *args: Any) -> Any:
        return self.client.submit(fn, *args, pure=False).result()

    def map(self, fn: Callable, items: Iterator[tuple[Any, tuple, dict]]
            ) -> Iterator[tuple[Any, Any]]:
        """As Sequential.map, in the order tasks finish; subtasks run anywhere on the cluster and
        their results go to the worker that runs fn."""
        from distributed import as_completed

        window = 4 * self.threads()
        pending = as_completed()
        tags: dict[str, Any] = {}

        def submit() -> bool:
            item = next(items, None)
            if item is None:
                return False
            tag, args, deps = item
            kwargs = {name: [self.client.submit(f, *a, pure=False) for f, a in tasks]
                      for name, tasks in deps.items()}
            future = self.client.submit(fn, *args, **kwargs, pure=False)
            tags[future.key] = tag
            pending.add(future)
            return True

        while len(tags) < window and submit():
            pass
        for future in pending:
            tag = tags.pop(future.key)
            try:
                outcome = future.result()
            # a pair must not stop the others, whatever went wrong with its task: a worker that
            # died on it (KilledWorker), a bug, a lost connection; it is reported as that pair's
            # failure, with the error's type
            except Exception as exc:
                outcome = Failed(f"{type(exc).__name__}: {exc}")
            future.release()
            yield tag, outcome
            while len(tags) < window and submit():
                pass

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _has_bokeh() -> bool:
    import importlib.util

    return importlib.util.find_spec("bokeh") is not None


def executor(scheduler: str, workers: int | None = None) -> Sequential | DaskExecutor:
    if scheduler == "sequential":
        return Sequential()
    if scheduler == "local" or re.fullmatch(r"tcp://[^\s/]+:\d+", scheduler):
        return DaskExecutor(scheduler, workers)
    raise InputError(f"unknown scheduler '{scheduler}'", hint=SCHEDULER_HINT)


def run(manifest: Manifest, ex: Sequential | DaskExecutor, *, settings: Settings | None = None,
        overwrite: bool = False, progress: Callable[[Status], None] | None = None) -> Summary:
    """Run every pair of `manifest` on `ex` and write the results; returns the summary (the run
    goes on past failed pairs; a KeyboardInterrupt still writes corpora.toml for what finished)."""
    r = Run(manifest, settings=settings, overwrite=overwrite, progress=progress)
    check_output(manifest)
    started = time.monotonic()
    specs = manifest.pairs
    lang_pairs = [(p.source_lang, p.rendering_lang) for p in specs if "translate" in p.steps]
    models = ex.call(describe_models, lang_pairs, any("embed" in p.steps for p in specs),
                     r.settings) if specs else {}

    def jobs() -> Iterator[tuple[_Prepared, tuple, dict]]:
        for spec in specs:
            try:
                prepared = r.prepare(spec, models)
            except WorkbenchError as exc:
                r.fail(spec, str(exc))
                if progress:
                    progress(r.status)
                continue
            if prepared.job is None:
                r.account(prepared, None)
                continue
            yield prepared, (prepared.job, r.settings), r.chunks(prepared.job)

    try:
        for prepared, outcome in ex.map(process_pair, jobs()):
            r.account(prepared, outcome)
    finally:
        r.write_corpus()
    return Summary(status=r.status, failures=r.failures, seconds=time.monotonic() - started,
                   dashboard=ex.dashboard, task_seconds=r.task_seconds)


__all__ = ["DEFAULT_STEPS", "KEY_HEADER", "Manifest", "PairSpec", "STEPS", "Settings",
           "Status", "Summary", "executor", "load_manifest", "process_pair", "run"]

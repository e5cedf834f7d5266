"""The task a batch worker runs for one document pair, and the chunk tasks of a long pair.

This module owns the per-document task (the project's one preparation path, project.align_documents
and Prepared.pair_file, with the steps' models; then the check step, and the pair's X-Batch-Key in
the header) as one pure function of the texts and settings, the models it uses loaded once per
worker process by a cached loader, and the translation and encoding of a long pair's sentences in
chunks that run anywhere on the cluster before the task that aligns it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from workbench.corpus import Document
from workbench.errors import WorkbenchError

if TYPE_CHECKING:
    from workbench.store import PairFile

#: The PO header field holding the content hash of a pair's inputs and settings.
KEY_HEADER = "X-Batch-Key"


@dataclass(frozen=True)
class Settings:
    """How the models run on a worker; none of it changes a result. threads: per model and task
    (the parallelism of a run comes from the workers); cache_dir: the worker's translation and
    encoder cache (None: its WORKBENCH_CACHE_DIR or ~/.cache/workbench)."""

    threads: int = 1
    cache_dir: str | None = None


@dataclass(frozen=True)
class Job:
    """What a task needs to produce one pair's records: both documents with their texts, the
    steps, the alignment mode, the key to record and the run's time (its clock.now(), taken by the
    client, so that a worker of a remote cluster dates the header as the run does)."""

    source: Document
    rendering: Document
    steps: tuple[str, ...]
    mode: str
    key: str
    time: str  # ISO 8601, "2026-11-30T06:00:00Z"
    calibration: Any = None  # the data directory's workbench.align.calibrate.Calibration


@dataclass(frozen=True)
class Done:
    """A pair's records (not yet written) and what went into them."""

    pair_file: PairFile
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
    """Prepare the pair as every other caller does (project.align_documents: segment, translate
    the source and encode both when the steps say so, align) and build its records (all beads
    unreviewed) with the run's date and key; the run's client writes them. A WorkbenchError
    becomes a Failed result. `mt_chunks` and `vector_chunks` are what chunk tasks computed for a
    long document: the MT in source order, and vectors that go into this worker's encoder cache,
    where the aligner finds them."""
    from workbench.project import align_documents

    started = time.perf_counter()
    try:
        src_doc, tgt_doc = job.source, job.rendering
        engine = embedder = mt = None
        signals = []
        if "embed" in job.steps:
            embedder = _model("embed", settings=settings)
            for vectors in vector_chunks or ():
                embedder.cache.put_many(embedder.model_id, vectors)
            signals.append("embed")
        if "translate" in job.steps:
            engine = _model("mt", src_doc.language, tgt_doc.language, settings=settings)
            if mt_chunks is not None:
                mt = [t for chunk in mt_chunks for t in chunk]
            signals.append("mt")
        else:
            signals.append("lexical")
        prepared = align_documents(src_doc, tgt_doc, engine=engine, mt=mt,
                                   mt_model=engine.label if mt is not None else None,
                                   mode=job.mode, signals=",".join(signals), embedder=embedder,
                                   calibration=job.calibration)
        pf = prepared.pair_file(checks=False, time=job.time)
        check_errors = _check(pf) if "check" in job.steps else 0
        pf.header[KEY_HEADER] = job.key
    except WorkbenchError as exc:
        return Failed(str(exc))
    return Done(pair_file=pf, source_sentences=len(prepared.source_sentences),
                rendering_sentences=len(prepared.rendering_sentences),
                beads=len(prepared.alignment.beads), mode=prepared.alignment.settings["mode"],
                check_errors=check_errors, seconds=time.perf_counter() - started)


def _check(pf: PairFile) -> int:
    """Give every record of `pf` its fidelity findings (as `workbench align` does); returns how
    many have severity error."""
    from workbench import check
    from workbench.store import name_map

    errors = 0
    names = name_map(pf)
    for i, r in enumerate(pf.records):
        found = check.check_pair(r.source_text, r.rendering_text, src_lang=pf.source_language,
                                 tgt_lang=pf.rendering_language, mt=r.mt,
                                 reporting=pf.reporting, names=names)
        errors += sum(1 for f in found if f.severity == "error")
        pf.records[i] = replace(r, checks=tuple(check.format_comment(f) for f in found))
    return errors

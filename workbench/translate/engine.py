"""The translation engine: batched CTranslate2 on installed Argos packages, without Argos's
translate module.

This module owns running a model: how it runs (EngineOptions: device, compute type, threads, beam),
the engines that translate whole batches of already split sentences by calling
`ctranslate2.Translator.translate_batch` on the package's own model directory with the package's
own tokenizer classes (`argostranslate.tokenizer`), treating target prefixes and detokenization
exactly as Argos does, chains of them through a pivot language, and `find_engine`, which builds the
engine for a language pair from packages.find_route. `argostranslate.translate` (which pulls in
stanza and torch, and runs a sentence splitter that downloads its model) is never imported.
Results are cached on disk in SQLite, keyed by package, version, model files, decoding options and
sentence, so an unchanged document costs nothing the second time. Heavy modules (ctranslate2,
sentencepiece) are imported only when a model is loaded.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict, dataclass, replace
from typing import Any, Callable, Iterable, Iterator

from workbench.cache import CACHE_ENV, KeyValueCache, default_cache_dir  # noqa: F401  (re-exported)
from workbench.errors import ModelError, WorkbenchError
from workbench.translate.packages import (
    InstalledPackage, _describe_installed, find_route, install_hint, installed_packages,
)

#: Translations written to the cache (and reported to a progress callback) at a time.
PROGRESS_CHUNK = 256

Progress = Callable[[int, int], None]


# --- options and cache ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EngineOptions:
    """How a model runs. None means "chosen for this machine" (see `resolved`).

    The decoding defaults are Argos's own (beam 4, length penalty 0.2, unknowns replaced), so a
    sentence translates as Argos would translate it; `max_decoding_length` bounds every output
    (a model that never emits </s> stops there) at `decoding_ratio` x the longest input + 16 tokens.
    """

    device: str = "cpu"  # cpu, cuda or auto
    compute_type: str | None = None  # None: int8 where the device supports it
    inter_threads: int | None = None  # parallel translator replicas; None: one per core
    intra_threads: int | None = None  # threads inside one replica; None: 1
    beam_size: int = 4
    length_penalty: float = 0.2
    max_batch_size: int = 32  # examples per ctranslate2 batch
    decoding_ratio: float = 2.0
    max_decoding_length: int = 512

    def resolved(self) -> "EngineOptions":
        """Fill the machine-dependent choices (imports ctranslate2)."""
        import ctranslate2

        device = self.device
        if device not in ("cpu", "cuda", "auto"):
            raise ModelError(f"unknown device '{device}'", hint="use cpu, cuda or auto")
        if device == "auto":
            device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
        if device == "cuda" and ctranslate2.get_cuda_device_count() == 0:
            raise ModelError("device cuda requested but no CUDA device is visible",
                             hint="use --device cpu or auto")
        supported = ctranslate2.get_supported_compute_types(device)
        compute = self.compute_type
        if compute is None:
            preferences = ["int8"] if device == "cpu" else ["int8_float16", "float16"]
            compute = next((c for c in preferences if c in supported), "default")
        elif compute not in supported and compute not in ("default", "auto"):
            raise ModelError(f"compute type '{compute}' is not supported on {device}",
                             hint="supported: " + ", ".join(sorted(supported)))
        inter = self.inter_threads or (cores() if device == "cpu" else 1)
        intra = self.intra_threads or 1
        return replace(self, device=device, compute_type=compute, inter_threads=max(1, inter),
                       intra_threads=max(1, intra))

    def output_key(self) -> dict[str, Any]:
        """The options that can change a translation (threads cannot)."""
        d = asdict(self)
        for k in ("inter_threads", "intra_threads", "max_batch_size"):
            d.pop(k)
        return d


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class TranslationCache(KeyValueCache):
    """Translations on disk, one row per (model key, sentence), safe across processes."""

    def __init__(self, directory: str | os.PathLike) -> None:
        super().__init__(directory, "translations.sqlite3", "translations", "translation", "TEXT",
                         what="translation cache",
                         hint=f"set {CACHE_ENV} to a writable directory, or pass --no-cache")

    def get_many(self, model_key: str, sentences: list[str]) -> dict[str, str]:
        return {s: str(v) for s, v in self.get_rows(model_key, sentences).items()}

    def put_many(self, model_key: str, translations: dict[str, str]) -> None:
        self.put_rows(model_key, translations, replace=True)


# --- engines -------------------------------------------------------------------------------------


class Engine:
    """Translates lists of sentences from `from_code` to `to_code`; `name` and `version` say which
    model did it (for PO records and the MT column)."""

    from_code: str
    to_code: str
    name: str
    version: str
    description: str

    def translate(self, sentences: list[str], progress: Progress | None = None) -> list[str]:
        raise NotImplementedError

    def translate_pieces(self, pieces: Iterable[list[str]], progress: Progress | None = None) -> list[str]:
        """`translate` for sentences that arrive in pieces; engines that cannot start early take
        them all first."""
        return self.translate([s for piece in pieces for s in piece], progress)

    def load_in_background(self) -> None:
        """Start loading the model(s) on another thread, so the caller can read and segment its input
        meanwhile; `translate` waits for it, and reports any error itself. A process that ends
        without translating (all cached, or an error) waits for the load to finish before it
        exits."""

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}"

    @property
    def legs(self) -> int:
        return 1

    def info(self) -> dict[str, str]:
        return {"name": self.name, "version": self.version, "from": self.from_code,
                "to": self.to_code, "description": self.description}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.label} {self.from_code}→{self.to_code}>"


class PackageEngine(Engine):
    """One installed package run by ctranslate2; the model is loaded on the first cache miss."""

    def __init__(self, package: InstalledPackage, options: EngineOptions | None = None,
                 cache: TranslationCache | None = None) -> None:
        self.package = package
        self.from_code, self.to_code = package.from_code, package.to_code
        self.name, self.version, self.description = package.name, package.version, package.description
        self.options = options or EngineOptions()
        self.cache = cache
        self._resolved: EngineOptions | None = None
        self._translator = None
        self._tokenizer = None
        self._lock = threading.Lock()
        self._loader: threading.Thread | None = None

    @property
    def resolved_options(self) -> EngineOptions:
        if self._resolved is None:
            self._resolved = self.options.resolved()
        return self._resolved

    def model_key(self) -> str:
        """What the cache keys on besides the sentence: package, version, model files, options."""
        files = [self.package.path / "model" / "model.bin",
                 self.package.path / ("sentencepiece.model" if self.package.tokenizer == "sentencepiece"
                                      else "bpe.model")]
        # size and modification time: a package rebuilt under the same version and reinstalled
        # (extraction gives its files a new mtime) must not be answered from the old model's rows
        stamps = [(st.st_size, st.st_mtime_ns) for st in (f.stat() for f in files)]
        opts = json.dumps(self.resolved_options.output_key(), sort_keys=True)
        return f"{self.name}|{self.version}|{stamps}|{self.package.target_prefix}|{opts}"

    def load_in_background(self) -> None:
        if self._translator is not None or self._loader is not None:
            return

        def work() -> None:
            try:
                self._load()
            except (WorkbenchError, ImportError, OSError, RuntimeError, ValueError):
                pass  # translate() calls _load again on its own thread and raises the error there

        # ctranslate2 releases the GIL while it reads the model, so this overlaps the caller's work.
        # Not a daemon: the interpreter then waits for a load under way before it finalizes. A
        # daemon thread still inside the Translator constructor when the process exits (every
        # sentence came from the cache, or an input was refused) comes back for the GIL during
        # finalization; Python ends it with pthread_exit, whose unwinding through pybind11's
        # noexcept gil_scoped_release destructor calls std::terminate: SIGABRT, exit status 134,
        # after the output was written.
        self._loader = threading.Thread(target=work, name=f"load {self.name}", daemon=False)
        self._loader.start()

    def _load(self) -> None:
        with self._lock:
            if self._translator is not None:
                return
            import ctranslate2
            from argostranslate.tokenizer import BPETokenizer, SentencePieceTokenizer

            opts = self.resolved_options
            try:
                translator = ctranslate2.Translator(
                    str(self.package.path / "model"), device=opts.device,
                    compute_type=opts.compute_type, inter_threads=opts.inter_threads,
                    intra_threads=opts.intra_threads)
            except (RuntimeError, ValueError) as exc:
                raise ModelError(f"cannot load the model of {self.package.label}: {exc}",
                                 path=str(self.package.path / "model"),
                                 hint=f"reinstall it: {install_hint(self.from_code, self.to_code)}") from None
            if self.package.tokenizer == "sentencepiece":
                tokenizer = SentencePieceTokenizer(self.package.path / "sentencepiece.model")
            else:
                tokenizer = BPETokenizer(self.package.path / "bpe.model", self.from_code, self.to_code)
            self._tokenizer = tokenizer
            self._translator = translator

    def translate(self, sentences: list[str], progress: Progress | None = None) -> list[str]:
        """Translate each sentence, cached, in one batched call. Runs of whitespace (the line breaks
        of wrapped prose) count as one space; a blank sentence gives ""."""
        return self.translate_pieces([sentences], progress)

    def translate_pieces(self, pieces: Iterable[list[str]], progress: Progress | None = None) -> list[str]:
        """`translate` for sentences that arrive in pieces (a document still being segmented): the
        translations of all pieces' sentences, in order. Each piece is looked up in the cache and
        handed to ctranslate2 as soon as it arrives (one asynchronous translate_batch call per
        piece), so the model translates the first piece while the caller produces the next."""
        texts: list[str] = []
        done: dict[str, str] = {}
        seen: set[str] = set()
        key: str | None = None
        jobs: list[Callable[[], Iterator[tuple[str, str]]]] = []
        todo_count = 0
        for piece in pieces:
            normal = [" ".join(s.split()) for s in piece]
            texts.extend(normal)
            new = [t for t in dict.fromkeys(normal) if t and t not in seen]
            seen.update(new)
            if self.cache is not None and new:
                key = key or self.model_key()
                done.update(self.cache.get_many(key, new))
            todo = [t for t in new if t not in done]
            if todo:
                jobs.append(self._submit(todo))
                todo_count += len(todo)
        total, cached = len(seen), len(seen) - todo_count
        if progress:
            progress(cached, total)
        unsaved: dict[str, str] = {}
        n = 0
        for results in jobs:
            for text, translation in results():
                n += 1
                done[text] = unsaved[text] = translation
                # rows reach the cache in pieces while later batches still translate, so an
                # interrupted run keeps what it finished, and what is left to write once the model
                # is done is small
                if len(unsaved) == PROGRESS_CHUNK or n == todo_count:
                    if key is not None:
                        self.cache.put_many(key, unsaved)
                    unsaved = {}
                    if progress:
                        progress(cached + n, total)
        return [done[t] if t else "" for t in texts]

    def _submit(self, texts: list[str]) -> Callable[[], Iterator[tuple[str, str]]]:
        """Tokenize `texts` and start translating them in one asynchronous translate_batch call
        (tokens, target prefix and detokenization as argostranslate.translate treats one sentence);
        returns a function whose iterator gives (text, translation) pairs in the order in which
        ctranslate2 finishes them (longest first), so detokenizing and caching overlap the
        translation of later batches."""
        self._load()
        opts = self.resolved_options
        tokenizer, prefix = self._tokenizer, self.package.target_prefix
        tokenized = [tokenizer.encode(t) for t in texts]
        longest = max(len(t) for t in tokenized)
        pending = self._translator.translate_batch(
            tokenized,
            target_prefix=[[prefix]] * len(tokenized) if prefix else None,
            asynchronous=True,
            replace_unknowns=True,
            max_batch_size=opts.max_batch_size,
            beam_size=opts.beam_size,
            num_hypotheses=1,
            length_penalty=opts.length_penalty,
            max_decoding_length=min(opts.max_decoding_length, int(longest * opts.decoding_ratio) + 16),
        )

        def results() -> Iterator[tuple[str, str]]:
            # ctranslate2 sorts the inputs longest first and hands the batches to its replicas in
            # that order; waiting in the same order means waiting only for what is about to finish
            for i in sorted(range(len(texts)), key=lambda i: len(tokenized[i]), reverse=True):
                value = tokenizer.decode(pending[i].result().hypotheses[0])
                if prefix and value.startswith(prefix):
                    value = value[len(prefix):]
                if value[:1] == " ":
                    value = value[1:]
                yield texts[i], value

        return results


class PivotEngine(Engine):
    """Two or more engines in a chain (ru→en→de): each leg is batched and cached on its own."""

    def __init__(self, engines: list[PackageEngine]) -> None:
        self.engines = engines
        self.from_code, self.to_code = self.engines[0].from_code, self.engines[-1].to_code
        self.name = "+".join(e.name for e in self.engines)
        self.version = "+".join(e.version for e in self.engines)
        self.description = " then ".join(e.description for e in self.engines)

    @property
    def legs(self) -> int:
        return len(self.engines)

    def load_in_background(self) -> None:
        for engine in self.engines:
            engine.load_in_background()

    def translate(self, sentences: list[str], progress: Progress | None = None) -> list[str]:
        n = len(self.engines)
        out = list(sentences)
        for leg, engine in enumerate(self.engines):
            def report(done: int, total: int, leg: int = leg) -> None:
                if progress:
                    progress(leg * total + done, n * total)
            out = engine.translate(out, progress=report if progress else None)
        return out


def find_engine(from_code: str, to_code: str, *, cache_dir: str | os.PathLike | None = None,
                threads: int | None = None, compute_type: str | None = None, device: str = "cpu",
                beam_size: int | None = None, cache: bool = True,
                options: EngineOptions | None = None) -> Engine:
    """The engine for a pair: one installed package, or a chain of them through a pivot language.

    Raises ModelError naming the pair, what is installed and the install command when no chain
    exists. `threads` is the number of parallel translator replicas (one intra thread each, the
    fastest layout for small models); `options` gives full control and wins over the keywords.
    """
    from_code, to_code = from_code.strip().lower(), to_code.strip().lower()
    if from_code == to_code:
        raise ModelError(f"source and target language are the same ({from_code})",
                         hint="choose two different languages")
    packages = installed_packages()
    route = find_route(from_code, to_code, packages)
    if not route:
        raise ModelError(f"no translation model for {from_code} → {to_code} "
                         f"({_describe_installed(packages)})",
                         hint="install one with: " + install_hint(from_code, to_code))
    if options is None:
        options = EngineOptions(device=device, compute_type=compute_type, inter_threads=threads,
                                beam_size=beam_size if beam_size is not None else 4)
    store = TranslationCache(cache_dir if cache_dir is not None else default_cache_dir()) if cache else None
    engines = [PackageEngine(p, options, store) for p in route]
    return engines[0] if len(engines) == 1 else PivotEngine(engines)

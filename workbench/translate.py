"""Offline machine translation with Argos Translate packages, without Argos's translate module.

This module owns the translation models and the engine that runs them: listing, installing and
removing `.argosmodel` packages in the Argos packages directory (`ARGOS_PACKAGES_DIR` honoured, read
at call time), finding a package or a chain of two for a language pair (ru->en->de), and translating
whole batches of already split sentences by calling `ctranslate2.Translator.translate_batch` on the
package's own model directory with the package's own tokenizer classes
(`argostranslate.tokenizer`), treating target prefixes and detokenization exactly as Argos does.
`argostranslate.translate` (which pulls in stanza and torch, and runs a sentence splitter that
downloads its model) is never imported. Results are cached on disk in SQLite, keyed by package,
version, model files, decoding options and sentence, so an unchanged document costs nothing the
second time. Heavy modules (ctranslate2, sentencepiece) are imported only when a model is loaded.
"""

from __future__ import annotations

import json
import os
import threading
from collections import deque
from dataclasses import asdict, dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterable, Iterator

# shutil, tempfile and zipfile (installing and removing packages) are imported where they are used:
# `workbench translate` starts a process per run, and its start-up is part of every run.

from workbench.cache import KeyValueCache
from workbench.errors import InputError, ModelError, WorkbenchError

#: Environment variable naming the directory of the translation cache.
CACHE_ENV = "WORKBENCH_CACHE_DIR"
#: Translations written to the cache (and reported to a progress callback) at a time.
PROGRESS_CHUNK = 256

Progress = Callable[[int, int], None]


# --- packages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InstalledPackage:
    """An installed Argos package, read from its metadata.json (the keys Argos itself reads)."""

    name: str  # argospm name, e.g. "translate-ru_en"
    from_code: str
    to_code: str
    from_name: str
    to_name: str
    version: str
    path: Path
    target_prefix: str
    tokenizer: str  # "sentencepiece" or "bpe"
    description: str

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}"


def packages_dir() -> Path:
    """The Argos packages directory: ARGOS_PACKAGES_DIR (environment, then Argos's settings.json),
    else Argos's default under the XDG data directory. Read on every call, never cached."""
    value = os.environ.get("ARGOS_PACKAGES_DIR")
    if value is not None:  # Argos's own rule: the environment wins over settings.json
        return Path(value)
    from argostranslate import settings  # light: no torch, no stanza; creates Argos's directories

    return Path(settings.get_setting("ARGOS_PACKAGES_DIR", default=settings.data_dir / "packages"))


def _read_package(directory: Path) -> InstalledPackage:
    meta_path = directory / "metadata.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError("package has no metadata.json", path=str(directory),
                         hint="an Argos package holds metadata.json, model/ and a tokenizer; "
                              "remove this directory or reinstall the package") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"unreadable metadata.json: {exc}", path=str(meta_path)) from None
    if not isinstance(meta, dict) or not meta.get("from_code") or not meta.get("to_code"):
        raise ModelError("metadata.json lacks from_code/to_code", path=str(meta_path),
                         hint="only translation packages with one language pair are supported")
    if (directory / "sentencepiece.model").exists():
        tokenizer = "sentencepiece"
    elif (directory / "bpe.model").exists():
        tokenizer = "bpe"
    else:
        raise ModelError("package has neither sentencepiece.model nor bpe.model", path=str(directory))
    if not (directory / "model" / "model.bin").exists():
        raise ModelError("package has no CTranslate2 model (model/model.bin)", path=str(directory))
    kind = meta.get("type", "translate") or "translate"
    from_code, to_code = str(meta["from_code"]), str(meta["to_code"])
    from_name, to_name = str(meta.get("from_name", "")), str(meta.get("to_name", ""))
    description = str(meta.get("description") or "") or _readme_summary(directory) \
        or f"{from_name or from_code} → {to_name or to_code}"
    return InstalledPackage(
        name=f"{kind}-{from_code}_{to_code}", from_code=from_code, to_code=to_code,
        from_name=from_name, to_name=to_name, version=str(meta.get("package_version", "")),
        path=directory, target_prefix=str(meta.get("target_prefix", "") or ""),
        tokenizer=tokenizer, description=description)


def _readme_summary(directory: Path) -> str:
    """The first paragraph of the package's README.md that is not a heading."""
    readme = directory / "README.md"
    if not readme.exists():
        return ""
    text = readme.read_text(encoding="utf-8", errors="replace")
    for block in text.split("\n\n"):
        block = " ".join(line.strip() for line in block.strip().splitlines()
                         if not line.lstrip().startswith("#"))
        if block:
            return block
    return ""


def _version_key(version: str) -> tuple:
    parts = []
    for piece in version.replace("-", ".").split("."):
        parts.append((0, int(piece), "") if piece.isdigit() else (1, 0, piece))
    return tuple(parts)


def installed_packages() -> list[InstalledPackage]:
    """The packages in the Argos packages directory, sorted by pair then newest version first.

    A directory that is not a readable package raises ModelError naming it (Argos itself would
    fail on it too); hidden directories (an install in progress) are skipped.
    """
    root = packages_dir()
    if not root.is_dir():
        return []
    found = [_read_package(p) for p in sorted(root.iterdir())
             if p.is_dir() and not p.name.startswith(".")]
    found.sort(key=lambda p: _version_key(p.version), reverse=True)  # stable: newest first per pair
    found.sort(key=lambda p: (p.from_code, p.to_code))
    return found


def install_hint(from_code: str, to_code: str, command: str = "workbench") -> str:
    """The command that installs a model for the pair (offline from a file; online with argospm);
    `command` is how the user reaches the workbench (a path when it is not on PATH)."""
    name = f"translate-{from_code}_{to_code}"
    return (f"{command} models install PATH/{name}.argosmodel, "
            f"or with network access: argospm update && argospm install {name}")


def _describe_installed(packages: list[InstalledPackage]) -> str:
    if not packages:
        return f"no models are installed in {packages_dir()}"
    return "installed: " + ", ".join(f"{p.from_code}→{p.to_code} ({p.label})" for p in packages)


def install_package(path: str | os.PathLike) -> InstalledPackage:
    """Install a .argosmodel file into the packages directory and return the installed package.

    The archive is checked (one top directory, metadata.json, no path escaping the directory) and
    extracted next to the packages first, then moved into place, so a failed install leaves nothing
    behind. An installed package for the same pair is replaced (an upgrade or a reinstall).
    """
    import shutil
    import tempfile
    import zipfile

    source = Path(path)
    if not source.exists():
        raise InputError("no such file", path=str(source), hint="give the path of a .argosmodel file")
    if source.is_dir() or not zipfile.is_zipfile(source):
        raise ModelError("not an Argos package (a .argosmodel file is a zip archive)", path=str(source))
    dest = packages_dir()
    dest.mkdir(parents=True, exist_ok=True)
    with _packages_lock(dest), zipfile.ZipFile(source) as archive:
        names = archive.namelist()
        tops = {PurePosixPath(n).parts[0] for n in names if PurePosixPath(n).parts}
        if len(tops) != 1:
            raise ModelError(f"archive must hold exactly one top directory, found {len(tops)}",
                             path=str(source))
        top = tops.pop()
        for n in names:
            p = PurePosixPath(n)
            if p.is_absolute() or ".." in p.parts or "\\" in n:
                raise ModelError(f"archive member escapes the package directory: {n!r}", path=str(source))
        if f"{top}/metadata.json" not in names:
            raise ModelError(f"archive has no {top}/metadata.json", path=str(source),
                             hint="is this an Argos translation package?")
        staging = Path(tempfile.mkdtemp(prefix=".install-", dir=dest))
        try:
            archive.extractall(staging)
            package = _read_package(staging / top)
            for old in installed_packages():
                if (old.from_code, old.to_code) == (package.from_code, package.to_code) \
                        or old.path.name == top:
                    shutil.rmtree(old.path)
            os.replace(staging / top, dest / top)
        except OSError as exc:
            raise ModelError(f"cannot install into {dest}: {exc.strerror}", path=str(source)) from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return _read_package(dest / top)


def remove_package(from_code: str, to_code: str) -> InstalledPackage:
    """Remove the installed package(s) for the pair; returns the one removed (the newest)."""
    import shutil

    packages = installed_packages()
    matches = [p for p in packages if (p.from_code, p.to_code) == (from_code, to_code)]
    if not matches:
        raise ModelError(f"no installed package translates {from_code} → {to_code}",
                         hint=_describe_installed(packages))
    with _packages_lock(packages_dir()):
        for p in matches:
            shutil.rmtree(p.path, ignore_errors=True)  # a concurrent remove may have won
    return matches[0]


def _packages_lock(directory: Path):
    """Serialises installs and removals between processes (a file, so Argos's listing skips it)."""
    from filelock import FileLock

    return FileLock(str(directory / ".workbench-packages.lock"), timeout=120)


def find_route(from_code: str, to_code: str,
               packages: list[InstalledPackage] | None = None) -> list[InstalledPackage]:
    """The shortest chain of installed packages from one language to another (newest version of
    each pair; among equally short chains, one that pivots through English first)."""
    packages = installed_packages() if packages is None else packages
    best: dict[tuple[str, str], InstalledPackage] = {}
    for p in packages:  # sorted newest first per pair
        best.setdefault((p.from_code, p.to_code), p)
    edges: dict[str, list[InstalledPackage]] = {}
    for p in best.values():
        edges.setdefault(p.from_code, []).append(p)
    for lst in edges.values():
        lst.sort(key=lambda p: (p.to_code != "en", p.to_code))
    queue: deque[tuple[str, list[InstalledPackage]]] = deque([(from_code, [])])
    seen = {from_code}
    while queue:
        lang, route = queue.popleft()
        for p in edges.get(lang, []):
            if p.to_code == to_code:
                return route + [p]
            if p.to_code not in seen:
                seen.add(p.to_code)
                queue.append((p.to_code, route + [p]))
    return []


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


def default_cache_dir() -> Path:
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "workbench"


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
        meanwhile; `translate` waits for it, and reports any error itself."""

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

        # ctranslate2 releases the GIL while it reads the model, so this overlaps the caller's work
        self._loader = threading.Thread(target=work, name=f"load {self.name}", daemon=True)
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

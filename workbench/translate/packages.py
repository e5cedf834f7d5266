"""Argos Translate packages: the models the workbench translates with.

This module owns the Argos packages directory (`ARGOS_PACKAGES_DIR` honoured, read at call time):
reading an installed package's metadata, listing, installing and removing `.argosmodel` files
(checked, extracted beside the packages and moved into place, under a lock shared between
processes), the install command a missing model's message gives, and the route of one package or a
chain of them for a language pair (ru->en->de). It loads no model: that is engine.py's business.
"""

from __future__ import annotations

import json
import os
from collections import deque
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

# shutil, tempfile and zipfile (installing and removing packages) are imported where they are used:
# `workbench translate` starts a process per run, and its start-up is part of every run.

from workbench.errors import InputError, ModelError


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

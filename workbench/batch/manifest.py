"""The batch manifest: which document pairs a run aligns, in which languages, with which steps.

This module owns reading the manifest (TOML, documented in docs/manifest.md): document pairs or
globs of pairs, their languages and steps, the output directory and the alignment mode, with every
error naming the manifest's file and line; and the document ids a pair's files get in the output.
"""

from __future__ import annotations

import glob
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from workbench.corpus import TomlText, check_language
from workbench.errors import LanguageError

#: Steps a manifest may name, in pipeline order.
STEPS = ("segment", "translate", "embed", "align", "check")
DEFAULT_STEPS = ("segment", "translate", "embed", "align")
MODES = ("auto", "monotone", "partial")


_TOP_KEYS = {"output", "steps", "mode", "source_lang", "rendering_lang", "pairs"}
_PAIR_KEYS = {"source", "rendering", "source_lang", "rendering_lang", "steps"}


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
    #: The steps are the defaults (the manifest names none): as `workbench align` does, the pair
    #: is translated when a model is installed and aligned without MT otherwise.
    default_steps: bool = False

    @property
    def po(self) -> str:
        return f"{self.source_id}__{self.rendering_id}.po"


@dataclass(frozen=True)
class Manifest:
    path: Path
    output: Path
    mode: str
    pairs: tuple[PairSpec, ...]


def doc_id(path: Path, base: Path) -> str:
    """A corpus id for a text file: its path below the manifest's directory (inside), the .txt
    dropped and every character ids may not hold turned into '-' ("news/a.en.txt" -> "news-a.en")."""
    rel = path.resolve().relative_to(base.resolve()).as_posix().removesuffix(".txt")
    text = re.sub(r"[^A-Za-z0-9.-]+", "-", rel).strip("-.")
    return text or "document"


def _steps(value: object, meta: TomlText, line: int | None) -> tuple[str, ...]:
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


def _language(value: object, what: str, meta: TomlText, line: int | None) -> str:
    if not isinstance(value, str):
        raise meta.error(f"{what} must be a language code string", line)
    try:
        return check_language(value)
    except LanguageError as exc:
        raise meta.error(f"{what}: {exc.message}", line, hint=exc.hint) from None


def _inside(path: Path, base: Path, what: str, meta: TomlText, line: int | None) -> Path:
    """`path` when it resolves (links followed, '..' taken) inside the manifest's folder `base`;
    else the manifest is refused at `line`: a run reads and writes nothing outside it."""
    real, root = path.resolve(), base.resolve()
    if real == root or root in real.parents:
        return path
    how = f" (through a link, to {real})" if Path(os.path.normpath(path)).is_relative_to(root) \
        else ""
    raise meta.error(f"{what} is outside the manifest's folder {root}{how}", line,
                     hint="keep the texts and the output in the manifest's folder or below it "
                          "(move the manifest up, or copy the texts in)")


def _no_nul(value: str, what: str, meta: TomlText, line: int | None) -> str:
    if "\0" in value:
        raise meta.error(f"{what} holds a NUL character", line, hint="give the file's real name")
    return value


def _expand(source: str, rendering: str, base: Path, meta: TomlText, line: int | None,
            key_lines: tuple[int | None, int | None]) -> list[tuple[Path, Path]]:
    """The (source, rendering) files of one entry: two paths, or two patterns with one '*' each,
    the rendering's '*' standing for what the source's matched; each inside the manifest's folder
    (else refused at its key's line in `key_lines`)."""
    src_line, ren_line = key_lines
    stars = (source.count("*"), rendering.count("*"))
    if stars == (0, 0):
        return [(_inside(base / source, base, f"source '{source}'", meta, src_line),
                 _inside(base / rendering, base, f"rendering '{rendering}'", meta, ren_line))]
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
            other = rendering.replace("*", m.group(1))
            found.append((_inside(Path(name), base, f"source '{rel}'", meta, src_line),
                          _inside(base / other, base, f"rendering '{other}'", meta, ren_line)))
    if not found:
        raise meta.error(f"source pattern '{source}' matches no file (relative to {base})", line)
    return found


def load_manifest(path: str | Path) -> Manifest:
    """Read and check a manifest; every mistake is a ParseError naming the file and line."""
    from workbench.corpus import read_text

    path = Path(path)
    text = read_text(path)
    meta = TomlText(path, text, hint="see docs/manifest.md for the format")
    data = meta.load()
    for key in data:
        if key not in _TOP_KEYS:
            raise meta.error(f"unknown key '{key}'", meta.key_line(0, key),
                             hint=f"known keys: {', '.join(sorted(_TOP_KEYS))}")
    output = data.get("output")
    if not isinstance(output, str) or not output.strip():
        raise meta.error("no 'output' (the data directory to write) given", meta.key_line(0, "output"),
                         hint='add e.g. output = "aligned"')
    base = path.parent
    out_line = meta.key_line(0, "output")
    out = _inside(base / _no_nul(output, "'output'", meta, out_line), base,
                  f"output '{output}'", meta, out_line)
    steps = _steps(data.get("steps", list(DEFAULT_STEPS)), meta, meta.key_line(0, "steps"))
    mode = data.get("mode", "auto")
    if mode not in MODES:
        raise meta.error(f"unknown mode '{mode}'", meta.key_line(0, "mode"),
                         hint=f"use one of {', '.join(MODES)}")
    defaults = {k: _language(data[k], k, meta, meta.key_line(0, k))
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
            _no_nul(entry[key], f"pair {i + 1}: '{key}'", meta, meta.pair_line(i, key))
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
        key_lines = (meta.pair_line(i, "source"), meta.pair_line(i, "rendering"))
        for src, ren in _expand(entry["source"], entry["rendering"], base, meta, line, key_lines):
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
                                  pair_steps, line or 0, src_id, ren_id,
                                  default_steps="steps" not in entry and "steps" not in data))
    return Manifest(path=path, output=out, mode=mode, pairs=tuple(pairs))

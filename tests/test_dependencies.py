"""pyproject.toml declares exactly what the package imports: every third-party module imported
anywhere under workbench/ (at the top or lazily inside a function) comes from a declared
distribution, and every declared distribution is imported, or listed below with the reason it is
needed all the same."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[1]

# Distributions declared for the running program though no module of the package imports them:
# name -> why. (What argostranslate and Flask need at runtime they declare themselves.)
NEEDED_UNIMPORTED: dict[str, str] = {
    "pymorphy3-dicts-ru": "the Russian dictionary pymorphy3 loads by language code (check/morph.py)",
    "pymorphy3-dicts-uk": "the Ukrainian dictionary pymorphy3 loads by language code",
}


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imports_of(source: str, filename: str = "<source>") -> set[str]:
    """Top-level names of the modules a file imports, lazily inside functions too."""
    found = set()
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def imported_modules() -> dict[str, list[str]]:
    """Third-party modules imported by the package's files -> the files."""
    found: dict[str, list[str]] = {}
    for path in sorted((REPO / "workbench").rglob("*.py")):
        for name in imports_of(path.read_text(encoding="utf-8"), str(path)):
            found.setdefault(name, []).append(str(path.relative_to(REPO)))
    return {name: files for name, files in sorted(found.items())
            if name not in sys.stdlib_module_names and name != "workbench"}


def declared() -> dict[str, Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {normalized(r.name): r for r in map(Requirement, project["dependencies"])}


def provided(requirements: dict[str, Requirement]) -> set[str]:
    """The declared distributions, with those their requested extras bring
    (dask[distributed] -> dask, distributed)."""
    out = set(requirements)
    for name, req in requirements.items():
        for extra in req.extras:
            for line in metadata.requires(name) or ():
                dep = Requirement(line)
                if dep.marker is not None and dep.marker.evaluate({"extra": extra}):
                    out.add(normalized(dep.name))
    return out


def distributions_of(modules: dict[str, list[str]]) -> dict[str, list[str]]:
    """Installed distribution (normalized) providing each imported module -> the modules."""
    owners = metadata.packages_distributions()
    out: dict[str, list[str]] = {}
    for module in modules:
        assert module in owners, f"{module} (imported by {modules[module]}) is not installed"
        for dist in owners[module]:
            out.setdefault(normalized(dist), []).append(module)
    return out


def test_every_imported_distribution_is_declared():
    modules = imported_modules()
    used = distributions_of(modules)
    missing = {dist: [(m, modules[m]) for m in mods] for dist, mods in used.items()
               if dist not in provided(declared())}
    assert missing == {}


def test_every_declared_distribution_is_imported_or_said_why_not():
    used = distributions_of(imported_modules())
    unused = sorted(name for name in declared() if name not in used)
    assert unused == sorted(NEEDED_UNIMPORTED)


def test_the_import_scan_sees_lazy_and_relative_imports_as_they_are():
    source = ("import os.path, numpy as np\nfrom lxml import etree\nfrom . import store\n"
              "def load():\n    import torch.nn\n    from ctranslate2 import Translator\n"
              "class Model:\n    def run(self):\n        import argostranslate.translate\n")
    assert imports_of(source) == {"os", "numpy", "lxml", "torch", "ctranslate2", "argostranslate"}

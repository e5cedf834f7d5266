"""Offline machine translation with Argos Translate packages, in three parts: packages.py (the
installed `.argosmodel` packages: list, install, remove, routes through a pivot language),
engine.py (running a model: batched CTranslate2, options, the on-disk cache) and document.py
(whole documents: segmenting piece by piece, the translation memory first, putting the text back
together). The names below are the ones the rest of the workbench uses; heavy modules
(ctranslate2, sentencepiece) are imported only when a model is loaded.
"""

from __future__ import annotations

from workbench.translate.document import (
    DocumentTranslation, TranslatedDocument, memory_fields, translate_document,
)
from workbench.translate.engine import (
    CACHE_ENV, PROGRESS_CHUNK, Engine, EngineOptions, PackageEngine, PivotEngine, Progress,
    TranslationCache, cores, default_cache_dir, find_engine,
)
from workbench.translate.packages import (
    InstalledPackage, find_route, install_hint, install_package, installed_packages, packages_dir,
    remove_package,
)

__all__ = [
    "CACHE_ENV", "PROGRESS_CHUNK", "DocumentTranslation", "Engine", "EngineOptions",
    "InstalledPackage", "PackageEngine", "PivotEngine", "Progress", "TranslatedDocument",
    "TranslationCache", "cores", "default_cache_dir", "find_engine", "find_route", "install_hint",
    "install_package", "installed_packages", "memory_fields", "packages_dir", "remove_package",
    "translate_document",
]

"""Shared fixtures. Each area keeps its fixtures in its own marked section."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


# --- data directory and web app fixtures ---

@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A fresh copy of the bundled corpus (corpora/ only: translations/ starts empty)."""
    root = tmp_path / "data"
    shutil.copytree(REPO / "corpora", root / "corpora")
    (root / "translations").mkdir()
    return root


@pytest.fixture
def app(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # No model installed: an empty Argos packages directory of the test's own.
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "argos-packages"))
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path / "cache"))
    from workbench.web import create_app

    return create_app({"TESTING": True, "DATA_DIR": str(data_dir)})


@pytest.fixture
def client(app):
    return app.test_client()

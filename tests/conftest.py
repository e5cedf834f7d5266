"""Shared fixtures. Each area keeps its fixtures in its own marked section. What the fixtures build
their cases from (pair files, data directories, a server process) is in tests/factories.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from factories import CHROMIUM, CHROMIUM_ARGS, Runner

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


# --- the cache directory and the sentence encoder's vectors ---

@pytest.fixture(scope="session", autouse=True)
def temporary_cache(tmp_path_factory: pytest.TempPathFactory):
    """A cache directory of the run's own (subprocesses inherit it) for every test that sets none
    itself, so that a test run leaves nothing in the user's ~/.cache/workbench (the memory's
    index, translations, a server's state)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WORKBENCH_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture(scope="session", autouse=True)
def shared_embedding_cache(tmp_path_factory: pytest.TempPathFactory):
    """One cache of sentence vectors for the whole run (subprocesses inherit it): a vector depends
    only on the model and the text, and comes back from the cache bit for bit, so sharing it
    changes no result, and spares every test that prepares a pair (each with a cache directory of
    its own) encoding the same sentences again and, in a server or CLI subprocess, loading the
    model at all. Tests of the cache itself pass their own directory."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WORKBENCH_EMBED_CACHE_DIR", str(tmp_path_factory.mktemp("embeddings")))
        yield


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


@pytest.fixture
def make_client(argos_dir: Path):
    """A factory: make_client(data_dir, **config) is a test client of the app over that data
    directory (no model installed), holding its session's CSRF token as `.csrf`."""
    from workbench.web import create_app

    def make(root: Path, **config):
        client = create_app({"TESTING": True, "DATA_DIR": str(root), **config}).test_client()
        client.csrf = client.get("/api/session").get_json()["csrf_token"]
        return client

    return make


# --- a disk that is full ---

@pytest.fixture
def small_disk(tmp_path: Path):
    """A directory on a real file system of 512 KiB (a tmpfs, mounted where the test may: as
    root), or None where none can be mounted: the test then makes the writer's fsync raise ENOSPC,
    what a full disk answers to a write whose blocks were not allocated yet."""
    import subprocess

    mount = tmp_path / "small-disk"
    mount.mkdir()
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k,mode=0755", "tmpfs",
                               str(mount)], capture_output=True, timeout=30)
    except OSError:
        done = None
    if done is None or done.returncode != 0:
        yield None
        return
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True, timeout=30)


# --- the command line ---

@pytest.fixture
def runner() -> Runner:
    """The command line run in-process, as the user types it."""
    return Runner()


# --- translation model fixtures ---
# The tiny real packages built by scripts/build_test_model.py: ru->en transliterates Cyrillic
# ('Юрий Гагарин' -> 'Yuriy Gagarin'); en->de (same weights, target prefix <upper>) writes capitals.

RU_EN_PACKAGE = REPO / "tests" / "fixtures" / "translate-ru_en-test.argosmodel"
EN_DE_PACKAGE = REPO / "tests" / "fixtures" / "translate-en_de-test.argosmodel"


@pytest.fixture
def argos_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty Argos packages directory and translation cache of the test's own (same paths as
    the `app` fixture uses, so the two combine)."""
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "argos-packages"))
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "argos-packages"


@pytest.fixture
def ru_en_model(argos_dir: Path):
    """The ru->en test package installed through the real install path."""
    from workbench.translate import install_package

    return install_package(RU_EN_PACKAGE)


@pytest.fixture
def ru_en_de_models(ru_en_model):
    """Both test packages installed, so ru->de exists only by pivoting through en."""
    from workbench.translate import install_package

    return ru_en_model, install_package(EN_DE_PACKAGE)


# --- the browser tests: Debian's Chromium driven by Playwright ---

@pytest.fixture(scope="module")
def browser():
    """One Chromium for a test module; each test gets a context of its own (fresh localStorage)."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: make test installs it"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A page that fails its test on a script error or a Content-Security-Policy violation
    (`page.js_errors`; `window.__csp` lists the violations); answers of 400 or more are kept in
    `page.bad_responses` for the tests that check them."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script("window.__csp = []; document.addEventListener("
                            "'securitypolicyviolation', e => window.__csp.push("
                            "e.violatedDirective + ' ' + e.blockedURI));")
    pg = context.new_page()
    errors: list[str] = []
    bad: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda msg: errors.append(msg.text)
          if msg.type == "error" and "Content Security Policy" in msg.text else None)
    pg.on("response", lambda r: bad.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    pg.js_errors = errors
    pg.bad_responses = bad
    yield pg
    context.close()
    assert errors == []

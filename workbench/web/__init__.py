"""The web view: a Flask app factory over the domain core.

`create_app(test_config)` sets defaults (DATA_DIR = current directory), then applies the mapping it
is given. Pages live in the `pages` blueprint, the JSON API in `api`, new comparisons, renaming and
the trash in `comparisons`; all only call the domain modules. WorkbenchError is turned into an
HTTP answer in one place (`errors.register`); the host, access token, origin and CSRF checks and
the security headers are applied to every request in one place (`security.register`), then the
read-only refusal (`readonly.register`) and the size limits (`limits.register`).
Templates and static files are package data, so an installed wheel serves the same pages.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, Mapping

from flask import Flask


def _templates() -> Path:
    """The Jinja templates: package data (workbench/templates) in an installed wheel; in a
    checkout, the top-level templates/ that pyproject.toml maps there."""
    packaged = Path(str(resources.files("workbench") / "templates"))
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "templates"


TEMPLATES = _templates()


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(TEMPLATES), static_folder="static")
    app.config.from_mapping(
        DATA_DIR=str(Path.cwd()),
        SECRET_KEY=None,
        AUTH_TOKEN=None,
        ALLOWED_HOSTS=(),
        JSON_SORT_KEYS=False,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        # how long an uploaded PDF may take to read (its parser runs in a child process)
        PDF_SECONDS=30.0,
    )
    if test_config is not None:
        app.config.from_mapping(test_config)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _secret_key(Path(app.config["DATA_DIR"]))

    from workbench.jobs import Jobs
    from workbench.project import Project
    from workbench.web import api, comparisons, errors, limits, pages, readonly, security, sources

    project = Project(Path(app.config["DATA_DIR"]))
    app.extensions["workbench"] = project
    app.extensions["workbench-jobs"] = Jobs(project.prepare)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(comparisons.bp)
    sources.register(app)
    errors.register(app)
    security.register(app)
    readonly.register(app)
    limits.register(app)
    return app


def _secret_key(data_dir: Path) -> str:
    """The data directory's session secret, so that pages left open across a server restart can
    still save. It is derived data, kept in the cache directory (`sessions/`, one file per data
    directory, mode 0600), never in the data directory, which may be read-only; a fresh one in
    memory when the cache directory cannot be written either."""
    import hashlib
    import os
    import secrets

    from workbench.cache import default_cache_dir

    name = hashlib.sha256(str(data_dir.resolve()).encode("utf-8")).hexdigest()[:32]
    path = default_cache_dir() / "sessions" / f"{name}.secret"
    for _ in range(2):
        try:
            key = path.read_text(encoding="ascii").strip()
            if len(key) >= 32:
                return key
        except (OSError, UnicodeError):
            pass
        key = secrets.token_hex(32)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue  # another server made it meanwhile: read theirs
        except OSError:
            break  # no writable cache directory: sessions last as long as the process
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(key + "\n")
        return key
    return secrets.token_hex(32)

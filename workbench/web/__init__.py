"""The web view: a Flask app factory over the domain core.

`create_app(test_config)` sets defaults (DATA_DIR = current directory), then applies the mapping it
is given. Pages live in the `pages` blueprint, the JSON API in `api`; both only call the domain
modules. WorkbenchError is turned into an HTTP answer in one place (`errors.register`); the host,
access token, origin and CSRF checks and the security headers are applied to every request in one
place (`security.register`), and the size limits next (`limits.register`).
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
    )
    if test_config is not None:
        app.config.from_mapping(test_config)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _secret_key(Path(app.config["DATA_DIR"]))

    from workbench.web import api, errors, limits, pages, security, sources
    from workbench.project import Project

    app.extensions["workbench"] = Project(Path(app.config["DATA_DIR"]))
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    sources.register(app)
    errors.register(app)
    security.register(app)
    limits.register(app)
    return app


def _secret_key(data_dir: Path) -> str:
    """The data directory's session secret, kept in translations/.workbench-secret (mode 0600) so
    that pages left open across a server restart can still save; a fresh one if it cannot be kept."""
    import os
    import secrets

    path = data_dir / "translations" / ".workbench-secret"
    try:
        key = path.read_text(encoding="ascii").strip()
        if len(key) >= 32:
            return key
    except (OSError, UnicodeError):
        pass
    key = secrets.token_hex(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(key + "\n")
    except OSError:
        pass  # a read-only data directory: sessions then last as long as the process
    return key

"""Read-only data directories: a directory the server cannot write (a read-only mount, missing
permissions) or one served with `--read-only` is shown with a notice on every page, and every
change is answered 403 with the reason (ReadOnlyError), before any handler runs."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, request

from workbench import files
from workbench.errors import ReadOnlyError
from workbench.web.security import SAFE_METHODS


def reason() -> str | None:
    """Why the app's data directory is read-only now, or None: the configured reason
    (READ_ONLY), else what the file system says (checked on each call: a mount can change)."""
    return current_app.config.get("READ_ONLY") or files.unwritable(
        Path(current_app.config["DATA_DIR"]))


def register(app: Flask) -> None:
    app.config.setdefault("READ_ONLY", None)
    app.jinja_env.globals["read_only_reason"] = reason

    @app.before_request
    def refuse_changes():
        if request.method in SAFE_METHODS:
            return None
        why = reason()
        if why:
            raise ReadOnlyError(f"the data directory is open read-only: {why}", hint=(
                "nothing was changed; to work on these pairs, serve a writable copy "
                "(cp -r DATA COPY; workbench serve --data COPY)"))
        return None

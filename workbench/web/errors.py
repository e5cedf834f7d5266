"""WorkbenchError -> HTTP answer, in one place: JSON for /api/..., a short page otherwise.

A conflict (409: a bead the client's view showed was changed meanwhile) carries the current state
of the pair - its revision, counts, the author's history and the beads the request named - so that
the client can show it at once.
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request

from workbench.errors import ConflictError, WorkbenchError


def _current_state() -> dict | None:
    from workbench.web import views
    from workbench.web.state import workspace

    args = request.view_args or {}
    if "pair_id" not in args:
        return None
    body = request.get_json(silent=True) if request.is_json else None
    body = body if isinstance(body, dict) else {}
    author = body.get("author") if isinstance(body.get("author"), str) else ""
    keys = [args["key"]] if "key" in args else []
    if isinstance(body.get("beads"), dict):
        keys += [k for k in body["beads"] if isinstance(k, str) and k not in keys]
    try:
        return views.bead_state(workspace(), args["pair_id"], keys, author)
    except WorkbenchError:
        return None


def register(app: Flask) -> None:
    @app.errorhandler(WorkbenchError)
    def handle(exc: WorkbenchError):
        body = {"error": type(exc).__name__, "message": str(exc)}
        if isinstance(exc, ConflictError):
            body["current_revision"] = exc.current_revision
            body["current"] = _current_state()
        if request.path.startswith("/api/"):
            return jsonify(body), exc.http_status
        return render_template("error.html", error=body), exc.http_status

"""WorkbenchError -> HTTP answer, in one place: JSON for /api/..., a short page otherwise.

A conflict (409: the client's revision is stale) carries the current state of the pair - its
revision, counts, history and the bead the request named - so that the client can show it at once.
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
    try:
        return views.bead_state(workspace(), args["pair_id"], [args["key"]] if "key" in args else [])
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

"""WorkbenchError -> HTTP answer, in one place: JSON for /api/..., a short page otherwise."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request

from workbench.errors import ConflictError, WorkbenchError


def register(app: Flask) -> None:
    @app.errorhandler(WorkbenchError)
    def handle(exc: WorkbenchError):
        body = {"error": type(exc).__name__, "message": str(exc)}
        if isinstance(exc, ConflictError):
            body["current_revision"] = exc.current_revision
        if request.path.startswith("/api/"):
            return jsonify(body), exc.http_status
        return render_template("error.html", error=body), exc.http_status

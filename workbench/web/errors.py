"""WorkbenchError -> HTTP answer, in one place: JSON for /api/..., a short page otherwise (with a
link back to the pair or source it was about, else to the list of pairs).

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


#: The heading of an error page, by HTTP status.
_TITLES = {409: "Nothing was changed", 404: "Not found", 403: "Not allowed"}


def _way_back() -> tuple[str, str]:
    """Where an error page leads back to: the pair (or source) the request was about, when it
    exists, else the list of pairs."""
    from flask import url_for

    from workbench.web.state import workspace

    args = request.view_args or {}
    try:
        if "pair_id" in args:
            workspace().pair(args["pair_id"])
            return url_for("pages.pair", pair_id=args["pair_id"]), f"Back to {args['pair_id']}"
        if "source_id" in args:
            workspace().corpus.renderings(args["source_id"])
            return (url_for("sources.source", source_id=args["source_id"]),
                    f"Back to {args['source_id']}")
    except WorkbenchError:
        pass
    return url_for("pages.index"), "Back to the list of pairs"


def register(app: Flask) -> None:
    @app.errorhandler(WorkbenchError)
    def handle(exc: WorkbenchError):
        body = {"error": type(exc).__name__, "message": str(exc)}
        if isinstance(exc, ConflictError):
            body["current_revision"] = exc.current_revision
            body["current"] = _current_state()
        if request.path.startswith("/api/"):
            return jsonify(body), exc.http_status
        href, label = _way_back()
        return render_template("error.html", error=body, back={"href": href, "label": label},
                               title=_TITLES.get(exc.http_status, "Something is wrong")
                               ), exc.http_status

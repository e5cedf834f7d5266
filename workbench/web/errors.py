"""WorkbenchError -> HTTP answer, in one place: JSON for /api/..., a short page otherwise (with a
link back to the pair or source it was about, else to the list of pairs).

Messages name files relative to the data directory (and the cache directory by that name), never
by the server's absolute paths. A conflict (409) carries the current state of the pair - its
revision, counts, the author's history and the beads the request named - so that the client can
show it at once.
"""

from __future__ import annotations

import os

from flask import Flask, current_app, jsonify, render_template, request

from workbench.errors import ConflictError, WorkbenchError
from workbench.files import NO_ROOM, write_error


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


#: How a message names the data directory itself; files in it are named relative to it.
DATA = "the data directory"


def _roots() -> list[tuple[str, str]]:
    """(absolute directory, how a message names it), longest first."""
    from workbench.cache import default_cache_dir

    data = current_app.config["DATA_DIR"]
    out = {}
    for root, name in ((str(default_cache_dir()), "the cache directory"), (data, DATA),
                       (os.path.realpath(data), DATA)):
        out[root.rstrip(os.sep) or os.sep] = name
    return sorted(out.items(), key=lambda item: -len(item[0]))


def message(exc: WorkbenchError) -> str:
    """The error's one line as a client sees it: paths relative to the data directory."""
    from workbench.wording import in_directory

    text = str(exc)
    for root, name in _roots():
        if root == os.sep:
            continue
        if name == DATA:
            text = in_directory(text, root)
        text = text.replace(root + os.sep, "" if name == DATA else name + "/")
        text = text.replace(root, name)
    return text


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
        body = {"error": type(exc).__name__, "message": message(exc)}
        if isinstance(exc, ConflictError):
            body["current_revision"] = exc.current_revision
            body["current"] = _current_state()
        if request.path.startswith("/api/"):
            return jsonify(body), exc.http_status
        href, label = _way_back()
        return render_template("error.html", error=body, back={"href": href, "label": label},
                               title=_TITLES.get(exc.http_status, "Something is wrong")
                               ), exc.http_status

    @app.errorhandler(OSError)
    def no_room(exc: OSError):
        # A full disk wherever a write met it is a 507 with its one line, like a StorageError;
        # any other OSError is a fault of the workbench (500, logged with its traceback).
        if exc.errno in NO_ROOM:
            return handle(write_error(exc, exc.filename or "a file of the data directory"))
        raise exc

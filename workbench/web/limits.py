"""Size limits on what a request may carry, checked before any handler reads it.

A request body may hold at most MAX_CONTENT_LENGTH bytes (1 MiB), an upload of a translator's file
(UPLOAD_ENDPOINTS) at most MAX_UPLOAD_BYTES (20 MiB); an annotation's text at most
MAX_ANNOTATION_CHARS characters (10,000) and an author name at most MAX_AUTHOR_CHARS (200). Longer
ones are answered 413 with a JSON message (TooLargeError) and nothing is written. The API reads
every body as JSON, so a body that does not say it is JSON is refused with 415 before anything
reads it: the limits hold whatever the Content-Type. They keep a pasted document out of the PO
file and its history, where every later request would pay for it.
"""

from __future__ import annotations

from typing import Callable

from flask import Flask, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from workbench.errors import TooLargeError, UnsupportedMediaError
from workbench.web.security import SAFE_METHODS

MAX_CONTENT_LENGTH = 1024 * 1024
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
#: The routes that take a file: their bodies may be as large as MAX_UPLOAD_BYTES.
UPLOAD_ENDPOINTS = {"comparisons.upload"}
MAX_ANNOTATION_CHARS = 10_000
MAX_AUTHOR_CHARS = 200


def _body_too_large(limit: int) -> TooLargeError:
    if request.endpoint in UPLOAD_ENDPOINTS:
        return TooLargeError(f"the file is larger than the workbench takes ({limit:,} bytes)",
                             hint="split it into parts, or add it with `workbench add`, which "
                                  "takes files up to 50 MB")
    return TooLargeError(f"the request body is larger than the workbench takes ({limit:,} bytes)",
                         hint="send less at a time; an annotation holds at most "
                              f"{MAX_ANNOTATION_CHARS:,} characters")


def _check_field(data: dict, name: str, limit: int, what: str) -> None:
    value = data.get(name)
    if isinstance(value, str) and len(value) > limit:
        raise TooLargeError(f"{what} is {len(value):,} characters long; the workbench keeps at "
                            f"most {limit:,}", hint=f"shorten the '{name}' field")


def takes_forms(view: Callable) -> Callable:
    """Mark an API route that reads a form or an upload rather than JSON (it checks its own
    fields): the JSON-only rule below lets its bodies through."""
    view.takes_forms = True  # type: ignore[attr-defined]
    return view


def _takes_forms() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "takes_forms", False))


def _has_body() -> bool:
    return bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding",
                                                                             "").lower()


def register(app: Flask) -> None:
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's own default is None: no limit
        app.config["MAX_CONTENT_LENGTH"] = MAX_CONTENT_LENGTH
    app.config.setdefault("MAX_UPLOAD_BYTES", MAX_UPLOAD_BYTES)

    def limit_of() -> int:
        if request.endpoint in UPLOAD_ENDPOINTS:
            return app.config["MAX_UPLOAD_BYTES"]
        return app.config["MAX_CONTENT_LENGTH"]

    @app.before_request
    def check_sizes():
        limit = limit_of()
        if request.endpoint in UPLOAD_ENDPOINTS:
            # Flask reads no more than this of the body (a chunked one has no Content-Length);
            # pasted text comes as a form field, which may be as long as a file.
            request.max_content_length = request.max_form_memory_size = limit
        if request.content_length is not None and limit and request.content_length > limit:
            raise _body_too_large(limit)
        if (request.method in SAFE_METHODS or not request.path.startswith("/api/")
                or _takes_forms()):
            return None  # pages take forms; their fields are few and the body limit holds
        if not request.is_json:
            if not _has_body():
                return None  # an action without a body: the API reads it as {}
            # Every body of the API is read as JSON whatever it says it is; what is not declared
            # JSON is refused, so that the field limits below always apply.
            sent = (f"is {request.mimetype}, not JSON" if request.mimetype
                    else "has no Content-Type; the API reads JSON only")
            raise UnsupportedMediaError(f"the request body {sent}",
                                        hint="send a JSON object with 'Content-Type: "
                                             "application/json'")
        # Parsed once here (a chunked body too, up to the limit); the API's handlers get the
        # cached bytes.
        data = request.get_json(silent=True)
        if isinstance(data, dict):
            if request.endpoint == "api.annotate":
                _check_field(data, "text", MAX_ANNOTATION_CHARS, "the annotation")
            elif request.endpoint == "api.dismiss_check":  # the reason becomes a note
                _check_field(data, "reason", MAX_ANNOTATION_CHARS, "the reason")
            _check_field(data, "author", MAX_AUTHOR_CHARS, "the author name")
        return None

    @app.errorhandler(RequestEntityTooLarge)
    def body_too_large(exc: RequestEntityTooLarge):
        # A chunked body has no Content-Length: Werkzeug stops reading it at the limit.
        return app.handle_user_exception(_body_too_large(limit_of()))

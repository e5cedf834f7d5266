"""Access token and CSRF checks, applied to every request in one place.

Access token (app config AUTH_TOKEN, set by `workbench serve --token`): when configured, every
request, static files included, must carry it, as `Authorization: Bearer TOKEN`, or as the
`workbench_token` cookie that a first visit to any page with `?token=TOKEN` sets (the page is then
reloaded without the token in its address). Anything else is answered 401.

CSRF: every state-changing request (POST, PUT, PATCH, DELETE) must carry the session's CSRF token
in the `X-CSRF-Token` header (or a `csrf_token` form field). The token lives in the signed session
cookie (SameSite=Lax); pages carry it in `<meta name="csrf-token">` and `GET /api/session` returns
it. A missing or wrong token is answered 403.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlencode

from flask import Flask, jsonify, redirect, render_template, request, session

TOKEN_COOKIE = "workbench_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def _same(a: str | None, b: str) -> bool:
    return bool(a) and hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def _refuse(status: int, error: str, message: str):
    body = {"error": error, "message": message}
    if request.path.startswith("/api/"):
        return jsonify(body), status
    return render_template("error.html", error=body), status


def register(app: Flask) -> None:
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.jinja_env.globals["csrf_token"] = csrf_token

    @app.before_request
    def check_access():
        token = app.config.get("AUTH_TOKEN")
        if token:
            auth = request.headers.get("Authorization", "")
            bearer = auth[7:] if auth.startswith("Bearer ") else None
            given = request.args.get("token")
            if request.method == "GET" and _same(given, token):
                # Set the cookie and drop the token from the address bar and the history.
                rest = {k: v for k, v in request.args.items() if k != "token"}
                resp = redirect(request.path + ("?" + urlencode(rest) if rest else ""))
                resp.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="Strict")
                return resp
            if not (_same(bearer, token) or _same(request.cookies.get(TOKEN_COOKIE), token)):
                return _refuse(401, "Unauthorized", "this workbench needs its access token: open "
                               "the address with ?token=TOKEN once, or send 'Authorization: "
                               "Bearer TOKEN'")
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER) or request.form.get("csrf_token")
            expected = session.get("csrf")
            if not expected or not _same(sent, expected):
                return _refuse(403, "CSRFError", "missing or wrong CSRF token: reload the page "
                               "(API clients: GET /api/session, then send its csrf_token in the "
                               "X-CSRF-Token header with the session cookie)")
        return None

"""Host, access token, origin and CSRF checks, and the security headers, for every request in one
place.

Host allow-list (app config ALLOWED_HOSTS, extended by `workbench serve --allow-host NAME`): the
`Host` header must name 127.0.0.1, localhost, [::1] or an allowed name (any port), else 400. A
page served under another name - a DNS-rebinding page, say - thus gets neither a page, nor a
session, nor a CSRF token.

Access token (app config AUTH_TOKEN, set by `workbench serve --token`): when configured, every
request, static files included, must carry it, as `Authorization: Bearer TOKEN` (the scheme in any
case), or as the `workbench_token` cookie that a first visit to any page with `?token=TOKEN` sets
(the page is then reloaded without the token in its address). Anything else is answered 401.

Origin: a state-changing request (POST, PUT, PATCH, DELETE) whose `Origin` header (or `Referer`,
when there is no Origin) names a host outside the allow-list is answered 403. Clients that send
neither (curl, scripts) still need the CSRF token.

CSRF: every state-changing request must carry the session's CSRF token in the `X-CSRF-Token`
header (or a `csrf_token` form field). The token lives in the signed session cookie
(SameSite=Lax); pages carry it in `<meta name="csrf-token">` and `GET /api/session` returns it. A
missing or wrong token is answered 403.

Every answer carries a Content-Security-Policy that allows scripts, styles and connections from
the workbench itself only (no inline script or style, no framing), nosniff, X-Frame-Options DENY
and Referrer-Policy same-origin.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable
from urllib.parse import urlencode, urlsplit

from flask import Flask, Response, jsonify, redirect, render_template, request, session

TOKEN_COOKIE = "workbench_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'",
    "connect-src 'self'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'"])
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


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


def normalize_host(name: str) -> str:
    """A host name as the allow-list compares it: lower case, no brackets, no trailing dot."""
    name = name.strip().lower()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    return name.rstrip(".")


def host_name(netloc: str) -> str | None:
    """The host part of 'name', 'name:port', '[v6]' or '[v6]:port'; None when it is malformed."""
    if netloc.startswith("["):
        end = netloc.find("]")
        if end < 0:
            return None
        name, rest = netloc[:end + 1], netloc[end + 1:]
    else:
        name, _, port = netloc.partition(":")
        rest = ":" + port if _ else ""
    if rest and not (rest.startswith(":") and rest[1:].isdigit()):
        return None
    return normalize_host(name) or None


def allowed_hosts(extra: Iterable[str]) -> frozenset[str]:
    """The loopback names and the extra ones, normalized; a port given with a name is dropped."""
    names = set(LOOPBACK_HOSTS)
    for h in filter(str.strip, extra):
        names.add((host_name(h.strip()) if h.count(":") == 1 or h.startswith("[") else None)
                  or normalize_host(h))
    return frozenset(names)


def display(hosts: Iterable[str]) -> str:
    return ", ".join(f"[{h}]" if ":" in h else h for h in sorted(hosts))


def _bearer(header: str) -> str | None:
    scheme, _, value = header.strip().partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def _foreign_origin(hosts: frozenset[str]) -> str | None:
    """The Origin (or, without one, the Referer) of this request when it names a host outside the
    allow-list; None when it names an allowed one or when the request has neither."""
    sent = request.headers.get("Origin") or request.headers.get("Referer")
    if sent is None:
        return None
    parts = urlsplit(sent)
    name = host_name(parts.netloc) if parts.scheme in ("http", "https") else None
    return None if name in hosts else sent


def register(app: Flask) -> None:
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("ALLOWED_HOSTS", ())
    app.jinja_env.globals["csrf_token"] = csrf_token
    hosts = allowed_hosts(app.config["ALLOWED_HOSTS"])

    @app.before_request
    def check_host():
        sent = request.headers.get("Host") or request.host  # HTTP/1.0: the address bound
        if host_name(sent) not in hosts:
            # No page and no session for a name the workbench was not started under: the page
            # template would hand out a CSRF token.
            message = (f"this workbench answers to {display(hosts)} only, not to the host name "
                       f"'{sent}': open it by one of those names, or start it with "
                       "--allow-host NAME")
            if request.path.startswith("/api/"):
                return jsonify({"error": "HostError", "message": message}), 400
            return Response(message + "\n", 400, mimetype="text/plain")
        return None

    @app.before_request
    def check_access():
        token = app.config.get("AUTH_TOKEN")
        if token:
            bearer = _bearer(request.headers.get("Authorization", ""))
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
            foreign = _foreign_origin(hosts)
            if foreign is not None:
                return _refuse(403, "OriginError", f"a change sent from the page '{foreign}' is "
                               f"refused: changes are taken from pages of {display(hosts)} only "
                               "(start the workbench with --allow-host NAME to add a name)")
            sent = request.headers.get(CSRF_HEADER) or request.form.get("csrf_token")
            expected = session.get("csrf")
            if not expected or not _same(sent, expected):
                return _refuse(403, "CSRFError", "missing or wrong CSRF token: reload the page "
                               "(API clients: GET /api/session, then send its csrf_token in the "
                               "X-CSRF-Token header with the session cookie)")
        return None

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

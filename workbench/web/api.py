"""The JSON API: every page has a JSON form, and every action the page takes is a call here.

Actions are POSTs with a JSON body that names the author and the revisions of the beads the
client's view showed ("beads": {key: revision}; optionally the pair's "revision"); they answer with
the new revision, counts, the author's history state and the changed beads, or 409 with the
current state when a bead was changed meanwhile. After every saved action the translation memory
is brought up to date with the pair's file; `.../memory` gives a bead's best memory matches.
docs/api.md describes every route.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from flask import Blueprint, current_app, jsonify, request

from workbench import edit, findings
from workbench.errors import InputError
from workbench.memory.segments import MAX_SEGMENT_CHARS
from workbench.store import check_text
from workbench.web import views
from workbench.web.security import csrf_token
from workbench.web.state import workspace

bp = Blueprint("api", __name__, url_prefix="/api")

#: The most bytes of matches a memory answer carries (the first match always): with segments of
#: at most MAX_SEGMENT_CHARS characters, twenty matches could otherwise pass a megabyte.
MAX_MEMORY_ANSWER = 256 * 1024


def _body() -> dict[str, Any]:
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        # A number too long to be an id or a revision is kept as a _TooLong, which the field
        # checks refuse by name (Python would refuse to read thousands of digits at all).
        data = json.loads(raw, parse_int=lambda t: int(t) if len(t) <= 18 else _TooLong(t))
    except (ValueError, RecursionError):
        # also a body that is not UTF-8, and numbers Python refuses to read (thousands of digits)
        raise InputError("request body is not valid JSON",
                         hint="send a JSON object, e.g. {\"revision\": 3}") from None
    if not isinstance(data, dict):
        raise InputError("the request body must be a JSON object")
    return data


class _TooLong(str):
    """A JSON number of more digits than any id or revision has."""


def _whole(data: dict[str, Any], name: str, what: str) -> int:
    v = data.get(name)
    if isinstance(v, _TooLong):
        raise InputError(f"'{name}' has {len(v.lstrip('-'))} digits: too long for {what}")
    if isinstance(v, bool) or not isinstance(v, int):
        raise InputError(f"'{name}' must be an integer" if name != "revision" else
                         "'revision' must be the pair's revision number (an integer)")
    if v < 0:
        raise InputError(f"'{name}' is {v}: {what} is 0 or more")
    return v


def _revision(data: dict[str, Any]) -> int | None:
    if data.get("revision") is None:
        return None
    return _whole(data, "revision", "a revision number")


def _beads(data: dict[str, Any]) -> dict[str, str] | None:
    beads = data.get("beads")
    if beads is None:
        return None
    if not isinstance(beads, dict) or not all(isinstance(v, str) for v in beads.values()):
        raise InputError("'beads' must map bead keys to the revisions the view shows "
                         "(strings, as in each bead's \"rev\")")
    return beads


def _int(data: dict[str, Any], name: str) -> int:
    return _whole(data, name, "a sentence number")


def _optional_int(data: dict[str, Any], name: str) -> int | None:
    return None if data.get(name) is None else _int(data, name)


#: Body keys renamed for the one word for the rendering side: (old, new).
_RENAMED = (("target", "rendering"), ("target_at", "rendering_at"))


def _no_old_names(data: dict[str, Any]) -> None:
    """A clear 400 for a body that still uses a key's old name, rather than "missing 'rendering'"."""
    for old, new in _RENAMED:
        if old in data and new not in data:
            raise InputError(f"'{old}' is now called '{new}'",
                             hint="rename the key in the request body")


def _str(data: dict[str, Any], name: str, default: str | None = None) -> str:
    v = data.get(name, default)
    if not isinstance(v, str):
        raise InputError(f"'{name}' must be a string")
    return check_text(v, f"'{name}'")


def _act(pair_id: str, action: Callable, data: dict[str, Any], key: str | None = None):
    # The body is checked whole before the pair is touched: a refused request leaves no file
    # behind, not even a lock.
    author, revision, beads = _str(data, "author", ""), _revision(data), _beads(data)
    out = workspace().perform(pair_id, action, author=author, revision=revision, beads=beads,
                              named=[key] if key else [])  # 404 for a pair not prepared yet
    return _answer(pair_id, out, "do", author)


def _answer(pair_id: str, out: edit.Outcome, step: str, author: str):
    state = views.bead_state(workspace(), pair_id, out.change.keys_after(), author, out.pair)
    state["step"] = step
    state["action"] = out.change.action
    state["summary"] = out.change.summary
    state["removed"] = [r.key for _, r in out.change.before
                        if r.key not in {k for k in out.change.keys_after()}]
    return jsonify(state)


@bp.get("/session")
def session_info():
    return jsonify({"csrf_token": csrf_token()})


@bp.get("/pairs")
def pairs():
    return jsonify({"pairs": views.pair_summaries(workspace())})


@bp.get("/pairs/<pair_id>")
def pair(pair_id: str):
    return jsonify(views.pair_view(workspace(), pair_id, request.args.get("author", "")))


@bp.get("/pairs/<pair_id>/beads")
def beads(pair_id: str):
    return jsonify(views.page_view(workspace(), pair_id, views.parse_query(request.args),
                                   request.args.get("author", "")))


@bp.get("/pairs/<pair_id>/beads/<key>")
def bead(pair_id: str, key: str):
    ws = workspace()
    _, pf = ws.pair_file(pair_id)
    pf.record(key)  # 404 for an unknown key
    return jsonify(views.bead_state(ws, pair_id, [key], request.args.get("author", "")))


@bp.get("/pairs/<pair_id>/beads/<key>/memory")
def memory(pair_id: str, key: str):
    ws = workspace()
    pair, pf = ws.pair_file(pair_id)
    rec = pf.record(key)  # 404 for an unknown key
    limit = _arg_int("limit", 5, 1, 20)
    min_score = _arg_int("min", 70, 0, 100)
    semantic = _arg_int("semantic", 0, 0, 1) == 1
    matches = []
    if rec.source_text.strip() and len(rec.source_text) <= MAX_SEGMENT_CHARS:
        own = Path(pair.po).name.removesuffix(".po")
        found = ws.memory().lookup(rec.source_text, pf.source_language, pf.rendering_language,
                                   min_score=min_score, limit=limit + 1)
        # The bead's own approved entry is not a match of itself.
        matches = [m for m in found if not (m.segment.origin == "pair" and m.segment.pair == own
                                            and m.segment.bead == key)][:limit]
        if semantic:
            seen = {(m.segment.pair, m.segment.bead) for m in matches} | {(own, key)}
            matches += ws.memory().semantic_lookup(rec.source_text, pf.source_language,
                                                   pf.rendering_language, limit=limit,
                                                   embedder=ws.embedder(), exclude=seen)
    by_po = {p.po.removesuffix(".po"): p.id for p in ws.corpus.pairs}
    out, size = [], 0
    for m in matches:
        d = m.to_json()
        d["pair_id"] = by_po.get(m.segment.pair) if m.segment.origin == "pair" else None
        size += len(current_app.json.dumps(d))  # as the answer writes it
        if out and size > MAX_MEMORY_ANSWER:
            break  # the best matches come first: what is left out is the least of them
        out.append(d)
    return jsonify({"pair": pair_id, "bead": key, "source_text": rec.source_text,
                    "min": min_score, "matches": out, "left_out": len(matches) - len(out)})


def _arg_int(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise InputError(f"'{name}' is '{raw[:20]}': give a whole number from {low} to {high}")
    return int(raw)


@bp.get("/pairs/<pair_id>/history")
def history(pair_id: str):
    ws = workspace()
    _, pf = ws.pair_file(pair_id)
    state = ws.editor.state(ws.po_path(pair_id), request.args.get("author", ""))
    return jsonify({"revision": state.pop("revision"), "history": state})


@bp.post("/pairs/<pair_id>/prepare")
def prepare(pair_id: str):
    """Make the pair's PO file, or add the installed model's MT to it; {"realign": true} aligns
    an existing file again, keeping every bead's work (409 when some would be lost)."""
    data = _body()
    realign = data.get("realign", False)
    if not isinstance(realign, bool):
        raise InputError("'realign' must be true or false")
    author = _str(data, "author", "")
    ws = workspace()
    pf = ws.prepare(pair_id, realign=realign, command=views.workbench_command())
    state = views.bead_state(ws, pair_id, [], author, pf)
    state["action"] = "realign" if realign else "prepare"
    return jsonify(state)


@bp.post("/pairs/<pair_id>/beads/<key>/status")
def set_status(pair_id: str, key: str):
    data = _body()
    status, author = _str(data, "status"), _str(data, "author", "")
    return _act(pair_id, lambda pf: edit.set_status(pf, key, status, author), data, key)


@bp.post("/pairs/<pair_id>/beads/<key>/annotations")
def annotate(pair_id: str, key: str):
    data = _body()
    text, category, author = _str(data, "text", ""), _str(data, "category", ""), _str(data, "author", "")
    return _act(pair_id, lambda pf: edit.annotate(pf, key, text, category, author), data, key)


@bp.post("/pairs/<pair_id>/link")
def link(pair_id: str):
    data = _body()
    _no_old_names(data)
    source, rendering = _int(data, "source"), _int(data, "rendering")
    return _act(pair_id, lambda pf: edit.link(pf, source, rendering), data)


@bp.post("/pairs/<pair_id>/beads/<key>/unlink")
def unlink(pair_id: str, key: str):
    """The whole bead, or with "source" or "rendering" (a sentence id) only that sentence."""
    data = _body()
    s, t = _optional_int(data, "source"), _optional_int(data, "rendering")
    return _act(pair_id, lambda pf: edit.unlink(pf, key, source=s, rendering=t), data, key)


@bp.post("/pairs/<pair_id>/beads/<key>/merge-next")
def merge_next(pair_id: str, key: str):
    data = _body()
    return _act(pair_id, lambda pf: edit.merge_next(pf, key), data, key)


@bp.post("/pairs/<pair_id>/beads/<key>/split")
def split(pair_id: str, key: str):
    data = _body()
    _no_old_names(data)
    s, t = _optional_int(data, "source_at"), _optional_int(data, "rendering_at")
    return _act(pair_id, lambda pf: edit.split(pf, key, s, t), data, key)


@bp.post("/pairs/<pair_id>/beads/<key>/checks/<kind>/<finding>/dismiss")
def dismiss_check(pair_id: str, key: str, kind: str, finding: str):
    data = _body()
    reason, author = _str(data, "reason", ""), _str(data, "author", "")
    findings.dismissal_text(kind, finding, reason)  # an empty reason: 400 before the pair is read
    return _act(pair_id, lambda pf: edit.dismiss(pf, key, kind, finding, reason, author), data, key)


@bp.post("/pairs/<pair_id>/beads/<key>/checks/<kind>/<finding>/undismiss")
def undismiss_check(pair_id: str, key: str, kind: str, finding: str):
    data = _body()
    return _act(pair_id, lambda pf: edit.undismiss(pf, key, kind, finding), data, key)


@bp.get("/pairs/<pair_id>/names")
def names(pair_id: str):
    ws = workspace()
    _, pf = ws.pair_file(pair_id)
    return jsonify({"pair": pair_id, "revision": pf.revision, **views.names_view(pf)})


@bp.post("/pairs/<pair_id>/names")
def decide_name(pair_id: str):
    """Confirm, break or withdraw the decision on a link of the pair's name map."""
    data = _body()
    source, rendering, state = _str(data, "source", ""), _str(data, "rendering", ""), \
        _str(data, "state", "")
    return _act(pair_id, lambda pf: edit.decide_name(pf, source, rendering, state), data)


def _history_step(pair_id: str, undoing: bool):
    data = _body()
    author, revision = _str(data, "author", ""), _revision(data)
    out = workspace().step(pair_id, undoing=undoing, author=author, revision=revision)
    return _answer(pair_id, out, "undo" if undoing else "redo", author)


@bp.post("/pairs/<pair_id>/history/replay")
def replay_aside(pair_id: str):
    """Replay what the set-aside history holds that the restored PO file lacks (one action)."""
    data = _body()
    author, revision = _str(data, "author", ""), _revision(data)
    out = workspace().replay_aside(pair_id, author=author, revision=revision)
    return _answer(pair_id, out, "do", author)


@bp.post("/pairs/<pair_id>/undo")
def undo(pair_id: str):
    return _history_step(pair_id, True)


@bp.post("/pairs/<pair_id>/redo")
def redo(pair_id: str):
    return _history_step(pair_id, False)

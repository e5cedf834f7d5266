"""docs/api.md documents every address the web app answers: each URL rule of the Flask app
appears there in backquotes (placeholders may be named differently: `<pair>` for `<pair_id>`)."""

from __future__ import annotations

import re
from pathlib import Path

API_DOC = Path(__file__).resolve().parents[1] / "docs" / "api.md"


def shape(path: str) -> str:
    """A route with its placeholders blanked and its query left off: /pairs/<pair>?q -> /pairs/<>."""
    return re.sub(r"<[^<>]*>", "<>", path.split("?", 1)[0])


def documented_routes(text: str) -> set[str]:
    """The paths in backquoted spans, with or without a method before them (`GET /x?a=1`)."""
    return {shape(word) for span in re.findall(r"`([^`\n]+)`", text)
            for word in span.split() if word.startswith("/")}


def test_the_shapes_of_rules_and_documented_paths_compare():
    assert documented_routes("see `GET /api/pairs/<pair>/beads?QUERY` and `/api/pairs/<pair>/undo`"
                             " but not /plain or `a/b`") == {"/api/pairs/<>/beads",
                                                             "/api/pairs/<>/undo"}
    assert shape("/static/<path:filename>") == "/static/<>"


def test_every_url_rule_is_in_the_api_doc(app):
    documented = documented_routes(API_DOC.read_text(encoding="utf-8"))
    rules = sorted({rule.rule for rule in app.url_map.iter_rules()})
    assert len(rules) >= 15
    assert [rule for rule in rules if shape(rule) not in documented] == []

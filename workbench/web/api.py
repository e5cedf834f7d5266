"""The JSON API: every page has a JSON form, and every action the page takes is a call here."""

from __future__ import annotations

from flask import Blueprint, jsonify

from workbench.web import views
from workbench.web.state import workspace

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/pairs")
def pairs():
    return jsonify({"pairs": views.pair_summaries(workspace())})


@bp.get("/pairs/<pair_id>")
def pair(pair_id: str):
    return jsonify(views.pair_view(workspace(), pair_id))

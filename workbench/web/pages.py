"""Server-rendered pages: the list of document pairs and the three-column pair view."""

from __future__ import annotations

from flask import Blueprint, render_template

from workbench.web.state import workspace
from workbench.web import views

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    return render_template("index.html", pairs=views.pair_summaries(workspace()))


@bp.get("/pairs/<pair_id>")
def pair(pair_id: str):
    return render_template("pair.html", view=views.pair_view(workspace(), pair_id))

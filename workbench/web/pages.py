"""Server-rendered pages: the list of document pairs and the three-column pair view.

The pair page shows one page of the beads its query (filters, search, sort) selects; `/rows` gives
the same beads as an HTML fragment, which the page's script fetches after every action so that the
rows are drawn by one template only.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from workbench.web import views
from workbench.web.state import workspace

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    return render_template("index.html", pairs=views.pair_summaries(workspace()))


def _context(pair_id: str) -> dict:
    query = views.parse_query(request.args)
    view = views.page_view(workspace(), pair_id, query)

    def page_url(**changes) -> str:
        return url_for("pages.pair", pair_id=pair_id, **query.params(**changes))

    return {"view": view, "query": query, "page_url": page_url}


@bp.get("/pairs/<pair_id>")
def pair(pair_id: str):
    return render_template("pair.html", **_context(pair_id))


@bp.get("/pairs/<pair_id>/rows")
def rows(pair_id: str):
    return render_template("pair_body.html", **_context(pair_id))

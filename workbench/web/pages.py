"""Server-rendered pages: the list of document pairs and the three-column pair view.

The pair page shows one page of the beads its query (filters, search, sort) selects; `/rows` gives
the same beads as an HTML fragment, which the page's script fetches after every action so that the
rows are drawn by one template only. A GET never writes: a pair whose PO file is not made yet
gets a page that says what is missing, with a button that POSTs to `/pairs/<id>/prepare`; that
route (also Re-align and adding an installed model's MT) makes the file and shows the page again.
"""

from __future__ import annotations

from flask import (Blueprint, Response, redirect, render_template, request, stream_with_context,
                   url_for)

from workbench.web import views
from workbench.web.state import workspace

bp = Blueprint("pages", __name__)


@bp.get("/favicon.ico")
def favicon():
    """The icon browsers ask for by this name whatever the page links (an SVG: they all draw it)."""
    from flask import current_app, send_from_directory

    return send_from_directory(current_app.static_folder, "favicon.svg",
                               mimetype="image/svg+xml", max_age=86400)


@bp.get("/")
def index():
    return render_template("index.html", pairs=views.pair_summaries(workspace()),
                           removed=workspace().trash())


def _context(pair_id: str) -> dict:
    query = views.parse_query(request.args)
    view = views.page_view(workspace(), pair_id, query, request.args.get("author", ""))

    def page_url(**changes) -> str:
        return url_for("pages.pair", pair_id=pair_id, **query.params(**changes))

    return {"view": view, "query": query, "page_url": page_url}


@bp.get("/pairs/<pair_id>")
def pair(pair_id: str):
    context = _context(pair_id)
    if not context["view"]["prepared"]:
        return render_template("prepare.html", **context)
    return render_template("pair.html", **context)


@bp.get("/pairs/<pair_id>/rows")
def rows(pair_id: str):
    workspace().pair_file(pair_id)  # 404 for a pair not prepared yet: it has no rows
    return render_template("pair_body.html", **_context(pair_id))


@bp.post("/pairs/<pair_id>/prepare")
def prepare(pair_id: str):
    """Make the pair's PO file (segment, MT with the installed model, align), or for an existing
    one add the installed model's MT, or with the form field realign=1 align it again keeping every
    bead's work; then show the pair page (303, so a reload does not post again)."""
    realign = request.form.get("realign", "") in ("1", "on", "true")
    workspace().prepare(pair_id, realign=realign, command=views.workbench_command())
    return redirect(url_for("pages.pair", pair_id=pair_id), code=303)


@bp.get("/pairs/<pair_id>/export")
def export(pair_id: str):
    """Download the pair's aligned corpus in ?format= (tmx, xliff, xliff2, tsv, jsonl, moses, po)
    with the same filters as `workbench export` (status, min_score, include_unmatched, kinds)."""
    from workbench import export as exporting
    from workbench.errors import InputError

    fmt = request.args.get("format", "tmx")
    if fmt not in exporting.FORMATS:
        raise InputError(f"unknown export format '{fmt}'",
                         hint=f"use one of {', '.join(exporting.FORMATS)}")
    try:
        min_score = float(request.args["min_score"]) if request.args.get("min_score") else None
    except ValueError:
        raise InputError(f"min_score must be a number, not '{request.args['min_score']}'") from None
    kinds = request.args.get("kinds")
    filters = exporting.Filters(
        status=request.args.get("status", "all"), min_score=min_score,
        include_unmatched=request.args.get("include_unmatched") in ("1", "on", "true"),
        kinds=exporting.Filters.parse_kinds(kinds) if kinds else None)
    spec = exporting.FORMATS[fmt]
    chunks = workspace().export(pair_id, fmt, filters)
    return Response(stream_with_context(chunks), mimetype=spec.mime, headers={
        "Content-Disposition": f'attachment; filename="{pair_id}{spec.extension}"'})

"""The source view: one source document with all its renderings, aligned through the source.

`/sources/<id>` shows the source once and each rendering in a column of its own, one row per source
sentence, marked quote, paraphrase (with the bead's probability) or left out, with the
disagreements between renderings and each rendering's coverage at the top; `?only=uncarried` keeps
the sentences no rendering carries. `/api/sources/<id>` is the same view as JSON, and
`/sources/<id>/export?format=tmx|tsv` downloads it (workbench.export.multiway). Every route only
reads: a rendering whose PO file is missing says so in its column, and nothing is created.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, jsonify, render_template, request, url_for

from workbench.errors import InputError, WorkbenchError
from workbench.web.state import workspace

bp = Blueprint("sources", __name__)

FILTERS = ("all", "uncarried")


def _view(source_id: str):
    from workbench.multiway import source_view

    return source_view(workspace().corpus, source_id)


def _filter() -> str:
    only = request.args.get("only", "all") or "all"
    if only not in FILTERS:
        raise InputError(f"unknown filter only={only}", hint=f"use one of {', '.join(FILTERS)}")
    return only


@bp.get("/sources/<source_id>")
def source(source_id: str):
    from workbench.multiway import QUOTE_MIN

    only = _filter()
    view = _view(source_id)
    rows = [r for r in view.rows if only == "all" or r.carried_by == 0]
    return render_template("source.html", view=view, rows=rows, shown=only, quote_min=QUOTE_MIN,
                           disagreeing=sum(1 for r in view.rows if r.disagreements),
                           uncarried_url=url_for("sources.source", source_id=source_id,
                                                 only="uncarried"))


@bp.get("/api/sources/<source_id>")
def source_json(source_id: str):
    only = _filter()
    body = _view(source_id).to_json()
    if only == "uncarried":
        body["rows"] = [r for r in body["rows"] if r["sentence"] in body["uncarried"]]
    return jsonify(body)


@bp.get("/sources/<source_id>/export")
def export(source_id: str):
    """The multi-way export in ?format=tmx|tsv, as a download; built in memory, nothing written."""
    from workbench.export.multiway import FORMATS, export_bytes

    fmt = request.args.get("format", "tmx")
    if fmt not in FORMATS:
        raise InputError(f"unknown export format '{fmt}' for a source",
                         hint=f"use one of {', '.join(FORMATS)}")
    spec = FORMATS[fmt]
    return Response(export_bytes(_view(source_id), fmt), mimetype=spec.mime, headers={
        "Content-Disposition": f'attachment; filename="{source_id}{spec.extension}"'})


def source_links() -> list[dict]:
    """For the index page: each source with renderings, and how many (none when the corpus
    cannot be read: the page says so through its pairs)."""
    try:
        corpus = workspace().corpus
    except WorkbenchError:
        return []
    return [{"id": s, "title": corpus.documents[s].title or s,
             "language": corpus.documents[s].language,
             "renderings": [corpus.documents[p.rendering] for p in corpus.renderings(s)]}
            for s in corpus.sources()]


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_global(source_links)

"""New comparisons from the page: uploads of a source and its renderings (or pasted text), the
comparison made of them and prepared in the background with progress and cancel; renaming a pair,
removing it into the trash and restoring it; the originals, downloaded as files (never served as
pages). docs/api.md describes every route.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for

from workbench.errors import InputError, NotFoundError
from workbench.web.api import _body, _str
from workbench.web.limits import takes_forms
from workbench.web.state import jobs, workspace

bp = Blueprint("comparisons", __name__)

#: The most renderings one comparison takes at once (more: add them to the source afterwards).
MAX_RENDERINGS = 10


@bp.get("/new")
def new():
    from workbench.corpus import LANGUAGES

    workspace().warm_up()  # the encoder loads while the translator picks the files
    return render_template("new.html", languages=sorted(LANGUAGES.items(), key=lambda kv: kv[1]),
                           max_bytes=current_app.config["MAX_UPLOAD_BYTES"],
                           sources=[{"id": d.id, "title": d.title or d.id, "language": d.language}
                                    for d in workspace().corpus.documents.values()])


@bp.post("/api/uploads")
@takes_forms
def upload():
    """A file (multipart field `file`) or pasted text (form field `text`, with an optional
    `name`): its text extracted and its language told, kept for a comparison to take."""
    from workbench import uploads

    sent = request.files.get("file")
    if sent is not None and sent.filename:
        data, name = sent.read(), sent.filename
    elif request.form.get("text", "").strip():
        data = request.form["text"].encode("utf-8")
        name = (request.form.get("name") or "pasted").strip() + ".txt"
    else:
        raise InputError("no file and no text in the upload",
                         hint="send a file in the field 'file', or text in the field 'text'")
    from workbench.ingest import Limits

    staged = uploads.stage(data, name, limits=Limits(pdf_seconds=current_app.config["PDF_SECONDS"]))
    workspace().warm_up([staged.language] if staged.language else [])
    return jsonify(staged.view())


def _document(spec: Any, role: str, flag: str):
    """A NewDocument from a JSON object {upload, language, title, id}, or the id of a document
    already in the corpus ({document: id}, the source only)."""
    from workbench import catalog, uploads

    if not isinstance(spec, dict):
        raise InputError(f"the {role} must be an object with an 'upload' token")
    if role == "source" and spec.get("document"):
        doc_id = _str(spec, "document")
        workspace().corpus.document(doc_id)  # 404 for an unknown id
        return doc_id
    name, data, extracted = uploads.take(_str(spec, "upload", ""))
    language = _str(spec, "language", "") or None
    title = _str(spec, "title", "") if "title" in spec else None
    doc_id = _str(spec, "id", "") or None
    return catalog.new_document(extracted, data, name, language=language, title=title,
                                doc_id=doc_id, flag=flag)


@bp.post("/api/comparisons")
def create():
    """Add a source and its renderings ({source, renderings: [...]}, each from an upload), one
    pair per rendering, and start preparing them in the background; the answer names the job
    to follow and each pair's page."""
    from workbench import uploads

    data = _body()
    renderings = data.get("renderings")
    if not isinstance(renderings, list) or not renderings:
        raise InputError("'renderings' must list at least one rendering")
    if len(renderings) > MAX_RENDERINGS:
        raise InputError(f"{len(renderings)} renderings at once; at most {MAX_RENDERINGS}",
                         hint="add the others to the same source afterwards")
    source = _document(data.get("source"), "source", "the source's language")
    new = [_document(r, "rendering", "the rendering's language") for r in renderings]
    pairs = workspace().add(source, new)
    for spec in [data.get("source")] + renderings:
        if isinstance(spec, dict) and isinstance(spec.get("upload"), str):
            uploads.discard(spec["upload"])
    job = jobs().submit([p.id for p in pairs])
    return jsonify({"job": job.view(), "pairs": [
        {"id": p.id, "url": url_for("pages.pair", pair_id=p.id)} for p in pairs]}), 201


@bp.get("/api/jobs/<job_id>")
def job(job_id: str):
    return jsonify(jobs().get(job_id).view())


@bp.post("/api/jobs/<job_id>/cancel")
def cancel(job_id: str):
    found = jobs().get(job_id)
    found.cancel()
    return jsonify(found.view())


@bp.post("/api/pairs/<pair_id>/rename")
def rename(pair_id: str):
    data = _body()
    pair = workspace().rename(pair_id, _str(data, "title", ""))
    return jsonify({"pair": pair.id, "title": pair.title})


@bp.post("/api/pairs/<pair_id>/remove")
def remove(pair_id: str):
    removed = workspace().remove(pair_id)
    return jsonify({"pair": removed.pair, "entry": removed.entry, "title": removed.title,
                    "files": list(removed.files)})


@bp.get("/api/trash")
def trash():
    return jsonify({"removed": [vars(r) | {"files": list(r.files)} for r in workspace().trash()]})


@bp.post("/api/trash/<entry>/restore")
def restore(entry: str):
    pair = workspace().restore(entry)
    return jsonify({"pair": pair.id, "url": url_for("pages.pair", pair_id=pair.id)})


@bp.get("/documents/<doc_id>/original")
def original(doc_id: str):
    """The file a document's text was extracted from, as a download: served as bytes to save,
    never as a page (an uploaded web page would otherwise run in the workbench's origin)."""
    ws = workspace()
    doc = ws.corpus.document(doc_id)
    if not doc.original:
        raise NotFoundError(f"document '{doc_id}' has no original file",
                            hint="its text file is the original")
    path = ws.corpus.root / doc.original
    try:
        data = path.read_bytes()
    except OSError:
        raise NotFoundError("the original file is missing", path=doc.original) from None
    name = Path(doc.original).name
    return Response(data, mimetype="application/octet-stream", headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Content-Security-Policy": "default-src 'none'; sandbox"})

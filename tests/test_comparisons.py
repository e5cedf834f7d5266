"""The New comparison page's API: uploads (a size limit, zip bombs, file names, HTML never served
back as a page), a comparison prepared in the background with progress and cancel, renaming, the
trash and restoring; `serve` on an empty directory."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from documents import article_paragraphs, docx_bytes, news_page, zip_bomb_docx
from factories import start_server, stop
from workbench.corpus import load_corpus

REPO = Path(__file__).resolve().parents[1]
TITLE = "Over 140,000 Sign Petition Against Mobilization in Russia"
PETITION = (REPO / "corpora" / "petition.ru.txt").read_text(encoding="utf-8").strip().split("\n\n")
PAGE = news_page(TITLE, article_paragraphs()).replace(
    b"</article>", b"<script>window.stolen = document.cookie</script></article>")


@pytest.fixture
def empty(tmp_path: Path, make_client):
    """A client of the app over an empty directory (no corpora.toml)."""
    root = tmp_path / "empty"
    root.mkdir()
    client = make_client(root)
    client.root = root
    return client


def upload(client, name: str, data: bytes):
    return client.post("/api/uploads", data={"file": (io.BytesIO(data), name)},
                       headers={"X-CSRF-Token": client.csrf}, content_type="multipart/form-data")


def compare(client, source: dict, renderings: list[dict]):
    return client.post("/api/comparisons", json={"source": source, "renderings": renderings},
                       headers={"X-CSRF-Token": client.csrf})


def test_an_empty_directory_lists_nothing_and_offers_the_form(empty):
    html = empty.get("/").get_data(as_text=True)
    assert '<a href="/new" id="new-comparison" class="button">+ New comparison</a>' in html
    assert 'id="no-pairs">No comparisons yet.' in html
    assert empty.get("/api/pairs").get_json() == {"pairs": []}
    page = empty.get("/new")
    assert page.status_code == 200
    assert 'id="source-file"' in page.get_data(as_text=True)
    assert sorted(p.name for p in empty.root.iterdir()) == []


def test_uploads_are_read_and_told_and_a_comparison_is_made_and_prepared(empty):
    """Upload a .docx and a saved page, compare them with the languages told: the comparison's
    files and entries are written, the job reports its stages and ends done, the pair page opens."""
    res = upload(empty, "petition.docx", docx_bytes(PETITION[1:], heading=PETITION[0]))
    assert res.status_code == 200, res.get_json()
    source = res.get_json()
    assert (source["name"], source["format"], source["title"], source["language"],
            source["language_note"], source["paragraphs"]) == (
        "petition.docx", "docx", PETITION[0], "ru", "detected", 4)
    article = upload(empty, "article.html", PAGE).get_json()
    assert (article["format_name"], article["language"], article["title"]) == (
        "saved web page", "en", TITLE)
    assert "stolen" not in article["preview"]
    assert sorted(p.name for p in empty.root.iterdir()) == []  # staged in the cache directory
    res = compare(empty, {"upload": source["token"], "language": "ru", "title": source["title"]},
                  [{"upload": article["token"], "language": "en", "title": "Newsweek"}])
    assert res.status_code == 201, res.get_json()
    out = res.get_json()
    assert out["pairs"] == [{"id": "petition-ru__article-en", "url": "/pairs/petition-ru__article-en"}]
    jobs = empty.application.extensions["workbench-jobs"]
    job = jobs.wait(out["job"]["id"])
    view = empty.get(f"/api/jobs/{job.id}").get_json()
    assert (view["state"], view["stage"], view["done"], view["total"], view["error"]) == (
        "done", "write", 1, 1, None)
    corpus = load_corpus(empty.root)
    assert corpus.documents["article-en"].title == "Newsweek"
    assert (empty.root / "translations" / "petition-ru__article-en.po").exists()
    assert empty.get("/pairs/petition-ru__article-en").status_code == 200
    # the uploads were taken: a second comparison of them is a 404 naming the upload
    res = compare(empty, {"upload": source["token"]}, [{"upload": article["token"]}])
    assert res.status_code == 404 and res.get_json()["message"].startswith(f"no upload '{source['token']}'")


def test_a_job_reports_its_stages_in_order(empty):
    """The progress a job passes through, seen from the preparation's own callback."""
    from workbench.jobs import Job

    seen: list[str] = []
    job = Job("test", ["p"])
    record = job.progress

    def spy(stage: str, done: int, total: int) -> None:
        record(stage, done, total)
        if not seen or seen[-1] != stage:
            seen.append(stage)

    res = upload(empty, "petition.txt", "\n\n".join(PETITION).encode())
    art = upload(empty, "article.html", PAGE)
    compare_res = compare(empty, {"upload": res.get_json()["token"]}, [{"upload": art.get_json()["token"]}])
    pair_id = compare_res.get_json()["pairs"][0]["id"]
    empty.application.extensions["workbench-jobs"].wait(compare_res.get_json()["job"]["id"])
    empty.application.extensions["workbench"].prepare(pair_id, realign=True, progress=spy)
    assert seen == ["segment", "encode", "align", "write"]


def test_cancelling_stops_before_the_pair_is_written(empty):
    from workbench.jobs import Jobs

    res = upload(empty, "petition.txt", "\n\n".join(PETITION).encode())
    art = upload(empty, "article.html", PAGE)
    project = empty.application.extensions["workbench"]
    pairs = project.add(*_documents(res.get_json(), art.get_json()))
    started = []

    def prepare(pair_id, progress):
        started.append(pair_id)
        progress("segment", 0, 1)
        job.cancel()  # the user presses Cancel while the pair is under way
        return project.prepare(pair_id, progress=progress)

    jobs = Jobs(prepare)
    job = jobs.submit([pairs[0].id])
    done = jobs.wait(job.id)
    assert (done.state, started) == ("cancelled", [pairs[0].id])
    assert not (empty.root / "translations" / f"{pairs[0].id}.po").exists()
    # the texts stay in the list, not prepared
    assert empty.get("/api/pairs").get_json()["pairs"][0]["prepared"] is False
    # and the cancel route answers with the job's view
    api_job = empty.application.extensions["workbench-jobs"].submit([pairs[0].id])
    res = empty.post(f"/api/jobs/{api_job.id}/cancel", headers={"X-CSRF-Token": empty.csrf})
    assert res.status_code == 200 and res.get_json()["id"] == api_job.id
    assert empty.application.extensions["workbench-jobs"].wait(api_job.id).state in ("cancelled", "done")


def _documents(source: dict, rendering: dict):
    from workbench import catalog, uploads

    def doc(spec):
        name, data, extracted = uploads.take(spec["token"])
        return catalog.new_document(extracted, data, name, language=spec["language"])

    return doc(source), [doc(rendering)]


def test_an_upload_over_the_size_limit_is_413_and_nothing_is_kept(empty, tmp_path):
    empty.application.config["MAX_UPLOAD_BYTES"] = 1000
    res = upload(empty, "big.txt", b"x" * 1001)
    assert res.status_code == 413
    assert res.get_json()["message"] == ("the file is larger than the workbench takes (1,000 bytes) "
                                         "(split it into parts, or add it with `workbench add`, "
                                         "which takes files up to 50 MB)")
    assert not (tmp_path / "cache" / "uploads").exists()
    # the limit holds for an API body other than an upload too, at its own 1 MiB
    res = empty.post("/api/comparisons", data=b"{" + b" " * (1024 * 1024) + b"}",
                     headers={"X-CSRF-Token": empty.csrf, "Content-Type": "application/json"})
    assert res.status_code == 413


def test_a_docx_zip_bomb_upload_is_refused_unread(empty, tmp_path):
    res = upload(empty, "bomb.docx", zip_bomb_docx(250 * 1024 * 1024))
    assert res.status_code == 413
    assert res.get_json()["error"] == "UnsafeFileError"
    assert "unpacks to more than 209,715,200 bytes" in res.get_json()["message"]
    assert not (tmp_path / "cache" / "uploads").exists()


def test_an_uploaded_pdf_is_read_under_a_time_limit(empty, tmp_path):
    from documents import pdf_bytes

    empty.application.config["PDF_SECONDS"] = 0.001  # shorter than any PDF takes
    res = upload(empty, "slow.pdf", pdf_bytes([["Мы против мобилизации."]]))
    assert res.status_code == 422
    assert res.get_json() == {"error": "ExtractTimeoutError", "message": (
        "slow.pdf: reading the PDF took longer than 0.001 s (it may be damaged or built to stall "
        "readers; save its text another way (e.g. as .docx))")}
    empty.application.config["PDF_SECONDS"] = 30.0
    res = upload(empty, "petition.pdf", pdf_bytes([["Мы, граждане России, против мобилизации."]]))
    assert (res.status_code, res.get_json()["language"]) == (200, "ru")


def test_uploaded_file_names_cannot_escape_and_are_not_used_for_paths(empty, tmp_path):
    res = upload(empty, "../../../etc/evil\x07.html", PAGE)
    assert res.status_code == 200
    staged = res.get_json()
    assert staged["name"] == "evil.html"
    res = compare(empty, {"upload": upload(empty, "p.txt", "\n\n".join(PETITION).encode())
                          .get_json()["token"]}, [{"upload": staged["token"]}])
    assert res.status_code == 201, res.get_json()
    empty.application.extensions["workbench-jobs"].wait(res.get_json()["job"]["id"])
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*evil*")
                     if not p.name.startswith("."))
    assert written == ["empty/corpora/evil.en.html", "empty/corpora/evil.en.txt",
                       "empty/translations/p-ru__evil-en.po"]
    assert not list(tmp_path.parent.glob("etc*"))


def test_an_uploaded_web_page_is_never_served_back_as_a_page(empty):
    page, text = upload(empty, "article.html", PAGE), upload(empty, "p.txt", "\n\n".join(PETITION).encode())
    res = compare(empty, {"upload": text.get_json()["token"]}, [{"upload": page.get_json()["token"]}])
    assert res.status_code == 201
    res = empty.get("/documents/article-en/original")
    assert res.status_code == 200
    assert res.data == PAGE
    assert res.headers["Content-Type"] == "application/octet-stream"
    assert res.headers["Content-Disposition"] == 'attachment; filename="article.en.html"'
    assert res.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in res.headers["Content-Security-Policy"]
    # the text the pages show is the extracted one, escaped: no markup of the upload survives
    assert b"<script>window.stolen" not in empty.get("/").data
    assert empty.get("/documents/petition-ru/original").status_code == 404


def test_a_pair_is_renamed_removed_into_the_trash_and_restored(empty):
    page, text = upload(empty, "article.html", PAGE), upload(empty, "p.txt", "\n\n".join(PETITION).encode())
    res = compare(empty, {"upload": text.get_json()["token"]}, [{"upload": page.get_json()["token"]}])
    pair = res.get_json()["pairs"][0]["id"]
    empty.application.extensions["workbench-jobs"].wait(res.get_json()["job"]["id"])
    h = {"X-CSRF-Token": empty.csrf}
    res = empty.post(f"/api/pairs/{pair}/rename", json={"title": "  Petition  and Newsweek "}, headers=h)
    assert res.get_json() == {"pair": pair, "title": "Petition and Newsweek"}
    assert '>Petition and Newsweek</a>' in empty.get("/").get_data(as_text=True)
    meta = (empty.root / "corpora" / "corpora.toml").read_text(encoding="utf-8")
    assert 'title = "Petition and Newsweek"' in meta
    before = sorted(p.relative_to(empty.root).as_posix() for p in empty.root.rglob("*")
                    if not p.name.startswith("."))
    res = empty.post(f"/api/pairs/{pair}/remove", headers=h)
    assert res.status_code == 200
    removed = res.get_json()
    assert removed["title"] == "Petition and Newsweek"
    assert sorted(removed["files"]) == ["corpora/article.en.html", "corpora/article.en.txt",
                                        "corpora/p.ru.txt",
                                        f"translations/{pair}.po"]
    assert load_corpus(empty.root).pairs == []
    trash = empty.root / "trash" / removed["entry"]
    assert (trash / f"translations/{pair}.po").exists()
    html = empty.get("/").get_data(as_text=True)
    assert f'<li data-entry="{removed["entry"]}">Petition and Newsweek' in html
    res = empty.post(f"/api/trash/{removed['entry']}/restore", headers=h)
    assert res.get_json() == {"pair": pair, "url": f"/pairs/{pair}"}
    after = sorted(p.relative_to(empty.root).as_posix() for p in empty.root.rglob("*")
                   if not p.name.startswith("."))
    assert [p for p in after if not p.startswith("trash")] == [p for p in before]
    assert load_corpus(empty.root).pair(pair).title == "Petition and Newsweek"
    assert empty.get(f"/pairs/{pair}").status_code == 200
    res = empty.post(f"/api/trash/{removed['entry']}/restore", headers=h)
    assert res.status_code == 404


def test_removing_keeps_a_source_other_pairs_use(data_dir, make_client):
    client = make_client(data_dir)
    res = client.post("/api/pairs/petition-ru__petition-en/remove", headers={"X-CSRF-Token": client.csrf})
    assert sorted(res.get_json()["files"]) == ["corpora/petition.en.txt"]  # never prepared: no PO
    corpus = load_corpus(data_dir)
    assert "petition-ru" in corpus.documents and "petition-en" not in corpus.documents
    toml = (data_dir / "corpora" / "corpora.toml").read_text(encoding="utf-8")
    assert toml.startswith("# The bundled corpus: which texts there are")


def test_serve_starts_on_an_empty_directory_and_refuses_a_missing_one(tmp_path):
    (tmp_path / "empty").mkdir()
    url, proc = start_server(tmp_path / "empty", tmp_path)
    try:
        with urllib.request.urlopen(url + "/api/pairs") as res:
            assert json.load(res) == {"pairs": []}
        with urllib.request.urlopen(url + "/") as res:
            assert b'id="new-comparison"' in res.read()
    finally:
        stop(proc)
    res = subprocess.run([sys.executable, "-m", "workbench", "serve", "--data",
                          str(tmp_path / "missing")], capture_output=True, text=True, timeout=60)
    assert res.returncode == 2
    assert res.stderr == (f"workbench: error: {tmp_path}/missing: no such directory (make it with "
                          f"`workbench init {tmp_path}/missing`, or give --data DIR)\n")

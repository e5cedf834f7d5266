"""A new comparison from a translator's own files: a .docx of the bundled petition and the bundled
Newsweek article as a saved news page (navigation, cookie banner, scripts, related stories,
newsletter box and footer around it), built by tests/documents.py, no language flags.

* cli-add: `workbench add --data DIR petition.docx newsweek.html` in a fresh process, as a user
  types it (extraction, language detection, corpora.toml, preparation), cold caches;
* baseline, cli-align: `workbench align` of the same texts given as UTF-8 text files with their
  languages, in a fresh process, cold caches: the path that existed before, which extracts and
  detects nothing and writes no corpus entry;
* web-N: `workbench serve` on an empty directory with cold caches, the New comparison page
  opened, N seconds for the translator to pick the files (the server loads the encoder and the
  checks' lexicons meanwhile), then the two uploads, Compare, the job followed to its end and the
  pair page fetched: seconds from the first upload to the pair page answered (target: 5 s).

Also printed: the rendering's sentences that hold page furniture (target 0) and the number of the
page's clicks (3: source file, rendering file, Compare; counted by tests/test_browser_new.py, which
drives Chromium through them). Timings on a shared machine are noisy: the load average is printed.

Usage: .venv/bin/python benchmarks/new_comparison.py [--picking 0,3]
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from documents import PAGE_NOISE, article_paragraphs, docx_bytes, news_page  # noqa: E402
from factories import start_server, stop  # noqa: E402

TITLE = "Over 140,000 Sign Petition Against Mobilization in Russia"


def files(folder: Path) -> tuple[Path, Path]:
    petition = (REPO / "corpora" / "petition.ru.txt").read_text(encoding="utf-8").strip()
    paragraphs = petition.split("\n\n")
    folder.mkdir(parents=True)
    docx = folder / "petition.docx"
    docx.write_bytes(docx_bytes(paragraphs[1:], heading=paragraphs[0]))
    page = folder / "newsweek.html"
    page.write_bytes(news_page(TITLE, article_paragraphs()))
    return docx, page


def cold_env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ, WORKBENCH_CACHE_DIR=str(tmp / f"cache-{uuid.uuid4().hex[:6]}"),
               ARGOS_PACKAGES_DIR=str(tmp / "no-models"))
    env.pop("WORKBENCH_EMBED_CACHE_DIR", None)
    return env


def run_cli(args: list[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "workbench", *args], env=env, cwd=cwd, check=True,
                   capture_output=True)
    return time.perf_counter() - started


def multipart(name: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode() + data + \
        f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def web(tmp: Path, docx: Path, page: Path, picking: float) -> float:
    root = tmp / f"web-{picking:g}"
    root.mkdir()
    env = cold_env(tmp)
    url, proc = start_server(root, tmp / f"server-{picking:g}", env=env)
    try:
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        opener.open(url + "/new").read()
        csrf = json.load(opener.open(url + "/api/session"))["csrf_token"]
        time.sleep(picking)
        started = time.perf_counter()
        tokens = []
        for path in (docx, page):
            body, kind = multipart(path.name, path.read_bytes())
            req = urllib.request.Request(url + "/api/uploads", data=body, headers={
                "Content-Type": kind, "X-CSRF-Token": csrf})
            tokens.append(json.load(opener.open(req)))
        spec = {"source": {"upload": tokens[0]["token"], "language": tokens[0]["language"]},
                "renderings": [{"upload": tokens[1]["token"], "language": tokens[1]["language"]}]}
        req = urllib.request.Request(url + "/api/comparisons", data=json.dumps(spec).encode(),
                                     headers={"Content-Type": "application/json",
                                              "X-CSRF-Token": csrf})
        made = json.load(opener.open(req))
        while True:
            job = json.load(opener.open(url + f"/api/jobs/{made['job']['id']}"))
            if job["state"] != "running" and job["state"] != "queued":
                break
            time.sleep(0.1)
        assert job["state"] == "done", job
        opener.open(url + made["pairs"][0]["url"]).read()
        return time.perf_counter() - started
    finally:
        stop(proc)


def furniture(po: Path) -> int:
    from workbench import store

    return sum(1 for r in store.load(po).records for n in PAGE_NOISE if n in r.rendering_text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--picking", default="0,3", help="seconds to pick the files, comma-separated")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        docx, page = files(tmp / "files")
        load = os.getloadavg()
        add = run_cli(["add", "--data", str(tmp / "cli"), str(docx), str(page)], cold_env(tmp), tmp)
        po = tmp / "cli" / "translations" / "petition-ru__newsweek-en.po"
        noise = furniture(po)
        texts = tmp / "cli" / "corpora"
        align = run_cli(["align", str(texts / "petition.ru.txt"), str(texts / "newsweek.en.txt"),
                         "--src-lang", "ru", "--rendering-lang", "en", "-o", str(tmp / "a.po")],
                        cold_env(tmp), tmp)
        webs = {p: web(tmp, docx, page, p) for p in (float(x) for x in args.picking.split(","))}
        after = os.getloadavg()
    print(f"load average before {load[0]:.2f}, after {after[0]:.2f} (2 cores, shared)")
    print(f"baseline cli-align (texts given, languages given): {align:.2f} s")
    print(f"cli-add (one command, no language flags):          {add:.2f} s  "
          f"({add / align:.2f}x the baseline)")
    for p, t in webs.items():
        print(f"web, files picked after {p:g} s: first upload to pair page {t:.2f} s  "
              f"({t / align:.2f}x the baseline; target 5 s)")
    print(f"page furniture among the rendering's sentences: {noise} (target 0)")
    print("clicks on the page: 3 (tests/test_browser_new.py); commands: 1")
    print(json.dumps({"cli_add_s": round(add, 2), "cli_align_baseline_s": round(align, 2),
                      "web_ready_s": {f"{p:g}": round(t, 2) for p, t in webs.items()},
                      "furniture_sentences": noise, "clicks": 3, "commands": 1,
                      "load_before": round(load[0], 2)}))


if __name__ == "__main__":
    main()

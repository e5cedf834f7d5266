"""What the tests build their cases from: PO pair files from sentence lists, data directories
(corpus files, corpora.toml and a written PO file), a web client's API call and a real
`workbench serve` process, the command line run in-process. Test modules import these (tests/ is on sys.path, pytest's prepend
import mode); tests/conftest.py wraps them as fixtures."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Sequence

from click.testing import CliRunner, Result

from workbench import store
from workbench.corpus import Document, Sentence
from workbench.model import Alignment, Bead


# --- PO pair files ---

def sentences(texts: Sequence[str], separator: str = "\n\n") -> list[Sentence]:
    """The sentences of the text `separator.join(texts)`: one paragraph each, with their offsets
    and the line each starts on."""
    out, pos, lines = [], 0, separator.count("\n")
    for i, t in enumerate(texts):
        out.append(Sentence(index=i, text=t, start=pos, end=pos + len(t), paragraph=i,
                            line=lines * i + 1))
        pos += len(t) + len(separator)
    return out


def document(doc_id: str, language: str, texts: Sequence[str], path: str | None = None,
             separator: str = "\n\n") -> Document:
    """A document of the sentences `texts`; its path by the corpus convention
    (petition-ru -> corpora/petition.ru.txt, src -> corpora/src.txt) unless given."""
    if path is None:
        name, _, lang = doc_id.rpartition("-")
        path = f"corpora/{name}.{lang}.txt" if name else f"corpora/{doc_id}.txt"
    return Document(doc_id, language, path, separator.join(texts))


def make_pair_file(path: Path, src: Sequence[str], tgt: Sequence[str], beads: Sequence[Bead], *,
                   ids: tuple[str, str] = ("petition-ru", "newsweek-en"),
                   languages: tuple[str, str] = ("ru", "en"),
                   paths: tuple[str | None, str | None] = (None, None), separator: str = "\n\n",
                   settings: dict | None = None, mt: Sequence[str] | None = None,
                   mt_model: str | None = None) -> store.PairFile:
    """Write the PO file of a pair of documents made of `src` and `tgt` (one sentence a paragraph,
    paragraphs split by `separator`), aligned as `beads`; its directory is made if missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    source = document(ids[0], languages[0], src, paths[0], separator)
    rendering = document(ids[1], languages[1], tgt, paths[1], separator)
    return store.write_alignment(path, source, rendering, sentences(src, separator),
                                 sentences(tgt, separator), Alignment(list(beads), settings or {}),
                                 mt=mt, mt_model=mt_model)


# --- a data directory with one hand-made pair (the web tests' translator's page) ---

PAIR = "speech-ru__report-en"
SRC = ["Мы, граждане России, против мобилизации.",
       "Президент объявил о начале частичной мобилизации.",
       "У него нет законных оснований.",
       "Мы требуем остановить войну.",
       "Подписывайте петицию."]
TGT = ["More than 140,000 people have signed a petition.",
       "We, the citizens of Russia, oppose mobilization.",
       "The president announced the start of partial mobilization.",
       "He has no legal grounds at all.",
       "We demand an end to the war.",
       "Sign the petition."]
MT = ["We, the citizens of Russia, oppose the general mobilization.",
      "The president announced the beginning of partial mobilization.",
      "He has no legal grounds.",
      "We demand to stop the war.",
      "Sign the petition."]
BEADS = [Bead((), (0,), 0.0, "test"), Bead((0,), (1,), 0.82, "test"),
         Bead((1, 2), (2, 3), 0.7, "test"), Bead((3,), (), 0.2, "test"),
         Bead((), (4,), 0.0, "test", closest=(3, 0.41)), Bead((4,), (5,), 0.9, "test")]


def write(path: Path, text: str) -> Path:
    """A UTF-8 text file, its folders made as needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_corpus(root: Path, source: tuple[str, str, str, str | None, Sequence[str]],
                 rendering: tuple[str, str, str, str | None, Sequence[str]],
                 separator: str = "\n\n") -> None:
    """A data directory's corpora/ (two texts and a corpora.toml declaring them as one pair) and an
    empty translations/. Each side is (id, language, file name, title or None, sentences)."""
    (root / "corpora").mkdir(parents=True)
    (root / "translations").mkdir()
    toml = ""
    for doc_id, language, name, title, texts in (source, rendering):
        (root / "corpora" / name).write_text(separator.join(texts) + "\n", encoding="utf-8")
        toml += f'[documents.{doc_id}]\nfile = "{name}"\nlanguage = "{language}"\n'
        toml += (f'title = "{title}"\n' if title is not None else "") + "\n"
    toml += f'[[pairs]]\nsource = "{source[0]}"\nrendering = "{rendering[0]}"\n'
    (root / "corpora" / "corpora.toml").write_text(toml, encoding="utf-8")


def make_data_dir(root: Path, n_beads: int | None = None) -> Path:
    """A data directory with one pair whose PO file is already written: the hand-made sentences
    above, or (with n_beads) a generated pair of that many 1-1 beads."""
    if n_beads is None:
        src, tgt, mt, beads = SRC, TGT, MT, BEADS
    else:
        src = [f"Предложение номер {i} о частичной мобилизации и петиции." for i in range(n_beads)]
        tgt = [f"Sentence number {i} on the partial mobilization and the {'petition' if i % 3 else 'appeal'}."
               for i in range(n_beads)]
        mt = [f"Sentence number {i} about partial mobilization and the petition." for i in range(n_beads)]
        beads = [Bead((i,), (i,), round((i * 37 % 100) / 100, 2), "test") for i in range(n_beads)]
    write_corpus(root, ("speech-ru", "ru", "speech.ru.txt", "Речь", src),
                 ("report-en", "en", "report.en.txt", "Report", tgt))
    make_pair_file(root / "translations" / f"{PAIR}.po", src, tgt, beads,
                   ids=("speech-ru", "report-en"), settings={"method": "test"}, mt=mt,
                   mt_model="test-model 1.0")
    return root


SECOND = "appeal-ru__report-en"


def add_second_pair(root: Path) -> Path:
    """A second pair in the same data directory: its first source repeats the first pair's first,
    its second adds a word to it; its PO file written like the first's."""
    src = ["Мы, граждане России, против мобилизации.",
           "Мы, граждане России, против всеобщей мобилизации."]
    tgt = ["We, the citizens of Russia, oppose mobilization.",
           "We, the citizens of Russia, oppose general mobilization."]
    (root / "corpora" / "appeal.ru.txt").write_text("\n\n".join(src) + "\n", encoding="utf-8")
    with open(root / "corpora" / "corpora.toml", "a", encoding="utf-8") as f:
        f.write('\n[documents.appeal-ru]\nfile = "appeal.ru.txt"\nlanguage = "ru"\n\n'
                '[[pairs]]\nsource = "appeal-ru"\nrendering = "report-en"\n')
    path = root / "translations" / f"{SECOND}.po"
    make_pair_file(path, src, tgt, [Bead((0,), (0,), 0.9, "test"), Bead((1,), (1,), 0.9, "test")],
                   ids=("appeal-ru", "report-en"), settings={"method": "test"},
                   mt=["We, citizens of Russia, are against mobilization.",
                       "We, citizens of Russia, are against general mobilization."])
    return path


# --- a full disk ---

def fill(disk: Path, room: int) -> Path:
    """Fill the file system of `disk` (conftest's small_disk) until `room` bytes are left; returns
    the filler file (delete it to make room again)."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    os.truncate(filler, max(0, filler.stat().st_size - room))
    return filler


# --- a pair whose translation calls people otherwise than its source (the name map's case) ---

NAMES_PAIR = "novel-ru__novel-en"
#: Сергей Иванович is Koznyshev and Стива is Stepan Arkadyevitch three times each (the map learns
#: both); bead 5 gives Koznyshev for Анна, an error (the map gives Koznyshev for Сергей Иванович).
NAMES_SRC = ["Сергей Иванович улыбнулся.", "Левин посмотрел на Сергея Ивановича.",
             "Сергею Ивановичу было скучно.", "Стива засмеялся.",
             "Левин ответил Стиве.", "Анна прочла письмо.", "Стива ушёл домой."]
NAMES_TGT = ["Koznyshev smiled.", "Levin looked at Koznyshev.", "Koznyshev was bored.",
             "Stepan Arkadyevitch laughed.", "Levin answered Stepan Arkadyevitch.",
             "Koznyshev read the letter.", "Stepan Arkadyevitch went home."]


def make_names_data_dir(root: Path) -> Path:
    """A data directory with the NAMES pair (1-1 beads, no MT) and its PO file written."""
    write_corpus(root, ("novel-ru", "ru", "novel.ru.txt", "Роман", NAMES_SRC),
                 ("novel-en", "en", "novel.en.txt", "Novel", NAMES_TGT))
    make_pair_file(root / "translations" / f"{NAMES_PAIR}.po", NAMES_SRC, NAMES_TGT,
                   [Bead((i,), (i,), 0.9, "test") for i in range(len(NAMES_SRC))],
                   ids=("novel-ru", "novel-en"), settings={"method": "test"})
    return root


# --- the command line and the web view ---

class Runner(CliRunner):
    """click's CliRunner bound to the `workbench` command: Runner().invoke(["check", path])."""

    def invoke(self, args=None, **kwargs) -> Result:  # type: ignore[override]
        from workbench.cli import main

        return super().invoke(main, args, **kwargs)



def post(client, path: str, body: dict, revision: int | None = None, author: str = "ak"):
    """An API action through a test client that carries its CSRF token as `client.csrf`."""
    body = {"author": author, **body}
    if revision is not None:
        body = dict(body, revision=revision)
    return client.post("/api" + path, json=body, headers={"X-CSRF-Token": client.csrf})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def open_pair(page, url: str) -> None:
    """Open a page in the browser and wait until its script says it is ready."""
    page.goto(url)
    page.wait_for_selector("html[data-ready='1']")


def start_server(data_dir: Path, tmp_path: Path, *options: str,
                 command: Sequence[str] = (sys.executable, "-m", "workbench"),
                 env: dict[str, str] | None = None, cwd: Path | None = None):
    """`workbench serve` on a free port of 127.0.0.1 in its own process, once it answers:
    (its address, the process). No model installed, a translation cache of its own."""
    port = free_port()
    env = dict(os.environ if env is None else env, ARGOS_PACKAGES_DIR=str(tmp_path / "argos"),
               WORKBENCH_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("WORKBENCH_TOKEN", None)
    proc = subprocess.Popen([*command, "serve", "--data", str(data_dir), "--port", str(port),
                             *options], env=env, cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/api/session", timeout=5)
            return url, proc
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise AssertionError("server did not start:\n" + proc.stdout.read())
            time.sleep(0.2)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(timeout=10)
    proc.stdout.close()


# --- the browser tests -------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


def screenshot(page, name: str, tmp_path: Path) -> None:
    """Save a screenshot: into docs/ (the README's pictures) when WORKBENCH_SCREENSHOTS=docs, as
    `make screenshots` sets it; otherwise into the test's temporary directory, so that running the
    tests leaves the working tree as it was."""
    folder = Path(__file__).resolve().parents[1] / "docs" \
        if os.environ.get("WORKBENCH_SCREENSHOTS") == "docs" else tmp_path
    page.screenshot(path=str(folder / name), full_page=False)
    assert (folder / name).stat().st_size > 10_000

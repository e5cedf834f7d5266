"""Batch runs give the same answer wherever they run: in this process, on a local Dask cluster, and
as `workbench align`; and a local cluster listens on the loopback interface only."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from workbench import batch
from workbench.store import iter_records

REPO = Path(__file__).resolve().parents[1]

#: Sentence templates of a news report, Russian and English, with a city, a number and a name.
TEMPLATES = [
    ("В городе {city} на акцию протеста вышли {n} человек.",
     "In {city_en}, {n} people took part in a protest."),
    ("Полиция задержала {n} участников, среди них {name}.",
     "Police detained {n} participants, among them {name_en}."),
    ("Суд в городе {city} назначил {name} штраф в размере {n} тысяч рублей.",
     "A court in {city_en} fined {name_en} {n} thousand roubles."),
    ("Петицию против мобилизации подписали {n} тысяч человек.",
     "{n} thousand people signed the petition against the mobilization."),
    ("{name} заявил журналистам, что не поедет на фронт.",
     "{name_en} told reporters that he would not go to the front."),
    ("Власти города {city} отказались согласовать митинг на {n} человек.",
     "The authorities of {city_en} refused to approve a rally of {n} people."),
    ("За последние {n} дней границу пересекли тысячи мужчин призывного возраста.",
     "Thousands of men of military age crossed the border in the last {n} days."),
    ("Правозащитники насчитали {n} задержанных в городе {city}.",
     "Human rights groups counted {n} detainees in {city_en}."),
]
CITIES = [("Москва", "Moscow"), ("Казань", "Kazan"), ("Пермь", "Perm"), ("Томск", "Tomsk"),
          ("Самара", "Samara"), ("Омск", "Omsk")]
NAMES = [("Иван Петров", "Ivan Petrov"), ("Анна Смирнова", "Anna Smirnova"),
         ("Олег Волков", "Oleg Volkov"), ("Мария Орлова", "Maria Orlova")]
OWN = ["Analysts say the numbers are hard to verify.", "The Kremlin did not respond to a request "
       "for comment.", "This article has been updated.", "Read more about the protests here."]


def report_pair(seed: int, n: int = 48) -> tuple[str, str]:
    """A Russian source of `n` sentences and an English report that renders about two thirds of
    them, a few out of order, between sentences of its own: the partial search's case."""
    rng = random.Random(seed)
    src, renderings = [], []
    for _ in range(n):
        ru, en = rng.choice(TEMPLATES)
        (city, city_en), (name, name_en) = rng.choice(CITIES), rng.choice(NAMES)
        k = rng.randint(2, 900)
        src.append(ru.format(city=city, name=name, n=k))
        renderings.append(en.format(city_en=city_en, name_en=name_en, n=k))
    kept = [i for i in range(n) if rng.random() < 0.5]
    for _ in range(3):  # a few quotes moved
        a, b = rng.sample(range(len(kept)), 2)
        kept[a], kept[b] = kept[b], kept[a]
    rendering = []
    for i in kept:
        rendering.append(renderings[i])
        if rng.random() < 0.15:
            rendering.append(rng.choice(OWN))
    para = lambda lines: "\n\n".join(" ".join(lines[i:i + 3]) for i in range(0, len(lines), 3))
    return para(src) + "\n", para(rendering) + "\n"


def links(po: Path) -> list[tuple[tuple[int, ...], tuple[int, ...], float]]:
    return [(r.source, r.rendering, round(r.score, 4)) for r in iter_records(po)]


@pytest.mark.slow
def test_local_cluster_sequential_and_align_agree_on_partial_reports(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch):
    """Three partial reports of 48 source sentences (the encoder, with parts of sentences, and
    the partial search at work), steps segment, embed, align, check; each run with an empty cache
    of its own."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    for k in range(3):
        ru, en = report_pair(k)
        (tmp_path / "texts").mkdir(exist_ok=True)
        (tmp_path / "texts" / f"r{k}.ru.txt").write_text(ru, encoding="utf-8")
        (tmp_path / "texts" / f"r{k}.en.txt").write_text(en, encoding="utf-8")
    path = tmp_path / "batch.toml"
    path.write_text('output = "out"\nsource_lang = "ru"\nrendering_lang = "en"\nmode = "partial"\n'
                    'steps = ["segment", "embed", "align", "check"]\n\n[[pairs]]\n'
                    'source = "texts/*.ru.txt"\nrendering = "texts/*.en.txt"\n', encoding="utf-8")
    m = batch.load_manifest(path)
    out: dict[str, dict[str, bytes]] = {}
    for name, scheduler in (("sequential", "sequential"), ("local", "local")):
        ex = batch.executor(scheduler, 2 if scheduler == "local" else None)
        try:
            summary = batch.run(batch.Manifest(m.path, tmp_path / name, m.mode, m.pairs), ex,
                                settings=batch.Settings(cache_dir=str(tmp_path / f"cache-{name}")))
        finally:
            ex.close()
        assert (summary.status.done, summary.status.failed) == (3, 0)
        out[name] = {p.name: p.read_bytes() for p in (tmp_path / name / "translations").glob("*.po")}
    assert len(out["sequential"]) == 3
    assert out["sequential"] == out["local"]
    modes = set()
    for k in range(3):
        po = tmp_path / "sequential" / "translations" / f"texts-r{k}.ru__texts-r{k}.en.po"
        text = po.read_text(encoding="utf-8")
        assert "signals=embed,lexical" in text
        modes.add("; mode=partial;" in text)
        single = tmp_path / f"align-{k}.po"
        done = subprocess.run([sys.executable, "-m", "workbench", "align",
                               str(tmp_path / "texts" / f"r{k}.ru.txt"),
                               str(tmp_path / "texts" / f"r{k}.en.txt"), "--src-lang", "ru",
                               "--rendering-lang", "en", "--signals", "embed,lexical", "--mode",
                               "partial", "-o",
                               str(single), "--quiet"], capture_output=True, text=True,
                              timeout=300, env={**os.environ,
                                                "WORKBENCH_CACHE_DIR": str(tmp_path / "cache-align"),
                                                "PYTHONPATH": str(REPO)})
        assert done.returncode == 0, done.stderr
        assert "mode partial" in done.stderr
        assert links(single) == links(po)
    assert modes == {True}


# --- listeners -----------------------------------------------------------------------------------

def _listening(pid: int) -> set[tuple[str, int]]:
    """(address, port) of every TCP socket in state LISTEN that process `pid` or its descendants
    own, read from /proc (no tool needed)."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    pids, queue = {pid}, [pid]
    while queue:
        kids = parents.get(queue.pop(), [])
        pids.update(kids)
        queue.extend(kids)
    inodes: set[str] = set()
    for p in pids:
        try:
            for fd in Path(f"/proc/{p}/fd").iterdir():
                try:
                    target = fd.readlink().as_posix()
                except OSError:
                    continue
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except OSError:
            continue
    found: set[tuple[str, int]] = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state != "0A" or inode not in inodes:  # 0A: LISTEN
                continue
            address, port = local.split(":")
            found.add((_address(address, width), int(port, 16)))
    return found


def _address(hex_address: str, width: int) -> str:
    raw = bytes.fromhex(hex_address)
    if width == 8:
        return socket.inet_ntop(socket.AF_INET, raw[::-1])
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
    return socket.inet_ntop(socket.AF_INET6, words)


@pytest.mark.slow
def test_a_local_cluster_listens_on_loopback_only(tmp_path: Path):
    """Every listening socket of the batch process and its workers, sampled while a run is under
    way, is bound to 127.0.0.1 (none to 0.0.0.0, ::, or another address)."""
    for k in range(4):
        ru, en = report_pair(10 + k, n=24)
        (tmp_path / f"l{k}.ru.txt").write_text(ru, encoding="utf-8")
        (tmp_path / f"l{k}.en.txt").write_text(en, encoding="utf-8")
    path = tmp_path / "batch.toml"
    path.write_text('output = "out"\nsource_lang = "ru"\nrendering_lang = "en"\n'
                    'steps = ["segment", "embed", "align"]\n\n[[pairs]]\n'
                    'source = "*.ru.txt"\nrendering = "*.en.txt"\n', encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "workbench", "batch", str(path), "--workers", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO),
                                 "WORKBENCH_CACHE_DIR": str(tmp_path / "cache")})
    seen: set[tuple[str, int]] = set()
    stderr: list[str] = []
    reader = threading.Thread(target=lambda: stderr.extend(proc.stderr), daemon=True)
    reader.start()
    deadline = time.monotonic() + 240
    while proc.poll() is None and time.monotonic() < deadline:
        seen |= _listening(proc.pid)
        time.sleep(0.2)
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=30)
    reader.join(timeout=10)
    assert proc.returncode == 0, "".join(stderr)
    # the scheduler and its HTTP server, two nannies, two workers: all on the loopback interface
    assert len(seen) >= 6, seen
    assert {address for address, _ in seen} == {"127.0.0.1"}, seen

"""`workbench models list|install|remove` and `workbench translate` on the real test packages,
through the installed `workbench` command, plus a proof that none of them touches the network."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from conftest import EN_DE_PACKAGE, REPO, RU_EN_PACKAGE
from workbench.cli import main

WORKBENCH = Path(sys.executable).parent / "workbench"

TEXT = ("Юрий Гагарин. Валентина Терешкова.\n"
        "Щукин и Жуков\n"
        "\n"
        "  Москва, 21 сентября 1961 года.\n")
TRANSLATED = ("Yuriy Gagarin. Valentina Tereshkova.\n"
              "Shchukin i Zhukov\n"
              "\n"
              "  Moskva, 21 sentyabrya 1961 goda.\n")


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(WORKBENCH), *args], input=stdin, capture_output=True, text=True,
                          env=os.environ.copy(), timeout=120)


def test_install_list_translate_remove_through_the_command(argos_dir: Path, tmp_path: Path) -> None:
    empty = run("models", "list")
    assert (empty.returncode, empty.stdout) == (0, f"no translation models installed in {argos_dir}\n")
    assert empty.stderr == "install one with: workbench models install PATH.argosmodel\n"

    inst = run("models", "install", str(RU_EN_PACKAGE))
    assert inst.returncode == 0, inst.stderr
    path = argos_dir / "translate-ru_en-test-1_0"
    assert inst.stdout == f"installed ru → en\t1.0\ttranslate-ru_en\t{path}\n"
    listed = run("models", "list")
    assert listed.stdout == f"ru → en\t1.0\ttranslate-ru_en\t{path}\n"
    as_json = json.loads(run("models", "list", "--format", "json").stdout)
    assert [(p["name"], p["from"], p["to"], p["version"]) for p in as_json] == [
        ("translate-ru_en", "ru", "en", "1.0")]

    out = run("translate", "--from", "ru", "--to", "en", stdin=TEXT)
    # stderr is a pipe: no bar, one line at the end
    assert out.returncode == 0 and re.fullmatch(
        r"workbench: translate: translate 4 sentences in [\d.]+ s(, [\d.,]+/s)?; total [\d.]+ s; "
        r"1 file\n", out.stderr), out.stderr
    assert out.stdout == TRANSLATED

    removed = run("models", "remove", "ru", "en")
    assert removed.stdout == "removed ru → en\t1.0\ttranslate-ru_en\n"
    assert not path.exists()


def test_translate_jsonl_files_and_output_file(ru_en_model, tmp_path: Path) -> None:
    a = tmp_path / "a.txt"
    a.write_text("Юрий Гагарин.\n\nЩукин и Жуков\n", encoding="utf-8")
    b = tmp_path / "b.txt"
    b.write_text("Валентина Терешкова", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["translate", "--from", "ru", "--to", "en", "--format", "jsonl",
                                       "-o", str(out), str(a), str(b)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    model = {"model": "translate-ru_en", "model_version": "1.0"}
    assert records == [
        {"file": str(a), "index": 0, "source_text": "Юрий Гагарин.", "translation": "Yuriy Gagarin.",
         "start": 0, "end": 13, "paragraph": 0, "line": 1, **model},
        {"file": str(a), "index": 1, "source_text": "Щукин и Жуков", "translation": "Shchukin i Zhukov",
         "start": 15, "end": 28, "paragraph": 1, "line": 3, **model},
        {"file": str(b), "index": 0, "source_text": "Валентина Терешкова",
         "translation": "Valentina Tereshkova", "start": 0, "end": 19, "paragraph": 0, "line": 1,
         **model},
    ]
    text = CliRunner().invoke(main, ["translate", "--from", "ru", "--to", "en", str(a), str(b)])
    assert text.stdout == "Yuriy Gagarin.\n\nShchukin i Zhukov\nValentina Tereshkova"


def test_translate_pivots_from_the_command_line(ru_en_de_models) -> None:
    result = CliRunner().invoke(main, ["translate", "--from", "ru", "--to", "de", "--beam-size", "2",
                                       "--threads", "1", "--compute-type", "float32"],
                                input="Юрий Гагарин.\nЩукин и Жуков\n")
    assert (result.exit_code, result.stdout) == (0, "YURIY GAGARIN.\nSHCHUKIN I ZHUKOV\n")


def test_errors_are_one_line_with_exit_status_2(ru_en_model, tmp_path: Path) -> None:
    missing = run("translate", "--from", "ru", "--to", "fr", stdin="Юрий")
    assert missing.returncode == 2
    assert missing.stdout == ""
    assert missing.stderr == (
        "workbench: error: no translation model for ru → fr (installed: ru→en (translate-ru_en 1.0)) "
        "(install one with: workbench models install PATH/translate-ru_fr.argosmodel, "
        "or with network access: argospm update && argospm install translate-ru_fr)\n")
    bad = tmp_path / "bad.argosmodel"
    bad.write_bytes(b"not a zip")
    broken = run("models", "install", str(bad))
    assert (broken.returncode, broken.stderr) == (
        2, f"workbench: error: {bad}: not an Argos package (a .argosmodel file is a zip archive)\n")
    gone = run("models", "remove", "en", "ru")
    assert gone.returncode == 2
    assert gone.stderr.startswith("workbench: error: no installed package translates en → ru")
    device = run("translate", "--from", "ru", "--to", "en", "--compute-type", "int3", stdin="Юрий")
    assert device.returncode == 2 and "compute type 'int3' is not supported on cpu" in device.stderr


OFFLINE_SCRIPT = r"""
import json, sys
events = []
WATCHED = {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.bind",
           "socket.sendto", "urllib.Request", "http.client.connect"}

def hook(event, args):
    if event in WATCHED:
        events.append(event)
        raise RuntimeError(f"network access attempted: {event} {args!r}")

sys.addaudithook(hook)
from workbench.cli import main

for argv in json.loads(sys.argv[1]):
    main(argv, standalone_mode=False)
heavy = [m for m in ("torch", "stanza", "argostranslate.translate") if m in sys.modules]
print("RESULT " + json.dumps({"events": events, "heavy_modules": heavy}))
"""


def test_install_list_translate_attempt_no_network(argos_dir: Path, tmp_path: Path) -> None:
    """An audit hook (in a subprocess, since hooks cannot be removed) records and refuses every
    socket connect/resolve and urllib request while the real commands run; the same process shows
    that the translation path never imports torch, stanza or argostranslate.translate."""
    doc = tmp_path / "doc.txt"
    doc.write_text(TEXT, encoding="utf-8")
    commands = [["models", "install", str(RU_EN_PACKAGE)],
                ["models", "install", str(EN_DE_PACKAGE)],
                ["models", "list"],
                ["translate", "--from", "ru", "--to", "en", str(doc)],
                ["translate", "--from", "ru", "--to", "de", str(doc)]]
    proc = subprocess.run([sys.executable, "-c", OFFLINE_SCRIPT, json.dumps(commands)],
                          capture_output=True, text=True, env=os.environ.copy(), timeout=120, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    body, _, last = proc.stdout.rpartition("RESULT ")
    # no network event, and neither torch, stanza nor Argos's translate module was ever imported
    assert json.loads(last) == {"events": [], "heavy_modules": []}
    assert TRANSLATED in body
    assert TRANSLATED.upper() in body
    assert "ru → en\t1.0\ttranslate-ru_en" in body


def test_long_input_is_translated_piece_by_piece_with_the_records_of_whole_segmentation(
        ru_en_model, tmp_path: Path) -> None:
    """Past the first few kilobytes the command segments the input in pieces cut at empty lines
    (so the model starts early); records and text must be exactly those of the whole text."""
    from workbench.segment import segment

    blocks = [
        "Юрий Гагарин. Валентина Терешкова.",
        "Щукин и Жуков\nМосква, 21 сентября 1961 года.",  # stacked lines: a sentence each
        "Юрий Гагарин,\nВалентина Терешкова.",  # wrapped: one sentence over two lines
        "  Щукин и Жуков  \n \n",  # a whitespace-only line, then an empty one
        "«Юрий Гагарин. Щукин и Жуков.»",
    ]
    text = "\n\n".join(blocks[i % len(blocks)] for i in range(400)) + "\n"
    assert len(text) > 3 * 4096
    src = tmp_path / "long.ru.txt"
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "long.jsonl"
    result = CliRunner().invoke(main, ["translate", "--from", "ru", "--to", "en", "--format", "jsonl",
                                       "-o", str(out), str(src)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    whole = segment(text, "ru")
    assert len(whole) == 640
    assert [(r["index"], r["source_text"], r["start"], r["end"], r["paragraph"], r["line"]) for r in records] \
        == [(s.index, s.text, s.start, s.end, s.paragraph, s.line) for s in whole]
    translations = {r["source_text"]: r["translation"] for r in records}
    assert translations["Юрий Гагарин,\nВалентина Терешкова."] == "Yuriy Gagarin, Valentina Tereshkova."
    assert (records[-1]["source_text"], records[-1]["translation"]) == ("Щукин и Жуков.»", "Shchukin i Zhukov».")
    as_text = CliRunner().invoke(main, ["translate", "--from", "ru", "--to", "en", str(src)])
    translated = ["Yuriy Gagarin. Valentina Tereshkova.", "Shchukin i Zhukov\nMoskva, 21 sentyabrya 1961 goda.",
                  "Yuriy Gagarin, Valentina Tereshkova.", "  Shchukin i Zhukov  \n \n",
                  "«Yuriy Gagarin. Shchukin i Zhukov»."]
    assert as_text.stdout == "\n\n".join(translated[i % len(blocks)] for i in range(400)) + "\n"

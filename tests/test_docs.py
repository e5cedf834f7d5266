"""The README is a newcomer's path that runs as written, names every command and opens with the
two commands it promises; docs/reference.md holds every command in an order that runs too."""

from __future__ import annotations

import re
from pathlib import Path

import click

from workbench.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
REFERENCE = (Path(__file__).resolve().parents[1] / "docs" / "reference.md").read_text(
    encoding="utf-8")


def command_paths(group: click.Group, prefix: str = "workbench") -> list[str]:
    out = []
    for name, cmd in group.commands.items():
        path = f"{prefix} {name}"
        out.extend(command_paths(cmd, path) if isinstance(cmd, click.Group) else [path])
    return out


def test_every_command_is_in_the_readme():
    paths = command_paths(main)
    assert len(paths) >= 8
    assert [p for p in paths if p not in README] == []


def test_readme_opens_with_the_run_and_test_commands():
    code = [line.strip() for line in README.split("\n\n")[1].splitlines()]
    assert [line.split("#")[0].strip() for line in code] == ["make run", "make test"]


def _blocks(text: str, section: str) -> list[list[str]]:
    """The indented code blocks of a Markdown section, each as its command lines (comments out)."""
    text = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    blocks, current = [], []
    for line in text.splitlines():
        if line.startswith("    "):
            command = line.strip().split("   #")[0].strip()
            if command and not command.startswith("#"):
                current.append(command)
        elif current and not line.strip() == "":
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _run_in_order(commands: list[str], tmp_path: Path) -> None:
    """Run `commands` in their order in a copy of the repository's data, with `workbench` as the
    virtual environment provides it (the test model stands in for the package file; `serve` only
    checks it would start)."""
    import os
    import shutil
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[1]
    shutil.copytree(repo / "corpora", tmp_path / "corpora")
    (tmp_path / "translations").mkdir()
    shutil.copyfile(repo / "tests" / "fixtures" / "translate-ru_en-test.argosmodel",
                    tmp_path / "translate-ru_en-1_9.argosmodel")
    env = dict(os.environ, PYTHONPATH=str(repo), ARGOS_PACKAGES_DIR=str(tmp_path / "argos"),
               WORKBENCH_CACHE_DIR=str(tmp_path / "cache"))
    for command in commands:
        assert command.startswith("workbench ")
        if command.startswith("workbench serve"):
            command += " --help"  # it would serve until stopped
        run = subprocess.run(f"{sys.executable} -m {command}", shell=True, cwd=tmp_path, env=env,
                             capture_output=True, text=True, executable="/bin/bash")
        assert run.returncode == 0, (command, run.stderr)


def test_the_readmes_newcomer_path_runs_in_order_as_written(tmp_path):
    """Add your own texts, then export: the README's commands, in its order."""
    add, export = _blocks(README, "3. Add your own texts"), _blocks(README, "5. Export")
    assert add == [["workbench init mywork",
                    "workbench add --data mywork corpora/petition.ru.txt corpora/newsweek.en.txt",
                    "workbench serve --data mywork"]]
    assert len(export) == 1 and len(export[0]) == 1
    _run_in_order(add[0] + export[0], tmp_path)
    assert (tmp_path / "mywork" / "translations" / "petition-ru__newsweek-en.po").exists()
    assert (tmp_path / "corpus.tmx").exists()


def test_the_readme_is_a_newcomers_path_under_150_lines_with_its_links_in_place():
    repo = Path(__file__).resolve().parents[1]
    assert len(README.splitlines()) < 150
    assert [line[3:] for line in README.splitlines() if line.startswith("## ")] == [
        "1. Install", "2. Open the bundled pair", "3. Add your own texts", "4. Review",
        "5. Export", "More", "Commands"]
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README)
    assert len(links) >= 15
    assert [link for link in links if not (repo / link).exists()] == []


def test_the_reference_commands_run_in_order_as_written(tmp_path):
    """Every command of docs/reference.md's 'The command line in brief', in its order."""
    blocks = _blocks(REFERENCE, "The command line in brief")
    assert [len(b) for b in blocks] == [11, 5]
    _run_in_order([c for b in blocks for c in b], tmp_path)
    assert (tmp_path / "corpus.tmx").exists() and (tmp_path / "corpus.ru").exists()
    assert (tmp_path / "petition.jsonl").read_text(encoding="utf-8").count("\n") >= 5


def test_every_command_is_in_the_reference():
    assert [p for p in command_paths(main) if p not in REFERENCE] == []

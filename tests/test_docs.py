"""The README documents every command and opens with the two commands it promises."""

from __future__ import annotations

from pathlib import Path

import click

from workbench.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


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


def _readme_blocks(section: str) -> list[list[str]]:
    """The indented code blocks of a README section, each as its command lines (comments out)."""
    text = README.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
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


def test_readme_commands_run_in_order_as_written(tmp_path):
    """Every command of 'The command line in brief', in its order, in a copy of the repository's
    data, with `workbench` as the virtual environment provides it (the test model stands in for
    the package file; `serve` only checks it would start)."""
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
    blocks = _readme_blocks("The command line in brief")
    assert [len(b) for b in blocks] == [11, 5]
    for command in [c for b in blocks for c in b]:
        assert command.startswith("workbench ")
        if command.startswith("workbench serve"):
            command += " --help"  # it would serve until stopped
        run = subprocess.run(f"{sys.executable} -m {command}", shell=True, cwd=tmp_path, env=env,
                             capture_output=True, text=True, executable="/bin/bash")
        assert run.returncode == 0, (command, run.stderr)
    assert (tmp_path / "corpus.tmx").exists() and (tmp_path / "corpus.ru").exists()
    assert (tmp_path / "petition.jsonl").read_text(encoding="utf-8").count("\n") >= 5

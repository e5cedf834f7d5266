"""`workbench tm rebuild|import|export|lookup`: the translation memory."""

from __future__ import annotations

import sys

import click

from workbench.cli.base import main
from workbench.cli.progress import QUIET_OPTION, Display


# --- translation memory --------------------------------------------------------------------------

DATA_OPTION = click.option("--data", "data_dir", default=".", show_default=True,
                           type=click.Path(file_okay=False),
                           help="Directory holding translations/ (the memory indexes its PO files).")


@main.group("tm")
def tm_group() -> None:
    """The translation memory: approved beads of every pair, plus imported TMX.

    The index (translations/.memory.sqlite3) is derived from the PO files and the imports kept in
    memory/; deleting it loses nothing.
    """


@tm_group.command("rebuild")
@DATA_OPTION
@QUIET_OPTION
def tm_rebuild(data_dir: str, quiet: bool) -> None:
    """Recreate the memory's index from the PO files and imported TMX alone."""
    from workbench.memory import Memory

    memory = Memory(data_dir)
    display = Display("tm rebuild", quiet=quiet)
    report = memory.rebuild(progress=display.progress.stage("files"))
    display.finish(f"memory: {report.segments} segments from {report.files} files", counts=False)
    _report_skipped(report.errors)


def _report_skipped(errors: list) -> None:
    if errors:
        for e in errors:
            click.echo(f"workbench: error: {e} (left out of the memory)", err=True)
        sys.exit(2)


@tm_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@DATA_OPTION
def tm_import(file: str, data_dir: str) -> None:
    """Add the units of FILE (TMX 1.4b, as OmegaT or Trados write it) to the memory; a copy is kept
    in DATA/memory/ so that a rebuild keeps them."""
    from workbench.memory import Memory

    memory = Memory(data_dir)
    n = memory.import_tmx(file)
    click.echo(f"imported {n} segments from {file}; memory: {memory.count()} segments", err=True)


@tm_group.command("export")
@click.option("-o", "--output", required=True, help="The TMX file to write.")
@DATA_OPTION
def tm_export(output: str, data_dir: str) -> None:
    """Write the whole memory as TMX 1.4b (reviewer and date on each unit)."""
    from workbench.memory import export_to_path, open_memory

    memory = open_memory(data_dir)
    n = export_to_path(memory, output)
    click.echo(f"wrote {output}: {n} units", err=True)


@tm_group.command("lookup")
@click.argument("text")
@click.option("--from", "from_code", required=True, metavar="LANG", help="Language of TEXT.")
@click.option("--to", "to_code", required=True, metavar="LANG", help="Language of the renderings.")
@click.option("--min", "min_score", type=click.FloatRange(1, 100), default=70, show_default=True,
              help="Lowest fuzzy score (0-100, character-based) shown.")
@click.option("--limit", type=click.IntRange(1, 100), default=5, show_default=True)
@click.option("--semantic", is_flag=True,
              help="Also look for sources that say the same in other words (sentence encoder).")
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text",
              show_default=True, help="text: one match per block; jsonl: one object per match.")
@DATA_OPTION
def tm_lookup(text: str, from_code: str, to_code: str, min_score: float, limit: int, semantic: bool,
              fmt: str, data_dir: str) -> None:
    """Matches for TEXT in the memory: exact first, then fuzzy by score."""
    import json

    from workbench.corpus import check_language
    from workbench.memory import open_memory

    src, tgt = check_language(from_code), check_language(to_code)
    memory = open_memory(data_dir)
    matches = memory.lookup(text, src, tgt, min_score=min_score, limit=limit)
    if semantic:
        matches += memory.semantic_lookup(text, src, tgt, limit=limit)
    if fmt == "jsonl":
        click.echo("".join(json.dumps(m.to_json(), ensure_ascii=False) + "\n" for m in matches),
                   nl=False)
        return
    if not matches:
        click.echo(f"no match at {min_score:g} or above", err=True)
    for m in matches:
        s = m.segment
        marked = "".join(f"[{t}]" if tag != "equal" else t for t, tag in m.diff[1])
        who = ", ".join(x for x in (s.reviewer, s.time) if x)
        click.echo(f"{m.kind} {m.score:g}  {s.pair} {s.bead}" + (f"  ({who})" if who else ""))
        click.echo(f"  {marked}\n  {s.rendering_text}")

"""`workbench tm rebuild|import|export|lookup`: the translation memory."""

from __future__ import annotations

import sys

import click

from workbench.cli.base import main, shown
from workbench.cli.progress import QUIET_OPTION, Display


# --- translation memory --------------------------------------------------------------------------

DATA_OPTION = click.option("--data", "data_dir", default=".", show_default=True,
                           type=click.Path(file_okay=False),
                           help="Directory holding translations/ (the memory indexes its PO files).")


@main.group("tm")
def tm_group() -> None:
    """The translation memory: approved beads of every pair, plus imported TMX.

    The index lives in the cache directory ($WORKBENCH_CACHE_DIR/memory/, else
    ~/.cache/workbench/memory/, one file per data directory): it is derived from the PO files and
    the imports kept in DATA/memory/, so deleting it loses nothing.
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
    from workbench.wording import counted

    display.finish(f"memory: {counted(report.segments, 'segment')} from "
                   f"{counted(report.files, 'file')}", counts=False)
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
    from workbench.memory import MAX_SEGMENT_CHARS, Memory

    memory = Memory(data_dir)
    skipped: list[int] = []
    n = memory.import_tmx(file, skipped)
    from workbench.wording import counted

    click.echo(f"imported {counted(n, 'segment')} from {shown(file)}; memory: "
               f"{counted(memory.count(), 'segment')}", err=True)
    if skipped:
        lines = ", ".join(map(str, skipped[:10])) + (", ..." if len(skipped) > 10 else "")
        click.echo(f"workbench: warning: {shown(file)}: {counted(len(skipped), 'unit')} left out, "
                   f"with a text longer than {MAX_SEGMENT_CHARS:,} characters (line {lines}): "
                   "split them in the tool that wrote the file to keep them", err=True)


@tm_group.command("export")
@click.option("-o", "--output", required=True, help="The TMX file to write.")
@DATA_OPTION
def tm_export(output: str, data_dir: str) -> None:
    """Write the whole memory as TMX 1.4b (reviewer and date on each unit)."""
    from workbench.memory import export_to_path, open_memory

    memory = open_memory(data_dir)
    n = export_to_path(memory, output)
    from workbench.wording import counted

    click.echo(f"wrote {output}: {counted(n, 'unit')}", err=True)


@tm_group.command("lookup")
@click.argument("text")
@click.option("--from", "from_code", required=True, metavar="LANG", help="Language of TEXT.")
@click.option("--to", "to_code", required=True, metavar="LANG", help="Language of the renderings.")
@click.option("--min", "min_score", type=click.FloatRange(1, 100), default=70, show_default=True,
              help="Lowest fuzzy score (0-100, character-based) shown.")
@click.option("--limit", type=click.IntRange(1, 100), default=5, show_default=True)
@click.option("--semantic", is_flag=True,
              help="Also look for sources that say the same in other words (sentence encoder): "
                   "those that stand out from the memory's other sources, labelled semantic, "
                   "without a score, never one listed as exact or fuzzy already.")
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text",
              show_default=True, help="text: one match per block; jsonl: one object per match.")
@DATA_OPTION
def tm_lookup(text: str, from_code: str, to_code: str, min_score: float, limit: int, semantic: bool,
              fmt: str, data_dir: str) -> None:
    """Matches for TEXT in the memory: exact first, then fuzzy by score."""
    import json

    from workbench.corpus import check_argument, check_language
    from workbench.errors import InputError
    from workbench.memory import MAX_SEGMENT_CHARS, open_memory

    src, tgt = check_language(from_code), check_language(to_code)
    text = check_argument(text, "the query")
    if len(text) > MAX_SEGMENT_CHARS:
        raise InputError(f"the query is {len(text):,} characters long; the memory holds segments "
                         f"of at most {MAX_SEGMENT_CHARS:,}", hint="look up one sentence at a time")
    memory = open_memory(data_dir)
    matches = memory.lookup(text, src, tgt, min_score=min_score, limit=limit)
    if semantic:  # what the fuzzy lookup listed is not listed again
        matches += memory.semantic_lookup(text, src, tgt, limit=limit, exclude={
            (m.segment.pair, m.segment.bead) for m in matches})
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
        # a semantic match has no score: a fuzzy one's says how much of the text is the same
        label = m.kind if m.score is None else f"{m.kind} {m.score:g}"
        click.echo(f"{label}  {s.pair} {s.bead}" + (f"  ({who})" if who else ""))
        click.echo(f"  {marked}\n  {s.rendering_text}")

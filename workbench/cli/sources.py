"""The command line for one source and all its renderings: `workbench export-source`.

A thin adapter on the main command group: it builds the multi-way view of a
source (workbench.multiway) from a data directory's corpus and PO files, which it only reads, and
writes it with workbench.export.multiway.
"""

from __future__ import annotations

import click

from workbench.cli.base import main


@main.command("export-source")
@click.argument("source_id", metavar="SOURCE_ID")
@click.option("-f", "--format", "fmt", type=click.Choice(["tmx", "tsv"]), default="tmx",
              show_default=True, help="TMX (a unit per source sentence, a variant per rendering) "
                                      "or TSV (a row per source sentence, a column per rendering).")
@click.option("-o", "--output", default="-", show_default=True, help="Write here instead of stdout.")
@click.option("--data", "data_dir", default=".", show_default=True, type=click.Path(file_okay=False),
              help="Data directory holding corpora/ and translations/.")
def export_source(source_id: str, fmt: str, output: str, data_dir: str) -> None:
    """Export SOURCE_ID with every rendering corpora.toml declares for it, aligned through the
    source: the pairs' PO files as they are now (a rendering without one is left out, and said)."""
    from pathlib import Path

    from workbench import files
    from workbench.corpus import load_corpus
    from workbench.export.multiway import export_bytes
    from workbench.multiway import source_view

    view = source_view(load_corpus(data_dir), source_id)
    data = export_bytes(view, fmt)
    for col in view.columns:
        if col.error:
            click.echo(f"workbench: {col.document.id} left out: {col.error}", err=True)
    if output == "-":
        click.echo(data.decode("utf-8"), nl=False)
        return
    # the corpus's texts and the pairs' PO files are the inputs: never overwrite one of them
    root = Path(data_dir)
    inputs = [root / view.source.path] + [root / c.po for c in view.columns] + [
        root / c.document.path for c in view.columns]
    files.check_not_input([output], inputs)
    files.write_atomic(output, data)
    carried = ", ".join(f"{c.document.id} {c.carried}/{c.total}" for c in view.columns
                        if c.error is None)
    click.echo(f"wrote {output}: {len(view.rows)} source sentences"
               + (f"; carried: {carried}" if carried else ""), err=True)

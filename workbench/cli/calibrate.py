"""The command line for learning from review: `workbench calibrate`.

A thin adapter: workbench.align.calibrate reads the decisions and fits; this reads the data
directory's PO files, prints the before and after, and saves the map atomically."""

from __future__ import annotations

import click

from workbench.cli.base import main


@main.command("calibrate")
@click.option("--data", "data_dir", default=".", show_default=True,
              type=click.Path(file_okay=False),
              help="Data directory holding corpora/ and translations/.")
@click.option("--dry-run", is_flag=True, help="Print the figures; keep the current map.")
def calibrate(data_dir: str, dry_run: bool) -> None:
    """Refit the aligner's probabilities from what translators decided in DATA: approved links
    (right), rejected links and links merged into larger ones (wrong). Prints the fit's figures on
    held-out folds of those decisions, before and after, and saves the map, which later
    alignments in DATA use and record in their PO header."""
    from pathlib import Path

    from workbench import files, store
    from workbench.align import calibrate as cal
    from workbench.errors import InputError, WorkbenchError

    root = Path(data_dir)
    folder = root / "translations"
    if not folder.is_dir():
        raise InputError("no translations/ folder: nothing has been reviewed here",
                         path=str(root), hint="give the data directory with --data")
    decisions = []
    for path in sorted(folder.glob("*.po")):
        try:
            pair = store.load(path)
        except WorkbenchError as exc:
            click.echo(f"workbench: {path.relative_to(root)} left out: {exc}", err=True)
            continue
        decisions += cal.decisions_of(pair.records, path.stem)
    short = cal.shortfall(decisions)
    if short is not None:
        raise InputError(f"not enough decisions to refit: {short}", path=str(folder),
                         hint="approve or reject more links on the pair pages, then run this again")
    figures = cal.held_out(decisions)
    a, b = cal.fit(decisions)
    right = sum(d.right for d in decisions)
    click.echo(f"decisions: {len(decisions)} ({right} right, {len(decisions) - right} wrong)")
    for when in ("before", "after"):
        f = figures[when]
        click.echo(f"{when + ':':8}log-loss {f['log-loss']:.4f}  ECE {f['ece']:.4f}  "
                   f"Brier {f['brier']:.4f}  (held out, {cal.FOLDS} folds)")
    c = cal.Calibration(a, b, len(decisions),
                        provenance=f"refit on {len(decisions)} decisions in this data directory")
    click.echo(f"map: logit(p') = {a:.3f} * logit(p) {'+' if b >= 0 else '-'} {abs(b):.3f}")
    if figures["after"]["log-loss"] > figures["before"]["log-loss"]:
        click.echo("workbench: the refit map does not do better on held-out decisions; "
                   "the current one is kept", err=True)
        return
    if dry_run:
        click.echo("dry run: nothing saved")
        return
    files.write_atomic(root / cal.FILE, cal.to_json(c))
    click.echo(f"wrote {root / cal.FILE}: Prepare, Re-align, `workbench align --data` and batch "
               "runs in this data directory use it")

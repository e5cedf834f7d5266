"""`workbench export`, `check` and `batch`: commands over pairs' PO files and whole collections."""

from __future__ import annotations

import sys

import click

from workbench.cli.base import main
from workbench.cli.progress import QUIET_OPTION, screen


# --- export --------------------------------------------------------------------------------------

#: The names of workbench.export.FORMATS, listed here so that `--help` does not import lxml.
EXPORT_FORMATS = ("tmx", "xliff", "xliff2", "tsv", "jsonl", "moses", "po")


@main.command("export")
@click.argument("po_files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", required=True, type=click.Choice(EXPORT_FORMATS),
              help="tmx: TMX 1.4b. xliff: XLIFF 1.2 (one <file> per pair). xliff2: XLIFF 2.0 (one "
                   "language pair). tsv: header row, backslash escapes. jsonl: one object per bead. "
                   "moses: two line-parallel files. po: a filtered copy of one PO file.")
@click.option("-o", "--output", default="-", show_default=True,
              help="Write here instead of stdout. For moses (which needs it), OUT names two "
                   "files: OUT.<srclang> and OUT.<tgtlang> (e.g. -o corpus gives corpus.ru and "
                   "corpus.en).")
@click.option("--status", type=click.Choice(["approved", "reviewed", "all"]), default="all",
              show_default=True,
              help="approved: approved beads only; reviewed: every status except unreviewed.")
@click.option("--min-score", type=float, default=None,
              help="Only beads whose alignment score is at least X (0..1). Default: any score.")
@click.option("--include-unmatched", is_flag=True,
              help="Also export unmatched beads (n-0, 0-n: a sentence with no counterpart, the "
                   "missing side empty). Default: left out.")
@click.option("--kinds", default=None, metavar="1-1,1-2,...",
              help="Only these bead kinds (source-rendering sentence counts). Default: every kind.")
def export_command(po_files: tuple[str, ...], fmt: str, output: str, status: str,
                   min_score: float | None, include_unmatched: bool, kinds: str | None) -> None:
    """Export the beads of one or more pairs' PO_FILEs as one corpus.

    Files are written complete or not at all. Pairs of different language pairs mix in tmx (languages
    per unit), xliff (per <file>), tsv and jsonl (per row); xliff2 and moses refuse them. Characters
    XML cannot carry (U+0001, U+FFFE, ...) are dropped from tmx and xliff and counted; xliff2 keeps
    them in sentences as <cp/>. Format notes: docs/export.md.
    """
    from workbench import export
    from workbench.errors import InputError

    filters = export.Filters(status=status, min_score=min_score, include_unmatched=include_unmatched,
                             kinds=export.Filters.parse_kinds(kinds) if kinds is not None else None)
    if output == "-":
        if fmt == "moses":
            raise InputError("moses writes two files and cannot go to stdout",
                             hint="give -o OUT to write OUT.<srclang> and OUT.<tgtlang>")
        report = export.export_records(list(po_files), fmt, sys.stdout.buffer, filters)
    else:
        report = export.export_to_path(list(po_files), fmt, output, filters)
    click.echo(report.summary(), err=True)

# --- check ---------------------------------------------------------------------------------------

#: The names of workbench.check.KINDS, listed here so that `--help` does not import the checks.
CHECK_KINDS = ("number", "date", "name", "negation", "quote", "mt-missing")


@main.command("check")
@click.argument("po_files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--kinds", default=None, metavar="number,date,...",
              help=f"Only these checks, comma separated: {', '.join(CHECK_KINDS)}. Default: all.")
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text",
              show_default=True,
              help="text: FILE:LINE: bead KEY: severity kind: explanation; jsonl: one object per "
                   "finding (file, line, bead, kind, severity, key, spans, texts, dismissed).")
@click.option("--all", "show_all", is_flag=True,
              help="Also the notes: a number, date or name on one side only, which free "
                   "translation and reporting do all the time (not stored, not shown by default).")
def check_command(po_files: tuple[str, ...], kinds: str | None, fmt: str, show_all: bool) -> None:
    """Check each bead of the pairs' PO_FILES: does the rendering say what the source says?

    Numbers, dates, names, negation, quotation marks, and MT words the rendering lacks; with
    --all also the notes (one side only carries a number, date or name). The files are only read. Exit status 1 when a finding of severity error remains that no
    `check-dismissed` comment covers, else 0; 2 for a missing or damaged file or an unknown kind.
    """
    import json

    from workbench import check, store
    from workbench.corpus import decode_text, read_bytes
    from workbench.errors import InputError

    try:
        asked = check.parse_kinds(kinds) if kinds is not None else check.KINDS
    except ValueError as exc:
        raise InputError(str(exc), hint=f"use some of {','.join(check.KINDS)}") from None
    # Every file read (once: it may be a pipe) before any output.
    texts = [(path, decode_text(read_bytes(path), path)) for path in po_files]
    pairs = [(path, store.parse(text, path), text) for path, text in texts]
    counts = {"error": 0, "warning": 0, "note": 0, "dismissed": 0}
    unresolved_errors = 0
    for path, pf, text in pairs:
        lines = check.po_entry_lines(text)
        for bead in check.check_records(pf.records, src_lang=pf.source_language,
                                         tgt_lang=pf.rendering_language, kinds=asked,
                                         notes=show_all, reporting=pf.reporting,
                                         names=store.name_map(pf)):
            record = pf.record(bead.key)
            for f in bead.findings:
                dismissed = bead.dismissal(f)
                counts["dismissed" if dismissed else f.severity] += 1
                unresolved_errors += f.severity == "error" and dismissed is None
                line = lines.get(bead.key, 0)
                if fmt == "jsonl":
                    def part(text: str | None, span) -> str | None:
                        return text[span[0]:span[1]] if text is not None and span else None

                    click.echo(json.dumps({
                        "file": path, "line": line, "bead": bead.key, **f.to_dict(),
                        "source": part(record.source_text, f.source_span),
                        "rendering": part(record.rendering_text, f.rendering_span),
                        "mt": part(record.mt, f.mt_span),
                        "dismissed": dismissed.reason if dismissed else None}, ensure_ascii=False))
                else:
                    note = f" [dismissed: {dismissed.reason}]" if dismissed else ""
                    click.echo(f"{path}:{line}: bead {bead.key}: {f.severity} {f.kind}: "
                               f"{f.explanation}{note}")
    from workbench.wording import counted

    notes = f"{counted(counts['note'], 'note')}, " if show_all else ""
    click.echo(f"check: {counted(counts['error'], 'error')}, {counted(counts['warning'], 'warning')}, "
               f"{notes}{counts['dismissed']} dismissed in {counted(len(pairs), 'file')}", err=True)
    if unresolved_errors:
        sys.exit(1)

# --- batch ---------------------------------------------------------------------------------------

@main.command("batch")
@click.argument("manifest", type=click.Path(dir_okay=False))
@click.option("--scheduler", default="local", show_default=True, metavar="WHERE",
              help="local: a Dask LocalCluster of worker processes on this machine; "
                   "tcp://HOST:PORT: an existing Dask scheduler (docs/cluster.md); sequential: "
                   "every pair in this process, no Dask.")
@click.option("--workers", type=click.IntRange(1, 1024), default=None,
              help="Worker processes of the local cluster [default: one per core].")
@click.option("--overwrite", is_flag=True,
              help="Re-align pairs whose PO file holds reviewed work from other inputs or "
                   "settings, keeping the work on beads that did not change.")
@QUIET_OPTION
def batch_command(manifest: str, scheduler: str, workers: int | None, overwrite: bool,
                  quiet: bool) -> None:
    """Segment, translate, encode and align every document pair that MANIFEST (TOML, see
    docs/manifest.md) lists, into a data directory `serve` opens. Finished pairs are skipped on a
    rerun; a failed pair is reported and the others go on (exit status 1 if any failed). With the
    default steps and no translation model, pairs are aligned without MT, as `align` does. Ctrl+C
    stops the run: what finished is kept, the summary says what is left (exit status 130)."""
    from workbench import batch

    spec = batch.load_manifest(manifest)
    batch.check_output(spec)  # before a cluster is started for nothing
    from workbench.wording import counted

    ex = batch.executor(scheduler, workers)
    bar = None
    try:
        where = f"workbench: {counted(len(spec.pairs), 'pair')} on {ex.describe}"
        if isinstance(ex, batch.DaskExecutor):  # a run in this process has no dashboard
            where += f"; dashboard: {ex.dashboard or 'none (install bokeh for it)'}"
        click.echo(where, err=True)
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm

            bar = tqdm(total=len(spec.pairs), desc="pairs", unit=" pairs", file=sys.stderr,
                       leave=False, mininterval=0.2, **screen())

        def progress(status: batch.Status) -> None:
            if bar is not None:
                bar.set_postfix_str(f"{status.sentences:,} sentences, {status.failed} failed",
                                    refresh=False)
                bar.update(status.finished - bar.n)

        try:
            summary = batch.run(spec, ex, overwrite=overwrite, progress=progress)
        finally:
            if bar is not None:
                bar.close()
    except KeyboardInterrupt:  # before the run's loop: no pair was done
        summary = None
    except BaseException:
        ex.close()
        raise
    ex.close(interrupted=summary is None or summary.interrupted)
    if summary is None:
        click.echo(f"workbench: interrupted before any pair was done; {spec.output} is as it "
                   "was (run the same command again)", err=True)
        sys.exit(130)
    for line in summary.lines():
        click.echo(f"workbench: {line}", err=True)
    click.echo(f"wrote {spec.output}", err=True)
    if summary.interrupted:
        sys.exit(130)  # as a shell reports a command stopped by Ctrl+C
    if summary.failures:
        sys.exit(1)

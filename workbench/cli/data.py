"""`workbench init` and `add`: a data directory, and a translator's own texts into it."""

from __future__ import annotations

import sys

import click

from workbench.cli.base import main


@main.command("init")
@click.argument("directory", default=".", type=click.Path(file_okay=True, dir_okay=True))
def init_command(directory: str) -> None:
    """Make DIRECTORY (default: here) a data directory: corpora/ with a commented corpora.toml,
    and translations/. An existing corpora.toml is left as it is (an error)."""
    from workbench import catalog

    for path in catalog.init(directory):
        click.echo(f"made {path}", err=True)
    click.echo(f"next: workbench add --data {directory} SOURCE RENDERING...", err=True)


def _per_rendering(values: tuple[str, ...], n: int, flag: str) -> list[str | None]:
    """One value for every rendering (given once), one each (given n times), or none."""
    from workbench.errors import InputError

    if not values:
        return [None] * n
    if len(values) == 1:
        return [values[0]] * n
    if len(values) != n:
        raise InputError(f"{flag} was given {len(values)} times for {n} renderings",
                         hint="give it once for all renderings, or once for each, in order")
    return list(values)


def _each(values: tuple[str, ...], n: int, flag: str) -> list[str | None]:
    """One value for each rendering, in order, or none."""
    from workbench.errors import InputError

    if values and len(values) != n:
        raise InputError(f"{flag} was given {len(values)} times for {n} renderings",
                         hint="give it once for each rendering, in order")
    return list(values) if values else [None] * n


@main.command("add")
@click.argument("source")
@click.argument("renderings", nargs=-1, required=True)
@click.option("--data", "data_dir", default=".", show_default=True,
              type=click.Path(file_okay=False), help="The data directory (made when missing).")
@click.option("--src-lang", default=None, metavar="LANG",
              help="The source's language (ISO 639-1); default: told from its text.")
@click.option("--rendering-lang", "rendering_langs", multiple=True, metavar="LANG",
              help="The renderings' language: once for all, or once per rendering in order; "
                   "default: told from each text.")
@click.option("--src-id", default=None, metavar="ID",
              help="The source's document id; default: its file name and language (petition-ru).")
@click.option("--rendering-id", "rendering_ids", multiple=True, metavar="ID",
              help="A rendering's document id, once per rendering in order.")
@click.option("--src-title", default=None, help="The source's title; default: the file's own.")
@click.option("--rendering-title", "rendering_titles", multiple=True,
              help="A rendering's title, once per rendering in order.")
@click.option("--no-prepare", is_flag=True,
              help="Only add the texts; prepare the pairs later (their page's Prepare button).")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535),
              help="The port in the pages' addresses printed (that of `workbench serve`).")
def add_command(source: str, renderings: tuple[str, ...], data_dir: str, src_lang: str | None,
                rendering_langs: tuple[str, ...], src_id: str | None,
                rendering_ids: tuple[str, ...], src_title: str | None,
                rendering_titles: tuple[str, ...], no_prepare: bool, port: int) -> None:
    """Compare SOURCE with each RENDERING: take their text out of the files (saved web pages,
    .docx, .odt, PDF, .srt, .vtt, Markdown, text in any encoding), tell their languages, keep the
    originals beside the texts in DATA/corpora/, add the documents and one pair per rendering to
    corpora.toml, prepare each pair as the page's Prepare button does, and print the pages'
    addresses. SOURCE may also be the id of a document already in corpora.toml."""
    from pathlib import Path

    from workbench import catalog
    from workbench.ingest import FORMATS
    from workbench.project import Project

    n = len(renderings)
    langs = _per_rendering(rendering_langs, n, "--rendering-lang")
    ids = _each(rendering_ids, n, "--rendering-id")
    titles = _each(rendering_titles, n, "--rendering-title")
    project = Project(Path(data_dir))
    known = not Path(source).exists() and source in project.corpus.documents
    new_source = source if known else _document(source, src_lang, src_title, src_id, "--src-lang")
    new = [_document(path, lang, title, doc_id, "--rendering-lang")
           for path, lang, title, doc_id in zip(renderings, langs, titles, ids)]
    pairs = project.add(new_source, new)
    for d in ([] if known else [new_source]) + new:
        assert isinstance(d, catalog.NewDocument)
        click.echo(f"added {d.id}: {d.language}, {FORMATS[d.extracted.format]}, "
                   f"'{d.title or '(no title)'}' from {d.name}", err=True)
    if not no_prepare:
        for i, pair in enumerate(pairs, start=1):
            project.prepare(pair.id, progress=_progress(f"pair {i}/{len(pairs)} {pair.id}"))
            if sys.stderr.isatty():
                click.echo("", err=True)
    for pair in pairs:
        click.echo(f"http://127.0.0.1:{port}/pairs/{pair.id}")
    click.echo(f"open them with: workbench serve --data {data_dir}"
               + (f" --port {port}" if port != 5000 else ""), err=True)


def _document(path: str, language: str | None, title: str | None, doc_id: str | None, flag: str):
    from pathlib import Path

    from workbench import catalog
    from workbench.corpus import read_bytes
    from workbench.errors import InputError
    from workbench.ingest import MAX_FILE_BYTES

    hint = ("give the file of a text (or, for the source, the id of a document in "
            "corpora.toml)")
    if not Path(path).exists():
        raise InputError("no such file", path=path, hint=hint)
    # the inputs' one set of checks: a directory or device is named as such, a pipe is read in
    # bounded pieces, nothing past the largest file taken is read
    data = read_bytes(path, MAX_FILE_BYTES, hint=hint)
    return catalog.document_from_file(data, path, language=language, title=title, doc_id=doc_id,
                                      flag=flag)


def _progress(label: str):
    """A progress line on a terminal's stderr; nothing when stderr is not a terminal."""
    if not sys.stderr.isatty():
        return None

    def show(stage: str, done: int, total: int) -> None:
        click.echo(f"\r{label}: {stage} {done}/{total}\x1b[K", err=True, nl=False)

    return show

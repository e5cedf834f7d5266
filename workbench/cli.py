"""The `workbench` command line: thin click commands over the domain core.

Each command parses its options, calls one or two core functions and prints. Domain errors
(WorkbenchError) become a one-line message on stderr and the error's exit code (2 for bad input),
in one place: WorkbenchGroup.invoke. Heavy modules (argostranslate, ctranslate2, flask) are imported
inside the commands that need them so that `workbench --help` stays fast.
"""

from __future__ import annotations

import sys

import click

from workbench import __version__
from workbench.errors import WorkbenchError


class CommandError(click.ClickException):
    """A WorkbenchError on its way out: message on stderr, the error's own exit code."""

    def __init__(self, error: WorkbenchError) -> None:
        super().__init__(str(error))
        self.exit_code = error.exit_code

    def show(self, file=None) -> None:
        click.echo(f"workbench: error: {self.format_message()}", err=True)


class WorkbenchGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except WorkbenchError as exc:
            raise CommandError(exc) from None


@click.group(cls=WorkbenchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="workbench")
def main() -> None:
    """Offline translation and comparison workbench.

    Segment texts into sentences, translate offline with Argos Translate packages, align a source
    with its rendering, review the pairs in the web view and export aligned corpora.
    """


def open_output(path: str | None):
    """stdout for '-' or None, else a text file (the caller writes, then closes)."""
    if path in (None, "-"):
        return click.get_text_stream("stdout")
    return open(path, "w", encoding="utf-8")


# --- segment -------------------------------------------------------------------------------------

@main.command("segment")
@click.argument("file", type=click.Path(dir_okay=True, allow_dash=True))
@click.option("--lang", "lang", required=True, metavar="LANG",
              help="ISO 639-1 code of the text's language (ru, en, de, ...).")
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text",
              show_default=True,
              help="text: one sentence per line; jsonl: one object per sentence with index, text, "
                   "start, end (character offsets), paragraph and line.")
@click.option("--presegmented", is_flag=True,
              help="The file already holds one sentence per line: keep its lines as they are.")
@click.option("-o", "--output", default="-", show_default=True, help="Write here instead of stdout.")
def segment_command(file: str, lang: str, fmt: str, presegmented: bool, output: str) -> None:
    """Split FILE (UTF-8 text, '-' for stdin) into sentences."""
    import json

    from workbench.corpus import check_language, decode_text, read_text
    from workbench.errors import InputError
    from workbench.segment import segment, segment_lines

    code = check_language(lang)
    if file == "-":
        text = decode_text(sys.stdin.buffer.read(), "<stdin>")
    else:
        text = read_text(file)
    sentences = segment_lines(text) if presegmented else segment(text, code)
    lines = []
    for s in sentences:
        if fmt == "jsonl":
            record = {"index": s.index, "text": s.text, "start": s.start, "end": s.end,
                      "paragraph": s.paragraph, "line": s.line}
            lines.append(json.dumps(record, ensure_ascii=False))
        else:
            # a sentence of wrapped prose holds line breaks; the text format keeps one per line
            lines.append(" ".join(s.text.split()))
    body = "".join(line + "\n" for line in lines)
    if output == "-":
        click.echo(body, nl=False)
    else:
        try:
            with open(output, "w", encoding="utf-8") as out:
                out.write(body)
        except OSError as exc:
            raise InputError(f"cannot write: {exc.strerror}", path=output) from None


# --- align ---------------------------------------------------------------------------------------

# --- models / translate --------------------------------------------------------------------------

# --- export --------------------------------------------------------------------------------------

# --- serve ---------------------------------------------------------------------------------------

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@main.command()
@click.option("--data", "data_dir", default=".", show_default=True,
              type=click.Path(file_okay=False), help="Directory holding corpora/ and translations/.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--token", envvar="WORKBENCH_TOKEN", default=None,
              help="Access token every request must carry; required to bind a non-loopback host "
                   "(or set WORKBENCH_TOKEN).")
def serve(data_dir: str, host: str, port: int, token: str | None) -> None:
    """Serve the web view of the document pairs in DATA."""
    from pathlib import Path

    from workbench.corpus import load_corpus
    from workbench.errors import InputError

    if host not in LOOPBACK and not token:
        raise InputError(f"refusing to serve on {host} without an access token",
                         hint="pass --token SECRET (or set WORKBENCH_TOKEN), or bind 127.0.0.1")
    root = Path(data_dir)
    load_corpus(root)  # fail now, with the file and line, rather than on the first request
    from workbench.web import create_app

    app = create_app({"DATA_DIR": str(root.resolve()), "AUTH_TOKEN": token})
    click.echo(f"Serving {root.resolve()} on http://{host}:{port}/ (Ctrl+C to stop)", err=True)
    app.run(host=host, port=port, debug=False, use_reloader=False)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

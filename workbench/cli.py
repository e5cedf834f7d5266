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

# --- align ---------------------------------------------------------------------------------------

# --- models / translate --------------------------------------------------------------------------

# --- export --------------------------------------------------------------------------------------

# --- serve ---------------------------------------------------------------------------------------


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

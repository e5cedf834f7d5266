"""The `workbench` command group and what every command shares: the error mapping, in one place
(WorkbenchGroup.invoke: a WorkbenchError becomes a one-line message on stderr and the error's exit
code, 2 for bad input; click's usage errors become one line in the same form), and writing an
output (`-o`) whole or not at all.
"""

from __future__ import annotations


import click

from workbench import __version__
from workbench.errors import WorkbenchError


def shown(text: str) -> str:
    """`text` as a terminal can print it: bytes of a file name (or argument) that are not UTF-8,
    which Python keeps as lone surrogates, written as \\xNN."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace") \
        if any("\udc80" <= c <= "\udcff" for c in text) else text


class CommandError(click.ClickException):
    """A WorkbenchError on its way out: message on stderr, the error's own exit code."""

    def __init__(self, error: WorkbenchError) -> None:
        super().__init__(shown(str(error)))
        self.exit_code = error.exit_code

    def show(self, file=None) -> None:
        click.echo(f"workbench: error: {self.format_message()}", err=True)


class UsageLine(click.ClickException):
    """Click's usage error (a bad option, a directory where a file belongs) as one line, in the
    same form as every other error, instead of click's usage text, hint and message."""

    exit_code = 2

    def __init__(self, error: click.UsageError) -> None:
        super().__init__(error.format_message())
        self.command_path = error.ctx.command_path if error.ctx is not None else "workbench"

    def show(self, file=None) -> None:
        message = " ".join(self.format_message().split())
        click.echo(f"workbench: error: {message} (see '{self.command_path} --help')", err=True)


def _one_line(exc: click.UsageError) -> click.ClickException:
    # A group called without a command shows its help, as `--help` would: keep that.
    if type(exc).__name__ == "NoArgsIsHelpError":
        return exc
    return UsageLine(exc)


class WorkbenchGroup(click.Group):
    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            raise _one_line(exc) from None

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except WorkbenchError as exc:
            raise CommandError(exc) from None
        except click.UsageError as exc:
            raise _one_line(exc) from None


@click.group(cls=WorkbenchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="workbench")
def main() -> None:
    """Offline translation and comparison workbench.

    Segment texts into sentences, translate offline with Argos Translate packages, align a source
    with its rendering, review the pairs in the web view and export aligned corpora.
    """


def write_output(path: str, body: str, inputs: tuple[str, ...] = ()) -> None:
    """Print `body` for '-', else write it to `path` whole or not at all (files.write_atomic:
    links written through, pipes and devices written directly). An output that is one of the
    `inputs` is refused before anything is written."""
    if path == "-":
        click.echo(body, nl=False)
        return
    from workbench import files

    files.check_not_input([path], inputs)
    files.write_atomic(path, body.encode("utf-8"))


def check_output(path: str, inputs: tuple[str, ...]) -> None:
    """Refuse `-o` naming one of the inputs now, before any work is done."""
    from workbench import files

    files.check_not_input([path], inputs)

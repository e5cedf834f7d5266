"""One exception hierarchy for the whole workbench.

Every error a user can cause is a WorkbenchError whose message says what was wrong, where (file and
line or byte offset where known) and what to do. Adapters map the classes to exit codes (cli) and
HTTP statuses (web) in one place each; nothing else catches them.
"""

from __future__ import annotations


class WorkbenchError(Exception):
    """Base class. `exit_code` is what the CLI exits with, `http_status` what the web API answers."""

    exit_code = 2
    http_status = 400

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 hint: str | None = None) -> None:
        self.message = message
        self.path = path
        self.line = line
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line is not None else f"{self.path}: "
        text = f"{where}{self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class InputError(WorkbenchError):
    """A file or argument the user gave cannot be used (missing, not UTF-8, empty, binary)."""


class TooLargeError(InputError):
    """A request or a field longer than the workbench's limits (web: request body, annotation)."""

    http_status = 413


class UnsupportedMediaError(InputError):
    """A request body that is not of the type the route reads (web: a non-JSON body to the API)."""

    http_status = 415


class StorageError(WorkbenchError):
    """The disk is full (or the user's quota spent): nothing was written, nothing the user saved
    was lost, and the same action works again once there is room. 74 is sysexits' EX_IOERR."""

    exit_code = 74
    http_status = 507


class LanguageError(WorkbenchError):
    """An unknown or unsupported language code."""


class UndetectedLanguageError(LanguageError):
    """A text whose language cannot be told (too short, or too close between languages): the
    user must name it."""

    http_status = 422


class ExtractError(InputError):
    """A translator's file whose text cannot be taken out: damaged for its format."""


class UnknownFormatError(ExtractError):
    """A file of a kind the workbench takes no text from (an image, a spreadsheet, ...)."""

    http_status = 415


class NoTextError(ExtractError):
    """A file that holds no text to compare: a scanned PDF without a text layer, a page with no
    article."""

    http_status = 422


class UnsafeFileError(ExtractError):
    """A file that would take far more memory or time than its size says (a zip bomb)."""

    http_status = 413


class ExtractTimeoutError(ExtractError):
    """A file whose parsing ran over the time limit."""

    http_status = 422


class DuplicateError(InputError):
    """A document id, pair or file that the data directory already has."""

    http_status = 409


class CancelledError(WorkbenchError):
    """Work the user cancelled before it was done (nothing of it was written)."""

    exit_code = 130
    http_status = 409


class ParseError(WorkbenchError):
    """A file in a known format is damaged or was not written by the workbench."""


class SerializationError(WorkbenchError):
    """Something could not be written in the requested format."""


class ReadOnlyError(WorkbenchError):
    """A file the workbench can show but must not rewrite: saving it would drop content."""

    http_status = 403


class NotFoundError(WorkbenchError):
    """A document, pair or bead that does not exist."""

    http_status = 404


class NotPreparedError(NotFoundError):
    """A document pair of the corpus whose PO file has not been made yet (reading never makes it)."""


class ConflictError(WorkbenchError):
    """A save based on a stale revision; the caller must reload and reapply."""

    exit_code = 3
    http_status = 409

    def __init__(self, message: str, *, current_revision: int | None = None, **kw) -> None:
        self.current_revision = current_revision
        super().__init__(message, **kw)


class ModelError(WorkbenchError):
    """A translation model or the sentence encoder is missing, cannot be installed or cannot be loaded."""

    http_status = 422

"""How a message writes a count ("1 error", "2 errors") and a command to run in a data directory."""

from __future__ import annotations

import re
import shlex
from pathlib import Path


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """`n` and the noun, singular for exactly one (`plural` when the noun does not take an -s)."""
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"


def in_directory(text: str, root: str | Path) -> str:
    """`text` with each command `cd ROOT && CMD` written as `CMD` in the data directory, for a
    page or an answer, which never show the server's absolute paths."""
    where = re.escape(shlex.quote(str(root)))
    return re.sub(rf"`cd {where} && ([^`]*)`", r"`\1` in the data directory", text)

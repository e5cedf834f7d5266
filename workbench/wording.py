"""How a count is written in a message: "1 error", "2 errors", "0 warnings"."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """`n` and the noun, singular for exactly one (`plural` when the noun does not take an -s)."""
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"

"""Sentence alignment of a source with a rendering that may only partly reproduce it.

(Work in progress: data types first; the scoring and search follow in this module.)
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Bead:
    """An aligned unit: source sentence ids, rendering sentence ids (0-based, ascending, either may be
    empty), a score in [0, 1] where low means "look here first", and the method that produced it."""

    source: tuple[int, ...]
    target: tuple[int, ...]
    score: float
    method: str

    @property
    def kind(self) -> str:
        return f"{len(self.source)}-{len(self.target)}"


@dataclass
class Alignment:
    """Beads in display order, plus the settings that produced them (recorded in PO headers)."""

    beads: list[Bead]
    settings: dict[str, str] = field(default_factory=dict)

"""Plain data shared by the stages: the aligned unit (Bead) and an alignment (Alignment).

No logic that needs I/O or the aligner lives here, so the store and the exporters can use these
types without importing the alignment code."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Bead:
    """An aligned unit: source sentence ids, rendering sentence ids (0-based, ascending, either may be
    empty), a score in [0, 1] where low means "look here first", and the method that produced it.
    A rendering sentence left unmatched may keep its closest source sentence and the probability
    that linking them would be right (`closest`), offered to the translator as a suggestion."""

    source: tuple[int, ...]
    rendering: tuple[int, ...]
    score: float
    method: str
    closest: tuple[int, float] | None = None

    @property
    def kind(self) -> str:
        return f"{len(self.source)}-{len(self.rendering)}"


@dataclass
class Alignment:
    """Beads in display order, plus the settings that produced them (recorded in PO headers)."""

    beads: list[Bead]
    settings: dict[str, str] = field(default_factory=dict)


"""The one clock: the UTC time, to the second, that the store, the history and the exports record.

Every stamp the workbench writes comes from `now()` in one form (ISO 8601, `2026-11-25T03:00:00Z`);
the other forms some formats want (TMX's compact dates, the PO header's dates) are derived from it
here, so that no two parts of a save can disagree about the time or its format.
"""

from __future__ import annotations

from datetime import datetime, timezone

_ISO = "%Y-%m-%dT%H:%M:%SZ"


def now() -> str:
    """The current UTC time as ISO 8601 to the second: 2026-11-25T03:00:00Z."""
    return datetime.now(timezone.utc).strftime(_ISO)


def compact(iso: str | None = None) -> str:
    """`iso` (default: now) in the basic ISO form TMX and file names use: 20261125T030000Z."""
    return (iso or now()).replace("-", "").replace(":", "")


def po_date(iso: str | None = None) -> str:
    """`iso` (default: now) in the form of a PO header's dates: 2026-11-25 03:00+0000."""
    return datetime.strptime(iso or now(), _ISO).strftime("%Y-%m-%d %H:%M+0000")

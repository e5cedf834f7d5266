"""The one clock: the UTC time, to the second, that the store, the history, the exports and batch
runs record.

Every stamp the workbench writes comes from `now()` in one form (ISO 8601, `2026-11-25T03:00:00Z`);
the other forms some formats want (TMX's compact dates, the PO header's dates) are derived from it
here, so that no two parts of a save can disagree about the time or its format. `now()` honours
SOURCE_DATE_EPOCH (seconds since 1970), so that every writer gives reproducible files when it is
set.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone

from workbench.errors import InputError

_ISO = "%Y-%m-%dT%H:%M:%SZ"


def now() -> str:
    """The current UTC time as ISO 8601 to the second: 2026-11-25T03:00:00Z; the time that
    SOURCE_DATE_EPOCH gives when it is set (InputError when it is not a number of seconds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return datetime.now(timezone.utc).strftime(_ISO)
    try:
        return datetime.fromtimestamp(int(epoch), timezone.utc).strftime(_ISO)
    except (ValueError, OverflowError, OSError):
        raise InputError(f"SOURCE_DATE_EPOCH is not a number of seconds: {epoch!r}",
                         hint="unset it, or give seconds since 1970") from None


def compact(iso: str | None = None) -> str:
    """`iso` (default: now) in the basic ISO form TMX and file names use: 20261125T030000Z."""
    return (iso or now()).replace("-", "").replace(":", "")


def po_date(iso: str | None = None) -> str:
    """`iso` (default: now) in the form of a PO header's dates: 2026-11-25 03:00+0000."""
    return datetime.strptime(iso or now(), _ISO).strftime("%Y-%m-%d %H:%M+0000")

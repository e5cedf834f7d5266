"""The `workbench` command line: thin click commands over the domain core.

Each command parses its options, calls one or two core functions and prints. The group and the one
place where domain errors (WorkbenchError) become a one-line message and an exit code are in
base.py; the commands are grouped by what they work on: texts.py (segment, align, translate),
data.py (init, add),
models.py, corpus.py (export, check, batch), sources.py (export-source), serve.py and tm.py. Heavy modules (argostranslate,
ctranslate2, flask) are imported inside the commands that need them so that `workbench --help`
stays fast.
"""

from __future__ import annotations

import sys

from workbench.cli.base import CommandError, UsageLine, WorkbenchGroup, main
from workbench.cli import calibrate, corpus, data, models, serve, sources, texts, tm  # noqa: F401  (they add the commands)
from workbench.cli.corpus import CHECK_KINDS, EXPORT_FORMATS

__all__ = ["CHECK_KINDS", "EXPORT_FORMATS", "CommandError", "UsageLine", "WorkbenchGroup", "main"]

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

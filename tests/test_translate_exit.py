"""A process that starts loading a model in the background and ends before it translates anything
(every sentence came from the cache, or an input was refused) exits cleanly: it waits for the load,
and is not aborted by a loader thread coming back for the GIL while the interpreter finalizes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# ctranslate2 and the tokenizers are imported first, so that the loader goes straight into the
# native model load and the script ends while it is there (the window `workbench translate` hit
# with a warm cache); atexit handlers run after the interpreter has waited for non-daemon threads
EXIT_WHILE_LOADING = """
import atexit
import ctranslate2, argostranslate.tokenizer
from workbench.translate import find_engine

engine = find_engine("ru", "en", cache=False)
atexit.register(lambda: print("loaded" if engine._translator is not None else "not loaded"))
engine.load_in_background()
"""


def test_process_ending_while_the_model_loads_waits_for_it_and_exits_zero(ru_en_model) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    # with a daemon loader nearly every run of this script aborted (exit -6, "terminate called
    # without an active exception"); three runs make a regression all but certain to show
    for _ in range(3):
        run = subprocess.run([sys.executable, "-c", EXIT_WHILE_LOADING], env=env,
                             capture_output=True, text=True, timeout=120)
        assert (run.returncode, run.stdout, run.stderr) == (0, "loaded\n", "")

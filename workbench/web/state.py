"""What the web app holds between requests: one workbench.project.Project for its data directory
(the corpus, the engines, the sentence encoder, the editor's parsed PO files and history index,
the translation memory's connections) and its background preparations (workbench.jobs).
`workspace()` and `jobs()` are the current app's.
"""

from __future__ import annotations

from flask import current_app

from workbench.jobs import Jobs
from workbench.project import Project


def workspace() -> Project:
    return current_app.extensions["workbench"]


def jobs() -> Jobs:
    return current_app.extensions["workbench-jobs"]

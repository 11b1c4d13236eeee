"""Telling open run pages that a workflow tree changed (a step began, a branch ended, a TALK).

The database is the truth; the group message is only a nudge sent after commit, and the page
reads what changed (workflows/consumers.py). The engine calls :func:`run_changed` on every save,
several times per step, so it goes through :mod:`gbproject.nudges`: an on-commit callback that
queues the nudge for a background sender, which merges the nudges of one tree still queued.
"""

from __future__ import annotations

from gbproject import nudges

RUN_UPDATE = "run.update"


def run_group(root_id: int) -> str:
    """The channel-layer group of the pages showing one workflow tree."""
    return f"workflow-run.{root_id}"


def run_changed(root_id: int) -> None:
    """Nudge the tree's open pages once the current transaction commits."""
    nudges.nudge(run_group(root_id), {"type": RUN_UPDATE, "root": root_id})


def drain(timeout: float = 10.0) -> None:
    """Wait until the nudges sent so far have reached the channel layer (tests, benchmarks)."""
    nudges.drain(timeout)

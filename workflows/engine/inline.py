"""Advancing the runs a wake-up made runnable in the thread that noticed them.

A worker thread that fires a timer or delivers an event would otherwise send each run it woke
through the broker, to wait there for a free worker. Advancing a few itself, and then the runs
those wake in turn (a branch's end wakes its parent's join), saves those trips; past the budget
the rest go to the workers, so one busy thread never holds many runs.
"""

from __future__ import annotations

import logging

from workflows.engine.advance import advance
from workflows.engine.dispatch import CeleryDispatch, LocalDispatch

logger = logging.getLogger(__name__)


def advance_woken(woken: LocalDispatch, *, worker: str, budget: int) -> None:
    """Advance up to ``budget`` of the runs ``woken`` collected (and those they wake); queue the
    rest on Celery."""
    celery = CeleryDispatch()
    while woken.ready:
        execution_id = woken.ready.popleft()
        if budget <= 0:
            celery.wake(execution_id)
            continue
        budget -= 1
        try:
            advance(execution_id, dispatch=woken, worker=worker)
        except Exception:  # its lease runs out and the reaper queues it again
            logger.exception("execution %s could not be advanced here; the reaper requeues it", execution_id)

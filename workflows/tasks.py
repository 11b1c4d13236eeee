"""Celery tasks of the workflow engine. Thin: they call the engine.

Tasks are acknowledged late (settings) and safe to deliver twice: advancing starts by claiming
the execution with a version check, so a second delivery finds it claimed or done.
"""

from __future__ import annotations

import os
import socket

from celery import shared_task

from workflows.engine import CeleryDispatch, advance
from workflows.engine.timers import executions_requeue_stalled, timers_fire_due


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@shared_task(name="workflows.advance", ignore_result=True)
def advance_execution(execution_id: int) -> str:
    return advance(execution_id, dispatch=CeleryDispatch(), worker=worker_name())


@shared_task(name="workflows.sweep", ignore_result=True)
def sweep() -> int:
    """The periodic sweep (celery beat, registered by a migration): fire due timers, requeue
    executions whose worker died. Returns how many it acted on."""
    dispatch = CeleryDispatch()
    return timers_fire_due(dispatch=dispatch) + executions_requeue_stalled(dispatch=dispatch)

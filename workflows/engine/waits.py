"""Waits other apps teach the engine (the events app: WAIT FOR EVENT), so the engine never
imports them.

A wait handler runs in the segment's transaction when an execution stops at that wait: it
writes the rows that will end the wait and returns the detail the execution keeps. A timer
handler acts on a due :class:`~workflows.models.WorkflowTimer` of its kind (the sweep claimed it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workflows.engine.dispatch import Dispatch
from workflows.models import WorkflowExecution, WorkflowTimer

WaitHandler = Callable[[WorkflowExecution, dict[str, Any]], dict[str, Any]]
TimerHandler = Callable[[WorkflowTimer, Dispatch], None]

wait_handlers: dict[str, WaitHandler] = {}
timer_handlers: dict[str, TimerHandler] = {}


def register_wait(waiting_for: str, on_wait: WaitHandler, *, timer_kind: str, on_timer: TimerHandler) -> None:
    wait_handlers[waiting_for] = on_wait
    timer_handlers[timer_kind] = on_timer

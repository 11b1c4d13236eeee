"""Helpers for workflow tests: bots from packages, and running a workflow to a stop."""

from __future__ import annotations

import time
from typing import Any

from bots.models import Bot
from bots.runtime.scripts import dialog_script
from tests.bots.conversation_support import make_bot
from workflows.engine import CeleryDispatch, LocalDispatch
from workflows.engine.foreground import ForegroundOutcome, run_foreground
from workflows.engine.timers import executions_requeue_stalled, timers_fire_due
from workflows.models import WorkflowExecution
from workflows.services import workflow_start

__all__ = ["make_bot", "start", "run_here", "wait_final", "talked"]


def start(
    bot: Bot, script: str, inputs: dict[str, Any] | None = None, *, dispatch: Any = None
) -> WorkflowExecution:
    found = dialog_script(bot, script)
    assert found is not None, script
    return workflow_start(bot=bot, script=found, inputs=inputs, dispatch=dispatch)


def run_here(
    bot: Bot, script: str, inputs: dict[str, Any] | None = None
) -> tuple[ForegroundOutcome, list[str]]:
    """Run a workflow in this process (as ``gb run`` does); returns the outcome and every TALK."""
    said: list[str] = []
    dispatch = LocalDispatch()
    execution = start(bot, script, inputs, dispatch=dispatch)
    outcome = run_foreground(
        execution, dispatch, on_talk=lambda _e, message: said.append(message.content), max_sleep=0.05
    )
    return outcome, said


def wait_final(
    execution: WorkflowExecution, *, timeout: float = 60.0, sweep: bool = True
) -> WorkflowExecution:
    """Wait for workers to end a workflow; the sweep beat would run is run here between polls."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        execution.refresh_from_db()
        if execution.is_final:
            return execution
        if sweep:
            timers_fire_due(dispatch=CeleryDispatch())
            executions_requeue_stalled(dispatch=CeleryDispatch())
        time.sleep(0.05)
    raise AssertionError(f"workflow {execution.pk} is still {execution.status} after {timeout} s")


def talked(execution: WorkflowExecution) -> list[str]:
    from bots.models import Message

    return list(
        Message.objects.filter(conversation_id=execution.conversation_id, kind="text")
        .order_by("id")
        .values_list("content", flat=True)
    )

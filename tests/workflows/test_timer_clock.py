"""Timers fire on time in the worker process that set them (workflows/engine/clock.py); the
sweep that beat runs is only the safety net."""

from __future__ import annotations

import time

import pytest

from tests.workflows.support import make_bot, start, wait_final
from workflows.engine import CeleryDispatch, LocalDispatch, advance
from workflows.engine.clock import TimerClock
from workflows.engine.timers import timer_fire
from workflows.models import ExecutionStatus, WorkflowExecution, WorkflowTimer

pytestmark = pytest.mark.django_db(transaction=True)

NAP = 'ORCHESTRATE WORKFLOW "nap"\nSTEP 1: DELAY 0.2\nEND WORKFLOW\nRETURN "rested"\n'


def _final(execution: WorkflowExecution, timeout: float = 30) -> WorkflowExecution:
    deadline = time.monotonic() + timeout
    while not execution.is_final:
        assert time.monotonic() < deadline, f"execution {execution.pk} is still {execution.status}"
        time.sleep(0.02)
        execution.refresh_from_db()
    return execution


def test_a_worker_ends_a_delay_by_itself_without_the_sweep(make_package, workflow_queue) -> None:
    bot = make_bot(make_package, "sleepy", {"flow.bas": NAP})
    execution = wait_final(start(bot, "flow"), sweep=False)
    assert execution.status == ExecutionStatus.COMPLETED, execution.error
    assert execution.result == "rested"
    timer = WorkflowTimer.objects.get(execution=execution)
    assert timer.fired_at is not None and timer.fired_at >= timer.due_at


def test_the_clock_fires_a_timer_it_was_given_once_and_runs_the_woken_workflow(make_package) -> None:
    bot = make_bot(make_package, "sleepy", {"flow.bas": NAP})
    dispatch = LocalDispatch()
    execution = start(bot, "flow", dispatch=dispatch)
    assert advance(dispatch.ready.popleft(), dispatch=dispatch, worker="test") == "waiting"
    timer = WorkflowTimer.objects.get(execution=execution)
    clock = TimerClock()
    clock.start()
    try:
        clock.add(timer.pk, timer.due_at)
        execution = _final(execution)
    finally:
        clock.stop()
        clock.join(timeout=5)
    assert not clock.is_alive()
    assert execution.status == ExecutionStatus.COMPLETED, execution.error
    assert execution.result == "rested"
    assert execution.lease_owner == ""
    # Fired once: the sweep (or a second clock) finds nothing left to do.
    assert timer_fire(timer.pk, dispatch=CeleryDispatch()) is False

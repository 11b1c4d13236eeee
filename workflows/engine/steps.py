"""Step boundaries, step failures (retry or fail) and the end of an execution.

The VM state saved when a STEP begins is the step's *checkpoint*: a retry, a step TIMEOUT and
resuming a failed workflow all continue from it, so completed steps never run again, and
completed effects inside the step (a BOT call, an approval) are reused from the journal.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from basic import vm
from basic.errors import BasicError
from bots.models import Message
from bots.runtime.prepared import PreparedInsert, PreparedUpdate
from workflows.engine import children
from workflows.engine.clock import timer_add
from workflows.engine.dispatch import Dispatch
from workflows.engine.store import release, save
from workflows.models import (
    ExecutionKind,
    ExecutionStatus,
    StepRun,
    StepStatus,
    TimerKind,
    WorkflowExecution,
    WorkflowTimer,
)


def main_variables(state: dict[str, Any] | str) -> dict[str, Any]:
    """The script's own variables in a saved VM state (compiler temporaries left out)."""
    if isinstance(state, str):
        state = json.loads(state) if state else {}
    frames = state.get("frames") or [{}]
    return visible(frames[0].get("vars") or {})


def visible(variables: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in variables.items() if not name.startswith("#")}


def changed(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Variables that are new or hold another value in ``after``."""
    return {name: value for name, value in after.items() if name not in before or before[name] != value}


def _running_step(execution_id: int, seq: int, attempt: int) -> QuerySet[StepRun]:
    return StepRun.objects.filter(
        execution_id=execution_id, seq=seq, attempt=attempt, status=StepStatus.RUNNING
    )


# Every step opens one StepRun and closes another: their SQL is compiled once per process.
_STEP_OPEN = PreparedInsert(StepRun)
_STEP_CLOSE = PreparedUpdate(_running_step, execution_id=int, seq=int, attempt=int)


def _close_step(
    execution: WorkflowExecution, variables: dict[str, Any], status: str, error: str = ""
) -> None:
    if not execution.step_seq:
        return
    before = main_variables(execution.checkpoint)
    _STEP_CLOSE.run(
        {"status": status, "output": changed(before, variables), "error": error, "ended_at": timezone.now()},
        execution_id=execution.pk,
        seq=execution.step_seq,
        attempt=execution.attempt,
    )


def step_boundary(
    execution: WorkflowExecution,
    state: dict[str, Any],
    state_json: str,
    detail: dict[str, Any],
    *,
    worker: str,
) -> None:
    """A STEP began (or END WORKFLOW closed the last one): close the running step, open the next."""
    variables = main_variables(state)
    if execution.current_step:
        _close_step(execution, variables, StepStatus.COMPLETED)
    if (execution.detail.get("policy") or {}).get("timer"):  # only a step with TIMEOUT made one
        WorkflowTimer.objects.filter(
            execution=execution, kind=TimerKind.STEP_TIMEOUT, fired_at__isnull=True
        ).delete()
    fields: dict[str, Any] = {
        "state": state_json,
        "wake": None,
        "checkpoint": state_json,
        "attempt": 1,
        "detail": {"policy": {}},
        "scripts": execution.scripts,
    }
    if detail.get("end"):
        save(execution, current_step="", **fields)
        return
    seq = execution.step_seq + 1
    _STEP_OPEN.save(
        StepRun(
            execution=execution,
            seq=seq,
            step=detail["label"],
            title=detail.get("title", ""),
            branch=execution.branch,
            attempt=1,
            line=detail.get("line", 0),
            input=variables,
            started_at=timezone.now(),
            worker=worker,
        )
    )
    save(execution, current_step=detail["label"], step_seq=seq, **fields)


def step_timer_ensure(execution: WorkflowExecution, policy: dict[str, Any]) -> None:
    """Create the current step's TIMEOUT timer once, due from when the step (attempt) began."""
    seconds = policy.get("timeout")
    if not seconds or policy.get("timer") == [execution.step_seq, execution.attempt]:
        return
    began = (
        StepRun.objects.filter(execution=execution, seq=execution.step_seq, attempt=execution.attempt)
        .values_list("started_at", flat=True)
        .first()
    ) or timezone.now()
    timer_add(
        execution.pk,
        TimerKind.STEP_TIMEOUT,
        began + timedelta(seconds=float(seconds)),
        {"step_seq": execution.step_seq, "attempt": execution.attempt, "seconds": seconds},
    )
    policy["timer"] = [execution.step_seq, execution.attempt]


def step_failed(
    execution: WorkflowExecution, error: BasicError | str, *, policy: dict[str, Any], dispatch: Dispatch
) -> None:
    """The current attempt failed: retry the step from its checkpoint after a back-off (RETRY),
    or fail the execution and tell its parent."""
    text = str(error)
    variables = main_variables(execution.state)
    _close_step(execution, variables, StepStatus.FAILED, text)
    children.cancel_children(execution)
    children.cancel_waits(execution)
    retries = int(policy.get("retry", 0))
    if execution.current_step and execution.checkpoint and execution.attempt <= retries:
        delay = settings.GB_WORKFLOW_RETRY_SECONDS * 2 ** (execution.attempt - 1)
        due = timezone.now() + timedelta(seconds=delay)
        timer_add(execution.pk, TimerKind.RETRY, due, {"attempt": execution.attempt + 1})
        save(
            execution,
            status=ExecutionStatus.WAITING,
            waiting_for="retry",
            state=execution.checkpoint,
            wake=None,
            attempt=execution.attempt + 1,
            error=text,
            detail={"policy": {k: v for k, v in policy.items() if k != "timer"}, "retry_at": due.isoformat()},
            **release(),
        )
        return
    save(
        execution,
        status=ExecutionStatus.FAILED,
        error=text,
        wake=None,
        waiting_for="",
        finished_at=timezone.now(),
        detail={"policy": policy},
        **release(),
    )
    children.child_ended(execution, dispatch)


def attempt_begin(execution: WorkflowExecution, attempt: int, *, dispatch: Dispatch, **fields: Any) -> None:
    """Run the current step again from its checkpoint as attempt ``attempt`` (after a RETRY
    back-off, or when a failed workflow is resumed)."""
    if execution.current_step:
        first = StepRun.objects.filter(execution=execution, seq=execution.step_seq)
        title = first.values_list("title", flat=True)
        StepRun.objects.create(
            execution=execution,
            seq=execution.step_seq,
            step=execution.current_step,
            title=title.first() or "",
            branch=execution.branch,
            attempt=attempt,
            input=main_variables(execution.checkpoint),
            started_at=timezone.now(),
        )
    save(execution, status=ExecutionStatus.RUNNING, waiting_for="", wake=None, attempt=attempt, **fields)
    dispatch.wake(execution.pk)


def execution_completed(execution: WorkflowExecution, result: vm.RunResult, *, dispatch: Dispatch) -> None:
    variables = visible(result.variables or {})
    if execution.current_step:
        _close_step(execution, variables, StepStatus.COMPLETED)
    children.cancel_waits(execution)
    if execution.kind == ExecutionKind.BRANCH:
        value: Any = changed(visible(execution.inputs), variables)
    elif execution.kind == ExecutionKind.BOT and result.result is None:
        said = Message.objects.filter(source__execution=execution.pk, kind="text").order_by("id")
        value = "\n".join(text for text in said.values_list("content", flat=True) if text)
    else:
        value = result.result
    save(
        execution,
        status=ExecutionStatus.COMPLETED,
        result=value,
        state="",
        checkpoint="",
        wake=None,
        waiting_for="",
        current_step="",
        finished_at=timezone.now(),
        detail={},
        scripts=execution.scripts,
        **release(),
    )
    children.child_ended(execution, dispatch)

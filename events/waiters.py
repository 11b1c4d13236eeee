"""WAIT FOR EVENT: the waiter row a waiting run leaves, its WHERE check, and how it ends.

A waiter ends once: resumed by an event, or timed out by its timer (a workflow's
:class:`~workflows.models.WorkflowTimer`, a chat run's ``due_at``). Both go through a conditional
update of the waiter's status, so whichever comes first wins and the other does nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from basic import values, vm
from basic.compiler import compile_source
from basic.errors import BasicError
from basic.host import BufferHost
from basic.limits import Limits
from bots.models import DialogRun, RunStatus
from bots.tasks import fire_due_runs
from events import bus
from events.models import EventWaiter, WaiterStatus, WorkflowEvent
from workflows.engine import children
from workflows.engine.clock import timer_add
from workflows.engine.dispatch import Dispatch
from workflows.keywords import CHILD_ERROR
from workflows.models import ExecutionStatus, TimerKind, WorkflowExecution, WorkflowTimer

CONDITION_LIMITS = Limits(max_steps=100_000, max_slice_seconds=2.0)


def event_value(event: WorkflowEvent) -> Any:
    """What WAIT FOR EVENT gives: the event's data, or its name when it carried none (so a
    script can always tell an event from a timeout, which gives empty)."""
    data = event.event_data
    return event.event_name if data in (None, "", [], {}) else data


def _waiter_create(bot_id: int, detail: dict[str, Any], **target: Any) -> EventWaiter:
    from events.delivery import name_lock  # delivery imports this module

    name_lock(detail["name"], shared=False)
    seconds = detail.get("seconds")
    now = timezone.now()
    return EventWaiter.objects.create(
        bot_id=bot_id,
        event_name=detail["name"],
        condition=detail.get("condition") or "",
        variables=detail.get("variables") or {},
        script=str(detail.get("file") or ""),
        line=int(detail.get("line") or 0),
        column=int(detail.get("column") or 0),
        due_at=now + timedelta(seconds=seconds) if seconds else None,
        created_at=now,
        **target,
    )


def waiter_for_execution(execution: WorkflowExecution, detail: dict[str, Any]) -> EventWaiter:
    """A workflow execution stops at WAIT FOR EVENT (in its segment's transaction)."""
    waiter = _waiter_create(execution.bot_id, detail, execution=execution)
    if waiter.due_at is not None:
        timer_add(execution.pk, TimerKind.EVENT_TIMEOUT, waiter.due_at, {"waiter": waiter.pk})
    return waiter


def execution_waits(execution: WorkflowExecution, detail: dict[str, Any]) -> dict[str, Any]:
    """The engine's wait handler: the waiter row, and what the execution keeps of the wait."""
    waiter = waiter_for_execution(execution, detail)
    until = "" if waiter.due_at else " (no TIMEOUT): publish it, or give the wait a TIMEOUT"
    return {
        "key": detail["key"],
        "waiter": waiter.pk,
        "name": waiter.event_name,
        "waits_for": f'event "{waiter.event_name}"{until}',
        "line": waiter.line,
        "column": waiter.column,
    }


def dialog_waits(run: DialogRun, bot_id: int, detail: dict[str, Any]) -> datetime | None:
    """The chat runtime's wait handler: the waiter row; the run is due at its TIMEOUT."""
    return _waiter_create(bot_id, detail, dialog_run=run).due_at


def waiter_matches(waiter: EventWaiter, event: WorkflowEvent) -> tuple[bool, str]:
    """Whether the event satisfies the waiter's WHERE condition; ``(False, error)`` when the
    condition cannot be checked (the waiting run then fails, saying why)."""
    if not waiter.condition:
        return True, ""
    source = f"RETURN {waiter.condition}\n"
    variables = {**waiter.variables, "event": event.event_data, "event_name": event.event_name}
    try:
        compiled = compile_source(source, f"{waiter.script or 'script'} (WHERE)")
        result = vm.start(compiled, BufferHost(), variables, limits=CONDITION_LIMITS)
    except BasicError as err:
        return False, _where_error(waiter, err)
    if result.status == "failed" and result.error is not None:
        return False, _where_error(waiter, result.error)
    if result.status != "finished":
        return False, f"the WHERE condition {waiter.condition} must be a value, not a keyword that waits"
    return values.truthy(result.result), ""


def _where_error(waiter: EventWaiter, err: BasicError) -> str:
    return f"the WHERE condition {waiter.condition} failed on an event: {err.message}"


def waiter_resume(waiter: EventWaiter, event: WorkflowEvent, *, dispatch: Dispatch, error: str = "") -> int:
    """End the wait with ``event`` (or with ``error`` from its WHERE); 1 when this call ended it."""
    now = timezone.now()
    ended = EventWaiter.objects.filter(pk=waiter.pk, status=WaiterStatus.WAITING).update(
        status=WaiterStatus.RESUMED, event=event, ended_at=now, error=error
    )
    if not ended:
        return 0
    value = {CHILD_ERROR: error} if error else {"event": event_value(event)}
    if waiter.execution_id is not None:
        WorkflowTimer.objects.filter(
            execution_id=waiter.execution_id, kind=TimerKind.EVENT_TIMEOUT, fired_at__isnull=True
        ).update(fired_at=now)
        _execution_wake(waiter, value, dispatch)
    elif waiter.dialog_run_id is not None:
        _dialog_wake(waiter, due_at=now)
    return 1


def waiter_timed_out(timer: WorkflowTimer, dispatch: Dispatch) -> None:
    """A workflow's WAIT FOR EVENT TIMEOUT is due (called by the workflow sweep)."""
    waiter_id = timer.payload.get("waiter")
    ended = EventWaiter.objects.filter(pk=waiter_id, status=WaiterStatus.WAITING).update(
        status=WaiterStatus.TIMED_OUT, ended_at=timezone.now()
    )
    if ended:
        waiter = EventWaiter(pk=waiter_id, execution_id=timer.execution_id)
        _execution_wake(waiter, {"timeout": True}, dispatch)


def _execution_wake(waiter: EventWaiter, value: dict[str, Any], dispatch: Dispatch) -> None:
    execution = WorkflowExecution.objects.select_for_update().get(pk=waiter.execution_id)
    waiting_here = (
        execution.status == ExecutionStatus.WAITING
        and execution.waiting_for == "event"
        and execution.detail.get("waiter") == waiter.pk
    )
    if waiting_here:
        children.wake(execution, value, dispatch)
    else:  # cancelled, or moved on: the wait is over for nobody
        EventWaiter.objects.filter(pk=waiter.pk).update(status=WaiterStatus.CANCELLED)


def _dialog_wake(waiter: EventWaiter, *, due_at: Any) -> None:
    """A chat run's wait is over: it becomes due now, and the chat runtime's sweep (nudged at
    once, unless ``gb run`` resumes it here) resumes it in its conversation with what
    :func:`dialog_wake_value` reads."""
    DialogRun.objects.filter(pk=waiter.dialog_run_id, status=RunStatus.WAITING, waiting_for="event").update(
        due_at=due_at
    )
    if bus.delivering_here():  # gb run: its console loop resumes the chat itself
        return
    queue = settings.GB_WORKFLOW_QUEUE
    transaction.on_commit(lambda: fire_due_runs.apply_async(queue=queue))


def dialog_wake_value(run: DialogRun) -> dict[str, Any]:
    """What a due chat run waiting for an event resumes with: the event (or the WHERE error)
    that ended its wait, else its TIMEOUT ended it (decided here, once, against the event)."""
    waiter = EventWaiter.objects.filter(dialog_run=run).select_related("event").order_by("-pk").first()
    if waiter is None:
        return {"timeout": True}
    if waiter.status == WaiterStatus.WAITING:
        timed_out = EventWaiter.objects.filter(pk=waiter.pk, status=WaiterStatus.WAITING).update(
            status=WaiterStatus.TIMED_OUT, ended_at=timezone.now()
        )
        if timed_out:
            return {"timeout": True}
        waiter.refresh_from_db()
    if waiter.status == WaiterStatus.RESUMED:
        if waiter.error:
            return {CHILD_ERROR: waiter.error}
        if waiter.event is not None:
            return {"event": event_value(waiter.event)}
    return {"timeout": True}

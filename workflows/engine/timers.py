"""The periodic sweep: fire due timers, and requeue executions whose worker died.

Timers are rows (never broker ETAs), so a wait survives any restart; each is claimed by setting
``fired_at`` in the transaction that acts on it, so two sweeps (or a sweep and the clock of the
worker that set the timer, :mod:`workflows.engine.clock`) never fire one timer twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from workflows.engine import children, steps
from workflows.engine.dispatch import Dispatch
from workflows.engine.store import Conflict, release, save
from workflows.engine.waits import timer_handlers
from workflows.models import ExecutionStatus, TimerKind, WorkflowExecution, WorkflowTimer

BATCH = 500
REQUEUE_DOUBLINGS = 6  # the back-off between requeues of one execution stops growing at 64 windows


def timers_fire_due(*, dispatch: Dispatch, now: datetime | None = None, root_id: int | None = None) -> int:
    """Fire the timers that are due (of one workflow tree when ``root_id`` is given)."""
    now = now or timezone.now()
    due = WorkflowTimer.objects.filter(fired_at__isnull=True, due_at__lte=now)
    if root_id is not None:
        due = due.filter(Q(execution_id=root_id) | Q(execution__root_id=root_id))
    timer_ids = list(due.order_by("due_at").values_list("pk", flat=True)[:BATCH])
    return sum(timer_fire(timer_id, dispatch=dispatch, now=now) for timer_id in timer_ids)


def timer_fire(timer_id: int, *, dispatch: Dispatch, now: datetime | None = None) -> bool:
    """Fire one timer if it is due and nobody fired it yet; True when this call acted on it."""
    now = now or timezone.now()
    with transaction.atomic():
        unfired = WorkflowTimer.objects.filter(pk=timer_id, fired_at__isnull=True, due_at__lte=now)
        if not unfired.update(fired_at=now):
            return False  # another sweep or clock took it, or it is not due
        timer = WorkflowTimer.objects.get(pk=timer_id)
        if _fire(timer, dispatch):
            return True
        # the execution is mid-segment: look again on the next sweep
        WorkflowTimer.objects.filter(pk=timer_id).update(fired_at=None, due_at=now + timedelta(seconds=1))
        return False


def _fire(timer: WorkflowTimer, dispatch: Dispatch) -> bool:
    """Act on a timer; False when it must wait because its execution is being advanced."""
    if timer.kind == TimerKind.APPROVAL_TIMEOUT:
        from workflows.approvals import approval_timed_out

        approval_timed_out(timer, dispatch=dispatch)
        return True
    if timer.kind in timer_handlers:
        timer_handlers[timer.kind](timer, dispatch)
        return True
    execution = WorkflowExecution.objects.select_for_update().get(pk=timer.execution_id)
    if execution.status == ExecutionStatus.RUNNING:
        return timer.kind != TimerKind.STEP_TIMEOUT
    if execution.status != ExecutionStatus.WAITING:
        return True
    if timer.kind == TimerKind.DELAY and execution.waiting_for == "timer":
        children.wake(execution, None, dispatch)
    elif timer.kind == TimerKind.RETRY and execution.waiting_for == "retry":
        steps.attempt_begin(execution, execution.attempt, dispatch=dispatch)
    elif (
        timer.kind == TimerKind.STEP_TIMEOUT
        and execution.step_seq == timer.payload.get("step_seq")
        and execution.attempt == timer.payload.get("attempt")
    ):
        seconds = timer.payload.get("seconds")
        steps.step_failed(
            execution,
            f"STEP {execution.current_step} timed out: it had not ended {seconds:g} seconds after it began",
            policy=execution.detail.get("policy") or {},
            dispatch=dispatch,
        )
    return True


def executions_requeue_stalled(*, dispatch: Dispatch, now: datetime | None = None) -> int:
    """Queue again the runnable executions nobody advances: a worker died holding the lease, or
    the queue lost the message (a broker restart).

    A requeued execution is looked at again only after a back-off (the requeue window, doubled
    per requeue, kept in ``lease_expires_at`` while nobody holds it): behind a long queue its
    message is probably just waiting its turn, and sending it again every window would flood
    the queue with copies."""
    now = now or timezone.now()
    lost_before = now - timedelta(seconds=settings.GB_WORKFLOW_REQUEUE_SECONDS)
    never_taken = Q(lease_owner="", lease_expires_at__isnull=True, updated_at__lt=lost_before)
    stalled = WorkflowExecution.objects.filter(status=ExecutionStatus.RUNNING).filter(
        never_taken | Q(lease_expires_at__lt=now)
    )
    count = 0
    for execution in stalled.order_by("updated_at")[:BATCH]:
        requeues = int(execution.detail.get("requeued", 0)) + 1
        backoff = settings.GB_WORKFLOW_REQUEUE_SECONDS * 2 ** min(requeues, REQUEUE_DOUBLINGS)
        try:
            with transaction.atomic():
                save(
                    execution,
                    detail={**execution.detail, "requeued": requeues},
                    **{**release(), "lease_expires_at": now + timedelta(seconds=backoff)},
                )
                dispatch.wake(execution.pk)
        except Conflict:
            continue  # it moved on by itself
        count += 1
    return count

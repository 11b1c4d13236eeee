"""Running one workflow tree in this process (``gb run``), with the engine code the workers use.

Runnable executions are advanced one after another (branches interleave at their waits); when
none is runnable the loop sleeps until the next timer of the tree is due and fires it. It stops
when the workflow has ended, or when what it waits for needs a person (a HUMAN APPROVAL without a
TIMEOUT; one with a TIMEOUT is waited for, and a decision taken meanwhile elsewhere is picked up)
or something outside this process.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from workflows.engine.advance import advance
from workflows.engine.dispatch import LocalDispatch
from workflows.engine.host import TalkListener
from workflows.engine.timers import timers_fire_due
from workflows.models import (
    ApprovalRequest,
    ApprovalStatus,
    ExecutionStatus,
    WorkflowExecution,
    WorkflowTimer,
)

WORKER = "gb-run"


def advance_ready(dispatch: LocalDispatch, *, on_talk: TalkListener | None = None) -> None:
    """Advance every execution ``dispatch`` holds, and those they wake, to its next wait or end."""
    while dispatch.ready:
        advance(dispatch.ready.popleft(), dispatch=dispatch, worker=WORKER, on_talk=on_talk)


@dataclass(slots=True)
class ForegroundOutcome:
    execution: WorkflowExecution
    needs_person: list[ApprovalRequest]


def run_foreground(
    execution: WorkflowExecution,
    dispatch: LocalDispatch,
    *,
    on_talk: TalkListener | None = None,
    max_sleep: float = 1.0,
) -> ForegroundOutcome:
    root_id = execution.tree_root_id
    tree = Q(pk=root_id) | Q(root_id=root_id)
    while True:
        advance_ready(dispatch, on_talk=on_talk)
        root = WorkflowExecution.objects.get(pk=root_id)
        if root.is_final:
            return ForegroundOutcome(root, [])
        runnable = WorkflowExecution.objects.filter(tree, status=ExecutionStatus.RUNNING).values_list(
            "pk", flat=True
        )
        if runnable:
            dispatch.ready.extend(runnable)
            continue
        pending = list(
            ApprovalRequest.objects.filter(
                Q(execution_id=root_id) | Q(execution__root_id=root_id), status=ApprovalStatus.PENDING
            )
        )
        if any(request.due_at is None for request in pending):
            return ForegroundOutcome(root, pending)  # only a person can answer it
        next_due = (
            WorkflowTimer.objects.filter(
                Q(execution_id=root_id) | Q(execution__root_id=root_id), fired_at__isnull=True
            )
            .order_by("due_at")
            .values_list("due_at", flat=True)
            .first()
        )
        if next_due is None:
            return ForegroundOutcome(root, [])  # waiting for something outside this process
        delay = (next_due - timezone.now()).total_seconds()
        if delay > 0:
            time.sleep(min(delay, max_sleep))
        timers_fire_due(dispatch=dispatch, root_id=root_id)

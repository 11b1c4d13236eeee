"""Workflows advance on real Celery worker processes: BOT steps, PARALLEL branches, DELAY."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.workflows.support import make_bot, start, talked, wait_final
from workflows.engine import LocalDispatch
from workflows.engine.timers import executions_requeue_stalled
from workflows.models import ExecutionKind, ExecutionStatus, StepRun

pytestmark = pytest.mark.django_db(transaction=True)

FLOW = """ORCHESTRATE WORKFLOW "demo-flow"
STEP 1: r = BOT "helper" "summarise"
n = 21
STEP 2: d = BOT "helper" "double it"
TALK "r=" + r + " d=" + d
STEP 3: PARALLEL
  BRANCH A:
    a = 1
    DELAY 0.2
  BRANCH B:
    b = 2
END PARALLEL
TALK "a+b=" + (a + b)
END WORKFLOW
RETURN a + b + d
"""


def test_a_workflow_runs_its_steps_bots_and_branches_on_a_worker(make_package, workflow_queue) -> None:
    make_bot(
        make_package,
        "helper",
        {
            "start.bas": 'TALK "helper got: " + task\nRETURN "done:" + task\n',
            "double_it.bas": 'PARAM n AS INTEGER DESCRIPTION "a number"\nRETURN n * 2\n',
        },
    )
    bot = make_bot(make_package, "demo", {"flow.bas": FLOW})
    execution = wait_final(start(bot, "flow"))
    assert execution.status == ExecutionStatus.COMPLETED, execution.error
    assert execution.result == 45
    assert execution.workflow_name == "demo-flow"
    assert talked(execution) == ["helper got: summarise", "r=done:summarise d=42", "a+b=3"]
    steps = list(StepRun.objects.filter(execution=execution).values_list("step", "status", "output"))
    assert steps == [
        ("1", "completed", {"r": "done:summarise", "n": 21}),
        ("2", "completed", {"d": 42}),
        ("3", "completed", {"a": 1, "b": 2}),
    ]
    branches = execution.children.filter(kind=ExecutionKind.BRANCH).order_by("branch")
    assert [(b.branch, b.result, b.status) for b in branches] == [
        ("A", {"a": 1}, "completed"),
        ("B", {"b": 2}, "completed"),
    ]


def test_the_reaper_backs_off_from_an_execution_it_requeued(make_package, settings) -> None:
    """A queued execution nobody took is sent again after the requeue window, then only after a
    doubling back-off: behind a long queue, its first message is probably still waiting."""
    settings.GB_WORKFLOW_REQUEUE_SECONDS = 10
    bot = make_bot(make_package, "demo", {"flow.bas": 'TALK "hi"\n'})
    execution = start(bot, "flow", dispatch=LocalDispatch())  # queued, and its message lost
    now = timezone.now() + timedelta(seconds=11)
    dispatch = LocalDispatch()
    assert executions_requeue_stalled(dispatch=dispatch, now=now) == 1
    assert executions_requeue_stalled(dispatch=dispatch, now=now + timedelta(seconds=19)) == 0
    assert executions_requeue_stalled(dispatch=dispatch, now=now + timedelta(seconds=21)) == 1
    assert list(dispatch.ready) == [execution.pk, execution.pk]
    execution.refresh_from_db()
    assert (execution.status, execution.lease_owner, execution.detail["requeued"]) == ("running", "", 2)
    assert execution.lease_expires_at > now + timedelta(seconds=21 + 39)  # 4 windows this time

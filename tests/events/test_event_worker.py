"""Events on a real Celery worker process. Nothing in this test process advances an execution:
an event published here is delivered (services mode: by the worker's listener thread, woken
through Redis; embedded mode: here, in-process) and the handlers and waiters it wakes run on
the worker; an event whose wake-up was lost is delivered by the sweep task on the worker."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import HandlerRun, WaiterStatus, WorkflowEvent
from events.services import event_publish
from events.tasks import sweep
from tests.conftest import worker_events_channel
from tests.events.core_support import make_bot, said_in
from tests.workflows.support import start, wait_final
from workflows.models import ExecutionStatus

pytestmark = pytest.mark.django_db(transaction=True)

HANDLER = 'ON EVENT "ping" DO\n  TALK "heard " & event.n & " as " & event_name\nEND ON\n'


@pytest.fixture
def worker_queue(celery_worker: str, settings) -> str:
    """Workflow tasks and event wake-ups of this process go to the real worker."""
    settings.GB_WORKFLOW_QUEUE = celery_worker
    settings.GB_EVENTS_CHANNEL = worker_events_channel(celery_worker)
    return celery_worker


def eventually(check: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not after {timeout} s")
        time.sleep(0.05)


def handled(event: WorkflowEvent) -> HandlerRun:
    """The event's one handler run, once the worker has ended it."""

    def ended() -> bool:
        run = HandlerRun.objects.filter(event=event).select_related("execution").first()
        return run is not None and run.execution.is_final

    eventually(ended, f"a handler of event {event.pk} ran")
    return HandlerRun.objects.select_related("execution").get(event=event)


def test_an_event_published_here_runs_its_handler_on_the_worker(make_package, worker_queue: str) -> None:
    bot = make_bot(make_package, "shop", {"handlers.bas": HANDLER})
    event, created = event_publish(bot=bot, name="ping", data={"n": 1})
    assert created
    execution = handled(event).execution
    assert execution.status == ExecutionStatus.COMPLETED, execution.error
    assert said_in(execution.conversation_id) == ["heard 1 as ping"]
    event.refresh_from_db()
    assert event.delivered_at is not None and event.handler_count == 1


def test_an_event_whose_wake_up_was_lost_is_delivered_by_the_sweep(make_package, worker_queue: str) -> None:
    bot = make_bot(make_package, "shop", {"handlers.bas": HANDLER})
    old_enough = timezone.now() - timedelta(seconds=60)  # past the sweep's grace
    event = WorkflowEvent.objects.create(
        bot=bot, event_name="ping", event_data={"n": 2}, created_at=old_enough
    )
    sweep.apply_async(queue=worker_queue)
    execution = handled(event).execution
    assert execution.status == ExecutionStatus.COMPLETED, execution.error
    assert said_in(execution.conversation_id) == ["heard 2 as ping"]
    assert HandlerRun.objects.filter(event=event).count() == 1


def test_a_workflow_waiting_on_the_worker_is_resumed_by_an_event_published_here(
    make_package, worker_queue: str
) -> None:
    bot = make_bot(make_package, "shop", {"flow.bas": 'x = WAIT FOR EVENT "paid"\nTALK "paid " & x.amount\n'})
    execution = start(bot, "flow")
    eventually(
        lambda: execution.event_waiters.filter(status=WaiterStatus.WAITING).exists(), "the workflow waits"
    )
    event, _created = event_publish(bot=bot, name="paid", data={"amount": 9})
    execution = wait_final(execution, sweep=False)
    assert execution.status == ExecutionStatus.COMPLETED, execution.error
    assert said_in(execution.conversation_id) == ["paid 9"]
    waiter = execution.event_waiters.get()
    assert (waiter.status, waiter.event_id) == (WaiterStatus.RESUMED, event.pk)

"""WAIT FOR EVENT in a workflow: it waits holding no worker (a waiter row), resumes with the
event's data, filters with WHERE against the run's variables, ends with an empty value or a
failure at its TIMEOUT, hears only events published after it began, and a WHERE that cannot be
checked fails the run saying which condition."""

from __future__ import annotations

import pytest

from events.delivery import events_deliver_pending
from events.models import EventWaiter, WaiterStatus, WorkflowEvent
from tests.events.core_support import Here, make_bot
from workflows.models import ExecutionStatus, StepRun, WorkflowExecution
from workflows.services import workflow_cancel

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def waiter_of(execution: WorkflowExecution) -> EventWaiter:
    return EventWaiter.objects.filter(execution=execution).latest("pk")


def test_a_workflow_waits_for_an_event_and_resumes_with_its_data_or_its_name(
    make_package, here: Here
) -> None:
    bot = make_bot(
        make_package,
        "shop",
        {
            "flow.bas": 'TALK "waiting"\n'
            'paid = WAIT FOR EVENT "Paid"\n'
            'TALK "paid " & paid.amount\n'
            'shipped = WAIT FOR EVENT "shipped"\n'
            'TALK "then " & shipped\n'
        },
    )
    execution = here.run(bot, "flow")
    assert (execution.status, execution.waiting_for, execution.lease_owner) == ("waiting", "event", "")
    waiter = waiter_of(execution)
    assert (waiter.event_name, waiter.status, waiter.bot, waiter.line) == ("paid", "waiting", bot, 2)
    assert here.said == ["waiting"]

    paid = here.publish(bot, "PAID", {"amount": 5})
    assert paid.waiter_count == 1
    waiter.refresh_from_db()
    assert (waiter.status, waiter.event_id) == (WaiterStatus.RESUMED, paid.pk)
    here.publish(bot, "shipped")
    execution.refresh_from_db()
    assert execution.status == ExecutionStatus.COMPLETED, execution.error
    assert here.said == ["waiting", "paid 5", "then shipped"]


def test_where_compares_each_event_with_the_runs_variables(make_package, here: Here) -> None:
    bot = make_bot(
        make_package,
        "shop",
        {
            "flow.bas": "order = 42\n"
            'x = WAIT FOR EVENT "paid" WHERE event.order = order AND event.total > 10\n'
            'TALK "order " & x.order & " paid " & x.total\n'
        },
    )
    execution = here.run(bot, "flow")
    waiter = waiter_of(execution)
    assert (waiter.condition, waiter.variables["order"]) == ("event.order = order AND event.total > 10", 42)

    other_order = here.publish(bot, "paid", {"order": 41, "total": 99})
    too_small = here.publish(bot, "paid", {"order": 42, "total": 1})
    assert (other_order.waiter_count, too_small.waiter_count) == (0, 0)
    waiter.refresh_from_db()
    execution.refresh_from_db()
    assert (waiter.status, execution.status) == (WaiterStatus.WAITING, ExecutionStatus.WAITING)

    matching = here.publish(bot, "paid", {"order": 42, "total": 50})
    assert matching.waiter_count == 1
    waiter.refresh_from_db()
    execution.refresh_from_db()
    assert (waiter.status, waiter.event_id) == (WaiterStatus.RESUMED, matching.pk)
    assert execution.status == ExecutionStatus.COMPLETED, execution.error
    assert here.said == ["order 42 paid 50"]


def test_a_timeout_ends_the_wait_with_an_empty_value(make_package, here: Here) -> None:
    bot = make_bot(
        make_package,
        "shop",
        {
            "flow.bas": 'x = WAIT FOR EVENT "paid" TIMEOUT 0.1\n'
            'IF x = "" THEN\n  TALK "timed out"\nELSE\n  TALK "got " & x\nEND IF\n'
            'y = WAIT FOR EVENT "late" TIMEOUT 0.1 ON TIMEOUT: CONTINUE\n'
            'TALK "y empty: " & (y = "")\n'
        },
    )
    execution = here.run(bot, "flow")
    assert execution.status == ExecutionStatus.COMPLETED, execution.error
    assert here.said == ["timed out", "y empty: true"]
    waiters = EventWaiter.objects.filter(execution=execution).order_by("pk")
    assert [(w.event_name, w.status, w.event_id) for w in waiters] == [
        ("paid", WaiterStatus.TIMED_OUT, None),
        ("late", WaiterStatus.TIMED_OUT, None),
    ]
    # An event after the timeout resumes nothing.
    assert here.publish(bot, "paid", {"n": 1}).waiter_count == 0


def test_on_timeout_fail_fails_the_step_at_the_keyword_and_retry_waits_again(
    make_package, here: Here
) -> None:
    bot = make_bot(
        make_package,
        "shop",
        {
            "flow.bas": 'ORCHESTRATE WORKFLOW "pay"\n'
            'STEP 1 "await payment":\n'
            "  RETRY 1\n"
            '  paid = WAIT FOR EVENT "paid" TIMEOUT 0.1\n'
            '    ON TIMEOUT: FAIL "the customer did not pay"\n'
            'STEP 2: TALK "never"\n'
        },
    )
    execution = here.run(bot, "flow")
    assert execution.status == ExecutionStatus.FAILED
    expected = (
        'shop.gbdialog/flow.bas:4:10: WAIT FOR EVENT "paid" timed out after 0.1 seconds: '
        "the customer did not pay"
    )
    assert execution.error == expected
    steps = StepRun.objects.filter(execution=execution).order_by("attempt")
    assert [(s.step, s.attempt, s.status, s.error) for s in steps] == [
        ("1", 1, "failed", expected),
        ("1", 2, "failed", expected),
    ]
    assert list(EventWaiter.objects.filter(execution=execution).values_list("status", flat=True)) == [
        WaiterStatus.TIMED_OUT,
        WaiterStatus.TIMED_OUT,
    ]
    assert here.said == []


def test_a_waiter_hears_only_events_published_after_it_began(make_package, here: Here) -> None:
    bot = make_bot(make_package, "shop", {"flow.bas": 'x = WAIT FOR EVENT "paid"\nTALK "got " & x\n'})
    before = here.publish(bot, "paid", "early")
    lost_before = WorkflowEvent.objects.create(bot=bot, event_name="paid", event_data="also early")
    execution = here.run(bot, "flow")
    assert execution.status == ExecutionStatus.WAITING
    # The sweep delivers the event published before the wait (its wake-up was lost): not to it.
    assert events_deliver_pending(dispatch=here.dispatch, older_than=0) == 1
    here.drain()
    lost_before.refresh_from_db()
    assert (before.waiter_count, lost_before.waiter_count) == (0, 0)
    assert lost_before.delivered_at is not None
    execution.refresh_from_db()
    assert execution.status == ExecutionStatus.WAITING and here.said == []
    here.publish(bot, "paid", "on time")
    execution.refresh_from_db()
    assert execution.status == ExecutionStatus.COMPLETED and here.said == ["got on time"]


def test_a_where_condition_that_fails_fails_the_run_naming_it(make_package, here: Here) -> None:
    bot = make_bot(
        make_package,
        "shop",
        {"flow.bas": 'TALK "waiting"\nx = WAIT FOR EVENT "paid" WHERE event.total / 0 > 1\nTALK "never"\n'},
    )
    execution = here.run(bot, "flow")
    event = here.publish(bot, "paid", {"total": 5})
    execution.refresh_from_db()
    assert execution.status == ExecutionStatus.FAILED
    assert execution.error.startswith("shop.gbdialog/flow.bas:2:")
    assert "the WHERE condition event.total / 0 > 1 failed on an event: division by zero" in execution.error
    waiter = waiter_of(execution)
    assert (waiter.status, waiter.event_id) == (WaiterStatus.RESUMED, event.pk)
    assert "division by zero" in waiter.error
    assert here.said == ["waiting"]


def test_an_event_sent_to_the_bot_by_another_bot_resumes_its_waiter(make_package, here: Here) -> None:
    shop = make_bot(make_package, "shop", {"flow.bas": 'x = WAIT FOR EVENT "stock"\nTALK "stock " & x\n'})
    store = make_bot(make_package, "store", {"start.bas": 'TALK "hi"\n'})
    execution = here.run(shop, "flow")
    assert here.publish(store, "stock", 3).waiter_count == 0  # store's own scope
    assert here.publish(store, "stock", 4, to_bot=shop).waiter_count == 1
    execution.refresh_from_db()
    assert execution.status == ExecutionStatus.COMPLETED and here.said == ["stock 4"]


def test_a_cancelled_workflow_is_not_resumed_by_its_event(make_package, here: Here) -> None:
    bot = make_bot(make_package, "shop", {"flow.bas": 'x = WAIT FOR EVENT "paid"\nTALK "got " & x\n'})
    execution = here.run(bot, "flow")
    workflow_cancel(execution)
    here.publish(bot, "paid", "late")
    execution.refresh_from_db()
    assert execution.status == ExecutionStatus.CANCELLED and here.said == []
    assert waiter_of(execution).status == WaiterStatus.CANCELLED

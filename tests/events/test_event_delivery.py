"""Delivery: exactly one handler run per subscription and event however often an event is
delivered, the sweep for events whose wake-up was lost (after its grace), idempotency keys, and
events nobody listens to (delivered to nobody, kept)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from events.delivery import event_deliver, events_deliver_pending
from events.models import HandlerRun, WorkflowEvent
from events.services import event_publish
from tests.events.core_support import Here, make_bot
from workflows.models import ExecutionKind, ExecutionStatus, WorkflowExecution

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

HANDLERS = """ON EVENT "ping" DO
  TALK "first " & event.n
END ON
ON EVENT "PING" DO
  TALK "second " & event.n
END ON
"""


def lost(bot, name: str, data=None, *, age: float = 0.0) -> WorkflowEvent:
    """An event row whose wake-up never went out (written without event_publish)."""
    return WorkflowEvent.objects.create(
        bot=bot, event_name=name, event_data=data, created_at=timezone.now() - timedelta(seconds=age)
    )


def test_an_event_delivered_twice_runs_each_handler_once(make_package, here: Here) -> None:
    bot = make_bot(make_package, "shop", {"handlers.bas": HANDLERS})
    event = lost(bot, "ping", {"n": 1})
    assert event_deliver(event.pk, dispatch=here.dispatch) is True
    assert event_deliver(event.pk, dispatch=here.dispatch) is False
    here.drain()
    assert sorted(here.said) == ["first 1", "second 1"]
    runs = HandlerRun.objects.filter(event=event)
    assert runs.count() == 2 and runs.values("subscription").distinct().count() == 2
    event.refresh_from_db()
    assert event.delivered_at is not None and event.handler_count == 2

    # Delivered again from scratch (the sweep after a lost claim): nothing runs a second time.
    WorkflowEvent.objects.filter(pk=event.pk).update(delivered_at=None)
    assert event_deliver(event.pk, dispatch=here.dispatch) is True
    here.drain()
    assert sorted(here.said) == ["first 1", "second 1"]
    assert HandlerRun.objects.filter(event=event).count() == 2
    event.refresh_from_db()
    assert event.handler_count == 2
    handlers = WorkflowExecution.objects.filter(kind=ExecutionKind.HANDLER)
    assert list(handlers.values_list("status", flat=True)) == [ExecutionStatus.COMPLETED] * 2


def test_an_unknown_event_id_is_not_delivered(here: Here) -> None:
    assert event_deliver("5f0c1a4e-0000-4000-8000-000000000000", dispatch=here.dispatch) is False


def test_an_event_nobody_listens_to_is_delivered_to_nobody_and_kept(make_package, here: Here) -> None:
    bot = make_bot(make_package, "shop", {"handlers.bas": HANDLERS})
    event = here.publish(bot, "nobody.listens", {"n": 1})
    assert event.delivered_at is not None
    assert (event.handler_count, event.waiter_count, event.webhook_count, event.listeners) == (0, 0, 0, 0)
    assert WorkflowEvent.objects.filter(event_name="nobody.listens").count() == 1
    assert not HandlerRun.objects.exists() and here.said == []


def test_the_sweep_delivers_a_lost_event_once_its_grace_is_over(make_package, here: Here, settings) -> None:
    settings.GB_EVENTS_SWEEP_GRACE_SECONDS = 30
    bot = make_bot(make_package, "shop", {"handlers.bas": HANDLERS})
    event = lost(bot, "ping", {"n": 2})
    # Its wake-up may still be on its way: the sweep leaves it alone for the grace period.
    assert events_deliver_pending(dispatch=here.dispatch) == 0
    event.refresh_from_db()
    assert event.delivered_at is None
    later = timezone.now() + timedelta(seconds=31)
    assert events_deliver_pending(dispatch=here.dispatch, now=later) == 1
    assert events_deliver_pending(dispatch=here.dispatch, now=later) == 0
    here.drain()
    assert sorted(here.said) == ["first 2", "second 2"]
    event.refresh_from_db()
    assert event.delivered_at is not None and event.handler_count == 2


def test_a_second_publish_with_the_same_idempotency_key_returns_the_first_event(
    make_package, here: Here
) -> None:
    bot = make_bot(make_package, "shop", {"handlers.bas": HANDLERS})
    first, created = event_publish(bot=bot, name="ping", data={"n": 3}, idempotency_key="order-3")
    again, created_again = event_publish(bot=bot, name="ping", data={"n": 4}, idempotency_key="order-3")
    here.drain()
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert WorkflowEvent.objects.count() == 1
    assert sorted(here.said) == ["first 3", "second 3"]
    other = make_bot(make_package, "other", {"start.bas": 'TALK "hi"\n'})
    _event, created_by_other = event_publish(bot=other, name="ping", idempotency_key="order-3")
    assert created_by_other is True  # keys are per bot

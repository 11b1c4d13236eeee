"""Delivery's one read of an event's listeners (its ON EVENT subscriptions, and whether a waiter
or a webhook subscription may hear it), and the listener thread's connection checks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

import events.listener
from bots.models import Conversation, DialogRun
from bots.runtime.scripts import script_version_pin
from events.delivery import _listeners
from events.listener import EventListener
from events.models import EventSubscription, EventWaiter, WaiterStatus, WorkflowEvent
from events.webhooks import webhook_subscription_create
from tests.events.core_support import make_bot
from workflows.models import WorkflowExecution

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

HANDLERS = """ON EVENT "ping" DO
  TALK "first"
END ON
ON EVENT "pong" DO
  TALK "other"
END ON
ON EVENT "ping" DO
  TALK "second"
END ON
"""


def test_one_read_finds_the_subscriptions_and_whether_a_waiter_or_a_webhook_may_hear(make_package) -> None:
    shop = make_bot(make_package, "shop", {"handlers.bas": HANDLERS})
    other = make_bot(make_package, "other", {"handlers.bas": HANDLERS})
    event = WorkflowEvent.objects.create(bot=shop, event_name="ping", created_at=timezone.now())
    pings = EventSubscription.objects.filter(bot=shop, event_name="ping").order_by("line")

    found = _listeners(event, [shop.pk])
    assert [s.pk for s in found.subscriptions] == [s.pk for s in pings] and len(pings) == 2
    assert [(s.bot_id, s.entry, s.script) for s in found.subscriptions] == [
        (s.bot_id, s.entry, s.script) for s in pings
    ]
    assert (found.waiters, found.webhooks, found.source) == (False, False, None)
    assert len(_listeners(event, [shop.pk, other.pk]).subscriptions) == 4
    nobody = WorkflowEvent.objects.create(bot=shop, event_name="nobody", created_at=timezone.now())
    assert _listeners(nobody, [shop.pk]) == _listeners(nobody, [shop.pk, other.pk])
    assert _listeners(nobody, [shop.pk]).subscriptions == []

    # Webhooks: another name, or another bot's, do not count; one for every name does.
    webhook_subscription_create(bot=shop, url="http://127.0.0.1:9/hook", event_name="pong")
    webhook_subscription_create(bot=other, url="http://127.0.0.1:9/hook")
    assert _listeners(event, [shop.pk]).webhooks is False
    webhook_subscription_create(bot=shop, url="http://127.0.0.1:9/all")
    assert _listeners(event, [shop.pk]).webhooks is True

    # Waiters: only one of these bots' still waiting for this name since before the event.
    before, after = event.created_at - timedelta(seconds=1), event.created_at + timedelta(seconds=1)
    EventWaiter.objects.create(bot=shop, event_name="pong", created_at=before)
    EventWaiter.objects.create(bot=other, event_name="ping", created_at=before)
    EventWaiter.objects.create(bot=shop, event_name="ping", created_at=after)
    EventWaiter.objects.create(bot=shop, event_name="ping", created_at=before, status=WaiterStatus.RESUMED)
    assert _listeners(event, [shop.pk]).waiters is False
    assert _listeners(event, [shop.pk, other.pk]).waiters is True
    EventWaiter.objects.create(bot=shop, event_name="ping", created_at=event.created_at)
    assert _listeners(event, [shop.pk]).waiters is True


def test_the_same_read_finds_the_chat_the_event_came_from(make_package) -> None:
    shop = make_bot(make_package, "shop", {"handlers.bas": HANDLERS})
    chat = Conversation.objects.create(bot=shop, user_key="ana")
    version = script_version_pin("HEAR x\n")
    run = DialogRun.objects.create(conversation=chat, script="s.bas", script_version=version)
    from_chat = WorkflowEvent.objects.create(bot=shop, event_name="ping", dialog_run=run)
    assert _listeners(from_chat, [shop.pk]).source == (chat.pk, shop.pk)
    workflow = WorkflowExecution.objects.create(bot=shop, script="w.bas", script_version=version)
    from_workflow = WorkflowEvent.objects.create(bot=shop, event_name="ping", workflow=workflow)
    assert _listeners(from_workflow, [shop.pk]).source is None  # a workflow outside any chat
    WorkflowExecution.objects.filter(pk=workflow.pk).update(conversation=chat)
    assert _listeners(from_workflow, [shop.pk]).source == (chat.pk, shop.pk)


def test_the_listener_checks_its_connection_after_a_failed_delivery_and_keeps_listening(
    monkeypatch,
) -> None:
    listener = EventListener("redis://127.0.0.1:9/0", "unused")
    delivered: list[str] = []
    listener._deliver(delivered.append, "first")  # never checked yet: checks
    checked = listener.checked
    assert delivered == ["first"] and checked > 0
    monkeypatch.setattr(events.listener, "CHECK_SECONDS", 3600.0)
    # A healthy delivery within CHECK_SECONDS of a check does not check again (no SELECT 1 each).
    listener._deliver(delivered.append, "second")
    assert listener.checked == checked

    def broken(event_id: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")

    listener._deliver(broken, "third")  # logged, not raised
    assert listener.checked > checked
    with connection.cursor() as cursor:  # the connection was checked and still serves
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_a_delivery_that_failed_on_a_broken_connection_is_tried_once_more_on_a_new_one() -> None:
    listener = EventListener("redis://127.0.0.1:9/0", "unused")
    attempts: list[str] = []

    def work(event_id: str) -> None:
        attempts.append(event_id)
        if len(attempts) == 1:
            connection.ensure_connection()
            connection.connection.close()  # as a database restart would leave it
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")

    listener._deliver(work, "e")
    assert attempts == ["e", "e"]  # the broken connection was found, replaced, and the work redone
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)

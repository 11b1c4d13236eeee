"""Delivering an event: a handler run per ON EVENT subscription, the waiting runs it resumes,
and a webhook delivery per webhook subscription, all in one transaction with the event's
``delivered_at``.

Delivery is at least once: the wake-up and the sweep may both try the same event. The claim
(the undelivered row, held for the transaction; see :func:`_claim`) lets one of them deliver;
the unique handler run per (subscription, event) and the conditional update of each waiter are
the last guard, so a handler runs once per event and a waiter resumes once.

A waiter hears the events published after it began to wait. On PostgreSQL, deliveries share an
advisory lock on the event name that a new waiter takes exclusively, so a waiter whose
transaction commits while an event is being delivered is either seen by that delivery or began
after it; deliveries of one name still run side by side.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from bots.models import Bot, Channel, Conversation, DialogRun
from events import live
from events.models import EventScope, EventSubscription, EventWaiter, HandlerRun, WorkflowEvent
from events.waiters import waiter_matches, waiter_resume
from events.webhooks import webhook_deliveries_queue
from workflows.engine.dispatch import Dispatch
from workflows.models import ExecutionKind, WorkflowExecution

logger = logging.getLogger(__name__)

BATCH = 500


def name_lock(event_name: str, *, shared: bool) -> None:
    """Order deliveries of ``event_name`` (``shared``: they may run side by side) against waiters
    starting to wait for it (exclusive), on PostgreSQL; SQLite serialises every write anyway."""
    if connection.vendor == "postgresql":
        lock = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {lock}(hashtext(%s))", [f"gb-event:{event_name}"])


def listening_bot_ids(event: WorkflowEvent) -> list[int]:
    """The bots an event reaches: its own, the one it was sent TO, or all of them."""
    if event.scope == EventScope.ALL:  # the publisher hears it even when it is no active bot (gb run)
        return sorted({event.bot_id, *Bot.objects.filter(active=True).values_list("pk", flat=True)})
    if event.scope == EventScope.TO_BOT and event.target_bot_id is not None:
        return [event.target_bot_id]
    return [event.bot_id]


def event_deliver(event_id: UUID | str, *, dispatch: Dispatch) -> bool:
    """Deliver one event; False when it was delivered already, is being delivered by another
    process, or does not exist."""
    with transaction.atomic():
        event = _claim(event_id)
        if event is None:
            return False
        name_lock(event.event_name, shared=True)
        bot_ids = listening_bot_ids(event)
        started = _handlers_start(event, bot_ids, dispatch)
        resumed = _waiters_resume(event, bot_ids, dispatch)
        event.webhook_count = webhook_deliveries_queue(event, bot_ids)
        event.handler_count += started  # added: a redelivery (delivered_at reset) adds to the first
        event.waiter_count += resumed
        event.delivered_at = timezone.now()
        WorkflowEvent.objects.filter(pk=event.pk).update(
            delivered_at=event.delivered_at,
            handler_count=F("handler_count") + started,
            waiter_count=F("waiter_count") + resumed,
            webhook_count=event.webhook_count,
        )
        live.event_changed(event)
    return True


def _claim(event_id: UUID | str) -> WorkflowEvent | None:
    """The undelivered event, held for this transaction. On PostgreSQL a row another process is
    delivering is skipped at once; SQLite, which writes one transaction at a time, claims it by
    writing ``delivered_at`` first. (Looked up by its key alone: the planner would otherwise
    scan the partial index of undelivered events, which is long exactly when delivery is busy.)"""
    row = WorkflowEvent.objects.filter(pk=event_id)
    if connection.features.has_select_for_update_skip_locked:
        event = row.select_for_update(skip_locked=True).first()
        return event if event is not None and event.delivered_at is None else None
    if not row.filter(delivered_at__isnull=True).update(delivered_at=timezone.now()):
        return None
    return row.first()


def events_deliver_pending(
    *, dispatch: Dispatch, older_than: float | None = None, now: datetime | None = None
) -> int:
    """The sweep: deliver events still undelivered ``older_than`` seconds after they were
    published (their wake-up had its chance). Returns how many it delivered."""
    grace = settings.GB_EVENTS_SWEEP_GRACE_SECONDS if older_than is None else older_than
    before = (now or timezone.now()) - timedelta(seconds=grace)
    pending = WorkflowEvent.objects.filter(delivered_at__isnull=True, created_at__lte=before)
    delivered = 0
    for event_id in list(pending.order_by("created_at").values_list("pk", flat=True)[:BATCH]):
        try:
            delivered += event_deliver(event_id, dispatch=dispatch)
        except Exception:  # one broken event never stops the rest
            logger.exception("event %s could not be delivered; it stays pending", event_id)
    return delivered


# --- ON EVENT handlers ------------------------------------------------------------------------


def handler_inputs(event: WorkflowEvent) -> dict[str, Any]:
    """The variables an ON EVENT block starts with."""
    return {"event": event.event_data, "event_name": event.event_name, "event_id": str(event.pk)}


def _handlers_start(event: WorkflowEvent, bot_ids: list[int], dispatch: Dispatch) -> int:
    subscriptions = list(
        EventSubscription.objects.filter(active=True, event_name=event.event_name, bot_id__in=bot_ids)
    )
    if not subscriptions:
        return 0
    # Only a redelivery (its delivered_at reset) finds runs an earlier delivery started.
    earlier = set(event.handler_runs.values_list("subscription_id", flat=True) if event.handler_count else ())
    source = _source_conversation(event)
    started = 0
    for subscription in subscriptions:
        if subscription.pk in earlier:
            continue
        execution = WorkflowExecution.objects.create(
            bot_id=subscription.bot_id,
            kind=ExecutionKind.HANDLER,
            workflow_name=f"ON EVENT {event.event_name}"[:200],
            entry=subscription.entry,
            script=subscription.script,
            script_version_id=subscription.script_version_id,
            conversation_id=_handler_conversation_id(subscription, source),
            inputs=handler_inputs(event),
        )
        HandlerRun.objects.create(subscription=subscription, event=event, execution=execution)
        dispatch.wake(execution.pk)
        started += 1
    return started


def _source_conversation(event: WorkflowEvent) -> tuple[int, int] | None:
    """(conversation id, its bot id) of the chat or workflow that published the event, if any."""
    if event.dialog_run_id is not None:
        rows = DialogRun.objects.filter(pk=event.dialog_run_id)
    elif event.workflow_id is not None:
        rows = WorkflowExecution.objects.filter(pk=event.workflow_id, conversation__isnull=False)
    else:
        return None
    return rows.values_list("conversation_id", "conversation__bot_id").first()


def _handler_conversation_id(subscription: EventSubscription, source: tuple[int, int] | None) -> int:
    """The chat the event came from when it is the handler's bot's own; else the subscription's."""
    if source is not None and source[1] == subscription.bot_id:
        return source[0]
    if subscription.conversation_id is None:
        conversation = Conversation.objects.create(
            bot_id=subscription.bot_id, channel=Channel.WORKFLOW, user_key=f"on-event:{subscription.pk}"
        )
        EventSubscription.objects.filter(pk=subscription.pk).update(conversation=conversation)
        subscription.conversation_id = conversation.pk
    return subscription.conversation_id


# --- WAIT FOR EVENT waiters ------------------------------------------------------------------


def _waiters_resume(event: WorkflowEvent, bot_ids: list[int], dispatch: Dispatch) -> int:
    waiters = EventWaiter.objects.filter(
        status="waiting", event_name=event.event_name, bot_id__in=bot_ids, created_at__lte=event.created_at
    ).order_by("created_at", "pk")
    resumed = 0
    for waiter in waiters:
        matched, error = waiter_matches(waiter, event)
        if matched or error:
            resumed += waiter_resume(waiter, event, dispatch=dispatch, error=error)
    return resumed

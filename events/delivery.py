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

A delivery is on the way from PUBLISH EVENT to its handlers, so it costs few round trips and
little ORM work: the claim takes the name lock in the same statement; one read (:func:`_listeners`)
finds the subscriptions and whether any waiter or webhook subscription may hear the event, and the
waiters' and webhooks' own reads run only when one may; the rows are read and written with SQL the
ORM compiles once per process (:mod:`bots.runtime.prepared`).

On PostgreSQL a delivery commits without waiting for its WAL flush (``synchronous_commit`` off,
for that transaction only), which on a busy disk is most of a delivery's time. Nothing acts on a
delivery before a synchronous commit of its own flushes it too (WAL is flushed in order): a run's
claim, a webhook send's claim. A crash before that loses the delivery whole (the event is
undelivered again, and the sweep delivers it), never part of it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.utils import timezone

from bots.models import Bot, Channel, Conversation, DialogRun
from bots.runtime.prepared import PreparedInsert, PreparedRead, PreparedUpdate
from events import live
from events.models import (
    EventScope,
    EventSubscription,
    EventWaiter,
    HandlerRun,
    WaiterStatus,
    WebhookSubscription,
    WorkflowEvent,
)
from events.waiters import waiter_matches, waiter_resume
from events.webhooks import webhook_deliveries_queue
from workflows.engine.dispatch import Dispatch
from workflows.models import ExecutionKind, WorkflowExecution

logger = logging.getLogger(__name__)

BATCH = 500
NAME_LOCK = "gb-event:"  # the advisory lock of an event name is hashtext(NAME_LOCK || name)


def name_lock(event_name: str, *, shared: bool) -> None:
    """Order deliveries of ``event_name`` (``shared``: they may run side by side) against waiters
    starting to wait for it (exclusive), on PostgreSQL; SQLite serialises every write anyway.
    (A delivery's claim takes the same shared lock in its own statement: see :func:`_claimed`.)"""
    if connection.vendor == "postgresql":
        lock = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {lock}(hashtext(%s))", [NAME_LOCK + event_name])


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
        bot_ids = listening_bot_ids(event)
        found = _listeners(event, bot_ids)
        started = _handlers_start(event, found, dispatch)
        resumed = _waiters_resume(event, bot_ids, dispatch) if found.waiters else 0
        event.webhook_count = webhook_deliveries_queue(event, bot_ids) if found.webhooks else 0
        # Added: a redelivery (delivered_at reset) adds to the first. The row is ours until commit.
        event.handler_count += started
        event.waiter_count += resumed
        event.delivered_at = timezone.now()
        _DELIVERED.run({name: getattr(event, name) for name in _DELIVERY_FIELDS}, event_id=event.pk)
        live.event_changed(event)
    return True


def _claimed(event_id: UUID) -> QuerySet[WorkflowEvent]:
    """PostgreSQL: the event row, skipped at once when another process holds it. The same
    statement takes the shared lock on its name (so before the next one reads any waiter) and
    turns off ``synchronous_commit`` for this transaction (see the module's docstring)."""
    table = WorkflowEvent._meta.db_table
    lock = RawSQL(
        f'pg_advisory_xact_lock_shared(hashtext(%s || "{table}"."event_name"))',
        (NAME_LOCK,),
        output_field=TextField(),
    )
    unflushed = RawSQL("set_config('synchronous_commit', 'off', true)", (), output_field=TextField())
    return (
        WorkflowEvent.objects.filter(pk=event_id)
        .annotate(name_locked=lock, commit_unflushed=unflushed)
        .select_for_update(skip_locked=True)
        .order_by()
    )


def _event(event_id: UUID) -> QuerySet[WorkflowEvent]:
    return WorkflowEvent.objects.filter(pk=event_id).order_by()


def _undelivered(event_id: UUID) -> QuerySet[WorkflowEvent]:
    return WorkflowEvent.objects.filter(pk=event_id, delivered_at__isnull=True)


_CLAIMED = PreparedRead(_claimed, event_id=UUID)
_EVENT = PreparedRead(_event, event_id=UUID)
_UNDELIVERED = PreparedUpdate(_undelivered, event_id=UUID)
_DELIVERED = PreparedUpdate(_event, event_id=UUID)
_DELIVERY_FIELDS = ("delivered_at", "handler_count", "waiter_count", "webhook_count")


def _claim(event_id: UUID | str) -> WorkflowEvent | None:
    """The undelivered event, held for this transaction. On PostgreSQL a row another process is
    delivering is skipped at once, and the claim takes the shared name lock (:func:`name_lock`)
    too; SQLite, which writes one transaction at a time, claims it by writing ``delivered_at``
    first. (Looked up by its key alone: the planner would otherwise scan the partial index of
    undelivered events, which is long exactly when delivery is busy.)"""
    if connection.vendor == "postgresql":
        event = _CLAIMED.first(event_id=event_id)
        return event if event is not None and event.delivered_at is None else None
    if not _UNDELIVERED.run({"delivered_at": timezone.now()}, event_id=event_id):
        return None
    return _EVENT.first(event_id=event_id)


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


@dataclass(frozen=True, slots=True)
class Listeners:
    """What may hear an event: its ON EVENT subscriptions (with the fields a handler run needs),
    whether a waiter or a webhook subscription may (their own reads run only then), and the chat
    the event came from: (conversation id, its bot id), when a chat or workflow in one published it."""

    subscriptions: list[EventSubscription]
    waiters: bool
    webhooks: bool
    source: tuple[int, int] | None


# In the model's order, as Model.from_db takes a row's values.
_SUBSCRIPTION_FIELDS = [
    field.attname
    for field in EventSubscription._meta.concrete_fields
    if field.attname in {"id", "bot_id", "entry", "script", "script_version_id", "conversation_id"}
]


@cache
def _listeners_sql(bots: int) -> str:
    """One round trip for the subscriptions, the waiter and webhook flags and the source chat;
    LEFT JOINs on one row, so the rest comes back even when no subscription does. Written for
    every database."""
    ids = ", ".join(["%s"] * bots)
    columns = ", ".join(f"s.{name}" for name in _SUBSCRIPTION_FIELDS)
    return (
        f"SELECT {columns}, src.id, src.bot_id,"
        f" EXISTS (SELECT 1 FROM {EventWaiter._meta.db_table} w WHERE w.status = %s"
        f" AND w.event_name = %s AND w.bot_id IN ({ids}) AND w.created_at <= %s),"
        f" EXISTS (SELECT 1 FROM {WebhookSubscription._meta.db_table} h WHERE h.active = %s"
        f" AND h.bot_id IN ({ids}) AND h.event_name IN ('', %s))"
        " FROM (SELECT 1 AS one) one"
        f" LEFT JOIN {Conversation._meta.db_table} src ON src.id = COALESCE("
        f"(SELECT d.conversation_id FROM {DialogRun._meta.db_table} d WHERE d.id = %s),"
        f" (SELECT x.conversation_id FROM {WorkflowExecution._meta.db_table} x WHERE x.id = %s))"
        f" LEFT JOIN {EventSubscription._meta.db_table} s"
        f" ON s.active = %s AND s.event_name = %s AND s.bot_id IN ({ids})"
        " ORDER BY s.bot_id, s.script, s.line, s.id"
    )


def _listeners(event: WorkflowEvent, bot_ids: list[int]) -> Listeners:
    """The event's listeners (on PostgreSQL after the name lock: a waiter that committed before
    it is seen)."""
    name, since = event.event_name, connection.ops.adapt_datetimefield_value(event.created_at)
    # The chat of the run that published it: its dialog run's, else its workflow's (if it has one).
    workflow_id = event.workflow_id if event.dialog_run_id is None else None
    params = [
        *(WaiterStatus.WAITING, name, *bot_ids, since),
        *(True, *bot_ids, name),
        *(event.dialog_run_id, workflow_id),
        *(True, name, *bot_ids),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_listeners_sql(len(bot_ids)), params)
        rows = cursor.fetchall()
    width = len(_SUBSCRIPTION_FIELDS)
    subscriptions = [
        EventSubscription.from_db(connection.alias, _SUBSCRIPTION_FIELDS, row[:width])
        for row in rows
        if row[0] is not None
    ]
    source_id, source_bot_id, waiters, webhooks = rows[0][width:]
    return Listeners(
        subscriptions,
        waiters=bool(waiters),
        webhooks=bool(webhooks),
        source=(source_id, source_bot_id) if source_id is not None else None,
    )


_EXECUTION_INSERT = PreparedInsert(WorkflowExecution)
_HANDLER_RUN_INSERT = PreparedInsert(HandlerRun)


def _handlers_start(event: WorkflowEvent, found: Listeners, dispatch: Dispatch) -> int:
    if not found.subscriptions:
        return 0
    # Only a redelivery (its delivered_at reset) finds runs an earlier delivery started.
    earlier = set(event.handler_runs.values_list("subscription_id", flat=True) if event.handler_count else ())
    started = 0
    for subscription in found.subscriptions:
        if subscription.pk in earlier:
            continue
        execution = _EXECUTION_INSERT.save(
            WorkflowExecution(
                bot_id=subscription.bot_id,
                kind=ExecutionKind.HANDLER,
                workflow_name=f"ON EVENT {event.event_name}"[:200],
                entry=subscription.entry,
                script=subscription.script,
                script_version_id=subscription.script_version_id,
                conversation_id=_handler_conversation_id(subscription, found.source),
                inputs=handler_inputs(event),
            )
        )
        _HANDLER_RUN_INSERT.save(
            HandlerRun(subscription_id=subscription.pk, event_id=event.pk, execution_id=execution.pk)
        )
        dispatch.wake(execution.pk)
        started += 1
    return started


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

"""Reads behind the events API, the live events page and the admin: events with what they
reached (handler runs, resumed waiters, webhook deliveries), and webhook subscriptions."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.db.models import Count, Q, QuerySet

from bots.models import Bot
from events.models import (
    DeliveryStatus,
    EventWaiter,
    HandlerRun,
    WebhookDelivery,
    WebhookSubscription,
    WorkflowEvent,
)


def bot_for_events(*, name: str) -> Bot | None:
    """The active bot an event may be published for, or a webhook subscribed to (any case)."""
    text = (name or "").strip()
    return Bot.objects.filter(name__iexact=text, active=True).first() if text else None


def events_list(
    *,
    bot: str = "",
    name: str = "",
    undelivered: bool = False,
    since: datetime | None = None,
) -> QuerySet[WorkflowEvent]:
    """Events newest first. ``bot``: those it published or that were sent TO it."""
    events = WorkflowEvent.objects.select_related("bot", "target_bot").order_by("-created_at", "-id")
    if bot:
        events = events.filter(Q(bot__name__iexact=bot) | Q(target_bot__name__iexact=bot))
    if name:
        events = events.filter(event_name=name.strip().lower())
    if undelivered:
        events = events.filter(delivered_at__isnull=True)
    if since is not None:
        events = events.filter(created_at__gte=since)
    return events


def event_detail(event_id: UUID | str) -> WorkflowEvent | None:
    """One event with its publisher and target; None when there is no such event."""
    return WorkflowEvent.objects.select_related("bot", "target_bot").filter(pk=event_id).first()


def event_handler_runs(event: WorkflowEvent) -> QuerySet[HandlerRun]:
    """The ON EVENT handler runs an event started, with their executions."""
    return (
        HandlerRun.objects.filter(event=event)
        .select_related("subscription__bot", "execution")
        .order_by("created_at", "id")
    )


def event_resumed_waiters(event: WorkflowEvent) -> QuerySet[EventWaiter]:
    """The WAIT FOR EVENT runs an event resumed."""
    return EventWaiter.objects.filter(event=event).select_related("bot").order_by("ended_at", "id")


def event_webhook_deliveries(event: WorkflowEvent) -> QuerySet[WebhookDelivery]:
    return (
        WebhookDelivery.objects.filter(event=event)
        .select_related("subscription__bot", "event")
        .order_by("created_at", "id")
    )


def webhook_subscriptions_list(*, bot: str = "") -> QuerySet[WebhookSubscription]:
    subscriptions = WebhookSubscription.objects.select_related("bot").order_by(
        "bot__name", "event_name", "id"
    )
    if bot:
        subscriptions = subscriptions.filter(bot__name__iexact=bot)
    return subscriptions


def webhook_subscription_get(*, pk: int) -> WebhookSubscription | None:
    return WebhookSubscription.objects.select_related("bot").filter(pk=pk).first()


def webhook_deliveries_list(
    *, subscription: WebhookSubscription, status: str = ""
) -> QuerySet[WebhookDelivery]:
    """A webhook's deliveries, newest first."""
    deliveries = WebhookDelivery.objects.filter(subscription=subscription).select_related(
        "subscription", "event"
    )
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries.order_by("-created_at", "-id")


def webhook_delivery_get(*, subscription: WebhookSubscription, pk: int) -> WebhookDelivery | None:
    return (
        WebhookDelivery.objects.filter(subscription=subscription, pk=pk)
        .select_related("subscription__bot", "event")
        .first()
    )


def event_feed(*, bot: str = "", name: str = "") -> QuerySet[WorkflowEvent]:
    """:func:`events_list` for the live page and stream: each event with ``webhooks_failing`` (its
    deliveries retrying or given up)."""
    failing = Q(webhook_deliveries__status__in=[DeliveryStatus.RETRYING, DeliveryStatus.FAILED])
    return events_list(bot=bot, name=name).annotate(
        webhooks_failing=Count("webhook_deliveries", filter=failing)
    )


def event_names(*, limit: int = 200) -> list[str]:
    """Names of the events published so far (the first ``limit``, alphabetically), for the filters."""
    names = WorkflowEvent.objects.order_by("event_name").values_list("event_name", flat=True).distinct()
    return list(names[:limit])

"""The event bus's rows: events, ON EVENT subscriptions and their handler runs, WAIT FOR EVENT
waiters, and webhook subscriptions with their deliveries.

An event row is written before anything is told about it (DESIGN.md "Events"); everything that
listens is a row too, so a restarted worker or Redis loses nothing: the periodic sweep delivers
what a wake-up missed. Event names are compared without regard to case and stored lower case.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from bots.models import Bot, Conversation, DialogRun, ScriptVersion
from workflows.models import WorkflowExecution


class EventScope(models.TextChoices):
    BOT = "bot", "The publishing bot"
    TO_BOT = "to-bot", "Another bot (TO BOT)"
    ALL = "all", "Every bot (TO ALL)"


class EventSource(models.TextChoices):
    SCRIPT = "script", "PUBLISH EVENT in a script"
    API = "api", "POST /api/events"


class WorkflowEvent(models.Model):
    """One published event (the seed's ``workflow_events`` plus publisher, scope and idempotency).

    ``delivered_at`` is set once every subscription, waiter and webhook in scope has its row; an
    event nobody listens to is delivered to nobody and kept all the same.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workflow = models.ForeignKey(
        WorkflowExecution,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="published_events",
        help_text="The workflow execution that published it, if one did.",
    )
    event_name = models.CharField(max_length=200, db_index=True)
    event_data = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    bot = models.ForeignKey(Bot, on_delete=models.CASCADE, related_name="published_events")
    dialog_run = models.ForeignKey(
        DialogRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="published_events"
    )
    source = models.CharField(max_length=10, choices=EventSource.choices, default=EventSource.SCRIPT)
    scope = models.CharField(max_length=10, choices=EventScope.choices, default=EventScope.BOT)
    target_bot = models.ForeignKey(
        Bot, on_delete=models.CASCADE, null=True, blank=True, related_name="events_received"
    )
    idempotency_key = models.CharField(
        max_length=200,
        blank=True,
        help_text="A second publish with this key returns the first event.",
    )
    delivered_at = models.DateTimeField(null=True, blank=True)
    handler_count = models.PositiveIntegerField(default=0, help_text="ON EVENT handlers it started.")
    waiter_count = models.PositiveIntegerField(default=0, help_text="WAIT FOR EVENT runs it resumed.")
    webhook_count = models.PositiveIntegerField(default=0, help_text="Webhook deliveries it queued.")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["bot", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="ev_event_idempotent",
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_at"], condition=Q(delivered_at__isnull=True), name="ev_undelivered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_name} ({self.id})"

    @property
    def listeners(self) -> int:
        return self.handler_count + self.waiter_count + self.webhook_count


class EventSubscription(models.Model):
    """An ``ON EVENT "name" DO ... END ON`` block, registered when its package is synced: the
    script version it belongs to and the hidden procedure its body compiled to."""

    bot = models.ForeignKey(Bot, on_delete=models.CASCADE, related_name="event_subscriptions")
    event_name = models.CharField(max_length=200)
    script = models.CharField(max_length=500, help_text="Path of the script inside the package.")
    script_version = models.ForeignKey(ScriptVersion, on_delete=models.PROTECT, related_name="+")
    entry = models.CharField(max_length=40, help_text="The procedure the block's body compiled to.")
    line = models.PositiveIntegerField(default=0)
    column = models.PositiveIntegerField(default=0)
    conversation = models.ForeignKey(
        Conversation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Where the handler's TALKs go when the event did not come from a chat of this bot.",
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["bot", "script", "line"]
        indexes = [models.Index(fields=["event_name", "bot"], condition=Q(active=True), name="ev_sub_match")]

    def __str__(self) -> str:
        return f'ON EVENT "{self.event_name}" in {self.script}:{self.line}'


class HandlerRun(models.Model):
    """One handler run of one event: unique, so an event delivered twice runs a handler once."""

    subscription = models.ForeignKey(EventSubscription, on_delete=models.CASCADE, related_name="runs")
    event = models.ForeignKey(WorkflowEvent, on_delete=models.CASCADE, related_name="handler_runs")
    execution = models.OneToOneField(
        WorkflowExecution, on_delete=models.SET_NULL, null=True, blank=True, related_name="handler_run"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event"], name="ev_handler_once"),
        ]

    def __str__(self) -> str:
        return f"{self.subscription} for {self.event_id}"


class WaiterStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    RESUMED = "resumed", "Resumed by an event"
    TIMED_OUT = "timed-out", "Timed out"
    CANCELLED = "cancelled", "Cancelled"


class EventWaiter(models.Model):
    """A run stopped at ``WAIT FOR EVENT``: a workflow execution or a chat's dialog run.

    It hears events published after it began that reach its bot; ``condition`` (the WHERE
    expression) is checked against each with ``variables``, the run's values when it stopped.
    """

    bot = models.ForeignKey(Bot, on_delete=models.CASCADE, related_name="event_waiters")
    event_name = models.CharField(max_length=200)
    condition = models.TextField(blank=True, help_text="The WHERE expression as written.")
    variables = models.JSONField(default=dict, blank=True, help_text="The run's variables, for WHERE.")
    execution = models.ForeignKey(
        WorkflowExecution, on_delete=models.CASCADE, null=True, blank=True, related_name="event_waiters"
    )
    dialog_run = models.ForeignKey(
        DialogRun, on_delete=models.CASCADE, null=True, blank=True, related_name="event_waiters"
    )
    script = models.CharField(max_length=500, blank=True)
    line = models.PositiveIntegerField(default=0)
    column = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=WaiterStatus.choices, default=WaiterStatus.WAITING)
    due_at = models.DateTimeField(null=True, blank=True, help_text="When its TIMEOUT ends the wait.")
    event = models.ForeignKey(
        WorkflowEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="resumed_waiters"
    )
    error = models.TextField(blank=True, help_text="Why its WHERE condition could not be checked.")
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["event_name", "bot"], condition=Q(status="waiting"), name="ev_waiter_match"),
        ]

    def __str__(self) -> str:
        return f'WAIT FOR EVENT "{self.event_name}" ({self.status})'


class WebhookSubscription(models.Model):
    """Deliver the events a bot hears (all, or those named ``event_name``) to ``url``, signed
    with ``secret`` (HMAC-SHA256)."""

    bot = models.ForeignKey(Bot, on_delete=models.CASCADE, related_name="webhook_subscriptions")
    event_name = models.CharField(max_length=200, blank=True, help_text="Empty: every event the bot hears.")
    url = models.URLField(max_length=1000)
    secret = models.CharField(max_length=200)
    description = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["bot", "event_name", "id"]

    def __str__(self) -> str:
        return f"{self.event_name or '*'} -> {self.url}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    RETRYING = "retrying", "Failed, will retry"
    FAILED = "failed", "Failed, gave up"


class WebhookDelivery(models.Model):
    """One event sent (or being sent) to one webhook: each attempt's outcome is kept."""

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(WorkflowEvent, on_delete=models.CASCADE, related_name="webhook_deliveries")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event"], name="ev_webhook_once"),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "retrying"]),
                name="ev_webhook_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} -> {self.subscription.url} ({self.status})"

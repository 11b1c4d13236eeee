"""Input and output shapes of the events API."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from events import selectors
from events.models import (
    DeliveryStatus,
    EventWaiter,
    HandlerRun,
    WebhookDelivery,
    WebhookSubscription,
    WorkflowEvent,
)
from events.services import NAME_MAX

# --- requests -----------------------------------------------------------------------------------


class EventPublishSerializer(serializers.Serializer):
    bot = serializers.CharField(max_length=100, help_text="The publishing bot's name: its listeners hear it.")
    name = serializers.CharField(
        max_length=NAME_MAX, help_text='The event name, like "order_paid" (stored lower case).'
    )
    data = serializers.JSONField(
        required=False, allow_null=True, help_text="Any JSON value that travels with the event (<= 256 KB)."
    )
    to_bot = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="Deliver to this bot instead (TO BOT)."
    )
    to_all = serializers.BooleanField(
        required=False, default=False, help_text="Deliver to every bot (TO ALL)."
    )
    idempotency_key = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="A repeat with this key (per bot) returns the first event; or Idempotency-Key header.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (attrs.get("to_bot") or "").strip() and attrs.get("to_all"):
            raise serializers.ValidationError(
                'give "to_bot" (one bot) or "to_all": true (every bot), not both'
            )
        return attrs


class EventFilterSerializer(serializers.Serializer):
    bot = serializers.CharField(
        required=False, help_text="Events this bot published or that were sent TO it."
    )
    name = serializers.CharField(required=False, help_text="One event name (any case).")
    undelivered = serializers.BooleanField(
        required=False, default=False, help_text="Only events not delivered yet."
    )
    since = serializers.DateTimeField(required=False, help_text="ISO 8601; published at or after.")


class WebhookCreateSerializer(serializers.Serializer):
    bot = serializers.CharField(max_length=100, help_text="The bot whose events are sent.")
    url = serializers.CharField(max_length=1000, help_text="An http:// or https:// address that takes POSTs.")
    event_name = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=NAME_MAX,
        help_text="Only this event; empty: every event.",
    )
    secret = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="The signing secret (16+ characters); generated when left out. Shown only in this answer.",
    )
    description = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    active = serializers.BooleanField(required=False, default=True)


class DeliveryFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, required=False)


# --- responses ----------------------------------------------------------------------------------


class EventSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="event_name")
    data = serializers.JSONField(source="event_data")
    bot = serializers.CharField(source="bot.name")
    target_bot = serializers.CharField(source="target_bot.name", allow_null=True, default=None)
    delivered = serializers.SerializerMethodField()

    class Meta:
        model = WorkflowEvent
        fields = [
            "id",
            "name",
            "data",
            "bot",
            "scope",
            "target_bot",
            "source",
            "workflow",
            "dialog_run",
            "idempotency_key",
            "created_at",
            "delivered",
            "delivered_at",
            "handler_count",
            "waiter_count",
            "webhook_count",
        ]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_delivered(self, event: WorkflowEvent) -> bool:
        return event.delivered_at is not None


class HandlerRunSerializer(serializers.ModelSerializer):
    bot = serializers.CharField(source="subscription.bot.name")
    script = serializers.CharField(source="subscription.script")
    line = serializers.IntegerField(source="subscription.line")
    execution_status = serializers.CharField(source="execution.status", allow_null=True, default=None)

    class Meta:
        model = HandlerRun
        fields = [
            "id",
            "subscription",
            "bot",
            "script",
            "line",
            "execution",
            "execution_status",
            "created_at",
        ]


class ResumedWaiterSerializer(serializers.ModelSerializer):
    bot = serializers.CharField(source="bot.name")

    class Meta:
        model = EventWaiter
        fields = ["id", "bot", "execution", "dialog_run", "script", "line", "status", "error", "ended_at"]


class DeliverySerializer(serializers.ModelSerializer):
    webhook = serializers.IntegerField(source="subscription_id")
    url = serializers.CharField(source="subscription.url")
    event_name = serializers.CharField(source="event.event_name")

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "webhook",
            "url",
            "event",
            "event_name",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "next_attempt_at",
            "delivered_at",
            "created_at",
            "updated_at",
        ]


class EventDetailSerializer(EventSerializer):
    handler_runs = serializers.SerializerMethodField()
    resumed_waiters = serializers.SerializerMethodField()
    webhook_deliveries = serializers.SerializerMethodField()

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "handler_runs", "resumed_waiters", "webhook_deliveries"]

    @extend_schema_field(HandlerRunSerializer(many=True))
    def get_handler_runs(self, event: WorkflowEvent) -> list[dict[str, Any]]:
        return HandlerRunSerializer(selectors.event_handler_runs(event), many=True).data

    @extend_schema_field(ResumedWaiterSerializer(many=True))
    def get_resumed_waiters(self, event: WorkflowEvent) -> list[dict[str, Any]]:
        return ResumedWaiterSerializer(selectors.event_resumed_waiters(event), many=True).data

    @extend_schema_field(DeliverySerializer(many=True))
    def get_webhook_deliveries(self, event: WorkflowEvent) -> list[dict[str, Any]]:
        return DeliverySerializer(selectors.event_webhook_deliveries(event), many=True).data


class WebhookSerializer(serializers.ModelSerializer):
    bot = serializers.CharField(source="bot.name")

    class Meta:
        model = WebhookSubscription
        fields = ["id", "bot", "event_name", "url", "description", "active", "created_at", "updated_at"]


class WebhookCreatedSerializer(WebhookSerializer):
    """The answer to a create: the only time the secret is shown."""

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]

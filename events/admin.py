"""Admin for the event bus: events with what they reached, ON EVENT subscriptions and their
handler runs, WAIT FOR EVENT waiters, webhook subscriptions and deliveries.

Events, handler runs, waiters and deliveries are written only by the bus, so their pages are
read-only; webhook subscriptions are the one thing an operator edits here, and "retry now" on a
delivery goes through :mod:`events.webhooks` so the sender sees it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from events.models import (
    EventSubscription,
    EventWaiter,
    HandlerRun,
    WebhookDelivery,
    WebhookSubscription,
    WorkflowEvent,
)
from events.webhooks import (
    WebhookError,
    webhook_delivery_retry,
    webhook_event_name,
    webhook_secret_new,
    webhook_url_check,
)
from workflows.admin import ReadOnlyAdmin, ReadOnlyInline, execution_link


def _event_link(event_id: Any) -> str:
    if event_id is None:
        return "-"
    url = reverse("admin:events_workflowevent_change", args=[event_id])
    return format_html('<a href="{}">{}</a>', url, str(event_id)[:8])


class HandlerRunColumns:
    """A handler run's execution, linked, and its status (the inline and the list alike)."""

    @admin.display(description="execution")
    def execution_link(self, obj: HandlerRun) -> str:
        return execution_link(obj.execution_id)

    @admin.display(description="status")
    def execution_status(self, obj: HandlerRun) -> str:
        return obj.execution.status if obj.execution_id else "-"


class HandlerRunInline(HandlerRunColumns, ReadOnlyInline):
    model = HandlerRun
    fields = ["subscription", "execution_link", "execution_status", "created_at"]
    readonly_fields = fields


class ResumedWaiterInline(ReadOnlyInline):
    model = EventWaiter
    fk_name = "event"
    verbose_name_plural = "waiters it resumed"
    fields = ["bot", "script", "line", "execution_link", "dialog_run", "status", "ended_at"]
    readonly_fields = fields

    @admin.display(description="execution")
    def execution_link(self, obj: EventWaiter) -> str:
        return execution_link(obj.execution_id)


class WebhookDeliveryInline(ReadOnlyInline):
    model = WebhookDelivery
    fk_name = "event"
    fields = ["subscription", "status", "attempts", "last_status_code", "last_error", "next_attempt_at"]
    readonly_fields = fields


@admin.register(WorkflowEvent)
class WorkflowEventAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "event_name",
        "bot",
        "scope",
        "target_bot",
        "source",
        "created_at",
        "delivered",
        "handler_count",
        "waiter_count",
        "webhook_count",
    ]
    list_filter = [
        "event_name",
        "bot",
        "scope",
        "source",
        ("delivered_at", admin.EmptyFieldListFilter),
        "created_at",
    ]
    search_fields = ["=id", "event_name", "bot__name", "idempotency_key"]
    list_select_related = ["bot", "target_bot"]
    date_hierarchy = "created_at"
    fields = [
        "id",
        "event_name",
        "event_data",
        "bot",
        "scope",
        "target_bot",
        "source",
        "workflow_link",
        "dialog_run",
        "idempotency_key",
        "created_at",
        "delivered_at",
        "handler_count",
        "waiter_count",
        "webhook_count",
    ]
    readonly_fields = fields
    inlines = [HandlerRunInline, ResumedWaiterInline, WebhookDeliveryInline]

    @admin.display(description="delivered", boolean=True, ordering="delivered_at")
    def delivered(self, obj: WorkflowEvent) -> bool:
        return obj.delivered_at is not None

    @admin.display(description="published by workflow")
    def workflow_link(self, obj: WorkflowEvent) -> str:
        return execution_link(obj.workflow_id)


@admin.register(EventSubscription)
class EventSubscriptionAdmin(ReadOnlyAdmin):
    """ON EVENT blocks: written when packages sync, so shown and never edited here."""

    list_display = ["id", "event_name", "bot", "script", "line", "active", "runs_link", "updated_at"]
    list_filter = ["active", "bot", "event_name"]
    search_fields = ["event_name", "script", "bot__name"]
    list_select_related = ["bot"]
    fields = [
        "bot",
        "event_name",
        "script",
        "line",
        "column",
        "script_version",
        "entry",
        "conversation",
        "active",
        "runs_link",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    @admin.display(description="handler runs")
    def runs_link(self, obj: EventSubscription) -> str:
        url = reverse("admin:events_handlerrun_changelist") + f"?subscription__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, obj.runs.count())


@admin.register(HandlerRun)
class HandlerRunAdmin(HandlerRunColumns, ReadOnlyAdmin):
    list_display = ["id", "subscription", "event_link", "execution_link", "execution_status", "created_at"]
    list_filter = ["subscription__bot", "subscription__event_name"]
    search_fields = ["=event__id", "subscription__event_name", "subscription__script"]
    list_select_related = ["subscription", "execution"]
    fields = ["subscription", "event_link", "execution_link", "execution_status", "created_at"]
    readonly_fields = fields

    @admin.display(description="event")
    def event_link(self, obj: HandlerRun) -> str:
        return _event_link(obj.event_id)


@admin.register(EventWaiter)
class EventWaiterAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "event_name",
        "bot",
        "status",
        "script",
        "line",
        "due_at",
        "event_link",
        "created_at",
    ]
    list_filter = ["status", "bot", "event_name"]
    search_fields = ["event_name", "script", "condition", "bot__name", "=execution__id"]
    list_select_related = ["bot"]
    fields = [
        "bot",
        "event_name",
        "condition",
        "variables",
        "execution_link",
        "dialog_run",
        "script",
        "line",
        "column",
        "status",
        "due_at",
        "event_link",
        "error",
        "created_at",
        "ended_at",
    ]
    readonly_fields = fields

    @admin.display(description="event")
    def event_link(self, obj: EventWaiter) -> str:
        return _event_link(obj.event_id)

    @admin.display(description="execution")
    def execution_link(self, obj: EventWaiter) -> str:
        return execution_link(obj.execution_id)


class WebhookSubscriptionForm(forms.ModelForm):
    """Names stored lower case, URLs checked, and a secret generated when left blank."""

    url = forms.URLField(max_length=1000, assume_scheme="https")

    class Meta:
        model = WebhookSubscription
        fields = ["bot", "event_name", "url", "secret", "description", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["secret"].required = False
        self.fields["secret"].help_text = "Left blank, a random secret is generated (shown on the next page)."

    def _checked(self, check: Any, field: str) -> str:
        try:
            return check(self.cleaned_data.get(field, ""))
        except WebhookError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_event_name(self) -> str:
        return self._checked(webhook_event_name, "event_name")

    def clean_url(self) -> str:
        return self._checked(webhook_url_check, "url")

    def clean_secret(self) -> str:
        return (self.cleaned_data.get("secret") or "").strip() or webhook_secret_new()


class WebhookDeliveryOfSubscriptionInline(ReadOnlyInline):
    model = WebhookDelivery
    fk_name = "subscription"
    fields = [
        "event",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "next_attempt_at",
        "delivered_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[WebhookDelivery]:
        return super().get_queryset(request).select_related("event")


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = WebhookSubscriptionForm
    list_display = ["id", "bot", "event_name_or_all", "url", "active", "failing", "created_at"]
    list_filter = ["active", "bot"]
    search_fields = ["url", "event_name", "description", "bot__name"]
    list_select_related = ["bot"]
    inlines = [WebhookDeliveryOfSubscriptionInline]

    @admin.display(description="event", ordering="event_name")
    def event_name_or_all(self, obj: WebhookSubscription) -> str:
        return obj.event_name or "(every event)"

    @admin.display(description="failing deliveries")
    def failing(self, obj: WebhookSubscription) -> str:
        count = obj.deliveries.filter(status__in=["retrying", "failed"]).count()
        if not count:
            return "0"
        url = reverse("admin:events_webhookdelivery_changelist") + (
            f"?subscription__id__exact={obj.pk}&status__in=retrying,failed"
        )
        return format_html('<a href="{}">{}</a>', url, count)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "event_link",
        "subscription",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
        "created_at",
    ]
    list_filter = ["status", "subscription__bot", "subscription"]
    search_fields = ["=event__id", "event__event_name", "subscription__url", "last_error"]
    list_select_related = ["event", "subscription"]
    fields = [
        "event_link",
        "subscription",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "next_attempt_at",
        "delivered_at",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields
    actions = ["retry_now"]

    @admin.display(description="event")
    def event_link(self, obj: WebhookDelivery) -> str:
        return _event_link(obj.event_id)

    @admin.action(description="Retry the selected deliveries now")
    def retry_now(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        queued = 0
        for delivery in queryset:
            try:
                webhook_delivery_retry(delivery)
                queued += 1
            except WebhookError as exc:
                self.message_user(request, f"Delivery #{delivery.pk}: {exc}.", messages.WARNING)
        if queued:
            self.message_user(request, f"Queued {queued} delivery(ies) to be sent again.", messages.SUCCESS)

"""What the events page and the ``ws/events/`` stream show: the filters they share and one event
as the stream's JSON.

Filters, as in ``GET /api/events``: ``bot`` (the events a bot published or was sent with ``TO BOT``)
and ``name`` (one event name, any case). The stream watches the newest :data:`FEED_SIZE` events that
match them.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.urls import reverse

from bots.models import Bot
from events import selectors
from events.models import EventScope, WorkflowEvent
from events.services import NAME_MAX

FEED_SIZE = 50
DATA_INLINE_MAX = 16 * 1024  # bytes of event data a frame carries; larger data: the detail page
PREVIEW_CHARS = 120
SOCKET_PATH = "/ws/events/"


class EventFilters(forms.Form):
    bot = forms.ChoiceField(required=False)
    name = forms.CharField(
        required=False, max_length=NAME_MAX, label="Event",
        error_messages={"max_length": "An event name has at most %(limit_value)d characters."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = Bot.objects.order_by("name").values_list("name", flat=True)
        self.fields["bot"].choices = [("", "any bot"), *((name, name) for name in names)]
        self.fields["bot"].error_messages["invalid_choice"] = "There is no bot named %(value)s."

    def clean_bot(self) -> Bot | None:
        name = self.cleaned_data["bot"]
        return Bot.objects.get(name=name) if name else None

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip().lower()

    def events(self) -> Any:
        """The matching events, newest first (none while the filters are wrong)."""
        if not self.is_bound:
            return selectors.event_feed()
        if not self.is_valid():
            return selectors.event_feed().none()
        bot = self.cleaned_data["bot"]
        return selectors.event_feed(bot=bot.name if bot else "", name=self.cleaned_data["name"])

    def query(self) -> str:
        """The valid filters as a query string ("" for none), for the socket and the page's URL."""
        if not self.is_bound or not self.is_valid():
            return ""
        bot, name = self.cleaned_data["bot"], self.cleaned_data["name"]
        pairs = {"bot": bot.name if bot else "", "name": name}
        return urlencode({key: value for key, value in pairs.items() if value})


def socket_url(filters: EventFilters) -> str:
    query = filters.query()
    return f"{SOCKET_PATH}?{query}" if query else SOCKET_PATH


def data_preview(data: Any) -> str:
    """The event's data on one short line, as JSON."""
    if data is None:
        return ""
    text = json.dumps(data, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"


def scope_text(event: WorkflowEvent) -> str:
    """Who hears the event, as the page says it."""
    if event.scope == EventScope.ALL:
        return "TO ALL"
    if event.scope == EventScope.TO_BOT and event.target_bot is not None:
        return f"TO BOT {event.target_bot.name}"
    return "own bot"


def event_frame(event: WorkflowEvent) -> dict[str, Any]:
    """One event as the stream sends it. ``data`` is left out (``data_truncated``) past
    :data:`DATA_INLINE_MAX` bytes; ``webhooks_failing`` counts deliveries retrying or given up
    (an event from :func:`events.selectors.event_feed` has it annotated)."""
    size = len(json.dumps(event.event_data, ensure_ascii=False).encode("utf-8"))
    return {
        "id": str(event.pk),
        "name": event.event_name,
        "bot": event.bot.name,
        "scope": event.scope,
        "target_bot": event.target_bot.name if event.target_bot is not None else None,
        "source": event.source,
        "workflow": event.workflow_id,
        "created_at": event.created_at.isoformat(),
        "data": event.event_data if size <= DATA_INLINE_MAX else None,
        "data_truncated": size > DATA_INLINE_MAX,
        "delivered": event.delivered_at is not None,
        "delivered_at": event.delivered_at.isoformat() if event.delivered_at is not None else None,
        "handlers": event.handler_count,
        "waiters": event.waiter_count,
        "webhooks": event.webhook_count,
        "webhooks_failing": getattr(event, "webhooks_failing", 0),
        "listeners": event.listeners,
        "url": reverse("event", args=[event.pk]),
    }

"""Telling the open events pages and streams that an event was published or delivered.

The database is the truth: the group message is only a nudge, sent after the transaction that
wrote the event (or its delivery) commits, and each consumer then reads the newest events again
(events/consumers.py). Nudges go through :mod:`gbproject.nudges`, which merges those still queued
for a group, so a burst of publishes costs each group one send.

Groups: one for every event, and one per bot for the events it published or was sent (``TO BOT``),
as the pages' bot filter and ``GET /api/events?bot=`` choose them.
"""

from __future__ import annotations

from events.models import WorkflowEvent
from gbproject import nudges

EVENTS_CHANGED = "events.changed"
ALL_EVENTS_GROUP = "events.all"


def bot_group(bot_id: int) -> str:
    """The channel-layer group of the pages watching one bot's events."""
    return f"events.bot.{bot_id}"


def event_groups(event: WorkflowEvent) -> list[str]:
    """Every group whose pages may show ``event``."""
    groups = [ALL_EVENTS_GROUP, bot_group(event.bot_id)]
    if event.target_bot_id is not None and event.target_bot_id != event.bot_id:
        groups.append(bot_group(event.target_bot_id))
    return groups


def event_changed(event: WorkflowEvent) -> None:
    """Nudge the pages that may show ``event`` once the current transaction commits."""
    message = {"type": EVENTS_CHANGED, "event": str(event.pk)}
    for group in event_groups(event):
        nudges.nudge(group, message)


def drain(timeout: float = 10.0) -> None:
    """Wait until the nudges sent so far have reached the channel layer (tests, benchmarks)."""
    nudges.drain(timeout)

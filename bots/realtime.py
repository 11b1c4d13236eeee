"""Live updates for a bot: the channel-layer group its WebSocket clients join, and publishing to it.

Any process can publish (a web request, a Celery worker); the channel layer carries the message to
every browser connected to ``ws/bots/<name>/events/``.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

EVENT_TYPE = "bot.event"


def bot_events_group(name: str) -> str:
    """The group for a bot's event stream; bot names are valid group-name characters by design."""
    return f"bot.{name}"


async def bot_event_publish_async(*, bot_name: str, data: dict[str, Any]) -> None:
    layer = get_channel_layer()
    await layer.group_send(bot_events_group(bot_name), {"type": EVENT_TYPE, "data": data})


def bot_event_publish(*, bot_name: str, data: dict[str, Any]) -> None:
    """Send ``data`` (JSON-serialisable) to every client watching the bot's events."""
    async_to_sync(bot_event_publish_async)(bot_name=bot_name, data=data)

"""The events stream, ``ws/events/[?bot=<name>&name=<event name>]``: the newest events as JSON, then
each event again whenever it is new or changed (published, delivered, a webhook failing).

Frames to the client (server to client only; whatever the client sends is ignored):

- ``{"type": "events", "events": [...]}`` once, on connect: the newest :data:`~events.web.feed.FEED_SIZE`
  matching events, newest first;
- ``{"type": "event", "event": {...}}`` for each event that is new or changed since, oldest first.

Publishing and delivery nudge the groups of the bots concerned (events/live.py) after commit; the
consumer then reads the newest matching events from the database and sends those that differ
from what it sent, so it never sends anything uncommitted, and nudges that are merged, repeated
or late cost a read, never a wrong frame. Nudges that arrive during a read are merged into one
more read. Access is as for the workflow run pages: any signed-in user.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async

from events.live import ALL_EVENTS_GROUP, bot_group
from events.web.feed import FEED_SIZE, EventFilters, event_frame
from gbproject.live_sockets import NudgedSocket

CLOSE_BAD_FILTER = 4400
CLOSE_UNKNOWN_BOT = 4404


class EventStreamConsumer(NudgedSocket):
    filters: EventFilters | None = None
    _sent: dict[str, dict[str, Any]] | None = None  # id -> frame, None until the first read

    async def open(self) -> None:
        filters = await database_sync_to_async(_filters)(self.scope.get("query_string", b""))
        if filters.errors:
            code = CLOSE_UNKNOWN_BOT if "bot" in filters.errors else CLOSE_BAD_FILTER
            reason = " ".join(error for errors in filters.errors.values() for error in errors)
            await self.close(code=code, reason=reason.encode()[:120].decode(errors="ignore"))
            return
        self.filters = filters
        bot = filters.cleaned_data["bot"]
        await self.follow(bot_group(bot.pk) if bot is not None else ALL_EVENTS_GROUP)

    async def events_changed(self, message: dict[str, Any]) -> None:
        self.nudged()

    def read(self) -> list[dict[str, Any]]:
        assert self.filters is not None
        return [event_frame(event) for event in self.filters.events()[:FEED_SIZE]]

    async def send_changes(self, frames: list[dict[str, Any]]) -> None:
        if self._sent is None:
            await self._send_json({"type": "events", "events": frames})
        else:
            for frame in reversed(frames):
                if self._sent.get(frame["id"]) != frame:
                    await self._send_json({"type": "event", "event": frame})
        self._sent = {frame["id"]: frame for frame in frames}

    async def _send_json(self, content: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(content))


def _filters(query_string: bytes) -> EventFilters:
    """The stream's filters from its query string, validated (``errors`` says what is wrong)."""
    query = parse_qs(query_string.decode("utf-8", errors="replace"))
    filters = EventFilters({key: values[-1] for key, values in query.items() if key in ("bot", "name")})
    filters.is_valid()
    return filters

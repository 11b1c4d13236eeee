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

import asyncio
import contextlib
import logging
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from events.live import ALL_EVENTS_GROUP, bot_group
from events.web.feed import FEED_SIZE, EventFilters, event_frame

logger = logging.getLogger(__name__)

CLOSE_BAD_FILTER = 4400
CLOSE_UNAUTHENTICATED = 4401
CLOSE_UNKNOWN_BOT = 4404


class EventStreamConsumer(AsyncJsonWebsocketConsumer):
    filters: EventFilters | None = None
    joined: tuple[str, ...] = ()

    async def connect(self) -> None:
        self._dirty = False
        self._sender: asyncio.Task[None] | None = None
        self._sent: dict[str, dict[str, Any]] | None = None  # id -> frame, None until the first read
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        filters = await database_sync_to_async(_filters)(self.scope.get("query_string", b""))
        if filters.errors:
            code = CLOSE_UNKNOWN_BOT if "bot" in filters.errors else CLOSE_BAD_FILTER
            reason = " ".join(error for errors in filters.errors.values() for error in errors)
            await self.close(code=code, reason=reason.encode()[:120].decode(errors="ignore"))
            return
        self.filters = filters
        bot = filters.cleaned_data["bot"]
        # Joined before the first read, so nothing committed after that read goes unnoticed.
        self.joined = (bot_group(bot.pk),) if bot is not None else (ALL_EVENTS_GROUP,)
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        self._schedule()

    async def disconnect(self, code: int) -> None:
        for group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        if self._sender is not None and not self._sender.done():
            self._sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sender

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        return None

    async def events_changed(self, message: dict[str, Any]) -> None:
        self._schedule()

    def _schedule(self) -> None:
        self._dirty = True
        if self._sender is None or self._sender.done():
            self._sender = asyncio.ensure_future(self._send_while_dirty())

    async def _send_while_dirty(self) -> None:
        while self._dirty:
            self._dirty = False
            try:
                frames = await database_sync_to_async(self._newest)()
            except Exception:  # the client keeps what it has; the next nudge reads again
                logger.exception("events stream: could not read the newest events")
                continue
            if self._sent is None:
                await self.send_json({"type": "events", "events": frames})
            else:
                for frame in reversed(frames):
                    if self._sent.get(frame["id"]) != frame:
                        await self.send_json({"type": "event", "event": frame})
            self._sent = {frame["id"]: frame for frame in frames}

    def _newest(self) -> list[dict[str, Any]]:
        assert self.filters is not None
        return [event_frame(event) for event in self.filters.events()[:FEED_SIZE]]


def _filters(query_string: bytes) -> EventFilters:
    """The stream's filters from its query string, validated (``errors`` says what is wrong)."""
    query = parse_qs(query_string.decode("utf-8", errors="replace"))
    filters = EventFilters({key: values[-1] for key, values in query.items() if key in ("bot", "name")})
    filters.is_valid()
    return filters

"""WebSocket consumers of the bots app."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from bots import selectors
from bots.realtime import bot_events_group

CLOSE_UNAUTHENTICATED = 4401
CLOSE_UNKNOWN_BOT = 4404


class BotEventsConsumer(AsyncJsonWebsocketConsumer):
    """Streams a bot's events (``bot.event`` group messages) to a signed-in client as JSON."""

    group_name: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        name = self.scope["url_route"]["kwargs"]["name"]
        if not await database_sync_to_async(selectors.bot_exists)(name=name):
            await self.close(code=CLOSE_UNKNOWN_BOT)
            return
        self.group_name = bot_events_group(name)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group_name:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def bot_event(self, event: dict[str, Any]) -> None:
        await self.send_json(event["data"])

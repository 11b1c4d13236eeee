"""The base of the live pages' sockets: nudged through the channel layer, they read the database
and send what changed.

A page's socket joins the groups its data is nudged on (gbproject/nudges.py); on each nudge it
reads what it shows in a worker thread and sends the difference. The database stays the truth,
so a nudge that is late, repeated or merged costs a read, never a wrong frame; nudges that
arrive while a read is under way are merged into one more read, so a burst of changes costs a
page a few reads, not one per save.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401


class NudgedSocket(AsyncWebsocketConsumer, ABC):
    """Server to page only (what the page sends is ignored). Subclasses :meth:`read` what they
    show (in a thread, so the ORM may be used), :meth:`send_changes` to the page, and route
    their group's message type to :meth:`nudged`."""

    joined: tuple[str, ...] = ()

    async def connect(self) -> None:
        self._dirty = False
        self._sender: asyncio.Task[None] | None = None
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        await self.open()

    @abstractmethod
    async def open(self) -> None:
        """Check what the socket asks for, then :meth:`follow` its groups (or close it)."""

    async def follow(self, *groups: str) -> None:
        """Join ``groups`` before the first read, so nothing committed after it goes unnoticed."""
        self.joined = groups
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        self.nudged()

    async def disconnect(self, code: int) -> None:
        for group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        if self._sender is not None and not self._sender.done():
            self._sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sender

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        return None

    def nudged(self, message: dict[str, Any] | None = None) -> None:
        self._dirty = True
        if self._sender is None or self._sender.done():
            self._sender = asyncio.ensure_future(self._send_while_dirty())

    async def _send_while_dirty(self) -> None:
        while self._dirty:
            self._dirty = False
            try:
                data = await database_sync_to_async(self.read)()
            except Exception:  # the page keeps what it shows; the next nudge reads again
                logger.exception("%s: could not read what the page shows", type(self).__name__)
                continue
            await self.send_changes(data)

    @abstractmethod
    def read(self) -> Any:
        """What the page shows now (runs in a thread: the ORM may be used)."""

    @abstractmethod
    async def send_changes(self, data: Any) -> None:
        """Send the page what differs from what it was sent last."""

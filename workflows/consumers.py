"""The run page's socket: sends the changing part of ``/workflows/runs/<id>/`` again whenever the
workflow tree changes.

The engine nudges the tree's group (``run.update``, workflows/live.py) after each commit; the
consumer then reads the run from the database and sends the fragment (an htmx out-of-band swap
that the page's htmx ws extension applies). Nudges that arrive while a fragment is being read
are merged into one more read, so a burst of steps costs a page a few reads, not one per save.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from workflows import selectors
from workflows.live import run_group
from workflows.web import runs

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_UNKNOWN_RUN = 4404


class RunConsumer(AsyncWebsocketConsumer):
    """Server-to-page only: whatever the page sends is ignored."""

    group_name: str | None = None
    root_id: int = 0

    async def connect(self) -> None:
        self._dirty = False
        self._sender: asyncio.Task[None] | None = None
        self._last = ""
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        pk = int(self.scope["url_route"]["kwargs"]["pk"])
        execution = await database_sync_to_async(selectors.execution_get)(pk=pk)
        if execution is None:
            await self.close(code=CLOSE_UNKNOWN_RUN)
            return
        self.root_id = execution.tree_root_id
        self.group_name = run_group(self.root_id)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        self._schedule()  # whatever changed between the page's render and this connection

    async def disconnect(self, code: int) -> None:
        if self.group_name:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)
        if self._sender is not None and not self._sender.done():
            self._sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sender

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        return None

    async def run_update(self, event: dict[str, Any]) -> None:
        self._schedule()

    def _schedule(self) -> None:
        self._dirty = True
        if self._sender is None or self._sender.done():
            self._sender = asyncio.ensure_future(self._send_while_dirty())

    async def _send_while_dirty(self) -> None:
        while self._dirty:
            self._dirty = False
            try:
                html = await database_sync_to_async(self._fragment)()
            except Exception:  # the page keeps what it shows; the next nudge tries again
                logger.exception("workflow run %s: could not render the live run view", self.root_id)
                continue
            if html is not None and html != self._last:
                self._last = html
                await self.send(text_data=html)

    def _fragment(self) -> str | None:
        execution = selectors.execution_get(pk=self.root_id)
        return runs.live_fragment(execution) if execution is not None else None

"""Telling open chat pages that a conversation changed (new messages, new chips, a new wait).

The database is the truth: the group message is only a nudge, sent after the transaction that
stored the replies has committed. Each web chat consumer then reads the messages it has not sent
yet, so a nudge that arrives twice or late never duplicates or reorders a message.

Nudges are sent from one background event loop per process: calling the channel layer through
``async_to_sync`` would build a new loop, and with it a new layer connection, on every turn
(about 5 ms each), which the REST endpoint would pay too. A nudge still queued when its process
exits is lost; the page catches up on its next message or reconnect.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading

from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

CHAT_UPDATE = "chat.update"


def chat_group(conversation_id: int) -> str:
    """The channel-layer group of the pages showing one conversation."""
    return f"chat.{conversation_id}"


async def conversation_changed_async(*, conversation_id: int) -> None:
    layer = get_channel_layer()
    if layer is not None:
        await layer.group_send(chat_group(conversation_id), {"type": CHAT_UPDATE})


class _Publisher:
    """A daemon thread running an event loop whose one task sends the nudges in order, started
    on first use (and again in a forked child, where the parent's thread does not exist).

    Nudges for a conversation that is already queued are merged: one is enough.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: asyncio.Queue[int] | None = None
        self._queued: set[int] = set()
        self._pid = 0

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._pid != os.getpid():
                loop = asyncio.new_event_loop()
                self._queue = asyncio.Queue()
                self._queued = set()
                threading.Thread(target=self._run, args=(loop,), name="gb-chat-nudges", daemon=True).start()
                self._loop, self._pid = loop, os.getpid()
            return self._loop

    def _run(self, loop: asyncio.AbstractEventLoop) -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(self._send_forever())

    async def _send_forever(self) -> None:
        assert self._queue is not None
        queue = self._queue
        while True:
            conversation_id = await queue.get()
            self._queued.discard(conversation_id)
            try:
                await conversation_changed_async(conversation_id=conversation_id)
            except Exception as exc:
                # The replies are stored; a page that missed the nudge catches up on its next
                # frame or reconnect. A broken channel layer must not fail an answered message.
                logger.error("conversation %s: could not notify open chat pages: %r", conversation_id, exc)
            finally:
                queue.task_done()

    def _enqueue(self, conversation_id: int) -> None:
        if conversation_id not in self._queued and self._queue is not None:
            self._queued.add(conversation_id)
            self._queue.put_nowait(conversation_id)

    def submit(self, conversation_id: int) -> None:
        self._running_loop().call_soon_threadsafe(self._enqueue, conversation_id)

    def drain(self, timeout: float = 10.0) -> None:
        """Wait until every nudge submitted so far is sent (benchmarks and tests)."""
        loop = self._running_loop()
        assert self._queue is not None
        asyncio.run_coroutine_threadsafe(self._queue.join(), loop).result(timeout)


_publisher = _Publisher()


def conversation_changed(*, conversation_id: int) -> None:
    """Nudge the conversation's open pages once the current transaction commits."""
    transaction.on_commit(lambda: _publisher.submit(conversation_id))

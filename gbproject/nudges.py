"""Nudging open pages through the channel layer, at almost no cost to the code that changed something.

A nudge is a small group message ("this changed, read it again"); the database stays the truth,
so a nudge that is merged with another, arrives late or is lost (the process exits first) only
delays a page until its next nudge or reconnect. Callers run in request handlers and workers,
often several times per transaction, so :func:`nudge` only registers an on-commit callback, and
the callback only puts the message in a dict under a lock: the channel layer is called from one
background thread per process running one event loop (calling it through ``async_to_sync``
would build a loop, and with it a layer connection, per call: milliseconds each).

Nudges queued for the same group are merged (the latest message wins) until the loop sends
them, so a burst of changes costs one send per group. A failed send is logged, never raised.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import threading
import time
from typing import Any

from asgiref.sync import ThreadSensitiveContext
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

EXIT_DRAIN_SECONDS = 2.0


class NudgePublisher:
    """A daemon thread with an event loop that sends queued group messages, started on first use
    (and again in a forked child, which has the parent's memory but not its thread)."""

    def __init__(self, name: str = "gb-nudges") -> None:
        self._name = name
        self._cond = threading.Condition()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._pid = 0
        self._pending: dict[str, dict[str, Any]] = {}
        self._flushing = False  # a flush is scheduled or running on the loop
        self.sent = 0  # messages handed to the layer (tests, benchmarks)
        self.failed = 0

    # --- any thread -------------------------------------------------------------------------

    def submit(self, group: str, message: dict[str, Any]) -> None:
        """Queue ``message`` for ``group`` (replacing one still queued for it)."""
        with self._cond:
            loop, wake = self._running_loop()
            self._pending[group] = message
            if self._flushing:
                return
            self._flushing = True
        loop.call_soon_threadsafe(wake.set)

    def drain(self, timeout: float = 10.0) -> None:
        """Wait until every nudge submitted so far has been sent (tests, benchmarks, exit)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            if self._pid != os.getpid():
                return  # nothing was submitted in this process
            done = self._cond.wait_for(
                lambda: not self._pending and not self._flushing, max(0.0, deadline - time.monotonic())
            )
        if not done:
            raise TimeoutError(f"{self._name}: nudges still unsent after {timeout} s")

    def _running_loop(self) -> tuple[asyncio.AbstractEventLoop, asyncio.Event]:
        if self._loop is None or self._wake is None or self._pid != os.getpid():
            loop, wake = asyncio.new_event_loop(), asyncio.Event()
            self._pending, self._flushing = {}, False
            threading.Thread(target=self._run, args=(loop, wake), name=self._name, daemon=True).start()
            self._loop, self._wake, self._pid = loop, wake, os.getpid()
        return self._loop, self._wake

    def _after_fork(self) -> None:
        """In a forked child: a lock held by another thread at fork time would never be released."""
        self._cond = threading.Condition()
        self._loop = self._wake = None

    # --- the loop's thread --------------------------------------------------------------------

    def _run(self, loop: asyncio.AbstractEventLoop, wake: asyncio.Event) -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(self._serve(wake))

    async def _serve(self, wake: asyncio.Event) -> None:
        """Flush whenever woken. It runs in this thread's own context, never a submitter's, and
        in a thread-sensitive context of its own, so a layer that calls sync code (channels-lite's
        ORM queries) gets its own thread instead of asgiref's process-wide one, which a caller
        inside ``async_to_sync`` may be holding."""
        async with ThreadSensitiveContext():
            while True:
                await wake.wait()
                wake.clear()
                await self._flush()

    async def _flush(self) -> None:
        layer = get_channel_layer()
        while True:
            with self._cond:
                batch, self._pending = self._pending, {}
                if not batch:
                    self._flushing = False
                    self._cond.notify_all()
                    return
            for group, message in batch.items():
                try:
                    if layer is not None:
                        await layer.group_send(group, message)
                    self.sent += 1
                except Exception as exc:  # a broken layer must never fail the change it reports
                    self.failed += 1
                    logger.error("could not nudge %s with %s: %r", group, message.get("type"), exc)


publisher = NudgePublisher()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=publisher._after_fork)


def nudge(group: str, message: dict[str, Any], *, using: str | None = None) -> None:
    """Send ``message`` to ``group`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: publisher.submit(group, message), using=using)


def drain(timeout: float = 10.0) -> None:
    """Wait until the nudges submitted so far have been sent."""
    publisher.drain(timeout)


@atexit.register
def _drain_at_exit() -> None:
    """A short-lived process (``gb run``) sends its last nudges before it exits."""
    try:
        publisher.drain(EXIT_DRAIN_SECONDS)
    except TimeoutError as exc:
        logger.warning("%s", exc)

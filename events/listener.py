"""The services-mode subscriber: a thread in each Celery worker that delivers events as their
ids arrive on the Redis channel.

Several workers hear each id; delivery's claim lets one of them deliver it, the others skip it
at once. The runs a delivery wakes (ON EVENT handlers, resumed waits) are advanced right here,
up to ``INLINE_RUNS`` of them, which spares them a trip through the broker (an event's handler
starts within milliseconds, and a burst costs no Celery task per event); the rest go to the
workers as Celery tasks. The database connection is checked (``close_old_connections``: a
``SELECT 1`` with health checks on, a reconnect past ``CONN_MAX_AGE``) after a failed delivery
and at most every ``CHECK_SECONDS``, not before each delivery, whose latency it would add to; a
delivery that failed on a connection broken since is tried once more on a new one. When Redis
goes away the thread reconnects with back-off, and after every (re)subscription it first
delivers what is still undelivered, since ids published while it was not listening are gone
from pub/sub.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import redis
from celery.signals import worker_ready, worker_shutdown
from django.conf import settings
from django.db import close_old_connections, connection

from events.delivery import event_deliver, events_deliver_pending
from workflows.engine.dispatch import CeleryDispatch, LocalDispatch
from workflows.engine.inline import advance_woken
from workflows.tasks import worker_name

logger = logging.getLogger(__name__)

RECONNECT_SECONDS = (0.1, 0.25, 0.5, 1.0, 2.0)
INLINE_RUNS = 2  # runs one delivery may wake that this thread advances itself
CHECK_SECONDS = 1.0  # how often, at most, a healthy listener checks its database connection


class EventListener(threading.Thread):
    def __init__(self, url: str, channel: str) -> None:
        super().__init__(name="gb-events", daemon=True)
        self.url = url
        self.channel = channel
        self.stopping = threading.Event()
        self.checked = 0.0  # time.monotonic() of the last connection check

    def run(self) -> None:
        failures = 0
        while not self.stopping.is_set():
            try:
                self._listen()
                failures = 0
            except redis.RedisError as exc:
                pause = RECONNECT_SECONDS[min(failures, len(RECONNECT_SECONDS) - 1)]
                failures += 1
                logger.warning("events listener: %s; reconnecting in %.2f s", exc, pause)
                self.stopping.wait(pause)

    def _listen(self) -> None:
        client = redis.Redis.from_url(self.url, health_check_interval=10)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            pubsub.subscribe(self.channel)
            self._deliver(events_deliver_pending, dispatch=CeleryDispatch(), older_than=0)
            while not self.stopping.is_set():
                message = pubsub.get_message(timeout=1.0)
                if message is not None and message["type"] == "message":
                    self._deliver(self._deliver_and_run, message["data"].decode())
                elif message is None:
                    self._connection_check()
        finally:
            pubsub.close()
            client.close()

    @staticmethod
    def _deliver_and_run(event_id: str) -> None:
        woken = LocalDispatch()
        event_deliver(event_id, dispatch=woken)
        advance_woken(woken, worker=f"{worker_name()}:events", budget=INLINE_RUNS)

    def _deliver(self, work: Any, *args: Any, **kwargs: Any) -> None:
        try:
            work(*args, **kwargs)
        except Exception:
            if not self._connection_renewed():
                logger.exception("events listener: delivery failed; the sweep will try again")
                return
            try:  # its connection had broken since the last check: once more, on a new one
                work(*args, **kwargs)
            except Exception:  # the sweep retries; the listener must keep listening
                logger.exception("events listener: delivery failed; the sweep will try again")
                self._connection_renewed()
        else:
            self._connection_check()

    def _connection_check(self) -> None:
        """Drop an expired database connection, at most every ``CHECK_SECONDS``."""
        now = time.monotonic()
        if now - self.checked >= CHECK_SECONDS:
            close_old_connections()
            self.checked = now

    def _connection_renewed(self) -> bool:
        """After a failure: drop the connection if it is broken (the next query opens a new
        one); True when it was."""
        had = connection.connection is not None
        close_old_connections()
        self.checked = time.monotonic()
        return had and connection.connection is None


_listener: EventListener | None = None


def listener_start() -> EventListener | None:
    """Start this process's listener (services mode only; embedded mode delivers in-process)."""
    global _listener
    if not settings.REDIS_URL:
        return None
    if _listener is None or not _listener.is_alive():
        _listener = EventListener(settings.REDIS_URL, settings.GB_EVENTS_CHANNEL)
        _listener.start()
    return _listener


def listener_stop() -> None:
    if _listener is not None:
        _listener.stopping.set()
        _listener.join(timeout=5)


def listener_connect() -> None:
    """Start the listener with each Celery worker, stop it with the worker (apps.ready calls
    this in every process; the signals only fire in workers)."""
    worker_ready.connect(_on_worker_ready, weak=False, dispatch_uid="gb-events-listener-start")
    worker_shutdown.connect(_on_worker_shutdown, weak=False, dispatch_uid="gb-events-listener-stop")


def _on_worker_ready(**kwargs: Any) -> None:
    listener_start()


def _on_worker_shutdown(**kwargs: Any) -> None:
    listener_stop()

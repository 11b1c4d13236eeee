"""Waking event delivery once an event row has committed.

In services mode the event's id goes out on a Redis pub/sub channel, and a listener thread in
every Celery worker (:mod:`events.listener`) delivers it; in embedded mode the publishing process
delivers it itself, through an in-process signal. A lost wake-up (Redis down, a process killed
between commit and delivery) costs only time: the periodic sweep delivers every event still
undelivered, and delivery is idempotent. ``gb run`` delivers in its own process
(:func:`deliver_here`), so the handlers its events start run in the foreground.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import redis
from django.conf import settings
from django.dispatch import Signal, receiver

from workflows.engine.dispatch import CeleryDispatch, Dispatch

logger = logging.getLogger(__name__)

event_published = Signal()
"""Sent after an event row commits, with ``event_id``, in the process that published it."""

_local = threading.local()
_clients: dict[str, redis.Redis] = {}


def announce(event_id: UUID) -> None:
    """Tell whoever delivers that ``event_id`` is waiting (call after its row commits)."""
    if delivering_here():
        _deliver(event_id, _local.dispatch)
    elif settings.REDIS_URL:
        try:
            _client().publish(settings.GB_EVENTS_CHANNEL, str(event_id))
        except redis.RedisError as exc:  # the sweep delivers it; the publisher must not fail
            logger.warning("event %s: Redis wake-up failed (%s); the sweep will deliver it", event_id, exc)
    event_published.send(sender=None, event_id=event_id)


@receiver(event_published)
def _deliver_in_process(sender: Any, event_id: UUID, **kwargs: Any) -> None:
    """Embedded mode: there is no Redis to wake a listener, so the publisher delivers."""
    if not settings.REDIS_URL and not delivering_here():
        _deliver(event_id, CeleryDispatch())


def _deliver(event_id: UUID, dispatch: Dispatch) -> None:
    from events.delivery import event_deliver

    try:
        event_deliver(event_id, dispatch=dispatch)
    except Exception:  # never fail the publisher; the sweep tries again
        logger.exception("event %s: delivery failed; the sweep will try again", event_id)


@contextmanager
def deliver_here(dispatch: Dispatch) -> Iterator[None]:
    """Deliver the events this thread publishes at once, here, waking runs through ``dispatch``
    (``gb run``: handlers run in the foreground and their TALKs are printed)."""
    previous = getattr(_local, "dispatch", None)
    _local.dispatch = dispatch
    try:
        yield
    finally:
        _local.dispatch = previous


def delivering_here() -> bool:
    """Whether this thread delivers its events itself (:func:`deliver_here`): then it also
    resumes what they wake, and no worker must be asked to."""
    return getattr(_local, "dispatch", None) is not None


def _client() -> redis.Redis:
    client = _clients.get(settings.REDIS_URL)
    if client is None:
        client = _clients[settings.REDIS_URL] = redis.Redis.from_url(settings.REDIS_URL)
    return client

"""ws/bots/<name>/events/: the ASGI app over a real WebSocket handshake, fed by the channel layer.

The worker test proves the run mode's layer carries a message from a separate Celery worker
process to the browser's socket (channels-lite on SQLite embedded, Redis in services mode).
"""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.test import Client

from bots.consumers import CLOSE_UNAUTHENTICATED, CLOSE_UNKNOWN_BOT
from bots.models import Bot
from bots.realtime import bot_event_publish_async
from bots.tasks import publish_event
from gbproject.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True, databases="__all__"), pytest.mark.asyncio]
ORIGIN = (b"origin", b"http://localhost")


@pytest.fixture(autouse=True)
def _fresh_layer():
    """Each test runs on its own event loop; a layer built on another loop must not be reused."""
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def _signed_in_cookie() -> bytes:
    Bot.objects.get_or_create(name="shop")
    user = get_user_model().objects.create_user("watcher", password="pw")
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def _connect(path: str, cookie: bytes | None) -> tuple[WebsocketCommunicator, bool, int | str | None]:
    headers = [ORIGIN] + ([(b"cookie", cookie)] if cookie else [])
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect(timeout=10)
    return communicator, connected, code


async def test_group_message_reaches_the_socket_as_json() -> None:
    cookie = await database_sync_to_async(_signed_in_cookie)()
    communicator, connected, _ = await _connect("/ws/bots/shop/events/", cookie)
    assert connected
    try:
        await bot_event_publish_async(bot_name="shop", data={"kind": "progress", "step": 1})
        assert await communicator.receive_json_from(timeout=10) == {"kind": "progress", "step": 1}
        await bot_event_publish_async(bot_name="other", data={"kind": "not for shop"})
        await bot_event_publish_async(bot_name="shop", data={"kind": "done"})
        assert await communicator.receive_json_from(timeout=10) == {"kind": "done"}
    finally:
        await communicator.disconnect()


async def test_anonymous_socket_is_closed() -> None:
    await database_sync_to_async(Bot.objects.create)(name="shop")
    communicator, connected, code = await _connect("/ws/bots/shop/events/", None)
    assert not connected and code == CLOSE_UNAUTHENTICATED


async def test_unknown_or_inactive_bot_is_closed() -> None:
    cookie = await database_sync_to_async(_signed_in_cookie)()
    communicator, connected, code = await _connect("/ws/bots/nobody/events/", cookie)
    assert not connected and code == CLOSE_UNKNOWN_BOT
    await database_sync_to_async(Bot.objects.create)(name="asleep", active=False)
    communicator, connected, code = await _connect("/ws/bots/asleep/events/", cookie)
    assert not connected and code == CLOSE_UNKNOWN_BOT


async def test_foreign_origin_is_refused() -> None:
    cookie = await database_sync_to_async(_signed_in_cookie)()
    headers = [(b"origin", b"http://evil.example"), (b"cookie", cookie)]
    communicator = WebsocketCommunicator(application, "/ws/bots/shop/events/", headers=headers)
    connected, _ = await communicator.connect(timeout=10)
    assert not connected


async def test_event_sent_by_a_celery_worker_process_reaches_the_socket(celery_worker: str) -> None:
    cookie = await database_sync_to_async(_signed_in_cookie)()
    communicator, connected, _ = await _connect("/ws/bots/shop/events/", cookie)
    assert connected
    try:
        result = await sync_to_async(publish_event.apply_async)(
            args=["shop", {"kind": "from-worker", "n": 42}], queue=celery_worker
        )
        group = await sync_to_async(result.get)(timeout=60, interval=0.05)
        assert group == "bot.shop"
        assert await communicator.receive_json_from(timeout=30) == {"kind": "from-worker", "n": 42}
    finally:
        await communicator.disconnect()

"""ws/events/: the events stream, fed by the bus's nudges over the run mode's real channel layer
(channels-lite on SQLite embedded, Redis in services mode). Events are published through the bus
and delivered in this process (``deliver_here``, as ``gb run`` does)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client

from bots.models import Bot
from events.consumers import CLOSE_BAD_FILTER, CLOSE_UNKNOWN_BOT
from events.models import WebhookDelivery, WorkflowEvent
from events.webhooks import webhook_send, webhook_subscription_create
from gbproject.asgi import application
from gbproject.live_sockets import CLOSE_UNAUTHENTICATED
from tests.events.test_events_pages import SHOP, publish
from tests.workflows.support import make_bot

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")
ORIGIN = (b"origin", b"http://localhost")
Frame = dict[str, Any]


@pytest.fixture(autouse=True)
def _fresh_layer():
    """Each test runs on its own event loop; a layer built on another loop must not be reused."""
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def _bots(make_package) -> tuple[Bot, Bot]:
    return make_bot(make_package, "shop", {"handlers.bas": SHOP}), Bot.objects.create(name="billing")


def _cookie(username: str = "watcher", *, staff: bool = False) -> bytes:
    user = get_user_model().objects.create_user(username, password="pw", is_staff=staff)
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def _connect(query: str, cookie: bytes) -> tuple[WebsocketCommunicator, list[Frame]]:
    """A connected stream and its first frame's events (the newest, newest first)."""
    headers = [ORIGIN, (b"cookie", cookie)]
    communicator = WebsocketCommunicator(application, f"/ws/events/{query}", headers=headers)
    connected, code = await communicator.connect(timeout=10)
    assert connected, code
    first = await communicator.receive_json_from(timeout=30)
    assert first["type"] == "events"
    return communicator, first["events"]


async def _until(communicator: WebsocketCommunicator, test: Callable[[Frame], bool]) -> list[Frame]:
    """The events of the frames received until one passes ``test`` (that one last)."""
    seen: list[Frame] = []

    async def read() -> list[Frame]:
        while True:
            frame = await communicator.receive_json_from(timeout=60)
            assert frame["type"] == "event", frame
            seen.append(frame["event"])
            if test(frame["event"]):
                return seen

    return await asyncio.wait_for(read(), 90)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.asyncio
async def test_a_published_event_arrives_then_its_delivery_updates(make_package, settings) -> None:
    settings.GB_HTTP_ALLOW_PRIVATE = True
    shop, _billing = await database_sync_to_async(_bots)(make_package)
    await database_sync_to_async(webhook_subscription_create)(
        bot=shop, url=f"http://127.0.0.1:{_closed_port()}/hook", event_name="order_paid"
    )
    earlier = await database_sync_to_async(publish)(shop, "warm_up", {"n": 1})
    communicator, newest = await _connect("", await database_sync_to_async(_cookie)())
    try:
        assert [(e["id"], e["name"], e["delivered"], e["listeners"]) for e in newest] == [
            (str(earlier.pk), "warm_up", True, 0)
        ]

        paid = await database_sync_to_async(publish)(shop, "order_paid", {"order": 7})
        frames = await _until(communicator, lambda e: e["id"] == str(paid.pk) and e["delivered"])
        assert {frame["id"] for frame in frames} == {str(paid.pk)}  # the unchanged event is not sent again
        first, last = frames[0], frames[-1]
        assert (first["name"], first["bot"], first["scope"]) == ("order_paid", "shop", "bot")
        assert first["data"] == {"order": 7} and not first["data_truncated"]
        assert first["url"] == f"/events/{paid.pk}/" and first["target_bot"] is None
        assert (last["handlers"], last["waiters"], last["webhooks"], last["webhooks_failing"]) == (1, 0, 1, 0)
        assert last["delivered_at"] is not None and last["listeners"] == 2

        # A webhook attempt failing later is a change of the event too.
        delivery = await database_sync_to_async(WebhookDelivery.objects.get)(event_id=paid.pk)
        assert await database_sync_to_async(webhook_send)(delivery.pk)
        [failing] = await _until(communicator, lambda e: e["webhooks_failing"] == 1)
        assert failing["id"] == str(paid.pk) and failing["webhooks"] == 1
    finally:
        await communicator.disconnect()


def _publish_then_roll_back(bot: Bot) -> None:
    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        publish(bot, "never_happened")
        raise Undo


@pytest.mark.asyncio
async def test_a_rolled_back_event_never_reaches_the_stream(make_package) -> None:
    shop, _billing = await database_sync_to_async(_bots)(make_package)
    communicator, newest = await _connect("", await database_sync_to_async(_cookie)())
    try:
        assert newest == []
        await database_sync_to_async(_publish_then_roll_back)(shop)
        after = await database_sync_to_async(publish)(shop, "happened")
        frames = await _until(communicator, lambda e: e["id"] == str(after.pk) and e["delivered"])
        assert {frame["name"] for frame in frames} == {"happened"}
        ghost = WorkflowEvent.objects.filter(event_name="never_happened")
        assert not await database_sync_to_async(ghost.exists)()
    finally:
        await communicator.disconnect()


@pytest.mark.asyncio
async def test_the_stream_follows_its_bot_and_name(make_package) -> None:
    shop, billing = await database_sync_to_async(_bots)(make_package)
    cookie = await database_sync_to_async(_cookie)()
    communicator, newest = await _connect("?bot=billing&name=Invoice_Due", cookie)
    try:
        assert newest == []
        await database_sync_to_async(publish)(shop, "invoice_due", {"invoice": 1})  # shop's own
        await database_sync_to_async(publish)(billing, "invoice_paid", {"invoice": 2})  # another name
        sent = await database_sync_to_async(publish)(shop, "invoice_due", {"invoice": 3}, to_bot=billing)
        own = await database_sync_to_async(publish)(billing, "invoice_due", {"invoice": 4})

        frames = await _until(communicator, lambda e: e["id"] == str(own.pk) and e["delivered"])
        if not any(frame["id"] == str(sent.pk) and frame["delivered"] for frame in frames):
            frames += await _until(communicator, lambda e: e["id"] == str(sent.pk) and e["delivered"])
        assert {frame["id"] for frame in frames} == {str(sent.pk), str(own.pk)}
        to_billing = next(frame for frame in frames if frame["id"] == str(sent.pk))
        assert (to_billing["bot"], to_billing["scope"]) == ("shop", "to-bot")
        assert to_billing["target_bot"] == "billing" and to_billing["data"] == {"invoice": 3}
    finally:
        await communicator.disconnect()


@pytest.mark.asyncio
async def test_any_signed_in_user_sees_every_bots_events_newest_first(make_package) -> None:
    shop, billing = await database_sync_to_async(_bots)(make_package)
    first = await database_sync_to_async(publish)(shop, "one")
    second = await database_sync_to_async(publish)(billing, "two", to_all=True)
    communicator, newest = await _connect("", await database_sync_to_async(_cookie)("clerk", staff=False))
    try:
        assert [(e["id"], e["bot"], e["scope"]) for e in newest] == [
            (str(second.pk), "billing", "all"),
            (str(first.pk), "shop", "bot"),
        ]
    finally:
        await communicator.disconnect()


@pytest.mark.asyncio
async def test_the_stream_needs_a_signed_in_user_and_filters_it_can_follow(make_package) -> None:
    await database_sync_to_async(_bots)(make_package)
    assert await _refused("/ws/events/", [ORIGIN]) == CLOSE_UNAUTHENTICATED
    cookie = await database_sync_to_async(_cookie)()
    signed_in = [ORIGIN, (b"cookie", cookie)]
    assert await _refused("/ws/events/?bot=nobody", signed_in) == CLOSE_UNKNOWN_BOT
    assert await _refused(f"/ws/events/?name={'x' * 201}", signed_in) == CLOSE_BAD_FILTER
    await _refused("/ws/events/", [(b"origin", b"http://evil.example"), (b"cookie", cookie)])
    communicator, _newest = await _connect("?bot=shop", cookie)  # the same, with a bot that exists
    await communicator.disconnect()


async def _refused(path: str, headers: list[tuple[bytes, bytes]]) -> int | str | None:
    """The close code of a socket the server refuses (the app is then let finish)."""
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect(timeout=10)
    await communicator.disconnect()
    assert not connected
    return code

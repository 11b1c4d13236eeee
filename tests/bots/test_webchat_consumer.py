"""ws/chat/<bot>/: the web chat socket over a real handshake, on the run mode's channel layer.

The visitor's session comes from a real GET of the chat page; replies fired later by the sweep
(a WAIT) reach the open socket through the conversation's group.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from bots.consumers import CLOSE_NO_CONVERSATION, CLOSE_UNKNOWN_BOT
from bots.models import Conversation, Message, Role
from bots.runtime.services import runs_fire_due
from gbproject.asgi import application
from tests.bots.conversation_support import make_bot

pytestmark = [pytest.mark.django_db(transaction=True, databases="__all__"), pytest.mark.asyncio]
ORIGIN = (b"origin", b"http://localhost")

CAFE = """TALK "What would you like?"
HEAR drink AS "Coffee", "Tea"
TALK "Your name?"
HEAR name AS NAME
TALK "Thanks, " + name + ": one " + drink + "."
ADD SUGGESTION "Thanks!"
"""
SLOW = """TALK "Wait for it"
WAIT 5
TALK "Done waiting"
HEAR x
"""


@pytest.fixture(autouse=True)
def _fresh_layer():
    """Each test runs on its own event loop; a layer built on another loop must not be reused."""
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def bots(make_package) -> None:
    make_bot(make_package, "cafe", {"start.bas": CAFE})
    make_bot(make_package, "slow", {"start.bas": SLOW})


def _visit(bot: str, client: Client | None = None) -> tuple[Client, bytes]:
    client = client or Client(**{"wsgi.url_scheme": "https", "SERVER_PORT": "443"})  # see DJANGO_HTTPS
    response = client.get(f"/chat/{bot}/")
    assert response.status_code == 200
    return client, f"sessionid={client.cookies['sessionid'].value}".encode()


async def _open(bot: str, cookie: bytes | None, after: int = 0) -> WebsocketCommunicator:
    headers = [ORIGIN] + ([(b"cookie", cookie)] if cookie else [])
    communicator = WebsocketCommunicator(application, f"/ws/chat/{bot}/?after={after}", headers=headers)
    connected, code = await communicator.connect(timeout=10)
    assert connected, code
    return communicator


async def _until_idle(
    communicator: WebsocketCommunicator, *, after_message: bool = False
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The message frames received up to the next state frame that is not busy, and that state.

    With ``after_message``, state frames before the first message frame are skipped: they answer
    a nudge for an earlier turn.
    """
    messages: list[dict[str, Any]] = []
    while True:
        frame = await communicator.receive_json_from(timeout=20)
        if frame["type"] == "message":
            messages.append(frame)
        elif frame["type"] == "state" and not frame["busy"] and (messages or not after_message):
            return messages, frame


async def _say(communicator: WebsocketCommunicator, text: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Send ``text`` and read its turn. The first frame back is the message itself: the nudge
    for the socket's previous turn, already sent, sends no state frame again."""
    await communicator.send_json_to({"type": "message", "text": text})
    echo = await communicator.receive_json_from(timeout=20)
    assert echo["type"] == "message" and echo["text"] == text, echo
    messages, state = await _until_idle(communicator)
    return [echo, *messages], state


def _texts(frames: list[dict[str, Any]], role: str = Role.BOT) -> list[str]:
    return [frame["text"] for frame in frames if frame["role"] == role]


async def test_a_conversation_with_a_menu_a_typed_hear_and_suggestions(bots) -> None:
    _, cookie = await database_sync_to_async(_visit)("cafe")
    communicator = await _open("cafe", cookie)
    try:
        history, state = await _until_idle(communicator)
        assert history == [] and state["menu"] == [] and state["waiting_for"] is None

        frames, state = await _say(communicator, "hello")
        assert _texts(frames, Role.USER) == ["hello"] and frames[0]["queued"] and state["queued"] == []
        assert _texts(frames) == ["What would you like?"]
        assert [chip["label"] for chip in state["menu"]] == ["Coffee", "Tea"]
        assert state["waiting_for"]["kind"] == "input"

        frames, state = await _say(communicator, state["menu"][1]["text"])
        assert _texts(frames) == ["Your name?"] and state["menu"] == []
        assert state["waiting_for"]["type"].upper() == "NAME"

        frames, state = await _say(communicator, "12345")
        assert [frame["kind"] for frame in frames if frame["role"] == Role.BOT] == ["hint"]

        frames, state = await _say(communicator, "Maria   Silva")
        assert _texts(frames) == ["Thanks, Maria Silva: one Tea."]
        assert [chip["label"] for chip in state["suggestions"]] == ["Thanks!"]
        assert state["waiting_for"] is None
    finally:
        await communicator.disconnect()
    conversation = await database_sync_to_async(Conversation.objects.get)()
    assert conversation.channel == "web" and conversation.user_key.startswith("web:")


async def test_a_reply_fired_later_by_the_sweep_reaches_the_open_page(bots) -> None:
    _, cookie = await database_sync_to_async(_visit)("slow")
    communicator = await _open("slow", cookie)
    try:
        await _until_idle(communicator)
        frames, state = await _say(communicator, "go")
        assert _texts(frames) == ["Wait for it"] and state["waiting_for"]["kind"] == "timer"
        frames, state = await _say(communicator, "more")  # waits behind the timer
        assert _texts(frames) == [] and state["queued"] == [frames[0]["id"]]
        fired = await database_sync_to_async(runs_fire_due)(now=timezone.now() + timedelta(seconds=10))
        assert fired == 1
        # The sweep nudges twice (the timer fired, then "more" answered the HEAR): read to the end.
        frames, state = await _until_idle(communicator, after_message=True)
        while state["waiting_for"] is not None:
            more, state = await _until_idle(communicator)
            frames += more
        assert _texts(frames) == ["Done waiting"] and state["queued"] == []
    finally:
        await communicator.disconnect()


async def test_a_reconnect_sends_only_the_messages_after_the_given_id(bots) -> None:
    _, cookie = await database_sync_to_async(_visit)("cafe")
    communicator = await _open("cafe", cookie)
    await _until_idle(communicator)
    frames, _ = await _say(communicator, "hi")
    await communicator.disconnect()
    user_id = next(frame["id"] for frame in frames if frame["role"] == Role.USER)

    again = await _open("cafe", cookie, after=user_id)
    try:
        history, state = await _until_idle(again)
        assert _texts(history) == ["What would you like?"] and _texts(history, Role.USER) == []
        assert [chip["label"] for chip in state["menu"]] == ["Coffee", "Tea"]
    finally:
        await again.disconnect()
    everything = await _open("cafe", cookie)
    try:
        history, _ = await _until_idle(everything)
        assert [frame["text"] for frame in history] == ["hi", "What would you like?"]
    finally:
        await everything.disconnect()


async def test_each_visitor_has_their_own_conversation(bots) -> None:
    _, first = await database_sync_to_async(_visit)("cafe")
    _, second = await database_sync_to_async(_visit)("cafe")
    one = await _open("cafe", first)
    two = await _open("cafe", second)
    try:
        await _until_idle(one)
        await _until_idle(two)
        await _say(one, "hi")
        frames, state = await _say(two, "hello")
        assert _texts(frames, Role.USER) == ["hello"] and _texts(frames) == ["What would you like?"]
        frames, _ = await _say(one, "Tea")  # anything of the other visitor's would show up here
        assert [frame["text"] for frame in frames] == ["Tea", "Your name?"]
    finally:
        await one.disconnect()
        await two.disconnect()
    assert await database_sync_to_async(Conversation.objects.count)() == 2


async def test_bad_frames_get_an_error_and_store_nothing(bots) -> None:
    _, cookie = await database_sync_to_async(_visit)("cafe")
    communicator = await _open("cafe", cookie)
    try:
        await _until_idle(communicator)
        await communicator.send_json_to({"text": "no type"})
        assert (await communicator.receive_json_from(timeout=10))["type"] == "error"
        await communicator.send_json_to({"type": "message", "text": "x" * 20_001})
        error = await communicator.receive_json_from(timeout=10)
        assert error["type"] == "error" and "20000" in error["text"]
    finally:
        await communicator.disconnect()
    assert await database_sync_to_async(Message.objects.count)() == 0


async def _refused(path: str, headers: list[tuple[bytes, bytes]]) -> int | str | None:
    """The close code of a socket the server refuses (the app is then let finish)."""
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect(timeout=10)
    await communicator.disconnect()
    assert not connected
    return code


async def test_a_socket_without_the_page_session_or_for_an_unknown_bot_is_closed(bots) -> None:
    assert await _refused("/ws/chat/cafe/", [ORIGIN]) == CLOSE_NO_CONVERSATION
    _, cookie = await database_sync_to_async(_visit)("cafe")
    assert await _refused("/ws/chat/nobody/", [ORIGIN, (b"cookie", cookie)]) == CLOSE_UNKNOWN_BOT
    await _refused("/ws/chat/cafe/", [(b"origin", b"http://evil.example"), (b"cookie", cookie)])

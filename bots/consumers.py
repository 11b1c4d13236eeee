"""WebSocket consumers of the bots app."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from bots import selectors
from bots.models import Bot, Conversation
from bots.realtime import bot_events_group
from bots.runtime.live import chat_group
from bots.runtime.services import conversation_process, message_receive
from bots.web.chat import message_frame, messages_after, session_conversation, state_frame

CLOSE_UNAUTHENTICATED = 4401
CLOSE_NO_CONVERSATION = 4403
CLOSE_UNKNOWN_BOT = 4404
MAX_MESSAGE_CHARS = 20_000


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


class ChatConsumer(AsyncJsonWebsocketConsumer):
    """The web chat's socket: user messages in; the bot's messages, chips and waits out.

    Frames from the page: ``{"type": "message", "text": "..."}``. Frames to the page:
    ``{"type": "message", "id", "role", "kind", "text", "queued"}`` for each stored message (the
    user's own, echoed once stored, and the bot's), ``{"type": "state", ...}`` after each change
    (see bots/web/chat.py) and ``{"type": "error", "text"}`` for a frame it cannot take. The page
    passes ``?after=<id>`` (the last message it shows) so a reconnect sends only what it missed.
    Replies produced later by the beat sweep (a WAIT, a HEAR timeout) arrive as ``chat.update``
    nudges on the conversation's group.

    It is not a :class:`gbproject.live_sockets.NudgedSocket`: the chat is open to anonymous
    visitors and takes frames from the page, and its own turns are sent as they finish.
    """

    conversation: Conversation | None = None
    group_name: str | None = None
    last_id: int = 0
    last_state: dict[str, Any] | None = None

    async def connect(self) -> None:
        name = self.scope["url_route"]["kwargs"]["name"]
        bot = await database_sync_to_async(Bot.objects.filter(name=name, active=True).first)()
        if bot is None:
            await self.close(code=CLOSE_UNKNOWN_BOT)
            return
        session = self.scope.get("session")
        user = self.scope.get("user")
        conversation = await database_sync_to_async(session_conversation)(
            session=session if session is not None else {}, bot=bot, user=user
        )
        if conversation is None:
            await self.close(code=CLOSE_NO_CONVERSATION)
            return
        self.conversation = conversation
        self.last_id = _after(self.scope.get("query_string", b""))
        self.group_name = chat_group(conversation.pk)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        await self._send_news()

    async def disconnect(self, code: int) -> None:
        if self.group_name:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        text = content.get("text") if isinstance(content, dict) and content.get("type") == "message" else None
        if not isinstance(text, str):
            await self.send_json({"type": "error", "text": 'Send {"type": "message", "text": "..."}.'})
            return
        if len(text) > MAX_MESSAGE_CHARS:
            await self.send_json(
                {"type": "error", "text": f"A message can hold at most {MAX_MESSAGE_CHARS} characters."}
            )
            return
        assert self.conversation is not None
        await database_sync_to_async(message_receive)(conversation=self.conversation, text=text)
        await self._send_news(busy=True)
        await database_sync_to_async(conversation_process)(conversation_id=self.conversation.pk)
        await self._send_news()

    async def chat_update(self, event: dict[str, Any]) -> None:
        await self._send_news()

    async def _send_news(self, *, busy: bool = False) -> None:
        """Send the messages the page has not seen yet, then the current state unless the page
        has it already: the nudge for a turn this socket answered itself sends nothing."""
        assert self.conversation is not None
        messages, state = await database_sync_to_async(self._news)(busy)
        for frame in messages:
            await self.send_json(frame)
        if messages or state != self.last_state:
            self.last_state = state
            await self.send_json(state)

    def _news(self, busy: bool) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        assert self.conversation is not None
        news = messages_after(conversation=self.conversation, after=self.last_id)
        frames = [message_frame(message) for message in news]
        if frames:
            self.last_id = frames[-1]["id"]
        return frames, state_frame(conversation=self.conversation, busy=busy)


def _after(query_string: bytes) -> int:
    """The ``after`` message id of the socket's query string (0 when absent or not a number)."""
    values = parse_qs(query_string.decode("latin-1")).get("after") or ["0"]
    return int(values[0]) if values[0].isdigit() else 0

"""What the web chat page and its WebSocket share: the visitor's conversation kept in the
session, and the JSON frames that describe messages and the conversation's state.

An anonymous visitor gets a random user key in the session; the session also maps each bot to
the visitor's conversation with it, so reloading the page continues the same conversation.
"""

from __future__ import annotations

import secrets
from collections.abc import MutableMapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from bots.models import Bot, Channel, Conversation, Message, MessageStatus, Role
from bots.runtime import selectors
from bots.runtime.services import ConversationNotFound, conversation_open

SESSION_USER_KEY = "gb_chat_user_key"
SESSION_CONVERSATIONS = "gb_chat_conversations"
SHOWN_ROLES = (Role.USER, Role.BOT)


def _account(user: AbstractBaseUser | AnonymousUser | None) -> AbstractBaseUser | None:
    return user if user is not None and user.is_authenticated else None  # type: ignore[return-value]


def visitor_key(session: MutableMapping[str, Any]) -> str:
    """The visitor's user key, created on the first visit."""
    key = session.get(SESSION_USER_KEY)
    if not key:
        key = f"web:{secrets.token_urlsafe(16)}"
        session[SESSION_USER_KEY] = key
    return key


def visitor_conversation(
    *,
    session: MutableMapping[str, Any],
    bot: Bot,
    user: AbstractBaseUser | AnonymousUser | None,
    new: bool = False,
) -> Conversation:
    """The visitor's conversation with ``bot`` (one per visitor per bot), opened when missing."""
    key = visitor_key(session)
    known: dict[str, int] = dict(session.get(SESSION_CONVERSATIONS) or {})
    conversation_id = None if new else known.get(bot.name)
    conversation = None
    if conversation_id is not None:
        try:
            conversation = conversation_open(
                bot=bot, user=_account(user), user_key=key, conversation_id=conversation_id
            )
        except ConversationNotFound:
            conversation = None  # deleted by an operator, or the visitor signed in or out
    if conversation is None:
        conversation = conversation_open(bot=bot, channel=Channel.WEB, user=_account(user), user_key=key)
        known[bot.name] = conversation.pk
        session[SESSION_CONVERSATIONS] = known
    return conversation


def session_conversation(
    *, session: MutableMapping[str, Any], bot: Bot, user: AbstractBaseUser | AnonymousUser | None
) -> Conversation | None:
    """The conversation the chat page opened for this session, or None (the socket then refuses)."""
    key = session.get(SESSION_USER_KEY)
    conversation_id = (session.get(SESSION_CONVERSATIONS) or {}).get(bot.name)
    if not key or conversation_id is None:
        return None
    try:
        return conversation_open(bot=bot, user=_account(user), user_key=key, conversation_id=conversation_id)
    except ConversationNotFound:
        return None


def message_frame(message: Message) -> dict[str, Any]:
    return {
        "type": "message",
        "id": message.pk,
        "role": message.role,
        "kind": message.kind,
        "text": message.content,
        "queued": message.role == Role.USER and message.status == MessageStatus.PENDING,
    }


def messages_after(*, conversation: Conversation, after: int) -> list[Message]:
    """The user's and the bot's messages after id ``after``, in order (TALK TO goes elsewhere)."""
    return list(
        Message.objects.filter(conversation=conversation, pk__gt=after, role__in=SHOWN_ROLES)
        .exclude(kind="talk_to")
        .order_by("id")
    )


def state_frame(*, conversation: Conversation, busy: bool = False) -> dict[str, Any]:
    """The chips to show, what the dialog waits for, whether the bot is still answering, and the
    ids of the user's messages not answered yet (queued)."""
    conversation.refresh_from_db(fields=["suggestions", "switchers"])
    run = selectors.conversation_waiting_run(conversation=conversation)
    chips = selectors.conversation_suggestions(conversation=conversation, run=run)
    return {
        "type": "state",
        "busy": busy,
        "suggestions": [chip for chip in chips if chip.get("kind") != "menu"],
        "menu": [chip for chip in chips if chip.get("kind") == "menu"],
        "switchers": list(conversation.switchers),
        "waiting_for": selectors.run_waiting_for(run=run),
        "queued": list(
            Message.objects.filter(
                conversation=conversation, role=Role.USER, status=MessageStatus.PENDING
            ).values_list("pk", flat=True)
        ),
    }

"""What conversation keywords need from ``run.host``: the conversation and the bot."""

from __future__ import annotations

from typing import Any

from basic import values
from basic.errors import BasicRuntimeError
from bots.models import Bot, Conversation


def conversation_of(run: Any, phrase: str) -> Conversation:
    """The conversation the script runs in; a clear error where there is none (``gb run``)."""
    conversation = getattr(run.host, "conversation", None)
    if not isinstance(conversation, Conversation):
        raise BasicRuntimeError(
            f"{phrase} works only in a conversation with a bot; talk to the bot (the web chat, the "
            "API or `python manage.py gb chat <bot>`) instead of running the script alone"
        )
    return conversation


def bot_of(run: Any, phrase: str) -> Bot:
    return conversation_of(run, phrase).bot


def text_arg(args: dict, name: str, phrase: str, what: str) -> str:
    """A non-empty text argument, or an error saying which one is missing."""
    text = values.to_text(args.get(name)).strip()
    if not text:
        raise BasicRuntimeError(f"{phrase} needs {what}; got an empty value")
    return text

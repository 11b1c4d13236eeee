"""Helpers for the conversation tests: a bot from an in-test package, and posting to it."""

from __future__ import annotations

from bots.models import Bot, Message
from bots.runtime import selectors
from bots.runtime.services import Turn, message_post
from bots.services import package_sync_all


def make_bot(make_package, name: str, dialogs: dict[str, str], config: str = "") -> Bot:
    """Register a bot whose package holds ``dialogs`` (file name -> source) and config rows."""
    files: dict[str, str] = {f"{name}.gbdialog/{file}": source for file, source in dialogs.items()}
    if config:
        files[f"{name}.gbot/config.csv"] = "name,value\n" + config
    make_package(name, files)
    package_sync_all(roots=[make_package.root])
    return Bot.objects.get(name=name)


def post(bot: Bot, text: str, *, conversation: int | None = None, user_key: str = "tester") -> Turn:
    return message_post(bot=bot, text=text, user_key=user_key, conversation_id=conversation)


def replies(turn: Turn) -> list[str]:
    return [message.content for message in selectors.message_replies(message=turn.message)]


def say(
    bot: Bot, text: str, *, conversation: int | None = None, user_key: str = "tester"
) -> tuple[int, list[str]]:
    """Post a message; returns the conversation id and the reply texts."""
    turn = post(bot, text, conversation=conversation, user_key=user_key)
    return turn.conversation.pk, replies(turn)


def transcript(conversation: int) -> list[tuple[str, str]]:
    return list(
        Message.objects.filter(conversation_id=conversation).order_by("id").values_list("role", "content")
    )

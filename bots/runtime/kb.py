"""Knowledge-base collections of a conversation (USE KB / CLEAR KB). Only the association is kept
here; retrieval into LLM turns comes with the knowledge-base work."""

from __future__ import annotations

from pathlib import Path

from basic.errors import BasicRuntimeError
from bots.models import Conversation, ConversationKb
from bots.runtime.scripts import bot_package

KB_SUFFIX = ".gbkb"


class KbNotFound(BasicRuntimeError):
    """USE KB names a collection the package does not have."""


def kb_collections(conversation: Conversation) -> dict[str, Path]:
    """Every collection folder (a sub-folder of a ``*.gbkb`` folder), by lower-case name."""
    package = bot_package(conversation.bot)
    found: dict[str, Path] = {}
    if package is None:
        return found
    for kb in sorted(package.path.iterdir()):
        if kb.is_dir() and kb.name.lower().endswith(KB_SUFFIX):
            for collection in sorted(kb.iterdir()):
                if collection.is_dir() and not collection.name.startswith("."):
                    found.setdefault(collection.name.lower(), collection)
    return found


def kb_use(*, conversation: Conversation, name: str) -> ConversationKb:
    bot = conversation.bot
    key = name.strip().strip("/").lower()
    folder = kb_collections(conversation).get(key)
    if folder is None:
        raise KbNotFound(
            f'there is no knowledge base "{name}" in bot {bot.name}: add the folder '
            f"{bot.name}{KB_SUFFIX}/{name.strip()}/ with its documents"
        )
    package = bot_package(bot)
    relative = folder.relative_to(package.path).as_posix() if package else folder.as_posix()
    kb, _created = ConversationKb.objects.update_or_create(
        conversation=conversation, name=key, defaults={"folder": relative}
    )
    return kb


def kb_clear(*, conversation: Conversation, name: str | None = None) -> int:
    """Detach one collection, or all of them when no name is given."""
    rows = ConversationKb.objects.filter(conversation=conversation)
    if name is not None:
        rows = rows.filter(name=name.strip().strip("/").lower())
    deleted, _ = rows.delete()
    return deleted


def kb_names(conversation: Conversation) -> list[str]:
    return list(ConversationKb.objects.filter(conversation=conversation).values_list("name", flat=True))

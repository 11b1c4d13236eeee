"""Memory keywords: bot memory, user memory, REMEMBER/RECALL with an expiry, sharing between bots.

Writes go through :mod:`bots.memory` and are journaled; reads are not (they change nothing).
"""

from __future__ import annotations

from typing import Any

from basic import values
from basic.errors import BasicRuntimeError
from basic.registry import KeywordSpec
from bots import memory
from bots.keywords.common import bot_of, conversation_of, text_arg


def _set_bot_memory(run: Any, args: dict) -> None:
    bot = bot_of(run, "SET BOT MEMORY")
    key = text_arg(args, "key", "SET BOT MEMORY", "a key")
    memory.bot_memory_set(bot=bot, key=key, value=values.deep_copy(args["value"]))


def _get_bot_memory(run: Any, args: dict) -> Any:
    bot = bot_of(run, "GET BOT MEMORY")
    return memory.bot_memory_get(bot=bot, key=text_arg(args, "key", "GET BOT MEMORY", "a key"))


def _set_user_memory(run: Any, args: dict) -> None:
    conversation = conversation_of(run, "SET USER MEMORY")
    key = text_arg(args, "key", "SET USER MEMORY", "a key")
    memory.user_memory_set(
        bot=conversation.bot,
        who=memory.MemoryUser.of(conversation),
        key=key,
        value=values.deep_copy(args["value"]),
    )


def _get_user_memory(run: Any, args: dict) -> Any:
    conversation = conversation_of(run, "GET USER MEMORY")
    key = text_arg(args, "key", "GET USER MEMORY", "a key")
    return memory.user_memory_get(
        bot=conversation.bot, who=memory.MemoryUser.of(conversation), key=key, now=run.now()
    )


def _remember(run: Any, args: dict) -> None:
    conversation = conversation_of(run, "REMEMBER")
    key = text_arg(args, "key", "REMEMBER", 'a key (write it in quotes: REMEMBER "color", ...)')
    expires_at = None
    if "duration" in args:
        try:
            expires_at = run.now() + memory.duration_parse(values.to_text(args["duration"]))
        except ValueError as exc:
            raise BasicRuntimeError(f"REMEMBER: {exc}") from None
    memory.user_memory_set(
        bot=conversation.bot,
        who=memory.MemoryUser.of(conversation),
        key=key,
        value=values.deep_copy(args["value"]),
        expires_at=expires_at,
    )


def _recall(run: Any, args: dict) -> Any:
    conversation = conversation_of(run, "RECALL")
    key = text_arg(args, "key", "RECALL", 'a key (write it in quotes: RECALL "color")')
    return memory.user_memory_get(
        bot=conversation.bot, who=memory.MemoryUser.of(conversation), key=key, now=run.now()
    )


def _share(run: Any, args: dict) -> None:
    bot = bot_of(run, "BOT SHARE MEMORY")
    key = text_arg(args, "key", "BOT SHARE MEMORY", "a key")
    target = text_arg(args, "bot", "BOT SHARE MEMORY", "a bot name after WITH")
    try:
        memory.bot_memory_share(bot=bot, key=key, target_name=target)
    except memory.UnknownBot as exc:
        raise BasicRuntimeError(f"BOT SHARE MEMORY: {exc}") from None


def _sync(run: Any, args: dict) -> int:
    bot = bot_of(run, "BOT SYNC MEMORY FROM")
    source = text_arg(args, "bot", "BOT SYNC MEMORY FROM", "a bot name")
    try:
        return memory.bot_memory_sync(bot=bot, source_name=source)
    except memory.UnknownBot as exc:
        raise BasicRuntimeError(f"BOT SYNC MEMORY FROM: {exc}") from None


MEMORY_SPECS: tuple[KeywordSpec, ...] = (
    KeywordSpec(
        "SET BOT MEMORY",
        ("{key}, {value}",),
        _set_bot_memory,
        effect=True,
        summary="Store a value under a key for the bot, shared by all its users.",
        example='SET BOT MEMORY "last_promo", "10% off pizzas"',
        category="Memory",
    ),
    KeywordSpec(
        "GET BOT MEMORY",
        ("{key}",),
        _get_bot_memory,
        summary="Read a bot memory value (empty text when the key was never set); a value, also "
        'written GET_BOT_MEMORY("k").',
        example='promo = GET BOT MEMORY("last_promo")',
        category="Memory",
    ),
    KeywordSpec(
        "SET USER MEMORY",
        ("{key}, {value}",),
        _set_user_memory,
        effect=True,
        summary="Store a value under a key for the current user of this bot.",
        example='SET USER MEMORY "favorite", "margherita"',
        category="Memory",
    ),
    KeywordSpec(
        "GET USER MEMORY",
        ("{key}",),
        _get_user_memory,
        summary="Read the current user's value for a key (empty text when missing or expired).",
        example='fav = GET USER MEMORY("favorite")',
        category="Memory",
    ),
    KeywordSpec(
        "REMEMBER",
        ("{key}, {value}, {duration}", "{key}, {value}"),
        _remember,
        effect=True,
        summary='Store a value for the current user that is forgotten after a duration ("30 days", '
        '"2 hours", "1 week"); without one it is kept.',
        example='REMEMBER "size", "large", "30 days"',
        category="Memory",
    ),
    KeywordSpec(
        "RECALL",
        ("{key}",),
        _recall,
        summary="Read what REMEMBER stored for the current user (empty text once it expired).",
        example='size = RECALL "size"',
        category="Memory",
    ),
    KeywordSpec(
        "BOT SHARE MEMORY",
        ("{key} WITH {bot}",),
        _share,
        effect=True,
        summary="Offer this bot's memory value for a key to another bot, which takes it with "
        "BOT SYNC MEMORY FROM.",
        example='BOT SHARE MEMORY "best_answer" WITH "support-bot-2"',
        category="Memory",
    ),
    KeywordSpec(
        "BOT SYNC MEMORY FROM",
        ("{bot}",),
        _sync,
        effect=True,
        summary="Copy every memory value another bot shared with this one into this bot's memory; "
        "as a value, the number of keys copied.",
        example='BOT SYNC MEMORY FROM "master-support-bot"',
        category="Memory",
    ),
)

"""Reads for the bots app."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from bots.models import Bot
from bots.runtime.prepared import PreparedRead


def bot_list(*, active: bool | None = None) -> QuerySet[Bot]:
    """Bots by name, each with ``config_count`` and ``conversation_count``."""
    bots = Bot.objects.annotate(
        config_count=Count("config", distinct=True),
        conversation_count=Count("conversations", distinct=True),
    ).order_by("name")
    if active is not None:
        bots = bots.filter(active=active)
    return bots


def bot_get(*, name: str) -> Bot | None:
    """One bot with its config rows prefetched, or None."""
    return bot_list().prefetch_related("config").filter(name=name).first()


def _active_bot(name: str) -> QuerySet[Bot]:
    return Bot.objects.filter(name=name, active=True).order_by()[:1]


_ACTIVE_BOT = PreparedRead(_active_bot, name=str)


def bot_active(*, name: str) -> Bot | None:
    """The active bot of that exact name, or None (read on every message, so prepared)."""
    return _ACTIVE_BOT.first(name=name)


def bot_exists(*, name: str, active: bool = True) -> bool:
    return Bot.objects.filter(name=name, active=active).exists()


def bot_config(*, bot: Bot) -> dict[str, str]:
    """The bot's config.csv rows as key to value."""
    return {row.key: row.value for row in bot.config.all()}

"""Bot and user memory: writes (services) and the reads scripts need.

Bot memory is shared by every user of a bot; user memory is per bot and user (an account, or a
channel's user key). REMEMBER writes a user memory with an expiry; an expired value reads as
empty, like a missing one. Shared memory is what one bot offers another (BOT SHARE MEMORY), copied
into the receiver's bot memory by BOT SYNC MEMORY FROM.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bots.models import Bot, BotMemory, BotSharedMemory, Conversation, UserMemory


@dataclass(frozen=True, slots=True)
class MemoryUser:
    """Whose user memory: the conversation's account, else its user key, else the conversation."""

    user_id: int | None
    user_key: str

    @classmethod
    def of(cls, conversation: Conversation) -> MemoryUser:
        if conversation.user_id is not None:
            return cls(conversation.user_id, "")
        return cls(None, conversation.user_key or f"conversation:{conversation.pk}")

    def filter(self) -> Q:
        if self.user_id is not None:
            return Q(user_id=self.user_id)
        return Q(user__isnull=True, user_key=self.user_key)


_UNITS = {
    "second": 1,
    "sec": 1,
    "s": 1,
    "minute": 60,
    "min": 60,
    "m": 60,
    "hour": 3600,
    "h": 3600,
    "day": 86400,
    "d": 86400,
    "week": 7 * 86400,
    "w": 7 * 86400,
    "month": 30 * 86400,
    "year": 365 * 86400,
    "y": 365 * 86400,
}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]+?)s?\s*$", re.IGNORECASE)


def duration_parse(text: str) -> timedelta:
    """``"30 days"``, ``"2 hours"``, ``"1 week"``, ``"90 seconds"``, ``"6 months"`` (30 days each),
    ``"1 year"`` (365 days), or the short forms ``30d``, ``12h``, ``15m``. ValueError otherwise."""
    match = _DURATION.match(text)
    unit = match.group(2).lower() if match else ""
    if match is None or (unit not in _UNITS and unit.rstrip("s") not in _UNITS):
        raise ValueError(
            f'{text!r} is not a duration; write a number and a unit, e.g. "30 days", "2 hours", "1 week"'
        )
    seconds = _UNITS.get(unit, _UNITS.get(unit.rstrip("s"), 0))
    return timedelta(seconds=float(match.group(1)) * seconds)


# --- bot memory ------------------------------------------------------------------------------


def bot_memory_set(*, bot: Bot, key: str, value: Any) -> None:
    BotMemory.objects.update_or_create(bot=bot, key=key, defaults={"value": value})


def bot_memory_get(*, bot: Bot, key: str) -> Any:
    """The value, or "" when the key was never set."""
    found = BotMemory.objects.filter(bot=bot, key=key).values_list("value", flat=True).first()
    return "" if found is None else found


# --- user memory -----------------------------------------------------------------------------


def user_memory_set(
    *, bot: Bot, who: MemoryUser, key: str, value: Any, expires_at: datetime | None = None
) -> None:
    with transaction.atomic():
        row = UserMemory.objects.select_for_update().filter(who.filter(), bot=bot, key=key).first()
        if row is None:
            UserMemory.objects.create(
                bot=bot,
                user_id=who.user_id,
                user_key=who.user_key,
                key=key,
                value=value,
                expires_at=expires_at,
            )
        else:
            row.value, row.expires_at = value, expires_at
            row.save(update_fields=["value", "expires_at", "updated_at"])


def user_memory_get(*, bot: Bot, who: MemoryUser, key: str, now: datetime | None = None) -> Any:
    """The value, or "" when missing or expired."""
    now = now or timezone.now()
    found = (
        UserMemory.objects.filter(who.filter(), bot=bot, key=key)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .values_list("value", flat=True)
        .first()
    )
    return "" if found is None else found


# --- sharing between bots --------------------------------------------------------------------


class UnknownBot(LookupError):
    pass


def _bot_named(name: str) -> Bot:
    bot = Bot.objects.filter(name__iexact=name.strip()).first()
    if bot is None:
        raise UnknownBot(f"there is no bot named {name!r}; check the name of its .gbai folder")
    return bot


def bot_memory_share(*, bot: Bot, key: str, target_name: str) -> None:
    """Offer this bot's memory ``key`` (its current value) to another bot."""
    target = _bot_named(target_name)
    BotSharedMemory.objects.update_or_create(
        source_bot=bot, target_bot=target, key=key, defaults={"value": bot_memory_get(bot=bot, key=key)}
    )


def bot_memory_sync(*, bot: Bot, source_name: str) -> int:
    """Copy every value ``source_name`` shared with this bot into its memory; returns how many."""
    source = _bot_named(source_name)
    rows = list(BotSharedMemory.objects.filter(source_bot=source, target_bot=bot).values_list("key", "value"))
    for key, value in rows:
        bot_memory_set(bot=bot, key=key, value=value)
    return len(rows)

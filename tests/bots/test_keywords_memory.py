"""SET/GET BOT MEMORY, SET/GET USER MEMORY, REMEMBER/RECALL with a duration, BOT SHARE MEMORY and
BOT SYNC MEMORY FROM."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from bots.memory import duration_parse
from bots.models import BotMemory, BotSharedMemory, ConversationError, UserMemory
from tests.bots.conversation_support import make_bot, say

pytestmark = pytest.mark.django_db


def test_bot_memory_is_shared_by_every_user_and_missing_keys_read_empty(make_package) -> None:
    bot = make_bot(
        make_package,
        "botmem",
        {
            "start.bas": (
                'TALK "[" + GET BOT MEMORY("visits") + "]"\n'
                'SET BOT MEMORY "visits", "seen"\n'
                'TALK GET_BOT_MEMORY("visits")\n'
            )
        },
    )
    assert say(bot, "hi", user_key="ana")[1] == ["[]", "seen"]
    assert say(bot, "hi", user_key="bia")[1] == ["[seen]", "seen"]
    assert BotMemory.objects.get(bot=bot, key="visits").value == "seen"


def test_user_memory_is_per_user(make_package) -> None:
    bot = make_bot(
        make_package,
        "usermem",
        {
            "start.bas": (
                'old = GET USER MEMORY("name")\nHEAR name\n'
                'SET USER MEMORY "name", name\nTALK "was [" + old + "]"\n'
            )
        },
    )
    conversation, _ = say(bot, "hi", user_key="ana")
    assert say(bot, "Ana", conversation=conversation, user_key="ana")[1] == ["was []"]
    again, _ = say(bot, "hi", user_key="ana")
    assert say(bot, "Ana2", conversation=again, user_key="ana")[1] == ["was [Ana]"]
    other, _ = say(bot, "hi", user_key="bia")
    assert say(bot, "Bia", conversation=other, user_key="bia")[1] == ["was []"]
    assert UserMemory.objects.filter(bot=bot).count() == 2


def test_remember_expires_after_its_duration(make_package) -> None:
    bot = make_bot(
        make_package,
        "remember",
        {
            "start.bas": (
                'REMEMBER "size", "large", "2 hours"\nREMEMBER "plan", ["a", 1]\nx = RECALL "size"\n'
                'TALK x + " " + UBOUND(RECALL("plan"))\n'
            )
        },
    )
    before = timezone.now()
    assert say(bot, "hi")[1] == ["large 2"]
    row = UserMemory.objects.get(bot=bot, key="size")
    assert timedelta(hours=2) <= row.expires_at - before < timedelta(hours=2, minutes=1)
    assert UserMemory.objects.get(bot=bot, key="plan").expires_at is None
    UserMemory.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    reader = make_bot(make_package, "remember", {"start.bas": 'TALK "[" + RECALL("size") + "]"\n'})
    assert say(reader, "hi")[1] == ["[]"]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30 days", 30 * 86400),
        ("1 day", 86400),
        ("2 hours", 7200),
        ("1 week", 604800),
        ("15m", 900),
        ("90 seconds", 90),
        ("6 months", 180 * 86400),
        ("1 year", 365 * 86400),
        ("1.5 hours", 5400),
    ],
)
def test_durations(text: str, seconds: int) -> None:
    assert duration_parse(text).total_seconds() == seconds


def test_a_bad_duration_is_reported_to_the_author(make_package) -> None:
    bot = make_bot(make_package, "badduration", {"start.bas": 'REMEMBER "k", 1, "soon"\n'})
    conversation, _ = say(bot, "hi")
    error = ConversationError.objects.get(conversation_id=conversation)
    assert error.line == 1 and '"30 days"' in error.text and "'soon'" in error.text


def test_share_and_sync_copy_memory_between_bots(make_package) -> None:
    master = make_bot(
        make_package,
        "master",
        {"start.bas": ('SET BOT MEMORY "method", "refund first"\nBOT SHARE MEMORY "method" WITH "helper"\n')},
    )
    helper = make_bot(
        make_package,
        "helper",
        {
            "start.bas": (
                'TALK "[" + GET BOT MEMORY("method") + "]"\nn = BOT SYNC MEMORY FROM "master"\n'
                'TALK n + " " + GET BOT MEMORY("method")\n'
            )
        },
    )
    say(master, "hi")
    shared = BotSharedMemory.objects.get()
    assert (shared.source_bot, shared.target_bot, shared.key, shared.value) == (
        master,
        helper,
        "method",
        "refund first",
    )
    assert say(helper, "hi")[1] == ["[]", "1 refund first"]


def test_sharing_with_an_unknown_bot_names_it(make_package) -> None:
    bot = make_bot(make_package, "lonely", {"start.bas": 'BOT SHARE MEMORY "k" WITH "nobody"\n'})
    conversation, _ = say(bot, "hi")
    assert "no bot named 'nobody'" in ConversationError.objects.get(conversation_id=conversation).text

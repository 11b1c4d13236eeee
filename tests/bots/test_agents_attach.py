"""ADD BOT (both signatures), REMOVE BOT, LIST BOTS, SET BOT PRIORITY and routing a user message
to the attached bot whose trigger it matches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from bots.models import (
    AgentRun,
    BotMemory,
    ConversationBot,
    ConversationError,
    JournalEntry,
    Message,
    Role,
)
from bots.runtime.agents import AgentError, scheduled_bots_fire, trigger_parse
from bots.runtime.answer import NO_LLM_REPLY
from tests.bots.conversation_support import make_bot, post, say

pytestmark = pytest.mark.django_db

BILLING = {"start.bas": 'TALK "billing here"\n'}


def _front(make_package, setup: str, name: str = "front"):
    return make_bot(make_package, name, {"start.bas": setup + 'TALK "welcome"\n'})


def test_a_message_with_a_trigger_word_is_answered_by_the_attached_bot(make_package) -> None:
    make_bot(make_package, "billing", BILLING)
    front = _front(make_package, 'ADD BOT "billing" WITH TRIGGER "invoice, refund"\n')
    conversation, first = say(front, "hi")
    assert first == ["welcome"]

    turn = post(front, "I want a REFUND please", conversation=conversation)
    (reply,) = Message.objects.filter(reply_to=turn.message, role=Role.BOT)
    assert reply.content == "billing here"
    assert reply.source["agent"] == "billing"
    assert reply.source["script"] == "billing.gbdialog/start.bas"
    assert AgentRun.objects.get(run=reply.run).bot.name == "billing"

    # A word that only contains the trigger does not match: the conversation's own bot answers.
    assert say(front, "refunds", conversation=conversation)[1] == [NO_LLM_REPLY]
    row = ConversationBot.objects.get(conversation_id=conversation)
    assert row.trigger == {"keywords": ["invoice", "refund"], "tools": []}
    assert JournalEntry.objects.filter(phrase="ADD BOT").count() == 1


def test_the_documented_trigger_on_form_with_tools_and_schedule(make_package) -> None:
    make_bot(make_package, "billing", BILLING)
    front = _front(
        make_package,
        'ADD BOT "billing" TRIGGER ON "invoice" TOOLS "pay-bill" SCHEDULE "0 9 * * 1-5"\n'
        "bots = LIST BOTS\n"
        'TALK bots[0].name + " " + bots[0].trigger + " " + bots[0].tools + " " + bots[0].schedule\n',
    )
    conversation, first = say(front, "hi")
    assert first == ["billing invoice pay-bill 0 9 * * 1-5", "welcome"]
    assert say(front, "can I pay-bill now", conversation=conversation)[1] == ["billing here"]
    assert say(front, "my invoice", conversation=conversation)[1] == ["billing here"]


@pytest.mark.parametrize(
    ("line", "keywords", "tools"),
    [
        ('ADD BOT "billing" WITH TOOLS "pay, refund-order"', [], ["pay", "refund-order"]),
        ('ADD BOT "billing" TRIGGER ON "a,b"', ["a", "b"], []),
        ('ADD BOT "billing" TRIGGER ON "a" TOOLS "t"', ["a"], ["t"]),
    ],
)
def test_each_add_bot_form_stores_its_trigger(make_package, line, keywords, tools) -> None:
    make_bot(make_package, "billing", BILLING)
    front = _front(make_package, line + "\n")
    conversation, _ = say(front, "hi")
    trigger = ConversationBot.objects.get(conversation_id=conversation).trigger
    assert (trigger["keywords"], trigger["tools"]) == (keywords, tools)


def test_with_schedule_is_validated_and_stored(make_package) -> None:
    make_bot(make_package, "billing", BILLING)
    front = _front(make_package, 'ADD BOT "billing" WITH SCHEDULE "*/5 * * * *"\n')
    conversation, _ = say(front, "hi")
    assert ConversationBot.objects.get(conversation_id=conversation).trigger["schedule"] == "*/5 * * * *"
    # A schedule-only bot does not answer user messages.
    assert say(front, "anything", conversation=conversation)[1] == [NO_LLM_REPLY]
    with pytest.raises(AgentError, match="not a cron schedule"):
        trigger_parse(schedule="every day")


def test_add_bot_without_trigger_answers_every_message_and_re_adding_replaces_the_trigger(
    make_package,
) -> None:
    make_bot(make_package, "billing", BILLING)
    front = _front(make_package, 'ADD BOT "billing" WITH TRIGGER "x"\nADD BOT "billing"\n')
    conversation, _ = say(front, "hi")
    assert ConversationBot.objects.filter(conversation_id=conversation).count() == 1
    assert say(front, "anything at all", conversation=conversation)[1] == ["billing here"]


def test_priority_decides_between_matching_bots_then_join_order(make_package) -> None:
    make_bot(make_package, "alpha", {"start.bas": 'TALK "alpha"\n'})
    make_bot(make_package, "beta", {"start.bas": 'TALK "beta"\n'})
    front = make_bot(
        make_package,
        "front",
        {
            "start.bas": 'ADD BOT "alpha" WITH TRIGGER "order"\nADD BOT "beta" WITH TRIGGER "order"\n'
            'TALK "ok"\n',
        },
    )
    conversation, _ = say(front, "hi")
    assert say(front, "my order", conversation=conversation)[1] == ["alpha"]
    ConversationBot.objects.filter(conversation_id=conversation, bot__name="beta").update(priority=5)
    assert say(front, "my order", conversation=conversation)[1] == ["beta"]


def test_set_bot_priority_remove_bot_and_list_bots(make_package) -> None:
    make_bot(make_package, "alpha", {"start.bas": 'TALK "alpha"\n'})
    make_bot(make_package, "beta", {"start.bas": 'TALK "beta"\n'})
    front = _front(
        make_package,
        'ADD BOT "alpha" WITH TRIGGER "order"\nADD BOT "beta" WITH TRIGGER "order"\n'
        'SET BOT PRIORITY "Beta", 7\n'
        'names = ""\nattached = LIST BOTS\nFOR EACH b IN attached\n'
        '  names = names + b.name + "=" + b.priority + " "\nNEXT\n'
        "TALK names\n"
        'REMOVE BOT "beta"\n'
        "attached = LIST BOTS\nTALK UBOUND(attached)\n",
    )
    conversation, first = say(front, "hi")
    assert first[0] == "beta=7 alpha=0 "
    assert first[1] in ("0", "1")  # one bot left, whatever the array base
    assert say(front, "my order", conversation=conversation)[1] == ["alpha"]
    beta = ConversationBot.objects.get(conversation_id=conversation, bot__name="beta")
    assert (beta.active, beta.priority) == (False, 7)


def test_unknown_or_inactive_bots_are_author_errors_naming_the_known_bots(make_package) -> None:
    make_bot(make_package, "billing", BILLING)
    front = _front(make_package, 'ADD BOT "nobody" WITH TRIGGER "x"\n')
    conversation, replies = say(front, "hi")
    assert replies == ["Sorry, something went wrong on my side. Please try again."]
    (error,) = ConversationError.objects.filter(conversation_id=conversation)
    assert 'no active bot "nobody"' in error.text
    assert "billing" in error.text and "front" in error.text
    assert error.line == 1


def test_remove_or_prioritise_a_bot_that_is_not_attached_says_so(make_package) -> None:
    make_bot(make_package, "billing", BILLING)
    front = _front(make_package, 'SET BOT PRIORITY "billing", 2\n')
    conversation, _ = say(front, "hi")
    (error,) = ConversationError.objects.filter(conversation_id=conversation)
    assert 'bot "billing" is not attached' in error.text and "ADD BOT" in error.text


def test_an_attached_bot_that_hears_resumes_as_itself(make_package) -> None:
    make_bot(
        make_package,
        "survey",
        {"start.bas": 'HEAR score AS INTEGER\nSET BOT MEMORY "score", score\nTALK "thanks " + score\n'},
    )
    front = _front(make_package, 'ADD BOT "survey" WITH TRIGGER "feedback"\n')
    conversation, _ = say(front, "hi")
    assert say(front, "some feedback", conversation=conversation)[1] == []
    turn = post(front, "9", conversation=conversation)
    (reply,) = Message.objects.filter(reply_to=turn.message, role=Role.BOT)
    assert reply.content == "thanks 9" and reply.source.get("script") == "survey.gbdialog/start.bas"
    assert BotMemory.objects.get(key="score").bot.name == "survey"
    assert turn.conversation.bot.name == "front"


def test_an_attached_bot_without_start_bas_answers_with_its_provider(make_package) -> None:
    make_bot(make_package, "plain", {"helper.bas": 'TALK "x"\n'})
    front = _front(make_package, 'ADD BOT "plain" WITH TRIGGER "question"\n')
    conversation, _ = say(front, "hi")
    turn = post(front, "a question", conversation=conversation)
    (reply,) = Message.objects.filter(reply_to=turn.message, role=Role.BOT)
    assert reply.content == NO_LLM_REPLY
    assert reply.source["agent"] == "plain" and reply.source["runtime"] == "no-llm"


def test_a_scheduled_attached_bot_runs_its_dialog_when_due(make_package) -> None:
    make_bot(make_package, "reporter", {"start.bas": 'TALK "daily report"\n'})
    front = _front(make_package, 'ADD BOT "reporter" WITH SCHEDULE "0 9 * * *"\n')
    conversation, _ = say(front, "hi")
    row = ConversationBot.objects.get(conversation_id=conversation)
    joined = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    ConversationBot.objects.filter(pk=row.pk).update(joined_at=joined)

    assert scheduled_bots_fire(now=joined + timedelta(minutes=30)) == 0  # 08:30: not yet
    assert scheduled_bots_fire(now=joined + timedelta(hours=1, seconds=5)) == 1  # 09:00:05
    (report,) = Message.objects.filter(conversation_id=conversation, content="daily report")
    assert report.source["agent"] == "reporter" and report.source["schedule"] == "0 9 * * *"
    assert report.reply_to is None
    # Fired once for that day; due again the next day.
    assert scheduled_bots_fire(now=joined + timedelta(hours=2)) == 0
    assert scheduled_bots_fire(now=joined + timedelta(days=1, hours=1, seconds=1)) == 1
    row.refresh_from_db()
    assert row.last_fired_at == joined + timedelta(days=1, hours=1, seconds=1)


def test_a_schedule_does_not_interrupt_a_waiting_hear_nor_fire_when_removed(make_package) -> None:
    make_bot(make_package, "reporter", {"start.bas": 'TALK "report"\n'})
    front = make_bot(
        make_package,
        "front",
        {"start.bas": 'ADD BOT "reporter" WITH SCHEDULE "* * * * *"\nHEAR name\nREMOVE BOT "reporter"\n'},
    )
    conversation, _ = say(front, "hi")
    later = timezone.now() + timedelta(minutes=2)
    assert scheduled_bots_fire(now=later) == 0
    assert not Message.objects.filter(conversation_id=conversation, content="report").exists()
    say(front, "Ana", conversation=conversation)  # REMOVE BOT
    assert scheduled_bots_fire(now=later + timedelta(minutes=2)) == 0


def test_bad_cron_values_are_author_errors() -> None:
    with pytest.raises(AgentError, match="not a valid cron schedule"):
        trigger_parse(schedule="99 * * * *")
    with pytest.raises(AgentError, match="five fields"):
        trigger_parse(schedule="0 9 * *")
    with pytest.raises(AgentError, match="is not a cron schedule; write five fields"):
        trigger_parse(schedule="*/5 0 9 * * *")  # a seconds field must be one number
    assert trigger_parse(schedule="0 0 9 * * 1")["schedule"] == "0 0 9 * * 1"

"""DELEGATE TO, TRANSFER CONVERSATION TO and the docs' ``DELEGATE "task" TO BOT`` form."""

from __future__ import annotations

import pytest

from bots.models import (
    AgentRun,
    Conversation,
    ConversationError,
    ConversationHandoff,
    ConversationTool,
    JournalEntry,
    Message,
    Role,
    RunStatus,
)
from bots.runtime.errors import APOLOGY
from tests.bots.conversation_support import make_bot, post, say

pytestmark = pytest.mark.django_db


def test_delegate_to_hands_the_conversation_to_the_other_bot(make_package) -> None:
    make_bot(make_package, "sales", {"start.bas": 'TALK "sales here"\nHEAR x\nTALK "sales got " + x\n'})
    front = make_bot(
        make_package,
        "front",
        {
            "start.bas": 'SET CONTEXT "lang" AS "pt"\nUSE TOOL "helper"\nADD SUGGESTION "hi"\n'
            'DELEGATE TO "sales"\nTALK "handing you over"\n',
            "helper.bas": 'TALK "helping"\n',
        },
    )
    conversation_id, first = say(front, "hi")
    assert first == ["handing you over"]
    conversation = Conversation.objects.get(pk=conversation_id)
    assert conversation.bot.name == "sales"
    assert (conversation.context, conversation.suggestions, conversation.start_done) == ({}, [], False)
    assert not ConversationTool.objects.filter(conversation=conversation).exists()
    handoff = ConversationHandoff.objects.get(conversation=conversation)
    assert (handoff.from_bot.name, handoff.to_bot.name, handoff.kind) == ("front", "sales", "delegate")
    assert handoff.run.script == "front.gbdialog/start.bas"

    # The client keeps posting through the bot it started with; the new bot answers.
    assert say(front, "hello", conversation=conversation_id)[1] == ["sales here"]
    assert say(front, "a car", conversation=conversation_id)[1] == ["sales got a car"]
    assert JournalEntry.objects.filter(phrase="DELEGATE TO").count() == 1


def test_transfer_conversation_to_keeps_the_context(make_package) -> None:
    make_bot(make_package, "sales", {"start.bas": 'TALK "sales"\n'})
    front = make_bot(
        make_package,
        "front",
        {"start.bas": 'SET CONTEXT "lang" AS "pt"\nTRANSFER CONVERSATION TO "sales"\n'},
    )
    conversation_id, _ = say(front, "hi")
    conversation = Conversation.objects.get(pk=conversation_id)
    assert conversation.bot.name == "sales" and conversation.context == {"lang": "pt"}
    assert ConversationHandoff.objects.get(conversation=conversation).kind == "transfer"
    assert say(front, "again", conversation=conversation_id)[1] == ["sales"]


def test_handing_over_to_an_unknown_bot_or_to_itself_is_an_author_error(make_package) -> None:
    front = make_bot(make_package, "front", {"start.bas": 'DELEGATE TO "ghost"\n'})
    other = make_bot(make_package, "other", {"start.bas": 'TRANSFER CONVERSATION TO "other"\n'})
    first, replies = say(front, "hi")
    assert replies == [APOLOGY]
    assert (
        'DELEGATE TO: there is no active bot "ghost"'
        in ConversationError.objects.get(conversation_id=first).text
    )
    second, _ = say(other, "hi")
    assert "already with" in ConversationError.objects.get(conversation_id=second).text
    assert Conversation.objects.get(pk=first).bot.name == "front"


def test_delegate_task_to_bot_returns_what_the_other_bot_said(make_package) -> None:
    make_bot(
        make_package,
        "summarizer",
        {"start.bas": 'TALK "summary of: " + task\nTALK "done"\n'},
    )
    front = make_bot(
        make_package,
        "front",
        {
            "start.bas": 'r = DELEGATE "order 42" TO BOT "summarizer"\n'
            'TALK "[" + r + "]"\n'
            'r2 = DELEGATE "x" TO BOT "summarizer" TIMEOUT 30\n'
            "TALK LEN(r2)\n"
        },
    )
    conversation, replies = say(front, "hi")
    assert replies == ["[summary of: order 42\ndone]", str(len("summary of: x\ndone"))]
    child_messages = Message.objects.filter(conversation_id=conversation, kind="delegate")
    assert child_messages.count() == 4
    assert {m.role for m in child_messages} == {Role.TOOL}
    assert {m.source["agent"] for m in child_messages} == {"summarizer"}
    children = AgentRun.objects.filter(run__conversation_id=conversation, parent__isnull=False)
    assert children.count() == 2 and {c.bot.name for c in children} == {"summarizer"}


def test_a_delegated_result_is_journaled_and_not_run_again_on_resume(make_package) -> None:
    make_bot(make_package, "helper", {"start.bas": 'TALK "answer to " + task\n'})
    front = make_bot(
        make_package,
        "front",
        {"start.bas": 'r = DELEGATE "q" TO BOT "helper"\nHEAR name\nTALK r + ", " + name\n'},
    )
    conversation, first = say(front, "hi")
    assert first == []
    assert say(front, "Ana", conversation=conversation)[1] == ["answer to q, Ana"]
    assert AgentRun.objects.filter(run__conversation_id=conversation).count() == 1
    assert JournalEntry.objects.filter(phrase="DELEGATE").count() == 1


def test_a_delegated_dialog_that_hears_is_an_author_error(make_package) -> None:
    make_bot(make_package, "asker", {"start.bas": 'TALK "what?"\nHEAR x\n'})
    front = make_bot(make_package, "front", {"start.bas": 'r = DELEGATE "t" TO BOT "asker"\nTALK r\n'})
    conversation, replies = say(front, "hi")
    assert replies == [APOLOGY]
    (error,) = ConversationError.objects.filter(conversation_id=conversation)
    assert "must not HEAR or WAIT" in error.text and error.line == 1
    child = AgentRun.objects.get(parent__isnull=False).run
    assert child.status == RunStatus.FINISHED and child.detail["ended"] == "delegate-wait"
    # The conversation is still usable.
    turn = post(front, "again", conversation=conversation)
    assert turn.message.status == "done"


def test_a_failing_or_missing_delegate_dialog_is_reported_once(make_package) -> None:
    make_bot(make_package, "broken", {"start.bas": "x = 1 / 0\n"})
    make_bot(make_package, "nodialog", {"tool.bas": 'TALK "t"\n'})
    front = make_bot(
        make_package,
        "front",
        {
            "start.bas": 'r = DELEGATE "t" TO BOT "broken"\n',
            "second.bas": 'r = DELEGATE "t" TO BOT "nodialog"\n',
        },
    )
    conversation, replies = say(front, "hi")
    assert replies == [APOLOGY]
    texts = list(
        ConversationError.objects.filter(conversation_id=conversation, run__agent__isnull=True).values_list(
            "text", flat=True
        )
    )
    assert len(texts) == 1 and 'the dialog of bot "broken" failed' in texts[0]

    other = make_bot(make_package, "front2", {"start.bas": 'r = DELEGATE "t" TO BOT "nodialog"\n'})
    second, _ = say(other, "hi")
    assert "has no start.bas" in ConversationError.objects.get(conversation_id=second).text


def test_delegate_timeout_must_be_positive(make_package) -> None:
    make_bot(make_package, "helper", {"start.bas": 'TALK "x"\n'})
    front = make_bot(make_package, "front", {"start.bas": 'r = DELEGATE "t" TO BOT "helper" TIMEOUT 0\n'})
    conversation, _ = say(front, "hi")
    assert "TIMEOUT must be a positive" in ConversationError.objects.get(conversation_id=conversation).text


def test_an_attached_bot_can_hand_the_conversation_over(make_package) -> None:
    make_bot(make_package, "support", {"start.bas": 'TALK "support here"\n'})
    make_bot(make_package, "billing", {"start.bas": 'TALK "passing you on"\nDELEGATE TO "support"\n'})
    front = make_bot(make_package, "front", {"start.bas": 'ADD BOT "billing" WITH TRIGGER "refund"\n'})
    conversation, _ = say(front, "hi")
    assert say(front, "refund", conversation=conversation)[1] == ["passing you on"]
    handoff = ConversationHandoff.objects.get(conversation_id=conversation)
    assert (handoff.from_bot.name, handoff.to_bot.name) == ("front", "support")
    assert AgentRun.objects.get(run=handoff.run).bot.name == "billing"
    assert say(front, "hello", conversation=conversation)[1] == ["support here"]

"""Events in a chat: a dialog that waits for an event holds its conversation (later messages
queue behind it) and resumes when the event comes or its TIMEOUT ends the wait; a dialog's
PUBLISH EVENT names its run, and its bot's handlers talk in that chat."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from bots.models import DialogRun, RunStatus
from bots.runtime.services import runs_fire_due
from events.models import EventSubscription, EventWaiter, WaiterStatus, WorkflowEvent
from tests.bots.conversation_support import post, replies, say, transcript
from tests.events.core_support import Here, make_bot, said_in
from workflows.models import ExecutionKind, WorkflowExecution

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

WAITING_DIALOG = """TALK "waiting for your order"
x = WAIT FOR EVENT "ready" WHERE event.user = "tester" TIMEOUT 3600
IF x = "" THEN
  TALK "timed out"
ELSE
  TALK "ready " & x.n
END IF
"""


def test_a_dialog_waits_for_an_event_queueing_messages_meanwhile_and_resumes_with_it(
    make_package, here: Here
) -> None:
    bot = make_bot(make_package, "desk", {"start.bas": WAITING_DIALOG})
    conversation, said = say(bot, "hi")
    assert said == ["waiting for your order"]
    run = DialogRun.objects.get(conversation_id=conversation)
    assert (run.status, run.waiting_for) == (RunStatus.WAITING, "event")
    waiter = EventWaiter.objects.get(dialog_run=run)
    assert (waiter.event_name, waiter.status, waiter.variables) == ("ready", WaiterStatus.WAITING, {})
    assert run.due_at == waiter.due_at and run.due_at > timezone.now() + timedelta(seconds=3000)

    # The chat is not free: a message sent meanwhile waits, unanswered, behind the dialog.
    meanwhile = post(bot, "are you there?", conversation=conversation)
    assert (meanwhile.message.status, replies(meanwhile)) == ("pending", [])
    assert runs_fire_due() == 0  # nothing is due yet

    assert here.publish(bot, "ready", {"user": "someone else", "n": 1}).waiter_count == 0
    event = here.publish(bot, "ready", {"user": "tester", "n": 7})
    assert event.waiter_count == 1
    waiter.refresh_from_db()
    assert (waiter.status, waiter.event_id) == (WaiterStatus.RESUMED, event.pk)
    assert runs_fire_due() == 1  # what the nudged sweep (bots.tasks.fire_due_runs) does
    run.refresh_from_db()
    assert run.status == RunStatus.FINISHED
    # Then the queued message is answered, after the dialog's last word.
    meanwhile.message.refresh_from_db()
    assert meanwhile.message.status == "done"
    answer = replies(meanwhile)
    assert len(answer) == 1  # the bot's answer provider (no dialog runs any more)
    assert transcript(conversation) == [
        ("user", "hi"),
        ("bot", "waiting for your order"),
        ("user", "are you there?"),
        ("bot", "ready 7"),
        ("bot", answer[0]),
    ]


def test_a_dialog_waiting_for_an_event_resumes_with_empty_at_its_timeout(make_package, here: Here) -> None:
    bot = make_bot(make_package, "desk", {"start.bas": WAITING_DIALOG})
    conversation, said = say(bot, "hi")
    assert runs_fire_due(now=timezone.now() + timedelta(seconds=3601)) == 1
    assert said_in(conversation) == ["waiting for your order", "timed out"]
    waiter = EventWaiter.objects.get(dialog_run__conversation_id=conversation)
    assert (waiter.status, waiter.event_id) == (WaiterStatus.TIMED_OUT, None)
    # A late event finds nobody waiting.
    assert here.publish(bot, "ready", {"user": "tester", "n": 1}).waiter_count == 0
    assert said_in(conversation) == ["waiting for your order", "timed out"]


def test_handlers_of_the_bot_talk_in_the_chat_that_published(make_package, here: Here) -> None:
    crm_handler = 'ON EVENT "hello" DO\n  TALK "crm greets " & event\nEND ON\n'
    make_bot(make_package, "crm", {"handlers.bas": crm_handler})
    bot = make_bot(
        make_package,
        "desk",
        {
            "start.bas": 'PUBLISH EVENT "hello" WITH "ana"\nPUBLISH EVENT "hello" WITH "bob" TO BOT "crm"\n'
            'TALK "published"\n',
            "handlers.bas": 'ON EVENT "hello" DO\n  TALK "hello " & event\nEND ON\n',
        },
    )
    conversation, said = say(bot, "hi")
    here.drain()
    own, to_crm = WorkflowEvent.objects.order_by("created_at")
    run = DialogRun.objects.get(conversation_id=conversation)
    assert (own.dialog_run, own.workflow, to_crm.dialog_run) == (run, None, run)
    assert said == ["published"]
    assert said_in(conversation) == ["published", "hello ana"]
    # Another bot's handler talks in its own subscription's conversation, not in this chat.
    crm_handler = WorkflowExecution.objects.get(kind=ExecutionKind.HANDLER, bot__name="crm")
    assert crm_handler.conversation_id != conversation
    assert crm_handler.conversation_id == EventSubscription.objects.get(bot__name="crm").conversation_id
    assert said_in(crm_handler.conversation_id) == ["crm greets bob"]

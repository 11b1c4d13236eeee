"""Waits that end by themselves: HEAR timeouts (hear-timeout-secs) and WAIT timers, fired by the
periodic sweep (a celery beat task registered by a migration)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from bots.models import DialogRun, Message, MessageStatus, RunStatus
from bots.runtime.services import runs_fire_due
from bots.tasks import fire_due_runs
from tests.bots.conversation_support import make_bot, post, say, transcript

pytestmark = pytest.mark.django_db


def _later(seconds: float = 7200):
    return timezone.now() + timedelta(seconds=seconds)


def test_hear_waits_hear_timeout_secs_with_a_default_of_an_hour(make_package) -> None:
    default = make_bot(make_package, "default-wait", {"start.bas": "HEAR x\n"})
    configured = make_bot(
        make_package, "short-wait", {"start.bas": "HEAR x\n"}, config="hear-timeout-secs,30\n"
    )
    forever = make_bot(make_package, "no-wait", {"start.bas": "HEAR x\n"}, config="hear-timeout-secs,0\n")
    waits = {}
    for bot in (default, configured, forever):
        before = timezone.now()
        conversation, _ = say(bot, "hi")
        after = timezone.now()
        due = DialogRun.objects.get(conversation_id=conversation).due_at
        # The wait starts while the message is answered, between ``before`` and ``after``.
        waits[bot.name] = None if due is None else {
            seconds for seconds in (3600, 30) if before + timedelta(seconds=seconds) <= due
            and due <= after + timedelta(seconds=seconds)
        }
    assert waits == {"default-wait": {3600}, "short-wait": {30}, "no-wait": None}


def test_a_plain_hear_that_times_out_gets_the_empty_string(make_package) -> None:
    bot = make_bot(make_package, "timeout", {"start.bas": 'HEAR x\nTALK "[" + x + "]"\nHEAR y\n'})
    conversation, _ = say(bot, "hi")
    assert runs_fire_due() == 0  # not due yet
    assert runs_fire_due(now=_later()) == 1
    assert transcript(conversation)[-1] == ("bot", "[]")
    run = DialogRun.objects.get(conversation_id=conversation)
    assert run.status == RunStatus.WAITING and run.detail == {"variable": "y"}


def test_a_typed_hear_that_times_out_ends_its_dialog(make_package) -> None:
    bot = make_bot(make_package, "typed-timeout", {"start.bas": 'HEAR n AS INTEGER\nTALK "never"\n'})
    conversation, _ = say(bot, "hi")
    assert runs_fire_due(now=_later()) == 1
    run = DialogRun.objects.get(conversation_id=conversation)
    assert run.status == RunStatus.FINISHED and run.detail["ended"] == "hear-timeout"
    assert ("bot", "never") not in transcript(conversation)


def test_wait_suspends_and_messages_sent_meanwhile_are_answered_after_it(make_package) -> None:
    bot = make_bot(
        make_package, "waiter", {"start.bas": 'TALK "one"\nWAIT 60\nTALK "two"\nHEAR x\nTALK "got " + x\n'}
    )
    conversation, first = say(bot, "hi")
    assert first == ["one"]
    queued = post(bot, "early", conversation=conversation)
    assert queued.message.status == MessageStatus.PENDING
    run = DialogRun.objects.get(conversation_id=conversation)
    assert run.waiting_for == "timer" and run.due_at is not None
    assert runs_fire_due(now=run.due_at + timedelta(seconds=1)) == 1
    assert transcript(conversation)[1:] == [
        ("bot", "one"),
        ("user", "early"),
        ("bot", "two"),
        ("bot", "got early"),
    ]
    assert Message.objects.get(pk=queued.message.pk).status == MessageStatus.DONE


def test_the_sweep_is_a_registered_periodic_task_and_a_celery_task(make_package) -> None:
    task = PeriodicTask.objects.get(task="bots.fire_due_runs")
    assert task.enabled and task.interval is not None and task.interval.every <= 10
    bot = make_bot(make_package, "swept", {"start.bas": 'WAIT 0\nTALK "after"\n'})
    conversation, first = say(bot, "hi")
    assert first == []
    assert fire_due_runs.apply().get() == 1
    assert transcript(conversation)[-1] == ("bot", "after")

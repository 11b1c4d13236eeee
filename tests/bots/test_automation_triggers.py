"""Package sync registers SET SCHEDULE / WEBHOOK scripts (rows and beat tasks); running them."""

from __future__ import annotations

import json

import pytest
from django_celery_beat.models import PeriodicTask

from bots.models import BotTrigger, Channel, Conversation, ConversationError, Message, Role, RunStatus
from bots.services import package_sync_all
from bots.triggers.services import SCHEDULE_TASK, trigger_run_schedule
from tests.bots.conversation_support import make_bot, say

pytestmark = pytest.mark.django_db

REPORT = 'SET SCHEDULE every 1 hour\nTALK "report"\n'


def _schedule(bot) -> BotTrigger:
    return BotTrigger.objects.select_related("periodic_task__crontab").get(bot=bot, kind="schedule")


def test_sync_registers_a_schedule_with_a_beat_task(make_package) -> None:
    bot = make_bot(make_package, "ops", {"report.bas": REPORT, "start.bas": 'TALK "hi"\n'})
    trigger = _schedule(bot)
    assert (trigger.script, trigger.schedule, trigger.cron, trigger.line) == (
        "ops.gbdialog/report.bas", "every 1 hour", "0 * * * *", 1
    )
    task = trigger.periodic_task
    assert task.task == SCHEDULE_TASK and json.loads(task.args) == [trigger.pk] and task.enabled
    cron = task.crontab
    assert (cron.minute, cron.hour, cron.day_of_month, cron.month_of_year, cron.day_of_week) == (
        "0", "*", "*", "*", "*"
    )
    assert BotTrigger.objects.filter(bot=bot).count() == 1  # start.bas has no trigger


def test_resync_updates_the_schedule_and_removing_the_statement_removes_the_task(make_package) -> None:
    bot = make_bot(make_package, "ops", {"report.bas": REPORT})
    first = _schedule(bot)
    package_sync_all(roots=[make_package.root])
    assert _schedule(bot).pk == first.pk and PeriodicTask.objects.filter(task=SCHEDULE_TASK).count() == 1

    make_package("ops", {"ops.gbdialog/report.bas": 'SET SCHEDULE "30 8 * * 1-5"\nTALK "x"\n'})
    package_sync_all(roots=[make_package.root])
    again = _schedule(bot)
    assert again.pk == first.pk and again.cron == "30 8 * * 1-5"
    assert (again.periodic_task.crontab.minute, again.periodic_task.crontab.day_of_week) == ("30", "1-5")
    assert again.periodic_task_id == first.periodic_task_id

    make_package("ops", {"ops.gbdialog/report.bas": 'TALK "no schedule now"\n'})
    package_sync_all(roots=[make_package.root])
    assert not BotTrigger.objects.filter(bot=bot).exists()
    assert not PeriodicTask.objects.filter(task=SCHEDULE_TASK).exists()


def test_an_unknown_phrase_is_a_sync_problem_at_its_position_and_keeps_the_old_schedule(make_package) -> None:
    bot = make_bot(make_package, "ops", {"report.bas": REPORT})
    make_package("ops", {"ops.gbdialog/report.bas": 'TALK "a"\n  SET SCHEDULE every blue moon\n'})
    report = package_sync_all(roots=[make_package.root])
    messages = [str(p) for p in report.all_problems]
    assert any(
        "ops.gbdialog/report.bas:2:3: SET SCHEDULE does not understand 'every blue moon'" in m
        and "weekdays at 8:30" in m
        for m in messages
    ), messages
    assert _schedule(bot).cron == "0 * * * *"


def test_a_script_error_at_run_time_names_the_bad_phrase(make_package) -> None:
    bot = make_bot(make_package, "ops", {"start.bas": 'TALK "a"\nSET SCHEDULE every blue moon\n'})
    say(bot, "hello")
    error = ConversationError.objects.get()
    assert (error.line, "does not understand 'every blue moon'" in error.text) == (2, True)


def test_executing_set_schedule_in_a_conversation_does_nothing_more(make_package) -> None:
    bot = make_bot(make_package, "ops", {"start.bas": 'SET SCHEDULE "daily"\nTALK "still here"\n'})
    _conversation, replies = say(bot, "hello")
    assert replies == ["still here"]
    assert BotTrigger.objects.filter(bot=bot).count() == 1  # only the one sync registered


def test_a_scheduled_run_stores_its_talk_in_a_schedule_conversation(make_package) -> None:
    bot = make_bot(
        make_package,
        "ops",
        {"report.bas": 'SET SCHEDULE hourly\nTALK greeting + ", report"\nHEAR answer\nTALK "never"\n'},
        config="param-greeting,hi\n",
    )
    trigger = _schedule(bot)
    outcome = trigger_run_schedule(trigger_id=trigger.pk)
    assert outcome.talk == ["hi, report"] and outcome.run.status == RunStatus.FINISHED
    assert outcome.run.detail.get("ended", "").startswith("schedule: no user")
    conversation = Conversation.objects.get(bot=bot, channel=Channel.SCHEDULE)
    assert conversation.user is None
    stored = Message.objects.filter(conversation=conversation, role=Role.BOT)
    assert list(stored.values_list("content", flat=True)) == ["hi, report"]
    trigger.refresh_from_db()
    assert trigger.last_triggered is not None
    trigger_run_schedule(trigger_id=trigger.pk)  # the next firing reuses the conversation
    assert Conversation.objects.filter(bot=bot, channel=Channel.SCHEDULE).count() == 1
    assert Message.objects.filter(conversation=conversation, role=Role.BOT).count() == 2


def test_an_inactive_trigger_or_bot_does_not_run(make_package) -> None:
    bot = make_bot(make_package, "ops", {"report.bas": REPORT})
    trigger = _schedule(bot)
    BotTrigger.objects.filter(pk=trigger.pk).update(active=False)
    assert trigger_run_schedule(trigger_id=trigger.pk).run is None
    assert not Conversation.objects.filter(bot=bot).exists()


def test_webhooks_register_with_a_token_kept_across_syncs(make_package) -> None:
    bot = make_bot(make_package, "shop", {"orders.bas": 'WEBHOOK "Order-Received"\nTALK "ok"\n'})
    trigger = BotTrigger.objects.get(bot=bot, kind="webhook")
    assert trigger.endpoint == "order-received" and len(trigger.token) >= 24
    assert trigger.periodic_task is None
    package_sync_all(roots=[make_package.root])
    assert BotTrigger.objects.get(pk=trigger.pk).token == trigger.token


def test_two_scripts_cannot_share_a_webhook_endpoint(make_package) -> None:
    make_package("shop", {
        "shop.gbdialog/a.bas": 'WEBHOOK "orders"\n',
        "shop.gbdialog/b.bas": 'TALK "x"\nWEBHOOK "orders"\n',
        "shop.gbdialog/c.bas": 'WEBHOOK "bad name!"\n',
    })
    report = package_sync_all(roots=[make_package.root])
    messages = " | ".join(str(p) for p in report.all_problems)
    assert "shop.gbdialog/b.bas:2:1: WEBHOOK 'orders' is already the endpoint of shop.gbdialog/a.bas" in (
        messages
    )
    assert "shop.gbdialog/c.bas:1:1: WEBHOOK 'bad name!': the endpoint must be" in messages
    assert list(BotTrigger.objects.values_list("script", flat=True)) == ["shop.gbdialog/a.bas"]


def test_a_scheduled_run_waiting_on_a_timer_is_left_for_the_sweep(make_package) -> None:
    bot = make_bot(make_package, "ops", {"slow.bas": 'SET SCHEDULE daily\nTALK "a"\nWAIT 30\nTALK "b"\n'})
    outcome = trigger_run_schedule(trigger_id=_schedule(bot).pk)
    assert outcome.talk == ["a"]
    assert (outcome.run.status, outcome.run.waiting_for) == (RunStatus.WAITING, "timer")
    assert outcome.run.due_at is not None

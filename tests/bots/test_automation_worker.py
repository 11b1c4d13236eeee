"""A real Celery worker process runs the task beat fires for a SET SCHEDULE script."""

from __future__ import annotations

import json

import pytest

from bots.models import BotTrigger, Channel, Message, Role
from gbproject.celery import app
from tests.bots.conversation_support import make_bot

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_beat_task_run_by_a_worker_stores_the_scripts_talk(make_package, celery_worker: str) -> None:
    bot = make_bot(make_package, "ops", {"digest.bas": 'SET SCHEDULE "*/10 * * * *"\nTALK "digest sent"\n'})
    trigger = BotTrigger.objects.select_related("periodic_task").get(bot=bot)
    task = trigger.periodic_task
    # What beat would send, as beat would send it: the row's task name and arguments.
    result = app.send_task(task.task, args=json.loads(task.args), queue=celery_worker)
    assert result.get(timeout=60, interval=0.05) == {"status": "finished", "talk": ["digest sent"]}
    stored = Message.objects.filter(
        conversation__bot=bot, conversation__channel=Channel.SCHEDULE, role=Role.BOT
    ).values_list("content", flat=True)
    assert list(stored) == ["digest sent"]
    trigger.refresh_from_db()
    assert trigger.last_triggered is not None

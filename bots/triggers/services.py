"""Registering triggers at package sync, and running their scripts (schedule task, webhook call).

A trigger belongs to the script as it is on disk: package sync reads every dialog, keeps one
:class:`~bots.models.BotTrigger` per script and kind, and removes the rows of statements that are
gone. Scheduled scripts are fired by celery beat through a PeriodicTask each trigger owns.
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from basic import values
from basic.errors import BasicError
from bots.models import (
    Bot,
    BotTrigger,
    Channel,
    Conversation,
    DialogRun,
    Message,
    Role,
    RunStatus,
    TriggerKind,
)
from bots.packages.problems import Problem, read_text
from bots.runtime import runs
from bots.runtime.live import conversation_changed
from bots.runtime.scripts import ScriptFile, bot_package
from bots.triggers.scan import Found, triggers_in

logger = logging.getLogger(__name__)

SCHEDULE_TASK = "bots.run_schedule"


class TriggerNotFound(LookupError):
    """No active bot with that name, or no webhook with that endpoint (answered 404)."""


class TokenRefused(PermissionError):
    """The webhook's secret token is missing or wrong (answered 403)."""


# --- registration at package sync ------------------------------------------------------------


def triggers_sync(*, bot: Bot) -> list[Problem]:
    """Make the bot's trigger rows match its scripts; a wrong statement becomes a sync problem.

    A script that does not parse keeps the triggers it had, so a typo never silently drops a
    schedule; the problem names FILE:LINE:COL.
    """
    package = bot_package(bot)
    problems: list[Problem] = []
    wanted: dict[tuple[str, str], Found] = {}
    kept: set[str] = set()
    endpoints: dict[str, str] = {}
    for path in package.dialogs if package is not None else []:
        relative = path.relative_to(package.path).as_posix()
        source, problem = read_text(path)
        if source is None:
            problems.append(problem or Problem(path, "cannot read the file"))
            kept.add(relative)
            continue
        if "schedule" not in source.lower() and "webhook" not in source.lower():
            continue
        try:
            found = triggers_in(source, relative)
        except BasicError as err:
            problems.append(Problem(path, str(err)))  # the text names FILE:LINE:COL
            kept.add(relative)
            continue
        for item in found:
            if item.kind == TriggerKind.WEBHOOK:
                if item.endpoint in endpoints:
                    problems.append(Problem(
                        path,
                        f"{relative}:{item.line}:{item.column}: WEBHOOK {item.endpoint!r} is already the "
                        f"endpoint of {endpoints[item.endpoint]}; give each webhook its own name",
                    ))
                    continue
                endpoints[item.endpoint] = relative
            wanted[(item.kind, relative)] = item
    with transaction.atomic():
        current = {(t.kind, t.script): t for t in BotTrigger.objects.select_for_update().filter(bot=bot)}
        for key, trigger in current.items():
            if key not in wanted and trigger.script not in kept:
                _trigger_delete(trigger)
        for key, item in wanted.items():
            _trigger_save(bot, current.get(key), key[1], item)
    return problems


def triggers_sync_problems(*, bot: Bot, path: Path) -> list[Problem]:
    """Package sync's call: register the bot's triggers, returning what the author must fix."""
    try:
        return triggers_sync(bot=bot)
    except (DatabaseError, OSError) as exc:  # one bot's triggers never stop the sync of the others
        logger.exception("bot %s: registering triggers failed", bot.name)
        return [Problem(path, f"the schedules and webhooks could not be registered: {exc}")]


def _trigger_delete(trigger: BotTrigger) -> None:
    task = trigger.periodic_task
    trigger.delete()
    if task is not None:
        task.delete()


def _trigger_save(bot: Bot, trigger: BotTrigger | None, script: str, item: Found) -> BotTrigger:
    if trigger is None:
        trigger = BotTrigger(bot=bot, kind=item.kind, script=script)
    trigger.line = item.line  # ``active`` stays as the admin left it
    if item.kind == TriggerKind.WEBHOOK:
        if trigger.endpoint != item.endpoint:
            # A webhook of another script may hold the name until this sync removes it.
            BotTrigger.objects.filter(bot=bot, kind=TriggerKind.WEBHOOK, endpoint=item.endpoint).exclude(
                script=script
            ).delete()
        trigger.endpoint = item.endpoint
        trigger.token = trigger.token or secrets.token_urlsafe(24)
        trigger.save()
        return trigger
    assert item.cron is not None
    trigger.schedule, trigger.cron = item.text, str(item.cron)
    trigger.save()
    trigger.periodic_task = _periodic_task_save(trigger, item)
    trigger.save(update_fields=["periodic_task"])
    return trigger


def _periodic_task_save(trigger: BotTrigger, item: Found) -> PeriodicTask:
    cron = item.cron
    assert cron is not None
    crontab, _created = CrontabSchedule.objects.get_or_create(
        minute=cron.minute,
        hour=cron.hour,
        day_of_month=cron.day_of_month,
        month_of_year=cron.month_of_year,
        day_of_week=cron.day_of_week,
        timezone=settings.TIME_ZONE,
    )
    task = trigger.periodic_task or PeriodicTask()
    task.name = f"gb schedule {trigger.pk}: {trigger.bot.name}/{trigger.script}"[:200]
    task.task = SCHEDULE_TASK
    task.args = json.dumps([trigger.pk])
    task.crontab = crontab
    task.interval = None
    task.enabled = trigger.active
    task.description = f"SET SCHEDULE {item.text} ({trigger.script}:{item.line})"
    task.save()
    return task


# --- running ---------------------------------------------------------------------------------


@dataclass(slots=True)
class Outcome:
    """What one triggered run did: the run, what it TALKed, and its RETURN value."""

    run: DialogRun | None
    talk: list[str] = field(default_factory=list)
    result: Any = None

    @property
    def failed(self) -> bool:
        return self.run is not None and self.run.status == RunStatus.FAILED


def _script(bot: Bot, trigger: BotTrigger) -> ScriptFile | None:
    package = bot_package(bot)
    if package is None:
        return None
    path = package.path / trigger.script
    source, _problem = read_text(path) if path.is_file() else (None, None)
    return ScriptFile(trigger.script, source) if source is not None else None


def _conversation(bot: Bot, channel: str, key: str) -> Conversation:
    """The trigger's own conversation (one per trigger, no user), locked for this run."""
    conversation, _created = Conversation.objects.get_or_create(
        bot=bot, channel=channel, user_key=key, user=None, defaults={"start_done": True}
    )
    return runs.conversation_lock(conversation.pk)


def _run(conversation: Conversation, script: ScriptFile, inputs: dict[str, Any], why: str) -> Outcome:
    """Run the script to its end in the caller's transaction, keeping its RETURN value.

    There is no user to answer a HEAR, so a run that waits for input is ended there; a run
    waiting on a timer (WAIT) goes on when the due-runs sweep fires it.
    """
    run = runs.run_start(
        conversation=conversation, script=script, inbound=None, inputs=inputs, detail={"trigger": why}
    )
    if run.status == RunStatus.WAITING and run.waiting_for == "input":
        runs.run_end_waiting(run=run, reason=f"{why}: no user to answer")
    replies = Message.objects.filter(run=run, role=Role.BOT).exclude(kind="error").order_by("id")
    talk = [message.content for message in replies]
    value = values.plain_json(run.return_value)
    return Outcome(run, talk, value)


def trigger_run_schedule(*, trigger_id: int) -> Outcome:
    """Run a scheduled script now (the beat task); nothing when the trigger or bot is inactive."""
    with transaction.atomic():
        trigger = BotTrigger.objects.select_related("bot").filter(pk=trigger_id).first()
        if trigger is None or not trigger.active or not trigger.bot.active:
            logger.info("schedule %s: no active trigger, skipped", trigger_id)
            return Outcome(None)
        script = _script(trigger.bot, trigger)
        if script is None:
            logger.warning("schedule %s: %s is gone from the package", trigger_id, trigger.script)
            return Outcome(None)
        conversation = _conversation(trigger.bot, Channel.SCHEDULE, f"schedule:{trigger.script}")
        outcome = _run(conversation, script, {}, "schedule")
        BotTrigger.objects.filter(pk=trigger.pk).update(last_triggered=timezone.now())
        conversation_changed(conversation_id=conversation.pk)
    return outcome


def webhook_trigger(*, bot_name: str, endpoint: str) -> BotTrigger:
    trigger = (
        BotTrigger.objects.select_related("bot")
        .filter(bot__name=bot_name, bot__active=True, kind=TriggerKind.WEBHOOK, endpoint=endpoint.lower(),
                active=True)
        .first()
    )
    if trigger is None:
        raise TriggerNotFound(f"no webhook {endpoint!r} on bot {bot_name!r}")
    return trigger


def webhook_call(*, bot_name: str, endpoint: str, token: str, fields: dict[str, Any]) -> Outcome:
    """Run a webhook's script with the request's fields as variables (names lower-cased)."""
    trigger = webhook_trigger(bot_name=bot_name, endpoint=endpoint)
    if not token or not hmac.compare_digest(token.encode(), trigger.token.encode()):
        raise TokenRefused("missing or wrong webhook token")
    script = _script(trigger.bot, trigger)
    if script is None:
        raise TriggerNotFound(f"the script of webhook {endpoint!r} is gone from the package")
    inputs = {str(name).lower(): value for name, value in fields.items()}
    with transaction.atomic():
        conversation = _conversation(trigger.bot, Channel.WEBHOOK, f"webhook:{trigger.endpoint}")
        Message.objects.create(
            conversation=conversation, role=Role.SYSTEM, kind="webhook", content=json.dumps(inputs)[:10000],
            source={"webhook": trigger.endpoint},
        )
        outcome = _run(conversation, script, inputs, "webhook")
        BotTrigger.objects.filter(pk=trigger.pk).update(last_triggered=timezone.now())
        conversation_changed(conversation_id=conversation.pk)
    return outcome

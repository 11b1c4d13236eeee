"""SET SCHEDULE and WEBHOOK: they act when the package is synced, not when the script runs.

Package sync (:mod:`bots.triggers.services`) registers the script's schedule with celery beat or
its webhook endpoint. Executed at run time the statement only checks what it says, so a wrong
phrase is still reported at its line when the script is tried by hand.
"""

from __future__ import annotations

from typing import Any

from basic.errors import BasicRuntimeError
from basic.registry import KeywordSpec

# Importing the task module registers the schedule task in every process that loads keywords
# (the web server and the Celery worker both do, from BotsConfig.ready()).
from bots.triggers import tasks as _tasks  # noqa: F401
from bots.triggers.phrases import ScheduleError, schedule_parse
from bots.triggers.scan import endpoint_check


def _set_schedule(run: Any, args: dict) -> None:
    try:
        schedule_parse(str(args.get("schedule", "")))
    except ScheduleError as exc:
        raise BasicRuntimeError(str(exc)) from None


def _webhook(run: Any, args: dict) -> None:
    try:
        endpoint_check(str(args.get("endpoint", "")))
    except ValueError as exc:
        raise BasicRuntimeError(str(exc)) from None


AUTOMATION_SPECS: tuple[KeywordSpec, ...] = (
    KeywordSpec(
        "SET SCHEDULE",
        ("{schedule:raw}",),
        _set_schedule,
        summary="Run this script on a schedule, with no user: 5-field cron or plain words (every 5 "
        "minutes, hourly, daily, at 9am, weekdays at 8:30, every monday at 10). Registered with "
        "celery beat when the package is synced; running the statement does nothing more.",
        example="SET SCHEDULE every 1 hour",
        category="Automation",
    ),
    KeywordSpec(
        "WEBHOOK",
        ("{endpoint:raw}",),
        _webhook,
        summary="Expose this script at POST /webhook/<bot>/<endpoint>: the request's fields become "
        "variables, the answer is JSON with what it TALKed and its RETURN value. Needs the "
        "webhook's token (X-Webhook-Token header or ?token=). Registered at package sync.",
        example='WEBHOOK "order-received"',
        category="Automation",
    ),
)

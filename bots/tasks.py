"""Celery tasks of the bots app. Thin: they call services."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from bots.realtime import bot_event_publish, bot_events_group


@shared_task(name="bots.publish_event")
def publish_event(bot_name: str, data: dict[str, Any]) -> str:
    """Publish a bot event from a worker; returns the group it went to."""
    bot_event_publish(bot_name=bot_name, data=data)
    return bot_events_group(bot_name)


@shared_task(name="bots.fire_due_runs")
def fire_due_runs() -> int:
    """The periodic sweep (celery beat, registered by migration 0003): end the waits that are
    due, HEAR timeouts and WAIT timers, and run attached bots whose ADD BOT schedule is due.
    Returns how many fired."""
    from bots.runtime.agents import scheduled_bots_fire
    from bots.runtime.services import runs_fire_due

    return runs_fire_due() + scheduled_bots_fire()

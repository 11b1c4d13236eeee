"""The Celery task celery beat fires for a SET SCHEDULE script. Thin: it calls the service."""

from __future__ import annotations

from celery import shared_task

from bots.triggers.services import SCHEDULE_TASK


@shared_task(name=SCHEDULE_TASK)
def run_schedule(trigger_id: int) -> dict:
    """Run the trigger's script as its own run; returns its status and what it TALKed."""
    from bots.triggers.services import trigger_run_schedule

    outcome = trigger_run_schedule(trigger_id=trigger_id)
    status = outcome.run.status if outcome.run is not None else "skipped"
    return {"status": status, "talk": outcome.talk}

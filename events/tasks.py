"""Celery tasks of the event bus. Thin: they call delivery and the webhook sender (imported
when called: the webhook module queues these tasks)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="events.sweep", ignore_result=True)
def sweep() -> int:
    """The periodic sweep (celery beat, registered by a migration): deliver the events a wake-up
    missed, and send the webhook deliveries that are due. Returns how many it acted on."""
    from events.delivery import events_deliver_pending
    from events.webhooks import webhooks_retry_due
    from workflows.engine.dispatch import CeleryDispatch

    return events_deliver_pending(dispatch=CeleryDispatch()) + webhooks_retry_due()


@shared_task(name="events.webhook_send", ignore_result=True)
def webhook_send(delivery_id: int) -> str:
    from events.webhooks import webhook_send as send

    return send(delivery_id)

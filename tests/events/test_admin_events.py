"""The events admin: every list and page renders with its filters and inlines, webhook
subscriptions get a generated secret when it is left blank, and "retry now" goes through
webhook_delivery_retry."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from events.delivery import event_deliver
from events.models import (
    DeliveryStatus,
    EventSubscription,
    EventWaiter,
    HandlerRun,
    WaiterStatus,
    WebhookDelivery,
    WebhookSubscription,
    WorkflowEvent,
)
from events.services import event_publish
from tests.workflows.support import make_bot
from workflows.engine.dispatch import LocalDispatch

pytestmark = pytest.mark.django_db

HANDLER = """ON EVENT "order_paid" DO
  TALK "paid " + event.order
END ON
"""


@pytest.fixture
def staff(client):
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "pw"))
    return client


@pytest.fixture
def delivered(make_package) -> WorkflowEvent:
    """An event with a handler run, a resumed waiter and a failed webhook delivery."""
    bot = make_bot(make_package, "shop", {"start.bas": 'TALK "hi"\n', "paid.bas": HANDLER})
    WebhookSubscription.objects.create(bot=bot, url="https://example.com/h", secret="s" * 20)
    event, _ = event_publish(bot=bot, name="order_paid", data={"order": 7})
    event_deliver(event.pk, dispatch=LocalDispatch())
    EventWaiter.objects.create(
        bot=bot,
        event_name="order_paid",
        status=WaiterStatus.RESUMED,
        event=event,
        script="shop.gbdialog/w.bas",
    )
    WebhookDelivery.objects.filter(event=event).update(
        status=DeliveryStatus.FAILED, attempts=10, last_status_code=500, last_error="answered HTTP 500: boom"
    )
    return event


@pytest.mark.parametrize(
    "model", [WorkflowEvent, EventSubscription, HandlerRun, EventWaiter, WebhookSubscription, WebhookDelivery]
)
def test_every_list_and_page_renders(staff, delivered, model) -> None:
    name = model._meta.model_name
    listing = staff.get(reverse(f"admin:events_{name}_changelist"))
    assert listing.status_code == 200
    row = model.objects.first()
    page = staff.get(reverse(f"admin:events_{name}_change", args=[row.pk]))
    assert page.status_code == 200


def test_the_event_page_shows_what_it_reached(staff, delivered) -> None:
    page = staff.get(reverse("admin:events_workflowevent_change", args=[delivered.pk])).content.decode()
    run = HandlerRun.objects.get(event=delivered)
    assert reverse("admin:workflows_workflowexecution_change", args=[run.execution_id]) in page
    assert "shop.gbdialog/w.bas" in page  # the resumed waiter
    assert "answered HTTP 500: boom" in page  # the failed delivery
    filtered = staff.get(reverse("admin:events_workflowevent_changelist") + "?delivered_at__isnull=True")
    assert filtered.status_code == 200 and "0 workflow events" in filtered.content.decode()
    # Read-only: no add button, no save.
    assert not staff.get(reverse("admin:events_workflowevent_add")).status_code == 200


def test_a_webhook_saved_with_a_blank_secret_gets_one(staff, delivered) -> None:
    response = staff.post(
        reverse("admin:events_webhooksubscription_add"),
        {
            "bot": delivered.bot_id,
            "event_name": " Order_Shipped ",
            "url": "https://example.com/shipped",
            "secret": "",
            "description": "",
            "active": "on",
            "deliveries-TOTAL_FORMS": "0",
            "deliveries-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    webhook = WebhookSubscription.objects.get(url="https://example.com/shipped")
    assert webhook.event_name == "order_shipped" and len(webhook.secret) >= 32

    refused = staff.post(
        reverse("admin:events_webhooksubscription_add"),
        {
            "bot": delivered.bot_id,
            "url": "https://example.com/x",
            "event_name": "x" * 201,
            "deliveries-TOTAL_FORMS": "0",
            "deliveries-INITIAL_FORMS": "0",
        },
    )
    assert (
        refused.status_code == 200
        and not WebhookSubscription.objects.filter(url="https://example.com/x").exists()
    )


def test_retry_now_requeues_a_failed_delivery_and_refuses_a_delivered_one(staff, delivered) -> None:
    failed = WebhookDelivery.objects.get(event=delivered)
    done = WebhookDelivery.objects.create(
        subscription=WebhookSubscription.objects.create(
            bot=delivered.bot, url="https://e.com/2", secret="t" * 20
        ),
        event=delivered,
        status=DeliveryStatus.DELIVERED,
        attempts=1,
    )
    response = staff.post(
        reverse("admin:events_webhookdelivery_changelist"),
        {"action": "retry_now", "_selected_action": [failed.pk, done.pk]},
        follow=True,
    )
    text = response.content.decode()
    assert "Queued 1 delivery(ies) to be sent again." in text
    assert f"Delivery #{done.pk}: webhook delivery {done.pk} was delivered already" in text
    failed.refresh_from_db()
    done.refresh_from_db()
    assert (failed.status, failed.attempts) == (
        "pending",
        0,
    ) and failed.last_error == "answered HTTP 500: boom"
    assert done.status == "delivered"

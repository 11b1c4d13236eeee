"""/events/ and /events/<id>/: the events list (newest first, who listened, delivered or pending,
filters, the htmx fragment the live island fetches) and one event with its handler runs, the
waiters it resumed and its webhook deliveries. Events are published through the bus and
delivered in this process (``deliver_here``, as ``gb run`` does)."""

from __future__ import annotations

import re
import socket
import uuid
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from bots.models import Bot
from events.bus import deliver_here
from events.models import DeliveryStatus, EventWaiter, WaiterStatus, WebhookDelivery, WorkflowEvent
from events.services import event_publish
from events.webhooks import webhook_send, webhook_subscription_create
from tests.workflows.support import make_bot, run_here
from workflows.engine import LocalDispatch

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

SHOP = """ON EVENT "order_paid" DO
  TALK "shipping order " + event.order
END ON
"""
BILLING = """ORCHESTRATE WORKFLOW "wait-pay"
STEP 1: paid = WAIT FOR EVENT "invoice_paid"
STEP 2: TALK "paid " + paid.invoice
"""


@pytest.fixture
def viewer() -> Client:
    user = get_user_model().objects.create_user("viewer", password="pw")  # signed in, not staff
    client = Client(**{"wsgi.url_scheme": "https", "SERVER_PORT": "443"})  # DJANGO_HTTPS in services mode
    client.force_login(user)
    return client


@pytest.fixture
def bots(make_package) -> dict[str, Bot]:
    return {
        "shop": make_bot(make_package, "shop", {"handlers.bas": SHOP}),
        "billing": make_bot(make_package, "billing", {"wait.bas": BILLING}),
    }


def publish(bot: Bot, name: str, data: Any = None, **options: Any) -> WorkflowEvent:
    """Publish and deliver at once in this process; returns the event as delivered."""
    with deliver_here(LocalDispatch()):
        event, created = event_publish(bot=bot, name=name, data=data, **options)
    assert created
    event.refresh_from_db()
    return event


def _get(client: Client, url: str, status: int = 200, **headers: str) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == status, response.content[:2000]
    return response.content.decode()


def rows(html: str) -> list[tuple[str, str]]:
    """(event id, event name) of each row of the list, top to bottom."""
    pattern = r'<tr class="event-row" id="event-([0-9a-f-]{36})" data-event="[^"]+" data-name="([^"]*)"'
    return re.findall(pattern, html)


def row(html: str, event: WorkflowEvent) -> str:
    match = re.search(rf'<tr class="event-row" id="event-{event.pk}".*?</tr>', html, re.S)
    assert match, f"no row for {event.pk}"
    return match.group(0)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_list_shows_each_event_with_who_listened_newest_first(bots, viewer) -> None:
    paid = publish(bots["shop"], "order_paid", {"order": 7, "total": 12.5})
    lonely = publish(bots["shop"], "nobody_cares", {"note": "x" * 300})
    broadcast = publish(bots["billing"], "price_change", ["a", "b"], to_all=True)
    lost = WorkflowEvent.objects.create(bot=bots["billing"], event_name="lost_wakeup")  # never delivered

    html = _get(viewer, "/events/")

    newest_first = [str(event.pk) for event in (lost, broadcast, lonely, paid)]
    assert [event_id for event_id, _name in rows(html)] == newest_first
    handled = row(html, paid)
    assert "1 handler run" in handled and "delivered" in handled and "own bot" in handled
    assert "{&quot;order&quot;: 7, &quot;total&quot;: 12.5}" in handled
    assert f'href="/events/{paid.pk}/"' in handled
    assert "nobody listened" in row(html, lonely) and "…" in row(html, lonely)  # a long preview is cut
    assert "TO ALL" in row(html, broadcast) and "nobody listened" in row(html, broadcast)
    pending = row(html, lost)
    assert 'data-delivered="false"' in pending and "pending" in pending and "not delivered yet" in pending
    # The first page follows the stream; the page names it for the live island.
    assert 'data-live-socket="/ws/events/"' in html and "4 events" in html


def test_filters_by_bot_and_name_and_say_what_is_wrong(bots, viewer) -> None:
    mine = publish(bots["shop"], "order_paid", {"order": 1})
    sent = publish(bots["shop"], "invoice_due", {"invoice": 9}, to_bot=bots["billing"])
    theirs = publish(bots["billing"], "Invoice_Due", {"invoice": 10})

    by_bot = _get(viewer, "/events/?bot=billing")
    # The events it published or was sent TO.
    assert {event_id for event_id, _ in rows(by_bot)} == {str(sent.pk), str(theirs.pk)}
    assert "TO BOT billing" in row(by_bot, sent)
    assert 'data-live-socket="/ws/events/?bot=billing"' in by_bot

    by_name = _get(viewer, "/events/?name=INVOICE_DUE")  # any case
    assert {event_id for event_id, _ in rows(by_name)} == {str(sent.pk), str(theirs.pk)}
    both = _get(viewer, "/events/?bot=shop&name=order_paid")
    assert rows(both) == [(str(mine.pk), "order_paid")]
    assert 'data-live-socket="/ws/events/?bot=shop&amp;name=order_paid"' in both

    wrong = _get(viewer, "/events/?bot=nobot")
    assert "There is no bot named nobot." in wrong and rows(wrong) == []
    assert "data-live-socket" not in wrong
    assert "No events match these filters yet." in _get(viewer, "/events/?name=never_published")


def test_htmx_gets_the_live_part_alone(bots, viewer) -> None:
    paid = publish(bots["shop"], "order_paid", {"order": 3})
    fragment = _get(viewer, "/events/?bot=shop", HX_Request="true")
    assert "<html" not in fragment and "<form" not in fragment
    assert '<section id="event-list"' in fragment and rows(fragment) == [(str(paid.pk), "order_paid")]
    assert 'data-live-src="/events/?bot=shop"' in fragment
    assert "HX-Push-Url" not in viewer.get("/events/?bot=shop", headers={"HX-Request": "true"})
    # The filter form's request: the address bar gets the filters without empty ones.
    form = {"HX-Request": "true", "HX-Trigger": "event-filters"}
    filtered = viewer.get("/events/?bot=shop&name=", headers=form)
    assert filtered["HX-Push-Url"] == "/events/?bot=shop" and "HX-Request" in filtered["Vary"]
    restore = _get(viewer, "/events/", HX_Request="true", HX_History_Restore_Request="true")
    assert "<html" in restore  # htmx restoring history needs the whole page


def test_only_the_first_page_follows_the_stream(bots, viewer) -> None:
    for number in range(51):
        WorkflowEvent.objects.create(bot=bots["shop"], event_name="tick", event_data={"n": number})
    first, second = _get(viewer, "/events/"), _get(viewer, "/events/?page=2")
    assert len(rows(first)) == 50 and len(rows(second)) == 1
    assert "data-live-socket" in first and "data-live-socket" not in second
    assert "Page 2 of 2 (51 events)" in second


def test_the_detail_shows_handler_runs_waiters_and_webhook_deliveries(bots, viewer, settings) -> None:
    settings.GB_HTTP_ALLOW_PRIVATE = True
    url = f"http://127.0.0.1:{_closed_port()}/hook"
    webhook_subscription_create(bot=bots["billing"], url=url, event_name="invoice_paid")
    outcome, _said = run_here(bots["billing"], "wait")
    waiter = EventWaiter.objects.get(execution=outcome.execution)

    event = publish(bots["shop"], "invoice_paid", {"invoice": 42}, to_bot=bots["billing"])
    [delivery] = WebhookDelivery.objects.filter(event=event)
    assert webhook_send(delivery.pk)  # nothing listens on that port: the attempt fails, to be retried
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RETRYING

    html = _get(viewer, f"/events/{event.pk}/")
    assert "<h1>invoice_paid" in html and "TO BOT billing" in html and 'id="event-status">delivered' in html
    assert "&quot;invoice&quot;: 42" in html
    assert "1 waiter resumed" in html and "1 webhook" in html
    waiters = re.search(r'<section aria-label="Resumed waiters">.*?</section>', html, re.S).group(0)
    assert f'href="/workflows/runs/{outcome.execution.pk}/"' in waiters and "wait.bas" in waiters
    assert EventWaiter.objects.get(pk=waiter.pk).status == WaiterStatus.RESUMED
    deliveries = re.search(r'<section aria-label="Webhook deliveries">.*?</section>', html, re.S).group(0)
    assert url in deliveries and 'data-status="retrying"' in deliveries and "Failed, will retry" in deliveries
    assert delivery.last_error and delivery.last_error[:40] in deliveries
    assert "No ON EVENT handler ran for it." in html
    assert 'data-live-socket="/ws/events/?bot=shop&amp;name=invoice_paid"' in html
    assert f'data-live-event="{event.pk}"' in html

    handled = publish(bots["shop"], "order_paid", {"order": 5})
    page = _get(viewer, f"/events/{handled.pk}/")
    [run] = handled.handler_runs.all()
    handlers = re.search(r'<section aria-label="Handler runs">.*?</section>', page, re.S).group(0)
    assert f'href="/workflows/runs/{run.execution_id}/"' in handlers and "handlers.bas:1" in handlers
    assert "No webhook was sent it." in page and "No waiting run was resumed by it." in page

    the_list = _get(viewer, "/events/")
    assert "1 failing" in row(the_list, event)  # the retrying delivery shows on the list too


def test_the_pages_need_a_signed_in_user_and_a_known_event(bots, viewer) -> None:
    event = publish(bots["shop"], "order_paid")
    anonymous = Client(**{"wsgi.url_scheme": "https", "SERVER_PORT": "443"})
    for url in ("/events/", f"/events/{event.pk}/"):
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    missing = uuid.uuid4()
    _get(viewer, f"/events/{missing}/", status=404)
    assert "No data." in _get(viewer, f"/events/{event.pk}/")

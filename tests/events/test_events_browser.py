"""The live events pages in headless Chromium: events published by this process (delivered here,
as ``gb run`` does) appear on the open /events/ page without a reload, the bot filter swaps the
list in with htmx and the page then follows that bot's stream, and an event's page shows its
webhook failing as it happens. The nudges travel through the run mode's channel layer to the
page's socket on a real ASGI server (daphne, in a subprocess on the test databases), as in
tests/workflows/test_run_browser.py, whose server fixture this reuses.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from django.contrib.auth import get_user_model
from django.db import connections
from django.test import Client

from bots.models import Bot
from events.models import WebhookDelivery
from events.webhooks import webhook_send, webhook_subscription_create
from tests.events.test_events_pages import SHOP, publish
from tests.workflows.support import make_bot
from tests.workflows.test_run_browser import CHROMIUM, CHROMIUM_ARGS, live_server_url  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")
T = TypeVar("T")


def _elsewhere(work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ORM work on a thread of its own: Playwright's loop runs on this one, and the ORM refuses
    to run beside an event loop; the thread's connection is closed, so the test database can be
    dropped."""

    def run() -> T:
        try:
            return work(*args, **kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result(timeout=60)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _fail_the_webhook(event_id: str) -> None:
    delivery = WebhookDelivery.objects.get(event_id=event_id)
    assert webhook_send(delivery.pk)


def test_events_appear_on_the_open_pages_without_a_reload(make_package, live_server_url, settings) -> None:  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    settings.GB_HTTP_ALLOW_PRIVATE = True
    shop = make_bot(make_package, "shop", {"handlers.bas": SHOP})
    billing = Bot.objects.create(name="billing")
    webhook_subscription_create(bot=billing, url=f"http://127.0.0.1:{_closed_port()}/hook")
    viewer = get_user_model().objects.create_user("viewer", password="pw")
    client = Client()
    client.force_login(viewer)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            context.add_cookies(
                [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server_url}]
            )
            page = context.new_page()
            page.goto(f"{live_server_url}/events/")
            expect(page.get_by_role("heading", level=1)).to_have_text("Events")
            expect(page.locator("#live-state")).to_have_attribute("data-connected", "true")
            expect(page.get_by_text("No events yet.")).to_be_visible()
            page.evaluate("window.__sameDocument = true")

            paid = _elsewhere(publish, shop, "order_paid", {"order": 7})
            row = page.locator(f"#event-{paid.pk}")
            expect(row).to_contain_text("order_paid")
            expect(row).to_contain_text('{"order": 7}')
            expect(row).to_contain_text("1 handler run")
            expect(row).to_have_attribute("data-delivered", "true")

            # The bot filter: htmx swaps the list in, and the page follows billing's stream.
            page.get_by_label("Bot").select_option("billing")
            expect(page).to_have_url(f"{live_server_url}/events/?bot=billing")
            expect(page.locator("#event-list")).to_have_attribute(
                "data-live-socket", "/ws/events/?bot=billing"
            )
            expect(row).to_have_count(0)
            expect(page.locator("#live-state")).to_have_attribute("data-connected", "true")
            mine = _elsewhere(publish, shop, "order_paid", {"order": 8})
            sent = _elsewhere(publish, shop, "invoice_due", {"invoice": 9}, to_bot=billing)
            sent_row = page.locator(f"#event-{sent.pk}")
            expect(sent_row).to_contain_text("TO BOT billing")
            expect(sent_row).to_contain_text("1 webhook")
            expect(page.locator(f"#event-{mine.pk}")).to_have_count(0)
            assert page.evaluate("window.__sameDocument") is True  # updated in place, never reloaded

            # One event's page: its webhook failing shows up as it happens.
            sent_row.get_by_role("link", name="invoice_due").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text("invoice_due")
            expect(page.locator("#live-state")).to_have_attribute("data-connected", "true")
            deliveries = page.get_by_role("region", name="Webhook deliveries")
            expect(deliveries.locator("tr.delivery")).to_have_attribute("data-status", "pending")
            page.evaluate("window.__sameDocument = true")
            _elsewhere(_fail_the_webhook, sent.pk)
            expect(deliveries.locator("tr.delivery")).to_have_attribute("data-status", "retrying")
            expect(deliveries).to_contain_text("Failed, will retry")
            assert page.evaluate("window.__sameDocument") is True
        finally:
            browser.close()

"""/api/events: publish (new, idempotent replay by body or header, the 400s that say what to
fix, 401), list with filters, detail with handler runs, waiters and webhook deliveries; webhook
subscriptions with their deliveries and retry; the OpenAPI schema and the API document."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bots.models import Bot
from events.delivery import event_deliver
from events.models import DeliveryStatus, EventSource, WebhookDelivery, WebhookSubscription, WorkflowEvent
from events.services import DATA_MAX_BYTES, event_publish
from tests.workflows.support import make_bot
from workflows.engine.dispatch import LocalDispatch

pytestmark = pytest.mark.django_db

HANDLER = """ON EVENT "order_paid" DO
  TALK "paid " + event.order
END ON
"""


@pytest.fixture
def api() -> APIClient:
    user = get_user_model().objects.create_user("api", password="pw")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def bots(make_package):
    make_bot(make_package, "warehouse", {"start.bas": 'TALK "w"\n'})
    return make_bot(make_package, "shop", {"start.bas": 'TALK "hi"\n', "paid.bas": HANDLER})


def test_publish_answers_201_with_the_event_and_a_replay_200_with_the_first(api, bots) -> None:
    response = api.post(
        "/api/events", {"bot": "SHOP", "name": "Order_Paid", "data": {"order": 7}}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert response["Location"] == f"/api/events/{body['id']}/"
    assert (body["name"], body["data"], body["bot"], body["scope"], body["source"]) == (
        "order_paid",
        {"order": 7},
        "shop",
        "bot",
        "api",
    )
    assert body["delivered"] is False and body["target_bot"] is None
    event = WorkflowEvent.objects.get(pk=body["id"])
    assert event.source == EventSource.API and event.bot == bots

    first = api.post(
        "/api/events/", {"bot": "shop", "name": "x", "to_all": True, "idempotency_key": "k-1"}, format="json"
    )
    again = api.post(
        "/api/events/", {"bot": "shop", "name": "x", "data": 2}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"] and again.json()["scope"] == "all"
    assert WorkflowEvent.objects.filter(idempotency_key="k-1").count() == 1

    sent = api.post("/api/events/", {"bot": "shop", "name": "restock", "to_bot": "Warehouse"}, format="json")
    assert sent.status_code == 201 and (sent.json()["scope"], sent.json()["target_bot"]) == (
        "to-bot",
        "warehouse",
    )


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({"bot": "nobody", "name": "x"}, "bot", 'there is no active bot named "nobody"'),
        ({"bot": "shop", "name": "   "}, "name", "may not be blank"),
        ({"bot": "shop", "name": "x" * 201}, "name", "no more than 200 characters"),
        ({"bot": "shop", "name": "x", "to_bot": "ghost"}, "to_bot", 'there is no active bot "ghost"'),
        ({"bot": "shop", "name": "x", "to_bot": "warehouse", "to_all": True}, "non_field_errors", "not both"),
        ({"name": "x"}, "bot", "required"),
    ],
)
def test_publish_refuses_with_a_message_that_says_what_to_fix(api, bots, body, field, says) -> None:
    response = api.post("/api/events/", body, format="json")
    assert response.status_code == 400
    assert says in str(response.json()[field])
    assert not WorkflowEvent.objects.exists()


def test_publish_refuses_data_that_is_too_big(api, bots) -> None:
    response = api.post(
        "/api/events/", {"bot": "shop", "name": "x", "data": "y" * DATA_MAX_BYTES}, format="json"
    )
    assert response.status_code == 400 and "may travel with an event" in response.json()["detail"]


def test_every_endpoint_needs_credentials(bots) -> None:
    anonymous = APIClient()
    assert anonymous.post("/api/events", {"bot": "shop", "name": "x"}, format="json").status_code == 401
    assert anonymous.get("/api/events/").status_code == 401
    assert anonymous.get("/api/events/webhooks/").status_code == 401
    assert not WorkflowEvent.objects.exists()


def test_list_filters_by_bot_name_delivery_and_time(api, bots) -> None:
    warehouse = Bot.objects.get(name="warehouse")
    old, _ = event_publish(bot=bots, name="old")
    WorkflowEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    paid, _ = event_publish(bot=bots, name="order_paid", data={"order": 1})
    sent, _ = event_publish(bot=bots, name="restock", to_bot=warehouse)
    own, _ = event_publish(bot=warehouse, name="count")
    event_deliver(paid.pk, dispatch=LocalDispatch())

    def ids(query: str) -> list[str]:
        response = api.get(f"/api/events/{query}")
        assert response.status_code == 200, response.json()
        return [e["id"] for e in response.json()["results"]]

    assert ids("") == [str(e.pk) for e in (own, sent, paid, old)]
    assert ids("?bot=warehouse") == [str(own.pk), str(sent.pk)]
    assert ids("?name=ORDER_PAID") == [str(paid.pk)]
    assert ids("?undelivered=true&bot=shop") == [str(sent.pk), str(old.pk)]
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert str(old.pk) not in ids(f"?since={since.replace('+', '%2B')}")
    assert api.get("/api/events/?since=yesterday").status_code == 400


def test_detail_shows_handler_runs_and_webhook_deliveries(api, bots) -> None:
    webhook = WebhookSubscription.objects.create(bot=bots, url="https://example.com/h", secret="s" * 20)
    event, _ = event_publish(bot=bots, name="order_paid", data={"order": 7})
    event_deliver(event.pk, dispatch=LocalDispatch())

    data = api.get(f"/api/events/{event.pk}/").json()
    assert data["delivered"] is True and data["handler_count"] == 1 and data["webhook_count"] == 1
    (run,) = data["handler_runs"]
    assert run["bot"] == "shop" and run["script"].endswith("paid.bas") and run["line"] == 1
    assert run["execution"] is not None and run["execution_status"] == "running"
    (delivery,) = data["webhook_deliveries"]
    assert (delivery["webhook"], delivery["url"], delivery["status"], delivery["attempts"]) == (
        webhook.pk,
        "https://example.com/h",
        "pending",
        0,
    )
    assert data["resumed_waiters"] == []
    missing = api.get("/api/events/00000000-0000-0000-0000-000000000000/")
    assert missing.status_code == 404 and "No event" in missing.json()["detail"]


def test_webhooks_are_created_with_a_secret_shown_once_listed_and_deleted(api, bots) -> None:
    created = api.post(
        "/api/events/webhooks/",
        {"bot": "shop", "url": "https://example.com/hook", "event_name": "Order_Paid"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["event_name"] == "order_paid" and len(body["secret"]) >= 32
    assert created["Location"] == f"/api/events/webhooks/{body['id']}/"
    assert WebhookSubscription.objects.get(pk=body["id"]).secret == body["secret"]
    chosen = api.post(
        "/api/events/webhooks/",
        {"bot": "warehouse", "url": "http://example.org/x", "secret": "my-own-secret-1234"},
        format="json",
    )
    assert chosen.json()["secret"] == "my-own-secret-1234" and chosen.json()["event_name"] == ""

    listed = api.get("/api/events/webhooks/?bot=shop").json()["results"]
    assert [w["id"] for w in listed] == [body["id"]] and "secret" not in listed[0]
    assert "secret" not in api.get(f"/api/events/webhooks/{body['id']}/").json()

    bad = api.post("/api/events/webhooks/", {"bot": "shop", "url": "example.com/x"}, format="json")
    assert bad.status_code == 400 and "full http:// or https:// address" in bad.json()["detail"]
    short = api.post(
        "/api/events/webhooks/", {"bot": "shop", "url": "https://e.com", "secret": "abc"}, format="json"
    )
    assert short.status_code == 400 and "at least 16 characters" in short.json()["detail"]
    nobody = api.post("/api/events/webhooks/", {"bot": "ghost", "url": "https://e.com"}, format="json")
    assert nobody.status_code == 400 and "ghost" in nobody.json()["bot"][0]

    assert api.delete(f"/api/events/webhooks/{body['id']}/").status_code == 204
    assert api.get(f"/api/events/webhooks/{body['id']}/").status_code == 404
    assert not WebhookSubscription.objects.filter(pk=body["id"]).exists()


def test_deliveries_are_listed_per_webhook_and_a_failed_one_retried(api, bots) -> None:
    webhook = WebhookSubscription.objects.create(bot=bots, url="https://example.com/h", secret="s" * 20)
    event, _ = event_publish(bot=bots, name="order_paid")
    event_deliver(event.pk, dispatch=LocalDispatch())
    delivery = WebhookDelivery.objects.get(event=event)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED, attempts=10, last_status_code=503, last_error="answered HTTP 503"
    )

    base = f"/api/events/webhooks/{webhook.pk}/deliveries/"
    (listed,) = api.get(base).json()["results"]
    assert (listed["id"], listed["status"], listed["last_error"], listed["event_name"]) == (
        delivery.pk,
        "failed",
        "answered HTTP 503",
        "order_paid",
    )
    assert api.get(base + "?status=delivered").json()["results"] == []
    assert api.get(base + "?status=lost").status_code == 400

    retried = api.post(f"{base}{delivery.pk}/retry/")
    assert retried.status_code == 200, retried.json()
    assert (retried.json()["status"], retried.json()["attempts"]) == ("pending", 0)

    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.DELIVERED)
    conflict = api.post(f"{base}{delivery.pk}/retry/")
    assert conflict.status_code == 409 and "delivered already" in conflict.json()["detail"]
    assert api.post(f"{base}999999/retry/").status_code == 404
    assert api.get("/api/events/webhooks/999999/deliveries/").status_code == 404


def test_openapi_schema_describes_the_events_api(api, db) -> None:
    schema = api.get("/api/openapi.json").json()
    paths = schema["paths"]
    assert {
        "/api/events/",
        "/api/events/{id}/",
        "/api/events/webhooks/",
        "/api/events/webhooks/{id}/",
        "/api/events/webhooks/{id}/deliveries/",
        "/api/events/webhooks/{id}/deliveries/{delivery_id}/retry/",
    } <= set(paths)
    assert "/api/events" not in paths  # the slash-less alias is the same endpoint
    assert paths["/api/events/"]["post"]["operationId"] == "events_publish"
    assert set(paths["/api/events/"]["post"]["responses"]) >= {"200", "201", "400"}
    params = {p["name"] for p in paths["/api/events/"]["get"]["parameters"]}
    assert params >= {"bot", "name", "undelivered", "since", "page", "page_size"}
    detail = schema["components"]["schemas"]["EventDetail"]["properties"]
    assert {"handler_runs", "resumed_waiters", "webhook_deliveries", "data", "name"} <= set(detail)
    assert "secret" in schema["components"]["schemas"]["WebhookCreated"]["properties"]
    assert "secret" not in schema["components"]["schemas"]["Webhook"]["properties"]


def test_the_api_document_covers_every_endpoint_of_the_schema(api, settings) -> None:
    text = (Path(settings.BASE_DIR) / "docs/api/events-api.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^## `(GET|POST|DELETE) (/api/[^`]+)`", text, re.MULTILINE))
    schema = api.get("/api/openapi.json").json()["paths"]
    served = {
        (method.upper(), path.replace("{id}", "<id>").replace("{delivery_id}", "<delivery_id>"))
        for path, operations in schema.items()
        if path.startswith("/api/events/")
        for method in operations
    }
    assert served == documented

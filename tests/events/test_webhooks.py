"""Webhook deliveries: signed POSTs to a real receiver on 127.0.0.1 that checks the HMAC itself,
retries with doubling back-off until they give up, the operator's retry, the private-address
guard, and real Celery workers: sends queued on commit, and a worker SIGKILLed mid-send loses
nothing (the delivery stays due and is sent again)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import timezone

from events.delivery import event_deliver
from events.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from events.services import event_publish
from events.webhooks import (
    WebhookError,
    webhook_deliveries_queue,
    webhook_delivery_retry,
    webhook_send,
    webhook_signature,
    webhook_subscription_create,
    webhooks_retry_due,
)
from tests.workflows.reliability_support import WorkerPool, free_port, new_queue
from tests.workflows.support import make_bot
from workflows.engine.dispatch import LocalDispatch

SECRET = "a-receiver-secret-of-some-length"


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    signature_ok: bool

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class Receiver:
    """What the receiver got, and what it answers next (the last status repeats)."""

    url: str
    answers: list[int] = field(default_factory=lambda: [200])
    received: list[Received] = field(default_factory=list)
    hold: threading.Event | None = None  # set: the first request waits until released
    arrived: threading.Event = field(default_factory=threading.Event)

    def answer(self) -> int:
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]

    def wait_for(self, count: int, timeout: float = 60.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            assert time.monotonic() < deadline, f"the receiver got {len(self.received)} of {count} requests"
            time.sleep(0.02)
        return self.received


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet test output
            pass

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            # Verified as a receiver would, from the documented recipe, not with our helper.
            expected = hmac.new(
                SECRET.encode(), self.headers["X-GB-Timestamp"].encode() + b"." + body, hashlib.sha256
            ).hexdigest()
            signature_ok = hmac.compare_digest(self.headers["X-GB-Signature"], f"sha256={expected}")
            state.received.append(Received(dict(self.headers), body, signature_ok))
            state.arrived.set()
            if state.hold is not None and len(state.received) == 1:
                state.hold.wait(30)
            status = state.answer()
            text = b"receiver says no" if status >= 400 else b"ok"
            self.send_response(status)
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/gb"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        if state.hold is not None:
            state.hold.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def allow_private(settings) -> None:
    settings.GB_HTTP_ALLOW_PRIVATE = True


@pytest.fixture
def shop(make_package):
    return make_bot(make_package, "shop", {"start.bas": 'TALK "hi"\n'})


def _deliveries(shop, *, name: str = "order_paid", data: Any = None) -> list[WebhookDelivery]:
    """Publish and deliver an event here; the deliveries it queued."""
    event, _ = event_publish(bot=shop, name=name, data=data if data is not None else {"order": 7})
    event_deliver(event.pk, dispatch=LocalDispatch())
    return list(WebhookDelivery.objects.filter(event=event).order_by("id"))


def _one_delivery(receiver: Receiver, shop, **kwargs: Any) -> WebhookDelivery:
    webhook_subscription_create(bot=shop, url=receiver.url, event_name="order_paid", secret=SECRET)
    (delivery,) = _deliveries(shop, **kwargs)
    return delivery


def _time_passes(delivery: WebhookDelivery) -> None:
    """The back-off (or a dead worker's claim) runs out."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


@pytest.mark.django_db
def test_a_delivery_is_a_signed_post_of_the_event(receiver, shop, allow_private) -> None:
    delivery = _one_delivery(receiver, shop, data={"order": 7, "total": 12.5})
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)

    assert webhook_send(delivery.pk).endswith("delivered (attempt 1)")

    (got,) = receiver.received
    assert got.signature_ok
    assert got.headers["X-GB-Event"] == "order_paid"
    assert got.headers["X-GB-Delivery"] == str(delivery.pk)
    assert got.headers["X-GB-Event-Id"] == str(delivery.event_id)
    assert got.headers["Content-Type"] == "application/json"
    assert abs(int(got.headers["X-GB-Timestamp"]) - time.time()) < 300
    body = got.json
    assert body["id"] == str(delivery.event_id) and body["name"] == "order_paid"
    assert body["data"] == {"order": 7, "total": 12.5}
    assert (body["bot"], body["scope"], body["target_bot"], body["source"]) == ("shop", "bot", None, "script")
    assert (
        body["webhook"] == {"id": delivery.subscription_id, "bot": "shop"} and body["delivery"] == delivery.pk
    )
    assert body["created_at"].startswith(str(timezone.now().year))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert (
        delivery.delivered_at is not None and delivery.next_attempt_at is None and delivery.last_error == ""
    )
    assert webhook_send(delivery.pk).endswith("not due (sent, being sent, or gone)")
    assert len(receiver.received) == 1


def test_the_signature_is_the_hmac_of_timestamp_dot_body() -> None:
    expected = hmac.new(b"k" * 16, b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
    assert webhook_signature("k" * 16, 1700000000, '{"a":1}') == f"sha256={expected}"
    assert webhook_signature("k" * 16, "1700000000", b'{"a":1}') == f"sha256={expected}"
    assert webhook_signature("other-secret-xxxx", 1700000000, '{"a":1}') != f"sha256={expected}"


@pytest.mark.django_db
def test_only_active_matching_subscriptions_of_the_bots_in_scope_get_one_delivery_each(
    receiver, shop, make_package
) -> None:
    other = make_bot(make_package, "other", {"start.bas": 'TALK "x"\n'})
    named = webhook_subscription_create(bot=shop, url=receiver.url, event_name="Order_Paid")
    every = webhook_subscription_create(bot=shop, url=receiver.url)
    webhook_subscription_create(bot=shop, url=receiver.url, event_name="order_shipped")
    webhook_subscription_create(bot=shop, url=receiver.url, active=False)
    webhook_subscription_create(bot=other, url=receiver.url)
    assert named.event_name == "order_paid" and len(every.secret) >= 32 and every.secret != named.secret

    deliveries = _deliveries(shop)
    assert {d.subscription_id for d in deliveries} == {named.pk, every.pk}
    assert all(d.status == "pending" and d.next_attempt_at is not None for d in deliveries)
    event = deliveries[0].event
    event.refresh_from_db()
    assert event.webhook_count == 2
    # A second delivery of the same event (at least once) adds nothing.
    assert webhook_deliveries_queue(event, [shop.pk]) == 2
    assert WebhookDelivery.objects.filter(event=event).count() == 2
    # TO BOT reaches the other bot's webhooks, not the publisher's.
    to_other, _ = event_publish(bot=shop, name="order_paid", to_bot=other)
    event_deliver(to_other.pk, dispatch=LocalDispatch())
    assert list(
        WebhookDelivery.objects.filter(event=to_other).values_list("subscription__bot__name", flat=True)
    ) == ["other"]


@pytest.mark.django_db
def test_a_failing_receiver_is_retried_with_doubling_back_off_then_given_up(
    receiver, shop, allow_private, settings
) -> None:
    settings.GB_EVENTS_WEBHOOK_RETRY_SECONDS = 30
    settings.GB_EVENTS_WEBHOOK_MAX_ATTEMPTS = 3
    receiver.answers = [500]
    delivery = _one_delivery(receiver, shop)

    before = timezone.now()
    webhook_send(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("retrying", 1, 500)
    assert "answered HTTP 500: receiver says no" in delivery.last_error
    assert (
        before + timedelta(seconds=30) <= delivery.next_attempt_at <= timezone.now() + timedelta(seconds=30)
    )
    # Not due yet: neither a send nor the sweep touches it.
    assert webhook_send(delivery.pk).endswith("not due (sent, being sent, or gone)")
    assert webhooks_retry_due() == 0
    assert webhooks_retry_due(now=delivery.next_attempt_at) == 1
    assert len(receiver.received) == 1

    _time_passes(delivery)
    before = timezone.now()
    webhook_send(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("retrying", 2)
    assert (
        before + timedelta(seconds=60) <= delivery.next_attempt_at <= timezone.now() + timedelta(seconds=60)
    )

    _time_passes(delivery)
    webhook_send(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 3, None)
    assert "HTTP 500" in delivery.last_error
    assert len(receiver.received) == 3 and all(r.signature_ok for r in receiver.received)
    assert {r.headers["X-GB-Attempt"] for r in receiver.received} == {"1", "2", "3"}
    assert webhooks_retry_due(now=timezone.now() + timedelta(days=1)) == 0

    # The operator's retry starts a new round; the receiver is fixed by now.
    receiver.answers = [200]
    webhook_delivery_retry(delivery)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 0)
    webhook_send(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code, delivery.last_error) == (
        "delivered",
        1,
        200,
        "",
    )
    with pytest.raises(WebhookError, match="delivered already"):
        webhook_delivery_retry(delivery)


@pytest.mark.django_db
def test_500_then_200_is_delivered_on_the_second_attempt(receiver, shop, allow_private) -> None:
    receiver.answers = [500, 200]
    delivery = _one_delivery(receiver, shop)
    webhook_send(delivery.pk)
    _time_passes(delivery)
    webhook_send(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 200)
    first, second = receiver.received
    assert first.body == second.body and first.headers["X-GB-Delivery"] == second.headers["X-GB-Delivery"]


@pytest.mark.django_db
def test_loopback_is_refused_unless_private_addresses_are_allowed(receiver, shop, settings) -> None:
    settings.GB_HTTP_ALLOW_PRIVATE = False
    delivery = _one_delivery(receiver, shop)
    webhook_send(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("retrying", 1, None)
    assert "refused to request" in delivery.last_error and "GB_HTTP_ALLOW_PRIVATE" in delivery.last_error
    assert receiver.received == []


@pytest.mark.django_db
def test_redirects_and_dead_receivers_are_failures_that_say_why(shop, allow_private, settings) -> None:
    webhook_subscription_create(bot=shop, url=f"http://127.0.0.1:{free_port()}/gone", event_name="order_paid")
    (delivery,) = _deliveries(shop)
    webhook_send(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "retrying" and delivery.last_status_code is None
    assert delivery.last_error.startswith(f"POST {delivery.subscription.url} failed")


@pytest.mark.django_db
def test_subscriptions_refuse_bad_urls_names_and_short_secrets(shop) -> None:
    with pytest.raises(WebhookError, match="full http:// or https:// address"):
        webhook_subscription_create(bot=shop, url="ftp://example.com/x")
    with pytest.raises(WebhookError, match="at least 16 characters"):
        webhook_subscription_create(bot=shop, url="https://example.com/x", secret="short")
    with pytest.raises(WebhookError, match="at most 200 characters"):
        webhook_subscription_create(bot=shop, url="https://example.com/x", event_name="x" * 201)
    assert not WebhookSubscription.objects.exists()


@pytest.mark.django_db
def test_a_switched_off_webhook_is_not_sent_and_cannot_be_retried(receiver, shop, allow_private) -> None:
    delivery = _one_delivery(receiver, shop)
    WebhookSubscription.objects.filter(pk=delivery.subscription_id).update(active=False)
    webhook_send(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "failed" and "switched off" in delivery.last_error
    with pytest.raises(WebhookError, match="switch it on before retrying"):
        webhook_delivery_retry(delivery)
    assert receiver.received == []


# --- real workers -------------------------------------------------------------------------------


@pytest.fixture
def workers(transactional_db, tmp_path, settings, monkeypatch) -> Iterator[WorkerPool]:
    """Celery worker processes of this test that may send to 127.0.0.1."""
    monkeypatch.setenv("GB_HTTP_ALLOW_PRIVATE", "1")
    pool = WorkerPool(queue=new_queue(), log_dir=tmp_path)
    settings.GB_WORKFLOW_QUEUE = pool.queue
    settings.GB_EVENTS_CHANNEL = pool.events_channel
    settings.GB_HTTP_ALLOW_PRIVATE = True
    try:
        yield pool
    finally:
        pool.stop_all()


def _wait_delivery(delivery: WebhookDelivery, status: str, pool: WorkerPool, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while delivery.status != status:
        assert time.monotonic() < deadline, (
            f"delivery is {delivery.status} ({delivery.last_error}), not {status}:\n{pool.logs()}"
        )
        time.sleep(0.05)
        delivery.refresh_from_db()


def test_a_worker_sends_the_delivery_once_the_event_commits(workers, receiver, shop) -> None:
    workers.start()
    delivery = _one_delivery(receiver, shop)
    _wait_delivery(delivery, "delivered", workers)
    (got,) = receiver.received
    assert got.signature_ok and got.json["id"] == str(delivery.event_id)


def test_a_worker_killed_mid_send_loses_nothing(workers, receiver, shop) -> None:
    receiver.hold = threading.Event()
    (first,) = workers.start()
    delivery = _one_delivery(receiver, shop)
    assert receiver.arrived.wait(60), workers.logs()
    workers.kill(first)  # while the receiver holds the request
    receiver.hold.set()
    delivery.refresh_from_db()
    # Claimed (the attempt counted, held off others), never recorded: still due once the claim ends.
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, None)
    assert delivery.next_attempt_at > timezone.now()

    _time_passes(delivery)
    assert webhooks_retry_due(now=timezone.now() + timedelta(seconds=5)) == 1
    workers.start()
    _wait_delivery(delivery, "delivered", workers)
    assert delivery.attempts == 2
    first_try, second_try = receiver.wait_for(2)
    assert first_try.headers["X-GB-Delivery"] == second_try.headers["X-GB-Delivery"] == str(delivery.pk)
    assert second_try.headers["X-GB-Attempt"] == "2" and second_try.signature_ok

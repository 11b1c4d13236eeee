"""Webhooks: every event a bot hears, POSTed as signed JSON to the URLs subscribed to it.

A delivery is a row, written in the transaction that delivers its event and sent by a Celery
task once that commits. Sending never holds a row lock across the HTTP call: the worker first
*claims* the row (counts the attempt and moves ``next_attempt_at`` past the longest the request
may take) and commits, then sends, then records the outcome, but only if the row still carries
its attempt. A worker that dies mid-send leaves the row due again when the claim runs out, and
the periodic sweep (:func:`webhooks_retry_due`) sends it once more: delivery is at least once,
so receivers use the event id (or ``X-GB-Delivery``) to ignore repeats.

Failed attempts are retried with exponential back-off (``GB_EVENTS_WEBHOOK_RETRY_SECONDS``,
doubled per attempt) until ``GB_EVENTS_WEBHOOK_MAX_ATTEMPTS``; then the delivery is ``failed``
and stays visible (admin, API) until an operator retries it.

Signature: ``X-GB-Signature: sha256=<hex>``, the HMAC-SHA256 of ``"<X-GB-Timestamp>.<body>"``
keyed with the subscription's secret (:func:`webhook_signature`; docs/api/events-api.md shows a
receiver checking it).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bots.models import Bot
from bots.outbound import OutboundError, address_check
from events import live, tasks
from events.models import DeliveryStatus, WebhookDelivery, WebhookSubscription, WorkflowEvent
from events.services import EventError, event_name_clean

logger = logging.getLogger(__name__)

OPEN = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)
SECRET_MIN_LENGTH = 16
ERROR_EXCERPT_BYTES = 500
USER_AGENT = "gbproject-webhooks/1"


class WebhookError(ValueError):
    """A webhook request that cannot be done as asked; the message says what to change."""


# --- subscriptions ------------------------------------------------------------------------------


def webhook_secret_new() -> str:
    """A fresh signing secret (256 random bits, URL-safe text)."""
    return secrets.token_urlsafe(32)


def webhook_event_name(name: str | None) -> str:
    """A subscription's event name as stored: lower case, or empty for every event."""
    text = (name or "").strip()
    if not text:
        return ""
    try:
        return event_name_clean(text, phrase="a webhook's event_name")
    except EventError as exc:
        raise WebhookError(str(exc)) from None


def webhook_url_check(url: str) -> str:
    """An http(s) URL, or an error saying what is wrong with it.

    Whether its host is internal is checked on every send instead (DNS answers change).
    """
    text = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(text)
    except ValidationError:
        raise WebhookError(
            f"a webhook url must be a full http:// or https:// address, like "
            f"https://example.com/hooks/gb; got {text!r}"
        ) from None
    return text


def webhook_subscription_create(
    *,
    bot: Bot,
    url: str,
    event_name: str = "",
    secret: str = "",
    description: str = "",
    active: bool = True,
) -> WebhookSubscription:
    """Subscribe ``url`` to the events ``bot`` hears (all of them when ``event_name`` is empty).

    Without a ``secret`` one is generated; callers show it once, as the receiver needs it.
    """
    secret = (secret or "").strip()
    if secret and len(secret) < SECRET_MIN_LENGTH:
        raise WebhookError(
            f"a webhook secret needs at least {SECRET_MIN_LENGTH} characters (this one has "
            f"{len(secret)}); leave it out to have one generated"
        )
    return WebhookSubscription.objects.create(
        bot=bot,
        url=webhook_url_check(url),
        event_name=webhook_event_name(event_name),
        secret=secret or webhook_secret_new(),
        description=description.strip(),
        active=active,
    )


def webhook_subscription_delete(subscription: WebhookSubscription) -> None:
    """Remove a subscription with its delivery history; queued sends of it find nothing."""
    subscription.delete()


# --- queueing -----------------------------------------------------------------------------------


def _queue(delivery_ids: Iterable[int]) -> None:
    """Ask a worker to send these deliveries once the current transaction commits.

    A broker that is down is logged, not raised: the rows are committed and the sweep sends them.
    """
    ids = list(delivery_ids)
    if not ids:
        return

    def send() -> None:
        for delivery_id in ids:
            tasks.webhook_send.apply_async((delivery_id,), queue=settings.GB_WORKFLOW_QUEUE)

    transaction.on_commit(send, robust=True)


def webhook_deliveries_queue(event: WorkflowEvent, bot_ids: list[int]) -> int:
    """Write a delivery of ``event`` for every active subscription of ``bot_ids`` that wants it,
    and queue the sends for after commit; returns how many deliveries the event has there.

    Safe to call twice for one event (a redelivery): existing rows are kept, and the unsent ones
    are queued again, which costs nothing as a send claims its row first.
    """
    subscriptions = list(
        WebhookSubscription.objects.filter(bot_id__in=bot_ids, active=True)
        .filter(Q(event_name="") | Q(event_name=event.event_name))
        .values_list("pk", flat=True)
    )
    if not subscriptions:
        return 0
    now = timezone.now()
    WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(subscription_id=pk, event=event, next_attempt_at=now) for pk in subscriptions],
        ignore_conflicts=True,
    )
    rows = WebhookDelivery.objects.filter(event=event, subscription_id__in=subscriptions)
    _queue(rows.filter(status=DeliveryStatus.PENDING, attempts=0).values_list("pk", flat=True))
    return rows.count()


def webhooks_retry_due(now: datetime | None = None, limit: int = 200) -> int:
    """Queue the sends of deliveries that are due (the periodic sweep calls this); returns how many.

    Retries are due at their back-off time; a new delivery only after the sweep grace, as the
    send queued on commit normally takes it before.
    """
    now = now or timezone.now()
    grace = timedelta(seconds=settings.GB_EVENTS_SWEEP_GRACE_SECONDS)
    ids = list(
        WebhookDelivery.objects.filter(
            Q(status=DeliveryStatus.RETRYING, next_attempt_at__lte=now)
            | Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now - grace)
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    _queue(ids)
    return len(ids)


def webhook_delivery_retry(delivery: WebhookDelivery) -> WebhookDelivery:
    """An operator's "retry now": a failed delivery starts a new round of attempts, one waiting
    for its back-off is sent at once. A delivered one, or one whose webhook is off, is refused."""
    with transaction.atomic():
        current = (
            WebhookDelivery.objects.select_for_update()
            .select_related("subscription")
            .filter(pk=delivery.pk)
            .first()
        )
        if current is None:
            raise WebhookError(f"webhook delivery {delivery.pk} no longer exists")
        if current.status == DeliveryStatus.DELIVERED:
            raise WebhookError(
                f"webhook delivery {current.pk} was delivered already; there is nothing to retry"
            )
        if not current.subscription.active:
            raise WebhookError(
                f"webhook {current.subscription_id} is switched off; switch it on before retrying delivery "
                f"{current.pk}"
            )
        if current.status == DeliveryStatus.FAILED:
            current.status = DeliveryStatus.PENDING
            current.attempts = 0
        current.next_attempt_at = timezone.now()
        current.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
        _queue([current.pk])
    return current


# --- sending ------------------------------------------------------------------------------------


def webhook_signature(secret: str, timestamp: str | int, body: bytes | str) -> str:
    """The ``X-GB-Signature`` value: ``sha256=`` and the hex HMAC-SHA256 of ``"<timestamp>.<body>"``.

    The timestamp is signed too, so a receiver can refuse old requests replayed at it.
    """
    raw = body.encode("utf-8") if isinstance(body, str) else body
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + raw, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def webhook_payload(delivery: WebhookDelivery) -> dict[str, Any]:
    """What a receiver gets: the event, and which webhook (of which bot) it came through."""
    event = delivery.event
    return {
        "id": str(event.pk),
        "name": event.event_name,
        "data": event.event_data,
        "bot": event.bot.name,
        "scope": event.scope,
        "target_bot": event.target_bot.name if event.target_bot_id else None,
        "source": event.source,
        "workflow": event.workflow_id,
        "created_at": event.created_at,
        "webhook": {"id": delivery.subscription_id, "bot": delivery.subscription.bot.name},
        "delivery": delivery.pk,
    }


def _claim_seconds() -> float:
    """How long a claimed attempt keeps others off: beyond any request's time limits."""
    return max(60.0, 4 * float(settings.GB_HTTP_TIMEOUT))


def _backoff(attempt: int) -> timedelta:
    return timedelta(seconds=settings.GB_EVENTS_WEBHOOK_RETRY_SECONDS * 2 ** max(attempt - 1, 0))


def _claim(delivery_id: int) -> WebhookDelivery | str:
    """Count the next attempt of a due delivery and hold it off others; or say why not."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription__bot", "event__bot", "event__target_bot")
            .filter(pk=delivery_id, status__in=OPEN, next_attempt_at__lte=now)
            .first()
        )
        if delivery is None:
            return f"delivery {delivery_id}: not due (sent, being sent, or gone)"
        give_up = ""
        if not delivery.subscription.active:
            give_up = "the webhook was switched off before this event was sent"
        elif delivery.attempts >= settings.GB_EVENTS_WEBHOOK_MAX_ATTEMPTS:
            give_up = (
                f"gave up after {delivery.attempts} attempts; the last one never reported back "
                "(its worker stopped while sending)"
            )
        if give_up:
            delivery.status = DeliveryStatus.FAILED
            delivery.last_error = give_up
            delivery.next_attempt_at = None
            delivery.save(update_fields=["status", "last_error", "next_attempt_at", "updated_at"])
            live.event_changed(delivery.event)
            return f"delivery {delivery_id}: failed, {give_up}"
        delivery.attempts += 1
        delivery.next_attempt_at = now + timedelta(seconds=_claim_seconds())
        delivery.save(update_fields=["attempts", "next_attempt_at", "updated_at"])
    return delivery


def _excerpt(response: httpx.Response) -> str:
    """The start of an answer's body, for ``last_error`` (never the whole of a huge page)."""
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= ERROR_EXCERPT_BYTES:
            break
    return b"".join(chunks)[:ERROR_EXCERPT_BYTES].decode("utf-8", errors="replace").strip()


def _post(delivery: WebhookDelivery, body: bytes) -> tuple[int | None, str]:
    """POST the body; returns the status code (None when there was no answer) and an error
    ("" when the receiver took it with a 2xx)."""
    url = delivery.subscription.url
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-GB-Event": delivery.event.event_name,
        "X-GB-Event-Id": str(delivery.event_id),
        "X-GB-Delivery": str(delivery.pk),
        "X-GB-Attempt": str(delivery.attempts),
        "X-GB-Timestamp": timestamp,
        "X-GB-Signature": webhook_signature(delivery.subscription.secret, timestamp, body),
    }
    limit = float(settings.GB_HTTP_TIMEOUT)
    try:
        address_check(url)
        with (
            httpx.Client(timeout=limit, follow_redirects=False, trust_env=False) as client,
            client.stream("POST", url, content=body, headers=headers) as response,
        ):
            code = response.status_code
            if 200 <= code < 300:
                return code, ""
            if response.is_redirect:
                where = response.headers.get("location", "?")
                return code, (
                    f"{url} answered {code}, a redirect to {where}; webhooks do not follow redirects, "
                    "so subscribe the final address"
                )
            return code, f"{url} answered HTTP {code}: {_excerpt(response) or '(empty body)'}"
    except OutboundError as exc:
        return None, str(exc)
    except httpx.TimeoutException:
        return None, f"POST {url} did not answer within {limit:g} seconds"
    except httpx.HTTPError as exc:
        return None, f"POST {url} failed: {exc}"


def _record(delivery: WebhookDelivery, code: int | None, error: str) -> str:
    """Store one attempt's outcome unless the row moved on meanwhile (an operator's retry)."""
    now = timezone.now()
    attempt = delivery.attempts
    changes: dict[str, Any] = {"last_status_code": code, "last_error": error, "updated_at": now}
    if not error:
        changes |= {"status": DeliveryStatus.DELIVERED, "delivered_at": now, "next_attempt_at": None}
    elif attempt >= settings.GB_EVENTS_WEBHOOK_MAX_ATTEMPTS:
        changes |= {"status": DeliveryStatus.FAILED, "next_attempt_at": None}
    else:
        changes |= {"status": DeliveryStatus.RETRYING, "next_attempt_at": now + _backoff(attempt)}
    kept = WebhookDelivery.objects.filter(pk=delivery.pk, attempts=attempt, status__in=OPEN).update(**changes)
    if not kept:
        return f"delivery {delivery.pk}: attempt {attempt} outcome dropped, the delivery changed meanwhile"
    live.event_changed(delivery.event)
    status = changes["status"]
    if error:
        logger.warning("webhook delivery %s attempt %s: %s (%s)", delivery.pk, attempt, error, status)
    return f"delivery {delivery.pk}: {status} (attempt {attempt})"


def webhook_send(delivery_id: int) -> str:
    """Send one delivery if it is due (the ``events.webhook_send`` task); returns what happened.

    Claim, send and record are separate steps with no lock held while the receiver answers.
    """
    claimed = _claim(delivery_id)
    if isinstance(claimed, str):
        return claimed
    body = json.dumps(
        webhook_payload(claimed), cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")
    code, error = _post(claimed, body)
    return _record(claimed, code, error)

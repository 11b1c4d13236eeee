"""Thin events API views: authentication from settings, reads from selectors, writes from
events.services (publishing) and events.webhooks (subscriptions, retries).

Who may publish: any signed-in account, for any active bot, as anyone may start a workflow for
one through the workflow API.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bots.models import Bot
from events import selectors
from events.api.serializers import (
    DeliveryFilterSerializer,
    DeliverySerializer,
    EventDetailSerializer,
    EventFilterSerializer,
    EventPublishSerializer,
    EventSerializer,
    WebhookCreatedSerializer,
    WebhookCreateSerializer,
    WebhookSerializer,
)
from events.models import EventSource, WebhookDelivery, WebhookSubscription, WorkflowEvent
from events.services import EventError, event_publish, target_bot
from events.webhooks import (
    WebhookError,
    webhook_delivery_retry,
    webhook_subscription_create,
    webhook_subscription_delete,
)
from workflows.api.views import Conflict, Page

_ERROR = OpenApiResponse(description='{"detail": "what is wrong and what to do"}')
_FIELD_ERROR = OpenApiResponse(description='{"<field>": ["what is wrong and what to do"]}')


def _bot(name: str, field: str = "bot") -> Bot:
    bot = selectors.bot_for_events(name=name)
    if bot is None:
        raise ValidationError(
            {field: [f'there is no active bot named "{name}"; GET /api/bots lists the bots']}
        )
    return bot


class EventListApi(generics.ListAPIView):
    serializer_class = EventSerializer
    pagination_class = Page

    def get_queryset(self) -> QuerySet[WorkflowEvent]:
        filters = EventFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        return selectors.events_list(
            bot=data.get("bot", ""),
            name=data.get("name", ""),
            undelivered=data["undelivered"],
            since=data.get("since"),
        )

    @extend_schema(
        operation_id="events_list",
        summary="List events, newest first",
        parameters=[EventFilterSerializer],
        tags=["events"],
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="events_publish",
        summary="Publish an event from outside, as PUBLISH EVENT does in a script",
        request=EventPublishSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Same as idempotency_key in the body (the body wins).",
            )
        ],
        responses={
            201: EventSerializer,
            200: OpenApiResponse(EventSerializer, description="A replay: the first event with this key."),
            400: _FIELD_ERROR,
        },
        examples=[
            OpenApiExample(
                "to the bot's own listeners",
                value={"bot": "shop", "name": "order_paid", "data": {"order": 7}, "idempotency_key": "pay-7"},
                request_only=True,
            ),
            OpenApiExample(
                "to another bot",
                value={"bot": "shop", "name": "restock", "data": {"sku": "A1"}, "to_bot": "warehouse"},
                request_only=True,
            ),
        ],
        tags=["events"],
    )
    def post(self, request: Request) -> Response:
        incoming = EventPublishSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        bot = _bot(data["bot"])
        to_bot = None
        if (data.get("to_bot") or "").strip():
            try:
                to_bot = target_bot(data["to_bot"])
            except EventError as exc:
                raise ValidationError({"to_bot": [str(exc)]}) from None
        key = (data.get("idempotency_key") or request.headers.get("Idempotency-Key") or "").strip() or None
        try:
            event, created = event_publish(
                bot=bot,
                name=data["name"],
                data=data.get("data"),
                to_bot=to_bot,
                to_all=data["to_all"],
                idempotency_key=key,
                source=EventSource.API,
            )
        except EventError as exc:
            raise ValidationError({"detail": str(exc)}) from None
        body = EventSerializer(selectors.event_detail(event.pk)).data
        if not created:
            return Response(body, status=status.HTTP_200_OK)
        return Response(
            body, status=status.HTTP_201_CREATED, headers={"Location": f"/api/events/{event.pk}/"}
        )


class EventListNoSlashApi(EventListApi):
    """``/api/events`` without the slash: POSTs cannot be redirected to the canonical URL."""

    schema = None


class EventDetailApi(APIView):
    @extend_schema(
        operation_id="events_retrieve",
        summary="One event with its handler runs, the waiters it resumed and its webhook deliveries",
        responses={200: EventDetailSerializer, 404: _ERROR},
        tags=["events"],
    )
    def get(self, request: Request, pk: str) -> Response:
        event = selectors.event_detail(pk)
        if event is None:
            raise Http404(f"No event {pk}.")
        return Response(EventDetailSerializer(event).data)


class WebhookListApi(generics.ListAPIView):
    serializer_class = WebhookSerializer
    pagination_class = Page

    def get_queryset(self) -> QuerySet[WebhookSubscription]:
        return selectors.webhook_subscriptions_list(bot=self.request.query_params.get("bot", ""))

    @extend_schema(
        operation_id="webhooks_list",
        summary="List webhook subscriptions (secrets are never shown again)",
        parameters=[OpenApiParameter("bot", str, description="Only this bot's webhooks.")],
        tags=["webhooks"],
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="webhooks_create",
        summary="Subscribe a URL to a bot's events; the answer holds the signing secret, once",
        request=WebhookCreateSerializer,
        responses={201: WebhookCreatedSerializer, 400: _FIELD_ERROR},
        examples=[
            OpenApiExample(
                "one event",
                value={"bot": "shop", "event_name": "order_paid", "url": "https://example.com/hooks/gb"},
                request_only=True,
            )
        ],
        tags=["webhooks"],
    )
    def post(self, request: Request) -> Response:
        incoming = WebhookCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            subscription = webhook_subscription_create(
                bot=_bot(data["bot"]),
                url=data["url"],
                event_name=data.get("event_name", ""),
                secret=data.get("secret", ""),
                description=data["description"],
                active=data["active"],
            )
        except WebhookError as exc:
            raise ValidationError({"detail": str(exc)}) from None
        return Response(
            WebhookCreatedSerializer(subscription).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"/api/events/webhooks/{subscription.pk}/"},
        )


def _webhook(pk: int) -> WebhookSubscription:
    subscription = selectors.webhook_subscription_get(pk=pk)
    if subscription is None:
        raise Http404(f"No webhook subscription {pk}.")
    return subscription


class WebhookDetailApi(APIView):
    @extend_schema(
        operation_id="webhooks_retrieve",
        summary="One webhook subscription",
        responses={200: WebhookSerializer, 404: _ERROR},
        tags=["webhooks"],
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(WebhookSerializer(_webhook(pk)).data)

    @extend_schema(
        operation_id="webhooks_delete",
        summary="Unsubscribe: the webhook and its delivery history are removed",
        responses={204: None, 404: _ERROR},
        tags=["webhooks"],
    )
    def delete(self, request: Request, pk: int) -> Response:
        webhook_subscription_delete(_webhook(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliveryListApi(generics.ListAPIView):
    serializer_class = DeliverySerializer
    pagination_class = Page

    def get_queryset(self) -> QuerySet[WebhookDelivery]:
        filters = DeliveryFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.webhook_deliveries_list(
            subscription=_webhook(self.kwargs["pk"]), status=filters.validated_data.get("status", "")
        )

    @extend_schema(
        operation_id="webhooks_deliveries",
        summary="A webhook's deliveries, newest first, with each one's attempts and last error",
        parameters=[DeliveryFilterSerializer],
        responses={200: DeliverySerializer(many=True), 404: _ERROR},
        tags=["webhooks"],
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class WebhookDeliveryRetryApi(APIView):
    @extend_schema(
        operation_id="webhooks_delivery_retry",
        summary="Send a failed or waiting delivery again now",
        request=None,
        responses={200: DeliverySerializer, 404: _ERROR, 409: _ERROR},
        tags=["webhooks"],
    )
    def post(self, request: Request, pk: int, delivery_id: int) -> Response:
        delivery = selectors.webhook_delivery_get(subscription=_webhook(pk), pk=delivery_id)
        if delivery is None:
            raise Http404(f"Webhook {pk} has no delivery {delivery_id}.")
        try:
            webhook_delivery_retry(delivery)
        except WebhookError as exc:
            raise Conflict(str(exc)) from None
        return Response(
            DeliverySerializer(
                selectors.webhook_delivery_get(subscription=delivery.subscription, pk=delivery_id)
            ).data
        )

from django.urls import path

from events.api.views import (
    EventDetailApi,
    EventListApi,
    EventListNoSlashApi,
    WebhookDeliveryListApi,
    WebhookDeliveryRetryApi,
    WebhookDetailApi,
    WebhookListApi,
)

urlpatterns = [
    path("events", EventListNoSlashApi.as_view(), name="events-list-no-slash"),
    path("events/", EventListApi.as_view(), name="events-list"),
    path("events/webhooks/", WebhookListApi.as_view(), name="webhooks-list"),
    path("events/webhooks/<int:pk>/", WebhookDetailApi.as_view(), name="webhooks-detail"),
    path(
        "events/webhooks/<int:pk>/deliveries/", WebhookDeliveryListApi.as_view(), name="webhooks-deliveries"
    ),
    path(
        "events/webhooks/<int:pk>/deliveries/<int:delivery_id>/retry/",
        WebhookDeliveryRetryApi.as_view(),
        name="webhooks-delivery-retry",
    ),
    path("events/<uuid:pk>/", EventDetailApi.as_view(), name="events-detail"),
]

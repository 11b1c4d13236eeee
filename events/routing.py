"""WebSocket routes of the events app."""

from django.urls import re_path

from events.consumers import EventStreamConsumer

websocket_urlpatterns = [
    re_path(r"^ws/events/$", EventStreamConsumer.as_asgi()),
]

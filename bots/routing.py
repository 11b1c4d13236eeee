"""WebSocket routes of the bots app."""

from django.urls import re_path

from bots.consumers import BotEventsConsumer, ChatConsumer

websocket_urlpatterns = [
    re_path(r"^ws/bots/(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]{0,79})/events/$", BotEventsConsumer.as_asgi()),
    re_path(r"^ws/chat/(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]{0,79})/$", ChatConsumer.as_asgi()),
]

"""WebSocket routes of the workflows app."""

from django.urls import re_path

from workflows.consumers import RunConsumer

websocket_urlpatterns = [
    re_path(r"^ws/workflows/runs/(?P<pk>[0-9]{1,18})/$", RunConsumer.as_asgi()),
]

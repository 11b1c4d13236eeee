"""Every app's WebSocket routes, gathered in one list for the ASGI app."""

from bots.routing import websocket_urlpatterns as bots_routes
from events.routing import websocket_urlpatterns as events_routes
from workflows.routing import websocket_urlpatterns as workflows_routes

websocket_urlpatterns = [*bots_routes, *workflows_routes, *events_routes]

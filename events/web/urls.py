"""The events pages, under ``/events/`` (gbproject/urls.py)."""

from django.urls import path

from events.web.pages import event_list_page, event_page

urlpatterns = [
    path("", event_list_page, name="events"),
    path("<uuid:pk>/", event_page, name="event"),
]

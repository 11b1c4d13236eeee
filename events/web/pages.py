"""The events pages: ``/events/`` (events as they are published, newest first, with filters) and
``/events/<id>/`` (one event with its handler runs, resumed waiters and webhook deliveries).

Both are kept live by events/static/events/events.js: the stream ``ws/events/`` (events/consumers.py)
says which events changed, and the script has htmx fetch the page's live part again; an htmx
request gets that part alone. Any signed-in user may look, as on the workflow run pages.
"""

from __future__ import annotations

import json
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url

from events import selectors
from events.web.feed import EventFilters, data_preview, scope_text, socket_url
from workflows.web.runs import LOGIN_URL

EVENTS_PER_PAGE = 50
FILTER_FORM_ID = "event-filters"


def _fragment_only(request: HttpRequest) -> bool:
    """An htmx request for the live part (not htmx restoring a page from its history)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


@require_GET
@login_required(login_url=LOGIN_URL)
@vary_on_headers("HX-Request")
def event_list_page(request: HttpRequest) -> HttpResponse:
    filters = EventFilters(request.GET or None)
    page = Paginator(filters.events(), EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = filters.query()
    context = {
        "filters": filters,
        "page": page,
        "rows": [(event, data_preview(event.event_data), scope_text(event)) for event in page],
        "query": query,
        "names": selectors.event_names(),
        # Only the first page follows the stream: older pages would shift under the reader.
        "socket": socket_url(filters) if page.number == 1 and not filters.errors else "",
        "live_src": f"{reverse('events')}?{query}" if query else reverse("events"),
        "form_id": FILTER_FORM_ID,
    }
    if not _fragment_only(request):
        return render(request, "events/event_list.html", context)
    response = render(request, "events/event_list_live.html", context)
    if request.htmx.trigger == FILTER_FORM_ID:  # the filters changed: the address bar shows them
        push_url(response, context["live_src"])
    return response


@require_GET
@login_required(login_url=LOGIN_URL)
@vary_on_headers("HX-Request")
def event_page(request: HttpRequest, pk: UUID) -> HttpResponse:
    event = selectors.event_detail(pk)
    if event is None:
        raise Http404(f"There is no event {pk}.")
    filters = EventFilters({"bot": event.bot.name, "name": event.event_name})
    context = {
        "event": event,
        "handler_runs": selectors.event_handler_runs(event),
        "waiters": selectors.event_resumed_waiters(event),
        "deliveries": selectors.event_webhook_deliveries(event),
        "scope": scope_text(event),
        "data": json.dumps(event.event_data, ensure_ascii=False, indent=2),
        "socket": socket_url(filters),
        "live_src": reverse("event", args=[event.pk]),
    }
    template = "events/event_live.html" if _fragment_only(request) else "events/event.html"
    return render(request, template, context)

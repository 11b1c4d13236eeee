"""POST /webhook/<bot>/<endpoint>: run a WEBHOOK script with the request's fields as variables.

The caller must send the webhook's secret token (shown in the admin) in the ``X-Webhook-Token``
header or as ``?token=``. CSRF does not apply: the token, not a browser session, authorises.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from bots.triggers.services import TokenRefused, TriggerNotFound, webhook_call

TOKEN_HEADER = "X-Webhook-Token"
FAILED = "the webhook's script failed; the bot's owner can see the error in the admin"


def _answer(data: dict[str, Any], status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, encoder=DjangoJSONEncoder)


def _fields(request: HttpRequest) -> dict[str, Any]:
    """Query string, then the body (JSON object or form) on top; ValueError for a bad body."""
    fields: dict[str, Any] = dict(request.GET.items())
    body = request.body.strip()  # read first: the form parser then works from this copy
    if request.content_type == "application/json" or body.startswith(b"{"):
        if body:
            try:
                data = json.loads(body)
            except ValueError:
                raise ValueError("the body is not valid JSON") from None
            if not isinstance(data, dict):
                raise ValueError("the JSON body must be an object of named fields")
            fields.update(data)
    else:
        fields.update(request.POST.items())
    return fields


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, bot: str, endpoint: str) -> JsonResponse:
    try:
        fields = _fields(request)
    except ValueError as exc:
        return _answer({"error": str(exc)}, 400)
    token = request.headers.get(TOKEN_HEADER) or str(fields.pop("token", "") or "")
    fields.pop("token", None)
    try:
        outcome = webhook_call(bot_name=bot, endpoint=endpoint, token=token, fields=fields)
    except TriggerNotFound:
        return _answer({"error": f"no webhook {endpoint!r} on bot {bot!r}"}, 404)
    except TokenRefused:
        return _answer({"error": f"send the webhook's token in the {TOKEN_HEADER} header or ?token="}, 403)
    if outcome.failed:
        return _answer({"error": FAILED}, 500)
    return _answer({"talk": outcome.talk, "result": outcome.result})


urlpatterns = [path("<str:bot>/<str:endpoint>", webhook, name="webhook")]

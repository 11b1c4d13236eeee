"""The web chat page: server-rendered history and state; the page's script then talks over the
WebSocket ``ws/chat/<bot>/``. No login is needed: the session identifies the visitor."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRefresh

from bots import selectors as bot_selectors
from bots.models import Bot
from bots.web.chat import messages_after, state_frame, visitor_conversation


def _active_bot(name: str) -> Bot:
    return get_object_or_404(Bot, name=name, active=True)


@require_GET
def chat_page(request: HttpRequest, name: str) -> HttpResponse:
    bot = _active_bot(name)
    conversation = visitor_conversation(session=request.session, bot=bot, user=request.user)
    config = bot_selectors.bot_config(bot=bot)
    history = messages_after(conversation=conversation, after=0)
    context = {
        "bot": bot,
        "title": config.get("bot-name") or config.get("theme-title") or bot.name,
        "welcome": config.get("welcome-message") or config.get("Welcome Message") or "",
        "history": history,
        "last_id": history[-1].pk if history else 0,
        "state": state_frame(conversation=conversation),
    }
    return render(request, "bots/chat.html", context)


@require_POST
def chat_restart(request: HttpRequest, name: str) -> HttpResponse:
    """Start a new conversation with the bot (the old one stays stored)."""
    bot = _active_bot(name)
    visitor_conversation(session=request.session, bot=bot, user=request.user, new=True)
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponseClientRefresh()
    return redirect("chat-page", name=bot.name)

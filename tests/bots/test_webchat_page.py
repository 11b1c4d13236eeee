"""/chat/<bot>/: the page, the visitor's conversation kept in the session, and its assets."""

from __future__ import annotations

import pytest
from django.test import Client as DjangoClient

from bots.models import Bot, Conversation, Message, Role
from bots.web.chat import SESSION_CONVERSATIONS, SESSION_USER_KEY
from tests.bots.conversation_support import make_bot

pytestmark = pytest.mark.django_db


def Client() -> DjangoClient:  # noqa: N802 - reads like the class it stands for
    """A test client that speaks HTTPS, as services mode redirects plain HTTP (DJANGO_HTTPS)."""
    return DjangoClient(**{"wsgi.url_scheme": "https", "SERVER_PORT": "443"})


@pytest.fixture
def shop(make_package) -> Bot:
    return make_bot(
        make_package,
        "shop",
        {"start.bas": 'TALK "hi"\nHEAR x AS "A", "B"\n'},
        config="bot-name,Corner Shop\nwelcome-message,Ask me anything.\n",
    )


def test_an_anonymous_visitor_gets_a_page_and_one_conversation(shop: Bot) -> None:
    client = Client()
    response = client.get("/chat/shop/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Corner Shop</h1>" in html and "Ask me anything." in html
    assert 'data-bot="shop"' in html and 'role="log"' in html and 'for="chat-input"' in html
    assert "/static/django_htmx/htmx-2.min.js" in html and "/static/bots/chat.js" in html
    conversation = Conversation.objects.get()
    assert client.session[SESSION_CONVERSATIONS] == {"shop": conversation.pk}
    assert conversation.user_key == client.session[SESSION_USER_KEY] and conversation.user is None
    assert conversation.channel == "web"

    assert client.get("/chat/shop/").status_code == 200
    assert Conversation.objects.count() == 1  # a reload continues the same conversation
    Client().get("/chat/shop/")
    assert Conversation.objects.count() == 2  # another visitor has their own


def test_the_history_is_rendered_escaped_with_the_last_id(shop: Bot) -> None:
    client = Client()
    client.get("/chat/shop/")
    conversation = Conversation.objects.get()
    Message.objects.create(conversation=conversation, role=Role.USER, content="<b>bold</b>")
    last = Message.objects.create(conversation=conversation, role=Role.BOT, content="ok")
    html = client.get("/chat/shop/").content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "<b>bold</b>" not in html
    assert f'data-last-id="{last.pk}"' in html


def test_restart_opens_a_new_conversation(shop: Bot) -> None:
    client = Client()
    client.get("/chat/shop/")
    first = client.session[SESSION_CONVERSATIONS]["shop"]
    response = client.post("/chat/shop/restart", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Refresh"] == "true"
    second = client.session[SESSION_CONVERSATIONS]["shop"]
    assert second != first and Conversation.objects.filter(pk=first).exists()
    response = client.post("/chat/shop/restart")
    assert response.status_code == 302 and response["Location"] == "/chat/shop/"
    assert client.session[SESSION_CONVERSATIONS]["shop"] not in (first, second)


def test_a_conversation_gone_from_the_database_is_replaced(shop: Bot) -> None:
    client = Client()
    client.get("/chat/shop/")
    Conversation.objects.all().delete()
    assert client.get("/chat/shop/").status_code == 200
    assert client.session[SESSION_CONVERSATIONS]["shop"] == Conversation.objects.get().pk


def test_unknown_or_inactive_bots_are_not_found(shop: Bot) -> None:
    assert Client().get("/chat/nobody/").status_code == 404
    Bot.objects.filter(pk=shop.pk).update(active=False)
    assert Client().get("/chat/shop/").status_code == 404
    assert Conversation.objects.count() == 0


def test_the_assets_are_served_by_the_app(shop: Bot) -> None:
    client = Client()
    for path in ("/static/bots/chat.js", "/static/bots/chat.css", "/static/django_htmx/htmx-2.min.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert body.strip(), path

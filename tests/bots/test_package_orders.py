"""The bundled orders package (bottemplates/orders.gbai): a whole conversation through the REST
endpoint with no LLM configured — menu, typed HEAR, the order tool (CALL and its suggestion chip),
tables.bas through FIND and SAVE, user and bot memory — and its scripts and tool schema check."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from basic.compiler import compile_source
from basic.toolschema import openai_function
from bots.models import Bot, BotTable, ConversationError, Message
from bots.services import package_sync_all

ORDERS = Path(settings.BASE_DIR) / "bottemplates" / "orders.gbai"


@pytest.fixture
def client() -> APIClient:
    user = get_user_model().objects.create_user("orders-api", password="pw")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return api


class Chat:
    """One user's conversation with the orders bot over POST /api/bots/orders/messages."""

    def __init__(self, client: APIClient, user: str) -> None:
        self.client, self.user, self.conversation = client, user, None

    def say(self, text: str) -> dict:
        data = {"text": text, "user": self.user}
        if self.conversation is not None:
            data["conversation"] = self.conversation
        response = self.client.post("/api/bots/orders/messages", data, format="json")
        assert response.status_code == 200, response.content
        body = response.json()
        self.conversation = body["conversation"]
        return body


def texts(body: dict) -> list[str]:
    return [reply["text"] for reply in body["replies"]]


@pytest.mark.django_db
def test_orders_conversation_through_the_rest_endpoint(client: APIClient) -> None:
    report = package_sync_all()
    assert not [p for p in report.all_problems if ORDERS in Path(p.path).parents or Path(p.path) == ORDERS]
    bot = Bot.objects.get(name="orders")
    assert sorted(BotTable.objects.filter(bot=bot).values_list("name", flat=True)) == ["customers", "orders"]

    ana = Chat(client, "web:ana")
    assert texts(ana.say("hi")) == ["Welcome to The Corner Roastery! What is your name?"]
    menu = ana.say("Ana")
    assert texts(menu) == ["What would you like to do?"]
    assert menu["waiting_for"]["options"] == ["Place an order", "My orders"]
    assert texts(ana.say("place an order")) == ["Which product?"]
    assert texts(ana.say("Mug")) == ["How many?"]
    assert [r["kind"] for r in ana.say("a few")["replies"]] == ["hint"]
    done = ana.say("2")
    assert texts(done) == [
        "Order #1 saved: 2 x Mug for Ana.",
        "Thank you! Tap Order again to place another order.",
    ]
    assert done["replies"][0]["source"]["script"] == "orders.gbdialog/order.bas"
    assert [s["label"] for s in done["suggestions"]] == ["Order again"]

    # The chip runs the order tool with no arguments: it knows the user and asks the rest.
    assert texts(ana.say("Order again")) == ["Which product?"]
    assert texts(ana.say("Green tea")) == ["How many?"]
    assert texts(ana.say("3")) == ["Order #2 saved: 3 x Green tea for Ana."]

    # A new conversation of the same user: remembered name (user memory), last order (bot memory),
    # and the orders listed from the table.
    again = Chat(client, "web:ana")
    assert texts(again.say("hello")) == [
        "Welcome back to The Corner Roastery, Ana!",
        "The last order placed here was 3 x Green tea.",
        "What would you like to do?",
    ]
    assert texts(again.say("My orders")) == [
        "#1: 2 x Mug",
        "#2: 3 x Green tea",
        "Thank you! Tap Order again to place another order.",
    ]

    # Another user sees the shared bot memory but not Ana's orders.
    bia = Chat(client, "web:bia")
    bia.say("hi")
    bia.say("Bia")
    assert texts(bia.say("My orders"))[0] == "You have no orders yet."
    assert not ConversationError.objects.exists()
    assert Message.objects.filter(conversation_id=again.conversation, kind="error").count() == 0


def test_orders_scripts_pass_gb_check_and_the_tool_has_a_schema() -> None:
    out = io.StringIO()
    call_command("gb", "check", str(ORDERS.parent), stdout=out)
    assert out.getvalue() == ""
    source = (ORDERS / "orders.gbdialog" / "order.bas").read_text(encoding="utf-8")
    function = openai_function(compile_source(source, "order.bas"), "order")["function"]
    assert function["name"] == "order" and "Place an order" in function["description"]
    properties = function["parameters"]["properties"]
    assert list(properties) == ["customer", "product", "quantity"]
    assert properties["quantity"]["type"] == "integer"
    assert properties["product"]["enum"] == ["Espresso beans", "Green tea", "Mug"]

"""POST /webhook/<bot>/<endpoint> runs the WEBHOOK script with the request's fields as variables."""

from __future__ import annotations

import pytest

from bots.models import BotTrigger, Channel, Conversation, ConversationError, Message, Role
from tests.bots.conversation_support import make_bot

pytestmark = pytest.mark.django_db

ORDER = """WEBHOOK "order-received"
TALK "order " + orderid + " for " + customer
IF qty > 2 THEN
  TALK "big order"
END IF
RETURN qty * 2
"""


@pytest.fixture
def shop(make_package):
    bot = make_bot(make_package, "shop", {"orders.bas": ORDER, "broken.bas": 'WEBHOOK "broken"\nx = 1 / 0\n'})
    return bot, BotTrigger.objects.get(bot=bot, endpoint="order-received").token


def test_json_body_fields_become_variables_and_the_answer_has_talk_and_return(client, shop) -> None:
    bot, token = shop
    response = client.post(
        "/webhook/shop/order-received?Customer=ana",
        data={"OrderId": "A-7", "qty": 3},
        content_type="application/json",
        headers={"X-Webhook-Token": token},
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"talk": ["order A-7 for ana", "big order"], "result": 6}
    conversation = Conversation.objects.get(bot=bot, channel=Channel.WEBHOOK)
    bot_texts = Message.objects.filter(conversation=conversation, role=Role.BOT)
    assert list(bot_texts.values_list("content", flat=True)) == ["order A-7 for ana", "big order"]
    assert BotTrigger.objects.get(bot=bot, endpoint="order-received").last_triggered is not None


def test_form_body_and_token_in_the_query_string(client, shop) -> None:
    _bot, token = shop
    response = client.post(
        f"/webhook/shop/ORDER-RECEIVED?token={token}", data={"orderid": "B-1", "customer": "bo", "qty": "1"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["talk"] == ["order B-1 for bo"]


def test_a_missing_or_wrong_token_is_refused(client, shop) -> None:
    for headers in ({}, {"X-Webhook-Token": "wrong"}):
        response = client.post("/webhook/shop/order-received", data={"qty": 1}, headers=headers)
        assert response.status_code == 403 and "X-Webhook-Token" in response.json()["error"]
    assert not Message.objects.filter(role=Role.BOT).exists()


def test_unknown_bot_or_endpoint_is_404_and_get_is_405(client, shop) -> None:
    _bot, token = shop
    headers = {"X-Webhook-Token": token}
    assert client.post("/webhook/nobot/order-received", headers=headers).status_code == 404
    assert client.post("/webhook/shop/nothing", headers=headers).status_code == 404
    assert client.get("/webhook/shop/order-received", headers=headers).status_code == 405


def test_a_bad_json_body_is_400(client, shop) -> None:
    _bot, token = shop
    response = client.post(
        "/webhook/shop/order-received", data="[1, 2]", content_type="application/json",
        headers={"X-Webhook-Token": token},
    )
    assert response.status_code == 400 and "object" in response.json()["error"]


def test_a_script_error_is_a_generic_500_and_the_author_error_is_recorded(client, shop) -> None:
    bot, _token = shop
    token = BotTrigger.objects.get(bot=bot, endpoint="broken").token
    response = client.post("/webhook/shop/broken", headers={"X-Webhook-Token": token})
    assert response.status_code == 500
    assert "1 / 0" not in response.content.decode() and "admin" in response.json()["error"]
    error = ConversationError.objects.get()
    assert (error.file, error.line, error.conversation.channel) == ("shop.gbdialog/broken.bas", 2, "webhook")


def test_a_returned_map_is_json_and_a_script_without_return_gives_null(client, make_package) -> None:
    bot = make_bot(make_package, "crm", {
        "lead.bas": 'WEBHOOK "lead"\nRETURN #{ accepted: true, id: leadid, tags: ["a", "b"] }\n',
        "ping.bas": 'WEBHOOK "ping"\nTALK "pong"\n',
    })
    tokens = dict(BotTrigger.objects.filter(bot=bot).values_list("endpoint", "token"))
    answer = client.post("/webhook/crm/lead", {"LeadId": "L1"}, headers={"X-Webhook-Token": tokens["lead"]})
    assert answer.json() == {"talk": [], "result": {"accepted": True, "id": "L1", "tags": ["a", "b"]}}
    answer = client.post("/webhook/crm/ping", headers={"X-Webhook-Token": tokens["ping"]})
    assert answer.json() == {"talk": ["pong"], "result": None}

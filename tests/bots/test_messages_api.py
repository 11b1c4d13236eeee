"""POST /api/bots/<name>/messages: replies, suggestions, waiting_for, auth and the schema."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bots.models import Conversation
from bots.runtime.answer import NO_LLM_REPLY
from tests.bots.conversation_support import make_bot

pytestmark = pytest.mark.django_db

SHOP = (
    'ADD SUGGESTION "Hours"\nADD SWITCHER "formal" AS "Formal"\n'
    'TALK "Welcome! Size?"\nHEAR size AS "Small", "Large"\nTALK "A " + size + " pizza."\n'
)


@pytest.fixture
def client() -> APIClient:
    user = get_user_model().objects.create_user("api", password="pw")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return api


def test_a_conversation_through_the_endpoint(client: APIClient, make_package) -> None:
    make_bot(make_package, "shop", {"start.bas": SHOP})
    first = client.post("/api/bots/shop/messages", {"text": "hi", "user": "whatsapp:+551199"}, format="json")
    assert first.status_code == 200
    body = first.json()
    assert [(r["text"], r["kind"]) for r in body["replies"]] == [("Welcome! Size?", "text")]
    assert body["replies"][0]["source"] == {"script": "shop.gbdialog/start.bas", "line": 3, "column": 1}
    assert body["waiting_for"]["kind"] == "input" and body["waiting_for"]["options"] == ["Small", "Large"]
    assert [s["text"] for s in body["suggestions"]] == ["Small", "Large"]
    assert body["queued"] is False
    conversation = body["conversation"]
    assert Conversation.objects.get(pk=conversation).user_key == "whatsapp:+551199"

    wrong = client.post(
        "/api/bots/shop/messages",
        {"text": "medium", "user": "whatsapp:+551199", "conversation": conversation},
        format="json",
    ).json()
    assert [r["kind"] for r in wrong["replies"]] == ["hint"]

    done = client.post(
        "/api/bots/shop/messages",
        {"text": "large", "user": "whatsapp:+551199", "conversation": conversation},
        format="json",
    ).json()
    assert [r["text"] for r in done["replies"]] == ["A Large pizza."]
    assert done["waiting_for"] is None
    assert done["suggestions"] == [{"kind": "text", "text": "Hours", "label": "Hours"}]
    assert done["switchers"] == [{"id": "formal", "label": "Formal"}]

    after = client.post(
        "/api/bots/shop/messages",
        {"text": "and now?", "user": "whatsapp:+551199", "conversation": conversation},
        format="json",
    ).json()
    assert [r["text"] for r in after["replies"]] == [NO_LLM_REPLY]


def test_without_a_user_key_the_signed_in_account_owns_the_conversation(
    client: APIClient, make_package
) -> None:
    make_bot(make_package, "mine", {"start.bas": 'TALK "hello"\n'})
    body = client.post("/api/bots/mine/messages", {"text": "hi"}, format="json").json()
    assert Conversation.objects.get(pk=body["conversation"]).user.username == "api"


def test_someone_elses_conversation_is_not_found(client: APIClient, make_package) -> None:
    make_bot(make_package, "private", {"start.bas": "HEAR x\n"})
    body = client.post("/api/bots/private/messages", {"text": "hi", "user": "ana"}, format="json").json()
    response = client.post(
        "/api/bots/private/messages",
        {"text": "hi", "user": "eve", "conversation": body["conversation"]},
        format="json",
    )
    assert response.status_code == 404


def test_bad_requests(client: APIClient, make_package) -> None:
    make_bot(make_package, "strict", {"start.bas": 'TALK "x"\n'})
    assert client.post("/api/bots/nobody/messages", {"text": "hi"}, format="json").status_code == 404
    missing = client.post("/api/bots/strict/messages", {}, format="json")
    assert missing.status_code == 400 and "text" in missing.json()
    assert APIClient().post("/api/bots/strict/messages", {"text": "hi"}, format="json").status_code == 401


def test_the_endpoint_is_in_the_openapi_schema(client: APIClient) -> None:
    schema = client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/bots/{name}/messages"]["post"]
    assert operation["operationId"] == "bots_messages_create"
    response_schema = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    turn = schema["components"]["schemas"][response_schema.rsplit("/", 1)[-1]]
    assert {"conversation", "replies", "suggestions", "waiting_for"} <= set(turn["properties"])

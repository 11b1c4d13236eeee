"""GET /api/bots and /api/bots/<name>, their authentication, and the OpenAPI schema and docs."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bots.models import Bot, BotConfig, Conversation


@pytest.fixture
def bots(db) -> None:
    shop = Bot.objects.create(name="shop", description="Shop bot", source_path="/p/shop.gbai")
    BotConfig.objects.create(bot=shop, key="llm-model", value="gpt", line=2)
    BotConfig.objects.create(bot=shop, key="Answer Mode", value="document", line=3)
    Conversation.objects.create(bot=shop, user_key="v1")
    Bot.objects.create(name="old", active=False)


@pytest.fixture
def token_client(db) -> APIClient:
    user = get_user_model().objects.create_user("api", password="pw")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.mark.parametrize("url", ["/api/bots", "/api/bots/shop"])
def test_authentication_is_required(bots, url: str) -> None:
    response = APIClient().get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


def test_bad_token_is_refused(bots) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/bots").status_code == 401


def test_list_with_token(bots, token_client: APIClient) -> None:
    response = token_client.get("/api/bots")
    assert response.status_code == 200
    data = response.json()
    assert [bot["name"] for bot in data] == ["old", "shop"]
    shop = data[1]
    assert shop["description"] == "Shop bot" and shop["active"] is True
    assert shop["config_count"] == 2 and shop["conversation_count"] == 1
    assert "config" not in shop


def test_list_filters_on_active(bots, token_client: APIClient) -> None:
    assert [bot["name"] for bot in token_client.get("/api/bots?active=true").json()] == ["shop"]
    assert [bot["name"] for bot in token_client.get("/api/bots?active=false").json()] == ["old"]


def test_detail_with_session_auth(bots, client) -> None:
    client.force_login(get_user_model().objects.create_user("web", password="pw"))
    response = client.get("/api/bots/shop")
    assert response.status_code == 200
    data = response.json()
    assert data["name"] == "shop" and data["source_path"] == "/p/shop.gbai"
    assert data["config"] == [
        {"key": "Answer Mode", "value": "document"},
        {"key": "llm-model", "value": "gpt"},
    ]


def test_unknown_bot_is_404(bots, token_client: APIClient) -> None:
    response = token_client.get("/api/bots/nobody")
    assert response.status_code == 404
    assert "nobody" in response.json()["detail"]


def test_openapi_schema_describes_the_bots_api(client, db) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) >= {"/api/bots", "/api/bots/{name}"}
    detail = schema["paths"]["/api/bots/{name}"]["get"]
    assert detail["operationId"] == "bots_retrieve"
    assert {"tokenAuth", "cookieAuth"} <= {key for item in detail["security"] for key in item}
    assert "config" in schema["components"]["schemas"]["BotDetail"]["properties"]


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_browsable_docs_pages(client, db, url: str) -> None:
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "/api/openapi.json" in page
    # Every script and stylesheet comes from this server, not from a CDN.
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', page)
    assert assets and all(asset.startswith("/static/") for asset in assets)
    assert all(client.get(asset).status_code == 200 for asset in assets)

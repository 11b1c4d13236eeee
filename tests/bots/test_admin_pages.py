"""Every admin page of the bots app renders: changelist, search, filters, change and add."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from bots.models import Bot, BotConfig, BotMemory, Conversation, Message, UserMemory


@pytest.fixture
def objects(db) -> dict[str, object]:
    user = get_user_model().objects.create_user("alice", password="pw")
    bot = Bot.objects.create(name="shop", description="Shop bot", source_path="/x/shop.gbai")
    conversation = Conversation.objects.create(bot=bot, user=user, channel="web")
    return {
        "bot": bot,
        "botconfig": BotConfig.objects.create(bot=bot, key="llm-model", value="gpt", line=2),
        "conversation": conversation,
        "message": Message.objects.create(conversation=conversation, role="user", content="hello there"),
        "botmemory": BotMemory.objects.create(bot=bot, key="count", value={"n": 1}),
        "usermemory": UserMemory.objects.create(bot=bot, user_key="visitor-7", key="name", value="Ana"),
    }


@pytest.mark.parametrize(
    ("model", "search"),
    [
        ("bot", "shop"),
        ("botconfig", "llm"),
        ("conversation", "hello"),
        ("message", "hello"),
        ("botmemory", "count"),
        ("usermemory", "visitor-7"),
    ],
)
def test_admin_pages_render(admin_client, objects, model: str, search: str) -> None:
    obj = objects[model]
    changelist = reverse(f"admin:bots_{model}_changelist")
    response = admin_client.get(changelist)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    found = admin_client.get(changelist, {"q": search})
    assert found.status_code == 200 and found.context["cl"].result_count == 1
    missing = admin_client.get(changelist, {"q": "no-such-thing-anywhere"})
    assert missing.context["cl"].result_count == 0
    change = admin_client.get(reverse(f"admin:bots_{model}_change", args=[obj.pk]))
    assert change.status_code == 200
    assert admin_client.get(reverse(f"admin:bots_{model}_add")).status_code == 200


def test_bot_change_page_shows_config_inline_and_conversation_shows_messages(admin_client, objects) -> None:
    page = admin_client.get(reverse("admin:bots_bot_change", args=[objects["bot"].pk])).content.decode()
    assert "llm-model" in page
    page = admin_client.get(reverse("admin:bots_conversation_change", args=[objects["conversation"].pk]))
    assert "hello there" in page.content.decode()


def test_bot_list_filter_by_active(admin_client, objects) -> None:
    Bot.objects.create(name="old", active=False)
    response = admin_client.get(reverse("admin:bots_bot_changelist"), {"active__exact": "0"})
    assert [bot.name for bot in response.context["cl"].result_list] == ["old"]


def test_admin_requires_login(client, db) -> None:
    response = client.get(reverse("admin:bots_bot_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client.get("/admin/login/").status_code == 200

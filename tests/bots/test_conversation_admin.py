"""What produced each reply, and the author's errors, are visible in the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bots.models import Conversation, DialogRun
from tests.bots.conversation_support import make_bot, say

pytestmark = pytest.mark.django_db


def test_the_conversation_page_shows_errors_runs_and_where_each_reply_came_from(
    admin_client, make_package
) -> None:
    bot = make_bot(
        make_package, "adminbot", {"start.bas": 'TALK "hello"\nSET BOT MEMORY "k", 1\nTALK 1 / 0\n'}
    )
    conversation, _ = say(bot, "hi")
    page = admin_client.get(reverse("admin:bots_conversation_change", args=[conversation])).content.decode()
    assert "adminbot.gbdialog/start.bas:1:1" in page  # the TALK that said hello
    assert "adminbot.gbdialog/start.bas:3:1" in page  # the error, for the author
    assert "runtime=script-error" in page
    run = DialogRun.objects.get(conversation_id=conversation)
    run_page = admin_client.get(reverse("admin:bots_dialogrun_change", args=[run.pk]))
    assert run_page.status_code == 200 and "SET BOT MEMORY" in run_page.content.decode()
    for model in ("conversationerror", "dialogrun", "scriptversion", "botsharedmemory", "message"):
        listing = admin_client.get(reverse(f"admin:bots_{model}_changelist"))
        assert listing.status_code == 200, model
    listing = admin_client.get(reverse("admin:bots_conversation_changelist"))
    assert listing.context["cl"].result_list[0] == Conversation.objects.get(pk=conversation)

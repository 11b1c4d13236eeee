"""The SQL a conversation turn costs: an upper bound pinned so the hot path cannot silently grow
back (bench/conversation_turn.py measures the time), and the queue shortcuts that keep it small."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bots.models import Conversation, Message, MessageStatus
from bots.runtime.services import conversation_process, message_post, message_receive
from tests.bots.conversation_support import make_bot, transcript

pytestmark = pytest.mark.django_db

ECHO = 'TALK "Ready"\nDO\n    HEAR text\n    TALK "You said " + text\nLOOP\n'
# One HEAR/TALK turn through the endpoint: the token with its user, the bot; then one transaction:
# the conversation, locked, checked to be the user's (with the bot's hear-timeout-secs), the
# waiting run (with whether messages are queued), the message's insert and the conversation's
# updated_at, the reply, the run's new state, and what the response tells (the replies, what the
# conversation waits for). Transaction statements (BEGIN/COMMIT or savepoints) count.
TURN_QUERY_LIMIT = 12


def _statements(queries: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in queries.captured_queries]


def test_a_hear_talk_turn_stays_within_its_query_budget(make_package) -> None:
    make_bot(make_package, "echo", {"start.bas": ECHO})
    user = get_user_model().objects.create_user("q", password="pw")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    url = "/api/bots/echo/messages"
    first = api.post(url, {"text": "hi", "user": "u1"}, format="json").json()
    assert [reply["text"] for reply in first["replies"]] == ["Ready"]
    for index in range(2):  # the first resume warms per-process caches (compiled script)
        payload = {"text": f"m{index}", "user": "u1", "conversation": first["conversation"]}
        with CaptureQueriesContext(connection) as queries:
            body = api.post(url, payload, format="json").json()
        assert [reply["text"] for reply in body["replies"]] == [f"You said m{index}"]
        assert body["waiting_for"]["kind"] == "input" and body["queued"] is False
        statements = _statements(queries)
        assert len(statements) <= TURN_QUERY_LIMIT, "\n".join(statements)
        # Only the conversation's row is locked, never its bot's (which all its conversations share).
        locking = [sql for sql in statements if "FOR UPDATE" in sql]
        assert all(sql.endswith('FOR UPDATE OF "bots_conversation"') for sql in locking), locking


def test_message_post_reports_the_status_its_transaction_set(make_package) -> None:
    bot = make_bot(make_package, "echo", {"start.bas": ECHO})
    turn = message_post(bot=bot, text="hi", user_key="u2")
    assert turn.message.status == MessageStatus.DONE
    assert Message.objects.get(pk=turn.message.pk).status == MessageStatus.DONE
    again = message_post(bot=bot, text="x", user_key="u2", conversation_id=turn.conversation.pk)
    assert again.message.status == MessageStatus.DONE
    assert again.conversation.pk == turn.conversation.pk


def test_messages_queued_together_are_all_answered_in_one_pass(make_package) -> None:
    bot = make_bot(make_package, "echo", {"start.bas": ECHO})
    turn = message_post(bot=bot, text="hi", user_key="u3")
    conversation = Conversation.objects.get(pk=turn.conversation.pk)
    queued = [message_receive(conversation=conversation, text=text) for text in ("one", "two", "three")]
    assert conversation_process(conversation_id=conversation.pk) == 3
    for message in queued:
        assert list(message.replies.values_list("content", flat=True)) == [f"You said {message.content}"]
    assert [content for role, content in transcript(conversation.pk) if role == "bot"][-3:] == [
        "You said one",
        "You said two",
        "You said three",
    ]
    assert not Message.objects.filter(conversation=conversation, status=MessageStatus.PENDING).exists()
    assert conversation_process(conversation_id=conversation.pk) == 0

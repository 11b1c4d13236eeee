"""One turn (POST a message, get the replies): the message, the replies and the run's new state
commit together; a runtime failure keeps the message as failed with an apology; config read with
the conversation is current; the endpoint's own token check and bot lookup answer as DRF's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bots.models import Bot, Conversation, ConversationError, DialogRun, Message, MessageStatus, Role
from bots.runtime import selectors
from bots.runtime.errors import APOLOGY
from bots.services import package_sync_all
from tests.bots.conversation_support import make_bot, post, replies, say, transcript

pytestmark = pytest.mark.django_db

ECHO = 'TALK "Ready"\nDO\n    HEAR text\n    TALK "You said " + text\nLOOP\n'


def test_the_turn_reports_what_it_stored(make_package) -> None:
    bot = make_bot(make_package, "menu", {"start.bas": 'HEAR size AS "S", "L"\nTALK size\nHEAR more\n'})
    conversation, _ = say(bot, "hi")
    turn = post(bot, "l", conversation=conversation)
    assert turn.outcome is not None and turn.message.status == MessageStatus.DONE
    # What the turn read inside its transaction is what the selectors read after it.
    read_after = selectors.message_replies(message=turn.message)
    assert [m.pk for m in turn.outcome.replies] == [m.pk for m in read_after]
    assert [m.content for m in turn.outcome.replies] == ["L"]
    stored = selectors.conversation_waiting_run(conversation=turn.conversation)
    assert turn.outcome.waiting_run.pk == stored.pk
    assert selectors.run_waiting_for(run=turn.outcome.waiting_run) == selectors.run_waiting_for(run=stored)
    assert Message.objects.get(pk=turn.message.pk).status == MessageStatus.DONE
    assert turn.conversation.updated_at == Conversation.objects.get(pk=conversation).updated_at


def test_a_runtime_failure_keeps_the_message_as_failed_and_leaves_the_run_as_it_was(make_package) -> None:
    bot = make_bot(make_package, "fragile", {"start.bas": ECHO})
    conversation, _ = say(bot, "hi")
    run = DialogRun.objects.get(conversation_id=conversation)
    # A saved state that no longer parses (a damaged row) is not the script's fault: the runtime
    # fails, the turn's transaction rolls back, and the user still gets an answer.
    DialogRun.objects.filter(pk=run.pk).update(state="{not json")
    turn = post(bot, "are you there?", conversation=conversation)
    assert turn.message.status == MessageStatus.FAILED
    assert Message.objects.get(pk=turn.message.pk).content == "are you there?"
    assert replies(turn) == [APOLOGY]
    (apology,) = selectors.message_replies(message=turn.message)
    error = ConversationError.objects.get(conversation_id=conversation)
    assert apology.source == {"runtime": "internal-error", "error": error.pk}
    assert error.message_id == turn.message.pk and "JSONDecodeError" in error.text
    unchanged = DialogRun.objects.get(pk=run.pk)
    assert (unchanged.state, unchanged.version, unchanged.status) == ("{not json", run.version, "waiting")
    assert transcript(conversation)[-2:] == [("user", "are you there?"), ("bot", APOLOGY)]
    assert not Message.objects.filter(conversation_id=conversation, status=MessageStatus.PENDING).exists()


def test_a_changed_hear_timeout_applies_from_the_next_turn(make_package) -> None:
    bot = make_bot(make_package, "patient", {"start.bas": ECHO}, config="hear-timeout-secs,60\n")
    conversation, _ = say(bot, "hi")

    def wait_after(text: str) -> timedelta:
        before = timezone.now()
        say(bot, text, conversation=conversation)
        due = DialogRun.objects.get(conversation_id=conversation).due_at
        return due - before

    assert timedelta(seconds=60) <= wait_after("one") < timedelta(seconds=70)
    make_package("patient", {"patient.gbot/config.csv": "name,value\nhear-timeout-secs,600\n"})
    package_sync_all(roots=[make_package.root])
    assert timedelta(seconds=600) <= wait_after("two") < timedelta(seconds=610)
    make_package("patient", {"patient.gbot/config.csv": "name,value\n"})
    package_sync_all(roots=[make_package.root])
    assert timedelta(seconds=3600) <= wait_after("three") < timedelta(seconds=3610)


@pytest.fixture
def account() -> tuple[APIClient, Token]:
    user = get_user_model().objects.create_user("turns", password="pw")
    token = Token.objects.create(user=user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api, token


def test_the_endpoint_refuses_bad_tokens_and_inactive_users_as_drf_does(account, make_package) -> None:
    api, token = account
    make_bot(make_package, "guarded", {"start.bas": ECHO})
    url = "/api/bots/guarded/messages"
    assert api.post(url, {"text": "hi"}, format="json").status_code == 200
    stranger = APIClient()
    stranger.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    refused = stranger.post(url, {"text": "hi"}, format="json")
    assert refused.status_code == 401 and refused.json() == {"detail": "Invalid token."}
    assert refused.headers["WWW-Authenticate"] == "Token"
    token.user.is_active = False
    token.user.save(update_fields=["is_active"])
    inactive = api.post(url, {"text": "hi"}, format="json")
    assert inactive.status_code == 401 and inactive.json() == {"detail": "User inactive or deleted."}


def test_an_inactive_bot_and_another_users_conversation_are_not_found(account, make_package) -> None:
    api, _token = account
    make_bot(make_package, "shy", {"start.bas": ECHO})
    first = api.post("/api/bots/shy/messages", {"text": "hi", "user": "ana"}, format="json").json()
    conversation = first["conversation"]
    other = api.post(
        "/api/bots/shy/messages", {"text": "hi", "conversation": conversation}, format="json"
    )  # the account's own conversations have no user key
    assert other.status_code == 404
    Bot.objects.filter(name="shy").update(active=False)
    again = {"text": "x", "user": "ana", "conversation": conversation}
    gone = api.post("/api/bots/shy/messages", again, format="json")
    assert gone.status_code == 404
    assert list(
        Message.objects.filter(conversation_id=conversation, role=Role.USER).values_list("content", flat=True)
    ) == ["hi"]

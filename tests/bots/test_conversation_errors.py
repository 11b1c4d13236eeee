"""A script error gives the user an apology, the author FILE:LINE:COL, and the conversation
goes on."""

from __future__ import annotations

import pytest

from bots.models import ConversationError, DialogRun, Message, MessageStatus, RunStatus
from bots.runtime import selectors
from bots.runtime.answer import NO_LLM_REPLY
from bots.runtime.errors import APOLOGY
from tests.bots.conversation_support import make_bot, post, say

pytestmark = pytest.mark.django_db


def test_a_runtime_error_apologises_records_the_position_and_the_next_message_works(make_package) -> None:
    bot = make_bot(make_package, "broken", {"start.bas": 'TALK "Dividing..."\nx = 0\n  TALK 10 / x\n'})
    turn = post(bot, "hi")
    texts = [(m.content, m.kind) for m in selectors.message_replies(message=turn.message)]
    assert texts == [("Dividing...", "text"), (APOLOGY, "error")]
    (error,) = ConversationError.objects.filter(conversation=turn.conversation)
    assert str(error).startswith("broken.gbdialog/start.bas:3:3: ")
    assert "zero" in error.text.lower()
    assert error.message_id == turn.message.pk
    run = DialogRun.objects.get(conversation=turn.conversation)
    assert run.status == RunStatus.FAILED and run.error == str(error)
    _, after = say(bot, "still there?", conversation=turn.conversation.pk)
    assert after == [NO_LLM_REPLY]


def test_a_syntax_error_in_start_bas_is_reported_with_its_position(make_package) -> None:
    bot = make_bot(make_package, "typo", {"start.bas": 'TALK "a"\nTALKK "b"\n'})
    conversation, answer = say(bot, "hi")
    assert answer == [APOLOGY]
    (error,) = ConversationError.objects.filter(conversation_id=conversation)
    assert (error.file, error.line, error.column) == ("typo.gbdialog/start.bas", 2, 1)
    assert "TALK" in error.text


def test_an_error_after_a_hear_keeps_the_conversation_usable(make_package) -> None:
    bot = make_bot(make_package, "later", {"start.bas": "HEAR n\nTALK n / 0\n"})
    conversation, _ = say(bot, "start")
    _, failed = say(bot, "5", conversation=conversation)
    assert failed == [APOLOGY]
    assert ConversationError.objects.get(conversation_id=conversation).line == 2
    assert not Message.objects.filter(conversation_id=conversation, status=MessageStatus.PENDING).exists()
    assert say(bot, "again", conversation=conversation)[1] == [NO_LLM_REPLY]


def test_a_keyword_that_needs_a_conversation_says_so_in_gb_run(tmp_path) -> None:
    import io

    from basic.cli import run_file

    script = tmp_path / "memory.bas"
    script.write_text('SET BOT MEMORY "k", 1\n', encoding="utf-8")
    err = io.StringIO()
    status = run_file(script, stdin=io.StringIO(), stdout=io.StringIO(), stderr=err)
    assert status == 1 and ":1:1: SET BOT MEMORY works only in a conversation" in err.getvalue()

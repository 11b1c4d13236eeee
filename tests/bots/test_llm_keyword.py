"""The LLM keyword: one completion with the conversation's prompt and contexts, the WITH routing
clauses recorded, journaled across a HEAR, and the author's errors."""

from __future__ import annotations

import pytest

from bots.models import ConversationError, JournalEntry
from llmrouter.models import LLMCall
from tests.bots import llm_server
from tests.bots.conversation_support import make_bot, say
from tests.bots.llm_server import ChatServer

pytestmark = pytest.mark.django_db
chat_server = llm_server.chat_server

SCRIPT = (
    'SET CONTEXT "store" AS "We sell tea."\n'
    "BEGIN SYSTEM PROMPT\nYou are terse.\nEND SYSTEM PROMPT\n"
    'answer = LLM "Describe " + "green tea"\n'
    '    WITH OPTIMIZE FOR "quality"\n'
    "    WITH MAX_COST 0.05\n"
    "    WITH MAX_LATENCY 5000\n"
    "TALK answer\n"
    "HEAR more\n"
    'TALK "again: " + answer\n'
)


def test_llm_keyword_sends_prompt_and_context_and_records_the_route(
    make_package, chat_server: ChatServer
) -> None:
    bot = make_bot(make_package, "tea", {"start.bas": SCRIPT}, chat_server.config("tea-model"))
    chat_server.reply_text("A fresh, grassy tea.")
    conversation, replies = say(bot, "hi")
    assert replies == ["A fresh, grassy tea."]
    assert chat_server.requests[0]["messages"] == [
        {"role": "system", "content": "You are terse."},
        {"role": "system", "content": "store: We sell tea."},
        {"role": "user", "content": "Describe green tea"},
    ]
    call = LLMCall.objects.get(bot=bot)
    assert call.purpose == "keyword" and call.status == LLMCall.Status.OK and call.model == "tea-model"
    assert call.route == {"optimize_for": "quality", "max_cost": 0.05, "max_latency_ms": 5000}
    # resuming after HEAR reuses the journaled answer: no second call
    assert say(bot, "more", conversation=conversation)[1] == ["again: A fresh, grassy tea."]
    assert len(chat_server.requests) == 1
    assert JournalEntry.objects.filter(run__conversation_id=conversation, phrase="LLM").count() == 1


def test_llm_without_config_is_an_author_error_with_position(make_package) -> None:
    bot = make_bot(make_package, "nollm", {"start.bas": 'TALK "hi"\nx = LLM "hello"\n'})
    conversation, replies = say(bot, "hi")
    assert replies[0] == "hi" and replies[-1].startswith("Sorry")
    error = ConversationError.objects.get(conversation_id=conversation)
    assert str(error) == (
        "nollm.gbdialog/start.bas:2:5: no LLM is configured for bot nollm: "
        "set llm-url and llm-model in config.csv"
    )


def test_llm_http_failure_and_bad_clause_are_author_errors(make_package, chat_server: ChatServer) -> None:
    bot = make_bot(make_package, "flaky", {"start.bas": 'x = LLM "q"\n'}, chat_server.config())
    chat_server.reply_status(503, "down for maintenance")
    conversation, _ = say(bot, "hi")
    error = ConversationError.objects.get(conversation_id=conversation)
    assert error.line == 1 and "LLM: the model server" in error.text and "HTTP 503" in error.text
    bad = make_bot(
        make_package, "bad", {"start.bas": 'x = LLM "q" WITH OPTIMIZE FOR "fast"\n'}, chat_server.config()
    )
    conversation, _ = say(bad, "hi")
    error = ConversationError.objects.get(conversation_id=conversation)
    assert 'takes "speed", "cost" or "quality"' in error.text
    assert len(chat_server.requests) == 1

"""The conversation loop with a model: plain LLM chat, what is sent (system prompt, contexts,
history, tools), tool calls running tool scripts with their PARAMs, a tool that HEARs, tool
chips that skip the model, and failures."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bots.models import ConversationError, ConversationTool, DialogRun, Message, Role, RunStatus
from bots.runtime.answer import LLM_FAILED_REPLY, NO_LLM_REPLY
from llmrouter.models import LLMCall
from tests.bots import llm_server
from tests.bots.conversation_support import make_bot, post, say
from tests.bots.llm_server import ChatServer

pytestmark = pytest.mark.django_db
chat_server = llm_server.chat_server

BOOK = (
    'PARAM day AS STRING LIKE "monday" DESCRIPTION "Day of the booking"\n'
    'PARAM people AS INTEGER LIKE 2 DESCRIPTION "How many people"\n'
    'DESCRIPTION "Book a table"\n'
    'TALK "Booked for " + people + " on " + day + "."\n'
)
ASK = 'PARAM topic AS STRING DESCRIPTION "What about"\nDESCRIPTION "Ask the user"\nTALK "Your email for " + topic + "?"\nHEAR email AS EMAIL\nTALK "Thanks, " + email\n'  # noqa: E501
START = (
    'USE TOOL "shop.gbdialog/book.bas"\nADD TOOL "ask"\n'
    'SET CONTEXT "hours" AS "Open 9 to 6."\n'
    "BEGIN SYSTEM PROMPT\nYou are the shop bot.\nEND SYSTEM PROMPT\n"
    'ADD SUGGESTION TOOL "book" AS "Book now"\n'
)


def test_a_bot_without_start_is_plain_llm_chat_with_history(make_package, chat_server: ChatServer) -> None:
    bot = make_bot(
        make_package,
        "plain",
        {"other.bas": 'TALK "x"\n'},
        chat_server.config("m-9", "system-prompt,Be kind.\nmax-context-messages,2\n"),
    )
    conversation, first = say(bot, "hello")
    assert first == ["echo: hello"]
    say(bot, "second", conversation=conversation)
    _, third = say(bot, "third", conversation=conversation)
    assert third == ["echo: third"]
    assert chat_server.requests[0]["messages"] == [
        {"role": "system", "content": "Be kind."},
        {"role": "user", "content": "hello"},
    ]
    # only the last two messages of history (max-context-messages), then the new one
    assert chat_server.requests[2]["messages"] == [
        {"role": "system", "content": "Be kind."},
        {"role": "user", "content": "second"},
        {"role": "assistant", "content": "echo: second"},
        {"role": "user", "content": "third"},
    ]
    reply = Message.objects.filter(conversation_id=conversation, role=Role.BOT).last()
    call = LLMCall.objects.get(pk=reply.source["call"])
    assert reply.source["llm"] == "m-9" and call.purpose == "chat" and call.conversation_id == conversation


def test_without_llm_config_the_no_llm_reply_stays(make_package) -> None:
    bot = make_bot(make_package, "nollm", {"other.bas": 'TALK "x"\n'})
    assert say(bot, "hello")[1] == [NO_LLM_REPLY]


def test_tools_context_and_prompt_are_sent_and_tool_calls_run(make_package, chat_server: ChatServer) -> None:
    bot = make_bot(
        make_package, "shop", {"start.bas": START, "book.bas": BOOK, "ask.bas": ASK}, chat_server.config()
    )
    conversation, first = say(bot, "")  # start.bas only
    assert first == []
    chat_server.reply_tools(("book", {"day": "friday", "people": 4}), text="Let me book that.")
    chat_server.reply_text("Done: see you Friday.")
    with CaptureQueriesContext(connection) as queries:
        _, replies = say(bot, "table for 4 on friday", conversation=conversation)
    assert replies == ["Let me book that.", "Booked for 4 on friday.", "Done: see you Friday."]
    tool_table = f'"{ConversationTool._meta.db_table}"'
    assert sum(tool_table in query["sql"] for query in queries.captured_queries) == 1  # read once a turn
    sent = chat_server.requests[0]
    assert sent["messages"][:2] == [
        {"role": "system", "content": "You are the shop bot."},
        {"role": "system", "content": "hours: Open 9 to 6."},
    ]
    assert sent["messages"][-1] == {"role": "user", "content": "table for 4 on friday"}
    functions = {tool["function"]["name"]: tool["function"] for tool in sent["tools"]}
    assert set(functions) == {"book", "ask"}
    assert functions["book"]["description"] == "Book a table"
    assert functions["book"]["parameters"]["properties"]["people"]["type"] == "integer"
    assert functions["book"]["parameters"]["required"] == ["day", "people"]
    # the second request carries the assistant's tool call and the tool's result
    follow = chat_server.requests[1]["messages"]
    assert follow[-2]["tool_calls"][0]["function"]["name"] == "book"
    assert follow[-1] == {"role": "tool", "tool_call_id": "call_0", "content": "Booked for 4 on friday."}
    booked = Message.objects.get(
        conversation_id=conversation, role=Role.BOT, content="Booked for 4 on friday."
    )
    assert booked.source["tool"] == "book" and booked.source["llm"] == "test-model"
    assert booked.source["script"].endswith("book.bas") and booked.source["line"] == 4
    tool_row = Message.objects.get(conversation_id=conversation, role=Role.TOOL)
    assert tool_row.source["arguments"] == {"day": "friday", "people": 4}


def test_a_tool_that_hears_waits_for_the_user(make_package, chat_server: ChatServer) -> None:
    bot = make_bot(
        make_package, "shop", {"start.bas": START, "book.bas": BOOK, "ask.bas": ASK}, chat_server.config()
    )
    conversation, _ = say(bot, "")
    chat_server.reply_tools(("ask", {"topic": "the newsletter"}))
    _, replies = say(bot, "sign me up", conversation=conversation)
    assert replies == ["Your email for the newsletter?"]
    assert DialogRun.objects.get(conversation_id=conversation, status=RunStatus.WAITING).script.endswith(
        "ask.bas"
    )
    assert len(chat_server.requests) == 1  # the model is not asked again while the tool waits
    _, replies = say(bot, "ana@example.com", conversation=conversation)
    assert replies == ["Thanks, ana@example.com"]
    assert len(chat_server.requests) == 1


def test_a_tool_chip_runs_the_tool_without_the_model(make_package, chat_server: ChatServer) -> None:
    chip = 'ADD SUGGESTION TOOL "ask" AS "Newsletter"\n'
    bot = make_bot(make_package, "chips", {"start.bas": chip, "ask.bas": ASK}, chat_server.config())
    conversation, _ = say(bot, "")
    _, replies = say(bot, "newsletter", conversation=conversation)
    assert replies == ["Your email for ?"]
    assert chat_server.requests == []
    message = Message.objects.get(conversation_id=conversation, content="Your email for ?")
    assert message.source["tool"] == "ask" and message.source["suggestion"] == "newsletter"


def test_a_tool_chip_works_without_any_llm(make_package) -> None:
    chip = 'ADD SUGGESTION TOOL "book" AS "Book"\n'
    bot = make_bot(make_package, "chipsonly", {"start.bas": chip, "book.bas": BOOK})
    conversation, _ = say(bot, "")
    assert say(bot, "Book", conversation=conversation)[1] == ["Booked for  on ."]


def test_model_failure_apologises_and_records_for_the_author(make_package, chat_server: ChatServer) -> None:
    bot = make_bot(make_package, "flaky", {"x.bas": 'TALK "x"\n'}, chat_server.config())
    chat_server.reply_status(500, "overloaded")
    turn = post(bot, "hi")
    assert [m.content for m in turn.message.replies.all()] == [LLM_FAILED_REPLY]
    error = ConversationError.objects.get(conversation=turn.conversation)
    assert "HTTP 500" in error.text and "overloaded" in error.text
    assert say(bot, "again", conversation=turn.conversation.pk)[1] == ["echo: again"]


def test_a_tool_not_offered_is_refused_to_the_model(make_package, chat_server: ChatServer) -> None:
    bot = make_bot(make_package, "strict", {"book.bas": BOOK}, chat_server.config())
    chat_server.reply_tools(("book", {"day": "x", "people": 1}))
    chat_server.reply_text("Sorry.")
    assert say(bot, "book it")[1] == ["Sorry."]
    assert "not one of the tools offered" in chat_server.requests[1]["messages"][-1]["content"]
    assert not DialogRun.objects.filter(script__endswith="book.bas").exists()

"""The OpenAI-compatible provider against a real HTTP server on 127.0.0.1: what it sends, what it
reads back (text, tool calls, usage), its errors, and the llm-* config keys."""

from __future__ import annotations

import logging
import socket

import pytest

from llmrouter.config import llm_config
from llmrouter.models import LLMCall
from llmrouter.openai_compat import OpenAICompatibleProvider, completions_url
from llmrouter.provider import ChatRequest, LLMError, LLMNotConfigured
from llmrouter.services import llm_chat
from tests.bots import llm_server
from tests.bots.conversation_support import make_bot
from tests.bots.llm_server import ChatServer

pytestmark = pytest.mark.django_db
chat_server = llm_server.chat_server


def test_config_keys_are_read_and_the_request_carries_them(make_package, chat_server: ChatServer) -> None:
    extra = "llm-temperature,0.2\nmax-tokens,300\nmax-context-messages,4\nbot-system-prompt,Be brief.\n"
    bot = make_bot(make_package, "cfg", {"start.bas": 'TALK "x"\n'}, chat_server.config("m-1", extra))
    config = llm_config(bot)
    assert config is not None
    assert (config.model, config.temperature, config.max_tokens) == ("m-1", 0.2, 300)
    assert (config.max_context_messages, config.system_prompt) == (4, "Be brief.")
    assert "sk-secret" not in repr(config)
    chat_server.reply_text("hi there")
    result = OpenAICompatibleProvider(config).chat(
        ChatRequest(messages=[{"role": "user", "content": "hello"}], tools=[{"type": "function"}])
    )
    assert result.text == "hi there" and result.model == "m-1"
    assert (result.prompt_tokens, result.completion_tokens) == (11, 7)
    sent = chat_server.requests[-1]
    assert sent["model"] == "m-1" and sent["temperature"] == 0.2 and sent["max_tokens"] == 300
    assert sent["messages"] == [{"role": "user", "content": "hello"}]
    assert sent["tools"] == [{"type": "function"}]
    assert chat_server.paths[-1] == "/v1/chat/completions"
    assert chat_server.headers_seen[-1]["Authorization"] == "Bearer sk-secret-123"


def test_tool_calls_are_decoded(make_package, chat_server: ChatServer) -> None:
    bot = make_bot(make_package, "tc", {"start.bas": 'TALK "x"\n'}, chat_server.config())
    chat_server.reply_tools(("book", {"day": "monday", "people": 2}))
    result = OpenAICompatibleProvider(llm_config(bot)).chat(ChatRequest(messages=[]))
    assert [(c.id, c.name, c.arguments) for c in result.tool_calls] == [
        ("call_0", "book", {"day": "monday", "people": 2})
    ]
    assert "tools" not in chat_server.requests[-1]  # none offered, none sent


def test_http_error_is_clear_and_hides_the_key(make_package, chat_server: ChatServer, caplog) -> None:
    bot = make_bot(make_package, "bad", {"start.bas": 'TALK "x"\n'}, chat_server.config())
    chat_server.reply_status(401, "invalid key sk-secret-123")
    with caplog.at_level(logging.DEBUG), pytest.raises(LLMError) as caught:
        llm_chat(bot=bot, request=ChatRequest(messages=[]), purpose="keyword")
    text = str(caught.value)
    assert "HTTP 401" in text and chat_server.url in text
    assert "sk-secret-123" not in text and "sk-secret-123" not in caplog.text
    call = LLMCall.objects.get(bot=bot)
    assert call.status == LLMCall.Status.FAILED and "HTTP 401" in call.error


def test_unreachable_and_slow_servers(make_package) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    bot = make_bot(
        make_package,
        "down",
        {"start.bas": 'TALK "x"\n'},
        f"llm-url,http://127.0.0.1:{port}/v1\nllm-model,m\n",
    )
    with pytest.raises(LLMError, match="cannot reach the model server"):
        llm_chat(bot=bot, request=ChatRequest(messages=[]), purpose="keyword")
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts the connection in the backlog, never answers
    try:
        slow = make_bot(
            make_package,
            "slow",
            {"start.bas": 'TALK "x"\n'},
            f"llm-url,http://127.0.0.1:{silent.getsockname()[1]}\nllm-model,m\nllm-timeout,0.3\n",
        )
        with pytest.raises(LLMError, match=r"did not answer within 0.3s"):
            llm_chat(bot=slow, request=ChatRequest(messages=[]), purpose="keyword")
    finally:
        silent.close()


def test_not_configured(make_package) -> None:
    bot = make_bot(make_package, "plain", {"start.bas": 'TALK "x"\n'}, "llm-model,m\n")
    assert llm_config(bot) is None
    with pytest.raises(
        LLMNotConfigured, match="no LLM is configured for bot plain: set llm-url and llm-model"
    ):
        llm_chat(bot=bot, request=ChatRequest(messages=[]), purpose="keyword")


def test_completions_url() -> None:
    assert completions_url("http://h/v1/") == "http://h/v1/chat/completions"
    assert completions_url("http://h/v1/chat/completions") == "http://h/v1/chat/completions"

"""Calling a bot's model: pick the provider from its config, make the call, record it."""

from __future__ import annotations

import logging

from bots.models import Bot, Conversation
from llmrouter.config import LLMConfig, llm_config
from llmrouter.models import LLMCall
from llmrouter.openai_compat import OpenAICompatibleProvider
from llmrouter.provider import ChatProvider, ChatRequest, ChatResult, LLMError, LLMNotConfigured

logger = logging.getLogger(__name__)


def not_configured_text(bot: Bot) -> str:
    return f"no LLM is configured for bot {bot.name}: set llm-url and llm-model in config.csv"


def provider_for(config: LLMConfig) -> ChatProvider:
    """Every llm-provider value is served over the OpenAI chat-completions protocol at llm-url
    (OpenAI, gateways, llama.cpp, vLLM, Ollama all speak it)."""
    return OpenAICompatibleProvider(config)


def llm_chat(
    *,
    bot: Bot,
    request: ChatRequest,
    purpose: str,
    conversation: Conversation | None = None,
    config: LLMConfig | None = None,
) -> tuple[ChatResult, LLMCall]:
    """One completion for the bot, recorded as an :class:`LLMCall` whether it works or not."""
    config = config or llm_config(bot)
    if config is None:
        raise LLMNotConfigured(not_configured_text(bot))
    call = LLMCall(
        bot=bot,
        conversation=conversation,
        purpose=purpose,
        provider=config.provider,
        model=config.model,
        route=request.route,
    )
    try:
        result = provider_for(config).chat(request)
    except LLMError as exc:
        call.status, call.error = LLMCall.Status.FAILED, str(exc)
        call.save()
        logger.warning("bot %s: model call failed: %s", bot.name, exc)
        raise
    call.status = LLMCall.Status.OK
    call.model = result.model[:200]
    call.tool_calls = [tool.name for tool in result.tool_calls]
    call.prompt_tokens, call.completion_tokens = result.prompt_tokens, result.completion_tokens
    call.latency_ms = result.latency_ms
    call.save()
    return result, call

"""Where messages that no dialog is waiting for get answered: a suggested tool, or the LLM.

A message that is the label of an ``ADD SUGGESTION TOOL`` chip runs that tool directly. Any
other message goes to the bot's answer provider: the first registered factory that gives one for
the bot (the built-in one is the LLM of the bot's llm-* config, with the conversation's tools).
Without any provider the user gets :data:`NO_LLM_REPLY`, and the author sees in the message's
source what to configure.

Providers store replies that must interleave with tool output themselves (tool runs store their
TALKs as they happen) and return the rest as :class:`Answer` objects, which the caller stores.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from bots.models import Bot, Conversation, ConversationError, Message, MessageStatus, Role
from bots.runtime.errors import APOLOGY
from bots.runtime.tools import suggested_tool, tool_functions, tool_names, tool_run
from llmrouter.config import LLMConfig, llm_config
from llmrouter.provider import ChatRequest, LLMError
from llmrouter.services import llm_chat

logger = logging.getLogger(__name__)

NO_LLM_REPLY = (
    "I can only answer through this bot's dialogs: no language model is configured for free questions."
)
NO_LLM_HINT = "no LLM configured: set llm-provider, llm-url and llm-model in the bot's config.csv"
LLM_FAILED_REPLY = "Sorry, I cannot answer right now. Please try again in a moment."
MAX_TOOL_ROUNDS = 5
HISTORY_KINDS = ("text", "menu", "hint")


@dataclass(slots=True)
class Answer:
    """One reply of a provider, with what produced it (e.g. ``{"llm": "gpt-4o", "call": 12}``)."""

    text: str
    source: dict[str, Any] = field(default_factory=dict)
    kind: str = "text"


class AnswerProvider(Protocol):
    def answer(self, *, conversation: Conversation, message: Message) -> list[Answer]:
        """Replies to ``message``, with the conversation's system prompt, context and history."""


ProviderFactory = Callable[[Bot], AnswerProvider | None]
_FACTORIES: list[ProviderFactory] = []


def answer_provider_register(factory: ProviderFactory) -> ProviderFactory:
    """Add a factory (from an AppConfig.ready()); registering the same one twice is harmless."""
    if factory not in _FACTORIES:
        _FACTORIES.append(factory)
    return factory


def answer_provider_for(bot: Bot) -> AnswerProvider | None:
    """The first provider a registered factory gives for this bot, else the bot's LLM, or None."""
    for factory in _FACTORIES:
        provider = factory(bot)
        if provider is not None:
            return provider
    config = llm_config(bot)
    return LlmAnswerProvider(config) if config is not None else None


def answers_for(*, conversation: Conversation, message: Message) -> list[Answer]:
    """The replies to a message no dialog took: a suggested tool's, the provider's, or "no LLM"."""
    tool = suggested_tool(conversation, message.content)
    if tool is not None:
        return _run_suggested_tool(conversation, message, tool)
    provider = answer_provider_for(conversation.bot)
    if provider is None:
        return [Answer(NO_LLM_REPLY, {"runtime": "no-llm", "hint": NO_LLM_HINT}, kind="notice")]
    return provider.answer(conversation=conversation, message=message)


def answers_store(*, conversation: Conversation, message: Message) -> None:
    """Answer a message no dialog took (:func:`answers_for`) and store the replies the
    provider returned (it stored the rest itself)."""
    for answer in answers_for(conversation=conversation, message=message):
        Message.objects.create(
            conversation=conversation,
            role=Role.BOT,
            content=answer.text,
            kind=answer.kind,
            reply_to=message,
            source=answer.source,
        )


def _run_suggested_tool(conversation: Conversation, message: Message, tool: str) -> list[Answer]:
    outcome = tool_run(
        conversation=conversation,
        name=tool,
        arguments={},
        inbound=message,
        source={"suggestion": message.content.strip()},
    )
    if outcome.run is None:
        record = ConversationError.objects.create(
            conversation=conversation,
            message=message,
            text=f'ADD SUGGESTION TOOL names "{tool}", but the package has no {tool}.bas',
        )
        return [Answer(APOLOGY, {"runtime": "tool-missing", "error": record.pk}, kind="error")]
    return []


# --- the LLM --------------------------------------------------------------------------------


def prompt_messages(conversation: Conversation, config: LLMConfig) -> list[dict[str, Any]]:
    """The system prompt (BEGIN SYSTEM PROMPT, else config's system-prompt) and SET CONTEXT texts."""
    out: list[dict[str, Any]] = []
    prompt = conversation.system_prompt.strip() or config.system_prompt
    if prompt:
        out.append({"role": "system", "content": prompt})
    for name, text in conversation.context.items():
        out.append({"role": "system", "content": text if name == "default" else f"{name}: {text}"})
    return out


def history_messages(conversation: Conversation, before: Message, limit: int) -> list[dict[str, Any]]:
    """The last ``limit`` user and bot texts before ``before`` (max-context-messages)."""
    if limit <= 0:
        return []
    rows = (
        Message.objects.filter(
            conversation=conversation,
            id__lt=before.pk,
            role__in=(Role.USER, Role.BOT),
            kind__in=HISTORY_KINDS,
            status=MessageStatus.DONE,
        )
        .order_by("-id")
        .values_list("role", "content")[:limit]
    )
    return [
        {"role": "user" if role == Role.USER else "assistant", "content": content}
        for role, content in reversed(list(rows))
    ]


class LlmAnswerProvider:
    """Answers with the bot's model, letting it call the conversation's tools."""

    def __init__(self, config: LLMConfig) -> None:
        self.config = config

    def answer(self, *, conversation: Conversation, message: Message) -> list[Answer]:
        messages = [
            *prompt_messages(conversation, self.config),
            *history_messages(conversation, message, self.config.max_context_messages),
            {"role": "user", "content": message.content},
        ]
        names = tool_names(conversation)
        offered = set(names)
        tools = tool_functions(conversation, names)
        for _round in range(MAX_TOOL_ROUNDS):
            try:
                result, call = llm_chat(
                    bot=conversation.bot,
                    conversation=conversation,
                    request=ChatRequest(messages=messages, tools=tools),
                    purpose="chat",
                    config=self.config,
                )
            except LLMError as exc:
                return [self._failed(conversation, message, str(exc))]
            source = {"llm": result.model, "call": call.pk}
            if not result.tool_calls:
                return [Answer(result.text, source)] if result.text.strip() else []
            if result.text.strip():
                _store(conversation, message, Role.BOT, result.text, source)
            messages.append(_assistant_turn(result.text, result.tool_calls))
            for tool_call in result.tool_calls:
                if tool_call.name not in offered:
                    text = f"error: {tool_call.name!r} is not one of the tools offered"
                    waiting = False
                else:
                    outcome = tool_run(
                        conversation=conversation,
                        name=tool_call.name,
                        arguments=tool_call.arguments,
                        inbound=message,
                        source=source,
                    )
                    text, waiting = outcome.text, outcome.waiting
                _store(
                    conversation,
                    message,
                    Role.TOOL,
                    text,
                    {
                        **source,
                        "tool": tool_call.name,
                        "tool_call": tool_call.id,
                        "arguments": tool_call.arguments,
                    },
                )
                if waiting:
                    # The tool now talks with the user (it HEARs); the model is not asked again.
                    return []
                messages.append({"role": "tool", "tool_call_id": tool_call.id, "content": text})
        return [
            self._failed(
                conversation,
                message,
                f"the model kept calling tools for {MAX_TOOL_ROUNDS} rounds without answering",
            )
        ]

    def _failed(self, conversation: Conversation, message: Message, text: str) -> Answer:
        record = ConversationError.objects.create(
            conversation=conversation, message=message, text=f"LLM {self.config.model}: {text}"
        )
        return Answer(
            LLM_FAILED_REPLY, {"runtime": "llm-error", "llm": self.config.model, "error": record.pk}, "error"
        )


def _assistant_turn(text: str, tool_calls: list) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": text or None,
        "tool_calls": [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": json.dumps(call.arguments, ensure_ascii=False)},
            }
            for call in tool_calls
        ],
    }


def _store(
    conversation: Conversation, message: Message, role: str, text: str, source: dict[str, Any]
) -> None:
    Message.objects.create(
        conversation=conversation,
        role=role,
        content=text,
        reply_to=message,
        source=source,
        kind="text" if role == Role.BOT else "tool",
    )

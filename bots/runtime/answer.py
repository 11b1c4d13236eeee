"""Where messages that no dialog is waiting for get answered: the LLM provider seam.

A provider factory takes a bot and returns a provider when the bot's config sets one up (the LLM
part registers its factory here), or None. Without any provider the user gets
:data:`NO_LLM_REPLY`, and the author sees in the message's source what to configure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from bots.models import Bot, Conversation, Message

NO_LLM_REPLY = (
    "I can only answer through this bot's dialogs: no language model is configured for free questions."
)
NO_LLM_HINT = "no LLM configured: set llm-provider, llm-url and llm-model in the bot's config.csv"


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
    """The first provider a registered factory gives for this bot, or None."""
    for factory in _FACTORIES:
        provider = factory(bot)
        if provider is not None:
            return provider
    return None


def answers_for(*, conversation: Conversation, message: Message) -> list[Answer]:
    """The replies to a message no dialog took: the provider's, or the "no LLM" reply."""
    provider = answer_provider_for(conversation.bot)
    if provider is None:
        return [Answer(NO_LLM_REPLY, {"runtime": "no-llm", "hint": NO_LLM_HINT}, kind="notice")]
    return provider.answer(conversation=conversation, message=message)

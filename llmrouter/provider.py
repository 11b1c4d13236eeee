"""The provider interface: one chat completion, with tools, whatever serves it.

Callers (the LLM keyword, the conversation loop) build a :class:`ChatRequest` and get a
:class:`ChatResult`; a provider turns that into one call to a model server. The routing options
of ``WITH OPTIMIZE FOR / MAX_COST / MAX_LATENCY`` travel on the request so the router of a later
issue can act on them; today they are recorded with the call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


class LLMError(Exception):
    """A model call failed (network, HTTP status, bad reply); the text is safe to show an author."""


class LLMNotConfigured(LLMError):
    """The bot's config.csv does not set up a model."""


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A function the model asked for, with its arguments already decoded from JSON."""

    id: str
    name: str
    arguments: dict[str, Any]


@dataclass(slots=True)
class ChatRequest:
    """Messages in the OpenAI chat shape (role/content, tool_calls, tool_call_id)."""

    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] = field(default_factory=list)
    route: dict[str, Any] = field(default_factory=dict)  # optimize_for, max_cost, max_latency_ms


@dataclass(slots=True)
class ChatResult:
    text: str
    model: str
    tool_calls: list[ToolCall] = field(default_factory=list)
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency_ms: int = 0


class ChatProvider(Protocol):
    model: str

    def chat(self, request: ChatRequest) -> ChatResult:
        """One completion; raises :class:`LLMError` with a clear text on failure."""

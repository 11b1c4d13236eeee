"""A bot's model settings, from its config.csv rows (DIALECT.md §1.2: the llm-* keys)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bots.models import Bot, BotConfig

logger = logging.getLogger(__name__)

DEFAULT_MAX_CONTEXT_MESSAGES = 20
DEFAULT_TIMEOUT_SECONDS = 60.0
_KEYS = (
    "llm-provider",
    "llm-url",
    "llm-key",
    "llm-model",
    "llm-temperature",
    "max-tokens",
    "max-context-messages",
    "system-prompt",
    "bot-system-prompt",
    "llm-timeout",
)


@dataclass(frozen=True, slots=True)
class LLMConfig:
    provider: str
    url: str
    model: str
    key: str = ""
    temperature: float | None = None
    max_tokens: int | None = None
    max_context_messages: int = DEFAULT_MAX_CONTEXT_MESSAGES
    system_prompt: str = ""
    timeout: float = DEFAULT_TIMEOUT_SECONDS

    def __repr__(self) -> str:  # never show the key in logs or tracebacks
        return f"LLMConfig(provider={self.provider!r}, url={self.url!r}, model={self.model!r})"


def _number(bot: Bot, key: str, raw: str, kind: type) -> float | int | None:
    if not raw:
        return None
    try:
        return kind(float(raw)) if kind is int else kind(raw)
    except ValueError:
        logger.warning("bot %s: %s=%r is not a number; ignored", bot.name, key, raw)
        return None


def llm_config(bot: Bot) -> LLMConfig | None:
    """The bot's model settings, or None when llm-url or llm-model is missing."""
    rows = BotConfig.objects.filter(bot=bot).values_list("key", "value")
    values = {key.lower(): (value or "").strip() for key, value in rows if key.lower() in _KEYS}
    url, model = values.get("llm-url", ""), values.get("llm-model", "")
    if not url or not model:
        return None
    max_context = _number(bot, "max-context-messages", values.get("max-context-messages", ""), int)
    timeout = _number(bot, "llm-timeout", values.get("llm-timeout", ""), float)
    return LLMConfig(
        provider=(values.get("llm-provider") or "openai").lower(),
        url=url,
        model=model,
        key=values.get("llm-key", ""),
        temperature=_number(bot, "llm-temperature", values.get("llm-temperature", ""), float),
        max_tokens=_number(bot, "max-tokens", values.get("max-tokens", ""), int),
        max_context_messages=DEFAULT_MAX_CONTEXT_MESSAGES if max_context is None else max(0, max_context),
        system_prompt=values.get("system-prompt") or values.get("bot-system-prompt", ""),
        timeout=timeout if timeout and timeout > 0 else DEFAULT_TIMEOUT_SECONDS,
    )

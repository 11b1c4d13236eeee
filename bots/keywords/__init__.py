"""Conversation keywords of the bots app, one module per family, registered from
``BotsConfig.ready()`` (see :func:`register_bots_keywords`)."""

from __future__ import annotations

from basic.registry import KeywordRegistry
from bots.keywords.agents import AGENT_SPECS
from bots.keywords.automation import AUTOMATION_SPECS
from bots.keywords.conversation import CONVERSATION_SPECS
from bots.keywords.data import DATA_SPECS
from bots.keywords.http import HTTP_SPECS
from bots.keywords.llm import LLM_SPECS
from bots.keywords.memory import MEMORY_SPECS


def register_bots_keywords(target: KeywordRegistry) -> None:
    target.register_all(CONVERSATION_SPECS)
    target.register_all(MEMORY_SPECS)
    target.register_all(DATA_SPECS)
    target.register_all(HTTP_SPECS)
    target.register_all(LLM_SPECS)
    target.register_all(AGENT_SPECS)
    target.register_all(AUTOMATION_SPECS)


__all__ = ["register_bots_keywords"]

"""LLM and tool keywords: LLM (with its WITH OPTIMIZE FOR / MAX_COST / MAX_LATENCY clauses),
USE TOOL / ADD TOOL / CLEAR TOOLS, USE KB / CLEAR KB.

LLM is journaled (effect=True): a resumed run reuses the completion instead of asking again.
"""

from __future__ import annotations

from typing import Any

from basic import values
from basic.errors import BasicRuntimeError
from basic.registry import KeywordSpec
from bots.keywords.common import conversation_of, text_arg
from bots.models import Bot, Conversation
from bots.runtime import kb, tools
from bots.runtime.answer import prompt_messages
from llmrouter.config import llm_config
from llmrouter.provider import ChatRequest, LLMError
from llmrouter.services import llm_chat, not_configured_text

OPTIMIZE_GOALS = ("speed", "cost", "quality")


def _route(args: dict) -> dict[str, Any]:
    """The routing options, recorded with the call for the router (a later issue)."""
    route: dict[str, Any] = {}
    if "optimize" in args:
        goal = values.to_text(args["optimize"]).strip().lower()
        if goal not in OPTIMIZE_GOALS:
            raise BasicRuntimeError(
                'LLM WITH OPTIMIZE FOR takes "speed", "cost" or "quality"; '
                f"got {values.describe(args['optimize'])}"
            )
        route["optimize_for"] = goal
    for slot, key, what in (
        ("max_cost", "max_cost", "MAX_COST"),
        ("max_latency", "max_latency_ms", "MAX_LATENCY"),
    ):
        if slot in args:
            number = values.number_or_none(args[slot])
            if number is None or number < 0:
                raise BasicRuntimeError(
                    f"LLM WITH {what} takes a number of at least 0; got {values.describe(args[slot])}"
                )
            route[key] = number
    return route


def _llm(run: Any, args: dict) -> str:
    conversation = getattr(run.host, "conversation", None)
    conversation = conversation if isinstance(conversation, Conversation) else None
    bot = conversation.bot if conversation is not None else getattr(run.host, "bot", None)
    if not isinstance(bot, Bot):
        raise BasicRuntimeError(
            "LLM works only in a bot: talk to the bot, or run the script with `python manage.py gb run` "
            "inside its .gbai package"
        )
    prompt = text_arg(args, "prompt", "LLM", "a prompt")
    route = _route(args)
    config = llm_config(bot)
    if config is None:
        raise BasicRuntimeError(not_configured_text(bot))
    system = (
        prompt_messages(conversation, config)
        if conversation is not None
        else ([{"role": "system", "content": config.system_prompt}] if config.system_prompt else [])
    )
    request = ChatRequest(messages=[*system, {"role": "user", "content": prompt}], route=route)
    try:
        result, _call = llm_chat(
            bot=bot, conversation=conversation, request=request, purpose="keyword", config=config
        )
    except LLMError as exc:
        raise BasicRuntimeError(f"LLM: {exc}") from None
    return result.text


def _use_tool(run: Any, args: dict) -> None:
    conversation = conversation_of(run, "USE TOOL")
    tools.tool_use(conversation=conversation, name=text_arg(args, "name", "USE TOOL", "a tool name"))


def _add_tool(run: Any, args: dict) -> None:
    conversation = conversation_of(run, "ADD TOOL")
    tools.tool_use(conversation=conversation, name=text_arg(args, "name", "ADD TOOL", "a tool name"))


def _clear_tools(run: Any, args: dict) -> None:
    tools.tools_clear(conversation=conversation_of(run, "CLEAR TOOLS"))


def _use_kb(run: Any, args: dict) -> None:
    conversation = conversation_of(run, "USE KB")
    kb.kb_use(conversation=conversation, name=text_arg(args, "name", "USE KB", "a collection name"))


def _clear_kb(run: Any, args: dict) -> None:
    conversation = conversation_of(run, "CLEAR KB")
    name = text_arg(args, "name", "CLEAR KB", "a collection name") if "name" in args else None
    kb.kb_clear(conversation=conversation, name=name)


LLM_SPECS: tuple[KeywordSpec, ...] = (
    KeywordSpec(
        "LLM",
        (
            "{prompt} [WITH OPTIMIZE FOR {optimize}] [WITH MAX_COST {max_cost}] "
            "[WITH MAX_LATENCY {max_latency}]",
        ),
        _llm,
        effect=True,
        summary="Ask the bot's language model (config.csv llm-url, llm-model...) one question, with "
        "the conversation's system prompt and SET CONTEXT texts; gives the answer text. The "
        'WITH lines (OPTIMIZE FOR "speed"|"cost"|"quality", MAX_COST dollars, MAX_LATENCY ms) are '
        "recorded with the call for the model router.",
        example='summary = LLM "Summarise: " + complaint\n    WITH OPTIMIZE FOR "quality"\n'
        "    WITH MAX_COST 0.05",
        category="LLM and knowledge",
    ),
    KeywordSpec(
        "USE TOOL",
        ("{name}",),
        _use_tool,
        effect=True,
        summary="Let the LLM call a tool script of the package (`x.bas`, its PARAM lines are the "
        "arguments) for the rest of the conversation; a `.gbdialog/` prefix and `.bas` suffix are ignored.",
        example='USE TOOL "book-table"',
        category="LLM and knowledge",
    ),
    KeywordSpec(
        "ADD TOOL",
        ("{name}",),
        _add_tool,
        effect=True,
        summary="The older name of USE TOOL; does the same.",
        example='ADD TOOL "book-table.bas"',
        category="LLM and knowledge",
    ),
    KeywordSpec(
        "CLEAR TOOLS",
        ("",),
        _clear_tools,
        effect=True,
        summary="Stop offering any tool to the LLM in this conversation.",
        example="CLEAR TOOLS",
        category="LLM and knowledge",
    ),
    KeywordSpec(
        "USE KB",
        ("{name}",),
        _use_kb,
        effect=True,
        summary="Attach a knowledge-base collection (a folder of the package's `.gbkb`) to the "
        "conversation's later LLM turns.",
        example='USE KB "policies"',
        category="LLM and knowledge",
    ),
    KeywordSpec(
        "CLEAR KB",
        ("{name}", ""),
        _clear_kb,
        effect=True,
        summary="Detach one knowledge-base collection, or all of them without a name.",
        example='CLEAR KB "policies"\nCLEAR KB',
        category="LLM and knowledge",
    ),
)

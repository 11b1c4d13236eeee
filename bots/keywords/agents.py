"""Multi-agent keywords: attaching bots to the conversation (ADD BOT, REMOVE BOT, LIST BOTS, SET
BOT PRIORITY), handing it over (DELEGATE TO, TRANSFER CONVERSATION TO) and giving another bot a
task (``DELEGATE "task" TO BOT``). Both the code's and the docs' signatures are accepted.

The work is done by :mod:`bots.runtime.agents`; every keyword that writes is journaled.
"""

from __future__ import annotations

from typing import Any

from basic import values
from basic.errors import BasicRuntimeError
from basic.registry import KeywordSpec
from bots.keywords.common import conversation_of, text_arg
from bots.models import HandoffKind
from bots.runtime import agents


def _number(value: Any, phrase: str, what: str) -> float:
    try:
        return float(values.to_number(value))
    except (TypeError, ValueError, BasicRuntimeError):
        raise BasicRuntimeError(f"{phrase}: {what} must be a number, got {values.to_text(value)!r}") from None


def _add_bot(run: Any, args: dict) -> None:
    conversation = conversation_of(run, "ADD BOT")
    name = text_arg(args, "name", "ADD BOT", "a bot name")
    trigger = agents.trigger_parse(
        keywords=values.to_text(args.get("trigger", "")),
        tools=values.to_text(args.get("tools", "")),
        schedule=values.to_text(args.get("schedule", "")),
    )
    agents.bot_attach(conversation=conversation, name=name, trigger=trigger)


def _remove_bot(run: Any, args: dict) -> None:
    conversation = conversation_of(run, "REMOVE BOT")
    agents.bot_detach(conversation=conversation, name=text_arg(args, "name", "REMOVE BOT", "a bot name"))


def _list_bots(run: Any, args: dict) -> list:
    return agents.bots_list(conversation=conversation_of(run, "LIST BOTS"))


def _set_bot_priority(run: Any, args: dict) -> None:
    conversation = conversation_of(run, "SET BOT PRIORITY")
    name = text_arg(args, "name", "SET BOT PRIORITY", "a bot name")
    priority = _number(args["priority"], "SET BOT PRIORITY", "the priority")
    if priority != int(priority):
        raise BasicRuntimeError(f"SET BOT PRIORITY: the priority must be a whole number, got {priority:g}")
    agents.bot_priority_set(conversation=conversation, name=name, priority=int(priority))


def _hand_over(run: Any, name: str, kind: str, phrase: str) -> None:
    conversation = conversation_of(run, phrase)
    agents.conversation_hand_over(conversation=conversation, name=name, kind=kind, run=run.host.run)


def _delegate_to(run: Any, args: dict) -> None:
    name = text_arg(args, "name", "DELEGATE TO", "a bot name")
    _hand_over(run, name, HandoffKind.DELEGATE, "DELEGATE TO")


def _transfer(run: Any, args: dict) -> None:
    name = text_arg(args, "name", "TRANSFER CONVERSATION TO", "a bot name")
    _hand_over(run, name, HandoffKind.TRANSFER, "TRANSFER CONVERSATION TO")


def _delegate_task(run: Any, args: dict) -> str:
    conversation = conversation_of(run, "DELEGATE")
    name = text_arg(args, "name", "DELEGATE", "a bot name after TO BOT")
    timeout = _number(args["timeout"], "DELEGATE", "TIMEOUT") if "timeout" in args else None
    return agents.delegate_task(
        conversation=conversation,
        parent=run.host.run,
        inbound=run.host.inbound,
        name=name,
        task=values.to_text(args["task"]),
        timeout=timeout,
    )


AGENT_SPECS: tuple[KeywordSpec, ...] = (
    KeywordSpec(
        "ADD BOT",
        (
            "{name} WITH TRIGGER {trigger}",
            "{name} WITH TOOLS {tools}",
            "{name} WITH SCHEDULE {schedule}",
            "{name} TRIGGER ON {trigger} [TOOLS {tools}] [SCHEDULE {schedule}]",
            "{name}",
        ),
        _add_bot,
        effect=True,
        summary="Attach another bot to this conversation: it answers the user messages that contain "
        "one of its trigger words (or tool names), highest priority first. Also written "
        '`ADD BOT "x" TRIGGER ON "a,b" [TOOLS "t"] [SCHEDULE "cron"]`; without a trigger it '
        "answers every message. Adding it again replaces its trigger.",
        example='ADD BOT "billing-bot" WITH TRIGGER "invoice,refund,payment"',
        category="Multi-agent",
    ),
    KeywordSpec(
        "REMOVE BOT",
        ("{name}",),
        _remove_bot,
        effect=True,
        summary="Stop an attached bot from answering in this conversation (it stays listed as inactive).",
        example='REMOVE BOT "billing-bot"',
        category="Multi-agent",
    ),
    KeywordSpec(
        "LIST BOTS",
        ("",),
        _list_bots,
        summary="The active attached bots, highest priority first, as maps with name, priority, "
        "active, trigger, tools, schedule and joined_at.",
        example="bots = LIST BOTS\nFOR EACH b IN bots\n  TALK b.name\nNEXT",
        category="Multi-agent",
    ),
    KeywordSpec(
        "SET BOT PRIORITY",
        ("{name}, {priority}",),
        _set_bot_priority,
        effect=True,
        summary="Change an attached bot's priority; when several bots' triggers match a message, "
        "the highest priority answers.",
        example='SET BOT PRIORITY "billing-bot", 10',
        category="Multi-agent",
    ),
    KeywordSpec(
        "DELEGATE TO",
        ("{name}",),
        _delegate_to,
        effect=True,
        summary="Hand the conversation to another bot: from the next message on it answers (its "
        "start.bas runs first). Context, tools and suggestions of this bot are cleared.",
        example='DELEGATE TO "human-handoff-bot"',
        category="Multi-agent",
    ),
    KeywordSpec(
        "DELEGATE",
        ("{task} TO BOT {name} TIMEOUT {timeout}", "{task} TO BOT {name}"),
        _delegate_task,
        effect=True,
        summary="Run another bot's start.bas with the variable `task` and give back what it TALKed, "
        "without showing it to the user. The delegated dialog must not HEAR or WAIT; TIMEOUT "
        "bounds its run time in seconds.",
        example='summary = DELEGATE "Summarise order 42" TO BOT "orders-bot" TIMEOUT 30',
        category="Multi-agent",
    ),
    KeywordSpec(
        "TRANSFER CONVERSATION TO",
        ("{name}",),
        _transfer,
        effect=True,
        summary="Like DELEGATE TO, but the SET CONTEXT entries travel along to the other bot.",
        example='TRANSFER CONVERSATION TO "sales-bot"',
        category="Multi-agent",
    ),
)

"""Tools of a conversation: the package's scripts the LLM may call (USE TOOL / ADD TOOL), their
function schemas (from each script's PARAM/DESCRIPTION header), and running one.

A tool runs as an ordinary dialog run whose first variables are its PARAM values, so a tool that
HEARs waits for the user like any dialog. What it TALKs reaches the user and is also the tool's
result sent back to the model.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from basic.compiler import compile_source
from basic.errors import BasicError, BasicRuntimeError
from basic.toolschema import openai_function
from bots.models import Conversation, ConversationTool, DialogRun, Message, Role, RunStatus
from bots.runtime.runs import run_start
from bots.runtime.scripts import ScriptFile, dialog_script, script_name

logger = logging.getLogger(__name__)

START = "start"


class ToolNotFound(BasicRuntimeError):
    """USE TOOL names a script the package does not have."""


def _tool_script(conversation: Conversation, name: str) -> tuple[str, ScriptFile]:
    stem = script_name(name)
    bot = conversation.bot
    if not stem or stem == START:
        raise ToolNotFound(f'"{name}" cannot be a tool: name another .bas file of {bot.name}.gbdialog')
    script = dialog_script(bot, stem)
    if script is None:
        raise ToolNotFound(
            f'there is no tool "{name}" in bot {bot.name}: add {bot.name}.gbdialog/{stem}.bas '
            "(every .bas file of the package except start.bas can be a tool)"
        )
    return stem, script


def tool_use(*, conversation: Conversation, name: str) -> ConversationTool:
    """Offer a tool to the LLM for the rest of the conversation; its script must compile."""
    stem, script = _tool_script(conversation, name)
    compile_source(script.source, script.path)  # a broken tool is the author's error, here
    tool, _created = ConversationTool.objects.update_or_create(
        conversation=conversation, name=stem, defaults={"script": script.path}
    )
    return tool


def tools_clear(*, conversation: Conversation) -> int:
    deleted, _ = ConversationTool.objects.filter(conversation=conversation).delete()
    return deleted


def tool_names(conversation: Conversation) -> list[str]:
    return list(ConversationTool.objects.filter(conversation=conversation).values_list("name", flat=True))


def tool_functions(conversation: Conversation, names: list[str] | None = None) -> list[dict[str, Any]]:
    """The OpenAI ``tools`` list of the conversation, from each script's current header;
    ``names``: its :func:`tool_names`, when the caller has read them already.

    A tool whose script was removed or no longer compiles since USE TOOL is left out (logged),
    so one broken file does not silence the whole bot.
    """
    functions = []
    for name in tool_names(conversation) if names is None else names:
        script = dialog_script(conversation.bot, name)
        if script is None:
            logger.warning("conversation %s: tool %s has no script any more", conversation.pk, name)
            continue
        try:
            compiled = compile_source(script.source, script.path)
        except BasicError as err:
            logger.warning("conversation %s: tool %s does not compile: %s", conversation.pk, name, err)
            continue
        functions.append(openai_function(compiled, name))
    return functions


@dataclass(slots=True)
class ToolOutcome:
    """What running a tool gave: its run, the texts it sent, and whether it now waits."""

    run: DialogRun | None
    text: str
    waiting: bool = False
    failed: bool = False


def tool_run(
    *,
    conversation: Conversation,
    name: str,
    arguments: dict[str, Any],
    inbound: Message | None,
    source: dict[str, Any],
) -> ToolOutcome:
    """Run the tool script with ``arguments`` as its PARAM variables; its replies get ``source``
    merged into theirs (which LLM call, which tool)."""
    stem = script_name(name)
    script = dialog_script(conversation.bot, stem) if stem and stem != START else None
    if script is None:
        return ToolOutcome(None, f"error: there is no tool named {name!r}", failed=True)
    arguments = {str(key).lower(): "" if value is None else value for key, value in arguments.items()}
    run = run_start(
        conversation=conversation, script=script, inbound=inbound, inputs=arguments, detail={"tool": stem}
    )
    texts = []
    for message in Message.objects.filter(run=run, role=Role.BOT).order_by("id"):
        message.source = {**message.source, "tool": stem, **source}
        message.save(update_fields=["source"])
        if message.kind != "error":
            texts.append(message.content)
    failed = run.status == RunStatus.FAILED
    text = "\n".join(texts) or ("error: the tool failed" if failed else "done")
    return ToolOutcome(run, text, waiting=run.status == RunStatus.WAITING, failed=failed)


def suggested_tool(conversation: Conversation, text: str) -> str | None:
    """The tool of the ``ADD SUGGESTION TOOL`` chip whose label (or text) the user sent."""
    wanted = text.strip().casefold()
    if not wanted:
        return None
    for chip in conversation.suggestions:
        if chip.get("kind") != "tool":
            continue
        if wanted in (
            str(chip.get("label", "")).strip().casefold(),
            str(chip.get("text", "")).strip().casefold(),
        ):
            return str(chip.get("tool") or "") or None
    return None

"""Reads of the conversation loop: a turn's replies, what the conversation waits for, its chips."""

from __future__ import annotations

from typing import Any

from bots.models import Conversation, DialogRun, Message, Role, RunStatus


def message_replies(*, message: Message) -> list[Message]:
    """The bot's replies to one user message, in order (TALK TO messages go elsewhere)."""
    return list(message.replies.filter(role=Role.BOT).exclude(kind="talk_to").order_by("id"))


def conversation_waiting_run(*, conversation: Conversation) -> DialogRun | None:
    return (
        DialogRun.objects.filter(conversation=conversation, status=RunStatus.WAITING).order_by("-id").first()
    )


def run_waiting_for(*, run: DialogRun | None) -> dict[str, Any] | None:
    """``{"kind": "input", "variable": ..., "type"/"options": ...}`` or ``{"kind": "timer", ...}``."""
    if run is None:
        return None
    out: dict[str, Any] = {"kind": run.waiting_for, **run.detail}
    if run.due_at is not None:
        out["due_at"] = run.due_at.isoformat()
    return out


def conversation_suggestions(*, conversation: Conversation, run: DialogRun | None) -> list[dict[str, Any]]:
    """The chips to show now: a waiting menu's options; none while a dialog waits for something
    else; otherwise the conversation's suggestions (sent once start.bas has finished)."""
    if run is not None:
        if run.waiting_for == "input" and "options" in run.detail:
            return [{"kind": "menu", "text": option, "label": option} for option in run.detail["options"]]
        return []
    return list(conversation.suggestions)

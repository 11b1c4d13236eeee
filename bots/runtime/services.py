"""Writes of the conversation loop: receiving a message, answering a conversation's queue in
order, firing due waits, and the conversation state scripts change (context, prompt, chips).

A user message is stored first (status pending), in its own transaction, so it is never lost.
Then :func:`conversation_process` answers the conversation's pending messages one at a time, in
arrival order, each in a transaction that holds the conversation row's lock (select_for_update on
PostgreSQL; SQLite's IMMEDIATE transactions serialise writers the same way): a message sent while
the bot is still answering the previous one waits for it, and is answered after it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from basic.errors import BasicError
from basic.input_types import canonical_kind
from bots.models import (
    Bot,
    Channel,
    Conversation,
    ConversationError,
    DialogRun,
    Message,
    MessageStatus,
    Role,
    RunStatus,
)
from bots.runtime import agents
from bots.runtime.answer import answers_for
from bots.runtime.errors import APOLOGY, script_error_answer
from bots.runtime.live import conversation_changed
from bots.runtime.runs import run_end_waiting, run_resume, run_start
from bots.runtime.scripts import start_script

logger = logging.getLogger(__name__)


class ConversationNotFound(LookupError):
    """No conversation with that id for this bot and user."""


@dataclass(slots=True)
class Turn:
    """What posting one message did: the stored message and, once answered, its replies."""

    conversation: Conversation
    message: Message


def conversation_open(
    *,
    bot: Bot,
    channel: str = Channel.API,
    user: AbstractBaseUser | None = None,
    user_key: str = "",
    conversation_id: int | None = None,
) -> Conversation:
    """The user's conversation ``conversation_id`` with this bot, or a new one when no id is given."""
    if conversation_id is not None:
        owner = Q(user=user) if user is not None else Q(user__isnull=True)
        # The common case first: a plain lookup of the bot's own conversation (no join, no DISTINCT).
        own = Conversation.objects.filter(owner, pk=conversation_id, bot=bot, user_key=user_key)
        conversation = own.first()
        if conversation is not None:
            conversation.bot = bot
            return conversation
        # A conversation this bot handed over (DELEGATE TO) is still reached through this bot.
        found = Conversation.objects.filter(
            Q(bot=bot) | Q(handoffs__from_bot=bot), owner, pk=conversation_id, user_key=user_key
        ).distinct()
        conversation = found.select_related("bot").first()
        if conversation is None:
            raise ConversationNotFound(
                f"no conversation {conversation_id} of this user with bot {bot.name!r}"
            )
        return conversation
    return Conversation.objects.create(bot=bot, channel=channel, user=user, user_key=user_key)


def message_receive(*, conversation: Conversation, text: str) -> Message:
    """Store a user message as pending; it is answered by :func:`conversation_process`."""
    with transaction.atomic():
        message = Message.objects.create(
            conversation=conversation, role=Role.USER, content=text, status=MessageStatus.PENDING
        )
        Conversation.objects.filter(pk=conversation.pk).update(updated_at=timezone.now())
    return message


def message_post(
    *,
    bot: Bot,
    text: str,
    channel: str = Channel.API,
    user: AbstractBaseUser | None = None,
    user_key: str = "",
    conversation_id: int | None = None,
) -> Turn:
    """Receive a user message and answer the conversation's queue; the turn names the message."""
    conversation = conversation_open(
        bot=bot, channel=channel, user=user, user_key=user_key, conversation_id=conversation_id
    )
    message = message_receive(conversation=conversation, text=text)
    answered = _process_queue(conversation.pk)
    if message.pk in answered:
        message.status = answered[message.pk]  # set by the transaction that answered it
    else:
        message.refresh_from_db(fields=["status"])  # still queued, or answered by another process
    conversation.refresh_from_db()
    return Turn(conversation=conversation, message=message)


def conversation_process(*, conversation_id: int) -> int:
    """Answer the conversation's pending messages in order; returns how many were answered.

    Stops at a message that must wait (the dialog waits for a timer or an event, not for the
    user); it stays pending and is answered when that wait ends.
    """
    return len(_process_queue(conversation_id))


def _process_queue(conversation_id: int) -> dict[int, str]:
    """Answer the pending messages in order; the status each answered message ended with."""
    answered: dict[int, str] = {}
    try:
        more = True
        while more:
            outcome = _process_next(conversation_id)
            if outcome is None:
                break
            message_id, status, more = outcome
            answered[message_id] = status
    finally:
        if answered:
            conversation_changed(conversation_id=conversation_id)
    return answered


def _process_next(conversation_id: int) -> tuple[int, str, bool] | None:
    """Answer the oldest pending message under the conversation's lock: its id, its new status
    and whether another message was already queued behind it; None when nothing was answered.

    Looking at the next message in the same query spares a locked transaction that would only
    find the queue empty. A message stored after that query is answered by whoever stored it:
    every receiver processes the queue after its own insert commits, behind this lock.
    """
    message_id: int | None = None
    more = False
    try:
        with transaction.atomic():
            conversation = _lock(conversation_id)
            pending = list(
                Message.objects.filter(
                    conversation=conversation, role=Role.USER, status=MessageStatus.PENDING
                ).order_by("id")[:2]
            )
            if not pending:
                return None
            message, more = pending[0], len(pending) > 1
            message_id = message.pk
            if not _answer(conversation, message):
                return None
            Message.objects.filter(pk=message.pk).update(status=MessageStatus.DONE)
            return message.pk, MessageStatus.DONE, more
    except Exception as exc:
        # The runtime failed (not the script: those are answered above): the message must not
        # block the queue forever, so it is marked failed and the user gets an apology.
        logger.exception("conversation %s: answering message %s failed", conversation_id, message_id)
        if message_id is None:
            raise
        _message_failed(conversation_id, message_id, exc)
        return message_id, MessageStatus.FAILED, more


def _lock(conversation_id: int) -> Conversation:
    return Conversation.objects.select_for_update().select_related("bot").get(pk=conversation_id)


def _waiting_run(conversation: Conversation) -> DialogRun | None:
    return (
        DialogRun.objects.filter(conversation=conversation, status=RunStatus.WAITING)
        .select_related("script_version", "agent__bot")
        .order_by("-id")
        .first()
    )


def _answer(conversation: Conversation, message: Message) -> bool:
    """Answer one message; False when it has to stay queued."""
    run = _waiting_run(conversation)
    if run is not None:
        if run.waiting_for != "input":
            return False
        with agents.run_acting(conversation, run):
            run_resume(conversation=conversation, run=run, value=message.content, inbound=message)
        return True
    if not conversation.start_done:
        conversation.start_done = True
        conversation.save(update_fields=["start_done", "updated_at"])
        if _start_dialog(conversation, message):
            return True
    if agents.agent_answer(conversation=conversation, message=message):
        return True  # an attached bot (ADD BOT) whose trigger matches answered
    _reply_with_answers(conversation, message)
    return True


def _start_dialog(conversation: Conversation, message: Message) -> bool:
    """Run start.bas for the first message. False when there is none, or when it finished
    without a word to a non-empty message: that message then goes to the answer provider."""
    try:
        script = start_script(conversation.bot)
    except BasicError as err:
        script_error_answer(conversation=conversation, message=message, err=err)
        return True
    if script is None:
        return False
    run = run_start(conversation=conversation, script=script, inbound=message)
    if run.status != RunStatus.FINISHED:
        return True  # waiting for the user (or failed, with an apology)
    return message.replies.exists() or not message.content.strip()


def _reply_with_answers(conversation: Conversation, message: Message) -> None:
    for answer in answers_for(conversation=conversation, message=message):
        Message.objects.create(
            conversation=conversation,
            role=Role.BOT,
            content=answer.text,
            kind=answer.kind,
            reply_to=message,
            source=answer.source,
        )


def _message_failed(conversation_id: int, message_id: int, exc: Exception) -> None:
    with transaction.atomic():
        conversation = _lock(conversation_id)
        Message.objects.filter(pk=message_id).update(status=MessageStatus.FAILED)
        inbound = Message.objects.get(pk=message_id)
        record = ConversationError.objects.create(
            conversation=conversation, message=inbound, text=f"internal error: {type(exc).__name__}: {exc}"
        )
        Message.objects.create(
            conversation=conversation,
            role=Role.BOT,
            content=APOLOGY,
            kind="error",
            reply_to=inbound,
            source={"runtime": "internal-error", "error": record.pk},
        )


# --- waits that end by themselves -------------------------------------------------------------


def _untyped_hear(detail: dict[str, Any]) -> bool:
    kind = detail.get("type")
    return "options" not in detail and (not kind or canonical_kind(str(kind)) is None)


def runs_fire_due(*, now: datetime | None = None, limit: int = 200) -> int:
    """End the waits that are due (WAIT timers, HEAR timeouts); returns how many fired.

    A due WAIT resumes. A plain HEAR (or ``AS TEXT``/``AS STRING``) that times out resumes with
    the empty string, so the script sees ``x = ""`` and goes on. A typed or menu HEAR cannot hold
    an empty answer, so its run ends there without a message. Then the conversation's queued
    messages are answered.
    """
    now = now or timezone.now()
    due = list(
        DialogRun.objects.filter(status=RunStatus.WAITING, due_at__lte=now)
        .order_by("due_at")
        .values_list("pk", "conversation_id")[:limit]
    )
    fired = 0
    for run_id, conversation_id in due:
        with transaction.atomic():
            conversation = _lock(conversation_id)
            run = (
                DialogRun.objects.select_related("script_version", "agent__bot")
                .filter(pk=run_id, status=RunStatus.WAITING, due_at__lte=now)
                .first()
            )
            if run is None:
                continue  # answered or fired meanwhile
            _fire(conversation, run)
            fired += 1
        conversation_changed(conversation_id=conversation_id)
        conversation_process(conversation_id=conversation_id)
    return fired


def _fire(conversation: Conversation, run: DialogRun) -> None:
    if run.waiting_for == "input" and not _untyped_hear(run.detail):
        run_end_waiting(run=run, reason="hear-timeout")
        return
    value = "" if run.waiting_for == "input" else None
    with agents.run_acting(conversation, run):
        run_resume(conversation=conversation, run=run, value=value, inbound=None)


# --- conversation state that scripts change ----------------------------------------------------


def _save_state(conversation: Conversation, *fields: str) -> None:
    conversation.save(update_fields=[*fields, "updated_at"])


def conversation_context_set(*, conversation: Conversation, name: str, text: str) -> None:
    """SET CONTEXT: a named piece of context for the LLM prompt (a later one replaces it)."""
    conversation.context = {**conversation.context, name: text}
    _save_state(conversation, "context")


def conversation_system_prompt_set(*, conversation: Conversation, text: str) -> None:
    conversation.system_prompt = text
    _save_state(conversation, "system_prompt")


def conversation_suggestion_add(*, conversation: Conversation, suggestion: dict[str, Any]) -> None:
    """Add a chip; one equal to an existing chip is not repeated."""
    if suggestion not in conversation.suggestions:
        conversation.suggestions = [*conversation.suggestions, suggestion]
        _save_state(conversation, "suggestions")


def conversation_suggestions_clear(*, conversation: Conversation) -> None:
    conversation.suggestions = []
    _save_state(conversation, "suggestions")


def conversation_switcher_add(*, conversation: Conversation, switcher_id: str, label: str) -> None:
    """Add a switcher, or relabel the one with the same id."""
    kept = [item for item in conversation.switchers if item.get("id") != switcher_id]
    conversation.switchers = [*kept, {"id": switcher_id, "label": label}]
    _save_state(conversation, "switchers")


def conversation_switchers_clear(*, conversation: Conversation) -> None:
    conversation.switchers = []
    _save_state(conversation, "switchers")

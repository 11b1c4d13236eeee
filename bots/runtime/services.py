"""Writes of the conversation loop: receiving a message, answering a conversation's queue in
order, firing due waits, and the conversation state scripts change (context, prompt, chips).

Messages are answered one at a time, in arrival order, each in a transaction that holds the
conversation row's lock (select_for_update on PostgreSQL; SQLite's IMMEDIATE transactions
serialise writers the same way): a message sent while the bot is still answering the previous one
waits for it, and is answered after it.

:func:`message_post` (the API and the CLI) takes the lock first. When nothing is queued, it
stores the message and answers it in that one transaction, so the message, the replies and the
run's new state commit together before the caller gets its answer; if the runtime fails, the
message is stored as failed with an apology. When messages are queued (behind a dialog's timer),
it stores the message as pending and answers the queue in order.
:func:`message_receive` stores a message as pending in its own transaction, and
:func:`conversation_process` answers the queue (the web chat's path).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
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
from bots.runtime.answer import answers_store
from bots.runtime.errors import APOLOGY, script_error_answer
from bots.runtime.live import conversation_changed
from bots.runtime.prepared import PreparedRead, PreparedUpdate
from bots.runtime.runs import (
    conversation_lock,
    hear_timeout_annotation,
    run_end_waiting,
    run_resume,
    run_start,
)
from bots.runtime.scripts import script_version_get, start_script
from bots.runtime.waits import dialog_waits

logger = logging.getLogger(__name__)


class ConversationNotFound(LookupError):
    """No conversation with that id for this bot and user."""


@dataclass(slots=True)
class TurnOutcome:
    """What a message answered in its own transaction left, read in that transaction: its
    replies (the bot's, in order, without TALK TO messages) and the run now waiting, if any (with
    only what clients are told: what it waits for, its detail and due time)."""

    replies: list[Message]
    waiting_run: DialogRun | None


@dataclass(slots=True)
class Turn:
    """What posting one message did: the stored message and, once answered, its replies.

    ``outcome`` is set when the message was answered in the transaction that stored it; otherwise
    (it was queued) the selectors read the replies and the waiting run.
    """

    conversation: Conversation
    message: Message
    outcome: TurnOutcome | None = None


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
    """Receive a user message and answer it (or queue it behind the messages before it).

    The conversation is ``conversation_id`` of this user with this bot (a new one when omitted);
    :class:`ConversationNotFound` when there is no such conversation.
    """
    if conversation_id is None:
        conversation_id = Conversation.objects.create(
            bot=bot, channel=channel, user=user, user_key=user_key
        ).pk
    message: Message | None = None
    outcome: TurnOutcome | None = None
    try:
        with transaction.atomic():
            conversation = _turn_lock(conversation_id, bot=bot, user=user, user_key=user_key)
            if conversation is None:  # not the bot's own: maybe one it handed over, or not found
                found = conversation_open(
                    bot=bot, user=user, user_key=user_key, conversation_id=conversation_id
                )
                conversation = conversation_lock(found.pk)
            run = _waiting_run(conversation)
            if run is not None:
                queued = bool(run.queued)
            else:
                queued = _PENDING.first(conversation_id=conversation.pk) is not None
            message = _message_store(
                conversation, text, MessageStatus.PENDING if queued else MessageStatus.DONE
            )
            if not queued:
                if not _answer(conversation, message, run):
                    message.status = MessageStatus.PENDING  # it waits behind the dialog's timer
                    Message.objects.filter(pk=message.pk).update(status=MessageStatus.PENDING)
                outcome = TurnOutcome(
                    replies=_REPLIES.list(message_id=message.pk),
                    waiting_run=_WAITING_FOR.first(conversation_id=conversation.pk),
                )
    except ConversationNotFound:
        raise
    except Exception as exc:
        if message is None:
            raise  # nothing was stored: the caller sees the error
        # The runtime failed (script errors are answered above) and the transaction rolled back:
        # the message is kept as failed and the user gets an apology.
        logger.exception("conversation %s: answering a new message failed", conversation_id)
        failed = _message_failed(conversation_id, None, exc, text=text)
        conversation_changed(conversation_id=conversation_id)
        return Turn(conversation=Conversation.objects.get(pk=conversation_id), message=failed)
    if outcome is not None:
        conversation_changed(conversation_id=conversation.pk)
        if not conversation.start_done:
            conversation.refresh_from_db()  # handed over (DELEGATE TO) by a queryset update
        return Turn(conversation=conversation, message=message, outcome=outcome)
    answered = _process_queue(conversation.pk)
    if message.pk in answered:
        message.status = answered[message.pk]  # set by the transaction that answered it
    else:
        message.refresh_from_db(fields=["status"])  # still queued, or answered by another process
    conversation.refresh_from_db()
    return Turn(conversation=conversation, message=message)


def _message_store(conversation: Conversation, text: str, status: str) -> Message:
    now = timezone.now()
    message = Message.objects.create(conversation=conversation, role=Role.USER, content=text, status=status)
    _CONVERSATION_UPDATE.run({"updated_at": now}, conversation_id=conversation.pk)
    conversation.updated_at = now
    return message


_CONVERSATION_UPDATE = PreparedUpdate(
    lambda conversation_id: Conversation.objects.filter(pk=conversation_id), conversation_id=int
)


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
            conversation = conversation_lock(conversation_id)
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


def _turn_locking() -> QuerySet[Conversation]:
    """Conversations locked for a turn, with the bot's hear-timeout config read by the same query."""
    return Conversation.objects.select_for_update(of=("self",)).annotate(**hear_timeout_annotation())


def _own_locked(conversation_id: int, bot_id: int, user_key: str) -> QuerySet[Conversation]:
    owned = _turn_locking().filter(pk=conversation_id, bot_id=bot_id, user_key=user_key, user__isnull=True)
    return owned.order_by()[:1]


def _own_locked_by_user(
    conversation_id: int, bot_id: int, user_key: str, user_id: int
) -> QuerySet[Conversation]:
    owned = _turn_locking().filter(pk=conversation_id, bot_id=bot_id, user_key=user_key, user_id=user_id)
    return owned.order_by()[:1]


_OWN_LOCKED = PreparedRead(_own_locked, conversation_id=int, bot_id=int, user_key=str)
_OWN_LOCKED_BY_USER = PreparedRead(
    _own_locked_by_user, conversation_id=int, bot_id=int, user_key=str, user_id=int
)


def _turn_lock(
    conversation_id: int, *, bot: Bot, user: AbstractBaseUser | None, user_key: str
) -> Conversation | None:
    """The user's conversation with this bot, locked for a turn; None when it is not theirs."""
    if user is None:
        found = _OWN_LOCKED.first(conversation_id=conversation_id, bot_id=bot.pk, user_key=user_key)
    else:
        found = _OWN_LOCKED_BY_USER.first(
            conversation_id=conversation_id, bot_id=bot.pk, user_key=user_key, user_id=user.pk
        )
    if found is not None:
        found.bot = bot
    return found


def _pending(conversation_id: Any) -> QuerySet[Message]:
    """The user messages that wait to be answered (``conversation_id``: an id or an OuterRef)."""
    return Message.objects.filter(
        conversation_id=conversation_id, role=Role.USER, status=MessageStatus.PENDING
    )


def _has_pending(conversation_id: int) -> QuerySet[Message]:
    return _pending(conversation_id).only("id")[:1]


def _latest_waiting_run(conversation_id: int) -> QuerySet[DialogRun]:
    waiting = DialogRun.objects.filter(conversation_id=conversation_id, status=RunStatus.WAITING)
    named = waiting.annotate(
        script_hash=F("script_version__hash"),
        agent_bot_id=F("agent__bot_id"),
        queued=Exists(_pending(OuterRef("conversation_id"))),
    )
    return named.order_by("-id")[:1]


def _latest_waiting_for(conversation_id: int) -> QuerySet[DialogRun]:
    waiting = DialogRun.objects.filter(conversation_id=conversation_id, status=RunStatus.WAITING)
    return waiting.only("id", "status", "waiting_for", "detail", "due_at").order_by("-id")[:1]


def _bot_replies(message_id: int) -> QuerySet[Message]:
    replies = Message.objects.filter(reply_to_id=message_id, role=Role.BOT)
    return replies.exclude(kind="talk_to").order_by("id")


# Read after the lock is held, in statements of their own: on PostgreSQL, the statement that
# waited for the lock still sees other rows as they were when it began, and could miss a message
# queued meanwhile.
_WAITING_RUN = PreparedRead(_latest_waiting_run, conversation_id=int)
_PENDING = PreparedRead(_has_pending, conversation_id=int)
# What a client is told the conversation waits for (the run's state stays unread).
_WAITING_FOR = PreparedRead(_latest_waiting_for, conversation_id=int)
_REPLIES = PreparedRead(_bot_replies, message_id=int)


def _waiting_run(conversation: Conversation) -> DialogRun | None:
    """The conversation's latest waiting run, with its script version (from the process's cache),
    for a run in which no other bot acts the answer that it has no agent, and ``queued``: whether
    user messages wait to be answered."""
    run = _WAITING_RUN.first(conversation_id=conversation.pk)
    if run is None:
        return None
    run.script_version = script_version_get(run.script_version_id, run.script_hash)
    if run.agent_bot_id is None:
        DialogRun.agent.related.set_cached_value(run, None)  # as select_related("agent") would
    return run


_UNREAD: Any = object()


def _answer(conversation: Conversation, message: Message, run: DialogRun | None = _UNREAD) -> bool:
    """Answer one message (``run``: the waiting run, when the caller read it under the same
    lock); False when it has to stay queued."""
    if run is _UNREAD:
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
    answers_store(conversation=conversation, message=message)
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


def _message_failed(
    conversation_id: int, message_id: int | None, exc: Exception, *, text: str = ""
) -> Message:
    """Mark the message failed (or store it as failed, with ``text``, when ``message_id`` is
    None), record the error and apologise; returns the message."""
    with transaction.atomic():
        conversation = conversation_lock(conversation_id)
        if message_id is None:
            inbound = _message_store(conversation, text, MessageStatus.FAILED)
        else:
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
    return inbound


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
            conversation = conversation_lock(conversation_id)
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
    if run.waiting_for in dialog_waits:
        value = dialog_waits[run.waiting_for].on_due(run)
    else:
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

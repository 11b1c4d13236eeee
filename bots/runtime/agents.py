"""Several bots in one conversation: bots attached by ADD BOT that answer the messages their
trigger matches, handing the conversation to another bot (DELEGATE TO, TRANSFER CONVERSATION TO),
and running another bot's dialog for a task (``DELEGATE "task" TO BOT``).

Another bot acts in the conversation by running with the conversation's ``bot`` swapped in
memory (:func:`acting_as`), so every keyword of its dialog (memory, tools, config) works on that
bot; the swap is never saved (conversation saves name their fields). A run in which another bot
acts is recorded as an :class:`AgentRun`, so a later resume acts as the same bot again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from basic.errors import BasicError, BasicRuntimeError
from basic.limits import Limits
from bots.models import (
    AgentRun,
    Bot,
    Conversation,
    ConversationBot,
    ConversationError,
    ConversationHandoff,
    DialogRun,
    HandoffKind,
    Message,
    Role,
    RunStatus,
)
from bots.runtime.answer import answers_store
from bots.runtime.errors import script_error_answer, script_error_record
from bots.runtime.kb import kb_clear
from bots.runtime.live import conversation_changed
from bots.runtime.runs import DIALOG_LIMITS, conversation_lock, run_end_waiting, run_start
from bots.runtime.scripts import ScriptFile, start_script
from bots.runtime.tools import tools_clear
from bots.triggers.phrases import (
    CRON_RANGES,
    CRON_SHAPE,
    Cron,
    CronError,
    CronValueError,
    cron_fields,
    cron_parse,
)


class AgentError(BasicRuntimeError):
    """A multi-agent keyword the author must fix (an unknown bot, a bad trigger...)."""


# --- which bots exist ---------------------------------------------------------------------------


def active_bot(name: str, *, phrase: str) -> Bot:
    """The active bot called ``name`` (case-insensitive), or an error naming the known bots."""
    found = Bot.objects.filter(name__iexact=name.strip(), active=True).first()
    if found is None:
        known = ", ".join(Bot.objects.filter(active=True).order_by("name").values_list("name", flat=True))
        raise AgentError(f'{phrase}: there is no active bot "{name}"; the bots are: {known or "(none)"}')
    return found


def _names(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _schedule_cron(text: str) -> Cron:
    try:
        return cron_parse(text)
    except CronValueError as exc:
        raise AgentError(
            f'ADD BOT: "{text}" is not a valid cron schedule ({exc}); the fields are {CRON_RANGES}'
        ) from None
    except CronError:
        raise AgentError(f'ADD BOT: "{text}" is not a cron schedule; {CRON_SHAPE}') from None


def trigger_parse(*, keywords: str = "", tools: str = "", schedule: str = "") -> dict[str, Any]:
    """The trigger JSON of an attachment; an empty one means the bot answers every message."""
    schedule = " ".join(schedule.split())
    if schedule:
        _schedule_cron(schedule)
    trigger: dict[str, Any] = {"keywords": _names(keywords), "tools": _names(tools)}
    if schedule:
        trigger["schedule"] = schedule
    return trigger


# --- attaching bots ------------------------------------------------------------------------------


def bot_attach(
    *, conversation: Conversation, name: str, trigger: dict[str, Any], phrase: str = "ADD BOT"
) -> ConversationBot:
    """Attach (or re-attach, with the new trigger) another bot to the conversation."""
    bot = active_bot(name, phrase=phrase)
    if bot.pk == conversation.bot_id:
        raise AgentError(f'{phrase}: "{bot.name}" is the bot of this conversation already')
    attached, created = ConversationBot.objects.get_or_create(
        conversation=conversation, bot=bot, defaults={"trigger": trigger}
    )
    if not created:
        attached.trigger = trigger
        attached.active = True
        attached.save(update_fields=["trigger", "active"])
    return attached


def _attachment(conversation: Conversation, name: str, phrase: str) -> ConversationBot:
    found = (
        ConversationBot.objects.filter(conversation=conversation, bot__name__iexact=name.strip())
        .select_related("bot")
        .first()
    )
    if found is None:
        attached = ", ".join(bots_list(conversation=conversation, active_only=False, names_only=True))
        raise AgentError(
            f'{phrase}: bot "{name}" is not attached to this conversation (use ADD BOT first); '
            f"attached: {attached or '(none)'}"
        )
    return found


def bot_detach(*, conversation: Conversation, name: str) -> ConversationBot:
    """REMOVE BOT: the bot stops answering here; the row is kept (inactive) for the record."""
    attached = _attachment(conversation, name, "REMOVE BOT")
    attached.active = False
    attached.save(update_fields=["active"])
    return attached


def bot_priority_set(*, conversation: Conversation, name: str, priority: int) -> ConversationBot:
    attached = _attachment(conversation, name, "SET BOT PRIORITY")
    attached.priority = priority
    attached.save(update_fields=["priority"])
    return attached


def bots_list(*, conversation: Conversation, active_only: bool = True, names_only: bool = False) -> list[Any]:
    """The attached bots, highest priority first, as maps for LIST BOTS (or just their names)."""
    rows = ConversationBot.objects.filter(conversation=conversation).select_related("bot")
    if active_only:
        rows = rows.filter(active=True)
    if names_only:
        return [row.bot.name for row in rows]
    return [
        {
            "name": row.bot.name,
            "priority": row.priority,
            "active": row.active,
            "trigger": ",".join(row.trigger.get("keywords", [])),
            "tools": ",".join(row.trigger.get("tools", [])),
            "schedule": row.trigger.get("schedule", ""),
            "joined_at": row.joined_at.isoformat(),
        }
        for row in rows
    ]


# --- routing a message to an attached bot --------------------------------------------------------


def _mentions(text: str, word: str) -> bool:
    pattern = r"(?<!\w)" + r"\s+".join(re.escape(part) for part in word.split()) + r"(?!\w)"
    return re.search(pattern, text, flags=re.IGNORECASE) is not None


def _matches(trigger: dict[str, Any], text: str) -> bool:
    keywords = trigger.get("keywords") or []
    tools = trigger.get("tools") or []
    if not keywords and not tools:
        return not trigger.get("schedule")  # plain ADD BOT "x": it answers every message
    return any(_mentions(text, word) for word in [*keywords, *tools])


def bots_matching(*, conversation: Conversation, text: str) -> list[ConversationBot]:
    """The attached active bots whose trigger the message matches, priority DESC then join time."""
    rows = (
        ConversationBot.objects.filter(conversation=conversation, active=True, bot__active=True)
        .exclude(bot_id=conversation.bot_id)
        .select_related("bot")
        .order_by("-priority", "joined_at", "id")
    )
    return [row for row in rows if _matches(row.trigger, text)]


@contextmanager
def acting_as(conversation: Conversation, bot: Bot) -> Iterator[None]:
    """Let ``bot`` act in the conversation for the duration (in memory only)."""
    own = conversation.bot
    if bot.pk == own.pk:
        yield
        return
    conversation.bot = bot
    try:
        yield
    finally:
        conversation.bot = own


@contextmanager
def run_acting(conversation: Conversation, run: DialogRun) -> Iterator[None]:
    """Resume ``run`` as the bot it was started for (an attached or delegated bot's dialog).

    A run loaded with ``select_related("agent__bot")`` answers this without a query."""
    try:
        agent: AgentRun | None = run.agent
    except AgentRun.DoesNotExist:
        agent = None
    if agent is None:
        yield
        return
    with acting_as(conversation, agent.bot):
        yield


def _last_id(conversation: Conversation) -> int:
    return Message.objects.filter(conversation=conversation).aggregate(last=Max("id"))["last"] or 0


def _mark(conversation: Conversation, after: int, extra: dict[str, Any]) -> None:
    for reply in Message.objects.filter(
        conversation=conversation, id__gt=after, role__in=(Role.BOT, Role.TOOL)
    ):
        reply.source = {**reply.source, **extra}
        reply.save(update_fields=["source"])


def agent_answer(*, conversation: Conversation, message: Message) -> bool:
    """Let the first attached bot whose trigger matches answer ``message``; False when none does.

    That bot's start.bas runs in this conversation (or, without one, its answer provider
    answers); its replies name it in their source (``"agent": name``).
    """
    chosen = bots_matching(conversation=conversation, text=message.content)
    if not chosen:
        return False
    bot = chosen[0].bot
    before = _last_id(conversation)
    try:
        script = start_script(bot)
    except BasicError as err:
        script_error_answer(conversation=conversation, message=message, err=err)
        return True
    if script is None:
        with acting_as(conversation, bot):
            answers_store(conversation=conversation, message=message)
    else:
        _agent_run(conversation, bot, script, inbound=message)
    _mark(conversation, before, {"agent": bot.name})
    return True


def _agent_run(
    conversation: Conversation,
    bot: Bot,
    script: ScriptFile,
    *,
    inbound: Message | None,
    parent: DialogRun | None = None,
    **options: Any,
) -> DialogRun:
    """Start ``script`` of another bot as that bot (``options`` as for :func:`run_start`),
    recorded as an :class:`AgentRun`, so a later resume acts as that bot again."""
    with acting_as(conversation, bot):
        run = run_start(conversation=conversation, script=script, inbound=inbound, **options)
    AgentRun.objects.create(run=run, bot=bot, parent=parent)
    return run


# --- attached bots on a schedule ---------------------------------------------------------------


def _due(attached: ConversationBot, now: datetime) -> bool:
    try:
        cron = cron_fields(attached.trigger["schedule"]).crontab(now)
    except CronError:
        return False  # validated by ADD BOT; an edited row with a bad schedule never fires
    return cron.is_due(attached.last_fired_at or attached.joined_at).is_due


def scheduled_bots_fire(*, now: datetime | None = None) -> int:
    """Run the dialog of every attached bot whose schedule is due, in its conversation; returns
    how many ran. Called by the periodic sweep (bots.fire_due_runs).

    The bot's start.bas runs as that bot with no inbound message; its TALKs reach the user with
    ``"agent"`` and ``"schedule"`` in their source. A conversation whose dialog waits for the
    user is left alone this time (the schedule counts as fired), so a HEAR is never interrupted.
    """
    now = now or timezone.now()
    candidates = (
        ConversationBot.objects.filter(active=True, bot__active=True, trigger__has_key="schedule")
        .select_related("bot")
        .order_by("id")
    )
    fired = 0
    for attached in [row for row in candidates if _due(row, now)]:
        with transaction.atomic():
            conversation = conversation_lock(attached.conversation_id)
            claimed = ConversationBot.objects.filter(
                pk=attached.pk, last_fired_at=attached.last_fired_at
            ).update(last_fired_at=now)
            if claimed != 1:
                continue  # another sweep fired it meanwhile
            if DialogRun.objects.filter(conversation=conversation, status=RunStatus.WAITING).exists():
                continue
            _scheduled_run(conversation, attached)
            fired += 1
        conversation_changed(conversation_id=conversation.pk)
    return fired


def _scheduled_run(conversation: Conversation, attached: ConversationBot) -> None:
    bot = attached.bot
    before = _last_id(conversation)
    try:
        script = start_script(bot)
    except BasicError as err:
        script_error_record(conversation=conversation, err=err)
        return
    if script is None:
        ConversationError.objects.create(
            conversation=conversation,
            text=f'ADD BOT "{bot.name}" WITH SCHEDULE: bot "{bot.name}" has no start.bas to run',
        )
        return
    schedule = attached.trigger["schedule"]
    _agent_run(conversation, bot, script, inbound=None, detail={"schedule": schedule})
    _mark(conversation, before, {"agent": bot.name, "schedule": schedule})


# --- handing the conversation over ---------------------------------------------------------------


def conversation_hand_over(
    *, conversation: Conversation, name: str, kind: str, run: DialogRun | None
) -> ConversationHandoff:
    """DELEGATE TO / TRANSFER CONVERSATION TO: from the next message on, ``name`` is the
    conversation's bot and its start.bas runs first. Tools, knowledge bases, chips and the system
    prompt belonged to the old bot and are cleared; SET CONTEXT entries travel only on a transfer.

    The rest of the running dialog still acts as the bot that handed over.
    """
    phrase = "DELEGATE TO" if kind == HandoffKind.DELEGATE else "TRANSFER CONVERSATION TO"
    target = active_bot(name, phrase=phrase)
    # The conversation's own bot hands it over, even when an attached bot's dialog says so (the
    # run, kept on the handoff, tells which dialog did); clients keep reaching it through that bot.
    giver = Bot.objects.get(pk=Conversation.objects.values_list("bot_id", flat=True).get(pk=conversation.pk))
    if target.pk == giver.pk:
        raise AgentError(f'{phrase}: this conversation is already with "{target.name}"')
    state: dict[str, Any] = {
        "start_done": False,
        "system_prompt": "",
        "suggestions": [],
        "switchers": [],
        "context": conversation.context if kind == HandoffKind.TRANSFER else {},
    }
    Conversation.objects.filter(pk=conversation.pk).update(bot=target, updated_at=timezone.now(), **state)
    for field, value in state.items():
        setattr(conversation, field, value)
    tools_clear(conversation=conversation)
    kb_clear(conversation=conversation)
    return ConversationHandoff.objects.create(
        conversation=conversation, from_bot=giver, to_bot=target, kind=kind, run=run
    )


# --- a task for another bot ---------------------------------------------------------------------


def delegate_task(
    *,
    conversation: Conversation,
    parent: DialogRun,
    inbound: Message | None,
    name: str,
    task: str,
    timeout: float | None = None,
) -> str:
    """``DELEGATE "task" TO BOT "name"``: run that bot's start.bas as a child run with the
    variable ``task``, and return what it TALKed (newline-joined).

    The child's messages are kept in the conversation as ``delegate`` tool messages (in the
    admin, not shown to the user): the calling dialog decides what to say. A child that HEARs
    is an author error, because the answer would have nowhere to go.
    """
    phrase = "DELEGATE TO BOT"
    bot = active_bot(name, phrase=phrase)
    limits = DIALOG_LIMITS
    if timeout is not None:
        if timeout <= 0:
            raise AgentError(f"{phrase}: TIMEOUT must be a positive number of seconds, got {timeout:g}")
        limits = Limits(max_slice_seconds=timeout)
    script = start_script(bot)
    if script is None:
        raise AgentError(
            f'{phrase}: bot "{bot.name}" has no start.bas to take the task; add '
            f"{bot.name}.gbdialog/start.bas (it gets the task in the variable task)"
        )
    child = _agent_run(
        conversation,
        bot,
        script,
        inbound=inbound,
        parent=parent,
        inputs={"task": task},
        detail={"delegated_by": parent.pk},
        limits=limits,
    )
    said = list(Message.objects.filter(run=child).order_by("id"))
    texts = [message.content for message in said if message.kind == "text" and message.content]
    for message in said:
        message.role = Role.TOOL
        message.kind = "delegate"
        message.source = {**message.source, "agent": bot.name, "delegated_by": parent.pk}
        message.save(update_fields=["role", "kind", "source"])
    if child.status == RunStatus.WAITING:
        run_end_waiting(run=child, reason="delegate-wait")
        raise AgentError(
            f'{phrase}: the dialog of bot "{bot.name}" waits ({child.waiting_for}); a delegated '
            "dialog must not HEAR or WAIT: give it everything in the task"
        )
    if child.status == RunStatus.FAILED:
        raise AgentError(f'{phrase}: the dialog of bot "{bot.name}" failed: {child.error}')
    return "\n".join(texts)

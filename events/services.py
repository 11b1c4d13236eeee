"""Publishing events (PUBLISH EVENT, POST /api/events): the row first, then the wake-up.

The event row is the truth. It commits with whatever published it (a workflow segment, a chat
turn, an API request); only then is the bus told (:mod:`events.bus`), and if that wake-up is
lost the periodic sweep delivers the event anyway.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import IntegrityError, transaction

from bots.models import Bot, DialogRun
from bots.runtime.prepared import PreparedInsert
from events import bus, live
from events.models import EventScope, EventSource, WorkflowEvent
from workflows.models import WorkflowExecution

_EVENT_INSERT = PreparedInsert(WorkflowEvent)  # the publisher's hot path: its INSERT written once

NAME_MAX = 200
DATA_MAX_BYTES = 256 * 1024


class EventError(ValueError):
    """An event that cannot be published as asked; the message says what to change."""


def event_name_clean(name: Any, *, phrase: str = "PUBLISH EVENT") -> str:
    """An event name as stored: trimmed, lower case, 1-200 characters."""
    text = str(name if name is not None else "").strip()
    if not text:
        raise EventError(f'{phrase} needs an event name: {phrase} "order_paid"')
    if len(text) > NAME_MAX:
        raise EventError(f"{phrase}: an event name has at most {NAME_MAX} characters, this one {len(text)}")
    return text.lower()


def _data_check(data: Any) -> None:
    try:
        size = len(json.dumps(data, ensure_ascii=False).encode("utf-8"))
    except (TypeError, ValueError) as exc:
        raise EventError(f"event data must be text, numbers, lists and maps: {exc}") from None
    if size > DATA_MAX_BYTES:
        raise EventError(
            f"event data is {size} bytes; at most {DATA_MAX_BYTES} bytes may travel with an event"
        )


def target_bot(name: Any) -> Bot:
    """The active bot ``TO BOT "name"`` means, or an error naming the known bots."""
    text = str(name if name is not None else "").strip()
    found = Bot.objects.filter(name__iexact=text, active=True).first() if text else None
    if found is None:
        known = ", ".join(Bot.objects.filter(active=True).order_by("name").values_list("name", flat=True))
        raise EventError(f'TO BOT: there is no active bot "{text}"; the bots are: {known or "(none)"}')
    return found


def event_publish(
    *,
    bot: Bot,
    name: Any,
    data: Any = None,
    to_bot: Bot | None = None,
    to_all: bool = False,
    idempotency_key: str | None = None,
    source: str = EventSource.SCRIPT,
    workflow: WorkflowExecution | None = None,
    dialog_run: DialogRun | None = None,
) -> tuple[WorkflowEvent, bool]:
    """Write an event published by ``bot`` and wake the bus once the transaction commits.

    Scope: the publishing bot's own listeners, or ``to_bot``'s, or every bot's (``to_all``).
    With an ``idempotency_key`` the bot has used before, nothing is written and the first event
    is returned with ``False``.
    """
    event_name = event_name_clean(name)
    if to_bot is not None and to_all:
        raise EventError('PUBLISH EVENT goes TO BOT "x" or TO ALL, not both')
    _data_check(data)
    key = (idempotency_key or "").strip()[:200]
    if key:
        existing = WorkflowEvent.objects.filter(bot=bot, idempotency_key=key).first()
        if existing is not None:
            return existing, False
    scope = EventScope.ALL if to_all else EventScope.TO_BOT if to_bot is not None else EventScope.BOT
    event = WorkflowEvent(
        event_name=event_name,
        event_data=data,
        bot=bot,
        workflow=workflow,
        dialog_run=dialog_run,
        source=source,
        scope=scope,
        target_bot=to_bot,
        idempotency_key=key,
    )
    if not key:  # one INSERT, which nothing can make clash: no transaction or savepoint of its own
        _EVENT_INSERT.save(event)
    else:
        try:
            with transaction.atomic():  # in a caller's transaction, a savepoint: a clash leaves it usable
                _EVENT_INSERT.save(event)
        except IntegrityError:  # the same key published at the same moment by another request
            return WorkflowEvent.objects.get(bot=bot, idempotency_key=key), False
    transaction.on_commit(lambda: bus.announce(event.pk))
    live.event_changed(event)
    return event, True

"""Helpers of the event core tests: run what events start in this process, as ``gb run`` does.

:class:`Here` delivers every event this thread publishes at once (``events.bus.deliver_here``)
and advances the executions that delivery wakes (ON EVENT handlers, resumed waiters) with the
engine code the workers use, so a test needs no worker and no sleeping sweep.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from bots.models import Bot, Message
from events.models import HandlerRun, WorkflowEvent
from events.services import event_publish
from tests.workflows.support import make_bot, start
from workflows.engine import LocalDispatch
from workflows.engine.advance import advance
from workflows.engine.foreground import run_foreground
from workflows.engine.timers import timers_fire_due
from workflows.models import WorkflowExecution

__all__ = ["Here", "make_bot", "handler_bots", "said_in"]


class Here:
    """One test's foreground engine: a LocalDispatch, and every TALK its executions made."""

    def __init__(self) -> None:
        self.dispatch = LocalDispatch()
        self.said: list[str] = []

    def _talk(self, execution: WorkflowExecution, message: Message) -> None:
        self.said.append(message.content)

    def drain(self) -> None:
        """Advance every execution woken so far (and those they wake) to its next wait or end."""
        while self.dispatch.ready:
            advance(self.dispatch.ready.popleft(), dispatch=self.dispatch, worker="test", on_talk=self._talk)

    def run(self, bot: Bot, script: str, inputs: dict[str, Any] | None = None) -> WorkflowExecution:
        """Start a workflow and run it (firing its timers) until it ends or waits for the outside."""
        execution = start(bot, script, inputs, dispatch=self.dispatch)
        return self.resume(execution)

    def resume(self, execution: WorkflowExecution) -> WorkflowExecution:
        """Go on with what is runnable now, then run ``execution``'s tree as far as it goes."""
        self.drain()
        outcome = run_foreground(execution, self.dispatch, on_talk=self._talk, max_sleep=0.05)
        self.drain()
        return outcome.execution

    def publish(self, bot: Bot, name: str, data: Any = None, **options: Any) -> WorkflowEvent:
        """Publish as a script of ``bot`` would, and run what it starts."""
        event, _created = event_publish(bot=bot, name=name, data=data, **options)
        self.drain()
        event.refresh_from_db()
        return event

    def fire_timers(self, *, after: float) -> int:
        """Fire the timers due ``after`` seconds from now (no sleeping), then run what they woke."""
        fired = timers_fire_due(dispatch=self.dispatch, now=timezone.now() + timedelta(seconds=after))
        self.drain()
        return fired


def handler_bots(event: WorkflowEvent) -> list[str]:
    """The bots whose ON EVENT handlers an event started, by name."""
    runs = HandlerRun.objects.filter(event=event).select_related("subscription__bot")
    return sorted(run.subscription.bot.name for run in runs)


def said_in(conversation_id: int | None) -> list[str]:
    """The bot's text messages of a conversation, in order."""
    return list(
        Message.objects.filter(conversation_id=conversation_id, role="bot", kind="text")
        .order_by("id")
        .values_list("content", flat=True)
    )

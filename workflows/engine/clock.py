"""Firing timers on time, in the worker that set them.

The sweep fires every due timer, but only as often as beat runs it (every 200 ms) and behind
whatever the workers are busy with, so a ``DELAY 1`` used to end 1.3-1.5 s after it began. A
Celery worker therefore also keeps the timers it creates that fall due soon in a heap, and a
thread of its own fires each one at its due time. The row stays the truth: firing claims the
timer as the sweep does, so whichever comes first fires it once; a timer this process never
fires (it died, or the timer was beyond the horizon) is fired by the sweep.
"""

from __future__ import annotations

import heapq
import logging
import threading
from datetime import datetime
from typing import Any

from celery.signals import worker_process_init, worker_process_shutdown, worker_ready, worker_shutdown
from django.db import close_old_connections, transaction
from django.utils import timezone

from workflows.engine.dispatch import LocalDispatch
from workflows.models import WorkflowTimer

logger = logging.getLogger(__name__)

HORIZON_SECONDS = 300.0  # later timers are left to the sweep: a heap entry is lost with its process
INLINE_RUNS = 2  # runs the fired timers woke (and those they wake) this thread advances itself


class TimerClock(threading.Thread):
    """Fires the timers handed to :meth:`add` at their due time (wall clock, as ``due_at``)."""

    def __init__(self) -> None:
        super().__init__(name="gb-timers", daemon=True)
        self._due: list[tuple[datetime, int]] = []
        self._changed = threading.Condition()
        self.stopping = False

    def add(self, timer_id: int, due_at: datetime) -> None:
        """Fire ``timer_id`` at ``due_at`` if that is within the horizon (call after it commits)."""
        if (due_at - timezone.now()).total_seconds() > HORIZON_SECONDS:
            return
        with self._changed:
            heapq.heappush(self._due, (due_at, timer_id))
            self._changed.notify()

    def stop(self) -> None:
        with self._changed:
            self.stopping = True
            self._changed.notify()

    def run(self) -> None:
        while (due := self._next_due()) is not None:
            self._fire(due)

    def _next_due(self) -> list[int] | None:
        """Sleep until a timer is due; the timers due then, or None when stopping."""
        with self._changed:
            while not self.stopping:
                wait = (self._due[0][0] - timezone.now()).total_seconds() if self._due else None
                if wait is not None and wait <= 0:
                    now = timezone.now()
                    due = []
                    while self._due and self._due[0][0] <= now:
                        due.append(heapq.heappop(self._due)[1])
                    return due
                self._changed.wait(wait)
        return None

    @staticmethod
    def _fire(timer_ids: list[int]) -> None:
        from workflows.engine.inline import advance_woken  # it imports the engine, which imports this module
        from workflows.engine.timers import timer_fire
        from workflows.tasks import worker_name

        woken = LocalDispatch()
        for timer_id in timer_ids:
            try:
                timer_fire(timer_id, dispatch=woken)
            except Exception:  # the sweep fires it; this thread must keep firing the others
                logger.exception("timer %s could not be fired here; the sweep will fire it", timer_id)
        try:
            advance_woken(woken, worker=f"{worker_name()}:timers", budget=INLINE_RUNS)
        finally:
            close_old_connections()


_clock: TimerClock | None = None


def timer_add(
    execution_id: int, kind: str, due_at: datetime, payload: dict[str, Any] | None = None
) -> WorkflowTimer:
    """Set a timer for an execution (in the transaction that makes it wait). This process's clock
    fires it on time once that commits, if it runs one; the sweep is the safety net."""
    timer = WorkflowTimer.objects.create(
        execution_id=execution_id, kind=kind, due_at=due_at, payload=payload or {}
    )
    clock = running_clock()
    if clock is not None:
        transaction.on_commit(lambda: clock.add(timer.pk, due_at))
    return timer


def running_clock() -> TimerClock | None:
    """This process's clock, when it runs one (Celery workers); elsewhere the sweep fires."""
    return _clock if _clock is not None and _clock.is_alive() else None


def clock_start() -> TimerClock:
    global _clock
    if running_clock() is None:
        _clock = TimerClock()
        _clock.start()
    assert _clock is not None
    return _clock


def clock_stop() -> None:
    if _clock is not None:
        _clock.stop()
        _clock.join(timeout=5)


def clock_connect() -> None:
    """Run a clock in every process of a Celery worker that advances executions: the main one
    (solo pool; its events listener) and each pool process (prefork). apps.ready calls this in
    every process; the signals only fire in workers."""
    for started in (worker_ready, worker_process_init):
        started.connect(_start, weak=False, dispatch_uid=f"gb-timer-clock-start-{started.name}")
    for stopped in (worker_shutdown, worker_process_shutdown):
        stopped.connect(_stop, weak=False, dispatch_uid=f"gb-timer-clock-stop-{stopped.name}")


def _start(**kwargs: Any) -> None:
    clock_start()


def _stop(**kwargs: Any) -> None:
    clock_stop()

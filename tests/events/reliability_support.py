"""Real processes for the event bus reliability test: worker processes that also listen for
event wake-ups on a channel of their own, and the sweep as beat runs it (the workflow sweep and
the events sweep).

Built on tests/workflows/reliability_support.py: the same solo-pool workers, private
redis-server and broker switching; nothing here is mocked.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from events.delivery import events_deliver_pending
from tests.workflows.reliability_support import SWEEP_SECONDS, WorkerPool
from tests.workflows.reliability_support import sweep as workflow_sweep
from workflows.engine import CeleryDispatch


@dataclass
class EventWorkerPool(WorkerPool):
    """Workers whose listener thread subscribes to ``events_channel`` (the test process publishes
    its wake-ups there too), so a worker of another test or of ``bin/start`` never delivers them."""

    events_channel: str = field(default_factory=lambda: f"gbrel-events-{uuid.uuid4().hex[:10]}")

    def env(self) -> dict[str, str]:
        return {**super().env(), "GB_EVENTS_CHANNEL": self.events_channel}


def sweep() -> None:
    """What beat's two sweep tasks do: fire timers, requeue stalled runs, deliver late events."""
    workflow_sweep()
    events_deliver_pending(dispatch=CeleryDispatch())


def sweep_until(done: Callable[[], bool], *, timeout: float, what: Callable[[], str]) -> None:
    """Sweep every 200 ms, as beat would, until ``done()``; ``what()`` explains a time-out."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"not done after {timeout} s: {what()}")
        sweep()
        time.sleep(SWEEP_SECONDS)

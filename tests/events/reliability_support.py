"""The sweep as beat runs it for the event bus reliability test (the workflow sweep and the
events sweep). The workers, private redis-server and broker switching are those of
tests/workflows/reliability_support.py (their listeners hear a channel of their own); nothing
here is mocked.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from events.delivery import events_deliver_pending
from tests.workflows.reliability_support import SWEEP_SECONDS
from tests.workflows.reliability_support import sweep as workflow_sweep
from workflows.engine import CeleryDispatch


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

"""Fixtures of the event tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from events.bus import deliver_here
from tests.events.core_support import Here


@pytest.fixture
def here() -> Iterator[Here]:
    """Deliver this test's events in this process and run what they start here (as gb run does)."""
    runner = Here()
    with deliver_here(runner.dispatch):
        yield runner

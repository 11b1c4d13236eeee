"""Fixtures of the workflow tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def quick_backoff(settings) -> None:
    """RETRY back-offs of 10 ms, so retried steps do not slow the tests down."""
    settings.GB_WORKFLOW_RETRY_SECONDS = 0.01


@pytest.fixture
def workflow_queue(celery_worker: str, settings) -> str:
    """A real worker process; workflow tasks of this process and of the worker go to its queue."""
    settings.GB_WORKFLOW_QUEUE = celery_worker
    return celery_worker

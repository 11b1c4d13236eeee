"""How an execution that can advance gets a worker: a Celery task, or the foreground loop of
``gb run``. Either way the wake-up is sent only after the transaction that made it runnable has
committed, so a worker never sees a state that may still roll back."""

from __future__ import annotations

from collections import deque
from typing import Protocol

from django.conf import settings
from django.db import transaction


class Dispatch(Protocol):
    def wake(self, execution_id: int) -> None: ...


class CeleryDispatch:
    """Queue :func:`workflows.tasks.advance_execution` on the workflow queue."""

    def wake(self, execution_id: int) -> None:
        from workflows.tasks import advance_execution

        queue = settings.GB_WORKFLOW_QUEUE
        transaction.on_commit(lambda: advance_execution.apply_async((execution_id,), queue=queue))


class LocalDispatch:
    """Collect wake-ups for a loop in this process (``gb run``)."""

    def __init__(self) -> None:
        self.ready: deque[int] = deque()
        self.woken: set[int] = set()  # every execution this loop was given (gb run reports on them)

    def wake(self, execution_id: int) -> None:
        transaction.on_commit(lambda: self._ready(execution_id))

    def _ready(self, execution_id: int) -> None:
        self.ready.append(execution_id)
        self.woken.add(execution_id)

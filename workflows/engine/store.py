"""Saving an execution row: every save checks and bumps ``version`` (optimistic locking), so
a worker that lost its claim (the execution was cancelled, or reaped and taken by another
worker) finds out at its next save and its whole transaction rolls back.

A save is on every step's path, so its UPDATE is compiled by the ORM once per set of fields
(:mod:`bots.runtime.prepared`), not once per save."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from bots.runtime.prepared import PreparedUpdate
from workflows.live import run_changed
from workflows.models import WorkflowExecution


def _current(pk: int, version: int) -> QuerySet[WorkflowExecution]:
    return WorkflowExecution.objects.filter(pk=pk, version=version)


_SAVE = PreparedUpdate(_current, pk=int, version=int)


class Conflict(RuntimeError):
    """The execution changed under us: another process owns it now."""


def save(execution: WorkflowExecution, **fields: Any) -> None:
    """Write ``fields`` if the row still has our version; renew the lease while running."""
    now = timezone.now()
    if execution.lease_owner and "lease_owner" not in fields:
        fields["lease_expires_at"] = now + timedelta(seconds=settings.GB_WORKFLOW_LEASE_SECONDS)
    changed = _SAVE.run(
        {"version": execution.version + 1, "updated_at": now, **fields},
        pk=execution.pk,
        version=execution.version,
    )
    if changed != 1:
        raise Conflict(f"workflow execution {execution.pk} was changed by another process")
    for name, value in fields.items():
        setattr(execution, name, value)
    execution.version += 1
    execution.updated_at = now
    run_changed(execution.tree_root_id)


def release() -> dict[str, Any]:
    """The fields that give up a worker's claim."""
    return {"lease_owner": "", "lease_expires_at": None}

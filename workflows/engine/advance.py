"""Advancing one execution: claim it, run its VM segment by segment, save each segment.

A *segment* runs from where the execution stands to its next wait, step boundary or end, and
commits in one transaction with an optimistic version check: its VM state, its effects (table
writes, journal entries, messages) and the rows of what it now waits for. A segment that fails
is rolled back whole, so a failed attempt leaves no half-written effects; then the failure is
recorded in a transaction of its own and the step is retried from its checkpoint (RETRY) or the
execution fails. Step boundaries only commit and go on in the same task, so a workflow of quick
steps costs one task, not one per step.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from basic import vm
from basic.compiler import MAIN, CompiledScript, compile_source
from basic.errors import BasicError, BasicRuntimeError
from basic.limits import Limits
from workflows.engine import children, steps
from workflows.engine.clock import timer_add
from workflows.engine.dispatch import Dispatch
from workflows.engine.host import TalkListener, WorkflowHost
from workflows.engine.journal import ExecutionJournal
from workflows.engine.store import Conflict, release, save
from workflows.engine.waits import wait_handlers
from workflows.models import ExecutionStatus, TimerKind, WorkflowExecution

SEGMENT_LIMITS = Limits(max_slice_seconds=60.0)
# Waits a workflow can sit in; anything else (HEAR) needs a person the workflow cannot reach.
ENGINE_WAITS = ("workflow", "checkpoint", "timer", "bot", "parallel", "approval")


class _Failed(Exception):  # noqa: N818 - carries the author's error out of the savepoint
    def __init__(self, error: BasicError) -> None:
        self.error = error


def advance(
    execution_id: int, *, dispatch: Dispatch, worker: str, on_talk: TalkListener | None = None
) -> str:
    """Advance an execution as far as it goes now. Safe to call twice for the same execution
    (a redelivered task): only one caller claims it. Returns what happened: "skipped" (not
    runnable, or claimed by another worker), "conflict" (changed under us: cancelled, reaped),
    "waiting" or "ended"."""
    execution = _claim(execution_id, worker)
    if execution is None:
        return "skipped"
    try:
        compiled = compile_source(execution.script_version.source, execution.script)
    except BasicError as err:  # it cannot run at all: fail it, never leave it to be retried
        with transaction.atomic():
            steps.step_failed(execution, err, policy={}, dispatch=dispatch)
        return "ended"
    host = WorkflowHost(execution, on_talk=on_talk)
    journal = ExecutionJournal(execution)
    while True:
        try:
            outcome = _segment(execution, compiled, host, journal, dispatch, worker)
        except Conflict:
            return "conflict"
        if outcome != "continue":
            return outcome


def _claim(execution_id: int, worker: str) -> WorkflowExecution | None:
    """Take the execution if it is runnable and nobody holds it (or its holder's lease ran out):
    one conditional update, so of two workers only one gets it."""
    now = timezone.now()
    free = Q(lease_owner="") | Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now)
    claimed = WorkflowExecution.objects.filter(free, pk=execution_id, status=ExecutionStatus.RUNNING).update(
        lease_owner=worker,
        lease_expires_at=now + timedelta(seconds=settings.GB_WORKFLOW_LEASE_SECONDS),
        version=F("version") + 1,
        updated_at=now,
        started_at=Coalesce(F("started_at"), Value(now)),
    )
    if not claimed:
        return None
    return WorkflowExecution.objects.select_related("bot", "script_version").get(pk=execution_id)


def _segment(
    execution: WorkflowExecution,
    compiled: CompiledScript,
    host: WorkflowHost,
    journal: ExecutionJournal,
    dispatch: Dispatch,
    worker: str,
) -> str:
    """Run the execution to its next wait, step boundary or end and commit that, in one
    transaction. The workflow's header and END WORKFLOW are passed in the same transaction:
    they are not durability points a commit of their own would buy anything for."""
    version = execution.version
    try:
        with transaction.atomic():
            while True:
                result = _run(execution, compiled, host, journal)
                if result.status == "failed":
                    assert result.error is not None
                    raise _Failed(result.error)
                outcome = _settle(execution, compiled, host, result, dispatch, worker)
                if outcome != "go on here":
                    return outcome
    except _Failed as failed:  # the attempt's transaction is rolled back; the failure gets its own
        journal.forget()
        host.sent.clear()
        if execution.version != version:  # saved before it failed: back to what is committed
            execution.refresh_from_db()
        with transaction.atomic():
            steps.step_failed(execution, failed.error, policy=host.policy, dispatch=dispatch)
        return "ended" if execution.is_final else "waiting"


def _run(
    execution: WorkflowExecution, compiled: CompiledScript, host: WorkflowHost, journal: ExecutionJournal
) -> vm.RunResult:
    if not execution.state:
        entry = execution.entry or MAIN
        return vm.start(
            compiled,
            host,
            execution.inputs,
            journal=journal,
            limits=SEGMENT_LIMITS,
            entry=entry,
            inline=entry != MAIN,
        )
    value = (execution.wake or {}).get("value")
    return vm.resume(
        compiled, json.loads(execution.state), value, host, journal=journal, limits=SEGMENT_LIMITS
    )


def _settle(
    execution: WorkflowExecution,
    compiled: CompiledScript,
    host: WorkflowHost,
    result: vm.RunResult,
    dispatch: Dispatch,
    worker: str,
) -> str:
    steps.step_timer_ensure(execution, host.policy)
    execution.detail = {**execution.detail, "policy": host.policy}
    if result.status == "finished":
        steps.execution_completed(execution, result, dispatch=dispatch)
        return "ended"
    assert result.state_json is not None and result.state is not None
    waiting_for = result.waiting_for or ""
    detail = dict(result.detail or {})
    if waiting_for in wait_handlers:
        try:
            kept = wait_handlers[waiting_for](execution, detail)
        except BasicError as err:
            raise _Failed(_at_pending(err, compiled, result.state)) from None
        _wait(execution, result.state_json, waiting_for, kept)
        return "waiting"
    if waiting_for not in ENGINE_WAITS:
        raise _Failed(_wait_refused(compiled, result.state, waiting_for))
    if waiting_for == "workflow":
        _go_on(execution, result.state_json, None, workflow_name=execution.workflow_name or detail["name"])
        return "go on here"
    if waiting_for == "checkpoint":
        steps.step_boundary(execution, result.state, result.state_json, detail, worker=worker)
        host.policy = {}
        return "go on here" if detail.get("end") else "continue"
    if waiting_for == "timer":
        until = datetime.fromisoformat(str(detail["until"]))
        timer_add(execution.pk, TimerKind.DELAY, until)
        _wait(execution, result.state_json, "timer", detail)
        return "waiting"
    if waiting_for in ("bot", "parallel"):
        try:
            ready = children.start(execution, waiting_for, detail, dispatch=dispatch)
        except BasicError as err:  # an unknown bot, a bot without a dialog: the author's to fix
            raise _Failed(_at_pending(err, compiled, result.state)) from None
        if ready is not None:  # every child had already completed (a retried step reuses them)
            _go_on(execution, result.state_json, ready)
            return "continue"
        _wait(execution, result.state_json, waiting_for, children.stored_detail(detail))
        return "waiting"
    from workflows.approvals import approval_requested  # approvals imports the engine package

    decided = approval_requested(execution, detail)
    if decided is not None:  # decided before (a retried step asks once)
        _go_on(execution, result.state_json, decided)
        return "continue"
    _wait(execution, result.state_json, "approval", {"key": detail["key"], "approver": detail["approver"]})
    return "waiting"


def _go_on(execution: WorkflowExecution, state_json: str, value: Any, **fields: Any) -> None:
    """Save the segment and continue at once in this task, resuming the run with ``value``."""
    save(
        execution,
        state=state_json,
        wake={"value": value},
        detail=execution.detail,
        scripts=execution.scripts,
        **fields,
    )


def _wait(execution: WorkflowExecution, state_json: str, waiting_for: str, detail: dict[str, Any]) -> None:
    save(
        execution,
        status=ExecutionStatus.WAITING,
        state=state_json,
        wake=None,
        waiting_for=waiting_for,
        detail={**detail, "policy": execution.detail.get("policy", {})},
        scripts=execution.scripts,
        **release(),
    )


def _wait_refused(compiled: CompiledScript, state: dict[str, Any], waiting_for: str) -> BasicError:
    """A wait no workflow can satisfy (HEAR), reported at the keyword that asked for it."""
    what = "a user's message (HEAR)" if waiting_for == "input" else f"'{waiting_for}'"
    err = BasicRuntimeError(
        f"a workflow cannot wait for {what}: nobody is talking to it. Give a called bot everything in its "
        "task, ask a person with HUMAN APPROVAL, or wait with DELAY or WAIT FOR EVENT"
    )
    return _at_pending(err, compiled, state)


def _at_pending(err: BasicError, compiled: CompiledScript, state: dict[str, Any]) -> BasicError:
    """Place an error at the keyword the run is suspended in."""
    pending = state.get("pending") or {}
    if not err.has_position and "site" in pending and not state["frames"][-1].get("script"):
        site = compiled.sites[pending["site"]]
        err.at(file=compiled.file, line=site.line, column=site.column)
    return err

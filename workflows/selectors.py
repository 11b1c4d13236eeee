"""Reads behind the workflow API, the approvals page and the admin: executions with their step
history, children and approvals, and the approval requests a person may decide."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower, Trim

from bots.models import Bot
from bots.runtime.scripts import ScriptFile, dialog_script
from workflows.approvals import approver_names
from workflows.engine.steps import main_variables
from workflows.models import (
    ApprovalRequest,
    ApprovalStatus,
    ExecutionKind,
    ExecutionStatus,
    StepRun,
    WorkflowExecution,
)
from workflows.services import workflow_script


def bot_for_workflows(*, name: str) -> Bot | None:
    """The active bot a workflow may be started for."""
    return Bot.objects.filter(name=name, active=True).first()


def start_script(*, bot: Bot, workflow: str = "", script: str = "") -> ScriptFile | None:
    """The script a start request names: by its declared workflow name (``WorkflowError`` when
    unknown) or by its file stem (None when the bot has no such dialog)."""
    if workflow:
        return workflow_script(bot, workflow)
    return dialog_script(bot, script)


def execution_list(
    *,
    bot: str = "",
    status: str = "",
    workflow: str = "",
    created_after: datetime | None = None,
    created_before: datetime | None = None,
    include_children: bool = False,
) -> QuerySet[WorkflowExecution]:
    """Executions newest first; only the roots of their trees unless ``include_children``."""
    executions = WorkflowExecution.objects.select_related("bot").order_by("-created_at", "-id")
    if not include_children:
        executions = executions.filter(parent__isnull=True)
    if bot:
        executions = executions.filter(bot__name=bot)
    if status:
        executions = executions.filter(status=status)
    if workflow:
        executions = executions.filter(workflow_name__iexact=workflow)
    if created_after is not None:
        executions = executions.filter(created_at__gte=created_after)
    if created_before is not None:
        executions = executions.filter(created_at__lt=created_before)
    return executions


def execution_get(*, pk: int) -> WorkflowExecution | None:
    return WorkflowExecution.objects.select_related("bot", "script_version").filter(pk=pk).first()


def execution_tree(execution: WorkflowExecution) -> Q:
    """The execution and everything under it (a root's tree, or a child's own subtree). A child's
    subtree takes a query per level to find: find it once per request and hand it to the
    selectors below."""
    if execution.parent_id is None:
        return Q(pk=execution.pk) | Q(root_id=execution.pk)
    ids = [execution.pk]
    frontier = [execution.pk]
    while frontier:
        frontier = list(WorkflowExecution.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return Q(pk__in=ids)


def _or_found(tree: Q | None, execution: WorkflowExecution) -> Q:
    return tree if tree is not None else execution_tree(execution)


def execution_descendants(
    *, execution: WorkflowExecution, tree: Q | None = None
) -> QuerySet[WorkflowExecution]:
    """Branches and bot calls under the execution, at any depth, in the order they began."""
    return (
        WorkflowExecution.objects.filter(_or_found(tree, execution))
        .exclude(pk=execution.pk)
        .select_related("bot")
        .order_by("created_at", "id")
    )


def execution_steps(*, execution: WorkflowExecution, tree: Q | None = None) -> QuerySet[StepRun]:
    """Every step attempt of the execution and of its descendants, in the order they began."""
    ids = WorkflowExecution.objects.filter(_or_found(tree, execution)).values("pk")
    return StepRun.objects.filter(execution_id__in=ids).order_by("started_at", "id")


def execution_pending_approvals(
    *, execution: WorkflowExecution, tree: Q | None = None
) -> QuerySet[ApprovalRequest]:
    ids = WorkflowExecution.objects.filter(_or_found(tree, execution)).values("pk")
    return (
        ApprovalRequest.objects.filter(execution_id__in=ids, status=ApprovalStatus.PENDING)
        .select_related("execution__bot")
        .prefetch_related("decisions")
        .order_by("created_at", "id")
    )


def approval_list(
    *, user: AbstractBaseUser, status: str = ApprovalStatus.PENDING
) -> QuerySet[ApprovalRequest]:
    """The requests addressed to ``user`` (as :func:`~workflows.approvals.may_decide` reads the
    approver: user name or e-mail, any case, spaces trimmed); staff see all. ``status`` "" means
    every status."""
    requests = (
        ApprovalRequest.objects.select_related("execution__bot", "escalated_from")
        .prefetch_related("decisions__decided_by")
        .order_by("-created_at", "-id")
    )
    if not user.is_staff:
        requests = requests.alias(addressed_to=Lower(Trim("approver"))).filter(
            addressed_to__in=approver_names(user)
        )
    if status:
        requests = requests.filter(status=status)
    return requests


def approval_get(*, pk: int) -> ApprovalRequest | None:
    return (
        ApprovalRequest.objects.select_related("execution__bot", "escalated_from")
        .prefetch_related("decisions__decided_by")
        .filter(pk=pk)
        .first()
    )


def approval_variables(request: ApprovalRequest) -> dict[str, Any]:
    """The workflow's variables at the approval (see :func:`approval_variables_many`)."""
    return approval_variables_many([request])[request.pk]


def approval_variables_many(requests: Iterable[ApprovalRequest]) -> dict[int, dict[str, Any]]:
    """Request id -> the workflow's variables at the approval: from the waiting execution's VM
    state, or, once it went on, from the step's record (its variables at the start plus those it
    set). One query for all the step records a page of requests needs."""
    found: dict[int, dict[str, Any]] = {}
    recorded: list[ApprovalRequest] = []
    for request in requests:
        execution = request.execution
        waiting_here = (
            execution.status == ExecutionStatus.WAITING
            and execution.waiting_for == "approval"
            and execution.detail.get("key") == request.effect_seq
        )
        if waiting_here and execution.state:
            found[request.pk] = main_variables(execution.state)
        else:
            recorded.append(request)
    steps = _steps_at(recorded)
    for request in recorded:
        step = steps.get(request.pk)
        if step is not None:
            found[request.pk] = {**(step["input"] or {}), **(step["output"] or {})}
        elif request.execution.kind == ExecutionKind.WORKFLOW:
            found[request.pk] = dict(request.execution.inputs)
        else:
            found[request.pk] = {}
    return found


def _steps_at(requests: list[ApprovalRequest]) -> dict[int, dict[str, Any]]:
    """Request id -> the latest run of its step that began by the time it was made."""
    if not requests:
        return {}
    match = Q()
    for request in requests:
        match |= Q(execution_id=request.execution_id, step=request.step, started_at__lte=request.created_at)
    runs = (
        StepRun.objects.filter(match)
        .order_by("started_at", "id")
        .values("execution_id", "step", "started_at", "input", "output")
    )
    by_step: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for run in runs:
        by_step[(run["execution_id"], run["step"])].append(run)
    found: dict[int, dict[str, Any]] = {}
    for request in requests:
        runs_of_step = by_step[(request.execution_id, request.step)]
        before = [run for run in runs_of_step if run["started_at"] <= request.created_at]
        if before:
            found[request.pk] = before[-1]
    return found

"""Reads behind the workflow API, the approvals page and the admin: executions with their step
history, children and approvals, and the approval requests a person may decide."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet

from bots.models import Bot
from bots.runtime.scripts import ScriptFile, dialog_script
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


def _tree(execution: WorkflowExecution) -> Q:
    """The execution and everything under it (a root's tree, or a child's own subtree)."""
    if execution.parent_id is None:
        return Q(pk=execution.pk) | Q(root_id=execution.pk)
    ids = [execution.pk]
    frontier = [execution.pk]
    while frontier:
        frontier = list(WorkflowExecution.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return Q(pk__in=ids)


def execution_descendants(*, execution: WorkflowExecution) -> QuerySet[WorkflowExecution]:
    """Branches and bot calls under the execution, at any depth, in the order they began."""
    return (
        WorkflowExecution.objects.filter(_tree(execution))
        .exclude(pk=execution.pk)
        .select_related("bot")
        .order_by("created_at", "id")
    )


def execution_steps(*, execution: WorkflowExecution) -> QuerySet[StepRun]:
    """Every step attempt of the execution and of its descendants, in the order they began."""
    ids = WorkflowExecution.objects.filter(_tree(execution)).values("pk")
    return StepRun.objects.filter(execution_id__in=ids).order_by("started_at", "id")


def execution_pending_approvals(*, execution: WorkflowExecution) -> QuerySet[ApprovalRequest]:
    ids = WorkflowExecution.objects.filter(_tree(execution)).values("pk")
    return (
        ApprovalRequest.objects.filter(execution_id__in=ids, status=ApprovalStatus.PENDING)
        .select_related("execution__bot")
        .prefetch_related("decisions")
        .order_by("created_at", "id")
    )


def approval_list(
    *, user: AbstractBaseUser, status: str = ApprovalStatus.PENDING
) -> QuerySet[ApprovalRequest]:
    """The requests addressed to ``user`` (by user name or e-mail, any case); staff see all.
    ``status`` "" means every status."""
    requests = (
        ApprovalRequest.objects.select_related("execution__bot", "escalated_from")
        .prefetch_related("decisions__decided_by")
        .order_by("-created_at", "-id")
    )
    if not user.is_staff:
        names = [user.get_username()]
        email = getattr(user, "email", "") or ""
        if email:
            names.append(email)
        match = Q()
        for name in names:
            match |= Q(approver__iexact=name.strip())
        requests = requests.filter(match)
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
    """The workflow's variables at the approval: from the waiting execution's VM state, or, once
    it went on, from the step's record (its variables at the start plus those it set)."""
    execution = request.execution
    waiting_here = (
        execution.status == ExecutionStatus.WAITING
        and execution.waiting_for == "approval"
        and execution.detail.get("key") == request.effect_seq
    )
    if waiting_here and execution.state:
        return main_variables(execution.state)
    step = (
        StepRun.objects.filter(
            execution_id=execution.pk, step=request.step, started_at__lte=request.created_at
        )
        .order_by("-started_at", "-id")
        .values("input", "output")
        .first()
    )
    if step is None:
        return dict(execution.inputs) if execution.kind == ExecutionKind.WORKFLOW else {}
    return {**(step["input"] or {}), **(step["output"] or {})}



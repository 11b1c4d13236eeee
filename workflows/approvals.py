"""HUMAN APPROVAL: requests, decisions by people, and the ON TIMEOUT actions.

A request is answered once. Every decision, a person's or the timeout's, is kept as an
:class:`ApprovalDecision` with who and when; the workflow resumes with a map of the outcome.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from workflows.engine.children import wake
from workflows.engine.clock import timer_add
from workflows.engine.dispatch import CeleryDispatch, Dispatch
from workflows.live import run_changed
from workflows.models import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStatus,
    ExecutionStatus,
    TimerKind,
    WorkflowExecution,
    WorkflowTimer,
)

TIMEOUT_ACTOR = "timeout"


class ApprovalError(Exception):
    """A decision that cannot be taken (not the approver, already decided); the message says why."""


class ApprovalForbidden(ApprovalError):
    """The person is neither the request's approver nor staff (a 403 where the others are 409s)."""


def approval_requested(execution: WorkflowExecution, detail: dict[str, Any]) -> dict[str, Any] | None:
    """The outcome if this request was already decided (a retried step asks once), else None
    after creating the request (and its timeout timer)."""
    key = detail["key"]
    latest = execution.approvals.filter(effect_seq=key).order_by("-id").first()
    if latest is not None and latest.status in (ApprovalStatus.APPROVED, ApprovalStatus.REJECTED):
        return outcome(latest)
    if latest is not None and latest.status == ApprovalStatus.PENDING:
        return None
    seconds = detail.get("seconds")
    due = timezone.now() + timedelta(seconds=seconds) if seconds else None
    request = ApprovalRequest.objects.create(
        execution=execution,
        effect_seq=key,
        step=detail.get("step", ""),
        approver=detail["approver"],
        subject=detail.get("subject") or _subject(execution, detail),
        timeout_seconds=seconds or None,
        due_at=due,
        on_timeout=detail.get("on_timeout_text", ""),
    )
    if due is not None:
        timer_add(
            execution.pk,
            TimerKind.APPROVAL_TIMEOUT,
            due,
            {"request": request.pk, "action": detail.get("on_timeout")},
        )
    return None


def _subject(execution: WorkflowExecution, detail: dict[str, Any]) -> str:
    name = execution.workflow_name or execution.script
    step = f", step {detail['step']}" if detail.get("step") else ""
    return f"{name}{step}"


def outcome(request: ApprovalRequest) -> dict[str, Any]:
    """What HUMAN APPROVAL gives the script: approved, decision, comment, by, at, warning."""
    last = request.decisions.order_by("-id").first()
    return {
        "approved": request.status == ApprovalStatus.APPROVED,
        "decision": request.status,
        "comment": last.comment if last else "",
        "by": last.actor if last else "",
        "at": last.decided_at.isoformat() if last else "",
        "warning": bool(last and last.warning),
        "approver": request.approver,
    }


def approver_names(user: AbstractBaseUser) -> set[str]:
    """The approver values that name ``user``: user name and e-mail, lower-cased and trimmed
    (a request's approver is compared trimmed and lower-cased too)."""
    names = {user.get_username(), getattr(user, "email", "") or ""}
    return {name.strip().lower() for name in names if name.strip()}


def may_decide(request: ApprovalRequest, user: AbstractBaseUser) -> bool:
    """The named approver (user name or e-mail, any case) or staff."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return request.approver.strip().lower() in approver_names(user)


def approval_decide(
    request: ApprovalRequest,
    *,
    user: AbstractBaseUser,
    approve: bool,
    comment: str = "",
    dispatch: Dispatch | None = None,
) -> ApprovalRequest:
    """A person approves or rejects; the workflow resumes with the outcome. Raises
    :class:`ApprovalForbidden` when ``user`` may not decide, :class:`ApprovalError` when the
    request was already decided."""
    if not may_decide(request, user):
        raise ApprovalForbidden(f"only {request.approver} or a staff member may decide this request")
    with transaction.atomic():
        locked = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != ApprovalStatus.PENDING:
            raise ApprovalError(f"this request was already {locked.get_status_display().lower()}")
        _decide(
            locked,
            ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED,
            comment=comment.strip(),
            actor=user.get_username(),
            user=user,
            dispatch=dispatch or CeleryDispatch(),
        )
    return locked


def _decide(
    request: ApprovalRequest,
    status: str,
    *,
    comment: str,
    actor: str,
    user: Any = None,
    warning: bool = False,
    dispatch: Dispatch,
) -> None:
    now = timezone.now()
    request.status = status
    request.decided_at = now
    request.save(update_fields=["status", "decided_at"])
    ApprovalDecision.objects.create(
        request=request, decision=status, comment=comment, decided_by=user, actor=actor, warning=warning
    )
    WorkflowTimer.objects.filter(
        execution_id=request.execution_id,
        kind=TimerKind.APPROVAL_TIMEOUT,
        fired_at__isnull=True,
        payload__request=request.pk,
    ).delete()
    execution = WorkflowExecution.objects.select_for_update().get(pk=request.execution_id)
    run_changed(execution.tree_root_id)  # open run pages show the decision (and an escalation)
    if status == ApprovalStatus.ESCALATED:
        return
    if (
        execution.status == ExecutionStatus.WAITING
        and execution.waiting_for == "approval"
        and execution.detail.get("key") == request.effect_seq
    ):
        wake(execution, outcome(request), dispatch)


def approval_timed_out(timer: WorkflowTimer, *, dispatch: Dispatch) -> None:
    """Apply the request's ON TIMEOUT action (without one, the request is rejected)."""
    request = ApprovalRequest.objects.select_for_update().filter(pk=timer.payload.get("request")).first()
    if request is None or request.status != ApprovalStatus.PENDING:
        return
    action = timer.payload.get("action") or {"action": "reject", "reason": ""}
    seconds = f"{request.timeout_seconds or 0:g}"
    if action["action"] == "approve":
        note = "approved on timeout" + (" with a warning" if action.get("warning") else "")
        _decide(
            request,
            ApprovalStatus.APPROVED,
            comment=f"no decision after {seconds} s: {note}",
            actor=TIMEOUT_ACTOR,
            warning=bool(action.get("warning")),
            dispatch=dispatch,
        )
    elif action["action"] == "escalate":
        _decide(
            request,
            ApprovalStatus.ESCALATED,
            comment=f"no decision after {seconds} s: escalated to {action['to']}",
            actor=TIMEOUT_ACTOR,
            dispatch=dispatch,
        )
        due = timezone.now() + timedelta(seconds=request.timeout_seconds) if request.timeout_seconds else None
        escalation = ApprovalRequest.objects.create(
            execution_id=request.execution_id,
            effect_seq=request.effect_seq,
            step=request.step,
            approver=action["to"],
            subject=request.subject,
            timeout_seconds=request.timeout_seconds,
            due_at=due,
            escalated_from=request,
        )
        if due is not None:
            timer_add(
                request.execution_id,
                TimerKind.APPROVAL_TIMEOUT,
                due,
                {"request": escalation.pk, "action": None},
            )
    else:
        reason = action.get("reason") or ""
        comment = f"no decision after {seconds} s: rejected" + (f" ({reason})" if reason else "")
        _decide(request, ApprovalStatus.REJECTED, comment=comment, actor=TIMEOUT_ACTOR, dispatch=dispatch)

"""Admin for workflow executions and their steps, timers, effects and approvals.

Executions are written only by the engine, so their pages are read-only; the actions that
change them (cancel, approve, reject) go through the services so the engine sees them.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from workflows.approvals import ApprovalError, approval_decide
from workflows.models import (
    ApprovalDecision,
    ApprovalRequest,
    ExecutionEffect,
    StepRun,
    WorkflowExecution,
    WorkflowTimer,
)
from workflows.services import WorkflowError, workflow_cancel


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the engine owns: shown, never added or edited by hand."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


def execution_link(execution_id: int | None) -> str:
    if execution_id is None:
        return "-"
    url = reverse("admin:workflows_workflowexecution_change", args=[execution_id])
    return format_html('<a href="{}">#{}</a>', url, execution_id)


class StepRunInline(ReadOnlyInline):
    model = StepRun
    fields = [
        "seq",
        "step",
        "title",
        "branch",
        "attempt",
        "status",
        "line",
        "output",
        "error",
        "started_at",
        "ended_at",
    ]
    readonly_fields = fields


class ApprovalRequestInline(ReadOnlyInline):
    model = ApprovalRequest
    fk_name = "execution"
    fields = ["step", "approver", "subject", "status", "due_at", "created_at", "decided_at"]
    readonly_fields = fields


@admin.register(WorkflowExecution)
class WorkflowExecutionAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "workflow_name",
        "bot",
        "kind",
        "branch",
        "status",
        "current_step",
        "waiting_for",
        "parent_link",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", "kind", "bot"]
    search_fields = ["=id", "workflow_name", "script", "bot__name", "current_step", "error", "branch"]
    list_select_related = ["bot"]
    date_hierarchy = "created_at"
    fields = [
        "bot",
        "workflow_name",
        "kind",
        "parent_link",
        "root_link",
        "children_link",
        "branch",
        "entry",
        "script",
        "script_version",
        "conversation",
        "status",
        "current_step",
        "waiting_for",
        "detail",
        "inputs",
        "result",
        "error",
        "attempt",
        "step_seq",
        "version",
        "lease_owner",
        "lease_expires_at",
        "created_at",
        "updated_at",
        "started_at",
        "finished_at",
    ]
    readonly_fields = fields
    inlines = [StepRunInline, ApprovalRequestInline]
    actions = ["cancel_executions"]

    @admin.display(description="parent")
    def parent_link(self, obj: WorkflowExecution) -> str:
        return execution_link(obj.parent_id)

    @admin.display(description="workflow (root)")
    def root_link(self, obj: WorkflowExecution) -> str:
        return execution_link(obj.root_id)

    @admin.display(description="children")
    def children_link(self, obj: WorkflowExecution) -> str:
        count = obj.children.count()
        if not count:
            return "none"
        url = reverse("admin:workflows_workflowexecution_changelist") + f"?parent__id__exact={obj.pk}"
        return format_html('<a href="{}">{} branch(es) and bot call(s)</a>', url, count)

    @admin.action(description="Cancel the selected workflows (with their branches and bot calls)")
    def cancel_executions(self, request: HttpRequest, queryset: QuerySet[WorkflowExecution]) -> None:
        cancelled = 0
        for execution in queryset:
            try:
                workflow_cancel(execution, reason=f"in the admin by {request.user.get_username()}")
                cancelled += 1
            except WorkflowError as exc:
                self.message_user(request, f"#{execution.pk}: {exc}", messages.WARNING)
        if cancelled:
            self.message_user(request, f"Cancelled {cancelled} workflow(s).", messages.SUCCESS)


@admin.register(StepRun)
class StepRunAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "execution_link",
        "seq",
        "step",
        "branch",
        "attempt",
        "status",
        "worker",
        "started_at",
        "ended_at",
    ]
    list_filter = ["status", "execution__bot"]
    search_fields = ["step", "title", "branch", "error", "execution__workflow_name"]
    list_select_related = ["execution"]
    readonly_fields = [
        "execution_link",
        "seq",
        "step",
        "title",
        "branch",
        "attempt",
        "status",
        "line",
        "input",
        "output",
        "error",
        "worker",
        "started_at",
        "ended_at",
    ]
    exclude = ["execution"]

    @admin.display(description="execution")
    def execution_link(self, obj: StepRun) -> str:
        return execution_link(obj.execution_id)


@admin.register(WorkflowTimer)
class WorkflowTimerAdmin(ReadOnlyAdmin):
    list_display = ["id", "execution_link", "kind", "due_at", "fired_at", "created_at"]
    list_filter = ["kind", ("fired_at", admin.EmptyFieldListFilter)]
    search_fields = ["execution__workflow_name", "=execution__id"]
    readonly_fields = ["execution_link", "kind", "due_at", "payload", "fired_at", "created_at"]
    exclude = ["execution"]

    @admin.display(description="execution")
    def execution_link(self, obj: WorkflowTimer) -> str:
        return execution_link(obj.execution_id)


@admin.register(ExecutionEffect)
class ExecutionEffectAdmin(ReadOnlyAdmin):
    list_display = ["id", "execution_link", "seq", "phrase", "created_at"]
    list_filter = ["phrase"]
    search_fields = ["phrase", "result", "=execution__id"]
    readonly_fields = ["execution_link", "seq", "phrase", "result", "created_at"]
    exclude = ["execution"]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description="execution")
    def execution_link(self, obj: ExecutionEffect) -> str:
        return execution_link(obj.execution_id)


class ApprovalDecisionInline(ReadOnlyInline):
    model = ApprovalDecision
    show_change_link = False
    fields = ["decision", "actor", "decided_by", "comment", "warning", "decided_at"]
    readonly_fields = fields


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "approver",
        "subject",
        "step",
        "status",
        "execution_link",
        "due_at",
        "created_at",
        "decided_at",
    ]
    list_filter = ["status", "execution__bot"]
    search_fields = ["approver", "subject", "step", "execution__workflow_name"]
    list_select_related = ["execution"]
    readonly_fields = [
        "execution_link",
        "effect_seq",
        "step",
        "approver",
        "subject",
        "status",
        "timeout_seconds",
        "due_at",
        "on_timeout",
        "escalated_from",
        "created_at",
        "decided_at",
    ]
    exclude = ["execution"]
    inlines = [ApprovalDecisionInline]
    actions = ["approve", "reject"]

    @admin.display(description="execution")
    def execution_link(self, obj: ApprovalRequest) -> str:
        return execution_link(obj.execution_id)

    def _decide(self, request: HttpRequest, queryset: QuerySet[ApprovalRequest], *, approve: bool) -> None:
        done = 0
        for approval in queryset:
            try:
                approval_decide(
                    approval,
                    user=request.user,
                    approve=approve,
                    comment=f"{'approved' if approve else 'rejected'} in the admin",
                )
                done += 1
            except ApprovalError as exc:
                self.message_user(request, f"Approval #{approval.pk}: {exc}.", messages.WARNING)
        if done:
            verb = "Approved" if approve else "Rejected"
            self.message_user(request, f"{verb} {done} request(s); their workflows go on.", messages.SUCCESS)

    @admin.action(description="Approve the selected requests")
    def approve(self, request: HttpRequest, queryset: QuerySet[ApprovalRequest]) -> None:
        self._decide(request, queryset, approve=True)

    @admin.action(description="Reject the selected requests")
    def reject(self, request: HttpRequest, queryset: QuerySet[ApprovalRequest]) -> None:
        self._decide(request, queryset, approve=False)

"""Input and output shapes of the workflow API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q
from django.db.models.manager import BaseManager
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from workflows import selectors
from workflows.models import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStatus,
    ExecutionStatus,
    StepRun,
    WorkflowExecution,
)


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round((end - start).total_seconds(), 3)


# --- requests -----------------------------------------------------------------------------------


class WorkflowStartSerializer(serializers.Serializer):
    bot = serializers.CharField(max_length=100, help_text="The bot whose package holds the workflow.")
    workflow = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text='The name the script declares with ORCHESTRATE WORKFLOW "name".',
    )
    script = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text='Or the script\'s file name without .bas ("orders" runs orders.bas).',
    )
    inputs = serializers.JSONField(
        required=False, help_text="Variables the workflow starts with: a JSON object of name -> value."
    )

    def validate_inputs(self, value: Any) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise serializers.ValidationError(
                f'inputs must be a JSON object of variable names to values, like {{"order_id": 7}}, '
                f"not a {type(value).__name__}"
            )
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        workflow = (attrs.get("workflow") or "").strip()
        script = (attrs.get("script") or "").strip()
        if bool(workflow) == bool(script):
            raise serializers.ValidationError(
                'give either "workflow" (the name in ORCHESTRATE WORKFLOW "name") or "script" (a dialog '
                "file name without .bas)" + (", not both" if workflow else "")
            )
        return {**attrs, "workflow": workflow, "script": script, "inputs": attrs.get("inputs") or {}}


class WorkflowFilterSerializer(serializers.Serializer):
    bot = serializers.CharField(required=False, help_text="Only this bot's executions (its name).")
    status = serializers.ChoiceField(choices=ExecutionStatus.choices, required=False)
    workflow = serializers.CharField(required=False, help_text="The declared workflow name (any case).")
    created_after = serializers.DateTimeField(required=False, help_text="ISO 8601; created at or after.")
    created_before = serializers.DateTimeField(required=False, help_text="ISO 8601; created before.")
    all = serializers.BooleanField(
        required=False, default=False, help_text="Include branches and bot calls, not only workflows."
    )


class WorkflowCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class ApprovalFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[*ApprovalStatus.choices, ("all", "All")],
        required=False,
        default=ApprovalStatus.PENDING,
        help_text="pending (the default), approved, rejected, escalated, cancelled, or all.",
    )


class ApprovalDecideSerializer(serializers.Serializer):
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, default="", trim_whitespace=True
    )


# --- responses ----------------------------------------------------------------------------------


class StepRunSerializer(serializers.ModelSerializer):
    duration_seconds = serializers.SerializerMethodField()

    class Meta:
        model = StepRun
        fields = [
            "id",
            "execution",
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
            "duration_seconds",
        ]

    @extend_schema_field(OpenApiTypes.FLOAT)
    def get_duration_seconds(self, step: StepRun) -> float | None:
        return _seconds(step.started_at, step.ended_at)


class WorkflowChildSerializer(serializers.ModelSerializer):
    bot = serializers.CharField(source="bot.name")

    class Meta:
        model = WorkflowExecution
        fields = [
            "id",
            "parent",
            "kind",
            "branch",
            "bot",
            "script",
            "status",
            "current_step",
            "waiting_for",
            "inputs",
            "result",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]


class ApprovalDecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApprovalDecision
        fields = ["decision", "comment", "actor", "warning", "decided_at"]


_LISTED_VARIABLES = "approval_variables"


class ApprovalListSerializer(serializers.ListSerializer):
    """Reads the variables of all the listed requests at once (one query, not one per request)."""

    def to_representation(self, data: Any) -> list[dict[str, Any]]:
        requests = list(data.all() if isinstance(data, BaseManager) else data)
        self.context[_LISTED_VARIABLES] = selectors.approval_variables_many(requests)
        return super().to_representation(requests)


class ApprovalSerializer(serializers.ModelSerializer):
    bot = serializers.CharField(source="execution.bot.name")
    workflow = serializers.IntegerField(source="execution.tree_root_id", help_text="The root execution's id.")
    workflow_name = serializers.CharField(source="execution.workflow_name")
    variables = serializers.SerializerMethodField(help_text="The workflow's variables at the approval.")
    decisions = ApprovalDecisionSerializer(many=True, read_only=True)

    class Meta:
        model = ApprovalRequest
        list_serializer_class = ApprovalListSerializer
        fields = [
            "id",
            "execution",
            "workflow",
            "workflow_name",
            "bot",
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
            "variables",
            "decisions",
        ]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_variables(self, request: ApprovalRequest) -> dict[str, Any]:
        listed = self.context.get(_LISTED_VARIABLES)
        if listed is not None and request.pk in listed:
            return listed[request.pk]
        return selectors.approval_variables(request)


class WorkflowListSerializer(serializers.ModelSerializer):
    bot = serializers.CharField(source="bot.name")
    root = serializers.IntegerField(source="tree_root_id", help_text="The workflow at the top of the tree.")
    duration_seconds = serializers.SerializerMethodField(
        help_text="started_at to finished_at; null until it ends."
    )

    class Meta:
        model = WorkflowExecution
        fields = [
            "id",
            "bot",
            "workflow_name",
            "kind",
            "parent",
            "root",
            "branch",
            "script",
            "status",
            "current_step",
            "waiting_for",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "duration_seconds",
        ]

    @extend_schema_field(OpenApiTypes.FLOAT)
    def get_duration_seconds(self, execution: WorkflowExecution) -> float | None:
        return _seconds(execution.started_at, execution.finished_at)


class WorkflowDetailSerializer(WorkflowListSerializer):
    script_version = serializers.CharField(
        source="script_version.hash", help_text="The source's content hash."
    )
    waiting_detail = serializers.SerializerMethodField(
        help_text="What it waits for (approver, children ids, retry_at...); {} when not waiting."
    )
    steps = serializers.SerializerMethodField()
    children = serializers.SerializerMethodField()
    pending_approvals = serializers.SerializerMethodField()

    class Meta(WorkflowListSerializer.Meta):
        fields = [
            *WorkflowListSerializer.Meta.fields,
            "script_version",
            "attempt",
            "waiting_detail",
            "inputs",
            "result",
            "updated_at",
            "steps",
            "children",
            "pending_approvals",
        ]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_waiting_detail(self, execution: WorkflowExecution) -> dict[str, Any]:
        if execution.status != ExecutionStatus.WAITING:
            return {}
        return {key: value for key, value in (execution.detail or {}).items() if key != "policy"}

    def _tree(self, execution: WorkflowExecution) -> Q:
        """The execution's tree, found once for the steps, children and approvals (a branch's
        subtree costs a query per level)."""
        trees = self.context.setdefault("trees", {})
        if execution.pk not in trees:
            trees[execution.pk] = selectors.execution_tree(execution)
        return trees[execution.pk]

    @extend_schema_field(StepRunSerializer(many=True))
    def get_steps(self, execution: WorkflowExecution) -> list[dict[str, Any]]:
        steps = selectors.execution_steps(execution=execution, tree=self._tree(execution))
        return StepRunSerializer(steps, many=True).data

    @extend_schema_field(WorkflowChildSerializer(many=True))
    def get_children(self, execution: WorkflowExecution) -> list[dict[str, Any]]:
        children = selectors.execution_descendants(execution=execution, tree=self._tree(execution))
        return WorkflowChildSerializer(children, many=True).data

    @extend_schema_field(ApprovalSerializer(many=True))
    def get_pending_approvals(self, execution: WorkflowExecution) -> list[dict[str, Any]]:
        pending = selectors.execution_pending_approvals(execution=execution, tree=self._tree(execution))
        return ApprovalSerializer(pending, many=True).data

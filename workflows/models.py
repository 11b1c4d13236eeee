"""Durable workflow executions, their steps, effects, timers and human approvals.

An execution is a row plus its VM state (DESIGN.md "Durable execution"): a Celery task advances
it to its next wait and saves it with an optimistic ``version`` check. A waiting execution holds
no worker; what it waits for is a row (a :class:`WorkflowTimer`, an :class:`ApprovalRequest`, or
child executions: the branches of a PARALLEL and the bots a ``BOT`` step calls).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from bots.models import Bot, Conversation, ScriptVersion


class ExecutionStatus(models.TextChoices):
    RUNNING = "running", "Running"  # ready to advance, or advancing under a worker's lease
    WAITING = "waiting", "Waiting"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


FINAL_STATUSES = (ExecutionStatus.COMPLETED, ExecutionStatus.FAILED, ExecutionStatus.CANCELLED)


class ExecutionKind(models.TextChoices):
    WORKFLOW = "workflow", "Workflow"  # a script run as a workflow (the root of a tree)
    BRANCH = "branch", "PARALLEL branch"  # one BRANCH of a PARALLEL, run beside its siblings
    BOT = "bot", "Bot call"  # the dialog or tool of another bot, for a BOT step
    HANDLER = "handler", "ON EVENT handler"  # an ON EVENT block run for one event


class WorkflowExecution(models.Model):
    """One durable run: a workflow, a PARALLEL branch or a called bot (children point at their
    ``parent`` and answer its wait number ``join_key``)."""

    bot = models.ForeignKey(Bot, on_delete=models.CASCADE, related_name="workflow_executions")
    workflow_name = models.CharField(max_length=200, blank=True, db_index=True)
    kind = models.CharField(max_length=10, choices=ExecutionKind.choices, default=ExecutionKind.WORKFLOW)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    root = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="descendants",
        help_text="The workflow at the top of the tree (empty for the root itself).",
    )
    join_key = models.PositiveIntegerField(
        null=True, blank=True, help_text="The parent's effect number it answers."
    )
    branch = models.CharField(max_length=60, blank=True)
    entry = models.CharField(
        max_length=40, blank=True, help_text="The block a branch runs (empty: the script)."
    )
    script = models.CharField(max_length=500, help_text="Path of the script inside the package.")
    script_version = models.ForeignKey(ScriptVersion, on_delete=models.PROTECT, related_name="+")
    scripts = models.JSONField(default=dict, blank=True, help_text="Scripts it CALLed: name -> [file, hash].")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.SET_NULL, null=True, blank=True, related_name="workflow_executions"
    )
    current_step = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=ExecutionStatus.choices, default=ExecutionStatus.RUNNING, db_index=True
    )
    waiting_for = models.CharField(max_length=40, blank=True)
    detail = models.JSONField(
        default=dict, blank=True, help_text="What it waits for; the current step's policy."
    )
    state = models.TextField(
        blank=True, help_text="The VM state (JSON text); empty before the first advance."
    )
    checkpoint = models.TextField(blank=True, help_text="The VM state at the start of the current step.")
    wake = models.JSONField(null=True, blank=True, help_text="What the next advance resumes the run with.")
    inputs = models.JSONField(default=dict, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    attempt = models.PositiveIntegerField(default=1, help_text="Attempt of the current step.")
    step_seq = models.PositiveIntegerField(default=0, help_text="How many steps have begun.")
    version = models.PositiveIntegerField(default=0)
    lease_owner = models.CharField(max_length=200, blank=True, help_text="The worker advancing it now.")
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["parent", "join_key"], name="wf_exec_join"),
            models.Index(fields=["lease_expires_at"], condition=Q(status="running"), name="wf_exec_lease"),
        ]

    def __str__(self) -> str:
        label = self.workflow_name or self.script
        if self.branch:
            label = f"{label} / branch {self.branch}"
        return f"#{self.pk} {label} ({self.status})"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def tree_root_id(self) -> int:
        return self.root_id or self.pk


class StepStatus(models.TextChoices):
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class StepRun(models.Model):
    """One attempt of one STEP of an execution (of a branch, when ``branch`` is set)."""

    execution = models.ForeignKey(WorkflowExecution, on_delete=models.CASCADE, related_name="steps")
    seq = models.PositiveIntegerField(help_text="The execution's step number, in the order steps began.")
    step = models.CharField(max_length=200, help_text="The STEP's label as the script writes it.")
    title = models.CharField(max_length=200, blank=True)
    branch = models.CharField(max_length=60, blank=True)
    attempt = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=10, choices=StepStatus.choices, default=StepStatus.RUNNING)
    line = models.PositiveIntegerField(default=0)
    input = models.JSONField(default=dict, blank=True, help_text="The variables when the step began.")
    output = models.JSONField(default=dict, blank=True, help_text="The variables the step set.")
    error = models.TextField(blank=True)
    worker = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["execution", "seq", "attempt"]
        constraints = [
            models.UniqueConstraint(fields=["execution", "seq", "attempt"], name="wf_step_attempt_once"),
        ]

    def __str__(self) -> str:
        return f"STEP {self.step} (attempt {self.attempt}, {self.status})"


class ExecutionEffect(models.Model):
    """A completed effect of an execution (basic/journal.py): a replay reuses ``result``."""

    execution = models.ForeignKey(WorkflowExecution, on_delete=models.CASCADE, related_name="effects")
    seq = models.PositiveIntegerField()
    phrase = models.CharField(max_length=100)
    result = models.TextField(help_text="The effect's result as JSON text.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["execution", "seq"]
        constraints = [models.UniqueConstraint(fields=["execution", "seq"], name="wf_effect_once")]

    def __str__(self) -> str:
        return f"{self.phrase} #{self.seq}"


class TimerKind(models.TextChoices):
    DELAY = "delay", "DELAY / WAIT"
    RETRY = "retry", "Retry back-off"
    STEP_TIMEOUT = "step-timeout", "Step TIMEOUT"
    APPROVAL_TIMEOUT = "approval-timeout", "Approval TIMEOUT"
    EVENT_TIMEOUT = "event-timeout", "WAIT FOR EVENT TIMEOUT"


class WorkflowTimer(models.Model):
    """A due time the periodic sweep acts on (never a broker ETA)."""

    execution = models.ForeignKey(WorkflowExecution, on_delete=models.CASCADE, related_name="timers")
    kind = models.CharField(max_length=20, choices=TimerKind.choices)
    due_at = models.DateTimeField()
    payload = models.JSONField(default=dict, blank=True)
    fired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["due_at"], condition=Q(fired_at__isnull=True), name="wf_timer_due")]

    def __str__(self) -> str:
        return f"{self.kind} at {self.due_at:%Y-%m-%d %H:%M:%S}"


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    ESCALATED = "escalated", "Escalated"
    CANCELLED = "cancelled", "Cancelled"


class ApprovalRequest(models.Model):
    """A HUMAN APPROVAL waiting for ``approver`` (a user name or e-mail address) or staff."""

    execution = models.ForeignKey(WorkflowExecution, on_delete=models.CASCADE, related_name="approvals")
    effect_seq = models.PositiveIntegerField(help_text="The execution's effect number this request answers.")
    step = models.CharField(max_length=200, blank=True)
    approver = models.CharField(max_length=254)
    subject = models.TextField(blank=True, help_text="What is to be approved (the workflow's words).")
    status = models.CharField(max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING)
    timeout_seconds = models.FloatField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    on_timeout = models.CharField(max_length=300, blank=True, help_text="The ON TIMEOUT action as written.")
    escalated_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="escalations"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["approver", "status"], name="wf_approval_inbox")]

    def __str__(self) -> str:
        return f"approval #{self.pk} from {self.approver} ({self.status})"


class ApprovalDecision(models.Model):
    """Who decided what and when: people's decisions and the timeout's actions alike."""

    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(max_length=10, choices=ApprovalStatus.choices)
    comment = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor = models.CharField(max_length=254, help_text="The user name, or 'timeout' for ON TIMEOUT actions.")
    warning = models.BooleanField(default=False, help_text="APPROVE WITH WARNING.")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.decision} by {self.actor}"

"""Starting, cancelling and resuming workflows (the writes behind the API, the pages and gb run)."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction

from basic.compiler import compile_source
from bots.models import Bot, Channel, Conversation, ScriptVersion
from bots.runtime.scripts import ScriptFile, bot_package, dialog_script, script_version_pin
from workflows.engine import steps
from workflows.engine.children import cancel_tree
from workflows.engine.dispatch import CeleryDispatch, Dispatch
from workflows.models import ExecutionKind, ExecutionStatus, WorkflowExecution

_DECLARED = re.compile(r'^\s*ORCHESTRATE\s+WORKFLOW\s+"([^"]*)"', re.IGNORECASE | re.MULTILINE)


class WorkflowError(Exception):
    """A request the workflow cannot take (unknown workflow, wrong status); the message says why."""


def declared_workflows(source: str) -> list[str]:
    """The names a script gives with ORCHESTRATE WORKFLOW "name"."""
    return [name.strip() for name in _DECLARED.findall(source)]


def workflow_script(bot: Bot, name: str) -> ScriptFile:
    """The bot's script that declares workflow ``name`` (or is named so: "orders" -> orders.bas)."""
    package = bot_package(bot)
    if package is not None:
        for dialog in package.dialogs:
            found = dialog_script(bot, dialog.stem)
            if found is not None and name.lower() in (n.lower() for n in declared_workflows(found.source)):
                return found
    found = dialog_script(bot, name)
    if found is None:
        raise WorkflowError(
            f'bot "{bot.name}" has no script with ORCHESTRATE WORKFLOW "{name}" and no {name}.bas'
        )
    return found


def workflow_start(
    *,
    bot: Bot,
    script: ScriptFile,
    inputs: dict[str, Any] | None = None,
    conversation: Conversation | None = None,
    dispatch: Dispatch | None = None,
) -> WorkflowExecution:
    """Create a workflow execution of ``script`` and send it to a worker. It gets a conversation
    of its own unless it continues one. Raises the script's BasicSyntaxError when it does not
    compile."""
    compile_source(script.source, script.path)  # a script that does not compile never starts
    with transaction.atomic():
        if conversation is None:
            conversation = Conversation.objects.create(bot=bot, channel=Channel.WORKFLOW, user_key="workflow")
        names = declared_workflows(script.source)
        execution = WorkflowExecution.objects.create(
            bot=bot,
            kind=ExecutionKind.WORKFLOW,
            workflow_name=names[0][:200] if names else "",
            script=script.path,
            script_version=script_version_pin(script.source),
            conversation=conversation,
            inputs={str(k).lower(): v for k, v in (inputs or {}).items()},
        )
        (dispatch or CeleryDispatch()).wake(execution.pk)
    return execution


def workflow_from_dialog(
    *, conversation: Conversation, script: str, script_version: ScriptVersion, state_json: str, name: str,
    scripts: dict[str, Any], dispatch: Dispatch | None = None,
) -> WorkflowExecution:
    """A chat's dialog reached ORCHESTRATE WORKFLOW: the rest of its script continues as a
    durable workflow on the workers, from the saved state, talking in the same conversation.
    Runs inside the caller's transaction (the dialog run ends in it)."""
    execution = WorkflowExecution.objects.create(
        bot=conversation.bot, kind=ExecutionKind.WORKFLOW, workflow_name=name[:200], script=script,
        script_version=script_version, scripts=scripts, conversation=conversation, state=state_json,
    )
    (dispatch or CeleryDispatch()).wake(execution.pk)
    return execution


def workflow_cancel(execution: WorkflowExecution, *, reason: str = "by request") -> WorkflowExecution:
    """Cancel a workflow that has not ended, with everything it started. Only the workflow at
    the top of the tree: a branch or bot call ends with its step (or with its workflow)."""
    with transaction.atomic():
        execution = WorkflowExecution.objects.select_for_update().get(pk=execution.pk)
        if execution.parent_id is not None:
            raise WorkflowError(
                f"execution {execution.pk} is a {execution.get_kind_display().lower()} of workflow "
                f"{execution.tree_root_id}; cancel the workflow at the top of the tree"
            )
        if execution.is_final:
            raise WorkflowError(f"workflow execution {execution.pk} has already {execution.status}")
        cancel_tree(execution, reason=reason)
    return execution


def workflow_resume(execution: WorkflowExecution, *, dispatch: Dispatch | None = None) -> WorkflowExecution:
    """Run a failed workflow again from the start of the step that failed: completed steps are
    not run again, and completed effects of that step (BOT answers, approvals) are reused."""
    with transaction.atomic():
        execution = WorkflowExecution.objects.select_for_update().get(pk=execution.pk)
        if execution.status != ExecutionStatus.FAILED:
            raise WorkflowError(
                f"only a failed workflow can be resumed; execution {execution.pk} is {execution.status}"
            )
        if execution.parent_id is not None:
            raise WorkflowError(
                "resume the workflow at the top of the tree, not one of its branches or bot calls"
            )
        steps.attempt_begin(
            execution,
            execution.attempt + 1 if execution.current_step else 1,
            dispatch=dispatch or CeleryDispatch(),
            state=execution.checkpoint,
            error="",
            finished_at=None,
            detail={"policy": {}},
        )
    return execution

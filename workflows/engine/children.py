"""Child executions: the bot a ``BOT`` step calls and the branches of a PARALLEL.

The parent waits with the ids of its children in ``detail["children"]``; each child, when it
ends, locks the parent and checks whether the join is complete (all ended), so two branches
ending at once on two workers cannot both miss it. Children are keyed by the parent's effect
number (``join_key``): when a step is retried, completed children are reused and only failed
ones run again.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils import timezone

from bots.models import Bot
from bots.runtime.agents import active_bot
from bots.runtime.scripts import ScriptFile, bot_package, dialog_script, script_version_pin, start_script
from workflows.engine.dispatch import Dispatch
from workflows.engine.store import Conflict, release, save
from workflows.keywords import CHILD_ERROR, WorkflowKeywordError
from workflows.models import (
    ApprovalRequest,
    ApprovalStatus,
    ExecutionKind,
    ExecutionStatus,
    WorkflowExecution,
    WorkflowTimer,
)

ACTIVE = (ExecutionStatus.RUNNING, ExecutionStatus.WAITING)


def _squeezed(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def bot_script(bot: Bot, task: str) -> ScriptFile:
    """The tool the task names ("process refund" -> process_refund.bas, or its first word),
    else the bot's start.bas."""
    package = bot_package(bot)
    if package is not None and task.strip():
        wanted = {_squeezed(task), _squeezed(task.split()[0])}
        for dialog in package.dialogs:
            stem = dialog.stem.lower()
            if stem not in ("start", "tables") and _squeezed(stem) in wanted:
                found = dialog_script(bot, stem)
                if found is not None:
                    return found
    script = start_script(bot)
    if script is None:
        raise WorkflowKeywordError(
            f'BOT: bot "{bot.name}" has no tool named by the task and no start.bas to take it; add '
            f"{bot.name}.gbdialog/start.bas (it gets the task in the variable task)"
        )
    return script


def _create(
    parent: WorkflowExecution, kind: str, detail: dict[str, Any], branch: str, entry: str
) -> WorkflowExecution:
    common = {
        "parent": parent,
        "root_id": parent.root_id or parent.pk,
        "join_key": detail["key"],
        "conversation_id": parent.conversation_id,
        "kind": kind,
        "branch": branch,
    }
    variables = detail.get("variables") or {}
    if kind == ExecutionKind.BOT:
        bot = active_bot(detail["bot"], phrase="BOT")
        script = bot_script(bot, detail["task"])
        return WorkflowExecution.objects.create(
            bot=bot,
            script=script.path,
            script_version=script_version_pin(script.source),
            inputs={**variables, "task": detail["task"]},
            **common,
        )
    return WorkflowExecution.objects.create(
        bot=parent.bot,
        workflow_name=parent.workflow_name,
        script=parent.script,
        script_version_id=parent.script_version_id,
        scripts=parent.scripts,
        entry=entry,
        inputs=variables,
        **common,
    )


def start(
    parent: WorkflowExecution, waiting_for: str, detail: dict[str, Any], *, dispatch: Dispatch
) -> Any | None:
    """Start the children a BOT or PARALLEL wait (``waiting_for``) needs, reusing completed ones;
    the joined value when all had already completed, else None (the parent waits). Records their ids in
    ``detail["children"]``."""
    kind = ExecutionKind.BOT if waiting_for == "bot" else ExecutionKind.BRANCH
    existing = {
        child.branch: child for child in parent.children.filter(join_key=detail["key"]).order_by("id")
    }
    wanted = (
        [("", "")] if kind == ExecutionKind.BOT else [(b["name"], b["entry"]) for b in detail["branches"]]
    )
    active: dict[str, WorkflowExecution] = {}
    for branch, entry in wanted:
        child = existing.get(branch)
        if child is None or child.status in (ExecutionStatus.FAILED, ExecutionStatus.CANCELLED):
            child = _create(parent, kind, detail, branch, entry)
            dispatch.wake(child.pk)
        active[branch] = child
    if all(child.status == ExecutionStatus.COMPLETED for child in active.values()):
        return _joined(waiting_for, {branch: child.result for branch, child in active.items()})
    detail["children"] = {branch: child.pk for branch, child in active.items()}
    return None


def _joined(waiting_for: str, results: dict[str, Any]) -> Any:
    """The value the parent resumes with: the bot's answer, or each branch's variables."""
    return results[""] if waiting_for == "bot" else results


def stored_detail(detail: dict[str, Any]) -> dict[str, Any]:
    """What the parent keeps of a BOT/PARALLEL wait (the variables it passed are in the children)."""
    return {key: value for key, value in detail.items() if key != "variables"}


def child_ended(child: WorkflowExecution, dispatch: Dispatch) -> None:
    """Tell the waiting parent: resume it when this was the last child it waited for, or when
    this one failed (then the other branches are cancelled)."""
    if child.parent_id is None:
        return
    parent = WorkflowExecution.objects.select_for_update().get(pk=child.parent_id)
    ids: dict[str, int] = parent.detail.get("children") or {}
    if (
        parent.status != ExecutionStatus.WAITING
        or parent.waiting_for not in ("bot", "parallel")
        or parent.detail.get("key") != child.join_key
        or child.pk not in ids.values()
    ):
        return
    if child.status != ExecutionStatus.COMPLETED:
        if parent.waiting_for == "parallel":
            for sibling in WorkflowExecution.objects.filter(pk__in=ids.values(), status__in=ACTIVE).exclude(
                pk=child.pk
            ):
                cancel_tree(sibling, reason=f"branch {child.branch} failed")
            message = f"branch {child.branch} failed: {child.error}"
        else:
            message = f"failed: {child.error}"
        wake(parent, {CHILD_ERROR: message}, dispatch)
        return
    rows = {
        row["branch"]: row
        for row in WorkflowExecution.objects.filter(pk__in=ids.values()).values("branch", "status", "result")
    }
    if all(row["status"] == ExecutionStatus.COMPLETED for row in rows.values()):
        ordered = {branch: rows[branch]["result"] for branch in ids}
        wake(parent, _joined(parent.waiting_for, ordered), dispatch)


def wake(execution: WorkflowExecution, value: Any, dispatch: Dispatch) -> None:
    """A waiting execution may go on with ``value``: make it runnable and send it to a worker."""
    save(execution, status=ExecutionStatus.RUNNING, waiting_for="", wake={"value": value}, **release())
    dispatch.wake(execution.pk)


def cancel_waits(execution: WorkflowExecution) -> None:
    """Drop what the execution waited for: its pending timers and open approval requests."""
    WorkflowTimer.objects.filter(execution=execution, fired_at__isnull=True).delete()
    ApprovalRequest.objects.filter(execution=execution, status=ApprovalStatus.PENDING).update(
        status=ApprovalStatus.CANCELLED, decided_at=timezone.now()
    )


def cancel_children(execution: WorkflowExecution) -> None:
    for child in execution.children.filter(status__in=ACTIVE):
        cancel_tree(child, reason="its parent's step ended")


def cancel_tree(execution: WorkflowExecution, *, reason: str) -> None:
    """Cancel an execution and everything under it. A worker advancing one of them finds its
    version moved at its next save and rolls back."""
    for _attempt in range(20):
        if execution.is_final:
            return
        try:
            save(
                execution,
                status=ExecutionStatus.CANCELLED,
                error=f"cancelled: {reason}",
                wake=None,
                waiting_for="",
                finished_at=timezone.now(),
                **release(),
            )
            break
        except Conflict:
            execution.refresh_from_db()
    else:
        raise Conflict(f"could not cancel workflow execution {execution.pk}: it keeps changing")
    cancel_waits(execution)
    cancel_children(execution)
